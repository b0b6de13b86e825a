"""Typed messages between the roles of a multi-agent system, and the protocol that says who may send what to whom.

(`llmpath.agents.Message` is the *chat* message a model reads; this module's ``Message`` is a
message of the system's protocol. Import it from here: ``from llmpath.agents.protocol import Message``.)

A message is ``Message(id, sender, recipient, kind, content, in_reply_to=None)``. The parties are
the system's roles (``"coordinator"``, ``"catalog"``, ...) and two that are not roles: ``"user"``,
who sends the task and receives the result, and ``"system"``, the runtime itself, which reports
timeouts and failures. ``recipient`` ``"*"`` is a broadcast: one message to every role but its sender.

=========  =====================  ==========================  ===============================================
kind       from -> to             in_reply_to                 content
=========  =====================  ==========================  ===============================================
task       user -> a role         -                           the task text (str)
request    role -> role, or "*"   (optional)                  ``{"task": str, "context": [str, ...]}``
reply      role -> role           the request it answers      ``{"answer": str|None, "needs": str|None,
                                                              "error": str|None}``
timeout    system -> role         the request that timed out  ``{"role": str, "error": str}``
result     role -> user           the task                    ``{"answer": str|None, "error": str|None,
                                                              "role": str|None}``
failure    system -> user         the task                    ``{"role": str|None, "error": str}``
=========  =====================  ==========================  ===============================================

* A **reply** carries the answer of the role's model verbatim; ``needs`` names the tool the next step
  needs when the model handed off (``{"answer": ..., "needs": "stock"}``, see `llmpath.agents.roles`);
  ``error`` says why the role has no answer (its model raised, its step limit ran out). Keys left out
  mean None.
* A **timeout** closes a request that will never be answered (its recipient crashed, stayed silent, or
  did not return within the system's time limit); ``role`` names that recipient.
* A **result** or a **failure** ends the run; ``role`` names the role blamed for a failure.

A protocol is a list of rules ``Rule(sender, kind, recipient)`` over the system's roles
(``recipient`` ``"*"`` allows the broadcast of that kind). ``Protocol(roles, rules)`` refuses rules
that contradict the table above (only the user sends tasks, only the system sends timeouts and
failures, results go to the user, nobody sends to itself). ``protocol.check(message)`` raises
`ProtocolError` for a message the rules do not allow or whose fields do not fit its kind, saying what
is allowed instead; a system calls it in ``send``, **before** anything is queued or delivered.

A role is any object with a ``name`` and ``handle(message) -> list[Message]`` (`Role`): it reacts to
one delivered message with the messages it sends. ``Run(answer, transcript, error, role)`` is what a
system's ``run(task)`` returns.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, runtime_checkable
from typing import Protocol as TypingProtocol

USER = "user"
SYSTEM = "system"
BROADCAST = "*"
KINDS: tuple[str, ...] = ("task", "request", "reply", "timeout", "result", "failure")
_ROLE, _ROLE_OR_ALL = "a role", "a role or '*'"
# kind -> (who may send it, who may receive it), as the table of the module docstring says
SHAPES: dict[str, tuple[str, str]] = {
    "task": (USER, _ROLE), "request": (_ROLE, _ROLE_OR_ALL), "reply": (_ROLE, _ROLE),
    "timeout": (SYSTEM, _ROLE), "result": (_ROLE, USER), "failure": (SYSTEM, USER),
}
# kind -> {content key: allowed types}; every key may be left out (None) unless REQUIRED lists it
CONTENT: dict[str, dict[str, tuple[type, ...]]] = {
    "request": {"task": (str,), "context": (list,)},
    "reply": {"answer": (str,), "needs": (str,), "error": (str,)},
    "timeout": {"role": (str,), "error": (str,)},
    "result": {"answer": (str,), "error": (str,), "role": (str,)},
    "failure": {"role": (str,), "error": (str,)},
}
REQUIRED: dict[str, tuple[str, ...]] = {"request": ("task",), "timeout": ("role",), "failure": ("error",)}
NEEDS_REPLY_TO = ("reply", "timeout", "result", "failure")


class ProtocolError(ValueError):
    """A message the protocol does not allow (or that does not fit its kind); nothing was sent."""


@dataclasses.dataclass(frozen=True)
class Message:
    """One message of the protocol (see the module docstring for kinds and contents).

    ``id``: unique within a run, and the same on every run with the same seed (a counter, never a
    uuid or a clock). ``in_reply_to``: the id of the message this one answers.
    """

    id: str
    sender: str
    recipient: str
    kind: str
    content: Any
    in_reply_to: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The message as plain JSON data."""
        return dataclasses.asdict(self)

    def __str__(self) -> str:
        reply = f" (re {self.in_reply_to})" if self.in_reply_to else ""
        body = json.dumps(self.content, ensure_ascii=False)
        return f"{self.id} {self.sender} -> {self.recipient} {self.kind}{reply}: {body[:160]}"


@dataclasses.dataclass(frozen=True)
class Rule:
    """``sender`` may send messages of ``kind`` to ``recipient`` (``"*"``: as a broadcast)."""

    sender: str
    kind: str
    recipient: str


