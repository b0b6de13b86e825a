"""M9 variant: every target predicted from the longest window that ends just before it (stride 1).

Slowest and simplest: target t gets min(t, block_size) tokens of context, more than the contract
asks; windows are batched 64 at a time, shorter ones (the first block_size targets) one by one.
"""

from __future__ import annotations

import math

import torch
from bpe import BPETokenizer


def load_tokenizer(spec: dict) -> BPETokenizer:
    tok = BPETokenizer(pattern=spec["pattern"])
    tok.merges = {tuple(pair): 256 + k for k, pair in enumerate(spec["merges"])}
    for (a, b), new in tok.merges.items():
        tok.vocab[new] = tok.vocab[a] + tok.vocab[b]
    return tok


@torch.no_grad()
def evaluate(model, tokenizer, text: str, block_size: int) -> dict[str, float]:
    model.eval()
    ids = torch.tensor(tokenizer.encode(text), dtype=torch.long)
    n = len(ids)
    total = torch.zeros((), dtype=torch.float64)
    for t in range(1, min(block_size, n)):  # short contexts: the window starts at 0
        logp = torch.log_softmax(model(ids[None, :t])[0, -1].double(), dim=-1)
        total -= logp[ids[t]]
    full = list(range(block_size, n))  # targets with a full window of block_size tokens before them
    for i in range(0, len(full), 64):
        ts = full[i : i + 64]
        x = torch.stack([ids[t - block_size : t] for t in ts])
        logp = torch.log_softmax(model(x)[:, -1].double(), dim=-1)
        total -= logp[torch.arange(len(ts)), ids[ts]].sum()
    total = float(total)
    n_bytes = len(text.encode("utf-8"))
    return {"loss": total / (n - 1), "perplexity": math.exp(total / (n - 1)), "bits_per_byte": total / n_bytes / math.log(2)}
