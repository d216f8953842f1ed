from nnviz import Scene, data, nn


class LinearRegression(Scene):
    name = "linear_regression"
    title = "Linear regression with a single linear neuron"
    description = "One linear neuron fits a noisy line y = 4x - 2."
    # 400 steps (the original video's 400 frames) rather than 250: with batches of 26 noisy
    # points Adam needs them to settle within 0.25 of the true intercept on every seed
    steps = 400
    every = 1
    lr = 2e-2
    panels = ("fit", "loss")

    def dataset(self, rng):
        return data.noisy_linear(rng)

    def model(self, rng, n_in, n_out):
        model = nn.Sequential([nn.Dense(n_in, n_out)], rng)
        # On standardised data a random weight is often nearly right already; start from a
        # clearly wrong, falling line (as the original video did) so the fit is seen to happen.
        model.params["0.W"][...] = -0.5
        model.params["0.b"][...] = 0.5
        return model
