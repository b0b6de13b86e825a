"""Texts for the M8 validators (stdlib only: the registry imports it).

Texts: story text from ``llmpath.datasets`` (a seeded stand-in until the corpus module exists), a
seeded "tricky" section, adversarial strings, seeded random Unicode and invalid UTF-8 byte strings.
"""

from __future__ import annotations

import importlib.util
import random

CLASSIC = "aaabdaaabac"  # Wikipedia's BPE example: 3 merges encode it as [258, 100, 258, 97, 99]
CLASSIC_IDS = [258, 100, 258, 97, 99]  # whichever of the two tied pairs the second merge takes
CLASSIC_CASES = (CLASSIC, "aaa", "aaaa", "aaaaa", "baaab aaab")  # encoded with the classic merges


def corpus(split: str, n_chars: int) -> str:
    """Story text: the project's corpus when it is installed, else a seeded stand-in."""
    if importlib.util.find_spec("llmpath.datasets.corpus") is not None:
        from llmpath.datasets import load_corpus

        return load_corpus(split, size_chars=n_chars)
    return fallback_corpus(split, n_chars)


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


def fallback_corpus(split: str, n_chars: int) -> str:
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
    # Text like the training text, where the learned merges actually apply (the strings above mostly
    # escape them): a merge step that keeps a token it merged shows only here.
    story = [("held-out corpus text", corpus("validation", 300)), ("a stretch of training text", corpus("train", 160))]
    rng = random.Random(f"llmpath-m8-random-{seed}")
    return story + cases + [(f"seeded random text #{i}", random_text(rng)) for i in range(n_random)]


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
