"""The M8 probes (run in the child): train the learner's BPETokenizer on seeded text and return what it made."""

from __future__ import annotations

from typing import Any

from llmpath.validators.api import ContractError, ProbeContext, attempt
from llmpath.validators.m8_bpe.params import (
    CompressionParams,
    EncodeParams,
    MergesParams,
    ReplayParams,
    RoundtripParams,
)
from llmpath.validators.m8_bpe.texts import (
    CLASSIC,
    CLASSIC_CASES,
    INVALID_UTF8,
    corpus,
    heldout_cases,
    roundtrip_cases,
    training_text,
)

FILE = "bpe.py"
CLASS = "BPETokenizer"


def _tokenizer_class(ctx: ProbeContext) -> Any:
    return ctx.get(ctx.load(FILE), CLASS)


def _train(cls: Any, text: str, vocab_size: int) -> Any:
    tok = cls()
    tok.train(text, vocab_size)
    return tok


def _attr(tok: Any, name: str) -> Any:
    if not hasattr(tok, name):
        raise ContractError(
            f"M8: `{CLASS}` has no attribute `{name}` after train(); see the contract in milestones/M8/README.md"
        )
    return getattr(tok, name)


def _split(tok: Any, text: str) -> list[str] | None:
    """The chunks the learner's split pattern makes of ``text`` (None when there is no pattern).

    Uses the learner's own compiled pattern when it exposes one (minbpe's ``compiled_pattern``),
    else compiles ``pattern`` with the ``regex`` module (a dependency of llmpath), which also reads
    the ``re`` syntax and the Unicode classes of GPT-2's pattern (``\\p{L}``) that ``re`` lacks.
    """
    pattern = getattr(tok, "pattern", None)
    if hasattr(pattern, "findall"):  # a compiled pattern stored as `pattern`
        return list(pattern.findall(text))
    if not isinstance(pattern, str) or not pattern:
        return None
    compiled = getattr(tok, "compiled_pattern", None)
    if not hasattr(compiled, "findall"):
        compiled = _compile(pattern)
    return list(compiled.findall(text))


def _compile(pattern: str) -> Any:
    try:
        import regex as engine
    except ImportError:  # pragma: no cover - regex is a dependency; plain re reads most patterns
        import re as engine
    try:
        return engine.compile(pattern)
    except Exception as exc:  # noqa: BLE001 - regex.error, re.error, anything a hostile pattern raises
        raise ContractError(
            f"M8: your tokenizer's `pattern` {pattern[:80]!r} cannot be compiled by the `regex` module ({exc}), "
            "so llmpath cannot split text the way your tokenizer does; check the pattern, or expose the compiled "
            "one as `compiled_pattern` (minbpe's name)"
        ) from None


def _probe_roundtrip(ctx: ProbeContext) -> dict:
    p = RoundtripParams.model_validate(ctx.params)
    tok = _train(_tokenizer_class(ctx), training_text(p.train_chars, ctx.seed), p.vocab_size)
    cases = []
    for _label, s in roundtrip_cases(ctx.seed, p.n_random, p.long_chars):
        enc = attempt(lambda s=s: tok.encode(s))
        if "error" in enc:
            cases.append({"error": f"encode raised {enc['error']}"})
            continue
        dec = attempt(lambda ids=enc["value"]: tok.decode(ids))
        if "error" in dec:
            cases.append({"ids": enc["value"], "error": f"decode raised {dec['error']}"})
            continue
        cases.append({"ids": enc["value"], "text": dec["value"]})
    invalid = [attempt(lambda data=data: tok.decode(list(data))) for data in INVALID_UTF8]
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
