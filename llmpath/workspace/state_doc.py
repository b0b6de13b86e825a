"""The rules ``.llmpath/progress.json`` must follow, checked the same way by every command.

Pure Python (json, re and a keyed BLAKE2b), so that the instant ``status`` path runs exactly these
checks too, before the full path's pydantic models see the data:

* size, UTF-8, JSON, nesting, integers of sane size, finite numbers, the format version;
* every key and type (unknown keys are errors), timestamps as ``YYYY-MM-DDTHH:MM:SSZ``;
* the **seal**: a BLAKE2b of the rest of the document, keyed with a constant of llmpath's. It is not a
  secret (anyone who reads this file can compute one): it tells llmpath that the file is exactly what
  llmpath wrote, so that an edit by hand, by a merge, or by the learner's code is noticed and named
  instead of being believed.
"""

from __future__ import annotations

import json
from typing import Any

try:  # the C module behind hashlib.blake2b, without hashlib's OpenSSL start-up (~5 ms of status's budget)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - other Pythons
    from hashlib import blake2b

FORMAT = 2  # the progress format this llmpath writes; it reads 1 (unsealed, never completed) and 2
MAX_BYTES = 16 * 1024 * 1024
MAX_INT = 2**63
_SEAL_KEY = b"llmpath: progress written by llmpath"
_HEX_DIGITS = frozenset("0123456789abcdef")


def _is_time(text: str) -> bool:
    """``YYYY-MM-DDTHH:MM:SSZ`` (what fsutil.utc_now writes); a plain check, no regex to compile at start-up."""
    return (len(text) == 20 and text[4] == text[7] == "-" and text[10] == "T" and text[13] == text[16] == ":"
            and text[19] == "Z" and (text[:4] + text[5:7] + text[8:10] + text[11:13] + text[14:16]
                                     + text[17:19]).isdecimal() and text.isascii())


