"""Fine-tune the M9 GPT on the story-endings task, with LoRA and fully; write adapter.pt, full.pt, results.json.

    python finetune.py            (the committed run; see tests/solutions/M10/README.md)

The model reads a story and scores the two endings " happy" and " sad" as continuations (the
README's readout); training minimises the cross-entropy of the right ending's tokens only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import sys
import time
from pathlib import Path

import torch
from torch.nn import functional as F

HERE = Path(__file__).resolve().parent
M9 = HERE.parent / "M9"
sys.path.insert(0, str(M9))
sys.path.insert(0, str(HERE))

from lora import apply_lora, count_trainable  # noqa: E402
from model import GPT  # noqa: E402  (the M9 model)
from pretrain import load_tokenizer  # noqa: E402  (the M9 tokenizer loader)

from llmpath.datasets import ENDING_WORDS, ending_task  # noqa: E402


def load_base() -> tuple[torch.nn.Module, object, dict]:
    ckpt = torch.load(M9 / "checkpoint.pt", map_location="cpu", weights_only=True)
    model = GPT(**ckpt["config"])
    model.load_state_dict(ckpt["model"])
    return model, load_tokenizer(ckpt["tokenizer"]), ckpt["config"]


def cached(tokenizer):
    """tokenizer.encode, sentence by sentence with a cache (the stories repeat their sentences).

    Exact for a tokenizer that splits text with a regex before merging (GPT-2's pattern puts a
    boundary after every "."); checked on a few texts, else the plain encode is used.
    """
    cache: dict[str, list[int]] = {}

    def encode(text: str) -> list[int]:
        out: list[int] = []
        for piece in re.split(r"(?<=\.)(?= )", text):
            if piece not in cache:
                cache[piece] = tokenizer.encode(piece)
            out += cache[piece]
        return out

    probe = [p for p, _ in ending_task("val", 20)]
    return encode if all(encode(p) == tokenizer.encode(p) for p in probe) else tokenizer.encode


def rows(encode, examples, block: int) -> list[tuple[list[int], list[tuple[int, int]]]]:
    """For each example: the input ids and the (position, target id) pairs of its ending's tokens.

    The README's rule: keep the last block - (m - 1) prompt ids (m = the longer ending's length),
    then append the ending; its token j is predicted at position (kept - 1 + j).
    """
    words = [encode(w) for w in ENDING_WORDS]
    keep = block - (max(len(w) for w in words) - 1)
    out = []
    for prompt, label in examples:
        kept = encode(prompt)[-keep:]  # crop on the left: the event sentence sits near the end
        ending = words[label]
        out.append((kept + ending[:-1], [(len(kept) - 1 + j, tok) for j, tok in enumerate(ending)]))
    return out


def batch(items) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Right-padded ids (B, T) and the flat (row, position, target) of every scored token."""
    width = max(len(inp) for inp, _ in items)
    x = torch.zeros(len(items), width, dtype=torch.long)
    r, p, t = [], [], []
    for i, (inp, targets) in enumerate(items):
        x[i, : len(inp)] = torch.tensor(inp)
        for pos, tok in targets:
            r.append(i)
            p.append(pos)
            t.append(tok)
    return x, torch.tensor(r), torch.tensor(p), torch.tensor(t)


@torch.no_grad()
def accuracy(model, encode, examples, block: int) -> float:
    """The README's readout: the ending whose tokens get the higher total log-probability wins (ties: sad)."""
    model.eval()
    scores = torch.zeros(len(examples), 2, dtype=torch.float64)
    for c in (0, 1):
        items = rows(encode, [(p, c) for p, _ in examples], block)
        for s in range(0, len(items), 128):
            x, r, p, t = batch(items[s : s + 128])
            logp = torch.log_softmax(model(x).double(), dim=-1)
            scores[:, c].index_add_(0, r + s, logp[r, p, t])
    labels = torch.tensor([y for _, y in examples])
    model.train()
    return float(((scores[:, 1] > scores[:, 0]).long() == labels).double().mean())


def train(model, encode, block: int, steps: int, lr: float, seed: int, log: str) -> float:
    started = time.time()
    gen = torch.Generator().manual_seed(seed)
    data = rows(encode, ending_task("train"), block)
    val = ending_task("val")
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.0)
    warmup = max(1, steps // 10)
    model.train()
    for step in range(steps):
        decay = 0.5 * (1 + math.cos(math.pi * (step - warmup) / (steps - warmup)))  # cosine to zero
        scale = (step + 1) / warmup if step < warmup else decay
        for group in opt.param_groups:
            group["lr"] = lr * scale
        pick = torch.randint(len(data), (32,), generator=gen).tolist()
        x, r, p, t = batch([data[i] for i in pick])
        loss = F.cross_entropy(model(x)[r, p], t)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step % 200 == 0 or step == steps - 1:
            print(f"{log} step {step:4d}  loss {loss.item():.3f}  {time.time() - started:.0f}s", flush=True)
    print(f"{log} val accuracy {accuracy(model, encode, val, block):.3f}", flush=True)
    return time.time() - started


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--method", choices=["lora", "full", "both"], default="both")
    ap.add_argument("--r", type=int, default=8)
    ap.add_argument("--alpha", type=float, default=16.0)
    ap.add_argument("--targets", nargs="+", default=["query", "key", "value", "proj", "mlp.0", "mlp.2"])
    ap.add_argument("--lora-steps", type=int, default=800)
    ap.add_argument("--full-steps", type=int, default=800)
    ap.add_argument("--lora-lr", type=float, default=5e-3)
    ap.add_argument("--full-lr", type=float, default=3e-4)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=HERE)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    results = json.loads((args.out / "results.json").read_text()) if (args.out / "results.json").exists() else {}
    test = ending_task("test")
    for method in ("lora", "full"):
        if args.method not in (method, "both"):
            continue
        torch.manual_seed(args.seed)
        model, tokenizer, config = load_base()
        encode, block = cached(tokenizer), config["block_size"]
        total = sum(p.numel() for p in model.parameters())
        if method == "lora":
            model = apply_lora(model, args.r, args.alpha, args.targets)
        steps, lr = (args.lora_steps, args.lora_lr) if method == "lora" else (args.full_steps, args.full_lr)
        wall = train(model, encode, block, steps, lr, args.seed, method)
        trainable = count_trainable(model)
        if method == "lora":
            names = {n for n, p in model.named_parameters() if p.requires_grad}
            adapter = {k: v for k, v in model.state_dict().items() if k in names}
            lora = {"r": args.r, "alpha": args.alpha, "targets": args.targets}
            torch.save({"lora": lora, "adapter": adapter, "trainable_params": trainable}, args.out / "adapter.pt")
        else:
            torch.save({"model": model.state_dict()}, args.out / "full.pt")
        acc = accuracy(model, encode, test, block)
        results[method] = {"accuracy": acc, "trainable_params": trainable, "total_params": total, "wall_time_s": wall,
                           "steps": steps, "lr": lr, "seed": args.seed}
        print(f"{method}: test accuracy {acc:.4f}, {trainable:,} of {total:,} parameters trained, {wall:.0f}s")
    results["base_sha256"] = hashlib.sha256((M9 / "checkpoint.pt").read_bytes()).hexdigest()  # what was fine-tuned
    (args.out / "results.json").write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
