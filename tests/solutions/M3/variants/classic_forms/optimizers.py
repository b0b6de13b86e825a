"""A correct variant in the classic forms: velocity that carries -lr (v = beta*v - lr*g; p += v),
Nesterov in the Bengio form, Adam in Kingma's efficient form with eps scaled to match torch,
state kept in dicts keyed by position."""

import math

import numpy as np

VARIANT = "nesterov"


class SGD:
    def __init__(self, params, lr):
        self.params = list(params)
        self.lr = lr

    def step(self, grads):
        for i, g in enumerate(grads):
            self.params[i][...] = self.params[i] - self.lr * g


class Momentum:
    def __init__(self, params, lr, beta=0.9):
        self.params = list(params)
        self.lr = lr
        self.beta = beta
        self.state = {}

    def step(self, grads):
        for i, (p, g) in enumerate(zip(self.params, grads)):
            v = self.beta * self.state.get(i, 0.0) - self.lr * g
            self.state[i] = v
            p += v


class Adam:
    def __init__(self, params, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
        self.params = list(params)
        self.lr = lr
        self.b1, self.b2 = betas
        self.eps = eps
        self.state = {}
        self.steps = 0

    def step(self, grads):
        self.steps += 1
        t = self.steps
        c2 = math.sqrt(1 - self.b2 ** t)
        alpha = self.lr * c2 / (1 - self.b1 ** t)
        eps_hat = self.eps * c2  # Kingma's eps-hat: the same update as eps added to sqrt(v_hat)
        for i, (p, g) in enumerate(zip(self.params, grads)):
            m, v = self.state.get(i, (np.zeros_like(p), np.zeros_like(p)))
            m = self.b1 * m + (1 - self.b1) * g
            v = self.b2 * v + (1 - self.b2) * np.square(g)
            self.state[i] = (m, v)
            p -= alpha * m / (np.sqrt(v) + eps_hat)


class Nesterov:
    def __init__(self, params, lr, beta=0.9):
        self.params = list(params)
        self.lr = lr
        self.beta = beta
        self.state = {}

    def step(self, grads):
        for i, (p, g) in enumerate(zip(self.params, grads)):
            old = self.state.get(i, 0.0)
            new = self.beta * old - self.lr * g
            self.state[i] = new
            p += -self.beta * old + (1 + self.beta) * new
