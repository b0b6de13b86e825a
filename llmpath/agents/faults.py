"""Scripted models for fault tests: each misbehaves in one documented way, deterministically.

* ``Scripted(replies)``: returns the given replies in order (then repeats the last one); handy for
  unit tests of your parser and loop.
* ``NeverStops(tool, arguments)``: always calls the same (valid) tool; never answers.
* ``Garbage(seed)``: replies that hold no action: prose, broken JSON, JSON without "tool"/"answer",
  an empty string.
* ``Raises(exception, after=0)``: answers ``after`` calls with a valid tool call, then raises
  ``exception`` on every call (a model server that fails).
* ``AnswersWithoutTool(text)``: answers at once, without calling any tool.

Each records the conversations it was called with in ``calls`` (copies), so a test can look at
what the agent sent.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from llmpath.agents import draws
from llmpath.agents.messages import answer, check_messages, tool_call


class _Recording:
    def __init__(self) -> None:
        self.calls: list[list[dict[str, Any]]] = []

    def _record(self, messages: Sequence[Mapping[str, Any]]) -> int:
        self.calls.append(copy.deepcopy(check_messages(messages)))
        return len(self.calls) - 1


class Scripted(_Recording):
    """Returns ``replies[0]``, ``replies[1]``, ... on successive calls, then the last one forever."""

    def __init__(self, replies: Sequence[str]) -> None:
        super().__init__()
        if not replies:
            raise ValueError("Scripted needs at least one reply")
        self.replies = list(replies)

    def __call__(self, messages: Sequence[Mapping[str, Any]]) -> str:
        i = self._record(messages)
        return self.replies[min(i, len(self.replies) - 1)]


class NeverStops(_Recording):
    """Always replies with the same valid tool call; a loop without a step limit never ends."""

    def __init__(self, tool: str, arguments: Mapping[str, Any]) -> None:
        super().__init__()
        self.reply = tool_call(tool, arguments)

    def __call__(self, messages: Sequence[Mapping[str, Any]]) -> str:
        self._record(messages)
        return self.reply


GARBAGE: tuple[str, ...] = (
    "I'm not sure what to do here.",
    '{"tool": "find_sku", "arguments": {"item": "steel hinge"',  # cut off
    "{'tool': 'find_sku', 'arguments': {'item': 'steel hinge'}}",  # Python repr, not JSON
    '{"thought": "maybe a tool?"}',  # JSON, but no action
    '["find_sku", {"item": "steel hinge"}]',
    "",
    "tool: find_sku(item=steel hinge)",
    "{{{ }}}",
)


class Garbage(_Recording):
    """Replies that hold no action (the ``GARBAGE`` strings, in a seeded order)."""

    def __init__(self, seed: int = 0) -> None:
        super().__init__()
        self.seed = seed

    def __call__(self, messages: Sequence[Mapping[str, Any]]) -> str:
        i = self._record(messages)
        return draws.pick(draws.key("garbage", self.seed, i), GARBAGE)


class Raises(_Recording):
    """Calls ``tool`` with ``arguments`` for the first ``after`` calls, then raises ``exception``."""

    def __init__(self, exception: BaseException | None = None, after: int = 0, tool: str = "find_sku",
                 arguments: Mapping[str, Any] | None = None) -> None:
        super().__init__()
        self.exception = exception or RuntimeError("model server unavailable (HTTP 503)")
        self.after = after
        self.reply = tool_call(tool, arguments if arguments is not None else {"item": "steel hinge"})

    def __call__(self, messages: Sequence[Mapping[str, Any]]) -> str:
        i = self._record(messages)
        if i < self.after:
            return self.reply
        raise self.exception


class AnswersWithoutTool(_Recording):
    """Answers at once with ``text``, whatever the task."""

    def __init__(self, text: str = "The answer is 42.") -> None:
        super().__init__()
        self.reply = answer(text)

    def __call__(self, messages: Sequence[Mapping[str, Any]]) -> str:
        self._record(messages)
        return self.reply

