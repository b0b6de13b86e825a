"""m7.generate: GPT.generate's shapes, top_k, temperature, cropping, and grammatical samples."""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict

from llmpath.validators.api import BadOutput, ProbeContext, Verdict, VerdictContext
from llmpath.validators.m7_gpt.loading import (
    _block_size,
    _encode,
    _load_model,
    _logits,
    _OneThread,
    _Problem,
    _problem,
    _problem_verdict,
    _short,
)

PROMPT = 16  # characters of context before each grammar sample


class GenerateParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    greedy_tokens: int = 20  # top_k=1 must follow the argmax this long
    topk: int = 5
    topk_tokens: int = 30  # 8 sequences sampled with top_k, every token checked
    spread_samples: int = 500  # draws from one high-entropy context per temperature / top_k setting
    temperatures: tuple[float, ...] = (0.5, 2.0)
    # Grammar: n_samples prompts (PROMPT characters ending at a sentence boundary) continued by
    # sample_tokens characters at temperature 1: about 55 complete sentences in all. Short samples:
    # generate re-reads the whole context at each step, so a step costs O(T^2) in attention and many
    # short samples give more sentences per second than a few long ones (tests/solutions/M7/README.md
    # lists the measured rates). With ~55 sentences the reference's rate (~0.94) has a standard error
    # of ~0.03, so the gate 0.8 sits 4-5 standard errors below it.
    sample_tokens: int = 64
    n_samples: int = 40
    min_grammatical: float = 0.8


def _probe_generate(ctx: ProbeContext) -> dict:
    with _OneThread():
        return _probe_generate_inner(ctx)


