"""A reference BPE for the M8 validators (stdlib only: the registry imports it).

Reference BPE: a token sequence is a ``str`` whose characters are token ids (``chr(id)``).
``str.replace(chr(a) + chr(b), chr(new))`` is then exactly one BPE merge (left to right, never
overlapping) and ``Counter(zip(s, s[1:]))`` counts pairs at C speed, so replaying a learner's
training, or training a reference, on tens of kilobytes takes a fraction of a second. The same
module simulates the classic bugs (overlaps merged from the right, first-found pair, highest id
first) so that a verdict can name the one that reproduces the learner's output.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence


def to_seq(data: bytes) -> str:
    return data.decode("latin-1")  # byte b -> chr(b): the ids 0..255


def from_seq(seq: str) -> list[int]:
    return [ord(c) for c in seq]


def merge_ltr(seq: str, pair: tuple[int, int], new: int) -> str:
    """One BPE merge: every occurrence of ``pair``, left to right, never overlapping ("aaa" -> [X, a])."""
    return seq.replace(chr(pair[0]) + chr(pair[1]), chr(new))


def merge_rtl(seq: str, pair: tuple[int, int], new: int) -> str:
    """The classic overlap bug: occurrences taken from the right ("aaa" -> [a, X])."""
    return seq[::-1].replace(chr(pair[1]) + chr(pair[0]), chr(new))[::-1]


def pair_counts(segments: Sequence[tuple[str, int]]) -> Counter:
    """Counts of adjacent pairs (overlaps counted: "aaa" has 2), inside each weighted segment."""
    if len(segments) == 1 and segments[0][1] == 1:
        seq = segments[0][0]
        return Counter(zip(seq, seq[1:]))
    counts: Counter = Counter()
    for seq, weight in segments:
        for pair, n in Counter(zip(seq, seq[1:])).items():
            counts[pair] += n * weight
    return counts


def weighted(chunks: Sequence[str]) -> list[tuple[str, int]]:
    return list(Counter(chunks).items())


def train_reference(segments: Sequence[str], vocab_size: int) -> dict[tuple[int, int], int]:
    """Naive byte-level BPE on the given chunks; ties go to the pair counted first (as in minbpe)."""
    segs = [(to_seq(s.encode("utf-8")), w) for s, w in weighted(segments)]
    merges: dict[tuple[int, int], int] = {}
    for new in range(256, vocab_size):
        counts = pair_counts(segs)
        if not counts:
            break
        (a, b), _n = max(counts.items(), key=lambda kv: kv[1])
        pair = (ord(a), ord(b))
        merges[pair] = new
        segs = [(merge_ltr(s, pair, new), w) if a in s else (s, w) for s, w in segs]
    return merges


def encode_seq(seq: str, ranks: dict[tuple[int, int], int], merge: Callable = merge_ltr) -> list[int]:
    """Merge the present pair with the lowest id, repeatedly (minbpe's encode), on an id string.

    Every step merges a pair that is present, so the sequence shrinks and the loop ends even when
    a learner's merges are malformed (two pairs with one id).
    """
    while len(seq) >= 2:
        found = [(ranks[p], p) for p in {(ord(a), ord(b)) for a, b in zip(seq, seq[1:])} if p in ranks]
        if not found:
            break
        new, pair = min(found)
        seq = merge(seq, pair, new)
    return from_seq(seq)


def encode_reference(data: bytes, ranks: dict[tuple[int, int], int], merge: Callable = merge_ltr) -> list[int]:
    return encode_seq(to_seq(data), ranks, merge)


def encode_highest_first(data: bytes, ranks: dict[tuple[int, int], int]) -> list[int]:
    seq = to_seq(data)
    while True:
        found = [(ranks[p], p) for p in {(ord(a), ord(b)) for a, b in zip(seq, seq[1:])} if p in ranks]
        if not found:
            return from_seq(seq)
        new, pair = max(found)
        seq = merge_ltr(seq, pair, new)


def encode_first_found(data: bytes, ranks: dict[tuple[int, int], int], only_there: bool) -> list[int]:
    """The bug: merge the first mergeable pair scanning left to right (at that spot, or everywhere)."""
    ids = list(data)
    start = 0
    while True:
        i = next((i for i in range(start, len(ids) - 1) if (ids[i], ids[i + 1]) in ranks), None)
        if i is None:
            return ids
        pair = (ids[i], ids[i + 1])
        if only_there:
            ids[i : i + 2] = [ranks[pair]]
        else:
            ids = from_seq(merge_ltr("".join(map(chr, ids)), pair, ranks[pair]))
        start = max(i - 1, 0)  # nothing before i was mergeable, and it has not changed


def vocab_from(merges: Sequence[tuple[tuple[int, int], int]]) -> dict[int, bytes]:
    vocab = {i: bytes([i]) for i in range(256)}
    for (a, b), new in merges:
        if a in vocab and b in vocab:
            vocab[new] = vocab[a] + vocab[b]
    return vocab


def replay(
    segments: Sequence[tuple[str, int]], merges: Sequence[tuple[tuple[int, int], int]], merge: Callable = merge_ltr
) -> tuple[int, Counter] | None:
    """Re-tokenize step by step; return (step, counts) at the first merge whose pair is not a maximum."""
    segs = list(segments)
    counts = pair_counts(segs)
    for step, (pair, new) in enumerate(merges):
        key = (chr(pair[0]), chr(pair[1]))
        best = max(counts.values(), default=0)
        if counts.get(key, 0) < max(best, 1):
            return step, counts
        if len(segs) == 1:  # one long text: recounting at C speed beats bookkeeping
            segs = [(merge(segs[0][0], pair, new), segs[0][1])]
            counts = pair_counts(segs)
            continue
        for k, (seq, w) in enumerate(segs):
            if key[0] in seq and key[1] in seq:
                merged = merge(seq, pair, new)
                if merged != seq:
                    counts.subtract({q: n * w for q, n in Counter(zip(seq, seq[1:])).items()})
                    counts.update({q: n * w for q, n in Counter(zip(merged, merged[1:])).items()})
                    segs[k] = (merged, w)
    return None
