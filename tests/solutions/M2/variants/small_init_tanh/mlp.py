"""M2 variant: CS231n-style 0.01 init, explicit softmax probabilities, dict rebinding in train."""

import numpy as np


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


class MLP:
    def __init__(self, sizes, activation="relu", seed=0):
        self.sizes = sizes
        self.activation = activation
        rng = np.random.default_rng(seed)
        self.params = {}
        for i in range(1, len(sizes)):
            self.params["W%d" % i] = 0.01 * rng.standard_normal((sizes[i - 1], sizes[i]))
            self.params["b%d" % i] = np.zeros((sizes[i],))

    def forward(self, X):
        L = len(self.sizes) - 1
        a = X
        for i in range(1, L + 1):
            z = a.dot(self.params["W%d" % i]) + self.params["b%d" % i]
            if i == L:
                return z
            a = np.tanh(z) if self.activation == "tanh" else np.maximum(0, z)

    def loss_and_grads(self, X, y):
        L = len(self.sizes) - 1
        pre, post = [], [X]
        a = X
        for i in range(1, L + 1):
            z = a.dot(self.params["W%d" % i]) + self.params["b%d" % i]
            pre.append(z)
            a = z if i == L else (np.tanh(z) if self.activation == "tanh" else np.maximum(0, z))
            post.append(a)
        logits = pre[-1]
        N = X.shape[0]
        z = logits - logits.max(axis=1, keepdims=True)
        log_probs = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        loss = -np.sum(log_probs[np.arange(N), y]) / N
        delta = _softmax(logits)
        delta[np.arange(N), y] -= 1
        delta = delta / N
        grads = {}
        for i in range(L, 0, -1):
            grads["W%d" % i] = post[i - 1].T.dot(delta)
            grads["b%d" % i] = np.sum(delta, axis=0)
            if i > 1:
                back = delta.dot(self.params["W%d" % i].T)
                if self.activation == "tanh":
                    delta = back * (1 - np.tanh(pre[i - 2]) ** 2)
                else:
                    delta = np.where(pre[i - 2] > 0, back, 0.0)
        return loss, grads


def train(model, X, y, lr, epochs):
    losses = []
    for _ in range(epochs):
        loss, grads = model.loss_and_grads(X, y)
        model.params = {k: v - lr * grads[k] for k, v in model.params.items()}
        losses.append(loss)
    return losses
