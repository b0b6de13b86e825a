"""Does a recorded task run follow the allowed actions of a system (`llmpath.agents.team`)? Checked rule by rule.

Each rule is one a system that plays fair never breaks, whatever the models draw, so one broken rule
fails m13.success on its own, with the run as evidence. Inside each role, M12's rules apply to each
model run (`llmpath.validators.m12_agent.conformance`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from llmpath.validators.m12_agent.conformance import check_run
from llmpath.validators.m12_agent.reference import offending, parse_action
from llmpath.validators.m12_agent.transcript import show

# compact transcript rows: [id, sender, recipient, kind, in_reply_to, digest of the content]
ID, SENDER, RECIPIENT, KIND, REPLY_TO, DIGEST = range(6)


def check_task_run(record: Mapping[str, Any], schemas: Mapping[str, Any], role_steps: int, max_messages: int,
                   roles: Sequence[str]) -> tuple[str, str] | None:
    """The first rule the run breaks, in words, with a key (None when it breaks none)."""
    run = record.get("run") or {}
    rows = run.get("rows") or []
    if len(rows) > max_messages:
        return f"{len(rows)} messages in one run; max_messages is {max_messages}", "bound"
    requests: dict[str, int] = {}
    seen: set[tuple[Any, ...]] = set()
    for row in rows:
        if row[KIND] == "task":  # a role that takes the task itself may run its model on it
            requests[row[RECIPIENT]] = requests.get(row[RECIPIENT], 0) + 1
        if row[KIND] == "request":
            for role in roles if row[RECIPIENT] == "*" else [row[RECIPIENT]]:
                if role != row[SENDER]:
                    requests[role] = requests.get(role, 0) + 1
            key = (row[SENDER], row[RECIPIENT], row[DIGEST])
            if key in seen:
                return f"{row[SENDER]} sent {row[RECIPIENT]} the same request twice (re-asking replays it)", "again"
            seen.add(key)
    tools = record.get("tools") or []
    for entry in tools:
        by = entry.get("by")
        if not by or by[0] != entry.get("holder"):
            who = f"a model call of {by[0]}" if by else "no model call"
            return f"{entry.get('tool')} (held by {entry.get('holder')}) ran after {who}", "foreign"
    answers: list[Any] = []
    for role, runs in (record.get("models") or {}).items():
        if len(runs) > requests.get(role, 0):
            return (f"{role}'s model was started {len(runs)} times for {requests.get(role, 0)} requests (a "
                    "conversation restarted or edited within one request: re-rolling?)"), "reroll"
        for index, model_run in enumerate(runs):
            found = _model_run(role, index, model_run, tools, schemas, role_steps)
            if found is not None:
                return found
            last = parse_action(model_run["replies"][-1]) if model_run.get("replies") else None
            if last is not None and "tool" not in last and last.get("needs") is None:
                answers.append(last.get("answer"))
    answer = run.get("answer")
    if answer is not None and answer not in answers:
        return f"the run answered {show(answer, 60)}, which no role's model answered (verbatim)", "composed"
    return None


def _model_run(role: str, index: int, model_run: Mapping[str, Any], tools: Sequence[Mapping[str, Any]],
               schemas: Mapping[str, Any], role_steps: int) -> tuple[str, str] | None:
    if model_run.get("n_calls", 0) > role_steps:
        return (f"{role}'s model was called {model_run['n_calls']} times in one conversation; role_steps is "
                f"{role_steps} (a conversation kept across requests?)"), "continued"
    if model_run.get("continued"):
        return (f"{role}'s model run {index + 1} began with earlier assistant messages: each request starts a "
                "fresh conversation"), "continued"
    found = _feedback(role, model_run, schemas)
    if found is not None:
        return found
    mine = [dict(e, turn=e["by"][2]) for e in tools if e.get("by") and e["by"][0] == role and e["by"][1] == index]
    rule = check_run({"replies": model_run.get("replies") or [], "n_calls": model_run.get("n_calls", 0),
                      "edits": [], "tools": mine, "answer": None}, schemas, role_steps)
    return None if rule is None else (f"{role}: {rule}", "m12")


def _feedback(role: str, model_run: Mapping[str, Any], schemas: Mapping[str, Any]) -> tuple[str, str] | None:
    """After an invalid call, the observation must name the bad tool or a bad argument (M12's allowed action 4)."""
    from llmpath.agents import ROSTER, contains_token

    own = ROSTER.get(role, ())
    for reply, seen in zip(model_run.get("replies") or [], model_run.get("observations") or [], strict=False):
        action = parse_action(reply)
        if action is None or "tool" not in action:
            continue
        name = action.get("tool")
        bad = [str(name)] if name not in own else offending(schemas.get(str(name)), action.get("arguments", {}))
        if bad and not any(contains_token(str(seen), b) for b in bad):
            return (f"{role}: after the invalid call {show(reply, 70)} the role fed back {show(seen, 60)}, which names "
                    f"none of {', '.join(bad)}"), "feedback"
    return None
