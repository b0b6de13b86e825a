"""M9: pretrain your GPT on the story corpus, tokenized with your BPE. Run it from this folder.

It must write, next to itself:
  checkpoint.pt   torch.save({"config": {GPT kwargs, vocab_size = 256 + merges},
                              "model": model.state_dict(),
                              "tokenizer": tokenizer_spec(tokenizer)})
and print what the experiment entry reports: evaluate(model, tokenizer, load_corpus("test", 20_000),
block_size) and a few samples. README.md has a recipe that fits in about 10 minutes on 2 CPU cores.
"""

from __future__ import annotations

import torch

from llmpath.datasets import entropy_floor, load_corpus  # noqa: F401  (load_corpus("train"), load_corpus("test", 20_000))


def encode_corpus(tokenizer: object, text: str) -> torch.Tensor:
    """The ids of `text` under your trained tokenizer, as a 1-D long tensor (cache repeated chunks: it is fast)."""
    raise NotImplementedError("encode_corpus: torch.tensor(tokenizer.encode(text), dtype=torch.long)")


def main() -> None:
    """Train the BPE, encode the corpus, train the GPT, save checkpoint.pt, print the report's numbers."""
    raise NotImplementedError("main: tokenizer, training loop, checkpoint.pt, evaluate on load_corpus('test', 20_000)")


if __name__ == "__main__":
    main()
