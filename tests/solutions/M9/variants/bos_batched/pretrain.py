"""M9 variant: GPT-2's convention, batched: the text starts after a story separator ("\\n").

The first token is scored too, from the separator; windows of block_size tokens every
block_size // 4, all evaluated in one batch with the already-scored targets masked out. The
tokenizer is rebuilt by a small encoder of its own (ranks, lowest merge first), not bpe.py.
"""

from __future__ import annotations

import math
import re

import torch
import torch.nn.functional as F


class Tokenizer:
    def __init__(self, merges: list[list[int]], pattern: str) -> None:
        self.ranks = {(a, b): 256 + k for k, (a, b) in enumerate(merges)}
        self.pattern = re.compile(pattern) if pattern else None
        self.vocab = {i: bytes([i]) for i in range(256)}
        for (a, b), new in self.ranks.items():
            self.vocab[new] = self.vocab[a] + self.vocab[b]

    def _chunk(self, data: bytes) -> list[int]:
        ids = list(data)
        while len(ids) > 1:
            rank, i = min((self.ranks.get(p, 1 << 30), i) for i, p in enumerate(zip(ids, ids[1:])))
            if rank == 1 << 30:
                return ids
            pair = (ids[i], ids[i + 1])
            out, j = [], 0
            while j < len(ids):
                if j + 1 < len(ids) and (ids[j], ids[j + 1]) == pair:
                    out.append(rank)
                    j += 2
                else:
                    out.append(ids[j])
                    j += 1
            ids = out
        return ids

    def encode(self, text: str) -> list[int]:
        chunks = self.pattern.findall(text) if self.pattern else [text]
        done: dict[str, list[int]] = {}
        for c in set(chunks):
            done[c] = self._chunk(c.encode("utf-8"))
        return [i for c in chunks for i in done[c]]

    def decode(self, ids: list[int]) -> str:
        return b"".join(self.vocab[i] for i in ids).decode("utf-8", errors="replace")


def load_tokenizer(spec: dict) -> Tokenizer:
    return Tokenizer(spec["merges"], spec["pattern"])


@torch.no_grad()
def evaluate(model, tokenizer, text: str, block_size: int) -> dict[str, float]:
    model.eval()
    sep = tokenizer.encode("\n")[-1:]
    ids = torch.tensor(sep + tokenizer.encode(text))  # the separator, then the N tokens of the text
    stride = max(1, block_size // 4)
    starts = list(range(0, max(1, len(ids) - block_size + stride), stride))
    xs, ys = [], []
    scored = 0  # targets ids[1 : scored + 1] are already taken
    for s in starts:
        x = ids[s : s + block_size]
        y = ids[s + 1 : s + 1 + block_size].clone()
        x = x[: len(y)]
        y[: max(0, scored - s)] = -100  # targets an earlier window has
        scored = s + len(y)
        pad = block_size - len(x)
        xs.append(F.pad(x, (0, pad)))
        ys.append(F.pad(y, (0, pad), value=-100))
    x, y = torch.stack(xs), torch.stack(ys)
    lengths = [len(ids[s : s + block_size]) for s in starts]
    if len(set(lengths)) > 1:  # a shorter last window: evaluate it alone, without the padding
        last = xs[-1][: len(ids) - 1 - starts[-1]]
        logits = torch.cat([model(x[:-1]).reshape(-1, model(x[:1]).shape[-1]), model(last[None])[0]])
        targets = torch.cat([y[:-1].reshape(-1), ys[-1][: len(last)]])
    else:
        logits, targets = model(x).reshape(len(xs) * block_size, -1), y.reshape(-1)
    total = F.cross_entropy(logits.double(), targets, ignore_index=-100, reduction="sum").item()
    n = len(ids) - 1  # the text's tokens, every one predicted
    return {"loss": total / n, "perplexity": math.exp(total / n), "bits_per_byte": total / (math.log(2) * len(text.encode()))}
