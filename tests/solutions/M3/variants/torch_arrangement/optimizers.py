"""A correct variant arranged as torch.optim's code is: Adam's step size lr / (1 - beta1**t) and
denominator sqrt(v) / sqrt(1 - beta2**t) + eps, RMSProp, one state dict per parameter."""

import math

import numpy as np

VARIANT = "rmsprop"


class _Optimizer:
    def __init__(self, params, **defaults):
        self.params = params
        self.defaults = defaults
        self.state = [dict() for _ in params]

    def step(self, grads):
        for p, g, st in zip(self.params, grads, self.state):
            self.update(p, g, st)


class SGD(_Optimizer):
    def __init__(self, params, lr):
        super().__init__(params, lr=lr)

    def update(self, p, g, st):
        np.subtract(p, self.defaults["lr"] * g, out=p)


class Momentum(_Optimizer):
    def __init__(self, params, lr, beta=0.9):
        super().__init__(params, lr=lr, beta=beta)

    def update(self, p, g, st):
        if "buf" not in st:
            st["buf"] = g.copy()
        else:
            st["buf"] = self.defaults["beta"] * st["buf"] + g
        p -= self.defaults["lr"] * st["buf"]


class Adam(_Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params, lr=lr, betas=betas, eps=eps)

    def update(self, p, g, st):
        b1, b2 = self.defaults["betas"]
        if not st:
            st.update(step=0, exp_avg=np.zeros_like(p), exp_avg_sq=np.zeros_like(p))
        st["step"] += 1
        st["exp_avg"] += (1 - b1) * (g - st["exp_avg"])
        st["exp_avg_sq"] = b2 * st["exp_avg_sq"] + (1 - b2) * g * g
        bias_correction1 = 1 - b1 ** st["step"]
        bias_correction2 = 1 - b2 ** st["step"]
        step_size = self.defaults["lr"] / bias_correction1
        denom = np.sqrt(st["exp_avg_sq"]) / math.sqrt(bias_correction2) + self.defaults["eps"]
        p -= step_size * st["exp_avg"] / denom


class RMSProp(_Optimizer):
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8):
        super().__init__(params, lr=lr, alpha=alpha, eps=eps)

    def update(self, p, g, st):
        alpha = self.defaults["alpha"]
        sq = st.setdefault("square_avg", np.zeros_like(p))
        sq *= alpha
        sq += (1 - alpha) * g**2
        p -= self.defaults["lr"] * g / (np.sqrt(sq) + self.defaults["eps"])
