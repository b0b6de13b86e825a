"""Validators for M8: a byte-level BPE tokenizer with minbpe's interface (``milestones/M8/bpe.py``).

The learner's ``BPETokenizer()`` is trained on story text from ``llmpath.datasets`` followed by a
seeded "tricky" section (multi-byte characters, emoji, runs of one character, CRLF, NUL), then:

* ``m8.roundtrip``   decode(encode(s)) == s on adversarial and seeded random text; decoding ids whose
  bytes are invalid UTF-8 gives U+FFFD and never raises.
* ``m8.merges``      merge ids are 256, 257, ... in the order learned; vocab[new] == vocab[a] + vocab[b];
  exactly ``vocab_size - 256`` merges.
* ``m8.replay``      the training text is re-tokenized step by step with the learner's merges; at every
  step the learned pair must have the largest pair count (any tie-break passes), counted inside the
  chunks of the learner's split pattern when it has one (minbpe's RegexTokenizer exposes ``pattern``).
* ``m8.encode``      encode equals an encoder that applies the learner's own merges lowest id first, on
  held-out text and on the overlapping cases "aaa", "aaaa", "aaabdaaabac".
* ``m8.compression`` bytes per token on held-out text, next to a reference trainer's on the same text.
* ``m8.docs``        ``milestones/M8/VOCAB.md`` documents the vocabulary and the merge rules.

The texts, and the reference BPE the verdicts replay and compare with, are in
``m8_bpe_reference``. A learner's exception on one adversarial input is a finding (``failed``,
with the input), not a crash; NotImplementedError still reports the stub as not implemented.

Sizes: 3,000-6,000 characters of stories plus 1/8 as much tricky text, vocab_size 300-356. On a
loaded 2-core machine minbpe's naive trainer (O(text x merges)) takes 0.04-0.16 s per check for
BasicTokenizer and 0.08-0.30 s for RegexTokenizer; each check allows 60 s, so any correct
implementation, however naive, passes.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from llmpath.validators.api import BadOutput, Check, ContractError, ProbeContext, Verdict, VerdictContext
from llmpath.validators.m8_bpe_reference import (
    CLASSIC,
    CLASSIC_CASES,
    CLASSIC_IDS,
    INVALID_UTF8,
    corpus,
    encode_first_found,
    encode_highest_first,
    encode_reference,
    encode_seq,
    heldout_cases,
    merge_rtl,
    replay,
    roundtrip_cases,
    to_seq,
    train_reference,
    training_text,
    vocab_from,
    weighted,
)

FILE = "bpe.py"
CLASS = "BPETokenizer"
FFFD = "\ufffd"

# ---------------------------------------------------------------------------------- parameters


class _Train(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    train_chars: int = Field(3000, ge=500, description="characters of corpus text to train on (+1/8 tricky text)")
    vocab_size: int = Field(300, ge=260, le=50_000, description="vocab_size passed to train()")


class RoundtripParams(_Train):
    n_random: int = Field(40, ge=0, description="seeded random strings of up to 40 code points")
    long_chars: int = Field(6000, ge=1, description="length of the very long repeats")


class MergesParams(_Train):
    vocab_size: int = Field(320, ge=260, le=50_000)


class ReplayParams(_Train):
    train_chars: int = Field(6000, ge=500)
    vocab_size: int = Field(356, ge=260, le=50_000)


class _Heldout(_Train):
    heldout_chars: int = Field(4000, ge=100, description="characters of validation text to encode")


class EncodeParams(_Heldout):
    train_chars: int = Field(4000, ge=500)
    vocab_size: int = Field(340, ge=260, le=50_000)


class CompressionParams(_Heldout):
    train_chars: int = Field(6000, ge=500)
    vocab_size: int = Field(356, ge=260, le=50_000)
    heldout_chars: int = Field(4000, ge=100)
    tolerance: float = Field(
        0.05, ge=0.0, le=1.0,
        description="pass when bytes/token >= (1 - tolerance) x the reference trainer's on the same split; "
        "tie-breaks alone move it by about 1%",
    )


class DocsParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    file: str = Field("VOCAB.md", description="the vocabulary document, relative to milestones/M8/")
    min_words: int = Field(150, ge=0, description="a starter prompt is shorter than this")
    min_merge_examples: int = Field(5, ge=0, description="lines showing a learned merge, like `th + e -> the`")


# --------------------------------------------------------------------------------------- probes


def _tokenizer_class(ctx: ProbeContext) -> Any:
    return ctx.get(ctx.load(FILE), CLASS)


def _train(cls: Any, text: str, vocab_size: int) -> Any:
    tok = cls()
    tok.train(text, vocab_size)
    return tok


def _attr(tok: Any, name: str) -> Any:
    if not hasattr(tok, name):
        raise ContractError(f"M8: `{CLASS}` has no attribute `{name}` after train(); see the contract in milestones/M8/README.md")
    return getattr(tok, name)


def _split(tok: Any, text: str) -> list[str] | None:
    """The chunks the learner's split pattern makes of ``text`` (None when there is no pattern).

    Uses the learner's own compiled pattern when it exposes one (minbpe's ``compiled_pattern``),
    else compiles ``pattern`` with the regex module the learner's file imported (``regex`` or ``re``).
    """
    pattern = getattr(tok, "pattern", None)
    if hasattr(pattern, "findall"):  # a compiled pattern stored as `pattern`
        return list(pattern.findall(text))
    if not isinstance(pattern, str) or not pattern:
        return None
    compiled = getattr(tok, "compiled_pattern", None)
    if not hasattr(compiled, "findall"):
        learner = sys.modules.get(type(tok).__module__)
        engine: ModuleType = re
        for value in vars(learner).values() if learner else ():
            if isinstance(value, ModuleType) and value.__name__ == "regex":
                engine = value
        compiled = engine.compile(pattern)
    return list(compiled.findall(text))


def _attempt(fn: Callable[[], Any]) -> dict:
    """Run one call of the learner's code; an exception is a judged failure, not a crash."""
    try:
        return {"value": fn()}
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001 - any exception on an adversarial input is a finding
        return {"error": f"{type(exc).__name__}: {exc}"}


