"""The landscape we descend: one linear neuron y = w·x + b walking down its loss surface."""
import numpy as np

from nnviz import Scene, data, nn


class GradientDescent(Scene):
    """The linear neuron y = w·x + b fits the noisy line y = 4x - 2 by plain gradient descent,
    and the landscape panel shows the walk itself: the training loss over the (w, b) plane,
    the path so far and the least-squares minimum it descends to.

    Learned (`learning_problems`): the final (w, b) lies within 0.05 of the least-squares
    minimum of the standardised training set (both coordinates), and the final training loss
    is within 2 % of that minimum's loss.
    """
    name = "gradient_descent"
    title = "Gradient descent: one linear neuron walks down its loss landscape"
    description = "A linear neuron y = w·x + b descends its (w, b) loss surface to the noisy line."
    # Plain SGD, not Adam (the other scenes'): a step is exactly -lr x the gradient, so the path
    # on the landscape is the textbook "step against the slope", its steps shrinking as the
    # slope flattens near the minimum. Momentum would overshoot and swing back along the same
    # line, Adam's per-coordinate step sizes would bend the path away from steepest descent.
    # On standardised x the bowl is round (the loss's Hessian is 2I), so lr 0.02 shrinks the
    # distance to the minimum by 4 % a step: most of the walk in the first 80 of 150 frames,
    # then the last approach and the small wobble of mini-batch noise around the minimum.
    optimizer = "sgd"
    lr = 0.02
    steps = 150
    every = 1
    panels = ("fit", "landscape", "loss")

    def dataset(self, rng):
        return data.noisy_linear(rng)

    def model(self, rng, n_in, n_out):
        model = nn.Sequential([nn.Dense(n_in, n_out)], rng)
        # a clearly wrong, falling line far up the slope (the minimum is near w = 0.95, b = 0
        # in standardised units), so the walk is long enough to see on the landscape
        model.params["0.W"][...] = -1.2
        model.params["0.b"][...] = 1.5
        return model

    def learning_problems(self, log) -> list[str]:
        """Why this run did not learn (empty: it did), from its snapshot log alone."""
        x = (log["data/x_train"] - log["standardizer/x_mean"]) / log["standardizer/x_std"]
        y = (log["data/y_train"] - log["standardizer/y_mean"]) / log["standardizer/y_std"]
        design = np.column_stack([x[:, 0], np.ones(len(x))])
        best = np.linalg.lstsq(design, y[:, 0], rcond=None)[0]
        best_loss = float(np.mean((design @ best - y[:, 0]) ** 2))
        final = np.array([log["param/0.W"][-1].ravel()[0], log["param/0.b"][-1].ravel()[0]])
        problems = []
        for name, got, want in zip("wb", final, best):
            if abs(got - want) > 0.05:
                problems.append(f"final {name} {got:.3f} is {abs(got - want):.3f} from the "
                                f"least-squares {want:.3f} (> 0.05)")
        if log["loss/train"][-1] > 1.02 * best_loss:
            problems.append(f"train loss {log['loss/train'][-1]:.4f} > 1.02 x the minimum "
                            f"{best_loss:.4f}")
        return problems
