"""m9.report: the M9 experiment entry's numbers are reproduced by llmpath; the entry shows samples.

llmpath evaluates checkpoint.pt itself on the report's text, load_corpus("test", report_chars),
with the contract's windows, and compares: reported bits_per_byte and ln(perplexity) within
``rtol`` (relative) of the recomputation; a reported ``params`` must be the model's parameter
count, with or without the embedding tables.
"""

from __future__ import annotations

import math

from llmpath.validators.api import BadOutput, ProbeContext, Verdict, VerdictContext
from llmpath.validators.m9_pretrain.heldout import target_nats
from llmpath.validators.m9_pretrain.loading import Problem, load, problem, problem_verdict
from llmpath.validators.m9_pretrain.params import ReportParams
from llmpath.validators.m9_pretrain.threads import OneThread
from llmpath.validators.m9_pretrain.tokenizer import encode

METRICS = ("perplexity", "bits_per_byte")


def probe_report(ctx: ProbeContext) -> dict:
    from torch import nn

    from llmpath.datasets.corpus import load_corpus

    p = ReportParams.model_validate(ctx.params)
    with OneThread():
        try:
            loaded = load(ctx)
            ids = encode(load_corpus("test", p.report_chars), loaded.merges, loaded.pattern)
            nats = target_nats(loaded.model, ids, loaded.block_size, loaded.vocab_size)
        except Problem as exc:
            return problem(exc)
    model = loaded.model
    return {
        "total": float(nats.sum()),
        "n_ids": len(ids),
        "params": sum(int(q.numel()) for q in model.parameters()),
        "embedding_params": sum(int(m.weight.numel()) for m in model.modules() if isinstance(m, nn.Embedding)),
    }


def _entry(ctx: VerdictContext):
    from llmpath.logs import read_experiments

    entries = [e for e in read_experiments(ctx.workspace, milestone=ctx.milestone) if set(METRICS) & set(e.metrics)]
    return entries[-1] if entries else None


def verdict_report(raw: dict, ctx: VerdictContext) -> Verdict:
    from llmpath.datasets.corpus import is_grammatical, load_corpus, split_sentences
    from llmpath.errors import LlmpathError

    if (v := problem_verdict(raw)) is not None:
        return v
    p: ReportParams = ctx.params
    text = load_corpus("test", p.report_chars)
    n_ids, total = int(raw["n_ids"]), float(raw["total"])
    if n_ids < 2 or not math.isfinite(total):
        raise BadOutput(f"cannot recompute: {n_ids} tokens, total {total}")
    loss = total / (n_ids - 1)
    ours = {"perplexity": math.exp(loss), "bits_per_byte": total / (math.log(2) * len(text.encode("utf-8")))}
    where = f'evaluate(model, tokenizer, load_corpus("test", {p.report_chars}), block_size), recomputed by llmpath'
    how = (
        f'llmpath log experiment -m {ctx.milestone} --objective "pretrain" --setup "..." '
        f"--metric perplexity={ours['perplexity']:.4g} --metric bits_per_byte={ours['bits_per_byte']:.4g} "
        f"--metric params={raw['params']} --notes \"samples: ...\""
    )
    try:
        entry = _entry(ctx)
    except LlmpathError as exc:
        return Verdict.failed(f"the experiment log cannot be read: {exc.message}")
    if entry is None:
        missing = f"no {ctx.milestone} experiment entry reports perplexity or bits_per_byte"
        return Verdict.failed(missing, f"log one: `{how}`")
    problems = _compare(entry.metrics, ours, loss, p.rtol, raw)
    sentences = split_sentences(entry.notes)
    if len(sentences) < p.min_sample_sentences:
        problems.append(
            f"its notes show {len(sentences)} complete sampled sentence(s); paste at least {p.min_sample_sentences} "
            "samples from your model there (--notes)"
        )
    metrics = {f"recomputed_{k}": v for k, v in ours.items()}
    if problems:
        return Verdict.failed(
            f"experiment {entry.id} ({ctx.milestone}) does not match checkpoint.pt", *problems, f"recomputed: {where}",
            diagnosis="report evaluate on the test split of the checkpoint you keep (re-log after retraining)",
            metrics=metrics,
        )
    rate = sum(map(is_grammatical, sentences)) / len(sentences) if sentences else 0.0
    return Verdict.passed(
        f"experiment {entry.id}: perplexity {entry.metrics['perplexity']:g} and bits_per_byte "
        f"{entry.metrics['bits_per_byte']:g} reproduced ({ours['perplexity']:.4f}, {ours['bits_per_byte']:.4f})",
        f"recomputed: {where}; tolerance {p.rtol:.1%} relative",
        f"{len(sentences)} sampled sentences in its notes ({rate:.0%} grammatical)",
        metrics=metrics,
    )


def _compare(reported: dict[str, float], ours: dict[str, float], loss: float, rtol: float, raw: dict) -> list[str]:
    problems = []
    for name in METRICS:
        if name not in reported:
            problems.append(f"it does not report `{name}` (llmpath computes {ours[name]:.4f})")
            continue
        got = reported[name]
        if name == "perplexity":  # compared as a loss: ln(perplexity) = nats per token
            ok = got > 0 and abs(math.log(got) - loss) <= rtol * loss
        else:
            ok = abs(got - ours[name]) <= rtol * ours[name]
        if not ok:
            problems.append(f"reported {name}={got:g}, but llmpath computes {ours[name]:.4f} (tolerance {rtol:.1%})")
    if "params" in reported:
        counts = {raw["params"], raw["params"] - raw["embedding_params"]}
        if int(round(reported["params"])) not in counts:
            problems.append(
                f"reported params={reported['params']:g}, but the model has {raw['params']} parameters "
                f"({raw['params'] - raw['embedding_params']} without the embedding tables)"
            )
    return problems