def _probe_roundtrip(ctx: ProbeContext) -> dict:
    p = RoundtripParams.model_validate(ctx.params)
    tok = _train(_tokenizer_class(ctx), training_text(p.train_chars, ctx.seed), p.vocab_size)
    cases = []
    for _label, s in roundtrip_cases(ctx.seed, p.n_random, p.long_chars):
        enc = _attempt(lambda: tok.encode(s))
        if "error" in enc:
            cases.append({"error": f"encode raised {enc['error']}"})
            continue
        dec = _attempt(lambda: tok.decode(enc["value"]))
        if "error" in dec:
            cases.append({"ids": enc["value"], "error": f"decode raised {dec['error']}"})
            continue
        cases.append({"ids": enc["value"], "text": dec["value"]})
    invalid = [_attempt(lambda: tok.decode(list(data))) for data in INVALID_UTF8]
    return {"cases": cases, "invalid": invalid, "vocab": getattr(tok, "vocab", None)}


def _probe_merges(ctx: ProbeContext) -> dict:
    p = MergesParams.model_validate(ctx.params)
    tok = _train(_tokenizer_class(ctx), training_text(p.train_chars, ctx.seed), p.vocab_size)
    return {"merges": _attr(tok, "merges"), "vocab": _attr(tok, "vocab")}


def _probe_replay(ctx: ProbeContext) -> dict:
    p = ReplayParams.model_validate(ctx.params)
    cls = _tokenizer_class(ctx)
    text = training_text(p.train_chars, ctx.seed)
    tok = _train(cls, text, p.vocab_size)
    classic = _train(cls, CLASSIC, 259)
    return {
        "merges": _attr(tok, "merges"),
        "chunks": _split(tok, text),
        "classic_merges": _attr(classic, "merges"),
        "classic_chunks": _split(classic, CLASSIC),
    }


