"""m13.success: the success rate on a held-out cooperative suite, gated on both sides of the exact optimum.

The suite (seeded by the check's seed) runs ``k`` times: run r gives every role a ``RoleModel`` and
its own tools with outputs drawn for run r; one system per run handles every task. The verdict
regenerates the suite, computes the optimum exactly (`llmpath.agents.team`) and gates

    |success - optimum| <= z * sigma,   sigma^2 = sum_tasks p (1 - p) * k / (n k)^2

Below the gate, a bug; above it, a broken rule (every run is also checked rule by rule, `rules`).
pass^k is shown beside its optimum (the mean over tasks of p^k).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from llmpath.validators.api import ProbeContext, Verdict, VerdictContext
from llmpath.validators.rates import rate_gate

DIAGNOSES = {
    "again": "the same request was sent twice (same role, same content): a meaning-keyed model replays its reply, so "
             "re-asking only loops. Is what the earlier roles found missing from the context of the next request?",
    "foreign": "a role used another role's tools, or a tool ran outside its holder's model call",
    "reroll": "a role's conversation was restarted or edited within one request (re-rolling is not allowed)",
    "continued": "a role's conversation went on across requests (more model calls than role_steps): each request "
                 "starts a fresh conversation",
    "composed": "the result must be the answering role's model's answer, verbatim",
    "bound": "runs went past max_messages",
    "m12": "a role broke one of M12's allowed actions (see milestones/M12/README.md)",
    "feedback": "an error observation does not name the bad tool or argument (vague or swallowed errors): name them, "
                "as in M12; the model fixes a call after a clear error 60 % of the time, after a vague one 25 %",
}


def _digest(content: Any) -> str:
    return hashlib.blake2b(json.dumps(content, sort_keys=True, default=str).encode(), digest_size=6).hexdigest()


def compact(record: dict[str, Any], systems: list[str]) -> dict[str, Any]:
    """A task run, small: the outcome, the transcript as rows, model runs (system text shared), tool runs."""
    run = dict(record["run"])
    if "transcript" in run:
        run["rows"] = [[m.get("id"), m.get("sender"), m.get("recipient"), m.get("kind"), m.get("in_reply_to"),
                        _digest(m.get("content"))] for m in run.pop("transcript")]
    models = {}
    for role, runs in record["models"].items():
        models[role] = []
        for model_run in runs:
            if model_run["system"] not in systems:
                systems.append(model_run["system"])
            models[role].append({"replies": model_run["replies"], "observations": model_run["observations"],
                                 "n_calls": model_run["n_calls"],
                                 "continued": model_run["continued"], "system": systems.index(model_run["system"])})
    tools = [{k: e.get(k) for k in ("tool", "holder", "by", "arguments")} for e in record["tools"]]
    return {"run": run, "models": models, "tools": tools}


def probe(ctx: ProbeContext) -> dict:
    from llmpath.validators.m13_multi.harness import Setup, build, load, run_task
    from llmpath.validators.m13_multi.params import SuccessParams
    from llmpath.validators.m13_multi.suites import success_suite

    p = SuccessParams.model_validate(ctx.params)
    contract = load(ctx)
    suite = success_suite(ctx.seed, p.n_tasks)
    runs: list[dict[str, Any]] = []
    systems: list[str] = []
    for r in range(p.k):
        system, _, rec = build(contract, Setup(suite, run=r, role_steps=p.role_steps, max_messages=p.max_messages,
                                               timeout_s=5.0))
        for task in suite.tasks:
            runs.append(compact(run_task(system, task.text, rec, deadline_s=None), systems))
    return {"roles": list(contract.roles), "runs": runs, "systems": systems}


def verdict(raw: dict, ctx: VerdictContext) -> Verdict:
    from llmpath.agents import CATALOG, contains_token, team_optimum
    from llmpath.validators.m13_multi.explain import below_diagnosis
    from llmpath.validators.m13_multi.records import run_problem
    from llmpath.validators.m13_multi.rules import check_task_run
    from llmpath.validators.m13_multi.suites import success_suite

    p = ctx.params
    suite = success_suite(ctx.seed, p.n_tasks)
    runs, roles = raw.get("runs"), raw.get("roles") or []
    n, k = len(suite.tasks), p.k
    if not isinstance(runs, list) or len(runs) != n * k:
        return Verdict.failed("m13.success: the probe returned no record per run (the system broke the probe?)")
    schemas = {name: d.parameters for name, d in CATALOG.items()}
    table = [[False] * k for _ in range(n)]
    broken: list[tuple[str, str]] = []
    crashed: list[str] = []
    for index, record in enumerate(runs):
        r, i = divmod(index, n)
        task = suite.tasks[i]
        answer = (record.get("run") or {}).get("answer")
        table[i][r] = isinstance(answer, str) and contains_token(answer, suite.outcome(task, r).token)
        problem = run_problem({"run": {"transcript": [], **(record.get("run") or {})}})
        if problem is not None:
            crashed.append(f"run {r} of {task.id}: {problem[0]}")
            continue
        rule = check_task_run(record, schemas, p.role_steps, p.max_messages, roles)
        if rule is not None:
            broken.append((f"run {r} of {task.id} ({task.text}): {rule[0]}", rule[1]))
    gate = rate_gate(table, team_optimum(suite, p.role_steps), p.z)
    metrics, figures = gate.metrics(crashed=len(crashed), broken=len(broken)), gate.figures
    setup = f"{n} held-out cooperative tasks x {k} runs, role_steps {p.role_steps}, models seeded {suite.seed}"
    if broken:
        keys = [key for _, key in broken]
        top = max(dict.fromkeys(keys), key=keys.count)
        return Verdict.failed(f"{len(broken)} runs broke an allowed action of the system; {figures}", setup,
                              *(w for w, _ in broken[:5]), diagnosis=DIAGNOSES[top], metrics=metrics)
    if gate.within:
        return Verdict.passed(figures, setup, metrics=metrics)
    if gate.success > gate.optimum:
        return Verdict.failed(f"success is above what any system that follows the allowed actions can reach: "
                              f"{figures}", setup, diagnosis="does the system solve tasks without the models, give "
                              "roles more steps, or retry? None of these is allowed", metrics=metrics)
    lines, diagnosis = below_diagnosis(suite, table, runs, p, gate.margin, crashed)
    return Verdict.failed(f"success is below the optimum's margin: {figures}", setup, *lines, diagnosis=diagnosis,
                          metrics=metrics)
