"""Train the character-level GPT on llmpath's story corpus; write checkpoint.pt and loss_history.json.

    python train.py          (the committed run; see tests/solutions/M7/README.md)
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import torch
from torch.nn import functional as F

from llmpath.datasets import load_corpus
from model import GPT

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=2500)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--block", type=int, default=128)
    ap.add_argument("--layers", type=int, default=3)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--d", type=int, default=64)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--eval-every", type=int, default=100)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1337)
    ap.add_argument("--out", type=Path, default=HERE)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    train_text, val_text = load_corpus("train"), load_corpus("val")
    vocab = sorted(set(train_text))
    stoi = {c: i for i, c in enumerate(vocab)}
    train = torch.tensor([stoi[c] for c in train_text], dtype=torch.long)
    val = torch.tensor([stoi[c] for c in val_text], dtype=torch.long)

    config = dict(vocab_size=len(vocab), block_size=args.block, n_layer=args.layers, n_head=args.heads, d_model=args.d, dropout=0.0)
    model = GPT(**config)
    print(f"{sum(p.numel() for p in model.parameters()):,} parameters")
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.99), weight_decay=0.01)
    warmup = max(1, args.steps // 20)

    def lr_at(step: int) -> float:  # linear warm-up, cosine decay to a tenth
        if step < warmup:
            return args.lr * (step + 1) / warmup
        frac = (step - warmup) / max(1, args.steps - warmup)
        return args.lr * (0.1 + 0.45 * (1 + math.cos(math.pi * frac)))

    def batch(data: torch.Tensor, gen: torch.Generator | None = None):
        ix = torch.randint(len(data) - args.block - 1, (args.batch,), generator=gen)
        x = torch.stack([data[i : i + args.block] for i in ix])
        y = torch.stack([data[i + 1 : i + 1 + args.block] for i in ix])
        return x, y

    @torch.no_grad()
    def val_loss() -> float:
        model.eval()
        gen = torch.Generator().manual_seed(0)  # the same validation batches every time
        losses = []
        for _ in range(8):
            x, y = batch(val, gen)
            losses.append(F.cross_entropy(model(x).flatten(0, 1), y.flatten()).item())
        model.train()
        return sum(losses) / len(losses)

    history = []
    started = time.time()
    for step in range(args.steps + 1):
        for group in opt.param_groups:
            group["lr"] = lr_at(step)
        x, y = batch(train)
        loss = F.cross_entropy(model(x).flatten(0, 1), y.flatten())
        evaluate = step % args.eval_every == 0 or step == args.steps
        entry = {"step": step, "train_loss": round(loss.item(), 5), "val_loss": round(val_loss(), 5) if evaluate else None}
        if step % 10 == 0 or evaluate:
            history.append(entry)
        if evaluate:
            print(f"step {step:5d}  train {entry['train_loss']:.4f}  val {entry['val_loss']:.4f}  {time.time() - started:.0f}s", flush=True)
        if step == args.steps:
            break
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    args.out.mkdir(parents=True, exist_ok=True)
    torch.save({"config": config, "model": model.state_dict(), "vocab": vocab}, args.out / "checkpoint.pt")
    (args.out / "loss_history.json").write_text(json.dumps(history, indent=1) + "\n")
    print(f"done in {time.time() - started:.0f}s; wrote {args.out / 'checkpoint.pt'}")


if __name__ == "__main__":
    main()