def _probe_encode(ctx: ProbeContext) -> dict:
    p = EncodeParams.model_validate(ctx.params)
    cls = _tokenizer_class(ctx)
    tok = _train(cls, training_text(p.train_chars, ctx.seed), p.vocab_size)
    texts = [s for _, s in heldout_cases(p.heldout_chars, ctx.seed)]
    classic = _train(cls, CLASSIC, 259)
    return {
        "merges": _attr(tok, "merges"),
        "encoded": [tok.encode(s) for s in texts],
        "chunks": [_split(tok, s) for s in texts],
        "classic_merges": _attr(classic, "merges"),
        "classic_encoded": [classic.encode(s) for s in CLASSIC_CASES],
        "classic_chunks": [_split(classic, s) for s in CLASSIC_CASES],
    }


def _probe_compression(ctx: ProbeContext) -> dict:
    p = CompressionParams.model_validate(ctx.params)
    text = training_text(p.train_chars, ctx.seed)
    tok = _train(_tokenizer_class(ctx), text, p.vocab_size)
    heldout = corpus("validation", p.heldout_chars)
    return {
        "merges": _attr(tok, "merges"),
        "ids": tok.encode(heldout),
        "train_chunks": _split(tok, text),
        "heldout_chunks": _split(tok, heldout),
    }


# ------------------------------------------------------------------------------ output parsing


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
            raise BadOutput(f"{what} has the entry {key!r}: {new!r}; token ids must be non-negative (and below 0x110000)")
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


# ---------------------------------------------------------------------------------- verdicts

_ORD = "using ord() instead of the UTF-8 bytes: start from list(text.encode('utf-8')), so ids 0..255 are bytes"
_PER_TOKEN = (
    "decoding token by token: a multi-byte character split over several tokens becomes U+FFFD; "
    "join all the tokens' bytes first, then decode once"
)


def _roundtrip_diagnosis(s: str, ids: list[int], back: str, vocab: dict | None) -> str | None:
    wide = {ord(c) for c in s if ord(c) > 127}
    if wide and (ids == [ord(c) for c in s] or any(i in wide and i >= len(vocab or ()) for i in ids)):
        return _ORD
    if not isinstance(vocab, dict) or not all(i in vocab and isinstance(vocab[i], bytes) for i in ids):
        return None
    joined = b"".join(vocab[i] for i in ids)
    if joined == s.encode("utf-8"):
        per_token = "".join(vocab[i].decode("utf-8", errors="replace") for i in ids)
        if back == per_token:
            return _PER_TOKEN
        return "encode is right (the ids spell the text's UTF-8 bytes in your vocab) but decode is not"
    return "the ids do not spell the text's UTF-8 bytes in your own vocab: encode (or vocab) changes the bytes"


def _collapse(s: str) -> str:
    return re.sub(f"{FFFD}+", FFFD, s)


def _records(value: Any, n: int, keys: tuple[str, ...]) -> list[dict]:
    """The probe's per-input records: {"error": str} or a dict with ``keys``."""
    ok = isinstance(value, list) and len(value) == n and all(
        isinstance(r, dict) and (isinstance(r.get("error"), str) or all(k in r for k in keys)) for r in value
    )
    if not ok:
        raise BadOutput("the probe returned malformed records")
    return value


