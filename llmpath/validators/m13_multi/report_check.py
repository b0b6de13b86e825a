"""m13.report: the success rate and pass^k a learner logged are recomputed by running their system again.

The entry is the latest M13 experiment whose metrics include ``success_rate``. Its metrics name the
run: ``seed``, ``n_tasks``, ``k`` and ``role_steps`` (defaults 1 / 100 / 1 / 8 when left out); the
probe reruns ``llmpath.agents.team.evaluate_team`` with ``System(build_roles(models, tools,
role_steps=...), PROTOCOL)`` on ``cooperative_suite(seed, n_tasks)``. Everything is seeded, so a fair
figure is reproduced exactly (up to the rounding it was logged with).
"""

from __future__ import annotations

from typing import Any

from llmpath.validators.api import ProbeContext, Verdict, VerdictContext
from llmpath.validators.reported import latest_run, rate_verdict

RUN_KEYS = {"seed": 1, "n_tasks": 100, "k": 1, "role_steps": 8}
MAX_RUNS = 2000  # n_tasks x k that llmpath reruns (a few seconds); log a run of at most this size
COMMAND = ('llmpath log experiment -m M13 --objective "success rate of the system" --setup "evaluate_team(...)" '
           "--metric success_rate=0.92 --metric pass_k=0.73 --metric seed=1 --metric n_tasks=100 --metric k=4 "
           "--metric role_steps=8")


def _entry(workspace: Any) -> tuple[Any, dict[str, int]] | None:
    """The latest M13 entry with a success_rate, and the run it names (None when there is none)."""
    return latest_run(workspace, "M13", "success_rate", RUN_KEYS)


def _sane(run: dict[str, int]) -> bool:
    return run["n_tasks"] >= 1 and 1 <= run["k"] <= 16 and 2 <= run["role_steps"] <= 64 and \
        run["n_tasks"] * run["k"] <= MAX_RUNS


def probe(ctx: ProbeContext) -> dict:
    from llmpath.agents import cooperative_suite, evaluate_team
    from llmpath.validators.m13_multi.harness import load

    found = _entry(ctx.workspace)
    if found is None:
        return {"entry": None}
    entry, run = found
    if not _sane(run):
        return {"entry": entry.id}
    c = load(ctx)
    report = evaluate_team(lambda models, tools: c.system(c.build_roles(models, tools, role_steps=run["role_steps"]),
                                                          c.protocol),
                           cooperative_suite(run["seed"], run["n_tasks"]), k=run["k"], role_steps=run["role_steps"])
    return {"entry": entry.id, "success_rate": report.success, "pass_k": report.pass_k,
            "errors": list(report.errors[:3])}


def verdict(raw: dict, ctx: VerdictContext) -> Verdict:
    from llmpath.agents import cooperative_suite, team_optimum

    found = _entry(ctx.workspace)
    if found is None:
        return Verdict.failed("no M13 experiment entry logs a success_rate",
                              f"Run evaluate_team() on your system and log its figures: `{COMMAND}`")
    entry, run = found
    if not _sane(run):
        return Verdict.failed(f"{entry.id} names a run llmpath will not recompute: {run}",
                              f"n_tasks x k must be at most {MAX_RUNS}, k at most 16, role_steps 2 to 64")
    if raw.get("entry") != entry.id or not isinstance(raw.get("success_rate"), float):
        return Verdict.failed(f"{entry.id} could not be recomputed (the probe returned no figures)")
    best = team_optimum(cooperative_suite(run["seed"], run["n_tasks"]), run["role_steps"])
    return rate_verdict(entry, run, raw, best, tolerance=ctx.params.tolerance, suite="cooperative_suite",
                        steps_key="role_steps", subject="system", command=COMMAND)
