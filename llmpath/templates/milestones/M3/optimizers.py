"""M3: optimizers that match torch.optim exactly (numpy float64).

Every optimizer keeps a reference to the list of parameter arrays it is given and updates those
arrays IN PLACE in `step(grads)`, where grads[i] has the shape of params[i]. `llmpath check M3`
compares every parameter after every step with torch.optim on the same gradients.
"""

from __future__ import annotations

import numpy as np

# Your own variant: "adamw", "rmsprop" or "nesterov". Implement the class it names below (you may
# delete the other two).
VARIANT: str = "adamw"


class SGD:
    """Plain gradient descent: p -= lr * g."""

    def __init__(self, params: list[np.ndarray], lr: float) -> None:
        raise NotImplementedError("SGD.__init__: keep the parameter list and the learning rate")

    def step(self, grads: list[np.ndarray]) -> None:
        raise NotImplementedError("SGD.step: update every parameter in place, p -= lr * g")


class Momentum:
    """Heavy-ball momentum in torch's form: v = beta * v + g; p -= lr * v (v starts at 0)."""

    def __init__(self, params: list[np.ndarray], lr: float, beta: float = 0.9) -> None:
        raise NotImplementedError("Momentum.__init__: keep params, lr, beta and one velocity per parameter")

    def step(self, grads: list[np.ndarray]) -> None:
        raise NotImplementedError("Momentum.step: v = beta * v + g; p -= lr * v, in place")


class Adam:
    """Adam with bias correction, as torch.optim.Adam (no weight decay)."""

    def __init__(
        self,
        params: list[np.ndarray],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        raise NotImplementedError("Adam.__init__: keep hyper-parameters, first and second moments, and a step count")

    def step(self, grads: list[np.ndarray]) -> None:
        raise NotImplementedError("Adam.step: update the moments, correct their bias, then update p in place")


class AdamW:
    """Adam with decoupled weight decay, as torch.optim.AdamW."""

    def __init__(
        self,
        params: list[np.ndarray],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ) -> None:
        raise NotImplementedError("AdamW.__init__: Adam's state plus weight_decay")

    def step(self, grads: list[np.ndarray]) -> None:
        raise NotImplementedError("AdamW.step: p -= lr * weight_decay * p, then the Adam update")


class RMSProp:
    """RMSProp, as torch.optim.RMSprop (not centered, no momentum)."""

    def __init__(self, params: list[np.ndarray], lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8) -> None:
        raise NotImplementedError("RMSProp.__init__: keep hyper-parameters and a running average of g^2 per parameter")

    def step(self, grads: list[np.ndarray]) -> None:
        raise NotImplementedError("RMSProp.step: s = alpha * s + (1 - alpha) * g^2; p -= lr * g / (sqrt(s) + eps)")


class Nesterov:
    """Nesterov momentum, as torch.optim.SGD(momentum=beta, nesterov=True)."""

    def __init__(self, params: list[np.ndarray], lr: float, beta: float = 0.9) -> None:
        raise NotImplementedError("Nesterov.__init__: keep params, lr, beta and one velocity per parameter")

    def step(self, grads: list[np.ndarray]) -> None:
        raise NotImplementedError("Nesterov.step: v = beta * v + g; p -= lr * (g + beta * v), in place")
