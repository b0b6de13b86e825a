import math

import pytest
from bpe import BPETokenizer
from capstone import POOL, evaluate, windows

SMALL = {"train_chars": 1500, "heldout_chars": 400, "vocab_size": 270}
GOLDEN = {"bits_per_byte": 3.21490688312716, "baseline_bits_per_byte": 3.4372842754701476}  # evaluate(1, **SMALL)


def test_bpe_learns_the_classic_merges():
    tok = BPETokenizer()
    tok.train("aaabdaaabac", 259)
    assert list(tok.merges.values()) == [256, 257, 258]
    assert tok.vocab[256] == b"aa"
    text = "aaabdaaabac, café!"
    assert tok.decode(tok.encode(text)) == text
    assert tok.encode("aaabdaaabac") == [258, 100, 258, 97, 99]
    assert tok.encode("aa") == [256]  # a two-byte chunk is merged too
    assert BPETokenizer().train("abc", 256) is None  # no merges asked, none learned


def test_windows_are_seeded_and_sized():
    a = windows(3, 500, 200)
    assert a == windows(3, 500, 200)
    assert a != windows(4, 500, 200)
    assert (len(a[0]), len(a[1])) == (500, 200)


def test_windows_as_large_as_the_pool():
    for seed in range(3):
        train, heldout = windows(seed, POOL["train"], POOL["val"])
        assert (len(train), len(heldout)) == (POOL["train"], POOL["val"])


def test_evaluate_beats_the_byte_baseline():
    got = evaluate(1, **SMALL)
    assert set(got) == {"bits_per_byte", "baseline_bits_per_byte", "tokens_per_byte", "floor_bits_per_byte"}
    assert all(math.isfinite(v) for v in got.values())
    assert got["floor_bits_per_byte"] < got["bits_per_byte"] < got["baseline_bits_per_byte"] < 8
    assert 0.3 < got["tokens_per_byte"] < 1


def test_evaluate_is_reproducible():
    assert evaluate(5, **SMALL) == evaluate(5, **SMALL)


def test_evaluate_regression():
    """Numbers of a small run, recorded once: any change to the pipeline shows up here."""
    got = evaluate(1, **SMALL)
    assert got["bits_per_byte"] == pytest.approx(GOLDEN["bits_per_byte"], rel=1e-9)
    assert got["baseline_bits_per_byte"] == pytest.approx(GOLDEN["baseline_bits_per_byte"], rel=1e-9)
