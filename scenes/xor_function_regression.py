import numpy as np

from nnviz import Scene, data, nn

from ._starts import spread_first_layer


class XorFunctionRegression(Scene):
    """A small LeakyReLU network with a sigmoid output learns XOR as a function of the plane.

    Learned when the validation RMSE is below 0.1 in the targets' own 0/1 units (they are not
    standardised; the targets' jitter alone gives 0.05, a network stuck at a wrong corner
    0.25 or more).
    """

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
        # one seed in 10 at a wrong corner
        model = nn.mlp([n_in, 4, 4, n_out], "leaky_relu", output="sigmoid", rng=rng, slope=0.1)
        # Two more departures, for the 4 seeds in 100 still stuck (a corner at the wrong value
        # to the end): the output layer starts at a tenth of its random weights, so the sigmoid
        # starts near 0.5 everywhere instead of saturated at 0 or 1 on some corners (where its
        # gradient vanishes), and the first layer's units start spread around the plane (see
        # spread_first_layer). With both, seeds 0-199 all learn.
        spread_first_layer(model, rng)
        model.params["4.W"][...] *= 0.1
        return model

    def learning_problems(self, log):
        # targets are kept in their own units, so loss/val is already the MSE in them
        rmse = float(np.sqrt(log["loss/val"][-1]) * log["standardizer/y_std"][0])
        return [f"val RMSE {rmse:.3f} >= 0.1"] if rmse >= 0.1 else []
