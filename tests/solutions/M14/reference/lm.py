"""A bigram language model over any integer ids (bytes or BPE tokens), scored in bits.

P(b | a) = (c(a, b) + k V P1(b)) / (c(a) + k V): add-k smoothing toward the add-one unigram P1,
so that a pair never seen in training still gets some probability.
"""

import math
from collections import Counter


class BigramLM:
    def __init__(self, vocab_size, k=0.05):
        if vocab_size < 1:
            raise ValueError("vocab_size must be positive")
        self.vocab_size = vocab_size
        self.k = k
        self.unigram = Counter()
        self.pairs = Counter()
        self.firsts = Counter()
        self.total = 0

    def fit(self, ids):
        ids = list(ids)
        self.unigram.update(ids)
        self.pairs.update(zip(ids, ids[1:]))
        self.firsts.update(ids[:-1])
        self.total += len(ids)
        return self

    def p_unigram(self, b):
        return (self.unigram[b] + 1) / (self.total + self.vocab_size)

    def prob(self, a, b):
        kv = self.k * self.vocab_size
        return (self.pairs[(a, b)] + kv * self.p_unigram(b)) / (self.firsts[a] + kv)

    def bits(self, ids):
        """-log2 p(ids): the first id under the unigram, each next one given the one before."""
        if not ids:
            return 0.0
        total = -math.log2(self.p_unigram(ids[0]))
        for a, b in zip(ids, ids[1:]):
            total -= math.log2(self.prob(a, b))
        return total


def bits_per_byte(model, ids, text):
    """Bits the model spends on ``ids`` (an encoding of ``text``) per UTF-8 byte of ``text``."""
    n_bytes = len(text.encode("utf-8"))
    if n_bytes == 0:
        raise ValueError("cannot score empty text")
    return model.bits(ids) / n_bytes
