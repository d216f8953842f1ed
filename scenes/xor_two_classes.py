from nnviz import Scene, data, nn

from ._starts import spread_first_layer


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
        # LeakyReLU slope 0.1 rather than 0.01, and the first layer's units spread around the
        # plane (see spread_first_layer): with the original start 5 seeds in 100 sat at 75 %
        # (one corner wrong) to the end; with these, seeds 0-199 all reach 100 %
        model = nn.mlp([n_in, 4, 4, n_out], "leaky_relu", rng=rng, slope=0.1)
        spread_first_layer(model, rng)
        return model

    def learning_problems(self, log):
        return [f"{part} accuracy {acc:.3f} < 1"
                for part in ("train", "val") if (acc := float(log[f"accuracy/{part}"][-1])) < 1.0]
