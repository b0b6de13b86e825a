"""m12.parse: tool calls are found in every reply format; arguments are validated before any tool runs.

BFCL's AST checking is the anchor: a call is right when the function and every argument (name,
type, value) match, and nothing else was called. Each case is one run with a scripted model.
"""

from __future__ import annotations

from typing import Any

from llmpath.validators.api import ProbeContext, Verdict, VerdictContext
from llmpath.validators.m12_agent.parse_cases import FOLLOW_UP, Case, cases, output_token, parse_tools
from llmpath.validators.m12_agent.reference import parse_action, same_value
from llmpath.validators.m12_agent.transcript import names_any, new_text, show


def probe(ctx: ProbeContext) -> dict:
    from llmpath.agents import Scripted
    from llmpath.validators.m12_agent.spies import SpyModel, ToolLog, agent_class, make_agent, run_task, spy_tool

    cls = agent_class(ctx)
    out = []
    for i, case in enumerate(cases(ctx.seed)):
        log = ToolLog()
        log.start()
        model = SpyModel(Scripted([case.reply, FOLLOW_UP]))
        model.start()
        agent = make_agent(cls, model, [spy_tool(t, log) for t in parse_tools(ctx.seed)], None)
        result = run_task(agent, f"Parse check, case {i + 1}: follow the instructions of the replies.")
        out.append({"result": result, "calls": model.runs[0]["calls"], "replies": model.runs[0]["replies"],
                    "tools": log.runs[0]})
    return {"cases": out}


def verdict(raw: dict, ctx: VerdictContext) -> Verdict:
    all_cases = cases(ctx.seed)
    records = raw.get("cases")
    if not isinstance(records, list) or len(records) != len(all_cases):
        return Verdict.failed("m12.parse: the probe returned no record per case (the agent broke the probe?)")
    problems: list[tuple[Case, str, str]] = []  # (case, what went wrong, diagnosis key)
    for case, record in zip(all_cases, records, strict=True):
        found = _judge_case(case, record, ctx.seed)
        if found is not None:
            problems.append((case, *found))
    n_run = sum(c.kind == "run" for c in all_cases)
    n_reject = sum(c.kind == "reject" for c in all_cases)
    metrics = {"cases": float(len(all_cases)), "failed_cases": float(len(problems))}
    if not problems:
        return Verdict.passed(
            f"all {len(all_cases)} replies handled: {n_run} valid calls in every format ran once with exactly their "
            f"arguments, {n_reject} invalid calls never reached a tool and their errors named the bad tool or argument",
            metrics=metrics,
        )
    from llmpath.validators.m12_agent.diagnose import parse_diagnosis

    lines = [f"{case.label}: {what}  reply: {show(case.reply, 90)}" for case, what, _ in problems]
    return Verdict.failed(
        f"{len(problems)} of {len(all_cases)} scripted replies were mishandled",
        *lines[:8],
        *([f"... and {len(lines) - 8} more"] if len(lines) > 8 else []),
        diagnosis=parse_diagnosis([(c.label, key) for c, _, key in problems]),
        metrics=metrics,
    )


def _judge_case(case: Case, record: Any, seed: int) -> tuple[str, str] | None:
    """None when the case was handled right, else (what went wrong, diagnosis key)."""
    if not isinstance(record, dict):
        return "no record", "crash"
    result = record.get("result") or {}
    if "raised" in result or "runaway" in result:
        return f"run() raised {result.get('raised') or result.get('runaway')}", "raised"
    if "bad_result" in result:
        return f"run() returned {result['bad_result']}, not a Result(answer, calls, error)", "bad_result"
    tools = record.get("tools") or []
    calls = record.get("calls") or []
    executed = [t for t in tools if isinstance(t, dict)]
    if case.kind == "answer":
        if executed:
            return f"a tool ran ({executed[0].get('tool')}) though the reply was an answer", "answer_ran_tool"
        if result.get("answer") != case.answer:
            return f"answer {show(result.get('answer'))}, expected {show(case.answer)}", "answer_text"
        return None
    follow = new_text(calls)
    if case.kind == "reject":
        if executed:
            wrote = (parse_action(case.reply) or {}).get("arguments")
            key = "called_before_validation" if names_any(follow, case.names) else "not_validated"
            if isinstance(wrote, dict) and not same_value(executed[0].get("arguments"), wrote):
                key = "coerced"
            return f"the tool {executed[0].get('tool')} ran with {show(executed[0].get('arguments'))}", key
        if len(calls) < 2:
            return "the model was not called again: the error never went back to it", "no_retry"
        if not follow.strip():
            return "nothing was fed back: the error was swallowed", "swallowed"
        if not names_any(follow, case.names):
            return f"the error fed back does not name {' or '.join(map(repr, case.names))}: {show(follow)}", "vague"
        return _answer_done(result)
    if len(executed) > 1 and all(t.get("tool") == case.tool for t in executed):
        return f"{case.tool} ran {len(executed)} times for one call", "ran_twice"
    if len(executed) != 1 or executed[0].get("tool") != case.tool:
        ran = ", ".join(str(t.get("tool")) for t in executed) or "nothing"
        return f"expected one call of {case.tool}, but ran {ran}; fed back {show(follow)}", "not_found"
    got = executed[0]
    if not same_value(got.get("arguments"), case.arguments):
        return f"{case.tool} received {show(got.get('arguments'))}, expected {show(case.arguments)}", "wrong_arguments"
    if got.get("positional"):
        return f"{got['positional']} argument(s) were passed positionally; call the function by keyword", "positional"
    if len(calls) < 2:
        return "the model was not called again after the tool ran", "no_retry"
    token = output_token(seed, case.tool or "", case.arguments or {})
    if token not in follow:
        return f"the tool's output {token} was not fed back to the model (fed back: {show(follow)})", "output_lost"
    return _answer_done(result)


def _answer_done(result: dict) -> tuple[str, str] | None:
    if result.get("answer") != "done":
        return f"the run ended with answer {show(result.get('answer'))}, not the model's answer 'done'", "answer_text"
    return None
