"""Bag of hashed word bigrams: a sentence becomes a fixed-size count vector.

zlib.crc32 rather than hash(): Python's string hash changes with PYTHONHASHSEED, so features built
with it would differ from one process to the next.
"""

import zlib

import numpy as np


def bigrams(sentence):
    words = ["<s>"] + sentence.lower().rstrip(".").replace(",", " ,").split() + ["</s>"]
    return [f"{a} {b}" for a, b in zip(words, words[1:])]


def bucket(token, dim):
    return zlib.crc32(token.encode("utf-8")) % dim


def featurize(sentences, dim=1024):
    X = np.zeros((len(sentences), dim))
    for row, sentence in enumerate(sentences):
        for gram in bigrams(sentence):
            X[row, bucket(gram, dim)] += 1.0
    return X
