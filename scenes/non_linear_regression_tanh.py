import numpy as np

from nnviz import Scene, data, nn


class NonLinearRegressionTanh(Scene):
    """A deep tanh network fits y = sin(x) + N(0, 0.1^2) for x in [0.2, 2pi - 0.2].

    Learned when the validation RMSE in the data's units is at most 0.15 (the noise alone
    gives 0.10; a straight line about 0.5): the curve then follows the sine end to end.
    """

    name = "non_linear_regression_tanh"
    title = "Non-linear regression (deep tanh network)"
    description = "A 1-10-20-40-80-40-20-10-1 tanh network fits a noisy sine."
    # 1000 steps (the original video's 1000) rather than 500: at 500, 9 seeds in 100 still
    # missed RMSE 0.15 (the curve not yet through the sine's ends); a snapshot every 2 steps
    # keeps the video at 501 frames, as long and as costly to render as before
    steps = 1000
    every = 2
    lr = 5e-4
    panels = ("fit", "loss")

    def dataset(self, rng):
        return data.noisy_sine(rng)

    def model(self, rng, n_in, n_out):
        return nn.mlp([n_in, 10, 20, 40, 80, 40, 20, 10, n_out], "tanh", rng=rng)

    def learning_problems(self, log):
        # loss/val is the MSE in standardised units; y_std turns it back into the data's
        rmse = float(np.sqrt(log["loss/val"][-1]) * log["standardizer/y_std"][0])
        return [f"val RMSE {rmse:.3f} > 0.15"] if rmse > 0.15 else []