def _verdict_roundtrip(raw: dict, ctx: VerdictContext) -> Verdict:
    p = ctx.params
    cases = roundtrip_cases(ctx.seed, p.n_random, p.long_chars)
    records = _records(raw.get("cases"), len(cases), ("ids", "text"))
    vocab = raw.get("vocab") if isinstance(raw.get("vocab"), dict) else None
    problems: list[str] = []
    diagnoses: list[str | None] = []
    for (label, s), rec in zip(cases, records):
        if "error" in rec:
            problems.append(f"{label} {show(s)}: {rec['error']}")
            diagnoses.append(_ORD if "ValueError: bytes must be in range" in rec["error"] else None)
            continue
        ids = parse_ids(rec["ids"], f"encode({show(s, 20)})")
        back = rec["text"]
        if not isinstance(back, str):
            raise BadOutput(f"decode returned {_type(back)}, expected str")
        if back != s:
            problems.append(f"{label}: s = {show(s)} -> ids {show_ids(ids)} -> decode gave {show(back)}")
            diagnoses.append(_roundtrip_diagnosis(s, ids, back, vocab))
    n_text_problems = len(problems)
    invalid = _records(raw.get("invalid"), len(INVALID_UTF8), ("value",))
    for data, rec in zip(INVALID_UTF8, invalid):
        expected = data.decode("utf-8", errors="replace")
        if "error" in rec:
            problems.append(f"decode({list(data)}) (bytes {data!r}) raised {rec['error']}; expected {expected!r}")
            diagnoses.append("decode raises on invalid UTF-8: use bytes.decode('utf-8', errors='replace')")
            continue
        got = rec["value"]
        if not isinstance(got, str):
            raise BadOutput(f"decode returned {_type(got)}, expected str")
        if got == expected or (FFFD in got and _collapse(got) == _collapse(expected)):
            continue  # any number of U+FFFD per invalid run is accepted
        problems.append(f"decode({list(data)}) (bytes {data!r}) gave {got!r}, expected {expected!r}")
        if got == data.decode("utf-8", errors="ignore"):
            diagnoses.append("decode drops invalid bytes (errors='ignore'?); they must become U+FFFD (errors='replace')")
        elif got == "".join(bytes([b]).decode("utf-8", errors="replace") for b in data):
            diagnoses.append(_PER_TOKEN)
        elif got == data.decode("latin-1"):
            diagnoses.append("decode maps ids to characters with chr(); join the tokens' bytes and decode them as UTF-8")
        else:
            diagnoses.append(None)
    total = len(cases) + len(INVALID_UTF8)
    if problems:
        head = (
            f"decode(encode(s)) != s on {n_text_problems} of {len(cases)} texts"
            if n_text_problems
            else "decode(encode(s)) == s on every text"
        )
        bad_invalid = len(problems) - n_text_problems
        tail = f"; decode of ids that are not valid UTF-8 went wrong {bad_invalid} of {len(INVALID_UTF8)} times" if bad_invalid else ""
        return Verdict.failed(
            head + tail,
            f"trained with vocab_size={p.vocab_size} on {p.train_chars} chars of corpus + tricky text (seed {ctx.seed})",
            *problems[:6],
            *([f"... and {len(problems) - 6} more"] if len(problems) > 6 else []),
            diagnosis=_most_common(diagnoses),
            metrics={"roundtrip_failures": float(len(problems))},
        )
    return Verdict.passed(
        f"decode(encode(s)) == s on all {len(cases)} texts (empty, emoji/ZWJ, CJK, combining marks, CRLF, NUL, "
        f"long repeats, {p.n_random} seeded random); {len(INVALID_UTF8)} invalid-UTF-8 id lists decode with U+FFFD",
        metrics={"roundtrip_cases": float(total)},
    )


