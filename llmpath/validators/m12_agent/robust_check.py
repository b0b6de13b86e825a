"""m12.robust: faults become observations or a clear failure result; run() never raises; max_steps is exact.

Scripted models from ``llmpath.agents.faults`` (never stops, garbage, raises, answers at once) and a
tool that raises. ``max_steps`` counts model calls: with a model that never stops, ``run`` makes
exactly ``max_steps`` calls and returns ``Result(answer=None, error=...)``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from llmpath.validators.api import ProbeContext, Verdict, VerdictContext
from llmpath.validators.m12_agent.transcript import observation, show

TOOL_ERROR = "disk quota exceeded on shelf Q-{n}"
MODEL_ERROR = "model server unavailable (HTTP 503)"


@dataclasses.dataclass(frozen=True)
class Scenario:
    label: str
    model: str  # never_stops | garbage | raises | raises_later | answers | tool_raises
    max_steps: int | None  # None: the agent's default (the contract says 8)


SCENARIOS = (
    Scenario("a model that never stops, default max_steps", "never_stops", None),
    Scenario("a model that never stops, max_steps=3", "never_stops", 3),
    Scenario("a model that never stops, max_steps=1", "never_stops", 1),
    Scenario("a model that returns garbage, max_steps=5", "garbage", 5),
    Scenario("a model that raises", "raises", 4),
    Scenario("a model that raises after one tool call", "raises_later", 4),
    Scenario("a model that answers without a tool", "answers", 4),
    Scenario("a tool that raises", "tool_raises", 4),
)
DEFAULT_MAX_STEPS = 8
ANSWER = "The answer is 42."


def _model(kind: str, seed: int) -> Any:
    from llmpath.agents import AnswersWithoutTool, Garbage, NeverStops, Raises, Scripted, messages

    item = {"item": "steel hinge"}
    if kind == "never_stops":
        return NeverStops("find_sku", item)
    if kind == "garbage":
        return Garbage(seed)
    if kind in ("raises", "raises_later"):
        return Raises(RuntimeError(MODEL_ERROR), after=int(kind == "raises_later"), tool="find_sku", arguments=item)
    if kind == "answers":
        return AnswersWithoutTool(ANSWER)
    return Scripted([messages.tool_call("shelf_check", {"shelf": "Q"}), messages.answer("done")])


def _failing_tool(seed: int) -> Any:
    from llmpath.agents import Tool

    def shelf_check(shelf: str) -> str:
        raise ValueError(TOOL_ERROR.format(n=seed % 90 + 10))

    schema = {"type": "object", "properties": {"shelf": {"type": "string"}}, "required": ["shelf"],
              "additionalProperties": False}
    return Tool("shelf_check", "Check a shelf's stock level.", schema, shelf_check)


def probe(ctx: ProbeContext) -> dict:
    from llmpath.agents import shop_tools
    from llmpath.validators.m12_agent.spies import SpyModel, ToolLog, agent_class, make_agent, run_task, spy_tool

    cls = agent_class(ctx)
    out = []
    for scenario in SCENARIOS:
        model = SpyModel(_model(scenario.model, ctx.seed))
        model.start()
        log = ToolLog(clock=model.replies_so_far)
        log.start()
        tools = [*shop_tools(ctx.seed), _failing_tool(ctx.seed)]
        agent = make_agent(cls, model, [spy_tool(t, log) for t in tools], scenario.max_steps)
        result = run_task(agent, "Find the SKU code of the steel hinge.")
        out.append({"result": result, "calls": model.runs[0]["calls"], "replies": model.runs[0]["replies"],
                    "tools": log.runs[0]})
    return {"scenarios": out}


def verdict(raw: dict, ctx: VerdictContext) -> Verdict:
    records = raw.get("scenarios")
    if not isinstance(records, list) or len(records) != len(SCENARIOS):
        return Verdict.failed("m12.robust: the probe returned no record per scenario (the agent broke the probe?)")
    problems = []
    for scenario, record in zip(SCENARIOS, records, strict=True):
        found = _judge(scenario, record if isinstance(record, dict) else {}, ctx.seed)
        if found is not None:
            problems.append((scenario.label, *found))
    if not problems:
        return Verdict.passed(
            f"all {len(SCENARIOS)} fault scenarios handled: exactly max_steps model calls (8 by default) then a "
            "failure result; garbage and errors went back to the model; run() never raised",
            metrics={"scenarios": float(len(SCENARIOS))})
    from llmpath.validators.m12_agent.diagnose import robust_diagnosis

    return Verdict.failed(
        f"{len(problems)} of {len(SCENARIOS)} fault scenarios mishandled",
        *(f"{label}: {what}" for label, what, _ in problems),
        diagnosis=robust_diagnosis([key for _, _, key in problems]),
        metrics={"failed_scenarios": float(len(problems))},
    )


def _judge(scenario: Scenario, record: dict, seed: int) -> tuple[str, str] | None:
    result = record.get("result") or {}
    calls, tools = record.get("calls") or [], record.get("tools") or []
    if "runaway" in result:
        return f"the loop did not stop ({result['runaway']})", "runaway"
    if "raised" in result:
        return f"run() raised {result['raised']}", f"raised_{scenario.model}"
    if "bad_result" in result:
        return f"run() returned {result['bad_result']}", "bad_result"
    answer, error = result.get("answer"), result.get("error")
    if scenario.model in ("never_stops", "garbage"):
        want = scenario.max_steps or DEFAULT_MAX_STEPS
        if len(calls) != want:
            key = "default_steps" if scenario.max_steps is None and len(calls) not in (want - 1, want + 1) else (
                "off_by_one" if abs(len(calls) - want) == 1 else "steps")
            return f"the model was called {len(calls)} times; expected exactly max_steps = {want}", key
        if answer is not None or not (isinstance(error, str) and error.strip()):
            return (f"after max_steps the result must be answer=None with an error saying why; got answer "
                    f"{show(answer)}, error {show(error)}"), "not_a_failure"
        if scenario.model == "garbage":
            return _garbage(calls, tools)
        return None
    if scenario.model in ("raises", "raises_later"):
        if answer is not None or not (isinstance(error, str) and "503" in error):
            return f"expected answer=None and an error naming the model's exception; got answer {show(answer)}, " \
                   f"error {show(error)}", "model_error"
        want_tools = int(scenario.model == "raises_later")
        if len(tools) != want_tools or len(result.get("calls") or []) != want_tools:
            return f"{len(tools)} tool executions and {len(result.get('calls') or [])} recorded calls; expected " \
                   f"{want_tools}", "trace_length"
        return None
    if scenario.model == "answers":
        if answer != ANSWER or tools or len(calls) != 1:
            return f"expected the answer {ANSWER!r} after one model call and no tool; got {show(answer)} after " \
                   f"{len(calls)} calls and {len(tools)} tool runs", "answers"
        return None
    message = TOOL_ERROR.format(n=seed % 90 + 10)
    fed = observation(calls[0], calls[1]) if len(calls) >= 2 else ""
    if message not in fed:
        return f"the tool's exception ({message!r}) was not fed back to the model (fed back: {show(fed)})", \
            "exception_lost"
    trace = result.get("calls") or []
    if answer != "done" or len(trace) != 1 or message not in str((trace[0] or {}).get("error")):
        return f"expected answer 'done' and one ToolCall with error containing the message; got {show(answer)}, " \
               f"{show(trace)}", "trace_error"
    return None


def _garbage(calls: list, tools: list) -> tuple[str, str] | None:
    from llmpath.agents.reading import ERROR_WORDS

    if tools:
        return f"a tool ran ({tools[0].get('tool')}) though no reply held a valid action", "garbage_ran"
    for i in range(1, len(calls)):
        fed = observation(calls[i - 1], calls[i])
        if not ERROR_WORDS.search(fed):
            return f"after garbage reply {i} the model was told nothing about it (fed back: {show(fed)})", "swallowed"
    return None
