"""Story endings: a labelled downstream task (M10) whose Bayes accuracy is known exactly.

Each example is a story from the corpus's grammar (``llmpath.datasets._grammar``) cut just before
its last word: an introduction, zero to two ordinary body sentences, an *event* sentence, then
``In the end, <someone> was very``. The label is the word that ends it: ``" happy"`` (1) or
``" sad"`` (0).

    There once was a funny frog called Hugo. The frog saw himself in the mirror. But one day, he
    got lost, and his grandpa helped. In the end, he was very                          -> " happy"

The ending depends on the story only through the event sentence (the one that starts "But one
day,"): what happened (three good and three bad events, equally likely) and an optional twist
(none 1/2, a storm 1/4, help from a relative 1/4). A good event ends happily with probability 0.9,
0.25 after a storm, 0.95 with help; a bad one 0.1, 0.05 and 0.75 (``P_HAPPY``). Everything else is
drawn independently of the label, including ordinary sentences such as "Max was very sad." that
look like evidence and are not. So

    P(happy | story) = P_HAPPY[polarity of the event][twist]
    Bayes accuracy   = sum over (event, twist) of P(event) P(twist) max(p, 1 - p) = 7/8 = 0.875

exactly (rational arithmetic below), and no classifier can do better on fresh stories. Reading
only the event and ignoring the twist gives 3/4; always answering "happy" 1/2.

Lengths: prompts average about 150 characters (about 55 tokens of a 512-token BPE of the corpus);
the event sentence and what follows it take under 40 such tokens, so a model whose context is
cut to its last 64 tokens always sees the event.

Splits come from fixed seeds (train 10,000, val 500, test 500 stories; a shorter request is a
prefix of a longer one). ``ending_task(seed=...)`` draws fresh stories from the same distribution:
the judge measures on stories nobody has seen.
"""

from __future__ import annotations

import random
import re
from fractions import Fraction

from llmpath.datasets import _grammar as g
from llmpath.datasets._choosers import Sampler

ENDING_WORDS = (" sad", " happy")  # label 0 ends the prompt with " sad", label 1 with " happy"
SPLITS = {"train": 10_000, "val": 500, "test": 500}
_SEEDS = {"train": 0xE4D_0001, "val": 0xE4D_0002, "test": 0xE4D_0003}
_ALIASES = {"validation": "val", "valid": "val"}

# What happened (the word after the subject names it; none of these verbs occurs elsewhere in a
# prompt), and the twist that may follow.
GOOD, BAD = ("won", "met", "baked"), ("lost", "broke", "got")
EVENTS = GOOD + BAD
TWISTS = ("none", "storm", "help")
TWIST_P = {"none": Fraction(1, 2), "storm": Fraction(1, 4), "help": Fraction(1, 4)}
# P(happy ending | event, twist). Good events end well unless a storm comes; bad events end badly
# unless someone helps: the label needs both parts of the sentence.
_GOOD_ROW = {"none": Fraction(90, 100), "storm": Fraction(25, 100), "help": Fraction(95, 100)}
_BAD_ROW = {"none": Fraction(10, 100), "storm": Fraction(5, 100), "help": Fraction(75, 100)}
P_HAPPY: dict[str, dict[str, Fraction]] = {e: dict(_GOOD_ROW if e in GOOD else _BAD_ROW) for e in EVENTS}

# structural choices (nothing written): the words follow in _event
EVENT = g.Options([("", e, 1.0) for e in EVENTS])
TWIST = g.Options([("", t, float(TWIST_P[t])) for t in TWISTS])
BEFORE = g.branch(1, 1, 1)  # zero, one or two ordinary body sentences before the event
# the label word, written last: " sad" with probability 1 - p, " happy" with p
LABEL = {
    (e, t): g.Options([(ENDING_WORDS[0], 0, float(1 - p)), (ENDING_WORDS[1], 1, float(p))])
    for e, row in P_HAPPY.items()
    for t, p in row.items()
}
_EVENT_TEXT = {"won": " won a prize", "met": " met a new friend", "baked": " baked a big cake", "got": " got lost"}


def bayes_accuracy() -> Fraction:
    """The exact Bayes accuracy, as a fraction: sum of P(event) P(twist) max(p, 1 - p)."""
    return sum(
        (Fraction(1, len(EVENTS)) * TWIST_P[t] * max(p, 1 - p) for row in P_HAPPY.values() for t, p in row.items()),
        Fraction(0),
    )