def _verdict_merges(raw: dict, ctx: VerdictContext) -> Verdict:
    p = ctx.params
    merges = parse_merges(raw.get("merges"))
    vocab = parse_vocab(raw.get("vocab"))
    text = training_text(p.train_chars, ctx.seed)
    problems: list[str] = []
    diagnoses: list[str | None] = []
    want = p.vocab_size - 256
    if len(merges) != want:
        problems.append(f"train(text, vocab_size={p.vocab_size}) learned {len(merges)} merges, expected {want}")
        diagnoses.append(
            f"one merge too {'many' if len(merges) > want else 'few'}: vocab_size counts the 256 byte tokens, "
            f"so learn exactly vocab_size - 256 merges"
            if abs(len(merges) - want) == 1
            else None
        )
    if len(vocab) != p.vocab_size:
        problems.append(f"len(vocab) is {len(vocab)}, expected vocab_size = {p.vocab_size}")
        diagnoses.append(None)
    ids = [new for _, new in merges]
    expected = list(range(256, 256 + len(merges)))
    if ids != expected:
        first = next(k for k, (a, b) in enumerate(zip(ids, expected)) if a != b) if ids else 0
        problems.append(f"merge ids in order are {show_ids(ids)}, expected 256, 257, ... (first difference at merge #{first})")
        if ids and sorted(ids) == expected:
            diagnoses.append("`merges` is not in the order learned: fill it as you learn (dicts keep insertion order)")
        elif ids and ids[0] in (255, 257) and ids == list(range(ids[0], ids[0] + len(ids))):
            diagnoses.append(f"the new ids start at {ids[0]}, not 256: the id offset is off by one")
        else:
            diagnoses.append(None)
    bad_bytes = [i for i in range(256) if vocab.get(i) != bytes([i])]
    if bad_bytes:
        i = bad_bytes[0]
        problems.append(f"vocab[{i}] is {vocab.get(i)!r}, expected {bytes([i])!r} (ids 0..255 are the single bytes)")
        diagnoses.append(None)
    seen: set[int] = set(range(256))
    for k, ((a, b), new) in enumerate(merges):
        if a not in seen or b not in seen:
            odd = a if a not in seen else b
            problems.append(f"merge #{k} {(a, b)} -> {new}: {odd} is not a byte or an earlier token")
            diagnoses.append(_ORD if odd >= 128 and chr(odd) in text else None)
        elif vocab.get(new) != vocab.get(a, b"?") + vocab.get(b, b"?"):
            problems.append(
                f"merge #{k} {(a, b)} -> {new}: vocab[{new}] = {vocab.get(new)!r}, expected "
                f"vocab[{a}] + vocab[{b}] = {vocab.get(a, b'?') + vocab.get(b, b'?')!r}"
            )
            reverse = vocab.get(new) == vocab.get(b, b"?") + vocab.get(a, b"?")
            diagnoses.append("vocab[new] is vocab[b] + vocab[a]: the concatenation is reversed" if reverse else None)
        seen.add(new)
        if len(problems) > 12:
            break
    if problems:
        return Verdict.failed(
            f"merges/vocab are inconsistent ({len(problems)} problem{'s' if len(problems) > 1 else ''})",
            f"trained with vocab_size={p.vocab_size} on {p.train_chars} chars of corpus + tricky text (seed {ctx.seed})",
            *problems[:6],
            diagnosis=_most_common(diagnoses),
        )
    return Verdict.passed(
        f"{len(merges)} merges with ids 256..{p.vocab_size - 1} in order; vocab[new] == vocab[a] + vocab[b] for each; "
        f"len(vocab) == {p.vocab_size}",
        metrics={"merges": float(len(merges))},
    )


def _verdict_replay(raw: dict, ctx: VerdictContext) -> Verdict:
    p = ctx.params
    text = training_text(p.train_chars, ctx.seed)
    runs = [
        (f"{p.train_chars} chars of corpus + tricky text (seed {ctx.seed}), vocab_size={p.vocab_size}", text, "", ""),
        (f"{CLASSIC!r}, vocab_size=259", CLASSIC, "classic_", f" after training on {CLASSIC!r}"),
    ]
    passed = []
    for where, trained_on, key, after in runs:
        merges = parse_merges(raw.get(key + "merges"), "`merges`" + after)
        chunked = raw.get(key + "chunks") is not None
        chunks = weighted(parse_chunks(raw.get(key + "chunks"), trained_on, "the training text"))
        segs = [(to_seq(c.encode("utf-8")), w) for c, w in chunks]
        n = sum(w for _, w in chunks)
        split = f", counted inside the {n} chunk{'s' * (n != 1)} of your `pattern`" if chunked else ""
        if not merges:
            return Verdict.failed(f"train learned no merges on {where}", *passed)
        mismatch = replay(segs, merges)
        if mismatch is None:
            passed.append(f"replayed {len(merges)} merges on {where}{split}")
            continue
        step, counts = mismatch
        vocab = vocab_from(merges)
        (a, b), new = merges[step]
        got = counts.get((chr(a), chr(b)), 0)
        best = max(counts.values(), default=0)
        top = [(ord(x), ord(y)) for (x, y), n in counts.most_common(3) if n == best]
        return Verdict.failed(
            f"merge #{step} of {len(merges)} is not a most frequent pair of the training text at that step",
            f"replayed on {where}{split}",
            f"merge #{step} ({_token(vocab, a)}, {_token(vocab, b)}) -> {new} occurs {got} times in the text as "
            f"tokenized by your first {step} merges, but the most frequent pair occurs {best} times: "
            + ", ".join(f"({_token(vocab, x)}, {_token(vocab, y)})" for x, y in top),
            *passed,
            *([] if chunked else [_NO_PATTERN]),
            diagnosis=_replay_diagnosis(trained_on, chunks, merges, chunked),
        )
    return Verdict.passed(
        "each learned merge was a most frequent pair at its step (ties may go either way)",
        *passed,
    )


