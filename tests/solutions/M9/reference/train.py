"""Pretrain the GPT on the story corpus tokenized with the M8 BPE; write checkpoint.pt.

    python train.py          (the committed run; see tests/solutions/M9/README.md)

checkpoint.pt = {"config": GPT kwargs, "model": state_dict, "tokenizer": {"merges": [[a, b], ...],
"pattern": str}}; it ends with the test split's loss, perplexity and bits per byte, and samples.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import torch
from bpe import BPETokenizer
from model import GPT
from pretrain import evaluate, load_tokenizer, tokenizer_spec
from torch.nn import functional as F

from llmpath.datasets import load_corpus

HERE = Path(__file__).resolve().parent


def encode_all(tokenizer: BPETokenizer, text: str) -> torch.Tensor:
    """Encode a long text chunk by chunk, each distinct chunk once (the corpus repeats its words)."""
    cache: dict[str, list[int]] = {}
    out: list[int] = []
    for chunk in tokenizer.compiled_pattern.findall(text):
        if chunk not in cache:
            cache[chunk] = tokenizer.encode_chunk(list(chunk.encode("utf-8")))
        out.extend(cache[chunk])
    return torch.tensor(out, dtype=torch.long)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--vocab", type=int, default=512)
    ap.add_argument("--bpe-chars", type=int, default=100_000)
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--block", type=int, default=64)
    ap.add_argument("--layers", type=int, default=3)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--d", type=int, default=64)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--eval-every", type=int, default=250)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1337)
    ap.add_argument("--out", type=Path, default=HERE)
    args = ap.parse_args()

    started = time.time()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    train_text = load_corpus("train")
    tokenizer = BPETokenizer()
    tokenizer.train(train_text[: args.bpe_chars], args.vocab)
    train, val = encode_all(tokenizer, train_text), encode_all(tokenizer, load_corpus("val"))
    print(f"BPE {args.vocab}: {len(train_text) / len(train):.2f} bytes/token, {len(train):,} training tokens "
          f"({time.time() - started:.0f}s)", flush=True)

    config = dict(
        vocab_size=args.vocab, block_size=args.block, n_layer=args.layers, n_head=args.heads, d_model=args.d,
        dropout=0.0,
    )
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
        batches = [batch(val, gen) for _ in range(8)]
        losses = [F.cross_entropy(model(x).flatten(0, 1), y.flatten()).item() for x, y in batches]
        model.train()
        return sum(losses) / len(losses)

    for step in range(args.steps + 1):
        for group in opt.param_groups:
            group["lr"] = lr_at(step)
        x, y = batch(train)
        loss = F.cross_entropy(model(x).flatten(0, 1), y.flatten())
        if step % args.eval_every == 0 or step == args.steps:
            seconds = time.time() - started
            print(f"step {step:5d} train {loss.item():.4f} val {val_loss():.4f} nats/token {seconds:.0f}s", flush=True)
        if step == args.steps:
            break
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    args.out.mkdir(parents=True, exist_ok=True)
    ckpt = {"config": config, "model": model.state_dict(), "tokenizer": tokenizer_spec(tokenizer)}
    torch.save(ckpt, args.out / "checkpoint.pt")
    reloaded = load_tokenizer(ckpt["tokenizer"])
    metrics = evaluate(model, reloaded, load_corpus("test"), args.block)
    print("test split: " + ", ".join(f"{k} {v:.4f}" for k, v in metrics.items()) + f"  ({time.time() - started:.0f}s)")
    model.eval()
    torch.manual_seed(0)
    prompt = torch.tensor([reloaded.encode("\n")], dtype=torch.long)
    for row in model.generate(prompt.repeat(3, 1), 60):
        print("sample:", reloaded.decode(row[1:].tolist()).split("\n")[0])


if __name__ == "__main__":
    main()
