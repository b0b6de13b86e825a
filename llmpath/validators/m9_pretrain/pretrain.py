"""m9.pretrain: a trained BPE that round-trips, and bits per byte on fresh stories, floor < it <= gate."""

from __future__ import annotations

import math

from llmpath.validators.api import BadOutput, ProbeContext, Verdict, VerdictContext
from llmpath.validators.m9_pretrain.heldout import fresh_text, ratio_stats, target_nats
from llmpath.validators.m9_pretrain.loading import Problem, load, problem, problem_verdict
from llmpath.validators.m9_pretrain.params import PretrainParams
from llmpath.validators.m9_pretrain.threads import OneThread
from llmpath.validators.m9_pretrain.tokenizer import encode, vocab_of

_REBUILD = (
    "load_tokenizer must rebuild exactly the tokenizer the model was trained with: the merges in order "
    "(merge k makes id 256 + k, vocab[256 + k] = vocab[a] + vocab[b]) and the split pattern"
)
# Multi-byte text the learner's tokenizer must round-trip (the corpus itself is ASCII).
TRICKY = "Zoë met Søren in Łódź — 東京 🙂 café\r\n\tend\n"


def _their_tokenizer(ctx: ProbeContext, spec: dict, text: str) -> dict:
    """What the learner's load_tokenizer makes of the checkpoint's tokenizer, on the held-out text."""
    load_tokenizer = ctx.get(ctx.load("pretrain.py"), "load_tokenizer")
    out: dict = {}
    try:
        tok = load_tokenizer(spec)
        ids = [int(i) for i in tok.encode(text)]
        out["ids"] = ids
        out["decoded"] = tok.decode(ids)
        out["tricky"] = tok.decode([int(i) for i in tok.encode(TRICKY)])
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001 - a finding, judged
        out["error"] = f"{type(exc).__name__}: {exc}"
    return out


def probe_pretrain(ctx: ProbeContext) -> dict:
    import numpy as np

    p = PretrainParams.model_validate(ctx.params)
    with OneThread():
        try:
            loaded = load(ctx, tokenizer_loader=True)
            text = fresh_text(ctx.seed, p.eval_chars)
            ids = encode(text, loaded.merges, loaded.pattern)
            theirs = _their_tokenizer(ctx, loaded.checkpoint["tokenizer"], text)
            nats = target_nats(loaded.model, ids, loaded.block_size, loaded.vocab_size, p.batch)
        except Problem as exc:
            return problem(exc)
    return {
        "merges": [list(m) for m in loaded.merges],
        "pattern": loaded.pattern,
        "block": loaded.block_size,
        "vocab_size": loaded.vocab_size,
        "ids": np.asarray(ids, dtype=np.int64),
        "nats": nats,
        "theirs": theirs,
    }


def _tokenizer_problem(raw: dict, text: str, ids: list[int]) -> tuple[str, str | None] | None:
    theirs = raw.get("theirs") or {}
    if "error" in theirs:
        return f"load_tokenizer(checkpoint['tokenizer']) or its encode/decode raised {theirs['error']}", _REBUILD
    got = theirs.get("ids")
    if got != ids:
        got = list(got or [])
        n = min(len(got), len(ids))
        k = next((i for i in range(n) if got[i] != ids[i]), n)
        shifted = len(got) == len(ids) and all(a == b - 1 for a, b in zip(got, ids, strict=True) if b >= 256)
        return (
            f"load_tokenizer(checkpoint['tokenizer']).encode differs from the merges the checkpoint stores, from "
            f"token {k} of the held-out text on: got {got[k : k + 4]}, expected {ids[k : k + 4]}",
            "merge k makes id 256 + k (the new ids start at 256, not 255)" if shifted else _REBUILD,
        )
    if theirs.get("decoded") != text or theirs.get("tricky") != TRICKY:
        return "decode(encode(text)) != text with the tokenizer load_tokenizer rebuilds", (
            "decode joins the tokens' bytes and decodes them once as UTF-8"
        )
    return None


