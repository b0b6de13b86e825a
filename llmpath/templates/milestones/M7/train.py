"""M7: train the mini GPT on the llmpath story corpus, at character level.

Run it from this folder (`python train.py`). It must write, next to itself:
  checkpoint.pt       torch.save({"config": {GPT kwargs}, "model": model.state_dict(),
                                   "vocab": [the characters, in id order]})
  loss_history.json   [{"step": int, "train_loss": float, "val_loss": float or null}, ...]
Then `llmpath plot M7` draws visualizations/M7_loss.png from loss_history.json.
"""

from __future__ import annotations

import torch

from llmpath.datasets import entropy_floor, load_corpus  # noqa: F401  (load_corpus("train"), load_corpus("val"))


def build_vocab(text: str) -> tuple[list[str], dict[str, int]]:
    """The sorted list of distinct characters of `text`, and the map from character to id."""
    raise NotImplementedError("build_vocab: chars = sorted(set(text)); stoi = {c: i for i, c in enumerate(chars)}")


def get_batch(
    data: torch.Tensor, block_size: int, batch_size: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Random windows of the id stream `data` (1-D long): x (B, T) and the targets y = x shifted by one."""
    raise NotImplementedError("get_batch: pick batch_size random offsets; x = data[i:i+T], y = data[i+1:i+T+1]")


@torch.no_grad()
def estimate_loss(
    model: torch.nn.Module, data: torch.Tensor, block_size: int, batch_size: int, n_batches: int
) -> float:
    """Mean cross-entropy (nats per character) of `model` over n_batches random batches of `data`, in eval mode."""
    raise NotImplementedError("estimate_loss: model.eval(), average the loss of n_batches batches, model.train()")


def main() -> None:
    """Load the corpus, train a GPT, record the losses, save checkpoint.pt and loss_history.json."""
    raise NotImplementedError("main: the training loop; save checkpoint.pt and loss_history.json as described above")


if __name__ == "__main__":
    main()
