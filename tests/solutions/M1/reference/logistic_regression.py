"""M1 reference: logistic regression with a hand-derived gradient (numpy, float64)."""

import numpy as np


def sigmoid(z):
    # exp(-logaddexp(0, -z)) = 1 / (1 + exp(-z)), never overflowing: logaddexp is computed stably.
    z = np.asarray(z, dtype=np.float64)
    return np.exp(-np.logaddexp(0.0, -z))


def loss_and_grad(w, b, X, y):
    z = X @ w + b
    n = X.shape[0]
    # -[y log s(z) + (1 - y) log(1 - s(z))] = log(1 + e^z) - y z, stable through logaddexp
    loss = float(np.mean(np.logaddexp(0.0, z) - y * z))
    err = sigmoid(z) - y
    dw = X.T @ err / n
    db = float(np.sum(err) / n)
    return loss, dw, db


def train(X, y, lr=0.1, epochs=1000):
    w = np.zeros(X.shape[1])
    b = 0.0
    for _ in range(epochs):
        _, dw, db = loss_and_grad(w, b, X, y)
        w = w - lr * dw
        b = b - lr * db
    return w, b


def predict_proba(w, b, X):
    return sigmoid(X @ w + b)
