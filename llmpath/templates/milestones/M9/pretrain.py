"""M9: pretrain a small GPT on text tokenized with your M8 BPE tokenizer (torch).

A sketch until llmpath fixes this milestone's contract (see README.md): the functions below are
the pieces every pretraining run needs. Losses are natural-log cross-entropies (nats).
"""

from __future__ import annotations

import math  # noqa: F401

import torch


def tokenize_corpus(tokenizer: object, text: str) -> torch.Tensor:
    """The ids of `text` under your trained M8 tokenizer, as a 1-D long tensor."""
    raise NotImplementedError("tokenize_corpus: torch.tensor(tokenizer.encode(text), dtype=torch.long)")


def perplexity(mean_nats_per_token: float) -> float:
    """exp(mean cross-entropy per token)."""
    raise NotImplementedError("perplexity: exp of the mean loss per token")


def bits_per_byte(total_nats: float, n_bytes: int) -> float:
    """Total held-out loss in nats converted to bits and divided by the UTF-8 bytes of the text."""
    raise NotImplementedError("bits_per_byte: total_nats / (ln 2 * n_bytes)")


@torch.no_grad()
def evaluate(model: torch.nn.Module, tokenizer: object, text: str, block_size: int) -> dict[str, float]:
    """Held-out metrics of `model` on `text`: {"loss": nats per token, "perplexity", "bits_per_byte"}."""
    raise NotImplementedError(
        "evaluate: tokenize, sum the loss over every predicted token, convert to the three metrics"
    )


def main() -> None:
    """Train the tokenizer (or load it), pretrain the GPT, evaluate on held-out text, save a checkpoint."""
    raise NotImplementedError("main: tokenizer, training loop, evaluation on the test split, checkpoint")


if __name__ == "__main__":
    main()
