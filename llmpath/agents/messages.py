"""The chat-message shape, and the one reply format every llmpath model uses.

A conversation is a list of messages, each a dict ``{"role": ROLE, "content": TEXT}`` (extra keys
such as ``"name"`` or ``"tool_call_id"`` are allowed and ignored)::

    [{"role": "system", "content": "You can call these tools: ..."},
     {"role": "user", "content": "How many units of the steel hinge are in stock at warehouse 3?"},
     {"role": "assistant", "content": '{"tool": "find_sku", "arguments": {"item": "steel hinge"}}'},
     {"role": "tool", "content": "SKU-40417"},
     ...]

A model is any callable ``model(messages) -> str`` (llmpath's simulated models, or a wrapper around a
real chat API). Each reply carries one action, written as a JSON object:

* a tool call: ``{"tool": "<tool name>", "arguments": {"<argument>": <value>, ...}}``
* a final answer: ``{"answer": "<text>"}``; a role of a multi-agent system that cannot take the next
  step adds the tool it needs, ``{"answer": "<what it found>", "needs": "<tool name>"}`` (a handoff,
  `llmpath.agents.roles`); for the rule below it is an answer like any other.

The object may come bare, pretty-printed over several lines, inside a Markdown code fence, or
inside prose, and the prose may hold other brace groups that are not JSON (``{units}``) or JSON
objects that are not actions (``{"thought": ...}``). **The rule**: the action is the first JSON
object in the reply, scanning left to right (at each ``{``, try to decode one complete JSON object
there, e.g. with ``json.JSONDecoder().raw_decode``), that has the key ``"tool"`` or ``"answer"``; an
object with ``"tool"`` is a call even if it also has ``"answer"``. A reply with no such object is not
an action: tell the model so (an error observation) and call it again.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypedDict

Role = Literal["system", "user", "assistant", "tool"]
ROLES: tuple[str, ...] = ("system", "user", "assistant", "tool")


class Message(TypedDict):
    """One chat message: ``{"role": "system"|"user"|"assistant"|"tool", "content": str}``."""

    role: Role
    content: str


def check_messages(messages: Any) -> list[Mapping[str, Any]]:
    """The conversation as a list, or TypeError naming the first malformed message (as a chat API would)."""
    if not isinstance(messages, Sequence) or isinstance(messages, (str, bytes)):
        raise TypeError(f"messages must be a list of {{'role', 'content'}} dicts, not {type(messages).__name__}")
    for i, message in enumerate(messages):
        if not isinstance(message, Mapping):
            raise TypeError(f"messages[{i}] must be a dict with 'role' and 'content', not {type(message).__name__}")
        role = message.get("role")
        if role not in ROLES:
            raise TypeError(f"messages[{i}]['role'] is {role!r}; expected one of {', '.join(ROLES)}")
        if not isinstance(message.get("content"), str):
            kind = type(message.get("content")).__name__
            raise TypeError(f"messages[{i}]['content'] must be a str, not {kind} (json.dumps a tool's output)")
    return list(messages)


def tool_call(tool: str, arguments: Mapping[str, Any]) -> str:
    """A tool call in the documented format, as compact JSON."""
    return json.dumps({"tool": tool, "arguments": dict(arguments)}, ensure_ascii=False)


def answer(text: str) -> str:
    """A final answer in the documented format, as compact JSON."""
    return json.dumps({"answer": text}, ensure_ascii=False)