_NO_PATTERN = (
    "(your tokenizer has no `pattern`, so pairs were counted over the whole text; if you split the text into "
    "chunks before counting, expose the split regex as `pattern`, as minbpe's RegexTokenizer does)"
)


def _replay_diagnosis(text: str, chunks: list, merges: list, chunked: bool) -> str | None:
    """Which classic bug makes the learner's merges consistent (each pair a maximum) all the way?"""
    utf8 = [(to_seq(c.encode("utf-8")), w) for c, w in chunks]
    if replay(utf8, merges, merge_rtl) is None:
        return (
            "overlapping pairs are merged from the right ('aaa' -> [a, X]); scan left to right and skip both "
            "tokens of a merged pair ('aaa' -> [X, a])"
        )
    if any(ord(ch) > 127 for ch in text) and replay(chunks, merges) is None:
        return _ORD
    if chunked and replay([(to_seq(text.encode("utf-8")), 1)], merges) is None:
        return (
            "counting pairs across chunk boundaries: your tokenizer has a split `pattern`, so count (and merge) "
            "pairs inside each chunk only (or set pattern = '' if you do not split)"
        )
    return None


def _verdict_encode(raw: dict, ctx: VerdictContext) -> Verdict:
    p = ctx.params
    cases = heldout_cases(p.heldout_chars, ctx.seed)
    merges = parse_merges(raw.get("merges"))
    classic_merges = parse_merges(raw.get("classic_merges"), "`merges` after training on 'aaabdaaabac'")
    groups = [
        ("trained on the corpus", cases, merges, raw.get("encoded"), raw.get("chunks")),
        (
            f"trained on {CLASSIC!r} with vocab_size=259",
            [(repr(s), s) for s in CLASSIC_CASES], classic_merges, raw.get("classic_encoded"), raw.get("classic_chunks"),
        ),
    ]
    problems: list[str] = []
    failures: list[_Case] = []
    n_texts = 0
    for origin, texts, learned, encoded, chunk_lists in groups:
        if not isinstance(encoded, list) or not isinstance(chunk_lists, list) or len(encoded) != len(texts):
            raise BadOutput("the probe returned a malformed list of encodings")
        ranks = dict(learned)
        vocab = vocab_from(learned)
        for (label, s), got, chunk_list in zip(texts, encoded, chunk_lists):
            n_texts += 1
            got = parse_ids(got, f"encode({show(s, 20)})")
            chunks = parse_chunks(chunk_list, s, label)
            want = [i for c in chunks for i in encode_reference(c.encode("utf-8"), ranks)]
            if got == want:
                continue
            k = next((i for i, (x, y) in enumerate(zip(got, want)) if x != y), min(len(got), len(want)))
            problems.append(
                f"{origin}, encode({show(s, 30)}): from token {k} on got "
                f"[{', '.join(_token(vocab, i) for i in got[k : k + 3])}...], expected "
                f"[{', '.join(_token(vocab, i) for i in want[k : k + 3])}...] ({len(got)} vs {len(want)} ids)"
            )
            failures.append((s, chunks, chunk_list is not None, ranks, got))
    classic_ids = [new for _, new in classic_merges]
    classic_got = parse_ids(raw["classic_encoded"][0], f"encode({CLASSIC!r})")
    if not problems and classic_ids == [256, 257, 258] and classic_got != CLASSIC_IDS:
        return Verdict.failed(
            f"after train({CLASSIC!r}, 259), encode({CLASSIC!r}) gave {classic_got}, expected {CLASSIC_IDS}",
            f"the 3 merges learned were {dict(classic_merges)}; any tie-break gives {CLASSIC_IDS}: the training "
            "is wrong (m8.replay says where)",
        )
    if problems:
        return Verdict.failed(
            f"encode differs from applying your own merges lowest id first on {len(problems)} of {n_texts} texts",
            f"corpus tokenizer: vocab_size={p.vocab_size}, {p.train_chars} training chars (seed {ctx.seed}); "
            f"{CLASSIC!r} tokenizer: 3 merges (any tie-break encodes it as {CLASSIC_IDS})",
            *problems[:5],
            diagnosis=_encode_diagnosis(failures) if failures else None,
        )
    return Verdict.passed(
        f"encode applies your merges lowest id first on {n_texts} texts (held-out corpus, multi-byte, "
        f"'aaa', 'aaaa', {CLASSIC!r} -> {CLASSIC_IDS})",
    )


