"""Reading recorded conversations (verdict side): what was fed back, whether history only grew."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from llmpath.agents import contains_token


def show(value: Any, limit: int = 70) -> str:
    """A short one-line rendering of a value for messages (strings quoted)."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return repr(text) if isinstance(value, str) else text


def names_any(text: str, names: Sequence[str]) -> bool:
    """Some name occurs in ``text`` as a whole word."""
    return any(contains_token(text, name) for name in names)


def messages_of(call: Any) -> list[dict[str, Any]]:
    """A recorded conversation as a list of {"role", "content"} (malformed records give [])."""
    return [m for m in call if isinstance(m, dict)] if isinstance(call, list) else []


def observation(before: Any, after: Any) -> str:
    """What the agent added between two model calls, assistant messages left out."""
    old, new = messages_of(before), messages_of(after)
    added = new[len(old):] if new[: len(old)] == old else new
    return "\n".join(str(m.get("content")) for m in added if m.get("role") != "assistant")


def new_text(calls: Sequence[Any]) -> str:
    """The observation fed back after the first reply ("" when the model was called only once)."""
    return observation(calls[0], calls[1]) if len(calls) >= 2 else ""


def append_only(calls: Sequence[Any], replies: Sequence[Any]) -> int | None:
    """The index of the first call whose conversation is not the previous one + the reply verbatim + more."""
    for i in range(1, len(calls)):
        old, new = messages_of(calls[i - 1]), messages_of(calls[i])
        reply = replies[i - 1] if i - 1 < len(replies) else None
        n = len(old)
        if new[:n] != old or len(new) <= n or new[n] != {"role": "assistant", "content": reply}:
            return i
    return None


def history_problem(calls: Sequence[Any], replies: Sequence[Any]) -> str | None:
    """Why the history is not append-only, in words (None when it is)."""
    i = append_only(calls, replies)
    if i is None:
        return None
    old, new = messages_of(calls[i - 1]), messages_of(calls[i])
    n = len(old)
    if new[:n] != old:
        return f"model call {i + 1} does not start with the conversation of call {i}: earlier messages were changed"
    if len(new) <= n or new[n].get("role") != "assistant":
        return f"model call {i + 1}: the model's reply to call {i} is not the next message (append it as 'assistant')"
    return f"model call {i + 1}: the assistant message is not the model's reply verbatim: {show(new[n].get('content'))}"
