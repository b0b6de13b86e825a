"""Load checkpoint.pt and the learner's GPT inside a probe (the child); say why it cannot be judged."""

from __future__ import annotations

import dataclasses
from typing import Any

from llmpath.validators.api import ContractError, ProbeContext, Verdict
from llmpath.validators.m9_pretrain.tokenizer import SpecError, parse_spec

CHECKPOINT = "checkpoint.pt"
CONTRACT_KEYS = ("config", "model", "tokenizer")
_SAVE = (
    'save plain data only: torch.save({"config": dict, "model": model.state_dict(), '
    '"tokenizer": {"merges": [[a, b], ...], "pattern": str}}, "checkpoint.pt")'
)


class Problem(Exception):
    """The checkpoint cannot be judged; the message says why (a failure, not a crash)."""

    def __init__(self, message: str, diagnosis: str | None = None) -> None:
        super().__init__(message)
        self.diagnosis = diagnosis


def problem(exc: Problem) -> dict:
    return {"problem": str(exc), "problem_diagnosis": exc.diagnosis}


def problem_verdict(raw: dict) -> Verdict | None:
    if "problem" in raw:
        return Verdict.failed(f"checkpoint.pt: {raw['problem']}", diagnosis=raw.get("problem_diagnosis"))
    return None


@dataclasses.dataclass
class Loaded:
    model: Any  # the learner's GPT, in eval mode, on the CPU
    checkpoint: dict
    merges: list[tuple[int, int]]
    pattern: str
    block_size: int
    vocab_size: int


def short(exc: BaseException, lines: int = 3) -> str:
    text = [ln.strip() for ln in str(exc).strip().splitlines() if ln.strip()]
    if text and text[0].startswith("Error(s) in loading state_dict"):
        text = text[1:]
    more = f" (+{len(text) - lines} more)" if len(text) > lines else ""
    return "; ".join(text[:lines]) + more


def _read(ctx: ProbeContext) -> dict:
    import torch

    path = ctx.milestone_dir / CHECKPOINT
    if not path.is_file():
        raise ContractError(
            f"{ctx.milestone}: milestones/{ctx.milestone}/{CHECKPOINT} does not exist: run your training script "
            "(train.py) to write it; see the contract in the README"
        )
    try:  # map_location: a checkpoint saved from cuda tensors is judged on the CPU
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - pickled objects, a truncated file, ...
        raise Problem(f"cannot be read with torch.load(weights_only=True): {short(exc, 2)}", _SAVE) from None
    if not isinstance(ckpt, dict):
        raise Problem(f"holds a {type(ckpt).__name__}, expected a dict with keys {', '.join(CONTRACT_KEYS)}", _SAVE)
    missing = [k for k in CONTRACT_KEYS if k not in ckpt]
    if missing:
        raise Problem(f"lacks the key(s) {', '.join(repr(k) for k in missing)}; it has {sorted(map(str, ckpt))}", _SAVE)
    return ckpt


def _reveal_stub(fn: Any, *args: Any, **kwargs: Any) -> None:
    """Call ``fn`` on a toy input so that a starter stub reports "not implemented" first; any other
    exception is left for the real call to report, with the real input."""
    try:
        fn(*args, **kwargs)
    except NotImplementedError:
        raise
    except Exception:  # noqa: BLE001 - judged later, on the checkpoint's own config and tokenizer
        pass


def load(ctx: ProbeContext, tokenizer_loader: bool = False) -> Loaded:
    """The checkpoint and the model built from it; raises Problem (judged) or ContractError.

    An unwritten GPT (or load_tokenizer, when asked) says "not implemented" before anything else.
    """
    GPT = ctx.get(ctx.load("model.py"), "GPT")
    _reveal_stub(GPT, vocab_size=260, block_size=8, n_layer=1, n_head=1, d_model=8)
    if tokenizer_loader:
        _reveal_stub(ctx.get(ctx.load("pretrain.py"), "load_tokenizer"), {"merges": [[97, 98]], "pattern": ""})
    ckpt = _read(ctx)
    try:
        merges, pattern = parse_spec(ckpt["tokenizer"])
    except SpecError as exc:
        raise Problem(str(exc), exc.diagnosis) from None
    config, state = ckpt["config"], ckpt["model"]
    if not isinstance(config, dict) or not all(isinstance(k, str) for k in config):
        raise Problem(f'checkpoint["config"] must be a dict of GPT keyword arguments, got {type(config).__name__}')
    vocab_size, block_size = config.get("vocab_size"), config.get("block_size")
    if not isinstance(vocab_size, int) or vocab_size < 256 + len(merges):
        raise Problem(
            f'config["vocab_size"] is {vocab_size!r}, but the tokenizer has 256 + {len(merges)} ids',
            "the model's vocab_size is the tokenizer's: 256 bytes + one id per merge",
        )
    if not isinstance(block_size, int) or block_size < 2:
        raise Problem(f'config["block_size"] is {block_size!r}; the judge needs the model\'s context length')
    if not isinstance(state, dict):
        raise Problem(f'checkpoint["model"] must be a state_dict, got {type(state).__name__}', _SAVE)
    try:
        model = GPT(**config)
        model.load_state_dict(state)
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001 - the learner's model may raise anything
        raise Problem(
            f"GPT(**config) does not take the saved weights: {short(exc)}",
            "save the config the model was trained with, and do not change model.py after training (or retrain)",
        ) from None
    model.eval()
    return Loaded(model, ckpt, merges, pattern, block_size, vocab_size)


def logits(model, idx, vocab_size: int):
    out = model(idx)
    if isinstance(out, tuple):  # nanoGPT-style (logits, loss)
        out = out[0]
    shape = tuple(out.shape)
    if len(shape) != 3 or shape[:2] != tuple(idx.shape) or shape[2] != vocab_size:
        want = f"(B, T, {vocab_size})"
        raise Problem(f"forward on idx of shape {tuple(idx.shape)} gave logits of shape {shape}, not {want}")
    return out
