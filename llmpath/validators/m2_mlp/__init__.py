"""M2 validators: an MLP with manual backpropagation (``milestones/M2/mlp.py``).

Checks and what the probes do (the milestone README can quote this):

* ``m2.gradients`` — for relu and tanh, on sizes [5, 7, 4] (N, D, H, C = 3, 5, 7, 4) and on the
  3-layer sizes [5, 7, 6, 4], builds ``MLP(sizes, activation, seed)``, overwrites every
  ``params`` array in place with judge-chosen float64 values (non-zero biases; relu pre-activations
  kept at least 1e-3 away from the kink), then calls ``forward(X)`` and ``loss_and_grads(X, y)``.
  Logits, loss and every gradient must equal a float64 reference (relative error < 1e-7); a failure
  names the parameter that is wrong and, where the numbers match a known mistake, the mistake.
* ``m2.stability`` — the same on sizes [5, 7, 4] (relu and tanh) with the last layer scaled so that
  the logits reach |z| = 1000: loss and gradients must be finite and still equal the reference.
* ``m2.train`` — ``MLP([2, 64, 3], "relu", seed)`` and ``train(model, X, y, lr=1.0, epochs=2000)``
  on ``spirals(600, classes=3, noise=0.2, seed)`` (full data each epoch is fine), then ``forward``
  on 3000 held-out points of the same spirals: accuracy >= 95%, and the returned per-epoch losses
  (``epochs`` of them) must be finite and fall.
"""

from __future__ import annotations

# Each module below does one job; the names that tests import from this package are re-exported here.
from llmpath.validators.api import Check
from llmpath.validators.m2_mlp.diagnose import compare_grads, diagnose_grads, shape_diagnosis
from llmpath.validators.m2_mlp.inputs import (
    TEST_SEED_OFFSET,
    case,
    grad_cases,
    stability_cases,
    train_data,
)
from llmpath.validators.m2_mlp.params import GradParams, StabilityParams, TrainParams
from llmpath.validators.m2_mlp.probes import FILE, _probe_gradients, _probe_stability, _probe_train
from llmpath.validators.m2_mlp.reference import (
    BACKPROP_BUGS,
    FORWARD_BUGS,
    mlp_forward,
    mlp_loss_and_grads,
)
from llmpath.validators.m2_mlp.verdicts import _verdict_stability, verdict_gradients, verdict_train
from llmpath.validators.numeric import rel_error

# the checks, and the names that tests and pictures import from the package
__all__ = [
    "BACKPROP_BUGS",
    "FILE",
    "FORWARD_BUGS",
    "TEST_SEED_OFFSET",
    "case",
    "compare_grads",
    "diagnose_grads",
    "grad_cases",
    "mlp_forward",
    "mlp_loss_and_grads",
    "rel_error",
    "shape_diagnosis",
    "stability_cases",
    "train_data",
]

CHECKS: tuple[Check, ...] = (
    Check(
        name="m2.gradients",
        description="forward, loss and the gradient of every parameter equal a float64 reference (relu and tanh)",
        probe=_probe_gradients,
        verdict=verdict_gradients,
        params=GradParams,
        timeout_s=30,
        memory_mb=1024,
    ),
    Check(
        name="m2.stability",
        description="loss and gradients stay finite and exact for logits of magnitude 1e3",
        probe=_probe_stability,
        verdict=_verdict_stability,
        params=StabilityParams,
        timeout_s=30,
        memory_mb=1024,
    ),
    Check(
        name="m2.train",
        description="train fits the spirals to >= 95% held-out accuracy with a falling loss",
        probe=_probe_train,
        verdict=verdict_train,
        params=TrainParams,
        timeout_s=120,
        memory_mb=1024,
    ),
)
