"""M3 validators: the learner's optimizers against torch.optim, the convergence run, the experiment log.

Checks:

* ``m3.optimizers`` — ``SGD``, ``Momentum`` and ``Adam`` (Adam twice: defaults, and explicit non-default
  hyper-parameters) on fixed, seeded gradient sequences for three parameter tensors of different
  shapes, ``steps`` steps long; every parameter after every step must equal ``torch.optim`` in float64.
  Then two fresh instances are stepped in turn for a few steps: state kept on the class (or in a
  mutable default argument) shows up there. ``optimizers`` narrows it to some classes: the roadmap
  judges each class in a check of its own, so that a hang in one cannot hide the others' results.
* ``m3.variant`` — the class that ``VARIANT`` names (``AdamW``, ``RMSProp`` or ``Nesterov``), the same way.
* ``m3.convergence`` — runs the learner's optimizers on a fixed, ill-conditioned least-squares problem
  and returns the loss curves (``llmpath plot M3`` draws them); passes when every curve is finite and
  ends below where it started.
* ``m3.experiments`` (no probe) — the experiment log documents the comparison and an ablation:

  - at least 3 optimizers with a final loss, in entries tagged M3: either metrics named
    ``final_loss_<optimizer>`` (``final_loss_sgd``, ``final_loss_adam``, ...; ``<optimizer>_final_loss``
    is accepted too), or an entry per optimizer with a metric ``final_loss`` whose objective or setup
    names exactly one known optimizer (sgd, momentum, nesterov, adam, adamw, rmsprop);
  - an ablation: an M3 entry whose objective, setup or notes say "ablation", with at least 2 metrics
    (one hyper-parameter varied, e.g. ``final_loss_lr_0.1=...`` and ``final_loss_lr_0.01=...``).
    In an ablation entry only known optimizer names count toward the comparison (its
    ``final_loss_with`` / ``final_loss_lr_0.1`` name settings, not optimizers).

Tolerance. Parameters are compared with the error ``|got - torch| / max(|torch|, 1)`` (relative for
large entries, absolute near zero, where relative error is meaningless) and must stay below 1e-10.
Two algebraically equal arrangements of an update (torch's ``lr / (1 - beta1**t)`` step size with
``sqrt(v) / sqrt(1 - beta2**t) + eps`` against the textbook ``m_hat / (sqrt(v_hat) + eps)``) differ by a
few ulps (~1e-16) per step; over 50 steps of parameters of size <= ~10 that adds up to ~1e-13 at
most, 1000x under the tolerance. Any real difference in the formula is far above it: the gradient
tensor scaled by 1e-4 makes ``sqrt(v)`` ~1e-4, so even eps's placement changes the update by > 1e-3
relative. Every diagnosis is found by simulating the classic bug in numpy and matching it (1e-8).
"""

from __future__ import annotations

# Each module below does one job; the names that tests and llmpath.plotting.m3 use are re-exported here.
from llmpath.validators.api import Check
from llmpath.validators.m3_optim.convergence import (
    CONVERGENCE_STEPS,
    _probe_convergence,
    read_curves,
    verdict_convergence,
)
from llmpath.validators.m3_optim.diagnose import diagnoses, simulate
from llmpath.validators.m3_optim.experiments import verdict_experiments
from llmpath.validators.m3_optim.probes import _probe_optimizers, _probe_variant
from llmpath.validators.m3_optim.reference import torch_class_run, torch_functional_run, torch_run
from llmpath.validators.m3_optim.runs import (
    CORE_RUNS,
    FILE,
    TOL,
    VARIANT_RUNS,
    CoreParams,
    Params,
    problems,
)
from llmpath.validators.m3_optim.verdicts import judge_run, traj_err, verdict_optimizers, verdict_variant

# the checks, and the names that tests and pictures import from the package
__all__ = [
    "CONVERGENCE_STEPS",
    "CORE_RUNS",
    "FILE",
    "TOL",
    "VARIANT_RUNS",
    "diagnoses",
    "judge_run",
    "problems",
    "read_curves",
    "simulate",
    "torch_class_run",
    "torch_functional_run",
    "torch_run",
    "traj_err",
]

CHECKS: tuple[Check, ...] = (
    Check(
        name="m3.optimizers",
        description="SGD, Momentum and Adam follow torch.optim step for step",
        probe=_probe_optimizers,
        verdict=verdict_optimizers,
        params=CoreParams,
        timeout_s=30,
        memory_mb=1024,
    ),
    Check(
        name="m3.variant",
        description="the optimizer named by VARIANT follows torch.optim step for step",
        probe=_probe_variant,
        verdict=verdict_variant,
        params=Params,
        timeout_s=30,
        memory_mb=1024,
    ),
    Check(
        name="m3.convergence",
        description="the optimizers reduce the loss of a least-squares problem",
        probe=_probe_convergence,
        verdict=verdict_convergence,
        timeout_s=30,
        memory_mb=1024,
    ),
    Check(
        name="m3.experiments",
        description="experiment entries compare >= 3 optimizers and log an ablation",
        verdict=verdict_experiments,
    ),
)