def verdict_pretrain(raw: dict, ctx: VerdictContext) -> Verdict:
    import numpy as np

    from llmpath.datasets.corpus import corpus_baselines, entropy_floor

    if (v := problem_verdict(raw)) is not None:
        return v
    p: PretrainParams = ctx.params
    text = fresh_text(ctx.seed, p.eval_chars)
    merges = [tuple(m) for m in raw["merges"]]
    vocab = vocab_of(merges)
    ids = [int(i) for i in np.asarray(raw["ids"]).tolist()]
    if b"".join(vocab.get(i, b"\0\0\0\0\0") for i in ids) != text.encode("utf-8"):
        raise BadOutput("the probe's token ids do not spell the held-out text")
    nats = np.asarray(raw["nats"], dtype=np.float64)
    if nats.shape != (len(ids) - 1,):
        raise BadOutput(f"expected {len(ids) - 1} per-target losses, got shape {nats.shape}")
    where = (
        f"{len(text)} characters of fresh stories (seed {ctx.seed}) = {len(ids)} tokens of your BPE "
        f"({len(merges)} merges); windows of block_size={raw['block']}, stride {raw['block'] // 2}"
    )
    if (bad := _tokenizer_problem(raw, text, ids)) is not None:
        return Verdict.failed(bad[0], where, diagnosis=bad[1])
    per_token = len(text.encode("utf-8")) / len(ids)
    if per_token < p.min_bytes_per_token:
        return Verdict.failed(
            f"the tokenizer compresses held-out stories to {per_token:.2f} bytes/token, below {p.min_bytes_per_token}",
            where,
            diagnosis="train the BPE on corpus text (your M8 trainer) with vocab_size well above 256; save its merges",
        )
    if not np.all(np.isfinite(nats)):
        return Verdict.failed(f"the model's loss is not finite on {where}", diagnosis="the logits contain nan or inf")
    return _judge_bpb(nats, [len(vocab[i]) for i in ids[1:]], raw, where, p, entropy_floor(), corpus_baselines)


def _judge_bpb(nats, target_bytes, raw: dict, where: str, p: PretrainParams, floor, baselines) -> Verdict:
    bpb, se = ratio_stats(nats, target_bytes)
    gate, low = p.max_bits_per_byte, floor.bits_per_byte
    uniform = math.log(raw["vocab_size"]) * len(nats) / (math.log(2) * sum(target_bytes))
    numbers = f"your {bpb:.3f} bits/byte (± {se:.3f}); entropy floor {low:.3f}; gate {gate:.3f}"
    metrics = {
        "bits_per_byte": bpb,
        "bits_per_byte_stderr": se,
        "entropy_floor": low,
        "gate": gate,
        "bytes_per_token": sum(target_bytes) / len(nats),
    }
    # No model beats the source's entropy rate on unseen text: allow 4 standard errors of the two
    # estimates (this sample's, the floor's Monte Carlo error).
    margin = 4 * math.hypot(se, floor.stderr / math.log(2))
    if bpb < low - margin:
        return Verdict.failed(
            f"bits per byte below the entropy floor: {numbers}",
            f"no model can beat {low:.3f} bits/byte on unseen stories (4 standard errors: {margin:.3f})",
            f"measured on {where}",
            diagnosis="the model sees the future: it reads the tokens it predicts (no causal mask? targets in input?)",
            metrics=metrics,
        )
    if bpb > gate:
        if bpb > 0.9 * uniform:
            diagnosis = f"the checkpoint looks untrained: uniform guessing over its ids gives {uniform:.2f}"
        elif bpb > (bigram := baselines()["bigram"] / math.log(2)):  # character bigram (slow: only here)
            diagnosis = f"worse than a character bigram ({bigram:.2f} bits/byte): train longer; check the saved weights"
        else:
            diagnosis = "train longer (more steps, warm-up and a decaying learning rate) or a slightly bigger model"
        return Verdict.failed(
            f"bits per byte too high: {numbers}",
            f"measured on {where}",
            diagnosis=diagnosis, metrics=metrics)
    return Verdict.passed(
        f"{bpb:.3f} bits/byte on fresh stories, under the gate {gate:.3f} (entropy floor {low:.3f})",
        f"{numbers}; measured on {where}",
        "the tokenizer that load_tokenizer rebuilds encodes as the checkpoint's merges do, and round-trips",
        metrics=metrics,
    )
