"""Roles and models of the judge that misbehave on purpose (child side), substituted for one of the learner's roles.

Each has only ``name`` and ``handle``, the two things a system may use of a role.

* ``Crashing``: ``handle`` raises.
* ``Silent``: ``handle`` returns no message, ever.
* ``Hanging``: ``handle`` blocks until the probe releases it (far beyond the system's ``timeout_s``),
  then returns a late reply, which the system must ignore.
* ``Rogue``: answers every delivery with one message the declared protocol forbids.
* ``Bouncer``: answers every request with a valid reply that hands off to another worker, forever:
  two of them make an endless ping-pong unless the system bounds its messages.
* ``FailingModel``: a model that raises (the role around it must turn that into a failure).
"""

from __future__ import annotations

import threading
from typing import Any

CRASH = "worker process died (segmentation fault in a native library)"
MODEL_DOWN = "model server unavailable (HTTP 503)"


class Crashing:
    def __init__(self, name: str) -> None:
        self.name = name

    def handle(self, message: Any) -> list[Any]:
        raise RuntimeError(CRASH)


class Silent:
    def __init__(self, name: str) -> None:
        self.name = name

    def handle(self, message: Any) -> list[Any]:
        return []


class Hanging:
    def __init__(self, name: str, release: threading.Event, hang_s: float) -> None:
        self.name = name
        self.release = release
        self.hang_s = hang_s

    def handle(self, message: Any) -> list[Any]:
        self.release.wait(self.hang_s)
        return [_reply(self.name, message, {"answer": "late answer from a role that timed out", "needs": None})]


class Rogue:
    """Answers each delivery with a message to ``recipient`` of ``kind`` that the protocol forbids it."""

    def __init__(self, name: str, recipient: str, kind: str, content: Any) -> None:
        self.name = name
        self.recipient, self.kind, self.content = recipient, kind, content

    def handle(self, message: Any) -> list[Any]:
        from llmpath.agents.protocol import Message

        return [Message("", self.name, self.recipient, self.kind, self.content, getattr(message, "id", None))]


class Bouncer:
    """Replies to every request with a handoff to ``needs``; anything else gets no answer."""

    def __init__(self, name: str, needs: str) -> None:
        self.name = name
        self.needs = needs
        self.count = 0

    def handle(self, message: Any) -> list[Any]:
        if getattr(message, "kind", None) != "request":
            return []
        self.count += 1
        answer = f"The next step needs the {self.needs} tool, which I do not hold (bounce {self.count})."
        return [_reply(self.name, message, {"answer": answer, "needs": self.needs})]


class FailingModel:
    def __call__(self, messages: Any) -> str:
        raise RuntimeError(MODEL_DOWN)


def _reply(name: str, message: Any, content: dict[str, Any]) -> Any:
    from llmpath.agents.protocol import Message

    return Message("", name, message.sender, "reply", {"answer": None, "needs": None, "error": None} | content,
                   message.id)
