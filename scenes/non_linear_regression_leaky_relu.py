from nnviz import Scene, data, nn


class NonLinearRegressionLeakyRelu(Scene):
    name = "non_linear_regression_leaky_relu"
    title = "Non-linear regression (deep LeakyReLU network)"
    description = "A 1-10-20-40-80-40-20-10-1 LeakyReLU network fits a noisy sine."
    steps = 500
    every = 1
    lr = 1e-3
    panels = ("fit", "loss")

    def dataset(self, rng):
        return data.noisy_sine(rng)

    def model(self, rng, n_in, n_out):
        return nn.mlp([n_in, 10, 20, 40, 80, 40, 20, 10, n_out], "leaky_relu", rng=rng)
