"""m12.success: the success rate under the imperfect SimulatedModel, gated on both sides of the exact optimum.

The held-out suite (seeded by the check's seed) runs ``k`` times: run r gives every tool new outputs
and a model ``SimulatedModel(suite.seed, suite, r)``; one agent per run handles every task. The
verdict regenerates the suite and the expected answers, computes the optimum exactly
(``llmpath.agents.optimum``) and gates:

    |success - optimum| <= z * sigma,   sigma^2 = sum_tasks p (1 - p) * k / (n k)^2

where p is each task's optimum (the runs are independent draws). z = 3.5 (default): a correct agent
fails on 0.05 % of seeds (a fresh seed is drawn at every unlock and every verify), and on the
roadmap's fixed seed every correct agent gets exactly the reference's figure, because agents that
feed back observations of the same classes see the same draws. Below the gate, a bug; above it, a
broken rule (each allowed-action rule is also checked run by run, `conformance`). pass^k is shown
beside its optimum (the mean over tasks of p^k).
"""

from __future__ import annotations

from typing import Any

from llmpath.validators.api import ProbeContext, Verdict, VerdictContext
from llmpath.validators.rates import RateGate, rate_gate


def probe(ctx: ProbeContext) -> dict:
    from llmpath.agents import SimulatedModel
    from llmpath.validators.m12_agent.params import SuccessParams
    from llmpath.validators.m12_agent.spies import SpyModel, ToolLog, agent_class, make_agent, run_task, spy_tool
    from llmpath.validators.m12_agent.suites import success_suite

    p = SuccessParams.model_validate(ctx.params)
    suite = success_suite(ctx.seed, p.n_tasks)
    cls = agent_class(ctx)
    runs: list[dict[str, Any]] = []
    systems: list[str] = []
    for r in range(p.k):
        model = SpyModel(SimulatedModel(suite.seed, suite, r), light=True)
        log = ToolLog(clock=model.replies_so_far)
        agent = make_agent(cls, model, [spy_tool(t, log) for t in suite.tools(r)], p.max_steps)
        for task in suite.tasks:
            run, executed = model.start(), log.start()
            runs.append(_compact(run_task(agent, task.text), run, executed, systems))
    return {"runs": runs, "systems": systems}


def _compact(result: dict, run: dict, tools: list, systems: list[str]) -> dict[str, Any]:
    from llmpath.validators.m12_agent.spies import last_conversation

    """One run, small: the answer, the replies, the executions, and the last conversation (system texts shared)."""
    last: list[dict[str, Any]] = []
    replies = run["replies"]
    for m in last_conversation(run) or []:
        content = m.get("content")
        if m.get("role") == "system" and isinstance(content, str):
            if content not in systems:
                systems.append(content)
            last.append({"role": "system", "ref": systems.index(content)})
        elif m.get("role") == "assistant" and content in replies:  # the reply itself travels once, in replies
            last.append({"role": "assistant", "reply": replies.index(content)})
        else:
            last.append(m)
    out = {key: result[key] for key in ("answer", "error", "raised", "runaway", "bad_result") if key in result}
    return out | {"n_calls": len(run["replies"]), "edits": run["edits"], "replies": run["replies"],
                  "tools": [{k: v for k, v in t.items() if k != "positional"} for t in tools], "last": last}


