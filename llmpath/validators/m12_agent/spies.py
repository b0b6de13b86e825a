"""Spies for the M12 probes (child side): a model and tools that record exactly what the agent did.

They only record; the verdicts decide. A spy stops a runaway loop by raising `Runaway`, a
BaseException (so ``except Exception`` in the learner's loop does not swallow it), after ``cap``
calls in one run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from llmpath.agents import Tool
from llmpath.validators.api import ProbeContext

FILE = "agent.py"
CAP = 64  # model or tool calls in one run before the spy stops the loop (max_steps is at most 8 here)
MAX_MESSAGES = 200  # a conversation this long is not one run's (max_steps 64 makes at most ~130): state kept
MISSING = "<missing>"


class Runaway(BaseException):
    """The agent kept calling the model or a tool far beyond its step limit."""


def jsonable(value: Any, depth: int = 0) -> Any:
    """``value`` as plain JSON-like data for the wire (anything else becomes its repr, marked)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if depth > 20:
        return {"__repr__": "<nested too deeply>"}
    if isinstance(value, (list, tuple)):
        return [jsonable(v, depth + 1) for v in value]
    if isinstance(value, Mapping):
        return {str(k): jsonable(v, depth + 1) for k, v in value.items()}
    return {"__repr__": f"{type(value).__name__}: {value!r}"[:300]}


def snapshot(messages: Any) -> Any:
    """The conversation as the model received it: [{"role", "content"}, ...] (or a repr if malformed)."""
    if not isinstance(messages, Sequence) or isinstance(messages, (str, bytes)):
        return {"__repr__": f"{type(messages).__name__}"}
    out = []
    for m in messages:
        if isinstance(m, Mapping):
            out.append({"role": jsonable(m.get("role")), "content": jsonable(m.get("content"))})
        else:
            out.append({"__repr__": f"{type(m).__name__}: {m!r}"[:300]})
    return out


class SpyModel:
    """Wraps a model; per run, records every call's conversation and the reply (or what it raised).

    ``light``: keep only the last conversation, and per call whether it extends the previous one
    with the previous reply appended verbatim (enough for thousands of runs).
    """

    def __init__(self, inner: Callable[[Any], str], light: bool = False) -> None:
        self.inner = inner
        self.light = light
        self.runs: list[dict[str, Any]] = []

    def start(self) -> dict[str, Any]:
        self.runs.append({"calls": [], "replies": [], "last": None, "edits": []})
        return self.runs[-1]

    def replies_so_far(self) -> int:
        return len(self.runs[-1]["replies"]) if self.runs else 0

    def __call__(self, messages: Any) -> str:
        run = self.runs[-1] if self.runs else self.start()
        if len(run["replies"]) >= CAP:
            raise Runaway(f"the agent called the model {CAP} times in one run")
        if isinstance(messages, Sequence) and len(messages) > MAX_MESSAGES:
            raise Runaway(f"the conversation holds {len(messages)} messages: messages kept from earlier runs?")
        if self.light:  # tuples, compared by identity of the same strings first: cheap for thousands of runs
            seen = message_pairs(messages)
            previous, run["last"] = run["last"], seen
            run["calls"].append(len(seen) if isinstance(seen, list) else -1)
            if previous is not None and not extends(previous, run["replies"][-1], seen):
                run["edits"].append(len(run["replies"]))
        else:
            run["calls"].append(snapshot(messages))
        try:
            reply = self.inner(messages)
        except Exception as exc:
            run["replies"].append({"raised": f"{type(exc).__name__}: {exc}"})
            raise
        run["replies"].append(reply)
        return reply


def message_pairs(messages: Any) -> list[tuple[Any, Any]] | None:
    """A conversation as (role, content) tuples; None when it is not a list of dicts."""
    try:
        return [(m.get("role"), m.get("content")) for m in messages]
    except (TypeError, AttributeError):
        return None


