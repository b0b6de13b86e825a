"""Texts and a reference BPE for the M8 validators (stdlib only: the registry imports it).

Texts: story text from ``llmpath.datasets`` (a seeded stand-in until the corpus module exists), a
seeded "tricky" section, adversarial strings, seeded random Unicode and invalid UTF-8 byte strings.

Reference BPE: a token sequence is a ``str`` whose characters are token ids (``chr(id)``).
``str.replace(chr(a) + chr(b), chr(new))`` is then exactly one BPE merge (left to right, never
overlapping) and ``Counter(zip(s, s[1:]))`` counts pairs at C speed, so replaying a learner's
training, or training a reference, on tens of kilobytes takes a fraction of a second. The same
module simulates the classic bugs (overlaps merged from the right, first-found pair, highest id
first) so that a verdict can name the one that reproduces the learner's output.
"""

from __future__ import annotations

import importlib.util
import random
from collections import Counter
from collections.abc import Callable, Sequence

CLASSIC = "aaabdaaabac"  # Wikipedia's BPE example: 3 merges encode it as [258, 100, 258, 97, 99]
CLASSIC_IDS = [258, 100, 258, 97, 99]  # whichever of the two tied pairs the second merge takes
CLASSIC_CASES = (CLASSIC, "aaa", "aaaa", "aaaaa", "baaab aaab")  # encoded with the classic merges


def corpus(split: str, n_chars: int) -> str:
    """Story text: the project's corpus when it is installed, else a seeded stand-in."""
    if importlib.util.find_spec("llmpath.datasets.corpus") is not None:
        from llmpath.datasets import load_corpus

        return load_corpus(split, size_chars=n_chars)
    return _fallback_corpus(split, n_chars)


_WORDS = {
    "name": "Tom Lily Max Mia Ben Sue Sam Anna Leo Zoe".split(),
    "animal": "cat dog bird fox bunny frog bear duck owl mouse".split(),
    "place": "park garden forest house river school beach hill farm town".split(),
    "verb": "play run jump sing read swim dance hide climb paint".split(),
    "adj": "happy big little red kind sad funny brave sleepy shiny".split(),
    "thing": "ball kite box cake hat boat book drum apple star".split(),
}


_SENTENCES = (
    "Once upon a time, there was a {adj} {animal} named {name}.",
    "{name} liked to {verb} in the {place}.",
    "One day, {name} found a {adj} {thing} near the {place}.",
    '"Can I {verb} with your {thing}?" asked {name2}.',
    "{name} and {name2} were very {adj2}, so they went to {verb} together.",
    "The {animal} did not want to {verb}, because the {thing} was {adj}.",
    "After that, they always shared the {thing} and the {adj2} {animal}.",
)


def _fallback_corpus(split: str, n_chars: int) -> str:
    rng = random.Random(f"llmpath-m8-{split}")  # str seeds are stable across processes
    parts: list[str] = []
    size = 0
    while size < n_chars:
        pick = {k: rng.choice(v) for k, v in _WORDS.items()}
        pick |= {"name2": rng.choice(_WORDS["name"]), "adj2": rng.choice(_WORDS["adj"])}
        story = " ".join(s.format(**pick) for s in rng.sample(_SENTENCES, rng.randint(3, 6))) + "\n"
        parts.append(story)
        size += len(story)
    return "".join(parts)[:n_chars]


# No code point in U+0100..U+02FF: an ord()-based trainer would confuse them with merge ids < 768.
_TRICKY = (
    "café", "naïve", "crème brûlée", "Grüße", "日本語", "東京タワー", "한국어", "Ελλάδα", "Москва",
    "🙂", "😀😃", "👍🏽", "👩\u200d💻", "🇫🇷", "e\u0301", "—", "…", "¿Qué?", "\t", "aaaa",
    "zzzzzzz", "....", "   ", "\r\n", "x\x00y", "١٢٣", "a\u0308",
)


def tricky(seed: int, n_chars: int) -> str:
    """Seeded, indented lines of multi-byte words, emoji, runs and control characters.

    The indentation makes a merge of two spaces likely, which a split pattern keeps apart from the
    word that follows: an encoder that ignores the pattern then merges across the chunk boundary.
    """
    rng = random.Random(f"llmpath-m8-tricky-{seed}")
    lines: list[str] = []
    size = 0
    while size < n_chars:
        words = " ".join(rng.choice(_TRICKY) for _ in range(rng.randint(3, 9)))
        line = " " * rng.choice((0, 4, 8)) + words + rng.choice(("\n", "\r\n"))
        lines.append(line)
        size += len(line)
    return "".join(lines)


