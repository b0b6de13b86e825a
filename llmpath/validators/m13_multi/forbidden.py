"""The forbidden messages llmpath injects, derived from the learner's declared protocol (probe and verdict alike).

Each is a message that ``send`` must refuse with ``ProtocolError`` before anything is queued or
delivered; its content carries a marker (``INJECTED-<n>``) so that the verdict can tell whether it
ever reached a role or a transcript. Which forbidden triple is used is drawn from the check's seed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from llmpath.agents import draws

MARK = "INJECTED-"
NO_SUCH_MESSAGE = "INJECTED-no-such-message"


@dataclasses.dataclass(frozen=True)
class Injection:
    label: str  # what is wrong with it, in words
    key: str  # a short name for diagnoses: broadcast | direction | kind | sender | unanswered | content | in_reply_to
    fields: tuple[str, str, str, Any, str | None]  # sender, recipient, kind, content, in_reply_to

    @property
    def mark(self) -> str:
        return _mark_of(self.fields[3])


def _mark_of(content: Any) -> str:
    text = content if isinstance(content, str) else str(content.get("task") or content.get("answer"))
    return text.split(":")[0]


def _request(n: int) -> dict[str, Any]:
    return {"task": f"{MARK}{n}: What is the SKU code of the steel hinge?", "context": []}


def _reply(n: int) -> dict[str, Any]:
    return {"answer": f"{MARK}{n}: an answer nobody asked for", "needs": None, "error": None}


def injections(roles: Sequence[str], rules: Sequence[Sequence[str]], seed: int) -> list[Injection]:
    """The messages to inject for a protocol over ``roles`` with ``rules`` ([sender, kind, recipient], ...)."""
    allowed = {tuple(r) for r in rules}
    roles = list(roles)
    k = draws.key("m13", "inject", seed)
    out: list[Injection] = []
    requesters = [s for s, kind, _ in allowed if kind == "request"] or roles
    narrow = [s for s in sorted(set(requesters)) if (s, "request", "*") not in allowed]
    narrow = narrow or [s for s in roles if (s, "request", "*") not in allowed]
    if narrow:
        s = draws.pick(draws.key(k, "broadcast"), narrow)
        out.append(Injection(f"a broadcast request from {s} (the protocol allows {s} no broadcast)", "broadcast",
                             (s, "*", "request", _request(1), None)))
    triples = sorted((s, kind, r) for s in roles for r in [*roles, "user"] for kind in ("request", "result")
                     if s != r and (kind == "result") == (r == "user") and (s, kind, r) not in allowed)
    if triples:
        s, kind, r = draws.pick(draws.key(k, "direction"), triples)
        content = _request(2) if kind == "request" else {"answer": f"{MARK}2: a result from the wrong role"}
        out.append(Injection(f"a {kind} from {s} to {r}, which the protocol does not allow", "direction",
                             (s, r, kind, content, None if kind == "request" else "m1")))
    a, b = roles[0], roles[1 % len(roles)]
    out.append(Injection("a message of an unknown kind ('gossip')", "kind", (a, b, "gossip", _request(3), None)))
    out.append(Injection("a request from 'intruder', who is no role", "sender",
                         ("intruder", draws.pick(draws.key(k, "victim"), roles), "request", _request(4), None)))
    replies = sorted((s, r) for s, kind, r in allowed if kind == "reply")
    if replies:
        s, r = draws.pick(draws.key(k, "reply"), replies)
        out.append(Injection(f"a reply from {s} to {r} that answers no request ({NO_SUCH_MESSAGE})", "unanswered",
                             (s, r, "reply", _reply(5), NO_SUCH_MESSAGE)))
        out.append(Injection(f"a reply from {s} to {r} without in_reply_to", "in_reply_to",
                             (s, r, "reply", _reply(6), None)))
    requests = sorted((s, r) for s, kind, r in allowed if kind == "request")
    if requests:
        s, r = draws.pick(draws.key(k, "content"), requests)
        out.append(Injection(f"a request from {s} to {r} whose content is a plain string, not {{task, context}}",
                             "content", (s, r, "request", f"{MARK}7: look up the steel hinge", None)))
    return out


def build(injection: Injection, index: int) -> Any:
    """The injection as a protocol Message (id ``inj-<index>``)."""
    from llmpath.agents.protocol import Message

    sender, recipient, kind, content, in_reply_to = injection.fields
    return Message(f"inj-{index}", sender, recipient, kind, content, in_reply_to)


def marked(value: Any) -> bool:
    """Whether a recorded message (or any value) carries an injection marker."""
    return MARK in str(value)


def rogue_fields(roles: Sequence[str], rules: Sequence[Sequence[str]], rogue: str) -> tuple[str, str, Any] | None:
    """(recipient, kind, content) of a message the protocol forbids ``rogue`` to send (None: it forbids nothing).

    A result straight to the user first (a role that bypasses the others), then a broadcast request,
    then a request to a role it may not ask.
    """
    allowed = {tuple(r) for r in rules}
    if (rogue, "result", "user") not in allowed:
        return "user", "result", {"answer": f"{MARK}R: the answer is 42", "error": None, "role": None}
    if (rogue, "request", "*") not in allowed:
        return "*", "request", {"task": f"{MARK}R: everyone, look up the steel hinge", "context": []}
    others = [r for r in roles if r != rogue and (rogue, "request", r) not in allowed]
    if others:
        return others[0], "request", {"task": f"{MARK}R: look up the steel hinge", "context": []}
    return None
