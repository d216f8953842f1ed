from nnviz import Scene, data, nn


class NonLinearRegressionTanh(Scene):
    name = "non_linear_regression_tanh"
    title = "Non-linear regression (deep tanh network)"
    description = "A 1-10-20-40-80-40-20-10-1 tanh network fits a noisy sine."
    steps = 500
    every = 1
    lr = 5e-4
    panels = ("fit", "loss")

    def dataset(self, rng):
        return data.noisy_sine(rng)

    def model(self, rng, n_in, n_out):
        return nn.mlp([n_in, 10, 20, 40, 80, 40, 20, 10, n_out], "tanh", rng=rng)
