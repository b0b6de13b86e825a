"""M9: rebuild the tokenizer saved in checkpoint.pt, and evaluate a GPT on a text (torch).

The judge imports this file on its own: `evaluate` gets llmpath's own model and tokenizer, so it
must use only `model(idx)` (logits (B, T, V)) and `tokenizer.encode(text)`. Import your
BPETokenizer inside `load_tokenizer` (`from bpe import BPETokenizer`): bpe.py sits next to this file.
Losses are natural-log cross-entropies (nats). Read the contract in README.md first.
"""

from __future__ import annotations

import math  # noqa: F401  (math.exp, math.log(2))

import torch


def tokenizer_spec(tokenizer: object) -> dict:
    """What train.py saves as checkpoint["tokenizer"]: {"merges": [[a, b], ...], "pattern": str}.

    The merges in the order learned (merge k made id 256 + k); the split regex, or "" for none.
    """
    raise NotImplementedError("tokenizer_spec: the merges as [a, b] pairs sorted by their new id, and the pattern")


def load_tokenizer(spec: dict) -> object:
    """The tokenizer that checkpoint["tokenizer"] describes, with encode(text) and decode(ids)."""
    raise NotImplementedError("load_tokenizer: a BPETokenizer whose merges[(a, b)] = 256 + k and vocab match spec")


@torch.no_grad()
def evaluate(model: torch.nn.Module, tokenizer: object, text: str, block_size: int) -> dict[str, float]:
    """{"loss": nats per predicted token, "perplexity": exp(loss), "bits_per_byte"} of `model` on `text`.

    Every target ids[1..N-1] once, each with at least min(t, block_size // 2) tokens of context.
    """
    raise NotImplementedError("evaluate: model.eval(); overlapping windows of block_size, score each target once")
