"""M12 variant: a ReAct-style text loop.

Observations go back as user messages ("Observation: ..."), the reply is scanned character by
character for balanced brace groups (aware of JSON strings and escapes), and validation is a table
of type predicates. Written independently of the reference.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from llmpath.agents import Result, Tool, ToolCall

TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: type(v) is str,
    "integer": lambda v: type(v) is int,
    "number": lambda v: type(v) in (int, float),
    "boolean": lambda v: type(v) is bool,
}


def balanced_groups(text: str) -> Iterator[str]:
    """Every substring that starts at a '{' and ends at its matching '}' (braces in strings ignored)."""
    for start, ch in enumerate(text):
        if ch != "{":
            continue
        depth, in_string, escaped = 0, False, False
        for end in range(start, len(text)):
            c = text[end]
            if in_string:
                if escaped:
                    escaped = False
                elif c == "\\":
                    escaped = True
                elif c == '"':
                    in_string = False
            elif c == '"':
                in_string = True
            elif c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    yield text[start:end + 1]
                    break


def find_action(reply: str) -> dict[str, Any] | None:
    for group in balanced_groups(reply):
        try:
            value = json.loads(group)
        except ValueError:
            continue
        if isinstance(value, dict) and ({"tool", "answer"} & value.keys()):
            return value
    return None


def validate(tool: Tool, arguments: Any) -> list[str]:
    if type(arguments) is not dict:
        return ["the arguments must be a JSON object"]
    errors = []
    for name in tool.required:
        if name not in arguments:
            errors.append(f"{name}: required but missing")
    for name, value in arguments.items():
        spec = tool.properties.get(name)
        if spec is None:
            errors.append(f"{name}: not a parameter of {tool.name}")
        elif not TYPES[spec["type"]](value):
            errors.append(f"{name}: expected {spec['type']}")
        elif value not in spec.get("enum", [value]):
            errors.append(f"{name}: not one of {spec['enum']}")
    return errors


def signature(tool: Tool) -> str:
    return ", ".join(name + ": " + schema["type"] for name, schema in tool.properties.items())


class Agent:
    def __init__(self, model: Callable[[list[dict]], str], tools: list[Tool], max_steps: int = 8) -> None:
        self.model, self.max_steps = model, max_steps
        self.registry = {t.name: t for t in tools}
        listing = "\n".join(f"- {t.name}({signature(t)}): {t.description}" for t in tools)
        self.preamble = ("Answer the question. You may use these tools:\n" + listing +
                         '\nTo use a tool write {"tool": name, "arguments": {...}}; to finish write {"answer": text}.')

    def run(self, task: str) -> Result:
        transcript = [{"role": "system", "content": self.preamble}, {"role": "user", "content": task}]
        trace: list[ToolCall] = []
        steps = 0
        while steps < self.max_steps:
            steps += 1
            try:
                text = self.model(transcript)
            except Exception as problem:
                return Result(None, trace, f"model failure: {type(problem).__name__}: {problem}")
            text = text if isinstance(text, str) else str(text)
            transcript.append({"role": "assistant", "content": text})
            action = find_action(text)
            if action is not None and "tool" not in action:
                return Result(str(action["answer"]), trace)
            transcript.append({"role": "user", "content": "Observation: " + self.act(action, trace)})
        return Result(None, trace, f"gave up: max_steps={self.max_steps} replies without an answer")

    def act(self, action: dict[str, Any] | None, trace: list[ToolCall]) -> str:
        if action is None:
            return 'invalid reply: no JSON object with "tool" or "answer" was found'
        tool = self.registry.get(action["tool"]) if isinstance(action["tool"], str) else None
        if tool is None:
            return f"error: there is no tool called {action['tool']!r}"
        arguments = action.get("arguments", {})
        errors = validate(tool, arguments)
        if errors:
            return f"error in the call to {tool.name}: " + ", ".join(errors)
        try:
            value = tool.function(**arguments)
        except Exception as problem:
            trace.append(ToolCall(tool.name, arguments, None, f"{type(problem).__name__}: {problem}"))
            return f"error: {type(problem).__name__}: {problem}"
        trace.append(ToolCall(tool.name, arguments, value))
        return str(value)
