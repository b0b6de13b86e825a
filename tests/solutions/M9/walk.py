"""The M9 part of the real-roadmap walk: lay out the reference, and log the entry m9.report checks.

``document`` measures what it logs: the reference's own ``evaluate`` on the report's text
(``load_corpus("test", 20_000)``), its parameter count, and samples from its ``generate``.
"""

from __future__ import annotations

import contextlib
import importlib
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

REFERENCE = Path(__file__).resolve().parent / "reference"
FILES = ("model.py", "bpe.py", "pretrain.py", "train.py", "checkpoint.pt")
REPORT_CHARS = 20_000
SIBLINGS = ("model", "bpe", "pretrain")


def lay_out(ws: Path) -> None:
    target = ws / "milestones" / "M9"
    target.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        shutil.copyfile(REFERENCE / name, target / name)


@contextlib.contextmanager
def siblings(folder: Path) -> Iterator[None]:
    """Import the milestone's own modules (model, bpe, pretrain) from ``folder``, then forget them."""
    saved = {name: sys.modules.pop(name) for name in SIBLINGS if name in sys.modules}
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        sys.path.remove(str(folder))
        for name in SIBLINGS:
            sys.modules.pop(name, None)
        sys.modules.update(saved)


def measure(folder: Path, n_samples: int = 3) -> tuple[dict[str, float], int, list[str]]:
    """(evaluate's metrics on the report's text, parameter count, sampled stories) of folder's checkpoint."""
    import torch

    from llmpath.datasets import load_corpus

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a tiny model: on a busy machine one thread beats two that wait on each other
    with siblings(folder):
        GPT = importlib.import_module("model").GPT
        pretrain = importlib.import_module("pretrain")
        ckpt = torch.load(folder / "checkpoint.pt", map_location="cpu", weights_only=True)
        model = GPT(**ckpt["config"])
        model.load_state_dict(ckpt["model"])
        tokenizer = pretrain.load_tokenizer(ckpt["tokenizer"])
        block = ckpt["config"]["block_size"]
        metrics = pretrain.evaluate(model, tokenizer, load_corpus("test", REPORT_CHARS), block)
        torch.manual_seed(0)
        model.eval()
        prompt = torch.tensor([tokenizer.encode("\n")] * n_samples)
        rows = model.generate(prompt, 48)
        samples = [tokenizer.decode(row[1:].tolist()).split("\n")[0] for row in rows]
    torch.set_num_threads(threads)
    return metrics, sum(p.numel() for p in model.parameters()), samples


def document(ws: Path, log: Callable[..., None]) -> None:
    metrics, params, samples = measure(ws / "milestones" / "M9")
    log(
        "experiment", "-m", "M9",
        "--objective", "pretrain the GPT on tokens of my BPE",
        "--setup", "BPE 512, GPT 3 layers d_model 64 block 64, 3000 steps AdamW 3e-3",
        "--metric", f"perplexity={metrics['perplexity']:.5g}",
        "--metric", f"bits_per_byte={metrics['bits_per_byte']:.5g}",
        "--metric", f"params={params}",
        "--notes", "Samples at temperature 1:\n" + "\n".join(samples),
    )
