"""Requests and their answers in a transcript (verdict side): every request answered or timed out, once, correctly.

``problems(messages, roles)`` lists each breach in words with a key:

* ``start``: the transcript does not open with the task from the user;
* ``ids``: an id repeats;
* ``wrong_reply``: an in_reply_to names no earlier message, or a message that is not the request it
  should answer (a reply from a role that was not asked, to a role that did not ask);
* ``twice``: a request answered more than once by the same role;
* ``unanswered``: a request with neither a reply nor a timeout by the end of the run;
* ``end``: the run does not end with exactly one result or failure that answers the task.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from llmpath.validators.m13_multi.records import answered_by, line, well_formed

Problem = tuple[str, str]


def problems(messages: Sequence[Mapping[str, Any]], roles: Sequence[str],
             ended_at_bound: bool = False) -> list[Problem]:
    """Every breach of the request/answer bookkeeping (``ended_at_bound``: open requests are excused)."""
    if not messages:
        return [("the transcript is empty", "start")]
    if not all(well_formed(m) for m in messages):
        return [("the transcript holds objects that are not protocol Messages", "start")]
    first = messages[0]
    found: list[Problem] = []
    if first["kind"] != "task" or first["sender"] != "user":
        found.append((f"the transcript opens with {line(first)}, not the user's task", "start"))
    ids = [m["id"] for m in messages]
    repeated = sorted({str(i) for i in ids if ids.count(i) > 1})
    if repeated:
        found.append((f"ids used more than once: {', '.join(repeated[:5])}", "ids"))
    found += _answers(messages, roles, ended_at_bound)
    found += _end(messages, str(first["id"]), ended_at_bound)
    return found


def _answers(messages: Sequence[Mapping[str, Any]], roles: Sequence[str], ended_at_bound: bool) -> list[Problem]:
    found: list[Problem] = []
    by_id: dict[Any, Mapping[str, Any]] = {}
    answered: dict[Any, list[str]] = {}
    for m in messages:
        if m["kind"] in ("reply", "timeout"):
            target = by_id.get(m["in_reply_to"])
            party = m["sender"] if m["kind"] == "reply" else _named(m)
            if target is None or target.get("kind") != "request":
                what = "no earlier message" if target is None else f"{line(target)}, which is no request"
                found.append((f"{line(m)} answers {what}", "wrong_reply"))
            elif party not in answered_by(target, roles) or m["recipient"] != target["sender"]:
                found.append((f"{line(m)} answers {line(target)}: the reply must come from the role asked and go "
                              "back to the role that asked", "wrong_reply"))
            elif party in answered.setdefault(target["id"], []):
                found.append((f"{line(target)} was answered twice by {party}", "twice"))
            else:
                answered[target["id"]].append(party)
        by_id.setdefault(m["id"], m)
    if ended_at_bound:
        return found
    for m in messages:
        if m["kind"] == "request":
            missing = [r for r in answered_by(m, roles) if r not in answered.get(m["id"], [])]
            if missing:
                found.append((f"{line(m)} was never answered by {', '.join(missing)}, nor timed out", "unanswered"))
    return found


def _named(timeout: Mapping[str, Any]) -> Any:
    content = timeout.get("content")
    return content.get("role") if isinstance(content, Mapping) else None


def _end(messages: Sequence[Mapping[str, Any]], task_id: str, ended_at_bound: bool) -> list[Problem]:
    ends = [i for i, m in enumerate(messages) if m["kind"] in ("result", "failure")]
    if not ends:
        return [] if ended_at_bound else [("the run ends without a result or failure message to the user", "end")]
    found: list[Problem] = []
    if len(ends) > 1:
        found.append((f"{len(ends)} results in one run: {line(messages[ends[1]])}", "end"))
    if ends[0] != len(messages) - 1:
        found.append((f"messages after the result: {line(messages[ends[0] + 1])}", "end"))
    last = messages[ends[0]]
    if last["in_reply_to"] != task_id:
        found.append((f"{line(last)} must answer the task ({task_id}), not {last['in_reply_to']}", "wrong_reply"))
    return found
