"""M13: a multi-agent system: roles that cooperate by exchanging typed messages under a protocol.

The contract is in milestones/M13/README.md. llmpath gives you the message, the protocol and the
simulated roles' models (``llmpath.agents.protocol``, ``llmpath.agents.roles``, ``llmpath.agents.team``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from llmpath.agents import Tool
from llmpath.agents.protocol import SYSTEM, USER, Message, Protocol, Rule, Run

COORDINATOR = "coordinator"
WORKERS = ("catalog", "warehouse", "finance", "logistics")  # the roles that hold the tools (llmpath.agents.ROSTER)
ROLES = (COORDINATOR, *WORKERS)

# One Rule(sender, kind, recipient) per message your design needs; send() must refuse every other message.
PROTOCOL = Protocol(ROLES, [
    Rule(USER, "task", COORDINATOR),
    Rule(SYSTEM, "failure", USER),
    # TODO: requests from the coordinator to each worker, their replies, timeouts, the result
])


class Worker:
    """A role with a model and its own tools: answers each request with one M12 agent run."""

    def __init__(self, name: str, model: Any, tools: list[Tool], role_steps: int = 8) -> None:
        raise NotImplementedError("Worker.__init__: keep the name, the model, the tools and role_steps")

    def handle(self, message: Message) -> list[Message]:
        """A request -> [the reply]: the model's answer verbatim, its 'needs', or an error."""
        raise NotImplementedError("Worker.handle: run the M12 loop on a fresh conversation, reply to the request")


def build_roles(models: Mapping[str, Any], tools: Mapping[str, list[Tool]], role_steps: int = 8) -> list[Any]:
    """One object per name of ROLES, each with ``name`` and ``handle(message) -> list[Message]``."""
    raise NotImplementedError("build_roles: make the coordinator and one Worker per role of WORKERS")


class System:
    """Routes messages between roles: checks each against the protocol before sending, bounds and times the run."""

    def __init__(self, roles: list[Any], protocol: Protocol = PROTOCOL, max_messages: int = 40,
                 timeout_s: float = 5.0) -> None:
        raise NotImplementedError("System.__init__: index the roles by name; keep the protocol and the bounds")

    def send(self, message: Message) -> Message:
        """Check ``message`` (raise ProtocolError, nothing sent), give it the next id, record and queue it."""
        raise NotImplementedError("System.send: protocol.check first, then stamp, record and queue")

    def run(self, task: str) -> Run:
        """Deliver messages one at a time until a result (or a failure) reaches the user."""
        raise NotImplementedError("System.run: send the task, deliver in order, time out, bound; return a Run")
