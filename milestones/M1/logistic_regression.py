"""M1: logistic regression from scratch, with numpy only.

`llmpath check M1` imports this file and calls the four functions below on inputs it chooses
(see "The contract" in README.md). Arrays are numpy float64; N rows, D features.
"""

from __future__ import annotations

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function 1 / (1 + exp(-z)), elementwise.

    z: an array of any shape. Returns an array of the same shape with values in [0, 1], finite
    and accurate for |z| up to 1000 (no nan; exp overflowing to inf on the way is a numpy warning).
    """
    raise NotImplementedError("sigmoid: compute 1 / (1 + exp(-z)) elementwise, finite and exact for |z| up to 1000")


def loss_and_grad(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray, float]:
    """Mean binary cross-entropy of the model sigmoid(X @ w + b) and its exact gradient.

    w: (D,) weights; b: scalar bias; X: (N, D) inputs; y: (N,) labels, each 0 or 1.
    Returns (loss, dw, db): loss a float (the mean over the N rows, no regularization),
    dw of shape (D,) = dL/dw, db a float = dL/db. Finite even when |X @ w + b| is about 1000.
    """
    raise NotImplementedError("loss_and_grad: return the mean binary cross-entropy and its gradient (dw, db)")


def train(X: np.ndarray, y: np.ndarray, lr: float = 0.1, epochs: int = 1000) -> tuple[np.ndarray, float]:
    """Full-batch gradient descent on the mean binary cross-entropy, using loss_and_grad.

    X: (N, D); y: (N,) of 0/1. Start from w = 0 (shape (D,)) and b = 0, take `epochs` steps of
    size `lr`, and return the final (w, b).
    """
    raise NotImplementedError("train: run `epochs` steps of gradient descent with loss_and_grad; return (w, b)")


def predict_proba(w: np.ndarray, b: float, X: np.ndarray) -> np.ndarray:
    """P(y = 1 | x) for every row of X: sigmoid(X @ w + b), shape (N,)."""
    raise NotImplementedError("predict_proba: return sigmoid(X @ w + b) for the N rows of X")


if __name__ == "__main__":
    # Try it on data whose best possible accuracy is known (about 0.894 here):
    #   from llmpath.datasets import gaussian_binary
    #   X, y, bayes = gaussian_binary(2000, d=2, seed=0)
    #   w, b = train(X[:1000], y[:1000])
    #   print(np.mean((predict_proba(w, b, X[1000:]) > 0.5) == y[1000:]), "vs Bayes", bayes)
    pass
