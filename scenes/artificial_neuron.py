"""The artificial neuron: y = σ(w₁x₁ + w₂x₂ + b) separating two classes of points."""
from nnviz import Scene, data, nn


class ArtificialNeuron(Scene):
    """One sigmoid neuron with two inputs learns to separate two clouds of points: its output
    is P(class 1), its decision boundary the straight line where w₁x₁ + w₂x₂ + b = 0
    (the output crosses 0.5), trained with binary cross-entropy on one 0/1 column.

    Learned (`learning_problems`): validation accuracy at least 0.97 and final training loss
    at most 0.15 (the two clouds overlap only slightly: about 0.6 % of points lie on the wrong
    side of the best line).
    """
    name = "artificial_neuron"
    title = "The artificial neuron: y = σ(w·x + b) separates two classes"
    description = "One sigmoid neuron with two inputs separates two clouds of points."
    optimizer = "sgd"   # plain gradient descent, as the series introduces the neuron learning
    lr = 0.1
    steps = 200
    every = 1
    panels = ("boundary", "neuron", "loss")

    def dataset(self, rng):
        return data.two_blobs(rng)

    def model(self, rng, n_in, n_out):
        model = nn.Sequential([nn.Dense(n_in, n_out), nn.Sigmoid()], rng)
        # start from a wrong line (across both clouds, class 1 on the wrong side of it), so the
        # boundary is seen to turn and move into place
        model.params["0.W"][...] = [[0.8], [-0.6]]
        model.params["0.b"][...] = 0.4
        return model

    def learning_problems(self, log) -> list[str]:
        """Why this run did not learn (empty: it did), from its snapshot log alone."""
        problems = []
        if log["accuracy/val"][-1] < 0.97:
            problems.append(f"val accuracy {log['accuracy/val'][-1]:.3f} < 0.97")
        if log["loss/train"][-1] > 0.15:
            problems.append(f"train loss {log['loss/train'][-1]:.3f} > 0.15")
        return problems
