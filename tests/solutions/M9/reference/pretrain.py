"""M9 pieces: rebuild the tokenizer saved in checkpoint.pt, and evaluate a GPT on a text.

Context rule: target ids[t] (t >= 1) is predicted once, from a window that holds the
min(t, block_size // 2) tokens before it or more. Windows of block_size tokens start every
stride = block_size // 2 tokens; the first window scores all its targets, each later one only
the targets the earlier windows did not reach.
"""

from __future__ import annotations

import math

import torch
from bpe import BPETokenizer
from torch.nn import functional as F


def tokenizer_spec(tokenizer: BPETokenizer) -> dict:
    """What checkpoint.pt stores: the merges in the order learned (merge k made id 256 + k) and the split pattern."""
    ordered = sorted(tokenizer.merges.items(), key=lambda item: item[1])
    return {"merges": [[a, b] for (a, b), _ in ordered], "pattern": tokenizer.pattern}


def load_tokenizer(spec: dict) -> BPETokenizer:
    """The tokenizer that checkpoint["tokenizer"] describes."""
    tokenizer = BPETokenizer(pattern=spec["pattern"])
    for k, (a, b) in enumerate(spec["merges"]):
        tokenizer.merges[(int(a), int(b))] = 256 + k
        tokenizer.vocab[256 + k] = tokenizer.vocab[int(a)] + tokenizer.vocab[int(b)]
    return tokenizer


@torch.no_grad()
def evaluate(model: torch.nn.Module, tokenizer, text: str, block_size: int) -> dict[str, float]:
    """{"loss": nats per predicted token, "perplexity": exp(loss), "bits_per_byte"} of model on text."""
    was_training = model.training
    model.eval()
    ids = torch.tensor(tokenizer.encode(text), dtype=torch.long)
    n = len(ids)
    if n < 2:
        raise ValueError("evaluate needs a text of at least two tokens")
    stride = max(1, block_size // 2)
    sums, counts = [], []  # per window: the nats of its new targets, and how many there are
    next_target = 1  # ids[0] has no context: it is never a target
    start = 0
    while next_target < n:
        x = ids[start : start + block_size]
        y = ids[start + 1 : start + 1 + block_size]
        x = x[: len(y)]
        logits = model(x.unsqueeze(0))[0]  # (L, vocab)
        nll = F.cross_entropy(logits.double(), y, reduction="none")  # (L,) nats; y[j] is ids[start + 1 + j]
        new = nll[next_target - start - 1 :]  # the targets no earlier window scored
        sums.append(new.sum().item())
        counts.append(len(new))
        next_target = start + 1 + len(y)
        start += stride
    model.train(was_training)
    total = sum(sums)
    loss = total / (n - 1)
    return {
        "loss": loss,
        "perplexity": math.exp(loss),
        "bits_per_byte": total / (math.log(2) * len(text.encode("utf-8"))),
    }