def extends(previous: Any, reply: Any, seen: Any) -> bool:
    """Whether ``seen`` is ``previous`` plus the model's ``reply`` and more (history kept append-only)."""
    if not isinstance(previous, list) or not isinstance(seen, list) or not isinstance(reply, str):
        return False
    n = len(previous)
    return seen[:n] == previous and len(seen) > n and seen[n] == ("assistant", reply)


def last_conversation(run: dict[str, Any]) -> Any:
    """The last conversation of a light run as [{"role", "content"}] (see SpyModel)."""
    last = run["last"]
    if not isinstance(last, list):
        return None
    return [{"role": jsonable(role), "content": jsonable(content)} for role, content in last]


class ToolLog:
    """What the spied tools received and returned, per run; ``clock()`` stamps each execution
    (the number of model replies so far, when a SpyModel's ``replies_so_far`` is given)."""

    def __init__(self, clock: Callable[[], int] | None = None) -> None:
        self.runs: list[list[dict[str, Any]]] = []
        self.clock = clock

    def start(self) -> list[dict[str, Any]]:
        self.runs.append([])
        return self.runs[-1]


def spy_tool(tool: Tool, log: ToolLog) -> Tool:
    """``tool`` whose function records each execution: arguments by name (positional ones bound in
    schema order), how many came positionally, and the result or the exception."""
    names = list(tool.parameters["properties"])
    inner = tool.function

    def function(*args: Any, **kwargs: Any) -> Any:
        run = log.runs[-1] if log.runs else log.start()
        if len(run) >= CAP:
            raise Runaway(f"the agent called tools {CAP} times in one run")
        bound = dict(zip(names, args, strict=False)) | kwargs
        record: dict[str, Any] = {"tool": tool.name, "arguments": jsonable(bound), "positional": len(args)}
        if log.clock is not None:
            record["turn"] = log.clock()
        run.append(record)
        try:
            out = inner(*args, **kwargs)
        except Exception as exc:
            record["raised"] = f"{type(exc).__name__}: {exc}"
            raise
        record["result"] = jsonable(out)
        return out

    function.__name__ = tool.name
    return Tool(tool.name, tool.description, dict(tool.parameters), function)


def agent_class(ctx: ProbeContext) -> Any:
    return ctx.get(ctx.load(FILE), "Agent")


def make_agent(cls: Any, model: Any, tools: list[Tool], max_steps: int | None) -> Any:
    """``Agent(model, tools)`` (the default max_steps) or ``Agent(model, tools, max_steps=...)``."""
    return cls(model, tools) if max_steps is None else cls(model, tools, max_steps=max_steps)


def run_task(agent: Any, text: str) -> dict[str, Any]:
    """``agent.run(text)`` as plain data; an exception out of run() is recorded (NotImplementedError propagates)."""
    try:
        result = agent.run(text)
    except NotImplementedError:
        raise
    except Runaway as exc:
        return {"runaway": str(exc)}
    except Exception as exc:
        return {"raised": f"{type(exc).__name__}: {exc}"[:500]}
    return plain(result)


def plain(result: Any) -> dict[str, Any]:
    """A Result (or anything with answer / calls / error) as plain data."""
    if not hasattr(result, "answer") or not hasattr(result, "calls"):
        return {"bad_result": f"{type(result).__name__}: {result!r}"[:300]}
    calls = []
    try:
        for call in list(result.calls):
            calls.append({name: jsonable(_field(call, name)) for name in ("tool", "arguments", "result", "error")})
    except TypeError:
        return {"bad_result": f"calls is {type(result.calls).__name__}, not a list"}
    return {"answer": jsonable(result.answer), "error": jsonable(getattr(result, "error", None)), "calls": calls}


def _field(call: Any, name: str) -> Any:
    if isinstance(call, Mapping):
        return call.get(name, MISSING)
    return getattr(call, name, MISSING)
