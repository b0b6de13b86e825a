"""The replies m12.parse sends, one per run, and what a correct agent does with each.

Each case is one scripted reply followed by ``{"answer": "done"}``. A *run* case holds a valid call
(in some format): the tool must run once with exactly those arguments, by keyword. A *reject* case
holds an invalid call: no tool may run, and the error fed back must name the bad tool or argument.
An *answer* case holds a final answer: the run returns its text. Values are drawn from the seed.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

from llmpath.agents import Tool, draws


def _schema(required: list[str], **properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


SCHEMAS: dict[str, dict[str, Any]] = {
    "book_room": _schema(
        ["building", "floor", "hours"],
        building={"type": "string", "description": "building name"},
        floor={"type": "integer", "description": "floor number"},
        hours={"type": "number", "description": "how long, in hours"},
        projector={"type": "boolean", "description": "whether a projector is needed (optional)"},
    ),
    "convert": _schema(
        ["amount", "currency"],
        amount={"type": "number", "description": "amount in euros"},
        currency={"type": "string", "enum": ["EUR", "USD", "GBP", "JPY"], "description": "target currency"},
    ),
    "lookup": _schema(["key"], key={"type": "string", "description": "the record key"}),
}
DESCRIPTIONS = {
    "book_room": "Book a meeting room; returns a booking code.",
    "convert": "Convert an amount of euros into another currency; returns a receipt code.",
    "lookup": "Look up a record by its key; returns the record's code.",
}


@dataclasses.dataclass(frozen=True)
class Case:
    label: str
    reply: str
    kind: str  # run | reject | answer
    tool: str | None = None
    arguments: dict[str, Any] | None = None  # for run cases: exactly what the tool must receive
    names: tuple[str, ...] = ()  # for reject cases: an error must name one of these
    answer: str | None = None  # for answer cases


def output_token(seed: int, tool: str, arguments: dict[str, Any]) -> str:
    """What a parse tool returns for these arguments (a code the observation must then contain)."""
    return f"R-{draws.integer(draws.key('m12.parse', seed, tool, sorted(arguments.items())), 10000, 99999)}"


def parse_tools(seed: int, make: Callable[[str, list[str]], Callable[..., Any]] | None = None) -> list[Tool]:
    """The three tools of the parse cases (functions that return `output_token`)."""
    tools = []
    for name, schema in SCHEMAS.items():
        function = (make or _function)(name, list(schema["properties"]))
        tools.append(Tool(name, DESCRIPTIONS[name], schema, _bind_seed(function, seed)))
    return tools


def _function(name: str, names: list[str]) -> Callable[..., Any]:
    def call(seed: int, *args: Any, **kwargs: Any) -> str:
        bound = dict(zip(names, args, strict=False)) | kwargs
        return output_token(seed, name, bound)

    return call


def _bind_seed(function: Callable[..., Any], seed: int) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        return function(seed, *args, **kwargs)

    return call


def _call(tool: str, arguments: dict[str, Any], indent: int | None = None) -> str:
    return json.dumps({"tool": tool, "arguments": arguments}, indent=indent, ensure_ascii=False)


def cases(seed: int) -> list[Case]:
    """Every case, in order, with values drawn from ``seed``."""
    k = draws.key("m12.parse", seed)
    building = draws.pick(draws.key(k, "b"), ["North", "Harbour", "Atrium", "Quarry", "Lantern"])
    floor = draws.integer(draws.key(k, "f"), 2, 29)
    hours = draws.pick(draws.key(k, "h"), [1.5, 2.25, 0.75, 3.5])
    amount = draws.integer(draws.key(k, "a"), 20, 900)
    key = f"rec-{draws.integer(draws.key(k, 'k'), 100, 999)}"
    room = {"building": building, "floor": floor, "hours": hours, "projector": True}
    look = {"key": key}
    money = {"amount": amount + 0.5, "currency": "USD"}
    run = [
        Case("bare JSON", _call("lookup", look), "run", "lookup", look),
        Case("pretty-printed JSON", _call("book_room", room, 2), "run", "book_room", room),
        Case("a ```json code fence", f"```json\n{_call('convert', money, 2)}\n```", "run", "convert", money),
        Case("a ``` code fence without a language", f"```\n{_call('lookup', look)}\n```", "run", "lookup", look),
        Case("prose before the JSON", f"Sure, I'll check that record.\n{_call('lookup', look)}", "run", "lookup", look),
        Case("prose after the JSON", f"{_call('lookup', look)} Then I will answer.", "run", "lookup", look),
        Case("a brace group after the JSON", f"{_call('lookup', look)}\nI will report it as {{code}}.",
             "run", "lookup", look),
        Case("brace groups before the JSON", f"Plan: {{look it up}} then {{answer}}.\n{_call('lookup', look)}",
             "run", "lookup", look),
        Case("a JSON object that is not an action before the call",
             f'{{"thought": "I need the record first"}}\n{_call("lookup", look)}', "run", "lookup", look),
        Case("arguments in an order unlike the schema's",
             _call("book_room", {"projector": False, "hours": hours, "floor": floor, "building": building}),
             "run", "book_room", {"projector": False, "hours": hours, "floor": floor, "building": building}),
        Case("an integer where the schema says number", _call("convert", {"amount": amount, "currency": "GBP"}),
             "run", "convert", {"amount": amount, "currency": "GBP"}),
        Case("an optional argument left out", _call("book_room", {"building": building, "floor": floor, "hours": 2}),
             "run", "book_room", {"building": building, "floor": floor, "hours": 2}),
        Case("a string argument with an unbalanced brace", _call("lookup", {"key": "rack{7"}),
             "run", "lookup", {"key": "rack{7"}),
        Case("a non-ASCII string argument", _call("lookup", {"key": "Zürich–Nord"}), "run", "lookup",
             {"key": "Zürich–Nord"}),
    ]
    bad_room = dict(room)
    reject = [
        Case("an unknown tool name", _call("lookup_record", look), "reject", names=("lookup_record",)),
        Case("a missing required argument", _call("book_room", {k: v for k, v in room.items() if k != "floor"}),
             "reject", names=("floor",)),
        Case("an unexpected extra argument", _call("lookup", {"key": key, "limit": 5}), "reject", names=("limit",)),
        Case("a string where an integer is required", _call("book_room", bad_room | {"floor": str(floor)}),
             "reject", names=("floor",)),
        Case("a fractional number where an integer is required", _call("book_room", bad_room | {"floor": floor + 0.5}),
             "reject", names=("floor",)),
        Case("true where an integer is required", _call("book_room", bad_room | {"floor": True}), "reject",
             names=("floor",)),
        Case("a string where a number is required", _call("convert", {"amount": str(amount), "currency": "USD"}),
             "reject", names=("amount",)),
        Case("true where a number is required", _call("book_room", bad_room | {"hours": True}), "reject",
             names=("hours",)),
        Case("a number where a string is required", _call("lookup", {"key": 4711}), "reject", names=("key",)),
        Case("a value outside the enum", _call("convert", {"amount": amount, "currency": "BTC"}), "reject",
             names=("currency",)),
        Case("null for a required argument", _call("lookup", {"key": None}), "reject", names=("key",)),
        Case("a string where a boolean is required", _call("book_room", bad_room | {"projector": "yes"}),
             "reject", names=("projector",)),
        Case("arguments that are not an object", '{"tool": "lookup", "arguments": ["' + key + '"]}', "reject",
             names=("arguments",)),
    ]
    final = f"The record {key} is filed under {{shelf 4}}."
    answer = [
        Case("a final answer in a code fence", f"```json\n{json.dumps({'answer': final})}\n```", "answer",
             answer=final),
        Case("a final answer in prose", f"All done.\n{json.dumps({'answer': final})}\nThanks!", "answer",
             answer=final),
    ]
    return run + reject + answer


FOLLOW_UP = json.dumps({"answer": "done"})
