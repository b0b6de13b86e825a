"""M2 reference: a multi-layer perceptron with manual backpropagation (numpy, float64)."""

import numpy as np


class MLP:
    def __init__(self, sizes, activation="relu", seed=0):
        if activation not in ("relu", "tanh"):
            raise ValueError(f"unknown activation {activation!r}")
        self.sizes = list(sizes)
        self.activation = activation
        rng = np.random.default_rng(seed)
        self.params = {}
        for i, (fan_in, fan_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:]), start=1):
            gain = 2.0 if activation == "relu" else 1.0  # He / Xavier-style scale
            self.params[f"W{i}"] = rng.standard_normal((fan_in, fan_out)) * np.sqrt(gain / fan_in)
            self.params[f"b{i}"] = np.zeros(fan_out)

    @property
    def n_layers(self):
        return len(self.sizes) - 1

    def _act(self, h):
        if self.activation == "relu":
            return np.maximum(h, 0.0)
        return np.tanh(h)

    def _act_backward(self, dact, h):
        if self.activation == "relu":
            return dact * (h > 0)
        t = np.tanh(h)
        return dact * (1.0 - t**2)

    def _forward(self, X):
        cache = []  # (input of the layer, its pre-activation)
        a = X
        for i in range(1, self.n_layers + 1):
            h = a @ self.params[f"W{i}"] + self.params[f"b{i}"]
            cache.append((a, h))
            a = self._act(h) if i < self.n_layers else h  # the last layer gives the logits
        return a, cache

    def forward(self, X):
        return self._forward(X)[0]

    def loss_and_grads(self, X, y):
        logits, cache = self._forward(X)
        n = X.shape[0]
        rows = np.arange(n)
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = -log_probs[rows, y].mean()
        dh = np.exp(log_probs)
        dh[rows, y] -= 1.0
        dh /= n
        grads = {}
        for i in range(self.n_layers, 0, -1):
            a, _ = cache[i - 1]
            grads[f"W{i}"] = a.T @ dh
            grads[f"b{i}"] = dh.sum(axis=0)
            if i > 1:
                da = dh @ self.params[f"W{i}"].T
                dh = self._act_backward(da, cache[i - 2][1])
        return float(loss), grads


def train(model, X, y, lr, epochs):
    losses = []
    for _ in range(epochs):
        loss, grads = model.loss_and_grads(X, y)
        for name, grad in grads.items():
            model.params[name] -= lr * grad
        losses.append(loss)
    return losses
