"""M10: fine-tune your M9 GPT on the story-endings task, with LoRA and fully (see README.md).

Run it from this folder: it loads ../M9/checkpoint.pt with your M9 model.py and tokenizer loader,
and writes adapter.pt (the adapters only) and full.pt (the fully fine-tuned model) here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "M9"))  # your M9 model.py and pretrain.py
sys.path.insert(0, str(HERE))

from llmpath.datasets import ENDING_WORDS, ending_bayes_accuracy, ending_task  # noqa: E402, F401


def load_base():
    """(model, tokenizer, config) from ../M9/checkpoint.pt, built with your M9 code."""
    raise NotImplementedError("load_base: torch.load(..., weights_only=True), GPT(**config), load_tokenizer(...)")


@torch.no_grad()
def accuracy(model, tokenizer, examples, block_size: int) -> float:
    """The README's readout: score " happy" and " sad" as continuations of each prompt; the higher wins."""
    raise NotImplementedError("accuracy: the ending whose tokens get the higher total log-probability wins")


def main() -> None:
    """(a) LoRA: apply_lora to the base, train the adapters on ending_task("train"), save adapter.pt;
    (b) full: train a fresh copy of the base, every parameter, save full.pt. For each, print the
    test accuracy (ending_task("test")), the trainable parameters and the wall time for your log.
    The best any classifier can do is ending_bayes_accuracy(); the endings are ENDING_WORDS."""
    raise NotImplementedError("main: train with LoRA and save adapter.pt, then fully and save full.pt")


if __name__ == "__main__":
    main()
