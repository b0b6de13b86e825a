"""M1 variant: branch-wise stable sigmoid, log-sigmoid via log1p, in-place updates."""

import numpy as np


def sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _log_sigmoid(z):
    # log s(z) = -log(1 + e^-z) = min(z, 0) - log1p(e^-|z|)
    return np.minimum(z, 0.0) - np.log1p(np.exp(-np.abs(z)))


def loss_and_grad(w, b, X, y):
    y = np.asarray(y, dtype=np.float64)
    z = X @ w + b
    losses = -(y * _log_sigmoid(z) + (1.0 - y) * _log_sigmoid(-z))
    loss = losses.mean()
    err = sigmoid(z) - y
    dw = (err[:, None] * X).mean(axis=0)
    db = err.mean()
    return float(loss), dw, float(db)


def train(X, y, lr=0.1, epochs=1000):
    w = np.zeros(X.shape[1], dtype=np.float64)
    b = np.float64(0.0)
    for epoch in range(epochs):
        loss, dw, db = loss_and_grad(w, b, X, y)
        w -= lr * dw
        b -= lr * db
    return w, float(b)


def predict_proba(w, b, X):
    return sigmoid(np.asarray(X) @ w + b)
