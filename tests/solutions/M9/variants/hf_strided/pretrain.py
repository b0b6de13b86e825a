"""M9 variant: the strided loop of a popular perplexity guide, with its conventions.

Windows of block_size tokens every stride = block_size // 2; the targets already scored are
masked with -100; each window's mean loss is multiplied by its target length and the sum divided
by the number of tokens N (so the first window's mean is counted once too many: accepted, one
token's share); bits per byte over the bytes of the predicted tokens (ids[1:]).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from bpe import BPETokenizer


def load_tokenizer(spec: dict) -> BPETokenizer:
    tok = BPETokenizer(spec["pattern"])
    for k, (a, b) in enumerate(spec["merges"]):
        tok.merges[a, b] = 256 + k
        tok.vocab[256 + k] = tok.vocab[a] + tok.vocab[b]
    return tok


def evaluate(model, tokenizer, text: str, block_size: int) -> dict[str, float]:
    model.eval()
    ids = tokenizer.encode(text)
    input_ids = torch.tensor([ids])
    seq_len = input_ids.size(1)
    stride = block_size // 2
    nlls, prev_end = [], 0
    with torch.no_grad():
        for begin in range(0, seq_len, stride):
            end = min(begin + block_size, seq_len)
            trg_len = end - prev_end
            window = input_ids[:, begin:end]
            labels = window.clone()
            labels[:, :-trg_len] = -100
            logits = model(window)
            loss = F.cross_entropy(logits[0, :-1].double(), labels[0, 1:], ignore_index=-100)
            nlls.append(loss * trg_len)
            prev_end = end
            if end == seq_len:
                break
    loss = float(torch.stack(nlls).sum() / seq_len)
    predicted_bytes = sum(len(tokenizer.vocab[i]) for i in ids[1:])
    return {
        "loss": loss,
        "perplexity": math.exp(loss),
        "bits_per_byte": loss * seq_len / (math.log(2) * predicted_bytes),
    }
