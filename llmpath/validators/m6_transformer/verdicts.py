"""M6's verdict: every section of the probe's record is judged, and all problems found are reported at once."""

from __future__ import annotations

from typing import Any

from llmpath.validators.api import BadOutput, Verdict, VerdictContext
from llmpath.validators.m6_transformer.causality import _judge_causality, _norm_findings
from llmpath.validators.m6_transformer.params import BlockParams, count_ok, expected_counts
from llmpath.validators.m6_transformer.probes import _error_of
from llmpath.validators.m6_transformer.problems import Problems
from llmpath.validators.m6_transformer.variants import variant_diagnosis


def verdict_block(raw: dict, ctx: VerdictContext) -> Verdict:
    p: BlockParams = ctx.params
    problems = Problems()
    size = f"d_model={p.d_model}, n_heads={p.n_heads}, d_ff={p.d_ff}, seed {ctx.seed}"
    _judge_shapes(raw.get("shapes"), p, problems)
    norm_mixing = _norm_findings(raw.get("norms"))
    _judge_causality(raw.get("jacobian"), p, norm_mixing, problems)
    _judge_gradients(raw.get("gradients"), problems)
    _judge_value_error(raw.get("bad_heads"), problems)
    _judge_eval(raw.get("eval"), problems)
    _judge_counts(raw.get("counts"), p, problems)
    if not problems.items:
        return Verdict.passed(
            f"TransformerBlock: shapes, causality (Jacobian test over every position and batch item), gradients "
            f"to every parameter, ValueError, eval determinism and parameter count all hold ({size})",
            metrics={"n_params": float(raw["counts"]["d_ff"])},
        )
    first = problems.items[0][0]
    n_more = len(problems.items) - 1
    more = f" (and {n_more} more problem{'s' * (n_more > 1)})" if n_more else ""
    details: list[str] = []
    for summary, lines, _ in problems.items:
        details.append(f"- {summary}")
        details += [f"  {line}" for chunk in lines for line in chunk.split("\n") if line.strip()]
    diagnoses = list(dict.fromkeys(d for _, _, d in problems.items if d))
    return Verdict.failed(f"TransformerBlock: {first}{more}", *details, f"({size})",
                          diagnosis="; ".join(diagnoses) or None)


def _judge_shapes(rows: Any, p: BlockParams, problems: Problems) -> None:
    if (err := _error_of(rows)) is not None:
        problems.add("forward raised an exception on some input shapes", err,
                     diagnosis="the block must accept any batch size and sequence length T (build the causal mask "
                     "for the T of the input)")
        return
    if not isinstance(rows, list):
        raise BadOutput("shapes: unexpected probe output")
    for row in rows:
        inp = tuple(row["input"])
        if "type" in row:
            problems.add(f"forward({inp}) returned a {row['type']}, expected a tensor of shape {inp}")
            return
        if tuple(row["shape"]) != inp:
            problems.add(f"forward({inp}) returned shape {tuple(row['shape'])}, expected {inp}")
        elif not row["finite"]:
            problems.add(f"forward({inp}) returned nan or inf")


def _judge_gradients(rows: Any, problems: Problems) -> None:
    if (err := _error_of(rows)) is not None:
        problems.add("backward through the block failed", err)
        return
    if not isinstance(rows, list):
        raise BadOutput("gradients: unexpected probe output")
    none = [r["name"] for r in rows if r["grad"] is None]
    zero = [r["name"] for r in rows if r["grad"] is not None and r["grad"] == 0]
    nonfinite = [r["name"] for r in rows if r["grad"] is not None and r["grad"] != r["grad"]]
    if none:
        problems.add(f"parameters receive no gradient: {', '.join(none)}",
                     diagnosis="a parameter that never takes part in forward (created but unused, or used "
                     "under torch.no_grad() / .detach())")
    if zero:
        problems.add(f"parameters receive an all-zero gradient: {', '.join(zero)}",
                     diagnosis="a parameter whose effect is cancelled (multiplied by 0, or fully masked)")
    if nonfinite:
        problems.add(f"parameters receive nan gradients: {', '.join(nonfinite)}")


def _judge_value_error(rows: Any, problems: Problems) -> None:
    if not isinstance(rows, list):
        raise BadOutput("bad_heads: unexpected probe output")
    for r in rows:
        call = f"TransformerBlock(d_model={r['d_model']}, n_heads={r['n_heads']})"
        if r["raised"] == "ValueError":
            continue
        if r["raised"] is None:
            problems.add(f"{call} did not raise ValueError", diagnosis="check d_model % n_heads != 0 in __init__ and "
                         "raise ValueError(...)")
        else:
            hint = " (an `assert` raises AssertionError)" if r["raised"] == "AssertionError" else ""
            problems.add(f"{call} raised {r['raised']} instead of ValueError{hint}", r["message"],
                         diagnosis="check d_model % n_heads explicitly and raise ValueError(...)")


def _judge_eval(rec: Any, problems: Problems) -> None:
    import numpy as np

    if (err := _error_of(rec)) is not None:
        problems.add("the block with dropout=0.5 could not run in eval mode", err)
        return
    a, b = np.asarray(rec["first"]), np.asarray(rec["second"])
    if a.shape != b.shape or not np.array_equal(a, b, equal_nan=True):
        diff = float(np.max(np.abs(a - b))) if a.shape == b.shape else float("nan")
        problems.add(f"two forward passes in eval mode (dropout=0.5) differ (max abs difference {diff:.3g})",
                     diagnosis="dropout stays active in eval mode: use nn.Dropout modules (they follow "
                     "model.eval()), or pass dropout_p=self.dropout if self.training else 0.0 / training=self.training")


def _judge_counts(rec: Any, p: BlockParams, problems: Problems) -> None:
    if (err := _error_of(rec)) is not None:
        problems.add("could not count parameters", err)
        return
    d, f = p.d_model, p.d_ff
    listing = "; ".join(f"{n} {tuple(s)}" for n, s in rec["listing"])
    for key, ff, call in (("d_ff", f, f"d_ff={f}"), ("default", 4 * d, f"d_ff=None (4·d_model = {4 * d})")):
        n = rec[key]
        if count_ok(n, d, ff):
            continue
        exp = expected_counts(d, ff)
        if key == "d_ff" and rec["default"] == n and ff != 4 * d:
            diagnosis = "d_ff is ignored: the block is built with 4·d_model whatever d_ff is passed"
        else:  # a known design (its shapes prove it); the default's rule only when the shapes say nothing
            diagnosis = variant_diagnosis(rec.get("default_listing", []) if key == "default" else rec["listing"],
                                          d, ff)
        if diagnosis is None and key == "default" and count_ok(rec["d_ff"], d, f):
            diagnosis = "d_ff=None must default to 4·d_model"
        problems.add(
            f"TransformerBlock(d_model={d}, n_heads={p.n_heads}, {call}) has {n} trainable parameters",
            "expected the standard block: 4·d² attention weights + 2·d·d_ff MLP weights + LayerNorm weights + "
            f"biases, i.e. {exp['no biases']} (no biases) ... {exp['all biases']} (all biases), e.g. "
            + ", ".join(f"{v} ({k})" for k, v in exp.items()),
            f"parameters: {listing}",
            diagnosis=diagnosis or "extra or missing layers (an unused module? one projection per head?)",
        )
