"""M13: a multi-agent system: roles that cooperate by exchanging typed messages under a protocol."""

from __future__ import annotations

import dataclasses
from typing import Any

# Which kinds of message each role may send, e.g. {"planner": {"task", "done"}, "worker": {"result"}}.
PROTOCOL: dict[str, set[str]] = {}


@dataclasses.dataclass(frozen=True)
class Message:
    """A message of the protocol."""

    sender: str
    recipient: str
    kind: str
    content: Any


class Role:
    """A participant with a name and a responsibility; it answers messages with messages."""

    def __init__(self, name: str) -> None:
        raise NotImplementedError("Role.__init__: keep the role's name (and any state it needs)")

    def handle(self, message: Message) -> list[Message]:
        """React to one message; return the messages this role sends in response."""
        raise NotImplementedError("Role.handle: subclass Role for each role and implement its behaviour")


class System:
    """Routes messages between roles, refusing any message the protocol does not allow."""

    def __init__(self, roles: list[Role]) -> None:
        raise NotImplementedError("System.__init__: index the roles by name")

    def send(self, message: Message) -> None:
        """Check `message` against PROTOCOL and queue it for its recipient; raise ValueError if not allowed."""
        raise NotImplementedError("System.send: validate sender, recipient and kind, then queue the message")

    def run(self, task: str, max_messages: int = 100) -> tuple[Any, list[Message]]:
        """Solve `task`: deliver messages until a role reports the result; return (result, transcript)."""
        raise NotImplementedError(
            "System.run: seed the first message, deliver until done or max_messages; return result and transcript"
        )
