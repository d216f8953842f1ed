from nnviz import Scene, data, nn


class XorTwoClasses(Scene):
    name = "xor_two_classes"
    title = "XOR classification with softmax + cross-entropy"
    description = "A 2-4-4-2 LeakyReLU classifier separates the two XOR classes."
    steps = 200
    every = 1
    lr = 1e-2
    panels = ("boundary", "loss", "accuracy")

    def dataset(self, rng):
        return data.xor_classes(rng)

    def model(self, rng, n_in, n_out):
        return nn.mlp([n_in, 4, 4, n_out], "leaky_relu", rng=rng)