_Case = tuple[str, list[str], bool, dict, list[int]]  # text, chunks, chunked?, ranks, learner's ids


def _by_chunk(fn: Callable[[bytes, dict], list[int]]) -> Callable[[_Case], list[int] | None]:
    return lambda case: [i for c in case[1] for i in fn(c.encode("utf-8"), case[3])]


# What a classic encode bug outputs, given the learner's own merges.
_ENCODE_BUGS: tuple[tuple[str, Callable[[_Case], list[int] | None]], ...] = (
    ("encode applies no merges: loop until no pair of the text is in merges", _by_chunk(lambda d, r: list(d))),
    (
        "merging the first mergeable pair found left to right instead of the lowest-ranked pair "
        "(the pair with the smallest merge id) present",
        _by_chunk(lambda d, r: encode_first_found(d, r, only_there=False)),
    ),
    (
        "merging the first mergeable pair found left to right instead of the lowest-ranked pair "
        "(the pair with the smallest merge id) present",
        _by_chunk(lambda d, r: encode_first_found(d, r, only_there=True)),
    ),
    (
        "merging the highest merge id first; apply the lowest-ranked (earliest learned) pair first",
        _by_chunk(encode_highest_first),
    ),
    (
        "overlapping pairs are merged from the right ('aaa' -> [a, X]); scan left to right and skip "
        "both tokens of a merged pair ('aaa' -> [X, a])",
        _by_chunk(lambda d, r: encode_reference(d, r, merge_rtl)),
    ),
    (_ORD, lambda case: [i for c in case[1] for i in encode_seq(c, case[3])]),
    (
        "encode ignores the split pattern: split the text into chunks and encode each one alone",
        lambda case: encode_reference(case[0].encode("utf-8"), case[3]) if case[2] else None,
    ),
)


def _encode_diagnosis(failures: list[_Case]) -> str | None:
    """The classic bug that reproduces every failing encoding (else the one that reproduces most)."""
    best, best_hits = None, 0
    for diagnosis, produce in _ENCODE_BUGS:
        hits = sum(1 for case in failures if produce(case) == case[4])
        if hits == len(failures):
            return diagnosis
        if hits > best_hits:
            best, best_hits = diagnosis, hits
    return best


def _verdict_compression(raw: dict, ctx: VerdictContext) -> Verdict:
    p = ctx.params
    text = training_text(p.train_chars, ctx.seed)
    heldout = corpus("validation", p.heldout_chars)
    merges = parse_merges(raw.get("merges"))
    ids = parse_ids(raw.get("ids"), "encode(held-out text)")
    vocab = vocab_from(merges)
    n_bytes = len(heldout.encode("utf-8"))
    spelled = b"".join(vocab.get(i, b"?") for i in ids)
    if spelled != heldout.encode("utf-8"):
        return Verdict.failed(
            "the ids of the held-out text do not spell its bytes (with the vocab your merges define)",
            f"{len(ids)} ids spell {show(spelled)}, the text is {show(heldout.encode('utf-8'))}",
        )
    chunked = raw.get("train_chunks") is not None
    train_chunks = parse_chunks(raw.get("train_chunks"), text, "the training text")
    held_chunks = parse_chunks(raw.get("heldout_chunks"), heldout, "the held-out text")
    ranks = train_reference(train_chunks, p.vocab_size)
    ref = sum(len(encode_reference(c.encode("utf-8"), ranks)) for c in held_chunks)
    ours = n_bytes / max(len(ids), 1)
    theirs = n_bytes / max(ref, 1)
    how = "with your split pattern" if chunked else "without a split pattern"
    line = (
        f"held-out text: {n_bytes} bytes -> {len(ids)} tokens = {ours:.3f} bytes/token; reference trainer "
        f"({how}, same text, vocab_size={p.vocab_size}): {ref} tokens = {theirs:.3f} bytes/token"
    )
    metrics = {"bytes_per_token": ours, "reference_bytes_per_token": theirs}
    if ours < (1 - p.tolerance) * theirs:
        return Verdict.failed(
            f"compresses held-out text to {ours:.3f} bytes/token, below {(1 - p.tolerance):.2f} x the reference's {theirs:.3f}",
            line,
            diagnosis="encode applies no merges" if len(ids) == n_bytes else None,
            metrics=metrics,
        )
    return Verdict.passed(f"{ours:.3f} bytes/token on held-out text (reference trainer: {theirs:.3f})", line, metrics=metrics)


