"""Rebuild the learner's fine-tuned models inside a probe: the M9 base, plus adapter.pt or full.pt.

The base is milestones/M9/checkpoint.pt built with milestones/M9/model.py (M9's contract, loaded by
M9's own loader); its tokenizer is rebuilt by llmpath from the checkpoint's merges. The adapter is
put back with the learner's own apply_lora, exactly as the file says (r, alpha, targets).

adapter.pt = {"lora": {"r": int, "alpha": float, "targets": [str, ...]},
              "adapter": {state_dict key: tensor, ...},   # the adapters' parameters, nothing else
              "trainable_params": int}                     # count_trainable(model) when it was saved
full.pt    = {"model": state_dict of the fully fine-tuned GPT (the M9 config)}
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from llmpath.validators.api import ContractError, ProbeContext
from llmpath.validators.m8_bpe.reference import encode_reference
from llmpath.validators.m9_pretrain.loading import Loaded, Problem, load, short

ADAPTER, FULL = "adapter.pt", "full.pt"
_SAVE = (
    'torch.save({"lora": {"r": r, "alpha": alpha, "targets": targets}, "adapter": {name: tensor for the '
    'adapters\' parameters}, "trainable_params": count_trainable(model)}, "adapter.pt")'
)


@dataclasses.dataclass
class Adapted:
    base: Loaded
    model: Any  # the base with the learner's adapters, in eval mode
    lora: dict
    trainable_names: list[str]  # parameters with requires_grad after apply_lora
    base_keys: list[str]  # state_dict keys of the adapted model that are not trainable
    file_keys: list[str]
    file_numel: int
    claimed: Any
    learner_count: Any
    ours: int  # unique parameters with requires_grad
    expected: int  # sum of r (in + out) over the nn.Linear layers the targets name
    total: int  # parameters of the base model


def base(ctx: ProbeContext) -> Loaded:
    """The M9 model and its checkpoint (raises Problem or ContractError naming milestones/M9)."""
    m9 = dataclasses.replace(ctx, milestone="M9", milestone_dir=ctx.workspace / "milestones" / "M9")
    try:
        return load(m9)
    except ContractError as exc:
        raise ContractError(f"M10 fine-tunes your M9 model, and it cannot be loaded: {exc}") from None
    except Problem as exc:
        raise Problem(f"the M9 base (milestones/M9/checkpoint.pt) {exc}", exc.diagnosis) from None


def encoder(loaded: Loaded) -> Callable[[str], list[int]]:
    """llmpath's encoding of the checkpoint's tokenizer (M9's rule), caching each chunk across calls.

    Same result as m9_pretrain.tokenizer.encode: split by the pattern, merges lowest id first per
    chunk. The stories repeat their words, so the cache makes encoding 1,000 prompts cheap.
    """
    import re

    ranks = {pair: 256 + k for k, pair in enumerate(loaded.merges)}
    split = re.compile(loaded.pattern).findall if loaded.pattern else (lambda text: [text])
    cache: dict[str, list[int]] = {}

    def encode(text: str) -> list[int]:
        out: list[int] = []
        for chunk in split(text):
            ids = cache.get(chunk)
            if ids is None:
                ids = cache[chunk] = encode_reference(chunk.encode("utf-8"), ranks)
            out += ids
        return out

    return encode


def read(path: Any, what: str) -> dict:
    import torch

    if not path.is_file():
        raise ContractError(f"M10: milestones/M10/{path.name} does not exist: run your fine-tuning script to write it")
    try:  # map_location: tensors saved from cuda are judged on the CPU
        data = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - pickled objects, a truncated file, ...
        raise Problem(f"{path.name} cannot be read with torch.load(weights_only=True): {short(exc, 2)}", what) from None
    if not isinstance(data, dict):
        raise Problem(f"{path.name} holds a {type(data).__name__}, expected a dict", what)
    return data


def _lora_spec(data: dict) -> dict:
    missing = [k for k in ("lora", "adapter", "trainable_params") if k not in data]
    if missing:
        raise Problem(f"adapter.pt lacks the key(s) {missing}; it has {sorted(map(str, data))}", _SAVE)
    spec = data["lora"]
    ok = isinstance(spec, dict) and isinstance(spec.get("r"), int) and isinstance(spec.get("alpha"), (int, float))
    targets = spec.get("targets") if isinstance(spec, dict) else None
    if not ok or not isinstance(targets, list) or not targets or not all(isinstance(t, str) for t in targets):
        raise Problem(
            f'adapter.pt["lora"] is {spec!r}; expected {{"r": int, "alpha": float, "targets": [str, ...]}}', _SAVE
        )
    if not isinstance(data["adapter"], dict):
        raise Problem(f'adapter.pt["adapter"] is a {type(data["adapter"]).__name__}, expected a dict of tensors', _SAVE)
    return {"r": spec["r"], "alpha": float(spec["alpha"]), "targets": list(targets)}


def adapted(ctx: ProbeContext) -> Adapted:
    """The base with the learner's adapters from adapter.pt (the learner's apply_lora, then the saved weights)."""
    from torch import nn

    from llmpath.validators.m10_lora.diagnose import matches

    module = ctx.load("lora.py")
    apply_lora, count = ctx.get(module, "apply_lora"), ctx.get(module, "count_trainable")
    ctx.get(module, "LoRALinear")(nn.Linear(2, 2), 1, 1.0)  # an unwritten lora.py says "not implemented" first
    loaded = base(ctx)
    data = read(ctx.milestone_dir / ADAPTER, _SAVE)
    spec = _lora_spec(data)
    model = loaded.model
    total = sum(p.numel() for p in model.parameters())
    expected = sum(
        spec["r"] * (m.in_features + m.out_features)
        for n, m in model.named_modules()
        if isinstance(m, nn.Linear) and matches(n, spec["targets"])
    )
    returned = apply_lora(model, spec["r"], spec["alpha"], spec["targets"])
    model = model if returned is None else returned
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    keys = list(model.state_dict())
    weights = data["adapter"]
    try:
        model.load_state_dict(weights, strict=False)
    except Exception as exc:  # noqa: BLE001 - shapes that do not fit
        raise Problem(
            f"adapter.pt's weights do not fit the adapted model: {short(exc)}",
            "save the adapters of the model you trained, with the r and targets you trained with",
        ) from None
    model.eval()
    return Adapted(
        base=loaded,
        model=model,
        lora=spec,
        trainable_names=trainable,
        base_keys=[k for k in keys if k not in set(trainable)],
        file_keys=[str(k) for k in weights],
        file_numel=int(sum(getattr(v, "numel", lambda: 0)() for v in weights.values())),
        claimed=data["trainable_params"],
        learner_count=count(model),
        ours=sum({id(p): p.numel() for p in model.parameters() if p.requires_grad}.values()),
        expected=expected,
        total=total,
    )


def full(ctx: ProbeContext) -> Any:
    """The M9 model with full.pt's weights, in eval mode."""
    loaded = base(ctx)
    data = read(ctx.milestone_dir / FULL, 'torch.save({"model": model.state_dict()}, "full.pt")')
    if not isinstance(data.get("model"), dict):
        raise Problem(
            f'full.pt lacks a "model" state_dict; it has {sorted(map(str, data))}',
            'torch.save({"model": model.state_dict()}, "full.pt")',
        )
    model = loaded.model
    try:
        model.load_state_dict(data["model"])
    except Exception as exc:  # noqa: BLE001
        raise Problem(
            f"full.pt's weights do not fit your M9 GPT: {short(exc)}",
            "save the fully fine-tuned model's state_dict (the M9 config, no adapters)",
        ) from None
    return model.eval()
