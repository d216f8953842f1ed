from nnviz import Scene, data, nn


class XorTwoClasses(Scene):
    """A 2-4-4-2 LeakyReLU classifier separates the XOR classes (jittered corners).

    Learned when every point is on its side of the boundary at the end: training and
    validation accuracy both 1 (the classes are far apart, so any miss is a visibly wrong
    boundary).
    """

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

    def learning_problems(self, log):
        return [f"{part} accuracy {acc:.3f} < 1"
                for part in ("train", "val") if (acc := float(log[f"accuracy/{part}"][-1])) < 1.0]
