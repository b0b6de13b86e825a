"""The story-endings task (M10): seeded splits, an exact Bayes accuracy, and the Bayes rule reaching it."""

from __future__ import annotations

import math
from collections import Counter
from fractions import Fraction

import pytest

from llmpath.datasets import ENDING_WORDS, ending_bayes_accuracy, ending_posterior, ending_task, load_corpus
from llmpath.datasets import endings as e
from llmpath.datasets._choosers import derivations


def _accuracy(examples) -> float:
    return sum((ending_posterior(p) > 0.5) == (y == 1) for p, y in examples) / len(examples)


def test_splits_are_seeded_prefix_consistent_and_disjoint():
    test = ending_task("test")
    assert len(test) == 500 and len(ending_task("val")) == 500 and len(ending_task("train")) == 10_000
    e._CACHE.clear()  # regenerate from the seed
    assert ending_task("test") == test
    assert ending_task("test", 10) == test[:10] and ending_task("validation", 3) == ending_task("val")[:3]
    prompts = [set(p for p, _ in ending_task(s)) for s in ("train", "val", "test")]
    assert len(prompts[2] & prompts[0]) < 5 and len(prompts[1] & prompts[0]) < 5  # independent draws
    assert ending_task(n=5, seed=3) == ending_task(n=5, seed=3) != ending_task(n=5, seed=4)
    # pinned: the Bayes accuracy below is a property of this grammar; a change must say so
    assert test[0] == (
        "Zoe was a sleepy goat, and Jack was her best friend. But one day, they broke their key, and their "
        "brother helped. In the end, Jack was very",
        0,
    )


def test_bad_requests_raise():
    with pytest.raises(ValueError, match="unknown split"):
        ending_task("dev")
    with pytest.raises(ValueError, match="has 500 stories"):
        ending_task("val", 501)
    with pytest.raises(ValueError, match="needs the number"):
        ending_task(seed=1)
    with pytest.raises(ValueError, match="no event sentence"):
        ending_posterior("Tom was very happy. In the end, he was very")


def test_the_corpus_is_unchanged_by_the_task():
    assert load_corpus("val", 200).startswith("There once was a quiet goat called Hugo. He lived in a warm house")


def test_bayes_accuracy_is_exact():
    # by hand, per event polarity: 1/2 * 0.9 + 1/4 * 0.75 + 1/4 * 0.95 = 0.875 (good; bad is symmetric)
    assert e.bayes_accuracy() == Fraction(7, 8) and ending_bayes_accuracy() == 0.875
    # the same sum from the generator's own option lists (floats), not from the tables
    total = 0.0
    for ev, pe in zip(e.EVENT.tags, e.EVENT.nats, strict=True):
        for tw, pt in zip(e.TWIST.tags, e.TWIST.nats, strict=True):
            label = e.LABEL[(ev, tw)]
            total += math.exp(-pe - pt) * max(math.exp(-n) for n in label.nats)
    assert total == pytest.approx(0.875, abs=1e-12)
    assert all(sum(math.exp(-n) for n in opts.nats) == pytest.approx(1.0) for opts in (e.EVENT, e.TWIST))


def test_posterior_is_the_grammars_own_likelihood_ratio():
    """P(happy | prompt) from parsing the whole text under both labels equals the tabulated rule."""
    for prompt, _, event, twist in e.sample(40, seed=21):
        nats = []
        for word in ENDING_WORDS:
            found = derivations(e.labelled_story, prompt + word)
            assert len(found) == 1, prompt  # one derivation: the event and twist are read off the text
            nats.append(found[0])
        posterior = 1.0 / (1.0 + math.exp(nats[1] - nats[0]))
        assert posterior == pytest.approx(float(e.P_HAPPY[event][twist]), abs=1e-12)
        assert ending_posterior(prompt) == pytest.approx(posterior, abs=1e-12)


def test_monte_carlo_agrees_with_the_exact_value():
    examples = e.sample(10_000, seed=77)
    n = len(examples)
    se = math.sqrt(0.875 * 0.125 / n)  # binomial standard error, ~0.0033
    acc = _accuracy([(p, y) for p, y, _, _ in examples])
    assert abs(acc - 0.875) < 4 * se, (acc, se)
    # every cell's frequency of happy endings is its tabulated probability (4 standard errors)
    cells: Counter = Counter()
    happy: Counter = Counter()
    for _, y, ev, tw in examples:
        cells[ev, tw] += 1
        happy[ev, tw] += y
    assert len(cells) == 18  # 6 events x 3 twists
    for (ev, tw), count in cells.items():
        p = float(e.P_HAPPY[ev][tw])
        assert abs(happy[ev, tw] / count - p) < 4 * math.sqrt(p * (1 - p) / count) + 1e-9, (ev, tw)
    assert abs(sum(y for _, y, _, _ in examples) / n - 0.5) < 4 * 0.5 / math.sqrt(n)


def test_the_bayes_rule_reaches_the_bayes_accuracy_on_the_splits_and_simpler_rules_do_not():
    for split, n in (("train", 10_000), ("test", 500)):
        acc = _accuracy(ending_task(split))
        assert abs(acc - 0.875) < 4 * math.sqrt(0.875 * 0.125 / n), (split, acc)
    train = e.sample(4000, seed=5)
    # the event alone (ignoring the twist): 0.75 in expectation; always "happy": 0.5
    event_only = sum((ev in e.GOOD) == (y == 1) for _, y, ev, _ in train) / len(train)
    assert abs(event_only - 0.75) < 0.03 and _accuracy([(p, y) for p, y, _, _ in train]) > event_only + 0.08


def test_prompts_end_where_the_label_word_goes():
    for prompt, label in ending_task("val", 50):
        assert prompt.endswith((" was very", " were very")) and label in (0, 1)
        assert prompt.count("But one day,") == 1 and "\n" not in prompt