def verdict(raw: dict, ctx: VerdictContext) -> Verdict:
    from llmpath.agents import CATALOG, SimulatedModel, contains_token, optimum
    from llmpath.validators.m12_agent.conformance import check_run
    from llmpath.validators.m12_agent.suites import success_suite

    p = ctx.params
    suite = success_suite(ctx.seed, p.n_tasks)
    runs, systems = raw.get("runs"), raw.get("systems") or []
    n, k = len(suite.tasks), p.k
    if not isinstance(runs, list) or len(runs) != n * k:
        return Verdict.failed("m12.success: the probe returned no record per run (the agent broke the probe?)")
    models = [SimulatedModel(suite.seed, suite, r) for r in range(k)]
    schemas = {name: d.parameters for name, d in CATALOG.items()}
    table = [[False] * k for _ in range(n)]
    broken: list[str] = []
    went_on: list[str] = []  # evidence per broken run: the answer reply it went past, or "<positional>"
    crashed = 0
    for index, run in enumerate(runs):
        r, i = divmod(index, n)
        run = run if isinstance(run, dict) else {}
        answer = run.get("answer")
        table[i][r] = isinstance(answer, str) and contains_token(answer, models[r].outcome(suite.tasks[i]).token)
        crashed += any(key in run for key in ("raised", "runaway", "bad_result"))
        rule = check_run(run, schemas, p.max_steps)
        if rule is not None:
            broken.append(f"run {r} of {suite.tasks[i].id} ({suite.tasks[i].text}): {rule}")
            if "the run went on" in rule:
                went_on.append(_answered_reply(run))
            elif "passed positionally" in rule:
                went_on.append("<positional>")
    gate = rate_gate(table, optimum(suite, p.max_steps), p.z)
    metrics, figures = gate.metrics(crashed=crashed, broken=len(broken)), gate.figures
    setup = f"{n} held-out tasks x {k} runs, max_steps {p.max_steps}, simulated model seed {suite.seed}"
    if broken:
        return Verdict.failed(f"{len(broken)} runs broke an allowed-action rule; {figures}", setup, *broken[:5],
                              diagnosis=_rule_diagnosis(went_on, len(broken)), metrics=metrics)
    if gate.within:
        return Verdict.passed(figures, setup, metrics=metrics)
    return _off_the_optimum(raw, suite, models, systems, schemas, gate, setup, metrics, crashed)


def _answered_reply(run: dict) -> str:
    from llmpath.validators.m12_agent.reference import parse_action

    for reply in run.get("replies") or []:
        action = parse_action(reply)
        if action is not None and "answer" in action and "tool" not in action:
            return str(reply)
    return ""


def _rule_diagnosis(went_on: list[str], n_broken: int) -> str:
    """A parser that misses answers in one reply format, or an agent that breaks the rules on purpose."""
    from collections import Counter

    from llmpath.validators.m12_agent.diagnose import GREEDY, POSITIONAL
    from llmpath.validators.m12_agent.explain import shape

    if went_on and went_on.count("<positional>") > n_broken / 2:
        return POSITIONAL
    if went_on and len(went_on) == n_broken:
        top, count = Counter(shape(r) for r in went_on).most_common(1)[0]
        if top == "brace groups beside the JSON" and count > len(went_on) / 2:
            return "answers were not found in replies with brace groups beside the JSON: " + GREEDY
        if count > len(went_on) / 2:
            return (f"the run went on after the model answered, mostly for replies shaped as {top}: is the answer "
                    "missed by the parser, or refused (pushing back is not an allowed action)?")
    return ("the agent must only parse, validate, run what the model asked, and feed back (see 'allowed actions' in "
            "milestones/M12/README.md)")


def _off_the_optimum(raw: dict, suite: Any, models: list, systems: list, schemas: dict, gate: RateGate,
                     setup: str, metrics: dict, crashed: int) -> Verdict:
    from llmpath.validators.m12_agent.explain import describe, diagnosis, statistics

    stats = statistics(raw["runs"], models, suite, systems, schemas)
    lines = describe(stats)
    if crashed:
        lines.append(f"{crashed} runs ended with an exception out of run() (counted as failures)")
    if gate.success > gate.optimum:
        return Verdict.failed(
            f"success is above what any agent that follows the allowed actions can reach: {gate.figures}",
            setup, *lines,
            diagnosis="does the agent solve tasks without the model, coerce arguments, guess tools, retry tools by "
                      "itself or push back on answers? None of these is allowed", metrics=metrics)
    return Verdict.failed(f"success is below the optimum's margin: {gate.figures}", setup, *lines,
                          diagnosis=diagnosis(stats), metrics=metrics)
