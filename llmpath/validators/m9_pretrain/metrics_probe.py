"""m9.metrics, the probe: the learner's evaluate on llmpath's known-loss model and texts (in the child)."""

from __future__ import annotations

import math
from typing import Any

from llmpath.validators.api import ProbeContext
from llmpath.validators.m9_pretrain.known import known_model, tables
from llmpath.validators.m9_pretrain.params import MetricsParams
from llmpath.validators.m9_pretrain.texts import VOCAB_SIZE, setup
from llmpath.validators.m9_pretrain.threads import OneThread

KEYS = ("loss", "perplexity", "bits_per_byte")


def _number(value: Any) -> float | str:
    """A float, or a description of what it is instead (the verdict reports it)."""
    if isinstance(value, bool):
        return f"a bool ({value})"
    try:
        number = float(value)  # float, int, numpy scalar, 0-d tensor
    except (TypeError, ValueError, RuntimeError):
        return f"a {type(value).__name__}"
    return number if math.isfinite(number) else f"{number}"


def _run(evaluate, model, tokenizer, text: str, block_size: int) -> dict:
    try:
        out = evaluate(model, tokenizer, text, block_size)
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001 - a finding about this input, judged (not a crash of the check)
        return {"error": f"{type(exc).__name__}: {exc}"}
    if not isinstance(out, dict):
        return {"bad": f"evaluate returned a {type(out).__name__}, expected a dict with keys {', '.join(KEYS)}"}
    missing = [k for k in KEYS if k not in out]
    if missing:
        return {"bad": f"evaluate's dict lacks {', '.join(repr(k) for k in missing)}; it has {sorted(map(str, out))}"}
    return {"result": {k: _number(out[k]) for k in KEYS}}


def probe_metrics(ctx: ProbeContext) -> dict:
    import torch

    p = MetricsParams.model_validate(ctx.params)
    evaluate = ctx.get(ctx.load("pretrain.py"), "evaluate")
    s = setup(ctx.seed, p.long_tokens)
    bigram, unigram = tables(s.train_ids, VOCAB_SIZE)
    cases = []
    with OneThread():
        for i, case in enumerate(s.cases):
            model = known_model(bigram, unigram, s.block_size, s.warm)
            torch.manual_seed(ctx.seed * 1000 + i)
            rec = _run(evaluate, model, s.tokenizer, case.text, s.block_size)
            rec["calls"] = model.calls
            if i == 0 and "result" in rec:  # again, with other random numbers: a full pass is deterministic
                model = known_model(bigram, unigram, s.block_size, s.warm)
                torch.manual_seed(ctx.seed * 1000 + 99)
                rec["again"] = _run(evaluate, model, s.tokenizer, case.text, s.block_size).get("result")
            cases.append(rec)
    return {"cases": cases}
