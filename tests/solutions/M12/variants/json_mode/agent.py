"""M12 variant: a JSON-mode loop.

Every observation is a tool message holding a JSON envelope ({"ok": true, "output": ...} or
{"ok": false, "error": ...}); the loop is a small state machine, one method per step; the schema
check is a validator class with one method per JSON type. Written independently of the reference.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from typing import Any

from llmpath.agents import Result, Tool, ToolCall

_OPEN = re.compile(r"\{")


def find_action(reply: str) -> dict[str, Any] | None:
    decoder = json.JSONDecoder()
    for match in _OPEN.finditer(reply):
        try:
            candidate, _end = decoder.raw_decode(reply[match.start():])
        except ValueError:
            continue
        if isinstance(candidate, dict) and ("tool" in candidate or "answer" in candidate):
            return candidate
    return None


class SchemaError(Exception):
    pass


class Validator:
    def __init__(self, tool: Tool) -> None:
        self.tool = tool

    def check(self, arguments: Any) -> None:
        if not isinstance(arguments, dict):
            raise SchemaError("'arguments' is not an object")
        absent = [n for n in self.tool.required if n not in arguments]
        if absent:
            raise SchemaError(f"missing argument '{absent[0]}'")
        for name, value in arguments.items():
            if name not in self.tool.properties:
                raise SchemaError(f"unknown argument '{name}'")
            schema = self.tool.properties[name]
            if not getattr(self, "is_" + schema["type"])(value):
                raise SchemaError(f"'{name}' should be {schema['type']}, not {type(value).__name__}")
            if "enum" in schema and value not in schema["enum"]:
                raise SchemaError(f"'{name}' must be one of {', '.join(map(str, schema['enum']))}")

    @staticmethod
    def is_string(v: Any) -> bool:
        return isinstance(v, str)

    @staticmethod
    def is_integer(v: Any) -> bool:
        return isinstance(v, int) and not isinstance(v, bool)

    @staticmethod
    def is_number(v: Any) -> bool:
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    @staticmethod
    def is_boolean(v: Any) -> bool:
        return v is True or v is False


@dataclasses.dataclass
class Episode:
    messages: list[dict[str, str]]
    calls: list[ToolCall] = dataclasses.field(default_factory=list)
    answer: str | None = None
    failure: str | None = None


class Agent:
    def __init__(self, model: Callable[[list[dict]], str], tools: list[Tool], max_steps: int = 8) -> None:
        self.model = model
        self.tools = {t.name: t for t in tools}
        self.max_steps = max_steps
        self.system = json.dumps({"instructions": "Reply with exactly one JSON object: a tool call "
                                  '{"tool", "arguments"} or a final {"answer"}.',
                                  "tools": [t.spec() for t in tools]})

    def run(self, task: str) -> Result:
        episode = Episode([{"role": "system", "content": self.system}, {"role": "user", "content": task}])
        for _step in range(self.max_steps):
            if self._step(episode):
                return Result(episode.answer, episode.calls, episode.failure)
        return Result(None, episode.calls, f"no answer within max_steps={self.max_steps}")

    def _step(self, episode: Episode) -> bool:
        """One model call and its consequence; True when the episode is over."""
        try:
            reply = self.model(episode.messages)
        except Exception as exc:
            episode.failure = f"the model failed with {type(exc).__name__}: {exc}"
            return True
        episode.messages.append({"role": "assistant", "content": reply})
        action = find_action(reply) if isinstance(reply, str) else None
        if action is not None and "tool" not in action:
            episode.answer = str(action["answer"])
            return True
        envelope = self._execute(action, episode.calls)
        episode.messages.append({"role": "tool", "content": json.dumps(envelope, ensure_ascii=False)})
        return False

    def _execute(self, action: dict[str, Any] | None, calls: list[ToolCall]) -> dict[str, Any]:
        if action is None:
            return {"ok": False, "error": "invalid reply: no JSON action found"}
        name = action["tool"]
        if not isinstance(name, str) or name not in self.tools:
            return {"ok": False, "error": f"unknown tool: {name}"}
        arguments = action.get("arguments", {})
        try:
            Validator(self.tools[name]).check(arguments)
        except SchemaError as exc:
            return {"ok": False, "error": f"invalid arguments for {name}: {exc}"}
        try:
            output = self.tools[name].function(**arguments)
        except Exception as exc:
            calls.append(ToolCall(name, arguments, error=f"{type(exc).__name__}: {exc}"))
            return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        calls.append(ToolCall(name, arguments, result=output))
        return {"ok": True, "output": output}