def ending_bayes_accuracy() -> float:
    """The best accuracy any classifier can reach on the story-endings task: 7/8 = 0.875."""
    return float(bayes_accuracy())


def _event(ch, cast) -> tuple[str, str]:
    """``But one day, <subject> <event>[<twist>].``; returns (event, twist)."""
    ch.emit("But one day, ")
    gender = cast.subjects[False].tags[ch.pick(cast.subjects[False])]
    event = EVENT.tags[ch.pick(EVENT)]
    poss = g.POSSESSIVE[gender]
    if event in ("lost", "broke"):
        ch.emit(f" {event} {poss} ")
        ch.pick(g.OBJECT_)
    else:
        ch.emit(_EVENT_TEXT[event])
    twist = TWIST.tags[ch.pick(TWIST)]
    if twist == "help":
        ch.emit(f", and {poss} ")
        ch.pick(g.RELATIVE)
        ch.emit(" helped")
    elif twist == "storm":
        ch.emit(", but then a storm came")
    ch.emit(".")
    return event, twist


def labelled_story(ch) -> tuple[str, str]:
    """One prompt and its label word (the grammar program; sampled or parsed). Returns (event, twist)."""
    cast = g.StoryCast(g.intro(ch))
    for _ in range(BEFORE.tags[ch.pick(BEFORE)]):
        ch.emit(" ")
        g.body(ch, cast)
    ch.emit(" ")
    found = _event(ch, cast)
    ch.emit(" In the end, ")
    gender = cast.subjects[False].tags[ch.pick(cast.subjects[False])]
    ch.emit(f" {g.BE[gender]} very")
    ch.pick(LABEL[found])
    return found


def sample(n: int, seed: int) -> list[tuple[str, int, str, str]]:
    """``n`` examples ``(prompt, label, event, twist)`` drawn from ``seed`` (the generator's own record)."""
    sampler = Sampler(random.Random(seed).random)
    out = []
    for _ in range(n):
        sampler.parts.clear()
        event, twist = labelled_story(sampler)
        word = sampler.parts[-1]
        out.append(("".join(sampler.parts[:-1]), ENDING_WORDS.index(word), event, twist))
    return out


_CACHE: dict[int, list[tuple[str, int, str, str]]] = {}


def ending_task(split: str = "train", n: int | None = None, seed: int | None = None) -> list[tuple[str, int]]:
    """Labelled stories ``[(prompt, label), ...]``: label 1 means the story ends " happy", 0 " sad".

    ``split`` is "train" (10,000 stories), "val" (500) or "test" (500); ``n`` takes the first n
    (up to the split's size). ``seed`` draws ``n`` fresh stories from the same distribution instead.
    The prompt ends with "was very" (or "were very"); ``prompt + ENDING_WORDS[label] + "."`` is the story.
    """
    if seed is not None:
        if n is None or n < 0:
            raise ValueError("ending_task(seed=...) needs the number of stories n >= 0")
        return [(p, y) for p, y, _, _ in sample(n, seed)]
    name = _ALIASES.get(split, split)
    if name not in SPLITS:
        raise ValueError(f"unknown split {split!r}: use one of {', '.join(SPLITS)}")
    size = SPLITS[name] if n is None else int(n)
    if not 0 <= size <= SPLITS[name]:
        raise ValueError(f"the {name} split has {SPLITS[name]} stories; asked for {n}")
    seed_ = _SEEDS[name]
    if seed_ not in _CACHE:
        _CACHE[seed_] = sample(SPLITS[name], seed_)
    return [(p, y) for p, y, _, _ in _CACHE[seed_][:size]]


_EVENT_RE = re.compile(
    r"But one day, [^.,]*? (won|met|baked|lost|broke|got)\b[^.,]*"
    r"(, but then a storm came|, and \w+ \w+ helped)?\."
)


def ending_posterior(prompt: str) -> float:
    """P(the story ends " happy" | prompt): the Bayes-optimal classifier predicts happy when > 1/2.

    Reads the event sentence (the one starting "But one day,"); raises ValueError when there is none.
    """
    match = _EVENT_RE.search(prompt)
    if match is None:
        raise ValueError("no event sentence ('But one day, ...') in the prompt")
    twist = {None: "none", ", but then a storm came": "storm"}.get(match.group(2), "help")
    return float(P_HAPPY[match.group(1)][twist])
