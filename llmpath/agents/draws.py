"""Seeded draws keyed on meaning: every random choice is a hash of a key, never a shared generator.

A draw is ``int(blake2b(key)) mod d`` over a 256-bit digest, so an event of probability ``a/d`` has
probability ``a/d`` to within ``d / 2**256`` (below 1e-70 for every ``d`` used here): exact for any
purpose. The same key always gives the same draw, whatever happened before, in whatever order, and
in whichever process: two agents that bring the model to the same state see the same draws.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from fractions import Fraction
from typing import TypeVar

T = TypeVar("T")

# Every rate of llmpath's models is a multiple of 1/RESOLUTION, so a draw in [0, RESOLUTION) decides it exactly.
RESOLUTION = 1_000_000


def key(*parts: object) -> str:
    """A canonical key from parts (``repr`` keeps 3 and "3" apart)."""
    return "\x1f".join(repr(p) for p in parts)


def uniform(k: str, modulus: int = RESOLUTION) -> int:
    """An integer in [0, modulus), uniform, determined by the key."""
    digest = hashlib.blake2b(k.encode("utf-8"), digest_size=32).digest()
    return int.from_bytes(digest, "big") % modulus


def below(k: str, rate: Fraction) -> bool:
    """True with probability ``rate`` (a multiple of 1/RESOLUTION)."""
    return uniform(k) < int(rate * RESOLUTION)


def pick(k: str, items: Sequence[T]) -> T:
    """One of ``items``, uniformly."""
    return items[uniform(k, len(items))]


def integer(k: str, low: int, high: int) -> int:
    """An integer in [low, high], uniformly."""
    return low + uniform(k, high - low + 1)


def shuffled(k: str, items: Sequence[T]) -> list[T]:
    """``items`` in a uniformly random order (Fisher-Yates on keyed draws)."""
    out = list(items)
    for i in range(len(out) - 1, 0, -1):
        j = uniform(key(k, i), i + 1)
        out[i], out[j] = out[j], out[i]
    return out
