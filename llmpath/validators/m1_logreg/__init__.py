"""M1 validators: logistic regression with a hand-derived gradient (``milestones/M1/logistic_regression.py``).

Checks and what the probes feed the learner's code (the milestone README can quote this):

* ``m1.sigmoid`` — ``sigmoid(z)`` on float64 inputs with |z| <= ``z_max`` (default 1000), including
  0, +-36, +-710 and +-1000, as a flat array and as a (4, 8) array; values must be finite, in [0, 1]
  and within 1e-12 of 1 / (1 + e^-z).
* ``m1.loss_and_grad`` — on a seeded (N, D) = (13, 5) problem: random w, b (logits of order 1),
  w = 0, b = 0 (loss must be ln 2), and logits of magnitude up to 1000. Loss, dw, db must equal a
  float64 reference (relative error < 1e-7) and dw, db must agree with centered finite differences
  of the learner's own loss. At |z| ~ 1000 the loss and the gradient must be finite and still exact
  (a loss computed from clipped probabilities fails there).
* ``m1.train`` — ``train(X, y)`` with its default lr = 0.1, epochs = 1000 on
  ``gaussian_binary(500, d=2, seed, separation=2.5)`` (raw features, not standardized) turned by a
  seeded rotation (so that the data set's own Bayes rule is not the answer: training is), then
  ``predict_proba`` on 20000 held-out points of the same distribution; the accuracy must be within
  2 points of the exact Bayes accuracy Phi(2.5 / 2) = 0.894.
* ``m1.derivation`` — ``milestones/M1/derivation.md`` has at least ``min_words`` words of prose
  (headings and HTML comments do not count) and states the gradient through sigmoid(z) - y.
"""

from __future__ import annotations

# Each module below does one job; the names that tests import from this package are re-exported here.
from llmpath.validators.api import Check
from llmpath.validators.m1_logreg.derivation import mentions_gradient_form, prose_words, verdict_derivation
from llmpath.validators.m1_logreg.inputs import TEST_SEED_OFFSET, lg_cases, sigmoid_inputs, train_data
from llmpath.validators.m1_logreg.params import DerivationParams, LossGradParams, SigmoidParams, TrainParams
from llmpath.validators.m1_logreg.probes import FILE, _probe_loss_and_grad, _probe_sigmoid, _probe_train
from llmpath.validators.m1_logreg.reference import lg_reference, stable_sigmoid
from llmpath.validators.m1_logreg.verdicts import (
    verdict_loss_and_grad,
    verdict_sigmoid,
    verdict_train,
)
from llmpath.validators.numeric import (
    REL_TOL,
    as_array,
    as_scalar,
    first_match,
    max_abs_error,
    name_scale,
    rel_error,
    scale_factor,
)

# the checks, and the names that tests and pictures import from the package
__all__ = [
    "FILE",
    "REL_TOL",
    "TEST_SEED_OFFSET",
    "as_array",
    "as_scalar",
    "first_match",
    "lg_cases",
    "lg_reference",
    "max_abs_error",
    "mentions_gradient_form",
    "name_scale",
    "prose_words",
    "rel_error",
    "scale_factor",
    "sigmoid_inputs",
    "stable_sigmoid",
    "train_data",
]

CHECKS: tuple[Check, ...] = (
    Check(
        name="m1.sigmoid",
        description="sigmoid is accurate and finite for |z| up to 1e3",
        probe=_probe_sigmoid,
        verdict=verdict_sigmoid,
        params=SigmoidParams,
        timeout_s=30,
        memory_mb=1024,
    ),
    Check(
        name="m1.loss_and_grad",
        description="loss_and_grad equals a float64 reference and finite differences, stable at |z| ~ 1e3",
        probe=_probe_loss_and_grad,
        verdict=verdict_loss_and_grad,
        params=LossGradParams,
        timeout_s=30,
        memory_mb=1024,
    ),
    Check(
        name="m1.train",
        description="train reaches the Bayes accuracy (within 2 points) on seeded Gaussian classes",
        probe=_probe_train,
        verdict=verdict_train,
        params=TrainParams,
        timeout_s=60,
        memory_mb=1024,
    ),
    Check(
        name="m1.derivation",
        description="derivation.md derives the gradient (sigmoid(z) - y) in enough words",
        verdict=verdict_derivation,
        params=DerivationParams,
    ),
)
