"""The suites the M12 checks run, regenerated identically by probe and verdict from the check's seed."""

from __future__ import annotations

from llmpath.agents import KINDS, Suite, draws, task_suite


def derived_seed(check: str, seed: int) -> int:
    """A held-out suite seed for one check: not the small seeds a learner tries at home."""
    return draws.integer(draws.key("m12", check, seed), 10**6, 10**9)


def outputs_suite(seed: int, per_kind: int) -> Suite:
    """``per_kind`` tasks of each kind, interleaved (single, chain, no_tool, raises, single, ...).

    The tasks come from a seeded suite drawn with the usual mix of kinds; a draw that holds too few of
    a rare kind is replaced by a larger one (deterministically, so probe and verdict agree), because a
    fresh seed is drawn at every unlock and every seed must give a complete suite.
    """
    n = max(40, 12 * per_kind)
    while True:
        base = task_suite(derived_seed("outputs", seed), n=n)
        by_kind = {kind: [t for t in base.tasks if t.kind == kind][:per_kind] for kind in KINDS}
        if all(len(tasks) == per_kind for tasks in by_kind.values()):
            order = [by_kind[kind][i] for i in range(per_kind) for kind in KINDS]
            return Suite(base.seed, tuple(order))
        n *= 2


def success_suite(seed: int, n_tasks: int) -> Suite:
    """The held-out suite of m12.success."""
    return task_suite(derived_seed("success", seed), n=n_tasks)
