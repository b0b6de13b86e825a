import math

import pytest
from lm import BigramLM, bits_per_byte


def test_counts_after_fit():
    model = BigramLM(4).fit([0, 1, 0, 1, 2])
    assert model.total == 5
    assert model.pairs[(0, 1)] == 2 and model.pairs[(1, 2)] == 1
    assert model.firsts[0] == 2 and model.firsts[2] == 0


@pytest.mark.parametrize("k", [0.05, 1.0])
def test_next_id_distribution_sums_to_one(k):
    model = BigramLM(5, k).fit([0, 1, 2, 1, 0, 3, 3])
    for a in range(5):
        assert math.isclose(sum(model.prob(a, b) for b in range(5)), 1.0, rel_tol=1e-12)


def test_unseen_pair_has_less_mass_than_a_seen_one():
    model = BigramLM(3).fit([0, 1, 0, 1])
    assert 0 < model.prob(0, 2) < model.prob(0, 1)
    assert model.p_unigram(2) == pytest.approx(1 / 7)


def test_bits_by_hand():
    model = BigramLM(3, k=1.0).fit([0, 1, 1])
    # unigram (c + 1) / (3 + 3): P1(0) = 2/6, P1(1) = 3/6; P(0 | 1) = (0 + 3 * 2/6) / (1 + 3) = 1/4
    assert model.bits([1, 0]) == pytest.approx(1.0 + 2.0)
    assert model.bits([]) == 0.0
    assert bits_per_byte(model, [1, 0], "ab") == pytest.approx(1.5)


def test_bad_inputs_are_refused():
    assert BigramLM(1).vocab_size == 1
    with pytest.raises(ValueError):
        BigramLM(0)
    with pytest.raises(ValueError):
        bits_per_byte(BigramLM(2), [], "")
