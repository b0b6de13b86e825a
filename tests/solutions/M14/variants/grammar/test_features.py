import numpy as np
from features import bigrams, bucket, featurize


def test_bigrams_mark_the_sentence_ends():
    assert bigrams("He ran, fast.") == ["<s> he", "he ran", "ran ,", ", fast", "fast </s>"]


def test_featurize_counts_each_bigram_once_per_occurrence():
    X = featurize(["a b a b.", "b a."], dim=64)
    assert X.shape == (2, 64)
    assert X[0].sum() == 5 and X[1].sum() == 3
    assert X[0, bucket("a b", 64)] >= 2


def test_buckets_are_stable_and_in_range():
    assert bucket("he ran", 1024) == bucket("he ran", 1024)
    assert all(0 <= bucket(t, 7) < 7 for t in ("x", "y z", "<s> he"))
    assert np.array_equal(featurize(["a b."], 32), featurize(["a b."], 32))
