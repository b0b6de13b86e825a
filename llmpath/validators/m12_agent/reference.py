"""llmpath's own reading of replies and arguments (the documented rules), used by the M12 verdicts."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

_DECODER = json.JSONDecoder()


def parse_action(reply: Any) -> dict[str, Any] | None:
    """The first JSON object in ``reply`` with the key "tool" or "answer" (the documented rule), or None."""
    if not isinstance(reply, str):
        return None
    start = reply.find("{")
    while start != -1:
        try:
            obj, _ = _DECODER.raw_decode(reply, start)
        except ValueError:
            obj = None
        if isinstance(obj, dict) and ("tool" in obj or "answer" in obj):
            return obj
        start = reply.find("{", start + 1)
    return None


def conforms(value: Any, schema: Mapping[str, Any]) -> bool:
    """One argument against its property schema (JSON Schema: bool is not a number; int is a number)."""
    kind = schema.get("type")
    if kind == "string":
        ok = isinstance(value, str)
    elif kind == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif kind == "boolean":
        ok = isinstance(value, bool)
    else:
        ok = False
    return ok and ("enum" not in schema or value in schema["enum"])


def offending(parameters: Mapping[str, Any] | None, arguments: Any) -> list[str]:
    """The names that make a call invalid: missing, unexpected or ill-typed arguments ([] when valid).

    ``parameters`` None means the tool does not exist (the caller names the tool itself).
    """
    if parameters is None:
        return ["<tool>"]
    if not isinstance(arguments, dict):
        return ["arguments"]
    properties = parameters.get("properties", {})
    bad = [n for n in parameters.get("required", []) if n not in arguments]
    bad += [n for n, v in arguments.items() if n not in properties or not conforms(v, properties[n])]
    return bad


def valid_call(action: Mapping[str, Any] | None, schemas: Mapping[str, Mapping[str, Any]]) -> bool:
    """Whether a parsed action is a tool call that an agent must execute."""
    if action is None or "tool" not in action:
        return False
    tool = action.get("tool")
    return isinstance(tool, str) and tool in schemas and not offending(schemas[tool], action.get("arguments", {}))


def same_value(a: Any, b: Any) -> bool:
    """Equal and of the same JSON type (3, 3.0, "3" and True are four different values here)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)
