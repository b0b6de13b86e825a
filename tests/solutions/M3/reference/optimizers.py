"""M3 reference solution: optimizers that update numpy parameters in place, as torch.optim does."""

import numpy as np

VARIANT = "adamw"


class SGD:
    def __init__(self, params, lr):
        self.params = params
        self.lr = lr

    def step(self, grads):
        for p, g in zip(self.params, grads):
            p -= self.lr * g


class Momentum:
    """torch's form: v = beta*v + g; p -= lr*v."""

    def __init__(self, params, lr, beta=0.9):
        self.params = params
        self.lr = lr
        self.beta = beta
        self.velocity = [np.zeros_like(p) for p in params]

    def step(self, grads):
        for p, g, v in zip(self.params, grads, self.velocity):
            v *= self.beta
            v += g
            p -= self.lr * v


class Adam:
    """Bias-corrected moments, written as m_hat / (sqrt(v_hat) + eps)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params = params
        self.lr = lr
        self.beta1, self.beta2 = betas
        self.eps = eps
        self.t = 0
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]

    def step(self, grads):
        self.t += 1
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m[...] = self.beta1 * m + (1 - self.beta1) * g
            v[...] = self.beta2 * v + (1 - self.beta2) * g * g
            m_hat = m / (1 - self.beta1 ** self.t)
            v_hat = v / (1 - self.beta2 ** self.t)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


class AdamW(Adam):
    """Adam with decoupled weight decay: the weights shrink before the adaptive step."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr, betas, eps)
        self.weight_decay = weight_decay

    def step(self, grads):
        for p in self.params:
            p *= 1 - self.lr * self.weight_decay
        super().step(grads)


class RMSProp:
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8):
        self.params = params
        self.lr = lr
        self.alpha = alpha
        self.eps = eps
        self.square_avg = [np.zeros_like(p) for p in params]

    def step(self, grads):
        for p, g, s in zip(self.params, grads, self.square_avg):
            s[...] = self.alpha * s + (1 - self.alpha) * g * g
            p -= self.lr * g / (np.sqrt(s) + self.eps)


class Nesterov:
    """torch.optim.SGD(momentum=beta, nesterov=True)."""

    def __init__(self, params, lr, beta=0.9):
        self.params = params
        self.lr = lr
        self.beta = beta
        self.velocity = [np.zeros_like(p) for p in params]

    def step(self, grads):
        for p, g, v in zip(self.params, grads, self.velocity):
            v[...] = self.beta * v + g
            p -= self.lr * (g + self.beta * v)