def _probe_generate_inner(ctx: ProbeContext) -> dict:
    import torch

    from llmpath.datasets import load_corpus

    p = GenerateParams.model_validate(ctx.params)
    try:
        model, vocab, config = _load_model(ctx)
        block = _block_size(model, config)
        V = config.get("vocab_size", len(vocab))
        text = load_corpus("val", 20_000)
        ids = _encode(text, vocab)
    except _Problem as exc:
        return _problem(exc)
    gen = ctx.traced(model.generate, "model.generate")  # an error names the call: which top_k, which shape
    out: dict[str, Any] = {"vocab": vocab, "block": block}
    start = text.index("\n") + 1
    prompt = ids[start : start + 6].repeat(2, 1)  # (2, 6): the start of a story

    def recompute(seq, n_new: int):
        """The learner's logits at each generation step, from the generated sequence itself."""
        T0 = seq.shape[1] - n_new
        rows = []
        with torch.no_grad():
            for j in range(n_new):
                context = seq[:, : T0 + j][:, -block:]
                rows.append(_logits(model, context, V)[:, -1].double())
        return torch.stack(rows, dim=1)  # (B, n_new, V)

    try:
        ctx.progress("shapes and the prompt")
        torch.manual_seed(ctx.seed)
        short = gen(prompt.clone(), 7)
        out["shape"] = {"prompt": tuple(prompt.shape), "max_new_tokens": 7, "got": tuple(short.shape), "seq": short}
        if tuple(short.shape) != (2, 13):
            return out
        ctx.progress("top_k=1 must follow the most likely token")
        torch.manual_seed(ctx.seed)
        greedy = gen(prompt.clone(), p.greedy_tokens, temperature=1.0, top_k=1)
        out["greedy"] = {"seq": greedy, "logits": recompute(greedy, p.greedy_tokens)}
        torch.manual_seed(ctx.seed)
        sampled = gen(ids[start : start + 6].repeat(8, 1), p.topk_tokens, temperature=1.0, top_k=p.topk)
        out["topk"] = {"seq": sampled, "logits": recompute(sampled, p.topk_tokens)}

        ctx.progress(f"{p.spread_samples} draws per temperature and top_k setting")
        out["spread"] = _spread(ctx, model, gen, ids[start : start + min(block, 32)].unsqueeze(0), V, p)

        ctx.progress("generating past block_size")
        torch.manual_seed(ctx.seed)
        n_long = 8  # from block_size - 2 tokens: past block_size after two steps, so generate must crop
        head = ids[start : start + max(1, block - 2)].repeat(2, 1)
        try:
            long = gen(head, n_long)
        except NotImplementedError:
            raise
        except Exception as exc:  # judged, not an error: generating past block_size must work
            error = f"{type(exc).__name__}: {_short(exc, 2)}"
            out["long"] = {"error": error, "n_new": n_long, "prompt_len": int(head.shape[1])}
            return out
        out["long"] = {"shape": tuple(long.shape), "n_new": n_long, "prompt_len": int(head.shape[1])}

        # grammar: continue n_samples prompts that end at a sentence boundary inside a story
        ends = [i + 2 for i in range(PROMPT, len(text) - 2) if text[i : i + 2] == ". "]
        prompts = torch.stack([ids[e - PROMPT : e] for e in ends[:: max(1, len(ends) // p.n_samples)][: p.n_samples]])
        ctx.progress(f"sampling {len(prompts)} continuations of {p.sample_tokens} characters for the grammar check")
        torch.manual_seed(ctx.seed)
        out["samples"] = {"seq": gen(prompts, p.sample_tokens), "prompt_len": PROMPT}
    except _Problem as exc:
        return _problem(exc)
    return out


def _spread(ctx: ProbeContext, model, gen, window, V: int, p: GenerateParams) -> dict:
    """Many draws from the one context where the model hesitates most: they test top_k and temperature.

    ``window`` is short (32 tokens at most): the draws cost batch x length.
    """
    import torch

    with torch.no_grad():
        probs = torch.softmax(_logits(model, window, V)[0].double(), dim=-1)
    spread = 1 - probs.sort(dim=-1, descending=True).values[:, :3].sum(-1)  # mass outside the top 3
    t_best = int(spread[: window.shape[1]].argmax())
    context = window[:, : t_best + 1]
    with torch.no_grad():
        ctx_logits = _logits(model, context, V)[0, -1].double()
    many = context.repeat(p.spread_samples, 1)
    draws = {}
    for temp in p.temperatures:
        torch.manual_seed(ctx.seed)
        draws[str(temp)] = gen(many.clone(), 1, temperature=temp)[:, -1]
    torch.manual_seed(ctx.seed)
    draws["top3"] = gen(many.clone(), 1, temperature=1.0, top_k=3)[:, -1]
    return {"logits": ctx_logits, "draws": draws, "context_len": int(context.shape[1])}


def fit_temperature(logits, draws) -> float:
    """Maximum-likelihood temperature tau of draws from softmax(logits / tau) (log grid, 0.01 to 100)."""
    import numpy as np

    taus = np.exp(np.linspace(math.log(0.01), math.log(100.0), 801))
    z = logits[None, :] / taus[:, None]
    logp = z - np.logaddexp.reduce(z, axis=1, keepdims=True)  # (taus, V)
    counts = np.bincount(draws, minlength=logits.size)
    return float(taus[int(np.argmax(logp @ counts))])


def _decode(seq, vocab: list[str]) -> str:
    return "".join(vocab[i] if 0 <= i < len(vocab) else "\ufffd" for i in seq)


def _judge_shape_and_prompt(raw: dict, vocab: list[str]) -> Verdict | None:
    """generate(idx (2, 6), max_new_tokens=7) returns (2, 13), starting with the prompt itself."""
    import numpy as np

    from llmpath.datasets import load_corpus

    shape = raw["shape"]
    got, want = tuple(shape["got"]), (2, 6 + 7)
    if got != want:
        diagnosis = None
        if got == (2, 7):
            diagnosis = (
                "generate returns only the new tokens: return the prompt followed by them (torch.cat along dim 1)"
            )
        elif len(got) == 2 and got[0] == 2 and got[1] in (12, 14):
            diagnosis = "off by one in the generation loop (range(max_new_tokens))"
        return Verdict.failed(
            f"generate(idx of shape (2, 6), max_new_tokens=7) returned shape {got}, expected {want}",
            diagnosis=diagnosis,
        )
    seq = np.asarray(shape["seq"])
    text = load_corpus("val", 20_000)
    start = text.index("\n") + 1
    prompt = [vocab.index(c) for c in text[start : start + 6]]
    if not all((row[:6] == prompt).all() for row in seq):
        return Verdict.failed(
            "generate changed the prompt: the first T tokens of its output must be idx itself",
            f"prompt {prompt}, got {seq[0, :6].tolist()}",
        )
    return None


def _in_top(logits: Any, tokens: Any, k: int) -> Any:
    """Whether each token is among the k largest logits (float32 logits recomputed on the same context:
    ties within 1e-4 relative count as in)."""
    import numpy as np

    kth = np.sort(logits, axis=-1)[..., -k]
    mine = np.take_along_axis(logits, tokens[..., None], axis=-1)[..., 0]
    return mine >= kth - 1e-4 * np.maximum(1.0, np.abs(kth))


def _judge_top_k(raw: dict, vocab: list[str], topk: int) -> Verdict | None:
    """top_k=1 is the argmax; every top_k draw is among the k most likely tokens."""
    import numpy as np

    greedy = np.asarray(raw["greedy"]["seq"])
    ok = _in_top(np.asarray(raw["greedy"]["logits"]), greedy[:, 6:], 1)
    if not ok.all():
        b, j = map(int, np.argwhere(~ok)[0])
        return Verdict.failed(
            f"generate(..., top_k=1) did not take the most likely token: step {j} of sequence {b}",
            f"chose {greedy[b, 6 + j]} ({vocab[greedy[b, 6 + j]]!r}), the argmax of the logits is "
            f"{int(np.argmax(raw['greedy']['logits'][b, j]))}",
            diagnosis="top_k is ignored or applied wrongly (keep the k largest logits, set the rest to -inf)",
        )
    sampled = np.asarray(raw["topk"]["seq"])
    ok = _in_top(np.asarray(raw["topk"]["logits"]), sampled[:, 6:], topk)
    spread = raw["spread"]
    logits = np.asarray(spread["logits"], dtype=np.float64)
    top3 = np.asarray(spread["draws"]["top3"])
    ok3 = _in_top(np.broadcast_to(logits, (top3.size, logits.size)), top3, 3)
    if not ok.all() or not ok3.all():
        bad = int((~ok).sum() + (~ok3).sum())
        ranks = 1 + (logits[None, :] > logits[top3[~ok3]][:, None]).sum(1) if (~ok3).any() else []
        return Verdict.failed(
            f"generate sampled {bad} token(s) outside the top_k most likely ones",
            f"top_k={topk}: {int((~ok).sum())} of {ok.size} tokens outside; top_k=3 on one context: "
            f"{int((~ok3).sum())} of {ok3.size} draws outside (ranks seen: {sorted(set(map(int, ranks)))[:6]})",
            diagnosis="top_k is ignored, or keeps too many tokens (mask logits below the k-th largest with -inf)",
        )
    return None


def _judge_temperature(spread: dict, temperatures: Any) -> Verdict | None:
    """The temperature fitted to the draws is within a factor 1.3 of the one asked for."""
    import numpy as np

    logits = np.asarray(spread["logits"], dtype=np.float64)
    for temp in temperatures:
        draws = np.asarray(spread["draws"][str(temp)])
        tau = fit_temperature(logits, draws)
        if abs(math.log(tau / temp)) > math.log(1.3):
            if tau < 0.05:
                diagnosis = (
                    "generate always takes the most likely token: sample with "
                    "torch.multinomial(softmax(logits / temperature))"
                )
            elif abs(math.log(tau * temp)) < math.log(1.3):
                diagnosis = "the logits are multiplied by the temperature: divide them (logits / temperature)"
            elif abs(math.log(tau)) < math.log(1.3):
                diagnosis = "the temperature is ignored: divide the last logits by it before the softmax"
            elif abs(math.log(tau / temp**2)) < math.log(1.3):
                diagnosis = "the logits are divided by the temperature twice"
            else:
                diagnosis = "sample from softmax(logits[:, -1, :] / temperature)"
            return Verdict.failed(
                f"samples drawn at temperature {temp:g} look like temperature {tau:.2f}",
                f"{draws.size} draws from one context of {spread['context_len']} tokens; the temperature is the "
                "maximum-likelihood fit of softmax(logits / tau) to them (allowed: within a factor 1.3)",
                diagnosis=diagnosis,
            )
    return None


def _judge_past_block_size(raw: dict) -> Verdict | None:
    long = raw["long"]
    if "error" in long:
        return Verdict.failed(
            f"generate(idx of shape (2, {long['prompt_len']}), max_new_tokens={long['n_new']}) raised {long['error']}",
            f"the sequence grows past block_size={raw['block']}",
            diagnosis="crop the context to the last block_size tokens before each forward pass: idx[:, -block_size:]",
        )
    want = (2, int(long["prompt_len"]) + int(long["n_new"]))
    if tuple(long["shape"]) != want:
        raise BadOutput(f"generate past block_size returned shape {tuple(long['shape'])}, expected {want}")
    return None


def _judge_grammar(raw: dict, vocab: list[str], p: Any) -> Verdict:
    """At least ``min_grammatical`` of the sampled sentences parse under the corpus grammar."""
    import numpy as np

    from llmpath.datasets import is_grammatical, split_sentences

    samples = np.asarray(raw["samples"]["seq"])
    n0 = int(raw["samples"]["prompt_len"])
    if samples.shape != (p.n_samples, n0 + p.sample_tokens):
        raise BadOutput(f"generate returned shape {samples.shape}, expected {(p.n_samples, n0 + p.sample_tokens)}")
    sentences = []
    for row in samples:
        sentences += split_sentences(_decode(row[n0:], vocab))
    if len(sentences) < 10:
        return Verdict.failed(
            f"only {len(sentences)} complete sentences in {p.n_samples} samples of {p.sample_tokens} characters",
            f"sample: {_decode(samples[0, n0:], vocab)[:200]!r}",
        )
    good = [is_grammatical(s) for s in sentences]
    frac = sum(good) / len(good)
    bad = [s for s, g in zip(sentences, good) if not g]
    metrics = {"grammatical_fraction": frac, "sentences": float(len(sentences))}
    if frac < p.min_grammatical:
        return Verdict.failed(
            f"{frac:.0%} of {len(sentences)} sampled sentences are grammatical, below {p.min_grammatical:.0%}",
            *[f"ungrammatical: {s!r}" for s in bad[:5]],
            diagnosis="train longer (or check the temperature/top_k defaults of generate)",
            metrics=metrics,
        )
    return Verdict.passed(
        f"generate extends the prompt, respects top_k and temperature; {frac:.0%} of {len(sentences)} sampled "
        "sentences are grammatical",
        *([f"e.g. ungrammatical: {bad[0]!r}"] if bad else []),
        metrics=metrics,
    )


def _verdict_generate(raw: dict, ctx: VerdictContext) -> Verdict:
    if (v := _problem_verdict(raw, "generate")) is not None:
        return v
    p = ctx.params
    vocab = list(raw["vocab"])
    failed = (
        _judge_shape_and_prompt(raw, vocab)
        or _judge_top_k(raw, vocab, p.topk)
        or _judge_temperature(raw["spread"], p.temperatures)
        or _judge_past_block_size(raw)
    )
    return failed or _judge_grammar(raw, vocab, p)
