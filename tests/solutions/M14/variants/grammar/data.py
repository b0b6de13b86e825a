"""Labelled sentences: stories' sentences (grammatical) and copies with two neighbouring words swapped.

Labels come from the grammar's own recognizer, so a swap that happens to stay grammatical is labelled so.
"""

import random

from llmpath.datasets import is_grammatical, load_corpus

POOL_CHARS = 60_000


def corpus_sentences():
    text = load_corpus("train", POOL_CHARS).replace("\n", " ")
    return [part.strip() + "." for part in text.split(".") if len(part.split()) >= 3]


def swap_words(sentence, rng):
    """The sentence with two neighbouring words swapped (the final full stop kept in place)."""
    words = sentence[:-1].split()
    i = rng.randrange(len(words) - 1)
    words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words) + "."


def dataset(n, seed):
    """``n`` (sentence, label) pairs drawn from ``seed``: about half of them corrupted."""
    rng = random.Random(seed)
    pool = corpus_sentences()
    rows = []
    for sentence in rng.sample(pool, n):
        if rng.random() < 0.5:
            sentence = swap_words(sentence, rng)
        rows.append((sentence, 1 if is_grammatical(sentence) else 0))
    return rows
