"""m9.metrics, the verdict: the learner's numbers against the exact ones, and the likely convention."""

from __future__ import annotations

import math

from llmpath.validators.api import BadOutput, Verdict, VerdictContext
from llmpath.validators.m9_pretrain.conventions import (
    LN2,
    RTOL,
    Exact,
    accepted,
    exact,
    nearest,
    rejected,
    window_perplexities,
    windowing_facts,
)
from llmpath.validators.m9_pretrain.known import tables
from llmpath.validators.m9_pretrain.texts import VOCAB_SIZE, Case, Setup, setup
from llmpath.validators.m9_pretrain.windows import Located, locate

KEYS = ("loss", "perplexity", "bits_per_byte")
NAME_RTOL = 1e-3  # a rejected convention computed exactly on the learner's windows: float error only
_FORWARD = "the model's forward takes only idx and returns logits (B, T, V): compute the loss yourself"
_ERRORS = (
    ("longer than block_size", "windows longer than block_size: cut the ids into windows of at most block_size tokens"),
    ("takes idx of shape", "call the model on a (B, T) batch of windows: x.unsqueeze(0) for one window"),
    ("positional argument", _FORWARD),
    ("unexpected keyword", _FORWARD),
)
_CONTEXT = "the windows give some tokens less than min(t, block_size // 2) tokens of context"
_NAMES = {
    "bits": "the loss is in bits (log base 2); the contract's loss is in nats (natural log), as cross_entropy gives",
    "first": _CONTEXT,
    "first/scored": _CONTEXT,
    "all": "windows overlapped and counted twice: score only the targets no earlier window scored",
    "all/targets": "windows overlapped and counted twice: score only the targets no earlier window scored",
    "mean of window means": (
        "a mean of per-window means: average over all targets, weighting each window by how many it scores "
        "(the first window scores block_size targets, the last fewer)"
    ),
    "mean of window means (all)": (
        "a mean of per-window means over overlapping windows (targets counted in every window)"
    ),
    "pads": "padding scored: the short last window was padded and its padded positions counted in the loss",
    "pads/targets": "padding scored: the short last window was padded and its padded positions counted in the loss",
}


def _result(rec: dict, label: str) -> dict[str, float]:
    got = rec.get("result")
    if not isinstance(got, dict) or any(k not in got for k in KEYS):
        raise BadOutput(f"evaluate on {label}: malformed result")
    bad = [f"{k} is {got[k]}" for k in KEYS if not isinstance(got[k], float)]
    if bad:
        raise BadOutput(f"evaluate on {label} returned non-numbers or non-finite numbers: {'; '.join(bad)}")
    return got


def _loss_diagnosis(got: float, ex: Exact, loc: Located, facts: dict, s: Setup, tables_) -> str | None:
    if loc.lost:
        return None
    name = nearest(rejected(ex, loc, facts, s.warm, *tables_), got, NAME_RTOL)
    if facts["uncovered"] and name in (None, "first", "first/scored"):
        t = facts["uncovered"]
        return (
            f"{len(t)} of {ex.n_ids - 1} targets are never predicted by any window (e.g. token {t[0]}): "
            "a random-batch estimate, or windows that stop short of the end; evaluate every target once"
        )
    if facts["starved"] and name in (None, "first", "first/scored"):
        t = facts["starved"][0]
        return (
            f"{_CONTEXT} (token {t} got {int(facts['best'][t])}, it needs {int(facts['need'][t])}): non-overlapping "
            "windows predict the first tokens of each window almost without context; slide windows by "
            "block_size // 2 and score only the new targets"
        )
    return _NAMES.get(name) if name else None


def _ppl_diagnosis(got: dict, loc: Located, s: Setup, tables_) -> str:
    per_window = window_perplexities(loc, s.warm, *tables_)
    if per_window is not None and abs(got["perplexity"] / per_window - 1) <= NAME_RTOL:
        return (
            "perplexities averaged per window: perplexity is exp(mean loss over all targets), "
            "not a mean of the windows' perplexities"
        )
    if got["perplexity"] > 0 and abs(math.log(got["perplexity"]) - got["loss"] * LN2) <= NAME_RTOL * got["loss"]:
        return "2 ** loss with the loss in nats: perplexity = exp(loss) (or 2 ** bits per token)"
    return f"perplexity must be exp(loss): exp({got['loss']:.6g}) = {math.exp(got['loss']):.6g}"


