"""The tokenizer a checkpoint describes, read and rebuilt by llmpath itself (stdlib only).

checkpoint["tokenizer"] = {"merges": [[a, b], ...], "pattern": str}: merge k joined the tokens
a and b into the new id 256 + k, in the order learned; ``pattern`` is the regex that split the
text into chunks before the merges (minbpe's RegexTokenizer; "" when the text was not split).
"""

from __future__ import annotations

import re

from llmpath.validators.m8_bpe.reference import encode_reference


class SpecError(ValueError):
    """checkpoint["tokenizer"] is malformed; the message says how, the diagnosis what to do."""

    def __init__(self, message: str, diagnosis: str | None = None) -> None:
        super().__init__(message)
        self.diagnosis = diagnosis


_SAVE = (
    'save checkpoint["tokenizer"] = {"merges": [[a, b] for each merge in the order learned], '
    '"pattern": your split regex or ""}'
)


def _is_id(i: object) -> bool:
    return isinstance(i, int) and not isinstance(i, bool)


def parse_spec(spec: object) -> tuple[list[tuple[int, int]], str]:
    """(merges in order, pattern) from checkpoint["tokenizer"]; raises SpecError."""
    where = 'checkpoint["tokenizer"]'
    if not isinstance(spec, dict) or "merges" not in spec:
        raise SpecError(f'{where} is {type(spec).__name__}, expected a dict with "merges" and "pattern"', _SAVE)
    merges, pattern = spec["merges"], spec.get("pattern", "")
    if not isinstance(pattern, str):
        raise SpecError(f'{where}["pattern"] is a {type(pattern).__name__}, expected a str ("" for none)', _SAVE)
    if not isinstance(merges, (list, tuple)) or not merges:
        raise SpecError(
            f'{where}["merges"] is empty or not a list: M9 trains on the tokens of a BPE with '
            "vocab_size > 256 (your M8 tokenizer), not on bytes or characters",
            _SAVE,
        )
    out: list[tuple[int, int]] = []
    for k, pair in enumerate(merges):
        if not (isinstance(pair, (list, tuple)) and len(pair) == 2 and all(_is_id(i) for i in pair)):
            raise SpecError(f'{where}["merges"][{k}] is {pair!r}, expected a pair [a, b] of token ids', _SAVE)
        a, b = int(pair[0]), int(pair[1])
        if not (0 <= a < 256 + k and 0 <= b < 256 + k):
            raise SpecError(
                f"merge #{k} ({a}, {b}) -> {256 + k} uses an id that no earlier merge made",
                "the merges must be listed in the order learned (merge k makes id 256 + k): sort them by their new id",
            )
        out.append((a, b))
    if len(set(out)) != len(out):
        raise SpecError("the merges list a pair twice", "list each merge once, in the order learned")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise SpecError(f'{where}["pattern"] is not a regex that Python\'s re accepts: {exc}') from None
    return out, pattern


def vocab_of(merges: list[tuple[int, int]]) -> dict[int, bytes]:
    vocab = {i: bytes([i]) for i in range(256)}
    for k, (a, b) in enumerate(merges):
        vocab[256 + k] = vocab[a] + vocab[b]
    return vocab


def encode(text: str, merges: list[tuple[int, int]], pattern: str) -> list[int]:
    """llmpath's own encoding: split by ``pattern`` (if any), apply merges lowest id first in each chunk."""
    ranks = {pair: 256 + k for k, pair in enumerate(merges)}
    chunks = re.findall(pattern, text) if pattern else [text]
    cache: dict[str, list[int]] = {}
    out: list[int] = []
    for chunk in chunks:
        if chunk not in cache:
            cache[chunk] = encode_reference(chunk.encode("utf-8"), ranks)
        out += cache[chunk]
    return out
