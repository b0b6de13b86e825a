"""m13.roles: each declared role acts, and every tool is used by the role that holds it.

The sample (two tasks of each shape, imperfect models) runs on one system. Judged from the spies:

* every role of ``ROLES`` sends at least one message, and every role of the roster calls its model;
* the system message of each role's model names its own tools and no tool of another role (a model
  calls every tool its system message names: `llmpath.agents.reading`);
* every tool execution comes from a model call of the role that holds the tool (the spy tools record
  the model call that preceded them on the same thread), never from another role or from no model.
"""

from __future__ import annotations

from typing import Any

from llmpath.validators.api import ProbeContext, Verdict, VerdictContext
from llmpath.validators.m13_multi.records import run_problem, transcript

DIAGNOSES = {
    "foreign": "a role uses another role's tools: give each role only tools[role], and describe only those in its "
               "system message",
    "outside": "a tool ran outside any role's model call: only a role's model decides a call (no role runs tools "
               "on its own, the coordinator included)",
    "idle": "a declared role never acts: every role of ROLES must send messages (drop it from ROLES and PROTOCOL, or "
            "give it its job)",
    "unnamed": "a role's system message does not name its own tools, so its model cannot call them",
    "run": "the system must run the sample before its roles can be judged",
}


def probe(ctx: ProbeContext) -> dict:
    from llmpath.validators.m13_multi.harness import Setup, load
    from llmpath.validators.m13_multi.params import RolesParams
    from llmpath.validators.m13_multi.scenes import run_sample
    from llmpath.validators.m13_multi.suites import sample_suite

    p = RolesParams.model_validate(ctx.params)
    contract = load(ctx)
    suite = sample_suite("roles", ctx.seed, p.per_shape)
    sample = run_sample(contract, Setup(suite, max_messages=p.max_messages, timeout_s=p.timeout_s))
    for record in sample:  # the verdict needs each model run's system message and the tools, not the replies
        for runs in record["models"].values():
            for run in runs:
                run.pop("replies", None)
                run.pop("context", None)
    return {"roles": list(contract.roles), "sample": sample}


def verdict(raw: dict, ctx: VerdictContext) -> Verdict:
    from llmpath.agents import ROSTER
    from llmpath.validators.m13_multi.suites import sample_suite

    p = ctx.params
    suite = sample_suite("roles", ctx.seed, p.per_shape)
    roles, sample = raw.get("roles") or [], raw.get("sample")
    if not isinstance(sample, list) or len(sample) != len(suite.tasks):
        return Verdict.failed("m13.roles: the probe returned no record per task (the system broke the probe?)")
    found: list[tuple[str, str]] = []
    for task, record in zip(suite.tasks, sample, strict=True):
        problem = run_problem(record)
        if problem is not None:
            found.append((f"task {task.id}: {problem[0]}", "run"))
    senders = {m.get("sender") for record in sample for m in transcript(record)}
    called = {role for record in sample for role, runs in (record.get("models") or {}).items() if runs}
    found += [(f"{role} never sent a message in {len(sample)} tasks", "idle") for role in roles if role not in senders]
    found += [(f"{role}'s model was never called in {len(sample)} tasks", "idle") for role in ROSTER
              if role not in called]
    found += _prompts(sample)
    found += _executions(sample)
    setup = f"{len(suite.tasks)} sample tasks (2 of each shape), roles {', '.join(roles)}, seed {suite.seed}"
    metrics = {"roles": float(len(roles)), "tool_runs": float(sum(len(r.get("tools") or []) for r in sample))}
    if not found:
        return Verdict.passed(f"all {len(roles)} roles acted; each model was told only its role's tools, and every "
                              f"one of {int(metrics['tool_runs'])} tool runs came from its holder's model", setup,
                              metrics=metrics)
    keys = [key for _, key in found]
    top = max(dict.fromkeys(keys), key=keys.count)
    return Verdict.failed(f"{len(found)} problems with roles and tools", setup, *(w for w, _ in found[:8]),
                          diagnosis=DIAGNOSES[top], metrics=metrics)


def _prompts(sample: list[Any]) -> list[tuple[str, str]]:
    from llmpath.agents import CATALOG, ROSTER, holder
    from llmpath.agents.reading import names_word

    seen: dict[tuple[str, str], None] = {}
    for record in sample:
        for role, runs in (record.get("models") or {}).items():
            for run in runs:
                text = str(run.get("system") or "")
                for tool in CATALOG:
                    owner = holder(tool)
                    if owner != role and names_word(text, tool):
                        seen[(f"{role}'s model was told about {tool}, which {owner} holds", "foreign")] = None
                    elif owner == role and role in ROSTER and not names_word(text, tool):
                        seen[(f"{role}'s system message does not name its tool {tool}", "unnamed")] = None
    return list(seen)


def _executions(sample: list[Any]) -> list[tuple[str, str]]:
    seen: dict[tuple[str, str], None] = {}
    for record in sample:
        for entry in record.get("tools") or []:
            by, tool, owner = entry.get("by"), entry.get("tool"), entry.get("holder")
            if not by:
                seen[(f"{tool} (held by {owner}) ran outside any model call", "outside")] = None
            elif by[0] != owner:
                seen[(f"{tool} (held by {owner}) ran after a model call of {by[0]}", "foreign")] = None
    return list(seen)