class Protocol:
    """The declared roles and the rules over them; ``check(message)`` enforces them (see the module docstring)."""

    def __init__(self, roles: Iterable[str], rules: Iterable[Rule | tuple[str, str, str]]) -> None:
        self.roles: tuple[str, ...] = tuple(roles)
        if not self.roles or len(set(self.roles)) != len(self.roles):
            raise ValueError(f"Protocol: roles must be distinct names, got {self.roles}")
        for name in self.roles:
            if not isinstance(name, str) or not name or name in (USER, SYSTEM, BROADCAST):
                raise ValueError(f"Protocol: {name!r} cannot be a role name ('user', 'system' and '*' are taken)")
        self.rules: tuple[Rule, ...] = tuple(r if isinstance(r, Rule) else Rule(*r) for r in rules)
        for rule in self.rules:
            self._check_rule(rule)
        self._allowed = frozenset(self.rules)

    def _party(self, name: str, shape: str) -> bool:
        if shape == _ROLE:
            return name in self.roles
        if shape == _ROLE_OR_ALL:
            return name in self.roles or name == BROADCAST
        return name == shape

    def _check_rule(self, rule: Rule) -> None:
        if rule.kind not in SHAPES:
            raise ValueError(f"Protocol: {rule}: kind must be one of {', '.join(KINDS)}")
        senders, recipients = SHAPES[rule.kind]
        if not self._party(rule.sender, senders) or not self._party(rule.recipient, recipients):
            raise ValueError(f"Protocol: {rule}: a {rule.kind} goes from {senders} to {recipients} "
                             f"(roles: {', '.join(self.roles)})")
        if rule.sender == rule.recipient:
            raise ValueError(f"Protocol: {rule}: a role does not send messages to itself")

    def allows(self, message: Message) -> bool:
        """Whether ``check(message)`` would pass."""
        try:
            self.check(message)
        except ProtocolError:
            return False
        return True

    def allowed_from(self, sender: str) -> list[Rule]:
        """The rules for messages from ``sender``."""
        return [r for r in self.rules if r.sender == sender]

    def check(self, message: Message) -> None:
        """Raise `ProtocolError` unless the rules allow ``message`` and its fields fit its kind."""
        if not isinstance(message, Message):
            raise ProtocolError(f"not a llmpath.agents.protocol.Message: {type(message).__name__}")
        rule = Rule(message.sender, message.kind, message.recipient)
        if rule not in self._allowed:
            allowed = "; ".join(f"{r.kind} to {r.recipient}" for r in self.allowed_from(message.sender)) or "nothing"
            raise ProtocolError(f"the protocol does not let {message.sender} send {message.kind} to "
                                f"{message.recipient} (it may send: {allowed})")
        if message.kind in NEEDS_REPLY_TO and not (isinstance(message.in_reply_to, str) and message.in_reply_to):
            raise ProtocolError(f"a {message.kind} must say which message it answers (in_reply_to)")
        problem = content_problem(message.kind, message.content)
        if problem:
            raise ProtocolError(f"{message.kind} from {message.sender}: {problem}")


def content_problem(kind: str, content: Any) -> str | None:
    """What is wrong with ``content`` for a message of ``kind`` (None when it fits)."""
    if kind == "task":
        return None if isinstance(content, str) and content.strip() else "the content of a task is its text"
    fields = CONTENT[kind]
    if not isinstance(content, Mapping):
        return f"the content must be a dict with keys {sorted(fields)}, not {type(content).__name__}"
    extra = sorted(set(content) - set(fields))
    if extra:
        return f"unexpected content keys {extra} (a {kind} has {sorted(fields)})"
    for key in REQUIRED.get(kind, ()):
        if content.get(key) is None:
            return f"content[{key!r}] is required"
    for key, value in content.items():
        if value is not None and not isinstance(value, fields[key]):
            return f"content[{key!r}] must be {' or '.join(t.__name__ for t in fields[key])} or None"
    context = content.get("context")
    if kind == "request" and context is not None and not all(isinstance(c, str) for c in context):
        return "content['context'] must be a list of str"
    return None


@runtime_checkable
class Role(TypingProtocol):
    """A participant: ``name``, and ``handle(message)`` returning the messages it sends in response.

    A system may only use these two (the judge substitutes roles of its own to inject faults).
    """

    name: str

    def handle(self, message: Message) -> list[Message]: ...


@dataclasses.dataclass
class Run:
    """What ``System.run(task)`` returns.

    ``answer``: the final answer (the answering role's model's text, verbatim), or None.
    ``transcript``: every message of the run, in the order it was sent. ``error``: None after an
    answer, else why the run failed. ``role``: the role that failed (crashed, stayed silent, broke
    the protocol, had no answer), or None.
    """

    answer: str | None
    transcript: list[Message] = dataclasses.field(default_factory=list)
    error: str | None = None
    role: str | None = None

    @property
    def ok(self) -> bool:
        return self.answer is not None and self.error is None


def show_transcript(messages: Sequence[Message]) -> str:
    """A transcript as text, one message per line (the first thing to read when a system misbehaves)."""
    return "\n".join(str(m) for m in messages)
