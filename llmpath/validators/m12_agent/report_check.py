"""m12.report: the success rate and pass^k a learner logged are recomputed by running their agent again.

The entry is the latest M12 experiment whose metrics include ``success_rate``. Its metrics name the
run: ``seed``, ``n_tasks``, ``k`` and ``max_steps`` (defaults 1 / 100 / 1 / 8 when left out); the probe
reruns ``llmpath.agents.evaluate`` with the learner's ``Agent`` on ``task_suite(seed, n_tasks)``.
Everything is seeded, so a fair figure is reproduced exactly (up to the rounding it was logged with).
"""

from __future__ import annotations

from typing import Any

from llmpath.validators.api import ProbeContext, Verdict, VerdictContext
from llmpath.validators.reported import latest_run, rate_verdict

RUN_KEYS = {"seed": 1, "n_tasks": 100, "k": 1, "max_steps": 8}
MAX_RUNS = 4000  # n_tasks x k that llmpath reruns (a few seconds); log a run of at most this size
COMMAND = ('llmpath log experiment -m M12 --objective "success rate under SimulatedModel" --setup "evaluate(...)" '
           "--metric success_rate=0.93 --metric pass_k=0.78 --metric seed=1 --metric n_tasks=200 --metric k=4 "
           "--metric max_steps=8")


def _entry(workspace: Any) -> tuple[Any, dict[str, int]] | None:
    """The latest M12 entry with a success_rate, and the run it names (None when there is none)."""
    return latest_run(workspace, "M12", "success_rate", RUN_KEYS)


def probe(ctx: ProbeContext) -> dict:
    from llmpath.agents import evaluate, task_suite
    from llmpath.validators.m12_agent.spies import agent_class, make_agent

    found = _entry(ctx.workspace)
    if found is None:
        return {"entry": None}
    entry, run = found
    if not _sane(run):
        return {"entry": entry.id}
    cls = agent_class(ctx)
    report = evaluate(lambda model, tools: make_agent(cls, model, tools, run["max_steps"]),
                      task_suite(run["seed"], run["n_tasks"]), k=run["k"], max_steps=run["max_steps"])
    return {"entry": entry.id, "success_rate": report.success, "pass_k": report.pass_k,
            "errors": list(report.errors[:3])}


def _sane(run: dict[str, int]) -> bool:
    return run["n_tasks"] >= 1 and 1 <= run["k"] <= 16 and 1 <= run["max_steps"] <= 64 and \
        run["n_tasks"] * run["k"] <= MAX_RUNS


def verdict(raw: dict, ctx: VerdictContext) -> Verdict:
    from llmpath.agents import optimum, task_suite

    found = _entry(ctx.workspace)
    if found is None:
        return Verdict.failed("no M12 experiment entry logs a success_rate",
                              f"Run evaluate() on your agent and log its figures: `{COMMAND}`")
    entry, run = found
    if not _sane(run):
        return Verdict.failed(f"{entry.id} names a run llmpath will not recompute: {run}",
                              f"n_tasks x k must be at most {MAX_RUNS}, k at most 16, max_steps 1 to 64")
    if raw.get("entry") != entry.id or not isinstance(raw.get("success_rate"), float):
        return Verdict.failed(f"{entry.id} could not be recomputed (the probe returned no figures)")
    best = optimum(task_suite(run["seed"], run["n_tasks"]), run["max_steps"])
    return rate_verdict(entry, run, raw, best, tolerance=ctx.params.tolerance, suite="task_suite",
                        steps_key="max_steps", subject="agent", command=COMMAND)