def _bpb_diagnosis(got: float, ex: Exact, totals: list[float]) -> str | None:
    units = {
        "UTF-8 bytes": ex.n_bytes,
        "characters (len(text)), not UTF-8 bytes (len(text.encode('utf-8')))": ex.n_chars,
        "tokens, not UTF-8 bytes": ex.n_ids,
        "targets (N - 1 tokens), not UTF-8 bytes": ex.n_ids - 1,
    }
    factors = {"": 1.0, "nats per unit: divide by ln 2": LN2, "ln 2 applied twice": 1 / LN2}
    values = {
        (unit, why): total / (LN2 * n) * f
        for unit, n in units.items()
        for why, f in factors.items()
        for total in totals
        if (unit, why) != ("UTF-8 bytes", "")
    }
    keyed = {f"{unit}|{why}": v for (unit, why), v in values.items()}
    name = nearest(keyed, got, NAME_RTOL)
    if name is None:
        return None
    unit, why = name.split("|")
    wrong = "; ".join(([f"counted per {unit}"] if unit != "UTF-8 bytes" else []) + ([why] if why else []))
    return f"bits per byte {wrong}: total nats / (ln 2 x {ex.n_bytes} bytes)"


def judge_case(case: Case, rec: dict, s: Setup, tables_) -> tuple[str | None, str | None, str]:
    """(problem, diagnosis, line) for one text; problem None when it passes."""
    import numpy as np

    what = f"{case.label} ({len(case.ids)} tokens, {len(case.text)} characters, {len(case.text.encode('utf-8'))} bytes)"
    calls = rec.get("calls") or []
    if "error" in rec:
        diagnosis = next((d for key, d in _ERRORS if key in rec["error"]), None)
        return f"evaluate on {what} raised {rec['error']}", diagnosis, what
    if "bad" in rec:
        raise BadOutput(f"on {what}: {rec['bad']}")
    got = _result(rec, case.label)
    ids = np.asarray(case.ids, dtype=np.int64)
    ex = exact(case.text, ids, s.warm, *tables_, len(s.tokenizer.vocab[case.ids[0]]))
    loc = locate(ids, calls)
    facts = windowing_facts(loc, s.warm, *tables_)
    losses, bpbs = accepted(ex, loc, facts, s.warm, *tables_)
    how = nearest(losses, got["loss"], RTOL, first_wins=True)
    how_bpb = nearest(bpbs, got["bits_per_byte"], RTOL, first_wins=True)
    ok_ppl = got["perplexity"] > 0 and abs(math.log(got["perplexity"]) - got["loss"]) <= RTOL * max(got["loss"], 1e-3)
    line = (
        f"{what}: loss {got['loss']:.6g} (exact {ex.loss:.6g}), perplexity {got['perplexity']:.6g} (exact "
        f"{ex.perplexity:.6g}), bits_per_byte {got['bits_per_byte']:.6g} (exact {ex.bits_per_byte:.6g})"
    )
    if how is not None and how_bpb is not None and ok_ppl:
        notes = [f"loss: {how}"] * (how != "the contract") + [f"bits_per_byte: {how_bpb}"] * (how_bpb != "the contract")
        return None, None, line + (f"; accepted ({'; '.join(notes)})" if notes else "")
    if any(bool(c.get("training")) for c in calls):
        return line, "the model ran in train mode (its dropout was active): call model.eval() in evaluate", line
    again = rec.get("again")
    if isinstance(again, dict) and any(again.get(k) != got[k] for k in KEYS):
        return line, (
            "two calls on the same text gave different numbers: a random-batch estimate (random windows, as in "
            "a training loop's estimate_loss) instead of one pass over every target"
        ), line
    if how is None:
        return line, _loss_diagnosis(got["loss"], ex, loc, facts, s, tables_), line
    if not ok_ppl:
        return line, _ppl_diagnosis(got, loc, s, tables_), line
    return line, _bpb_diagnosis(got["bits_per_byte"], ex, [losses[how] * (ex.n_ids - 1), ex.total]), line


def verdict_metrics(raw: dict, ctx: VerdictContext) -> Verdict:
    s = setup(ctx.seed, ctx.params.long_tokens)
    tables_ = tables(s.train_ids, VOCAB_SIZE)
    records = raw.get("cases")
    if not isinstance(records, list) or len(records) != len(s.cases):
        raise BadOutput("the probe returned a malformed list of cases")
    model = (
        f"llmpath's bigram-table model (vocab {VOCAB_SIZE}, block_size={s.block_size}, sharp predictions from "
        f"{s.warm} tokens of context on, dropout 0.5 in train mode), seed {ctx.seed}; tolerance {RTOL:g} relative"
    )
    lines, problems, diagnoses = [], [], []
    for case, rec in zip(s.cases, records, strict=True):
        problem, diagnosis, line = judge_case(case, rec, s, tables_)
        lines.append(line)
        if problem:
            problems.append(problem)
            diagnoses.append(diagnosis)
    if problems:
        return Verdict.failed(
            f"evaluate's numbers differ from the exact ones on {len(problems)} of {len(s.cases)} texts",
            *problems,
            model,
            diagnosis=next((d for d in diagnoses if d), None),
        )
    return Verdict.passed(
        f"evaluate returns the exact loss, perplexity and bits per byte on {len(s.cases)} texts", *lines, model
    )