# Topics VOCAB.md must touch: (what, alternatives of a case-insensitive regex).
_DOC_TOPICS = (
    ("the 256 byte tokens", r"\b256\b"),
    ("UTF-8", r"utf-?8"),
    ("how merges are learned (the most frequent pair)", r"frequen|most common|count"),
    ("the order merges are applied in when encoding", r"\brank|lowest|earliest|order|priority|first learned"),
    ("decoding and invalid UTF-8", r"u\+fffd|\ufffd|replace|invalid"),
)
_MERGE_LINE = re.compile(r"->|→|=>|\(\s*\d+\s*,\s*\d+\s*\)")  # an arrow, or a pair of ids


def _verdict_docs(raw: dict, ctx: VerdictContext) -> Verdict:
    p = ctx.params
    path = ctx.milestone_dir / p.file
    rel = f"milestones/{ctx.milestone}/{p.file}"
    if not path.is_file():
        return Verdict.failed(f"{rel} does not exist", "document your tokenizer's vocabulary and merge rules there")
    body = path.read_text(encoding="utf-8", errors="replace")
    words = len(re.findall(r"\w+", body))
    problems = []
    if words < p.min_words:
        problems.append(f"it has {words} words; write at least {p.min_words} (the starter prompt is not enough)")
    if re.search(r"\bTODO\b", body):
        problems.append("it still contains the starter's TODO placeholders")
    missing = [what for what, rx in _DOC_TOPICS if not re.search(rx, body, re.IGNORECASE)]
    if missing:
        problems.append("it does not mention: " + "; ".join(missing))
    examples = sum(1 for line in body.splitlines() if _MERGE_LINE.search(line))
    if examples < p.min_merge_examples:
        problems.append(
            f"it shows {examples} learned merges; show at least {p.min_merge_examples}, one per line, "
            f"like `t + h -> th (id 256)`"
        )
    if problems:
        return Verdict.failed(f"{rel} does not document the vocabulary and merge rules yet", *problems)
    return Verdict.passed(f"{rel} documents the vocabulary and merge rules ({words} words, {examples} merge lines)")


CHECKS: tuple[Check, ...] = (
    Check(
        name="m8.roundtrip",
        description="M8: decode(encode(s)) == s on adversarial text; invalid UTF-8 decodes to U+FFFD",
        probe=_probe_roundtrip,
        verdict=_verdict_roundtrip,
        params=RoundtripParams,
        timeout_s=60,
        memory_mb=1024,
    ),
    Check(
        name="m8.merges",
        description="M8: merge ids 256, 257, ... in order; vocab[new] == vocab[a] + vocab[b]; vocab size honoured",
        probe=_probe_merges,
        verdict=_verdict_merges,
        params=MergesParams,
        timeout_s=60,
        memory_mb=1024,
    ),
    Check(
        name="m8.replay",
        description="M8: each learned merge is a most frequent pair when the training is replayed",
        probe=_probe_replay,
        verdict=_verdict_replay,
        params=ReplayParams,
        timeout_s=60,
        memory_mb=1024,
    ),
    Check(
        name="m8.encode",
        description="M8: encode applies the learned merges lowest id first",
        probe=_probe_encode,
        verdict=_verdict_encode,
        params=EncodeParams,
        timeout_s=60,
        memory_mb=1024,
    ),
    Check(
        name="m8.compression",
        description="M8: bytes per token on held-out text, next to a reference trainer's",
        probe=_probe_compression,
        verdict=_verdict_compression,
        params=CompressionParams,
        timeout_s=60,
        memory_mb=1024,
    ),
    Check(
        name="m8.docs",
        description="M8: the vocabulary and merge rules are documented in milestones/M8/VOCAB.md",
        verdict=_verdict_docs,
        params=DocsParams,
    ),
)
