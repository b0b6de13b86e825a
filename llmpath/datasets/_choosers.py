"""Choosers: run one grammar program either to sample a text or to parse one (``_grammar`` is that program).

A grammar function talks to its chooser through two calls: ``ch.emit(text)`` writes a fixed piece
of text; ``ch.pick(options) -> int`` makes one choice among ``options`` and writes its string.

A :class:`Sampler` answers ``pick`` with a random draw and adds ``-log p`` to its running total; a
:class:`_Replay` answers from a recorded list of choices and checks every write against a given text.
:func:`derivations` drives ``_Replay`` in a depth-first search over all choice sequences that
write exactly the given text. Because sampling and parsing run the *same* functions, the parser
cannot drift from the generator.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Sequence


class Options:
    """A categorical choice: strings written, tags for the grammar, cumulative probabilities, -log p."""

    __slots__ = ("strings", "tags", "cum", "nats")

    def __init__(self, items: Sequence[tuple[str, object, float]]) -> None:
        total = float(sum(w for _, _, w in items))
        self.strings = tuple(s for s, _, _ in items)
        self.tags = tuple(t for _, t, _ in items)
        acc, cum = 0.0, []
        for _, _, w in items:
            acc += w
            cum.append(acc / total)
        cum[-1] = 1.0
        self.cum = tuple(cum)
        self.nats = tuple(-math.log(w / total) for _, _, w in items)


def uniform(strings: Sequence[str], tags: Sequence[object] | None = None) -> Options:
    tags = strings if tags is None else tags
    return Options([(s, t, 1.0) for s, t in zip(strings, tags)])


def branch(*weights: float) -> Options:
    """A structural choice (nothing written): tag i with probability weights[i] / sum (0: never)."""
    return Options([("", i, w) for i, w in enumerate(weights) if w > 0])


class Sampler:
    """Draws every choice from ``random`` (a ``random.Random().random``); keeps the text and -log p."""

    def __init__(self, random: Callable[[], float]) -> None:
        self.parts: list[str] = []
        self.nats = 0.0
        self._random = random

    def emit(self, text: str) -> None:
        self.parts.append(text)

    def pick(self, options: Options) -> int:
        j = bisect_right(options.cum, self._random())
        self.parts.append(options.strings[j])
        self.nats += options.nats[j]
        return j


class _Dead(Exception):
    """This choice sequence writes something other than the text."""


class _Fork(Exception):
    def __init__(self, viable: list[int]) -> None:
        self.viable = viable


class _Replay:
    """Replays recorded choices against ``text``; at the first unrecorded choice it forks."""

    def __init__(self, text: str, path: list[int]) -> None:
        self.text = text
        self.pos = 0
        self.path = path
        self.i = 0
        self.nats = 0.0

    def emit(self, text: str) -> None:
        if not self.text.startswith(text, self.pos):
            raise _Dead
        self.pos += len(text)

    def pick(self, options: Options) -> int:
        if self.i == len(self.path):
            raise _Fork([j for j, s in enumerate(options.strings) if self.text.startswith(s, self.pos)])
        j = self.path[self.i]
        self.i += 1
        self.emit(options.strings[j])
        self.nats += options.nats[j]
        return j


def derivations(grammar: Callable[[object], None], text: str, limit: int = 100_000) -> list[float]:
    """-log p of every choice sequence under which ``grammar`` writes exactly ``text``.

    A depth-first search that replays each prefix from the start: quadratic in the number of
    choices, which is a few dozen per story. ``limit`` bounds the number of replays.
    """
    found: list[float] = []
    stack: list[list[int]] = [[]]
    runs = 0
    while stack and runs < limit:
        path = stack.pop()
        runs += 1
        replay = _Replay(text, path)
        try:
            grammar(replay)
        except _Dead:
            continue
        except _Fork as fork:
            stack.extend(path + [j] for j in reversed(fork.viable))
            continue
        if replay.pos == len(text):
            found.append(replay.nats)
    return found
