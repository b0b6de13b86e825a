"""The story corpus: deterministic splits, an unambiguous grammar, a recognizer, a floor below the baselines."""

from __future__ import annotations

import math
import random
import re
import subprocess
import sys
import time

import pytest

from llmpath.datasets import corpus_baselines, entropy_floor, is_grammatical, load_corpus
from llmpath.datasets import _grammar, corpus


def test_splits_are_deterministic_prefix_consistent_and_sized():
    a = load_corpus("val", 30_000)
    corpus._STREAMS.clear()  # regenerate from the seed, not from the cache
    assert load_corpus("val", 30_000) == a
    assert load_corpus("val", 10_000) == a[:10_000]
    assert load_corpus("validation", 5_000) == a[:5_000]
    assert len(load_corpus("val")) == 100_000 and len(load_corpus("test")) == 100_000
    assert len(load_corpus("train", 12_345)) == 12_345
    assert load_corpus("val", 0) == ""
    # pinned: the floor below was estimated from this grammar; a change must re-estimate it
    assert a.startswith("There once was a quiet goat called Hugo. He lived in a warm house near the sea.")


def test_splits_differ():
    train, val, test = (load_corpus(s, 20_000) for s in ("train", "val", "test"))
    assert len({train, val, test}) == 3
    assert train.split("\n")[0] != val.split("\n")[0]


def test_unknown_split_and_bad_size():
    with pytest.raises(ValueError, match="unknown split"):
        load_corpus("dev")
    with pytest.raises(ValueError):
        load_corpus("train", -1)


def test_default_train_split_generates_fast():
    corpus._STREAMS.pop("train", None)
    started = time.perf_counter()
    text = load_corpus("train")
    elapsed = time.perf_counter() - started
    assert len(text) == 1_000_000
    assert elapsed < 2.0, f"1 MB took {elapsed:.2f} s (design: ~0.15 s on an idle core)"


def test_vocabulary_is_small_and_shared():
    train = load_corpus("train")
    chars = set(train)
    assert len(chars) <= 60
    assert set(load_corpus("val")) <= chars and set(load_corpus("test")) <= chars
    assert "\n" in chars and all(c.isascii() for c in chars)


def test_every_generated_sentence_is_grammatical():
    sentences = corpus.split_sentences(load_corpus("val", 30_000))
    assert len(sentences) > 500
    bad = [s for s in sentences if not is_grammatical(s)]
    assert not bad, bad[:5]


def test_grammar_is_unambiguous_and_log_probs_are_exact():
    for text, nats in corpus.sample_stories(300, seed=11):
        found = _grammar.derivations(_grammar.story, text)
        assert len(found) == 1, (text, found)
        assert found[0] == pytest.approx(nats, abs=1e-9)
        assert corpus.story_nats(text) == pytest.approx(nats, abs=1e-9)
    assert corpus.story_nats("Once upon a time, there was a cat.") is None


def _sentences(n: int = 3000) -> list[str]:
    return corpus.split_sentences(load_corpus("test", 60_000))[:n]


def _perturb_all(sentences, pattern, swap):
    out = []
    for s in sentences:
        m = re.search(pattern, s)
        if m:
            out.append(s[: m.start()] + swap(m.group(0)) + s[m.end():])
    return out


AGREEMENT = [
    (r"\b(was|were)\b", lambda w: {"was": "were", "were": "was"}[w]),
    (r"\b(likes|like)\b(?= to)", lambda w: {"likes": "like", "like": "likes"}[w]),
    (r"\b(walks?|runs?|go|goes|swims?|rides?|hurry|hurries|fly|flies|climbs?|skips?)\b(?= to the)",
     lambda w: {"go": "goes", "goes": "go", "hurry": "hurries", "hurries": "hurry", "fly": "flies", "flies": "fly"}.get(
         w, w[:-1] if w.endswith("s") else w + "s")),
    (r"\b(a|an)\b(?= )", lambda w: {"a": "an", "an": "a"}[w]),
]


@pytest.mark.parametrize("pattern,swap", AGREEMENT, ids=["was-were", "like-likes", "verb-s", "a-an"])
def test_recognizer_rejects_agreement_errors(pattern, swap):
    broken = _perturb_all(_sentences(), pattern, swap)
    assert len(broken) > 30
    accepted = [s for s in broken if is_grammatical(s)]
    assert not accepted, accepted[:5]


def test_recognizer_rejects_gender_errors():
    cases = [s for s in _sentences() if re.match(r"(She|He|Mia|Tom|Anna|Ben) (saw|likes)", s)]
    swap = {"herself": "himself", "himself": "herself", "her": "his", "his": "her"}
    broken = _perturb_all(cases, r"\b(herself|himself|her|his)\b", lambda w: swap[w])
    assert len(broken) > 20
    assert not [s for s in broken if is_grammatical(s)]
    assert not is_grammatical("There once was a little girl called Tom.")
    assert not is_grammatical("Lucy was a big frog, and Anna was his best friend.")
    assert is_grammatical("Lucy was a big frog, and Anna was her best friend.")


def test_recognizer_rejects_unknown_words_and_swapped_order():
    rng = random.Random(0)
    unknown, swapped = [], []
    for s in _sentences(400):
        words = s[:-1].split(" ")
        i = rng.randrange(len(words))
        if words[i].islower() and words[i].isalpha():
            unknown.append(" ".join(words[:i] + ["zebra"] + words[i + 1 :]) + s[-1])
        if len(words) > 2 and words[0] != words[1]:
            swapped.append(" ".join([words[1], words[0]] + words[2:]) + s[-1])
    assert len(unknown) > 100 and len(swapped) > 300
    assert not [s for s in unknown if is_grammatical(s)]
    assert not [s for s in swapped if is_grammatical(s)]
    for s in ["", "The end", "the end.", "The  end.", "The end.\nThe end.", "She was very happy"]:
        assert not is_grammatical(s), s
    assert is_grammatical("  The end.\n")


def test_floor_is_small_agrees_with_a_fresh_sample_and_is_below_the_baselines():
    floor = entropy_floor()
    assert floor.stderr < 1e-3 and floor.n_chars > 10_000_000
    assert floor.bits_per_byte == pytest.approx(floor.nats_per_char / math.log(2))
    fresh = corpus.estimate_floor(3000, seed=12345)
    assert abs(fresh.nats_per_char - floor.nats_per_char) < 4 * math.hypot(fresh.stderr, floor.stderr)
    base = corpus_baselines()
    assert corpus.compute_baselines() == pytest.approx(base, rel=1e-12)  # the stored values are the computed ones
    assert set(base) >= {"unigram", "bigram"}
    assert floor.nats_per_char < 0.5 * base["bigram"] < base["bigram"] < base["unigram"] < math.log(60)


def test_floor_matches_exact_log_probs_of_the_sample():
    # the floor is total nats / total chars, newlines included: recompute it by parsing
    stories = corpus.sample_stories(200, seed=5)
    nats = sum(corpus.story_nats(t) for t, _ in stories)
    chars = sum(len(t) for t, _ in stories)
    assert nats / chars == pytest.approx(sum(n for _, n in stories) / chars, rel=1e-12)


def test_importing_the_corpus_is_cheap():
    code = "import sys, llmpath.datasets as d; d.load_corpus; print('numpy' in sys.modules, 'torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
