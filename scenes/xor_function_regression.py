from nnviz import Scene, data, nn


class XorFunctionRegression(Scene):
    name = "xor_function_regression"
    title = "XOR function regression (LeakyReLU net, sigmoid output)"
    description = "A 2-4-4-1 LeakyReLU network with a sigmoid output learns the XOR function."
    steps = 300
    every = 1
    lr = 2e-2
    panels = ("heatmap", "loss")
    # the sigmoid output lives in (0, 1): standardised targets (-1 and 1) would be out of reach
    standardize_targets = False

    def dataset(self, rng):
        return data.xor_function(rng)

    def model(self, rng, n_in, n_out):
        # slope 0.1 rather than 0.01: with only 4 units a layer, near-dead units trapped
        # one seed in 10 at a wrong corner; 0.1 learns XOR on every seed tried
        return nn.mlp([n_in, 4, 4, n_out], "leaky_relu", output="sigmoid", rng=rng, slope=0.1)
