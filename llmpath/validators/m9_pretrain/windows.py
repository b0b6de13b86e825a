"""Where the learner's evaluate looked: its model calls, located in the token stream (numpy).

The known-loss model records every window it is given. Locating them in the text's ids tells the
verdict how the learner cut the text (stride, lengths, padding, a prepended token), and with the
model's known table, what each way of scoring those windows would have returned.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


@dataclasses.dataclass(frozen=True)
class Window:
    row: np.ndarray  # the ids the model was given, (L,)
    start: int  # where row[:matched] sits in the stream; -1 when it sits nowhere
    matched: int  # how many leading ids of row are the stream's (the rest is padding)


@dataclasses.dataclass(frozen=True)
class Located:
    stream: np.ndarray  # the text's ids, with a prepended token when the learner added one
    bos: int | None  # that prepended token
    windows: tuple[Window, ...]

    @property
    def padded(self) -> list[Window]:
        return [w for w in self.windows if 0 <= w.start and w.matched < len(w.row)]

    @property
    def lost(self) -> list[Window]:
        return [w for w in self.windows if w.start < 0]


def rows_of(calls: list[dict]) -> list[np.ndarray]:
    """Every window of every call, in call order (a batch of B windows gives B rows)."""
    import numpy as np

    rows: list[np.ndarray] = []
    for call in calls:
        batch = np.asarray(call["windows"], dtype=np.int64)
        if batch.ndim == 2:
            rows += list(batch)
    return rows


def _place(row: np.ndarray, stream: np.ndarray) -> tuple[int, int]:
    """(start, matched): the longest prefix of row found in stream; (-1, 0) when not even one id is."""
    import numpy as np

    best = (-1, 0)
    for s in np.flatnonzero(stream == row[0]):
        n = min(len(row), len(stream) - s)
        diff = np.flatnonzero(stream[s : s + n] != row[:n])
        m = int(diff[0]) if diff.size else n
        if m > best[1]:
            best = (int(s), m)
            if m == len(row):
                break
    return best


def _common_prefix(a: np.ndarray, b: np.ndarray) -> int:
    import numpy as np

    n = min(len(a), len(b))
    diff = np.flatnonzero(a[:n] != b[:n])
    return int(diff[0]) if diff.size else n


def locate(ids: np.ndarray, calls: list[dict]) -> Located:
    import numpy as np

    rows = rows_of(calls)
    stream, bos = ids, None
    if rows and len(rows[0]) > 1:
        start, matched = _place(rows[0], ids)
        after = _common_prefix(rows[0][1:], ids)  # the row as a token prepended to the text (then padding)
        if after >= 2 and after + 1 > matched:
            stream, bos = np.concatenate([rows[0][:1], ids]), int(rows[0][0])  # e.g. an end-of-text token first
    windows = []
    for row in rows:
        start, matched = _place(row, stream) if len(row) else (-1, 0)
        if matched < min(2, len(row)):
            start, matched = -1, 0
        windows.append(Window(row, start, matched))
    return Located(stream, bos, tuple(windows))


def scored_positions(loc: Located, warm: int, bigram: np.ndarray, unigram: np.ndarray):
    """Per window: arrays (target index in the stream or -1 for padding, context, nats) of its positions.

    Position p < matched predicts the stream's next id (its target, as labels cut from the text give
    it); a padded window's other positions predict the padding that follows them. Nats come from the
    model's own rule: the bigram row of row[p] when p >= warm - 1, else the unigram.
    """
    import numpy as np

    out = []
    n = len(loc.stream)
    for w in loc.windows:
        L = len(w.row)
        if w.start < 0:
            out.append((np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)))
            continue
        p = np.arange(L)
        nxt_index = w.start + p + 1
        real = (p < w.matched) & (nxt_index < n)
        target = np.where(real, nxt_index, -1)
        nxt = np.full(L, -1, dtype=np.int64)
        nxt[real] = loc.stream[nxt_index[real]]
        if w.matched < L:  # padded: the rest predicts padding (the last position, the pad id once more)
            pad = ~real
            following = np.append(w.row[1:], w.row[-1])
            nxt[pad] = following[pad]
        keep = nxt >= 0
        p, prev, nxt, target = p[keep], w.row[keep], nxt[keep], target[keep]
        nats = np.where(p >= warm - 1, -bigram[prev, nxt].astype(np.float64), -unigram[nxt].astype(np.float64))
        out.append((target, p + 1, nats))
    return out
