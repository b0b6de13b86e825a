"""Train the same MLP two ways and measure held-out accuracy."""

import numpy as np
from milestones.M2.mlp import MLP
from milestones.M2.mlp import train as gradient_descent

from llmpath.datasets import spirals
from spiral.optim import Adam


def split(seed, n=300, n_train=200):
    X, y = spirals(n, classes=3, noise=0.2, seed=seed)
    order = np.random.default_rng(seed).permutation(n)
    X, y = X[order], y[order]
    return (X[:n_train], y[:n_train]), (X[n_train:], y[n_train:])


def train_adam(model, X, y, lr, steps):
    names = list(model.params)
    optimizer = Adam([model.params[k] for k in names], lr=lr)
    losses = []
    for _ in range(steps):
        loss, grads = model.loss_and_grads(X, y)
        optimizer.step([grads[k] for k in names])
        losses.append(loss)
    return losses


def accuracy(model, X, y):
    return float(np.mean(model.forward(X).argmax(axis=1) == y))


def compare(seed, steps=60, hidden=16):
    (Xtr, ytr), (Xte, yte) = split(seed)
    adam = MLP([2, hidden, hidden, 3], seed=seed)
    plain = MLP([2, hidden, hidden, 3], seed=seed)
    adam_losses = train_adam(adam, Xtr, ytr, lr=0.02, steps=steps)
    plain_losses = gradient_descent(plain, Xtr, ytr, lr=0.5, epochs=steps)
    return {
        "accuracy": accuracy(adam, Xte, yte),
        "baseline_accuracy": accuracy(plain, Xte, yte),
        "final_loss": adam_losses[-1],
        "baseline_final_loss": plain_losses[-1],
    }
