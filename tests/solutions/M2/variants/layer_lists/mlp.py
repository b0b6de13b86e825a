"""M2 variant: a list of Linear layer objects sharing their arrays with `params`; in-place updates."""

import numpy as np


class Linear:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return dout @ self.W.T


class MLP:
    def __init__(self, sizes, activation="relu", seed=0):
        assert activation in ("relu", "tanh")
        self.activation = activation
        rng = np.random.default_rng(seed)
        self.layers = []
        self.params = {}
        for i in range(len(sizes) - 1):
            W = rng.normal(0.0, 1.0 / np.sqrt(sizes[i]), size=(sizes[i], sizes[i + 1]))
            b = np.zeros(sizes[i + 1])
            self.layers.append(Linear(W, b))
            self.params[f"W{i + 1}"] = W  # the same array objects the layers use
            self.params[f"b{i + 1}"] = b

    def _nonlin(self, h):
        return np.tanh(h) if self.activation == "tanh" else h * (h > 0)

    def forward(self, X):
        self._outs = []
        out = X
        for k, layer in enumerate(self.layers):
            out = layer.forward(out)
            if k < len(self.layers) - 1:
                out = self._nonlin(out)
                self._outs.append(out)
        return out

    def loss_and_grads(self, X, y):
        logits = self.forward(X)
        n = len(y)
        m = np.max(logits, axis=1, keepdims=True)
        lse = m[:, 0] + np.log(np.sum(np.exp(logits - m), axis=1))
        loss = np.mean(lse - logits[np.arange(n), y])
        onehot = np.zeros_like(logits)
        onehot[np.arange(n), y] = 1.0
        dout = (np.exp(logits - lse[:, None]) - onehot) / n
        for k in range(len(self.layers) - 1, -1, -1):
            dout = self.layers[k].backward(dout)
            if k > 0:
                a = self._outs[k - 1]  # derivative from the activation's output
                dout = dout * (1.0 - a * a) if self.activation == "tanh" else dout * (a > 0)
        grads = {}
        for i, layer in enumerate(self.layers, start=1):
            grads[f"W{i}"] = layer.dW
            grads[f"b{i}"] = layer.db
        return float(loss), grads


def train(model, X, y, lr, epochs):
    history = []
    for epoch in range(epochs):
        loss, grads = model.loss_and_grads(X, y)
        for layer_index, layer in enumerate(model.layers, start=1):
            layer.W -= lr * grads[f"W{layer_index}"]
            layer.b -= lr * grads[f"b{layer_index}"]
        history.append(loss)
    return history
