"""The trusted float64 reference of M1 (stable sigmoid, loss and gradient) and simulations of known
wrong formulas, which the verdicts match to name the learner's bug."""

from __future__ import annotations

from typing import Any


def stable_sigmoid(z: Any) -> Any:
    import numpy as np

    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=np.float64)))


def lg_reference(w: Any, b: float, X: Any, y: Any) -> tuple[float, Any, float]:
    import numpy as np

    z = X @ w + b
    loss = float(np.mean(np.logaddexp(0.0, z) - y * z))
    err = stable_sigmoid(z) - y
    return loss, X.T @ err / X.shape[0], float(np.mean(err))


def _loss_candidates(w: Any, b: float, X: Any, y: Any) -> dict[str, Any]:
    import numpy as np

    z = X @ w + b
    p = stable_sigmoid(z)
    with np.errstate(all="ignore"):
        return {
            "the loss is the squared error mean((sigmoid(z) - y)^2), not the binary cross-entropy": np.mean(
                (p - y) ** 2
            ),
            "only the -y log(sigmoid(z)) term: the -(1 - y) log(1 - sigmoid(z)) term is missing": np.mean(
                -y * np.log(p)
            ),
        }


def _dw_candidates(w: Any, b: float, X: Any, y: Any) -> dict[str, Any]:
    z = X @ w + b
    p = stable_sigmoid(z)
    n = X.shape[0]
    return {
        "an extra factor sigmoid'(z) = sigmoid(z)(1 - sigmoid(z)): that is the squared-error gradient; for "
        "cross-entropy the sigmoid's derivative cancels and dL/dz = sigmoid(z) - y": X.T @ ((p - y) * p * (1 - p)) / n,
        "the logit z was used where sigmoid(z) belongs: dL/dz = sigmoid(z) - y": X.T @ (z - y) / n,
    }
