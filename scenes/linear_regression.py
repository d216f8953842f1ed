from nnviz import Scene, data, nn


class LinearRegression(Scene):
    """One linear neuron fits y = 4x - 2 through noisy points.

    Learned when the final line, in the data's units, has a slope within 0.2 of 4 and an
    intercept within 0.3 of -2 (the least-squares line of the 700 training points alone is
    within these on all but about 1 seed in 200).
    """

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

    def learning_problems(self, log):
        at0, at1 = log.predict(-1, [[0.0], [1.0]])[:, 0]
        slope, intercept = at1 - at0, at0
        problems = []
        if abs(slope - 4.0) > 0.2:
            problems.append(f"slope {slope:.3f} not within 0.2 of 4")
        if abs(intercept + 2.0) > 0.3:
            problems.append(f"intercept {intercept:.3f} not within 0.3 of -2")
        return problems
