"""What M3's optimizer checks run: the parameters, the tables of runs and their seeded inputs."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

FILE = "optimizers.py"
SHAPES = ((3, 4), (5,), (2, 3, 2))
# Gradient scale per tensor: 1e-4 makes eps matter (sqrt(v) ~ 1e-4 against eps 1e-8..1e-6), 10 makes
# any lr mistake large. A drift of +0.3 makes successive gradients agree, so momentum builds up.
GRAD_SCALES = (1.0, 1e-4, 10.0)
PAIR_STEPS = 8
TOL = 1e-10
SIM_TOL = 1e-8  # a simulated bug "explains" the learner's trajectory within this
VARIANT_CLASSES = {"adamw": "AdamW", "rmsprop": "RMSProp", "nesterov": "Nesterov"}


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    steps: int = Field(50, ge=2, le=1000, description="steps of every trajectory")


CORE_CLASSES = ("SGD", "Momentum", "Adam")


class CoreParams(Params):
    optimizers: tuple[Literal["SGD", "Momentum", "Adam"], ...] = Field(
        CORE_CLASSES,
        min_length=1,
        description="the classes judged by this check; one check per class keeps a hang in one from hiding "
        "the others' results",
    )


def selected_runs(params: Params) -> list[tuple[int, tuple]]:
    """(index in CORE_RUNS, run) for the classes ``params`` asks for (all three by default); the index
    seeds the run's inputs, so a run judged alone sees the same inputs as in the full check."""
    chosen = getattr(params, "optimizers", CORE_CLASSES)
    return [(i, run) for i, run in enumerate(CORE_RUNS) if run[1] in chosen]


# (label, class, kind, keyword arguments passed, full hyper-parameters). Non-default values catch
# hyper-parameters that are accepted but ignored; one Adam run relies on the contract's defaults.
_ADAM_DEFAULTS = {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8}
CORE_RUNS: tuple[tuple[str, str, str, dict, dict], ...] = (
    ("SGD(lr=0.05)", "SGD", "sgd", {"lr": 0.05}, {"lr": 0.05}),
    ("Momentum(lr=0.03, beta=0.8)", "Momentum", "momentum", {"lr": 0.03, "beta": 0.8}, {"lr": 0.03, "beta": 0.8}),
    ("Adam(lr=0.01)", "Adam", "adam", {"lr": 0.01}, {**_ADAM_DEFAULTS, "lr": 0.01}),
    (
        "Adam(lr=0.05, betas=(0.8, 0.95), eps=1e-06)",
        "Adam",
        "adam",
        {"lr": 0.05, "betas": (0.8, 0.95), "eps": 1e-6},
        {"lr": 0.05, "betas": (0.8, 0.95), "eps": 1e-6},
    ),
)
_ADAMW = {"lr": 0.02, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.05}
VARIANT_RUNS: dict[str, tuple[str, str, str, dict, dict]] = {
    "adamw": ("AdamW(lr=0.02, weight_decay=0.05)", "AdamW", "adamw", _ADAMW, _ADAMW),
    "rmsprop": (
        "RMSProp(lr=0.01, alpha=0.95, eps=1e-08)",
        "RMSProp",
        "rmsprop",
        {"lr": 0.01, "alpha": 0.95, "eps": 1e-8},
        {"lr": 0.01, "alpha": 0.95, "eps": 1e-8},
    ),
    "nesterov": (
        "Nesterov(lr=0.03, beta=0.8)",
        "Nesterov",
        "nesterov",
        {"lr": 0.03, "beta": 0.8},
        {"lr": 0.03, "beta": 0.8},
    ),
}


# ---------------------------------------------------------------------------------------------
# inputs (generated the same way in the child and in the verdict)


def _sequence(np: Any, seed: int, salt: int, steps: int) -> tuple[list, list[list]]:
    """Initial parameters and ``steps`` gradient lists for one optimizer instance."""
    rng = np.random.default_rng([seed, 3, salt])
    params = [rng.standard_normal(s) for s in SHAPES]
    grads = [[scale * (rng.standard_normal(s) + 0.3) for s, scale in zip(SHAPES, GRAD_SCALES)] for _ in range(steps)]
    return params, grads


def problems(np: Any, seed: int, run: int, steps: int) -> tuple[tuple, list[tuple]]:
    """The main sequence of run ``run`` and the two short ones of its shared-state test."""
    main = _sequence(np, seed, 10 * run, steps)
    pair = [_sequence(np, seed, 10 * run + k, PAIR_STEPS) for k in (1, 2)]
    return main, pair
