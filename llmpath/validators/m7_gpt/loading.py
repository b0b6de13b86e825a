"""Load the learner's checkpoint and GPT inside the probe (the child), and report why it cannot be judged."""

from __future__ import annotations

import re

from llmpath.validators.api import ContractError, ProbeContext, Verdict, traced

CHECKPOINT = "checkpoint.pt"
CONTRACT_KEYS = ("config", "model", "vocab")


class _Problem(Exception):
    """The checkpoint cannot be judged; the message says why (reported as a failure, not a crash)."""

    def __init__(self, message: str, diagnosis: str | None = None) -> None:
        super().__init__(message)
        self.diagnosis = diagnosis


def _problem(exc: _Problem) -> dict:
    return {"problem": str(exc), "problem_diagnosis": exc.diagnosis}


class _OneThread:
    """Run torch on one thread inside a probe: these models are tiny, and on a busy machine two
    threads that wait for each other are several times slower than one."""

    def __enter__(self) -> None:
        import torch

        self.threads = torch.get_num_threads()
        torch.set_num_threads(1)

    def __exit__(self, *exc: object) -> None:
        import torch

        torch.set_num_threads(self.threads)


_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")


def _short(exc: BaseException, lines: int = 4) -> str:
    text = [ln.strip() for ln in _ANSI.sub("", str(exc)).strip().splitlines() if ln.strip()]
    if text and text[0].startswith("Error(s) in loading state_dict"):
        text = text[1:]
    # torch.load(weights_only=True) explains its options at length; the line that names the cause is this one
    cause = [ln for ln in text if ln.startswith("WeightsUnpickler error:")]
    if cause:
        return cause[0].split(" Please use", 1)[0]
    more = f" (+{len(text) - lines} more)" if len(text) > lines else ""
    return "; ".join(text[:lines]) + more


def _unpickled(exc: BaseException) -> str:
    """The diagnosis of a checkpoint that weights_only refuses: which object is in it."""
    match = re.search(r"GLOBAL ([\w.]+)", str(exc))
    what = match.group(1) if match else "an object"
    hint = " (a numpy array: save torch.tensor(array) or array.tolist())" if what.startswith("numpy") else ""
    return (
        f"the checkpoint holds {what}{hint}; save only plain data: torch.save({{'config': dict, "
        "'model': model.state_dict(), 'vocab': list}, path)"
    )


def _load_model(ctx: ProbeContext):
    """(model in eval mode, vocab, config) from checkpoint.pt and the learner's GPT; raises _Problem."""
    import torch

    GPT = ctx.get(ctx.load("model.py"), "GPT")
    path = ctx.milestone_dir / CHECKPOINT
    if not path.is_file():
        GPT(vocab_size=8, block_size=8, n_layer=1, n_head=1, d_model=8)  # an unwritten GPT says so first
        raise ContractError(
            f"{ctx.milestone}: milestones/{ctx.milestone}/{CHECKPOINT} does not exist: run train.py to write it "
            '({"config": GPT kwargs, "model": state_dict, "vocab": [chars in id order]})'
        )
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # pickled objects, a truncated file, ...
        raise _Problem(
            f"{CHECKPOINT} cannot be read with torch.load(weights_only=True): {_short(exc, 2)}", _unpickled(exc)
        ) from None
    if not isinstance(ckpt, dict):
        raise _Problem(
            f"{CHECKPOINT} holds a {type(ckpt).__name__}, expected a dict with keys {', '.join(CONTRACT_KEYS)}"
        )
    missing = [k for k in CONTRACT_KEYS if k not in ckpt]
    if missing:
        raise _Problem(
            f"{CHECKPOINT} lacks the key(s) {', '.join(repr(k) for k in missing)}; it has {sorted(map(str, ckpt))}",
            "missing checkpoint keys: save {'config': ..., 'model': ..., 'vocab': ...}",
        )
    config, state, vocab = ckpt["config"], ckpt["model"], ckpt["vocab"]
    if not isinstance(config, dict) or not all(isinstance(k, str) for k in config):
        raise _Problem(f"checkpoint['config'] must be a dict of GPT keyword arguments, got {type(config).__name__}")
    if not isinstance(vocab, (list, tuple)) or not all(isinstance(c, str) and len(c) == 1 for c in vocab):
        raise _Problem("checkpoint['vocab'] must be a list of single characters in id order")
    if len(set(vocab)) != len(vocab):
        raise _Problem("checkpoint['vocab'] lists a character twice")
    if not isinstance(state, dict):
        raise _Problem(f"checkpoint['model'] must be a state_dict, got {type(state).__name__}")
    try:
        model = GPT(**config)
    except NotImplementedError:
        raise
    except Exception as exc:
        raise _Problem(
            f"GPT(**checkpoint['config']) raised {type(exc).__name__}: {_short(exc, 2)} (config: {config})"
        ) from None
    try:
        model.load_state_dict(state)
    except NotImplementedError:
        raise
    except Exception as exc:
        raise _Problem(
            f"checkpoint config does not match GPT: {_short(exc)}",
            "the checkpoint's weights do not fit the model built from its config: save the config the "
            "model was trained with, and do not change model.py after training (or retrain)",
        ) from None
    vocab_size = config.get("vocab_size")
    if isinstance(vocab_size, int) and vocab_size < len(vocab):
        raise _Problem(f"checkpoint['vocab'] has {len(vocab)} characters but config['vocab_size'] is {vocab_size}")
    model.eval()
    return model, list(vocab), config


def _block_size(model, config: dict) -> int:
    size = config.get("block_size", getattr(model, "block_size", None))
    if not isinstance(size, int) or size < 2:
        raise _Problem(f"cannot tell the model's block_size (config['block_size'] = {size!r})")
    return size


def _encode(text: str, vocab: list[str]):
    import torch

    stoi = {c: i for i, c in enumerate(vocab)}
    unknown = sorted(set(text) - set(stoi))
    if unknown:
        raise _Problem(
            f"the validation text has character(s) {unknown!r} that are not in checkpoint['vocab']",
            "build the vocabulary from the whole corpus (sorted(set(text))), newline included",
        )
    return torch.tensor([stoi[c] for c in text], dtype=torch.long)


def _logits(model, idx, vocab_size: int | None = None):
    out = traced(model, "model")(idx)  # an error inside forward names the call and its input
    if isinstance(out, tuple):  # nanoGPT-style (logits, loss)
        out = out[0]
    shape = tuple(out.shape)
    if len(shape) != 3 or shape[:2] != tuple(idx.shape) or (vocab_size is not None and shape[2] != vocab_size):
        want = f"({idx.shape[0]}, {idx.shape[1]}, vocab_size{'=' + str(vocab_size) if vocab_size else ''})"
        raise _Problem(f"forward on idx of shape {tuple(idx.shape)} returned shape {shape}, expected {want}")
    return out


def _problem_verdict(raw: dict, what: str) -> Verdict | None:
    if "problem" in raw:
        return Verdict.failed(f"{what}: {raw['problem']}", diagnosis=raw.get("problem_diagnosis"))
    return None
