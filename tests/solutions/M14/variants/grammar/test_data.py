import random

from data import corpus_sentences, dataset, swap_words


def test_swap_keeps_the_words_and_the_full_stop():
    out = swap_words("The cat saw the dog.", random.Random(0))
    assert out.endswith(".") and out != "The cat saw the dog."
    assert sorted(out[:-1].split()) == sorted("The cat saw the dog".split())


def test_dataset_is_seeded_and_labelled_by_the_grammar():
    rows = dataset(40, seed=3)
    assert rows == dataset(40, seed=3) and rows != dataset(40, seed=4)
    assert {label for _, label in rows} == {0, 1}
    pool = set(corpus_sentences())
    assert sum(s in pool for s, label in rows if label == 0) == 0  # a corrupted sentence is not a story's


def test_corpus_sentences_are_complete():
    pool = corpus_sentences()
    assert len(pool) > 500 and all(s.endswith(".") and len(s.split()) >= 3 for s in pool[:50])
