"""M1 variant: math-module sigmoid per element, feature-wise loops, small random init."""

import math

import numpy as np


def _sig(t):
    if t >= 0:
        return 1.0 / (1.0 + math.exp(-t))
    e = math.exp(t)
    return e / (1.0 + e)


def sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    flat = [_sig(float(t)) for t in z.ravel()]
    return np.array(flat, dtype=np.float64).reshape(z.shape)


def loss_and_grad(w, b, X, y):
    n, d = X.shape
    z = X.dot(w) + b
    # softplus(z) = max(z, 0) + log1p(exp(-|z|))
    softplus = np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))
    loss = np.sum(softplus - y * z) / n
    p = sigmoid(z)
    dw = np.zeros(d)
    for j in range(d):
        dw[j] = np.sum((p - y) * X[:, j]) / n
    db = np.sum(p - y) / n
    return float(loss), dw, float(db)


def train(X, y, lr=0.1, epochs=1000):
    rng = np.random.default_rng(0)
    w = 0.01 * rng.standard_normal(X.shape[1])
    b = 0.0
    history = []
    for _ in range(epochs):
        loss, dw, db = loss_and_grad(w, b, X, y)
        history.append(loss)
        w = w - lr * dw
        b -= lr * db
    return w, b


def predict_proba(w, b, X):
    return sigmoid(X @ w + b)
