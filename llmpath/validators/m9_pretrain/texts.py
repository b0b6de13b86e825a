"""The texts, tokenizer and block size of ``m9.metrics`` (stdlib only: the registry imports it).

Everything is a function of the seed, so the probe (in the child) and the verdict (here) build the
same objects independently. The tokenizer is a byte-level BPE trained by llmpath's reference
trainer on seeded story text with multi-byte words mixed in, so tokens, characters and bytes all
differ in number: a learner who divides by the wrong one is seen.
"""

from __future__ import annotations

import dataclasses
import functools
import random
import re

from llmpath.validators.m8_bpe.reference import encode_reference, train_reference

# Multi-byte words spliced into the stories (2-, 3- and 4-byte UTF-8), each a few tokens long.
_FOREIGN = ("Zoë", "café", "Søren", "Łódź", "東京", "日本語", "Grüße", "Ελλάδα", "🙂", "🐻🍯", "Москва", "한국어")
VOCAB_SIZE = 320  # 256 bytes + 64 merges
_CHUNK = re.compile(r" ?[^\s]+|\s+")  # words with their leading space, and whitespace runs
BLOCK_SIZES = (16, 20, 24, 28, 32)


def _stories(seed: int, n_chars: int) -> str:
    from llmpath.datasets.corpus import sample_stories

    rng = random.Random(f"llmpath-m9-foreign-{seed}")
    out: list[str] = []
    size = 0
    for story, _nats in sample_stories(1 + n_chars // 150, seed):
        words = story.split(" ")
        for _ in range(6):  # six foreign words per story, at seeded places
            words.insert(rng.randrange(1, len(words)), rng.choice(_FOREIGN))
        out.append(" ".join(words))
        size += len(out[-1])
        if size >= n_chars:
            break
    return "".join(out)[:n_chars]


class JudgeTokenizer:
    """What ``evaluate`` gets as ``tokenizer``: ``encode(text) -> list[int]``, ``decode(ids) -> str``."""

    def __init__(self, ranks: dict[tuple[int, int], int]) -> None:
        self.merges = dict(ranks)
        self._cache: dict[str, list[int]] = {}
        self.vocab = {i: bytes([i]) for i in range(256)}
        for (a, b), new in sorted(ranks.items(), key=lambda kv: kv[1]):
            self.vocab[new] = self.vocab[a] + self.vocab[b]

    def encode(self, text: str) -> list[int]:
        out: list[int] = []
        for chunk in _CHUNK.findall(text):
            if chunk not in self._cache:
                self._cache[chunk] = encode_reference(chunk.encode("utf-8"), self.merges)
            out += self._cache[chunk]
        return out

    def decode(self, ids: list[int]) -> str:
        return b"".join(self.vocab[int(i)] for i in ids).decode("utf-8", errors="replace")


@dataclasses.dataclass(frozen=True)
class Case:
    label: str
    text: str
    ids: tuple[int, ...]


@dataclasses.dataclass(frozen=True)
class Setup:
    block_size: int
    warm: int  # the model predicts sharply only from positions with >= warm tokens of context
    tokenizer: JudgeTokenizer
    train_ids: tuple[int, ...]  # the text the known-loss model's bigram table is counted on
    cases: tuple[Case, ...]


@functools.lru_cache(maxsize=4)
def setup(seed: int, long_tokens: int) -> Setup:
    """Block size, tokenizer and the three texts of one seed.

    * a long text (about ``long_tokens`` tokens, many windows),
    * a text shorter than one block (one window),
    * a text whose last window is short by a few tokens (padding would show).
    """
    rng = random.Random(f"llmpath-m9-metrics-{seed}")
    block = rng.choice(BLOCK_SIZES)
    train_text = _stories(seed + 7_000, 6_000)
    tok = JudgeTokenizer(train_reference(_CHUNK.findall(train_text), VOCAB_SIZE))
    stride = block // 2
    stream = _stories(seed, long_tokens * 3 + 1_000)
    pieces = _cut(tok, stream, (long_tokens, block // 2 + 3, 3 * stride + block + 3))  # the last: 3 targets short
    labels = ("a long text", "a text shorter than block_size", "a text whose last window is short")
    cases = tuple(Case(label, text, tuple(tok.encode(text))) for label, text in zip(labels, pieces, strict=True))
    return Setup(block, block // 2, tok, tuple(tok.encode(train_text)), cases)


def _cut(tok: JudgeTokenizer, text: str, sizes: tuple[int, ...]) -> list[str]:
    """Consecutive pieces of ``text`` of about ``sizes[i]`` tokens each, cut between characters."""
    ids = tok.encode(text)
    data = text.encode("utf-8")
    ends, pos = [], 0
    for size in sizes:
        pos += len(b"".join(tok.vocab[i] for i in ids[:size]))
        ids = ids[size:]
        while pos < len(data) and (data[pos] & 0xC0) == 0x80:  # not inside a multi-byte character
            pos += 1
        ends.append(pos)
    starts = [0] + ends[:-1]
    return [data[a:b].decode("utf-8") for a, b in zip(starts, ends, strict=True)]