class Problems(Exception):
    """What is wrong with the document, one ``dotted.path: what`` per line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def canonical(doc: dict[str, Any]) -> bytes:
    """The bytes the seal covers: the document without its seal, keys sorted, ASCII."""
    body = {k: v for k, v in doc.items() if k != "seal"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode()


def seal_of(doc: dict[str, Any]) -> str:
    return blake2b(canonical(doc), key=_SEAL_KEY, digest_size=20).hexdigest()


def parse(raw: bytes) -> dict[str, Any]:
    """The document in ``raw``, checked; raises Problems naming what is wrong."""
    if len(raw) > MAX_BYTES:
        raise Problems([f"(file): {len(raw)} bytes, over the {MAX_BYTES // 2**20} MB a progress file can hold"])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Problems([f"(file): not UTF-8 text (byte {exc.start})"]) from None
    try:
        doc = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise Problems(["(file): nested too deeply to be a progress file"]) from None
    except ValueError as exc:  # JSONDecodeError, and integers of more than 4300 digits
        raise Problems([f"(file): not valid JSON ({exc})"]) from None
    if not isinstance(doc, dict):
        raise Problems([f"(top level): a JSON {type(doc).__name__}, expected an object"])
    version = doc.get("version")
    if type(version) is int and version > FORMAT:
        raise Problems([f"version: {version}: written by a newer llmpath (this one reads format {FORMAT} and "
                        "older); upgrade llmpath (`pip install -U llmpath`)"])
    problems: list[str] = []
    _document(doc, problems)
    if problems:
        raise Problems(problems)
    return doc


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _document(doc: dict[str, Any], out: list[str]) -> None:
    version = doc.get("version")
    if type(version) is not int or version < 1:
        out.append(f"version: {_short(version)}, expected 1 or {FORMAT}")
        return
    if version == 1:  # what llmpath 0.1 wrote: nothing that decides a verdict, and no completion (below)
        _keys(doc, "", {"version": True, "milestones": True}, out)
    else:
        _keys(doc, "", {"version": True, "milestones": True, "roadmap": False, "roadmap_log": False, "seal": True},
              out)
    milestones = doc.get("milestones")
    if not isinstance(milestones, dict):
        out.append("milestones: expected an object")
        return
    for mid, state in milestones.items():
        _milestone(state, f"milestones.{mid}", out, version)
    if "roadmap" in doc:
        _roadmap_ref(doc["roadmap"], "roadmap", out)
    if "roadmap_log" in doc:
        _roadmap_log(doc["roadmap_log"], out)
    if out:
        return
    seal = doc.get("seal")
    if version >= 2:
        if not isinstance(seal, str):
            out.append(f"seal: {_short(seal)}, expected the seal llmpath writes")
        elif seal != seal_of(doc):
            out.append("seal: does not match the contents: the file was changed outside llmpath (by hand, by a "
                       "merge, or by code other than llmpath's)")
    elif any(isinstance(s, dict) and s.get("completed_at") is not None for s in milestones.values()):
        out.append("version: 1 files carry no seal, so their completions cannot be verified")


def _keys(obj: dict[str, Any], where: str, allowed: dict[str, bool], out: list[str]) -> None:
    for key in obj:
        if key not in allowed:
            out.append(f"{where}{key}: unknown field")
    for key, required in allowed.items():
        if required and key not in obj:
            out.append(f"{where}{key}: missing")


def _milestone(state: Any, where: str, out: list[str], version: int) -> None:
    if not isinstance(state, dict):
        out.append(f"{where}: expected an object")
        return
    fields = {"unlocked_at": False, "completed_at": False, "commit": False, "tag": False, "last_check_at": False,
              "checks": False, "hints_revealed": False, "criterion_hints": False}
    if version >= 2:
        fields |= {"seed": False, "roadmap": False, "fingerprint": False}
    _keys(state, where + ".", fields, out)
    for name in ("unlocked_at", "completed_at", "last_check_at"):
        _time(state.get(name), f"{where}.{name}", out, optional=True)
    for name in ("commit", "tag", "roadmap", "fingerprint"):
        _string(state.get(name), f"{where}.{name}", out, optional=True)
    _integer(state.get("hints_revealed", 0), f"{where}.hints_revealed", out, low=0)
    _integer(state.get("seed"), f"{where}.seed", out, optional=True)
    revealed = state.get("criterion_hints", {})
    if not isinstance(revealed, dict):
        out.append(f"{where}.criterion_hints: expected an object")
    else:
        for cid, count in revealed.items():
            _integer(count, f"{where}.criterion_hints.{cid}", out, low=0)
    checks = state.get("checks", {})
    if not isinstance(checks, dict):
        out.append(f"{where}.checks: expected an object")
        return
    for cid, rec in checks.items():
        _record(rec, f"{where}.checks.{cid}", out)


def _record(rec: Any, where: str, out: list[str]) -> None:
    if not isinstance(rec, dict):
        out.append(f"{where}: expected an object")
        return
    _keys(rec, where + ".", {"status": True, "summary": True, "at": True, "fingerprint": True, "commit": False,
                             "seed": False, "metrics": False}, out)
    if rec.get("status") not in ("passed", "failed", "error"):
        out.append(f"{where}.status: {rec.get('status')!r}, expected passed, failed or error")
    _string(rec.get("summary"), f"{where}.summary", out)
    _time(rec.get("at"), f"{where}.at", out)
    _string(rec.get("fingerprint"), f"{where}.fingerprint", out)
    _string(rec.get("commit"), f"{where}.commit", out, optional=True)
    _integer(rec.get("seed", 0), f"{where}.seed", out)
    metrics = rec.get("metrics", {})
    if not isinstance(metrics, dict):
        out.append(f"{where}.metrics: expected an object")
        return
    for name, value in metrics.items():
        if type(value) not in (int, float) or not abs(value) < 1e308:
            out.append(f"{where}.metrics.{name}: {_short(value)}, expected a finite number")


def _roadmap_ref(ref: Any, where: str, out: list[str]) -> None:
    if ref is None:
        return
    if not isinstance(ref, dict):
        out.append(f"{where}: expected an object")
        return
    _keys(ref, where + ".", {"hash": True, "criteria": True, "origin": True, "at": False}, out)
    _hex(ref.get("hash"), f"{where}.hash", out)
    if ref.get("origin") not in ("builtin", "file"):
        out.append(f"{where}.origin: {ref.get('origin')!r}, expected builtin or file")
    _time(ref.get("at"), f"{where}.at", out, optional=True)
    criteria = ref.get("criteria")
    if not isinstance(criteria, dict):
        out.append(f"{where}.criteria: expected an object")
        return
    for cid, digest in criteria.items():
        _hex(digest, f"{where}.criteria.{cid}", out)


def _roadmap_log(log: Any, out: list[str]) -> None:
    if not isinstance(log, list):
        out.append("roadmap_log: expected a list")
        return
    for i, entry in enumerate(log):
        where = f"roadmap_log.{i}"
        if not isinstance(entry, dict):
            out.append(f"{where}: expected an object")
            continue
        _keys(entry, where + ".", {"at": True, "commit": True, "reason": True, "hash": True, "added": True,
                                   "removed": True, "changed": True}, out)
        _time(entry.get("at"), f"{where}.at", out)
        _string(entry.get("commit"), f"{where}.commit", out, optional=True)
        _string(entry.get("reason"), f"{where}.reason", out)
        _hex(entry.get("hash"), f"{where}.hash", out)
        for name in ("added", "removed", "changed"):
            items = entry.get(name)
            if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
                out.append(f"{where}.{name}: expected a list of criterion ids")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _string(value: Any, where: str, out: list[str], optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str):
        out.append(f"{where}: {_short(value)}, expected text")


def _hex(value: Any, where: str, out: list[str]) -> None:
    if not isinstance(value, str) or not 0 < len(value) <= 128 or not set(value) <= _HEX_DIGITS:
        out.append(f"{where}: {_short(value)}, expected a hexadecimal digest")


def _time(value: Any, where: str, out: list[str], optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str) or not _is_time(value):
        out.append(f"{where}: {_short(value)}, expected a UTC time like 2026-01-31T09:00:00Z")


def _integer(value: Any, where: str, out: list[str], optional: bool = False, low: int = -MAX_INT) -> None:
    if value is None and optional:
        return
    if type(value) is not int or not low <= value < MAX_INT:
        out.append(f"{where}: {_short(value)}, expected an integer")
