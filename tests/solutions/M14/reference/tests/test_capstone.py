import math

from bpe import BPETokenizer
from capstone import evaluate, windows

SMALL = {"train_chars": 1500, "heldout_chars": 400, "vocab_size": 270}


def test_bpe_learns_the_classic_merges():
    tok = BPETokenizer()
    tok.train("aaabdaaabac", 259)
    assert list(tok.merges.values()) == [256, 257, 258]
    assert tok.vocab[256] == b"aa"
    text = "aaabdaaabac, café!"
    assert tok.decode(tok.encode(text)) == text
    assert len(tok.encode("aaabdaaabac")) < len("aaabdaaabac")


def test_windows_are_seeded_and_sized():
    a = windows(3, 500, 200)
    assert a == windows(3, 500, 200)
    assert a != windows(4, 500, 200)
    assert (len(a[0]), len(a[1])) == (500, 200)


def test_evaluate_beats_the_byte_baseline():
    got = evaluate(1, **SMALL)
    assert set(got) == {"bits_per_byte", "baseline_bits_per_byte", "tokens_per_byte", "floor_bits_per_byte"}
    assert all(math.isfinite(v) for v in got.values())
    assert got["floor_bits_per_byte"] < got["bits_per_byte"] < got["baseline_bits_per_byte"] < 8
    assert 0.3 < got["tokens_per_byte"] < 1


def test_evaluate_is_reproducible():
    assert evaluate(5, **SMALL) == evaluate(5, **SMALL)
