"""Byte-level BPE with a split pattern (minbpe's RegexTokenizer idea, written with the stdlib `re`).

Training splits the text into chunks (words with their leading space, numbers, punctuation,
whitespace) and counts pairs inside chunks only; ids 0..255 are the bytes, merge k gets id 256 + k.
"""

import re

# GPT-2's split pattern, written for `re`: letters are [^\W\d_], "other" is anything but \s, letters, digits.
SPLIT_PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?[^\W\d_]+| ?\d+| ?(?:[^\s\w]|_)+|\s+(?!\S)|\s+"""


def pair_counts(ids, counts):
    for pair in zip(ids, ids[1:]):
        counts[pair] = counts.get(pair, 0) + 1
    return counts


def merge(ids, pair, new_id):
    out = []
    i = 0
    while i < len(ids):
        if i + 1 < len(ids) and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def to_bytes(text):
    return list(text.encode("utf-8"))


class BPETokenizer:
    def __init__(self, pattern=SPLIT_PATTERN):
        self.pattern = pattern
        self.compiled_pattern = re.compile(pattern)
        self.merges = {}  # (int, int) -> int, in the order learned
        self.vocab = {i: bytes([i]) for i in range(256)}

    def train(self, text, vocab_size, verbose=False):
        if vocab_size < 256:
            raise ValueError("vocab_size must be at least 256")
        chunks = [to_bytes(chunk) for chunk in self.compiled_pattern.findall(text)]
        merges = {}
        vocab = {i: bytes([i]) for i in range(256)}
        for k in range(vocab_size - 256):
            counts = {}
            for ids in chunks:
                pair_counts(ids, counts)
            if not counts:
                break
            pair = max(counts, key=counts.get)
            new_id = 256 + k
            chunks = [merge(ids, pair, new_id) for ids in chunks]
            merges[pair] = new_id
            vocab[new_id] = vocab[pair[0]] + vocab[pair[1]]
            if verbose:
                print(f"merge {k + 1}: {pair} -> {new_id} {vocab[new_id]!r} ({counts[pair]} times)")
        self.merges = merges
        self.vocab = vocab

    def encode_chunk(self, ids):
        while len(ids) >= 2:
            pairs = set(zip(ids, ids[1:]))
            pair = min(pairs, key=lambda p: self.merges.get(p, float("inf")))
            if pair not in self.merges:
                break
            ids = merge(ids, pair, self.merges[pair])
        return ids

    def encode(self, text):
        out = []
        for chunk in self.compiled_pattern.findall(text):
            out.extend(self.encode_chunk(to_bytes(chunk)))
        return out

    def decode(self, ids):
        data = b"".join(self.vocab[i] for i in ids)
        return data.decode("utf-8", errors="replace")