def training_text(train_chars: int, seed: int) -> str:
    """The text every check trains on: corpus stories, then 1/8 as much tricky text."""
    return corpus("train", train_chars) + tricky(seed, train_chars // 8)


# Weighted code-point ranges for seeded random text (no surrogates: they have no UTF-8 form).
_RANGES = (
    (0x20, 0x7E, 8), (0x00, 0x1F, 1), (0x80, 0xFF, 2), (0x300, 0x36F, 1), (0x370, 0x52F, 1),
    (0x3040, 0x30FF, 1), (0x4E00, 0x9FFF, 2), (0xAC00, 0xD7A3, 1), (0x1F300, 0x1FAFF, 2),
    (0xE000, 0xFFFF, 1), (0x10000, 0x10FFFF, 1),
)
_SPECIALS = ("\u200d", "\ufe0f", "\r\n", " ", "  ", "\n", "\x00")


def random_text(rng: random.Random, max_len: int = 40) -> str:
    out = []
    for _ in range(rng.randint(0, max_len)):
        if rng.random() < 0.15:
            out.append(rng.choice(_SPECIALS))
            continue
        lo, hi, _w = rng.choices(_RANGES, weights=[r[2] for r in _RANGES])[0]
        out.append(chr(rng.randint(lo, hi)))
    return "".join(out)


def roundtrip_cases(seed: int, n_random: int, long_chars: int) -> list[tuple[str, str]]:
    """(label, text) pairs: fixed adversarial strings, very long repeats, seeded random text."""
    n = long_chars
    cases = [
        ("the empty string", ""),
        ("one ASCII character", "a"),
        ("one 2-byte character", "é"),
        ("one 3-byte character", "€"),
        ("one 4-byte character", "🙂"),
        ("a ZWJ emoji sequence", "👩\u200d👩\u200d👧\u200d👦"),
        ("skin tone and flags", "👍🏽🇯🇵🇫🇷"),
        ("CJK", "日本語のテキストと中文字符。"),
        ("combining marks", "e\u0301 a\u0308\u0323 Z\u0335\u0321 n\u0303"),
        ("CRLF line ends", "one\r\ntwo\r\n\r\nthree\r"),
        ("runs of spaces", "a" + " " * 17 + "b \t  c   "),
        ("whitespace runs", "Hello   world\r\n\r\n  indented  \n\n\n  x"),
        ("NUL and control characters", "\x00a\x00\x01\x7f\x1b[0m\x00"),
        ("BOM and noncharacters", "\ufeff\uffff\U0010ffff"),
        ("mixed scripts", "Hello, 世界! 🙂 café — naïve\r\n\tend"),
        ("a very long repeat of 'a'", "a" * n),
        ("a very long repeat of 'ab'", "ab" * (n // 2)),
        ("a very long repeat of an emoji", "🙂" * (n // 4)),
        ("a very long run of spaces", " " * n),
        ("a very long repeat of CRLF", "\r\n" * (n // 2)),
    ]
    rng = random.Random(f"llmpath-m8-random-{seed}")
    return cases + [(f"seeded random text #{i}", random_text(rng)) for i in range(n_random)]


# Byte strings that are not valid UTF-8 (plus one valid character split over two byte ids).
INVALID_UTF8 = (
    b"\xff", b"\x80", b"\xc3", b"\xe2\x82", b"abc\xe2\x82def", b"\xc0\xaf", b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80", b"\xf0\x9f\x99", b"ok\x80\x80ok", b"\xfe\xfe\xff\xff", b"\xc3\xa9",
)


_HELDOUT_LABELS = (
    "whitespace runs", "CJK", "combining marks", "CRLF line ends", "runs of spaces", "mixed scripts",
    "a ZWJ emoji sequence",
)


def heldout_cases(heldout_chars: int, seed: int) -> list[tuple[str, str]]:
    """(label, text) pairs to encode: held-out stories, held-out tricky text, a few adversarial strings."""
    rng = random.Random(f"llmpath-m8-heldout-{seed}")
    fixed = [c for c in roundtrip_cases(seed, 0, 1) if c[0] in _HELDOUT_LABELS]
    return [
        ("held-out corpus text", corpus("validation", heldout_chars)),
        ("held-out tricky text", tricky(seed + 1000, 400)),  # its whitespace runs cross chunk boundaries
    ] + fixed + [
        (f"seeded random text #{i}", random_text(rng)) for i in range(4)
    ]


# ------------------------------------------------------------------------ BPE on id strings


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
