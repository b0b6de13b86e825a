"""M2: a multi-layer perceptron with manual backpropagation (numpy only, no autograd).

`llmpath check M2` builds an MLP, may overwrite the values of the arrays in `params` (same
shapes), and compares `loss_and_grads` with gradients it computes itself. N rows, D inputs,
C classes; arrays are numpy float64.
"""

from __future__ import annotations

import numpy as np


class MLP:
    """Fully connected layers sizes[0] -> sizes[1] -> ... -> sizes[-1].

    Hidden layers apply `activation` ("relu" or "tanh"); the last layer outputs logits (no
    activation). Parameters live in `self.params`: W1 (sizes[0], sizes[1]), b1 (sizes[1],),
    W2 (sizes[1], sizes[2]), b2 (sizes[2],), ... Initialize them from np.random.default_rng(seed).
    """

    def __init__(self, sizes: list[int], activation: str = "relu", seed: int = 0) -> None:
        raise NotImplementedError(
            "MLP.__init__: store the activation and fill self.params with W1, b1, W2, b2, ... (small random W, zero b)"
        )

    def forward(self, X: np.ndarray) -> np.ndarray:
        """X: (N, sizes[0]) -> logits (N, sizes[-1])."""
        raise NotImplementedError("MLP.forward: apply each layer (X @ W + b, then the activation on hidden layers)")

    def loss_and_grads(self, X: np.ndarray, y: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
        """Mean softmax cross-entropy over the N rows and its gradient for every parameter.

        X: (N, sizes[0]); y: (N,) integer class labels in [0, sizes[-1]).
        Returns (loss, grads) where grads has the same keys and shapes as self.params,
        computed by backpropagation written by hand.
        """
        raise NotImplementedError(
            "MLP.loss_and_grads: forward pass, stable softmax cross-entropy, then backprop every layer"
        )


def train(model: MLP, X: np.ndarray, y: np.ndarray, lr: float, epochs: int) -> list[float]:
    """Full-batch gradient descent on `model`, updating model.params in place.

    Returns the loss of every epoch (a list of `epochs` floats).
    """
    raise NotImplementedError("train: for each epoch, call loss_and_grads and step every parameter; return the losses")


if __name__ == "__main__":
    # Three spiral arms no straight line separates (what `llmpath check M2` trains on):
    #   from llmpath.datasets import spirals
    #   X, y = spirals(600, classes=3, noise=0.2, seed=0)
    #   model = MLP([2, 64, 3], activation="relu")
    #   losses = train(model, X, y, lr=1.0, epochs=2000)
    #   print(losses[0], losses[-1], np.mean(model.forward(X).argmax(axis=1) == y))
    pass
