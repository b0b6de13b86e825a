"""Name the likely bug: simulate the classic BPE bugs and find the one that reproduces the learner's output."""

from __future__ import annotations

from collections.abc import Callable

from llmpath.validators.m8_bpe.reference import (
    encode_first_found,
    encode_highest_first,
    encode_reference,
    encode_seq,
    merge_rtl,
    pair_counts,
    replay,
    to_seq,
)

_ORD = "using ord() instead of the UTF-8 bytes: start from list(text.encode('utf-8')), so ids 0..255 are bytes"
_PER_TOKEN = (
    "decoding token by token: a multi-byte character split over several tokens becomes U+FFFD; "
    "join all the tokens' bytes first, then decode once"
)


def _keeps_merged_tokens(joined: bytes, data: bytes) -> bool:
    """Whether ``data`` is ``joined`` with some bytes left out (an encode that also kept merged tokens)."""
    it = iter(joined)
    return all(any(b == c for c in it) for b in data)


def _roundtrip_diagnosis(s: str, ids: list[int], back: str, vocab: dict | None) -> str | None:
    wide = {ord(c) for c in s if ord(c) > 127}
    if wide and (ids == [ord(c) for c in s] or any(i in wide and i >= len(vocab or ()) for i in ids)):
        return _ORD
    if not isinstance(vocab, dict) or not all(i in vocab and isinstance(vocab[i], bytes) for i in ids):
        return None
    joined = b"".join(vocab[i] for i in ids)
    data = s.encode("utf-8")
    if len(joined) > len(data) and _keeps_merged_tokens(joined, data):
        return (f"the ids spell {len(joined)} bytes for a text of {len(data)}: a merged pair's second token is "
                "kept; merge() must step past both tokens of a match (i += 2, not i += 1)")
    if joined == data:
        per_token = "".join(vocab[i].decode("utf-8", errors="replace") for i in ids)
        if back == per_token:
            return _PER_TOKEN
        return "encode is right (the ids spell the text's UTF-8 bytes in your vocab) but decode is not"
    return "the ids do not spell the text's UTF-8 bytes in your own vocab: encode (or vocab) changes the bytes"

def _stale_counts(segs: list, merges: list) -> bool:
    """Whether the merges follow the pair counts of the *untouched* text, most frequent first: counted once."""
    counts = pair_counts(segs)
    for pair, _new in merges[: max(3, min(len(merges), 12))]:
        key = (chr(pair[0]), chr(pair[1]))
        if max(pair) > 255 or counts.get(key, 0) < max(max(counts.values(), default=0), 1):
            return False
        del counts[key]
    return True


def _replay_diagnosis(text: str, chunks: list, merges: list, chunked: bool) -> str | None:
    """Which classic bug makes the learner's merges consistent (each pair a maximum) all the way?"""
    utf8 = [(to_seq(c.encode("utf-8")), w) for c, w in chunks]
    if len(merges) >= 3 and _stale_counts(utf8, merges):
        return ("stale pair counts: the merges follow the pair counts of the original text, as if counted once; "
                "every merge changes its neighbours' pairs, so count the pairs again after each merge")
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
