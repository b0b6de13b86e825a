"""Read the probes' raw values (BadOutput when malformed) and show them in failure messages."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from llmpath.validators.api import BadOutput


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def parse_ids(value: Any, what: str) -> list[int]:
    if hasattr(value, "tolist") and getattr(value, "ndim", None) == 1 and value.dtype.kind in "iu":
        value = value.tolist()
    if not isinstance(value, (list, tuple)) or not all(_is_int(i) for i in value):
        raise BadOutput(f"{what} returned {_type(value)}, expected a list of int token ids")
    return list(value)


def parse_merges(value: Any, what: str = "`merges`") -> list[tuple[tuple[int, int], int]]:
    if not isinstance(value, dict):
        raise BadOutput(f"{what} is {_type(value)}, expected dict[tuple[int, int], int]")
    out = []
    for key, new in value.items():
        if not (isinstance(key, tuple) and len(key) == 2 and all(_is_int(k) for k in key) and _is_int(new)):
            raise BadOutput(f"{what} has the entry {key!r}: {new!r}, expected (int, int): int")
        if not all(0 <= i < 0x110000 for i in (*key, new)):
            raise BadOutput(
                f"{what} has the entry {key!r}: {new!r}; token ids must be non-negative (and below 0x110000)"
            )
        out.append(((key[0], key[1]), new))
    return out


def parse_vocab(value: Any) -> dict[int, bytes]:
    if not isinstance(value, dict):
        raise BadOutput(f"`vocab` is {_type(value)}, expected dict[int, bytes]")
    for key, token in value.items():
        if not _is_int(key) or not isinstance(token, bytes):
            raise BadOutput(f"`vocab` has the entry {key!r}: {token!r}, expected int: bytes")
    return value


def parse_chunks(value: Any, text: str, what: str) -> list[str]:
    """The learner's chunks of ``text``; they must be pieces of it, in order."""
    if value is None:
        return [text]
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        raise BadOutput(f"splitting {what} with your `pattern` (findall) gave {_type(value)}, expected list[str]")
    pos = 0
    for c in value:
        found = text.find(c, pos)
        if found < 0:
            raise BadOutput(f"your `pattern` split {what} into chunks that are not pieces of it, in order: {c!r}")
        pos = found + len(c)
    return value


def _type(value: Any) -> str:
    return type(value).__name__


def show(s: str | bytes, limit: int = 48) -> str:
    if len(s) <= limit:
        return repr(s)
    return f"{s[:limit]!r}... ({len(s)} {'chars' if isinstance(s, str) else 'bytes'})"


def show_ids(ids: Sequence[int], limit: int = 12) -> str:
    ids = list(ids)
    return str(ids) if len(ids) <= limit else f"{str(ids[:limit])[:-1]}, ...] ({len(ids)} ids)"


def _token(vocab: dict[int, bytes], i: int) -> str:
    return f"{i} {show(vocab[i], 16)}" if i in vocab else str(i)


def _most_common(items: Sequence[str | None]) -> str | None:
    found = [d for d in items if d]
    return Counter(found).most_common(1)[0][0] if found else None


def _records(value: Any, n: int, keys: tuple[str, ...]) -> list[dict]:
    """The probe's per-input records: {"error": str} or a dict with ``keys``."""
    ok = isinstance(value, list) and len(value) == n and all(
        isinstance(r, dict) and (isinstance(r.get("error"), str) or all(k in r for k in keys)) for r in value
    )
    if not ok:
        raise BadOutput("the probe returned malformed records")
    return value
