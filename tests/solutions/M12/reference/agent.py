"""M12 reference: a tool-using agent that follows exactly the allowed actions of llmpath.agents.optimum."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from llmpath.agents import Result, Tool, ToolCall

SYSTEM = (
    "You are a careful assistant. Solve the user's task with the tools below. Each reply must hold one JSON "
    'object: {"tool": NAME, "arguments": {...}} to call a tool, or {"answer": TEXT} when you are done.\n'
    "Tools:\n"
)


_DECODER = json.JSONDecoder()


def find_action(reply: str) -> dict[str, Any] | None:
    """The first JSON object in ``reply`` that has the key "tool" or "answer" (None if there is none)."""
    decoder = _DECODER
    start = reply.find("{")
    while start != -1:
        try:
            obj, _ = decoder.raw_decode(reply, start)
        except json.JSONDecodeError:
            obj = None
        if isinstance(obj, dict) and ("tool" in obj or "answer" in obj):
            return obj
        start = reply.find("{", start + 1)
    return None


def _type_ok(value: Any, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    return False


def validate(tool: Tool, arguments: Any) -> list[str]:
    """Every way ``arguments`` break ``tool``'s JSON Schema, each naming the argument."""
    if not isinstance(arguments, dict):
        return [f"'arguments' must be a JSON object, not {type(arguments).__name__}"]
    properties = tool.parameters.get("properties", {})
    required = tool.parameters.get("required", [])
    problems = [f"missing required argument '{name}'" for name in required if name not in arguments]
    for name, value in arguments.items():
        schema = properties.get(name)
        if schema is None:
            problems.append(f"unexpected argument '{name}' (allowed: {', '.join(properties)})")
        elif not _type_ok(value, schema["type"]):
            problems.append(f"argument '{name}' must be of type {schema['type']}, got {json.dumps(value)}")
        elif "enum" in schema and value not in schema["enum"]:
            problems.append(f"argument '{name}' must be one of {schema['enum']}, got {json.dumps(value)}")
    return problems


class Agent:
    """Runs a model in a loop with tools: parse, validate, execute, observe, until an answer or max_steps."""

    def __init__(self, model: Callable[[list[dict]], str], tools: list[Tool], max_steps: int = 8) -> None:
        self.model = model
        self.tools = {tool.name: tool for tool in tools}
        self.max_steps = max_steps
        self.system = SYSTEM + "\n".join(json.dumps(tool.spec()) for tool in tools)

    def run(self, task: str) -> Result:
        messages = [{"role": "system", "content": self.system}, {"role": "user", "content": task}]
        calls: list[ToolCall] = []
        for _ in range(self.max_steps):
            try:
                reply = self.model(messages)
            except Exception as exc:  # a failing model ends the run with a failure result, never a crash
                return Result(None, calls, f"the model raised {type(exc).__name__}: {exc}")
            if not isinstance(reply, str):
                reply = "" if reply is None else str(reply)
            messages.append({"role": "assistant", "content": reply})
            action = find_action(reply)
            if action is None:
                messages.append({"role": "user", "content": 'Error: no action found. Reply with one JSON object, '
                                 '{"tool": NAME, "arguments": {...}} or {"answer": TEXT}.'})
                continue
            if "answer" in action and "tool" not in action:
                return Result(str(action["answer"]), calls)
            messages.append({"role": "tool", "content": self._observe(action, calls)})
        return Result(None, calls, f"max_steps ({self.max_steps}) reached without an answer")

    def _observe(self, action: dict[str, Any], calls: list[ToolCall]) -> str:
        """Validate and run one tool call; the observation for the model (the output, or an error)."""
        name, arguments = action.get("tool"), action.get("arguments", {})
        tool = self.tools.get(name) if isinstance(name, str) else None
        if tool is None:
            return f"Error: unknown tool {json.dumps(name)}. Available tools: {', '.join(self.tools)}."
        problems = validate(tool, arguments)
        if problems:
            return f"Error: invalid call to {tool.name}: " + "; ".join(problems) + "."
        try:
            output = tool.function(**arguments)
        except Exception as exc:  # the tool's failure is the model's to read
            calls.append(ToolCall(tool.name, dict(arguments), None, f"{type(exc).__name__}: {exc}"))
            return f"Error: {tool.name} raised {type(exc).__name__}: {exc}"
        calls.append(ToolCall(tool.name, dict(arguments), output))
        return json.dumps(output)
