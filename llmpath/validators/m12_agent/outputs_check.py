"""m12.outputs: answers hold the tools' actual outputs; the trace is what ran; history only grows.

The model is ``SimulatedModel`` with ``PERFECT`` rates (no flawed calls, every reply format, shuffled
arguments), so every run of a correct agent succeeds and any failure is the agent's. One agent runs
every task in order, then the first task again: a second run must replay the first exactly.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from llmpath.validators.api import ProbeContext, Verdict, VerdictContext
from llmpath.validators.m12_agent.reference import parse_action, same_value
from llmpath.validators.m12_agent.suites import outputs_suite
from llmpath.validators.m12_agent.transcript import history_problem, messages_of, observation, show


def probe(ctx: ProbeContext) -> dict:
    from llmpath.agents import PERFECT, SimulatedModel
    from llmpath.validators.m12_agent.params import OutputsParams
    from llmpath.validators.m12_agent.spies import SpyModel, ToolLog, agent_class, make_agent, run_task, spy_tool

    p = OutputsParams.model_validate(ctx.params)
    suite = outputs_suite(ctx.seed, p.per_kind)
    model = SpyModel(SimulatedModel(suite.seed, suite, 0, PERFECT))
    log = ToolLog(clock=model.replies_so_far)
    agent = make_agent(agent_class(ctx), model, [spy_tool(t, log) for t in suite.tools(0)], None)
    runs = []
    for task in [*suite.tasks, suite.tasks[0]]:
        run = model.start()
        log.start()
        result = run_task(agent, task.text)
        runs.append({"result": result, "calls": run["calls"], "replies": run["replies"], "tools": log.runs[-1]})
    return {"runs": runs}


def verdict(raw: dict, ctx: VerdictContext) -> Verdict:
    suite = outputs_suite(ctx.seed, ctx.params.per_kind)
    tasks = [*suite.tasks, suite.tasks[0]]
    runs = raw.get("runs")
    if not isinstance(runs, list) or len(runs) != len(tasks):
        return Verdict.failed("m12.outputs: the probe returned no record per run (the agent broke the probe?)")
    problems: list[tuple[str, str, str]] = []  # (task text, what, key)
    texts = [t.text for t in suite.tasks]
    for i, (task, run) in enumerate(zip(tasks, runs, strict=True)):
        if i == len(suite.tasks):
            found = _same_as_first(runs[0], run)
        else:
            found = _judge_run(run, suite.outcome(task, 0).token, [t for t in texts if t != task.text])
        if found is not None:
            problems.append((task.text if i < len(suite.tasks) else f"(again) {task.text}", *found))
    kinds = Counter(t.kind for t in suite.tasks)
    setup = (f"{len(suite.tasks)} tasks ({', '.join(f'{n} {k}' for k, n in kinds.items())}) then the first again, "
             f"one agent, flawless simulated model (seed {suite.seed})")
    metrics = {"runs": float(len(tasks)), "failed_runs": float(len(problems))}
    if not problems:
        return Verdict.passed(
            "every answer holds the tool's actual output, the recorded calls are what ran, history only grows, "
            "and a second run replays the first", setup, metrics=metrics)
    from llmpath.validators.m12_agent.diagnose import outputs_diagnosis

    lines = [f"{show(text, 60)}: {what}" for text, what, _ in problems]
    return Verdict.failed(
        f"{len(problems)} of {len(tasks)} runs went wrong", setup, *lines[:6],
        *([f"... and {len(lines) - 6} more"] if len(lines) > 6 else []),
        diagnosis=outputs_diagnosis([key for _, _, key in problems]), metrics=metrics,
    )


def _judge_run(run: Any, token: str, other_texts: list[str]) -> tuple[str, str] | None:
    result = run.get("result") if isinstance(run, dict) else None
    if not isinstance(result, dict):
        return "no result", "raised"
    if "raised" in result or "runaway" in result:
        return f"run() raised {result.get('raised') or result.get('runaway')}", "raised"
    if "bad_result" in result:
        return f"run() returned {result['bad_result']}", "bad_result"
    calls, replies, tools = run.get("calls") or [], run.get("replies") or [], run.get("tools") or []
    if not calls:
        return "the model was never called", "no_model"
    first = messages_of(calls[0])
    leaked = [t for t in other_texts if any(t in str(m.get("content")) for m in first)]
    if leaked or any(m.get("role") == "assistant" for m in first):
        return f"the first model call already holds an earlier run's messages ({show(leaked[:1] or 'a reply')})", "leak"
    system = "\n".join(str(m.get("content")) for m in first if m.get("role") == "system")
    from llmpath.agents import CATALOG, contains_token

    missing = [name for name in CATALOG if not contains_token(system, name)]
    if missing:
        return f"the system message does not name the tools {', '.join(missing)}: the model cannot call them", \
            "no_tools"
    history = history_problem(calls, replies)
    if history is not None:
        return history, "history"
    found = _outputs_fed_back(calls, tools)
    if found is not None:
        return found
    found = _answer(result, replies, tools, token)
    if found is not None:
        return found
    return _trace(result.get("calls"), tools)


def _outputs_fed_back(calls: list, tools: list) -> tuple[str, str] | None:
    from llmpath.agents import output_token

    for record in tools:
        turn = record.get("turn", 0)
        if turn >= len(calls):
            continue  # the run ended after this execution; the answer check says why
        fed = observation(calls[turn - 1], calls[turn]) if turn >= 1 else ""
        if "raised" in record:
            if output_token(record["raised"]) not in fed:
                return f"{record.get('tool')} raised {show(record['raised'], 60)}, and the model never read it", \
                    "exception_lost"
        elif output_token(record.get("result")) not in fed:
            return f"{record.get('tool')} returned {show(record.get('result'))}, but the next model call did not " \
                f"contain it (fed back: {show(fed, 50)})", "output_lost"
    return None


def _answer(result: dict, replies: list, tools: list, token: str) -> tuple[str, str] | None:
    action = parse_action(replies[-1]) if replies else None
    expected = action.get("answer") if isinstance(action, dict) and "tool" not in action else None
    got = result.get("answer")
    if expected is None:
        if got is None:
            return f"the run ended without an answer ({show(result.get('error'))})", "no_answer"
        return f"the run answered {show(got)} though the model's last reply was not an answer", "answer_without_model"
    if got == expected:
        return None
    if got == replies[-1]:
        return f"the answer is the raw reply {show(got)}, not the value of \"answer\"", "raw_reply"
    outputs = [str(t.get("result")) for t in tools if "result" in t]
    if outputs and got is not None and str(got) == outputs[0] and len(outputs) > 1:
        return f"the answer is the first tool's output {show(got)}, not the model's answer {show(expected)}", \
            "first_output"
    return f"answer {show(got)}, expected the model's answer {show(expected)} (holding {token})", "wrong_answer"


def _trace(calls: Any, tools: list) -> tuple[str, str] | None:
    if not isinstance(calls, list) or len(calls) != len(tools):
        n = len(calls) if isinstance(calls, list) else "no"
        return f"the trace records {n} calls but {len(tools)} tool executions happened", "trace_length"
    for i, (mine, real) in enumerate(zip(calls, tools, strict=True)):
        where = f"trace[{i}] ({real.get('tool')})"
        if not isinstance(mine, dict) or mine.get("tool") != real.get("tool"):
            return f"{where}: recorded tool {show(mine.get('tool') if isinstance(mine, dict) else mine)}", "trace_tool"
        if not same_value(mine.get("arguments"), real.get("arguments")):
            got, ran = show(mine.get("arguments")), show(real.get("arguments"))
            return f"{where}: recorded arguments {got}, ran with {ran}", "trace_arguments"
        if "raised" in real:
            error = mine.get("error")
            if not isinstance(error, str) or real["raised"].split(": ", 1)[-1] not in error:
                return f"{where}: the tool raised {show(real['raised'], 50)}, but the trace's error is {show(error)}", \
                    "trace_error"
        elif not same_value(mine.get("result"), real.get("result")):
            key = "trace_request" if same_value(mine.get("result"), real.get("arguments")) else "trace_result"
            got, ran = show(mine.get("result")), show(real.get("result"))
            return f"{where}: recorded result {got}, the tool returned {ran}", key
    return None


def _same_as_first(first: Any, again: Any) -> tuple[str, str] | None:
    a, b = (r.get("calls") if isinstance(r, dict) else None for r in (first, again))
    if a == b:
        return None
    a, b = a or [], b or []
    n = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return (f"running the same task again sent the model a different conversation at call {n + 1}: state is kept "
            "between runs", "leak")
