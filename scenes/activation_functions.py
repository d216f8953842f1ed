"""The same small network with four hidden activations, trained side by side (several runs)."""
from nnviz import Scene, data, nn


class ActivationFunctions(Scene):
    """A 1-16-1 network fits a noisy sine with sigmoid, tanh, ReLU and LeakyReLU hidden units.

    Why this data: with one input the network's answer is a curve a viewer reads at a glance in
    a small tile, and a curve shows what the activation is made of. The output is a sum of 16
    shifted and scaled copies of the activation, so ReLU and LeakyReLU draw the sine from
    straight pieces (the kinks are visible), tanh and sigmoid from smooth S-curves; sigmoid,
    whose outputs are all positive and whose slope is at most 1/4, is visibly the slowest to
    bend the line. A 2-D boundary shows the same difference less plainly at tile size.

    Every run starts from the same weights (one initialisation, Glorot, for all: nn.mlp would
    give ReLU He's wider start, and then the comparison would not be of the activation alone),
    sees the same data and the same batches: only the activation differs.

    Learned (`learning_problems`, for each run): final validation loss at most 0.06 in
    standardised units (the noise alone gives about 0.02).
    """
    name = "activation_functions"
    title = "Four activation functions, one network: 1-16-1 fitting a sine"
    description = "A 1-16-1 network fits a noisy sine with sigmoid, tanh, ReLU and LeakyReLU units."
    steps = 1000
    every = 4
    lr = 2e-2
    panels = ("fit", "loss")
    activation = "tanh"
    runs = {"sigmoid": {"activation": "sigmoid"}, "tanh": {"activation": "tanh"},
            "ReLU": {"activation": "relu"}, "LeakyReLU": {"activation": "leaky_relu"}}
    # learned: the validation loss (standardised units; the noise alone is about 0.02)
    LEARNED = 0.06

    def dataset(self, rng):
        return data.noisy_sine(rng)

    def model(self, rng, n_in, n_out):
        return nn.Sequential([nn.Dense(n_in, 16), nn.activation(self.activation, 0.1),
                              nn.Dense(16, n_out)], rng)

    def learning_problems(self, log) -> list[str]:
        """Why this run did not learn (empty: it did): its final validation loss."""
        final = float(log["loss/val"][-1])
        if final > self.LEARNED:
            return [f"final validation loss {final:.3g} is above {self.LEARNED:g}"]
        return []
