"""M14 capstone: does my BPE tokenizer (M8) help a bigram language model?

The same add-k bigram model is trained on BPE tokens and on raw bytes of the same text, and both
are scored in bits per byte on held-out stories, next to the corpus's entropy floor (the best any
model can do). The tokenizer is my M8 ``bpe.py``, copied into this folder.
"""

import random

from bpe import BPETokenizer
from lm import BigramLM, bits_per_byte

from llmpath.datasets import entropy_floor, load_corpus

TRAIN_CHARS = 8000
HELDOUT_CHARS = 3000
VOCAB_SIZE = 320
SMOOTHING = 0.05
POOL = {"train": 60_000, "val": 20_000}  # windows are drawn from these prefixes of the splits


def windows(seed, train_chars=TRAIN_CHARS, heldout_chars=HELDOUT_CHARS):
    """A training window of the train split and a held-out window of the val split, drawn from ``seed``."""
    rng = random.Random(seed)
    train = load_corpus("train", POOL["train"])
    val = load_corpus("val", POOL["val"])
    a = rng.randrange(len(train) - train_chars + 1)
    b = rng.randrange(len(val) - heldout_chars + 1)
    return train[a : a + train_chars], val[b : b + heldout_chars]


def evaluate(seed, train_chars=TRAIN_CHARS, heldout_chars=HELDOUT_CHARS, vocab_size=VOCAB_SIZE):
    """Bits per byte of the BPE bigram model and of the byte bigram baseline on held-out text."""
    train, heldout = windows(seed, train_chars, heldout_chars)
    tokenizer = BPETokenizer()
    tokenizer.train(train, vocab_size)
    system = BigramLM(vocab_size, SMOOTHING).fit(tokenizer.encode(train))
    baseline = BigramLM(256, SMOOTHING).fit(train.encode("utf-8"))
    held_ids = tokenizer.encode(heldout)
    return {
        "bits_per_byte": bits_per_byte(system, held_ids, heldout),
        "baseline_bits_per_byte": bits_per_byte(baseline, list(heldout.encode("utf-8")), heldout),
        "tokens_per_byte": len(held_ids) / len(heldout.encode("utf-8")),
        "floor_bits_per_byte": entropy_floor().bits_per_byte,
    }


if __name__ == "__main__":
    print(evaluate(0))
