"""m9.samples: llmpath samples from the model itself; the sentences must be grammatical often enough."""

from __future__ import annotations

from llmpath.validators.api import BadOutput, ProbeContext, Verdict, VerdictContext
from llmpath.validators.m9_pretrain.loading import Problem, load, logits, problem, problem_verdict
from llmpath.validators.m9_pretrain.params import SamplesParams
from llmpath.validators.m9_pretrain.threads import OneThread
from llmpath.validators.m9_pretrain.tokenizer import encode, vocab_of

PROMPT_TOKENS = 8  # the end of a story: stories are independent, so a longer prompt only costs time


def prompts(seed: int, n: int) -> list[str]:
    """One whole story per sample (drawn from the seed): the model continues with a new story."""
    from llmpath.datasets.corpus import sample_stories

    return [story for story, _nats in sample_stories(n, 0xA_0000 + seed)]


def sample(model, prompt_ids: list[list[int]], n_new: int, block: int, vocab_size: int, seed: int):
    """(B, n_new) tokens drawn at temperature 1 from the model's own softmax (llmpath's loop, not generate)."""
    import torch

    gen = torch.Generator().manual_seed(seed)
    width = min(len(p) for p in prompt_ids)
    idx = torch.tensor([p[len(p) - width :] for p in prompt_ids], dtype=torch.long)  # the prompts' last tokens
    out = []
    with torch.no_grad():
        for _ in range(n_new):
            probs = torch.softmax(logits(model, idx[:, -block:], vocab_size)[:, -1].double(), dim=-1)
            nxt = torch.multinomial(probs, 1, generator=gen)  # (B, 1)
            out.append(nxt)
            idx = torch.cat([idx, nxt], dim=1)
    return torch.cat(out, dim=1).numpy()


def probe_samples(ctx: ProbeContext) -> dict:
    p = SamplesParams.model_validate(ctx.params)
    with OneThread():
        try:
            loaded = load(ctx)
            block = loaded.block_size
            keep = max(1, min(PROMPT_TOKENS, block // 2))
            ids = [encode(s, loaded.merges, loaded.pattern)[-keep:] for s in prompts(ctx.seed, p.n_samples)]
            tokens = sample(loaded.model, ids, p.sample_tokens, block, loaded.vocab_size, ctx.seed)
        except Problem as exc:
            return problem(exc)
    return {"merges": [list(m) for m in loaded.merges], "tokens": tokens}


def verdict_samples(raw: dict, ctx: VerdictContext) -> Verdict:
    import numpy as np

    from llmpath.datasets.corpus import is_grammatical, split_sentences

    if (v := problem_verdict(raw)) is not None:
        return v
    p: SamplesParams = ctx.params
    vocab = vocab_of([tuple(m) for m in raw["merges"]])
    tokens = np.asarray(raw["tokens"])
    if tokens.shape != (p.n_samples, p.sample_tokens):
        raise BadOutput(f"expected {p.n_samples} samples of {p.sample_tokens} tokens, got shape {tokens.shape}")
    texts = [b"".join(vocab.get(int(i), b"?") for i in row).decode("utf-8", errors="replace") for row in tokens]
    sentences = [s for t in texts for s in split_sentences(t)]
    how = f"{p.n_samples} samples of {p.sample_tokens} tokens at temperature 1 after a story's end (seed {ctx.seed})"
    if len(sentences) < p.min_sentences:
        return Verdict.failed(
            f"only {len(sentences)} complete sentences in {how}; at least {p.min_sentences} expected",
            f"sample: {texts[0][:200]!r}",
            diagnosis="the model does not end sentences: train longer",
        )
    good = [is_grammatical(s) for s in sentences]
    rate = sum(good) / len(good)
    bad = [s for s, g in zip(sentences, good, strict=True) if not g]
    metrics = {"grammatical_fraction": rate, "sentences": float(len(sentences))}
    if rate < p.min_grammatical:
        return Verdict.failed(
            f"{rate:.0%} of {len(sentences)} sampled sentences are grammatical, below {p.min_grammatical:.0%}",
            how,
            *[f"ungrammatical: {s!r}" for s in bad[:5]],
            diagnosis="train longer (the reference's samples are 93-98 % grammatical)",
            metrics=metrics,
        )
    return Verdict.passed(
        f"{rate:.0%} of {len(sentences)} sampled sentences are grammatical (gate {p.min_grammatical:.0%})",
        how,
        f"e.g. {sentences[0]!r}",
        *([f"e.g. ungrammatical: {bad[0]!r}"] if bad else []),
        metrics=metrics,
    )
