"""SQuAD v1.1's answer scoring, written from its definition, and the classic ways it goes wrong.

The official evaluation script of SQuAD v1.1 (Rajpurkar et al., 2016) normalizes an answer by
lowercasing it, deleting every character of Python's ``string.punctuation`` (ASCII only), deleting the
whole words a/an/the (``\\b`` word boundaries, Unicode-aware), and collapsing whitespace (``str.split``).
Exact match compares normalized strings; F1 is the harmonic mean of precision and recall of the
*multiset* of normalized tokens, and is 0 when no token is shared (so also for two empty answers:
v2.0 changed that case, v1.1 did not).

``BUGGY`` simulates the mistakes the m11.metrics diagnoses name; each one returns what a learner's
function with that mistake would return, so a learner's outputs can be matched against them.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Callable

_PUNCT = frozenset(string.punctuation)
_ARTICLES = re.compile(r"\b(a|an|the)\b")


def normalize(text: str) -> str:
    lowered = text.lower()
    no_punct = "".join(c for c in lowered if c not in _PUNCT)
    no_articles = _ARTICLES.sub(" ", no_punct)
    return " ".join(no_articles.split())


def exact_match(prediction: str, truth: str) -> float:
    return 1.0 if normalize(prediction) == normalize(truth) else 0.0


def _f1_tokens(pred: list, gold: list) -> float:
    shared = sum((Counter(pred) & Counter(gold)).values())
    if shared == 0:
        return 0.0
    precision, recall = shared / len(pred), shared / len(gold)
    return 2 * precision * recall / (precision + recall)


def f1(prediction: str, truth: str) -> float:
    return _f1_tokens(normalize(prediction).split(), normalize(truth).split())


# ---------------------------------------------------------------------------------------------
# the classic mistakes, as functions with the learner's signature


def _keep_articles(text: str) -> str:
    return " ".join("".join(c for c in text.lower() if c not in _PUNCT).split())


def _articles_first(text: str) -> str:
    return " ".join("".join(c for c in _ARTICLES.sub(" ", text.lower()) if c not in _PUNCT).split())


def _articles_before_lower(text: str) -> str:
    return " ".join("".join(c for c in _ARTICLES.sub(" ", text).lower() if c not in _PUNCT).split())


def _unicode_punct(text: str) -> str:
    import unicodedata

    lowered = "".join(c for c in text.lower() if not unicodedata.category(c).startswith("P") and c not in _PUNCT)
    return " ".join(_ARTICLES.sub(" ", lowered).split())


def _f1_chars(prediction: str, truth: str) -> float:
    return _f1_tokens(list(normalize(prediction).replace(" ", "")), list(normalize(truth).replace(" ", "")))


def _f1_chars_spaces(prediction: str, truth: str) -> float:
    return _f1_tokens(list(normalize(prediction)), list(normalize(truth)))


def _f1_sets(prediction: str, truth: str) -> float:
    pred, gold = normalize(prediction).split(), normalize(truth).split()
    shared = len(set(pred) & set(gold))
    if shared == 0:
        return 0.0
    precision, recall = shared / len(pred), shared / len(gold)
    return 2 * precision * recall / (precision + recall)


def _f1_sets_both(prediction: str, truth: str) -> float:
    return _f1_tokens(sorted(set(normalize(prediction).split())), sorted(set(normalize(truth).split())))


def _ratio(which: str) -> Callable[[str, str], float]:
    def score(prediction: str, truth: str) -> float:
        pred, gold = normalize(prediction).split(), normalize(truth).split()
        shared = sum((Counter(pred) & Counter(gold)).values())
        if shared == 0:
            return 0.0
        return shared / len(pred) if which == "precision" else shared / len(gold)

    return score


def _f1_arithmetic(prediction: str, truth: str) -> float:
    pred, gold = normalize(prediction).split(), normalize(truth).split()
    shared = sum((Counter(pred) & Counter(gold)).values())
    return 0.0 if shared == 0 else (shared / len(pred) + shared / len(gold)) / 2


def _f1_v2(prediction: str, truth: str) -> float:
    pred, gold = normalize(prediction).split(), normalize(truth).split()
    if not pred or not gold:
        return float(pred == gold)
    return _f1_tokens(pred, gold)


def _f1_raw(prediction: str, truth: str) -> float:
    return _f1_tokens(prediction.split(), truth.split())


ARTICLES = "articles (a, an, the) are not removed: delete them as whole words after removing punctuation"
NORMALIZE_BUGS: tuple[tuple[str, Callable[[str], str]], ...] = (
    (ARTICLES, _keep_articles),
    (
        "articles are removed before punctuation: SQuAD removes punctuation first, so 'the-end' -> 'theend' keeps no "
        "article to remove",
        _articles_first,
    ),
    ("articles are removed before lowercasing, so 'The' survives: lowercase first", _articles_before_lower),
    (
        "Unicode punctuation (like '—' or '«') is removed too: SQuAD v1.1 removes only ASCII string.punctuation",
        _unicode_punct,
    ),
    (
        "casefold() is used instead of lower(): 'Straße' must stay 'straße'",
        lambda t: " ".join(_ARTICLES.sub(" ", "".join(c for c in t.casefold() if c not in _PUNCT)).split()),
    ),
    (
        "the text is not lowercased",
        lambda t: " ".join(_ARTICLES.sub(" ", "".join(c for c in t if c not in _PUNCT)).split()),
    ),
    (
        "whitespace is not collapsed: join str.split() with single spaces (tabs, newlines and non-breaking spaces too)",
        lambda t: _ARTICLES.sub(" ", "".join(c for c in t.lower() if c not in _PUNCT)).strip(),
    ),
)
F1_BUGS: tuple[tuple[str, Callable[[str, str], float]], ...] = (
    ("F1 is computed on characters instead of tokens: split the normalized answers on whitespace", _f1_chars),
    ("F1 is computed on characters instead of tokens: split the normalized answers on whitespace", _f1_chars_spaces),
    ("the shared tokens are counted as sets: count the multiset overlap (Counter(pred) & Counter(gold))", _f1_sets),
    (
        "the tokens are made into sets before counting: repeated tokens must count (Counter(pred) & Counter(gold))",
        _f1_sets_both,
    ),
    (
        "f1 returns precision (shared / prediction tokens), not the harmonic mean of precision and recall",
        _ratio("precision"),
    ),
    ("f1 returns recall (shared / truth tokens), not the harmonic mean of precision and recall", _ratio("recall")),
    ("F1 is the arithmetic mean of precision and recall: use the harmonic mean 2PR / (P + R)", _f1_arithmetic),
    ("two empty answers score 1: that is SQuAD 2.0's rule; v1.1 gives 0 when no token is shared", _f1_v2),
    ("the answers are not normalized before F1: split normalize_answer(...) of each", _f1_raw),
)
EM_BUGS: tuple[tuple[str, Callable[[str, str], float]], ...] = (
    (
        "exact_match compares the raw strings: compare normalize_answer(prediction) with normalize_answer(truth)",
        lambda p, t: float(p == t),
    ),
    (
        "exact_match compares lowercased strings only: use normalize_answer on both",
        lambda p, t: float(p.lower() == t.lower()),
    ),
)
