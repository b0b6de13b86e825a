"""Reading the probes' task-run records (verdict side): did a run return, its transcript, and its bookkeeping.

A record is what ``harness.run_task`` returned: ``{"run": {...}, "elapsed", "deliveries", "models",
"tools", "runaway"}``, where ``run`` is a plain Run (answer, error, role, transcript) or says what
happened instead (``hung``, ``raised``, ``runaway``, ``bad_result``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from llmpath.validators.m12_agent.transcript import show

MESSAGE_KEYS = ("id", "sender", "recipient", "kind", "content", "in_reply_to")


def outcome(record: Any) -> dict[str, Any]:
    """The run's outcome dict ({} when the record is malformed)."""
    run = record.get("run") if isinstance(record, Mapping) else None
    return run if isinstance(run, dict) else {}


def run_problem(record: Any) -> tuple[str, str] | None:
    """Why the run gave no Run to judge, in words, with a key (hung | runaway | raised | bad_result | missing)."""
    run = outcome(record)
    if "runaway" in run:
        return f"the system did not stop: llmpath's spies stopped it after {run['runaway']}", "runaway"
    if "hung" in run:
        return f"run() had not returned after {run['hung']:g} s (a hang)", "hung"
    if "raised" in run:
        return f"run() raised {run['raised']}", "raised"
    if "bad_result" in run:
        return f"run() returned {run['bad_result']}, not a Run(answer, transcript, error, role)", "bad_result"
    if "transcript" not in run:
        return "no record of the run came back", "missing"
    return None


def transcript(record: Any) -> list[dict[str, Any]]:
    """The run's transcript as message dicts (messages that are not protocol Messages kept as their repr)."""
    messages = outcome(record).get("transcript")
    return [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []


def well_formed(message: Mapping[str, Any]) -> bool:
    return all(key in message for key in MESSAGE_KEYS)


def as_message(message: Mapping[str, Any]) -> Any:
    from llmpath.agents.protocol import Message

    return Message(*(message.get(key) for key in MESSAGE_KEYS))


def line(message: Mapping[str, Any]) -> str:
    """One message in one line: ``m3 catalog -> coordinator reply (re m2): {...}``."""
    if not well_formed(message):
        return show(message.get("__repr__", message), 90)
    reply = f" (re {message['in_reply_to']})" if message.get("in_reply_to") else ""
    return (f"{message['id']} {message['sender']} -> {message['recipient']} {message['kind']}{reply}: "
            f"{show(message['content'], 90)}")


def nonconforming(messages: Sequence[Mapping[str, Any]], protocol: Any) -> list[tuple[Mapping[str, Any], str]]:
    """The messages the declared protocol does not allow, each with the reason ``Protocol.check`` gives."""
    from llmpath.agents.protocol import ProtocolError

    bad = []
    for message in messages:
        if not well_formed(message):
            bad.append((message, "not a llmpath.agents.protocol.Message"))
            continue
        try:
            protocol.check(as_message(message))
        except ProtocolError as exc:
            bad.append((message, str(exc)))
        except Exception as exc:  # noqa: BLE001 - a field of an odd type (an id that is a list...)
            bad.append((message, f"{type(exc).__name__}: {exc}"))
    return bad


def answered_by(request: Mapping[str, Any], roles: Sequence[str]) -> list[str]:
    """The roles that must answer ``request`` (every role but the sender, for a broadcast)."""
    if request.get("recipient") == "*":
        return [r for r in roles if r != request.get("sender")]
    return [str(request.get("recipient"))]
