"""M6 validator: the transformer block (``milestones/M6/transformer.py``).

The verdict cannot rebuild the learner's block, so the probe measures facts about it in the child and
the verdict judges them:

* shapes: ``forward`` maps (B, T, d_model) to (B, T, d_model) for several B and T (T = 1 included);
* causality, by a Jacobian test: in float64, for every batch item b and position t, the gradient of
  ``out[b, t]`` (contracted with a random direction) with respect to every input position: the probe
  returns the (B, T, B, T) matrix of gradient norms. It must be exactly 0 for later positions and for
  other batch items, and non-zero for earlier positions (the block mixes positions: it is not a
  per-token MLP). A masked softmax weight is exactly 0 whether the scores were filled with -inf or
  with -1e9 (exp(-1e9) underflows to 0.0), so a correct block gives exact zeros either way;
* every parameter receives a gradient (a random weighted sum of the outputs: a plain sum would give
  zero gradients through a final LayerNorm, whose outputs sum to a constant);
* ``ValueError`` when d_model % n_heads != 0;
* two forward passes in eval mode with dropout = 0.5 are identical;
* the trainable parameter count is that of the standard block (4 d^2 attention weights, 2 d d_ff MLP
  weights, two LayerNorms) with or without each bias, for the default d_ff = 4 d and an explicit d_ff.

Normalisation modules are also run alone on (B, T, d) inputs, to name the culprit when positions or
batch items leak into each other (LayerNorm over the wrong axis, BatchNorm).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from llmpath.validators.api import BadOutput, Check, ProbeContext, Verdict, VerdictContext

FILE = "transformer.py"
BAD_HEADS = ((10, 4), (16, 3))  # (d_model, n_heads) pairs that must raise ValueError


class BlockParams(BaseModel):
    """Sizes of the blocks the judge builds (small: the Jacobian test runs B·T backward passes)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    d_model: int = Field(16, ge=2, le=256)
    n_heads: int = Field(4, ge=2, le=64)  # >= 2: with one head, a reshape without transpose is harmless
    d_ff: int = Field(24, ge=1, le=1024)  # explicit d_ff, != 4 * d_model so that ignoring it shows
    batch: int = Field(3, ge=2, le=8)  # >= 2: mixing between sequences must be observable
    seq_len: int = Field(6, ge=3, le=32)

    @model_validator(mode="after")
    def _divisible(self) -> BlockParams:
        if self.d_model % self.n_heads:
            raise ValueError("d_model must be divisible by n_heads")
        if self.d_ff == 4 * self.d_model:
            raise ValueError("d_ff must differ from 4 * d_model, so that a block that ignores d_ff is caught")
        return self


# --------------------------------------------------------------------------- probe (child process)


def _attempt(fn):  # noqa: ANN001, ANN202
    """Run a measurement; a learner exception becomes a record the verdict can report."""
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001 - the learner's code may raise anything
        return {"error": f"{type(exc).__name__}: {exc}"[:500]}


def _probe_block(ctx: ProbeContext) -> dict:
    import torch

    # tiny tensors: one thread is fastest, and on a busy machine intra-op threads spin-wait (seen: 100x slower)
    torch.set_num_threads(1)
    p = BlockParams.model_validate(dict(ctx.params))
    module = ctx.load(FILE)
    Block = ctx.get(module, "TransformerBlock")
    D, H, F, B, T = p.d_model, p.n_heads, p.d_ff, p.batch, p.seq_len
    gen = torch.Generator().manual_seed(ctx.seed)

    def build(**kwargs: Any):  # noqa: ANN202
        torch.manual_seed(ctx.seed)
        return Block(D, H, **kwargs)

    # unguarded: a stub's NotImplementedError, or a block that cannot even run, is reported as an error
    model = build(d_ff=F)
    model(torch.randn(B, T, D, generator=gen))

    raw: dict[str, Any] = {}

    def shapes() -> list:
        m = build(d_ff=F).eval()
        rows = []
        for b, t in ((B, T), (1, 1), (2, T + 5)):
            with torch.no_grad():
                out = m(torch.randn(b, t, D, generator=gen))
            if not isinstance(out, torch.Tensor):
                rows.append({"input": (b, t, D), "type": type(out).__name__})
                continue
            rows.append({"input": (b, t, D), "shape": tuple(out.shape), "dtype": str(out.dtype).replace("torch.", ""),
                         "finite": bool(torch.isfinite(out).all())})
        return rows

    raw["shapes"] = _attempt(shapes)

    def jacobian() -> dict:
        dtype_used, note = torch.float64, None
        try:
            m = build(d_ff=F).to(torch.float64)
            m(torch.randn(B, T, D, dtype=torch.float64, generator=gen))
        except Exception as exc:  # noqa: BLE001 - fall back to float32: exact zeros survive there too
            dtype_used, note = torch.float32, f"{type(exc).__name__}: {exc}"[:300]
            m = build(d_ff=F)
        m.train()  # dropout is 0 here; train mode exposes batch statistics (BatchNorm)
        x = torch.randn(B, T, D, dtype=dtype_used, generator=gen).requires_grad_(True)
        out = m(x)
        if not isinstance(out, torch.Tensor):
            return {"type": type(out).__name__}
        result = {"dtype": str(dtype_used).replace("torch.", ""), "double_error": note,
                  "out_shape": tuple(out.shape), "finite": bool(torch.isfinite(out).all())}
        if tuple(out.shape) != (B, T, D):
            return result
        norms = torch.zeros(B, T, B, T, dtype=torch.float64)
        for b in range(B):
            for t in range(T):
                # one random direction u: u^T J is zero only where the Jacobian block J is (for a generic u).
                # A scalar output also keeps autograd from importing sympy for grad_outputs (0.5 s).
                u = torch.randn(D, dtype=dtype_used, generator=gen)
                (g,) = torch.autograd.grad((out[b, t] * u).sum(), x, retain_graph=True, allow_unused=True)
                if g is not None:
                    norms[b, t] = g.detach().double().norm(dim=-1)
        result["grad_norms"] = norms
        return result

    raw["jacobian"] = _attempt(jacobian)

    def gradients() -> list:
        m = build(d_ff=F).train()
        out = m(torch.randn(2, 5, D, generator=gen))
        (out * torch.randn(out.shape, generator=gen)).sum().backward()
        return [
            {"name": n, "shape": tuple(q.shape),
             "grad": None if q.grad is None else float(q.grad.detach().abs().max()) if q.numel() else 0.0}
            for n, q in m.named_parameters() if q.requires_grad
        ]

    raw["gradients"] = _attempt(gradients)

    def counts() -> dict:
        listing = [(n, tuple(q.shape)) for n, q in model.named_parameters() if q.requires_grad]
        return {
            "default": sum(q.numel() for q in build().parameters() if q.requires_grad),
            "d_ff": sum(q.numel() for q in model.parameters() if q.requires_grad),
            "listing": listing,
        }

    raw["counts"] = _attempt(counts)

    def determinism() -> dict:
        m = build(d_ff=F, dropout=0.5).eval()
        x = torch.randn(B, T, D, generator=gen)
        with torch.no_grad():
            a, b = m(x), m(x)
        return {"first": a, "second": b}

    raw["eval"] = _attempt(determinism)

    bad = []
    for d, h in BAD_HEADS:
        try:
            Block(d, h)
            bad.append({"d_model": d, "n_heads": h, "raised": None, "message": ""})
        except Exception as exc:  # noqa: BLE001 - recorded: the verdict wants ValueError
            bad.append({"d_model": d, "n_heads": h, "raised": type(exc).__name__, "message": str(exc)[:200]})
    raw["bad_heads"] = bad

    raw["norms"] = _attempt(lambda: _norm_modules(model, D, gen, torch))
    return raw


def _norm_modules(model: Any, D: int, gen: Any, torch: Any) -> list:
    """Run each leaf module whose class name mentions "norm" alone on a (2, 4, D) input; perturb one
    token and record which output tokens change (a per-token LayerNorm changes only that token)."""
    import copy

    rows = []
    for name, mod in model.named_modules():
        if "norm" not in type(mod).__name__.lower() or next(mod.children(), None) is not None:
            continue
        rec: dict[str, Any] = {"name": name, "class": type(mod).__name__}
        try:
            m = copy.deepcopy(mod).float().train()
            z = torch.randn(2, 4, D, generator=gen)
            z2 = z.clone()
            z2[1, 3] += torch.randn(D, generator=gen)
            with torch.no_grad():
                y1, y2 = m(z), m(z2)
            rec["changed"] = (y1 != y2).reshape(2, 4, -1).any(dim=-1)
        except Exception as exc:  # noqa: BLE001
            rec["error"] = f"{type(exc).__name__}: {exc}"[:200]
        rows.append(rec)
    return rows


# --------------------------------------------------------------------------- verdict (llmpath)


class _Problems:
    def __init__(self) -> None:
        self.items: list[tuple[str, list[str], str | None]] = []

    def add(self, summary: str, *details: str, diagnosis: str | None = None) -> None:
        self.items.append((summary, list(details), diagnosis))


def _verdict_block(raw: dict, ctx: VerdictContext) -> Verdict:
    p: BlockParams = ctx.params
    problems = _Problems()
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


def _error_of(section: Any) -> str | None:
    return section["error"] if isinstance(section, dict) and "error" in section else None


def _judge_shapes(rows: Any, p: BlockParams, problems: _Problems) -> None:
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


def _norm_findings(rows: Any) -> str | None:
    """A diagnosis when a normalisation module mixes tokens or batch items (None when none does)."""
    import numpy as np

    if not isinstance(rows, list):
        return None
    for rec in rows:
        cls = rec.get("class", "?")
        if "batchnorm" in cls.lower():
            return (f"`{rec['name']}` is a {cls}: its statistics are taken over the batch (and positions), so "
                    "sequences leak into each other; use nn.LayerNorm(d_model), which normalises each token")
        changed = rec.get("changed")
        if changed is None:
            continue
        changed = np.asarray(changed, dtype=bool)
        if changed[0].any():
            return (f"normalisation `{rec['name']}` ({cls}) mixes batch items: its statistics include other "
                    "sequences (batch-dependent normalisation, like BatchNorm); normalise over the last axis only")
        if changed[1, :3].any():
            return (f"normalisation `{rec['name']}` ({cls}) mixes positions: it normalises over the wrong axis; "
                    "a LayerNorm takes the mean and variance of each token's d_model features (dim=-1)")
    return None


def _judge_causality(  # noqa: C901, PLR0912, PLR0915
    jac: Any, p: BlockParams, norm_mixing: str | None, problems: _Problems
) -> None:
    import numpy as np

    if (err := _error_of(jac)) is not None:
        problems.add("the causality (Jacobian) test crashed", err)
        return
    if not isinstance(jac, dict):
        raise BadOutput("jacobian: unexpected probe output")
    B, T = p.batch, p.seq_len
    if "type" in jac or tuple(jac["out_shape"]) != (B, T, p.d_model):
        return  # reported by the shape check
    where = f"(B={B}, T={T}, {jac['dtype']} inputs"
    where += f"; float64 failed: {jac['double_error']})" if jac.get("double_error") else ")"
    G = np.asarray(jac.get("grad_norms"), dtype=np.float64)
    if G.shape != (B, T, B, T):
        raise BadOutput("jacobian: unexpected shape of the gradient-norm matrix")
    if not jac["finite"] or not np.isfinite(G).all():
        bad_t = sorted({int(t) for t in np.argwhere(~np.isfinite(G))[:, 1]}) if not np.isfinite(G).all() else []
        diagnosis = None
        if bad_t[:1] == [0]:
            diagnosis = ("position 0 gives nan: its own position is masked, so its whole row of scores is -inf; "
                         "the causal mask must include the diagonal (torch.tril, diagonal=0)")
        problems.add("the output (or its gradient) contains nan/inf in training mode "
                     f"{where}" + (f" at positions {bad_t}" if bad_t else ""), diagnosis=diagnosis)
        return
    eye = np.eye(B, dtype=bool)
    cross = G.transpose(0, 2, 1, 3)[~eye]  # (B*(B-1), T, T): out[b, t] w.r.t. x[b', s] for b' != b
    if np.any(cross != 0):
        problems.add(
            f"sequences in a batch influence each other {where}: out[b] has a non-zero gradient with respect "
            f"to another batch item's input in {int(np.count_nonzero(cross))} of {cross.size} (b, t, b', s) cases",
            diagnosis=norm_mixing or "batch-dependent computation (BatchNorm, a mean over the batch, or a reshape "
            "that mixes the batch and head axes)",
        )
    W = np.stack([G[b, :, b, :] for b in range(B)])  # (B, T, T): out[b, t] w.r.t. x[b, s]
    dep = W != 0
    future = np.triu(np.ones((T, T), dtype=bool), 1)
    past = np.tril(np.ones((T, T), dtype=bool), -1)
    leaks = dep & future
    missing = ~dep & past
    if not leaks.any() and not missing.any():
        return
    pattern = _picture(dep.any(axis=0) & ~missing.any(axis=0), dep.any(axis=0) & future, missing.any(axis=0))
    if leaks.any():
        rows_leaking = sorted({int(t) for t in np.argwhere(leaks.any(axis=0))[:, 0]})
        first_t, = rows_leaking[:1]
        later = [int(s) for s in np.flatnonzero(leaks.any(axis=0)[first_t])]
        summary = (f"not causal {where}: the output at position {first_t} depends on later input positions "
                   f"{later}")
        leak_any = leaks.any(axis=0)
        shuffled = ("positions are shuffled: are the heads split with view/reshape straight to (B, H, T, hs), or "
                    "merged back with view(B, T, D), without a transpose? Reshape to (B, T, H, hs), then "
                    ".transpose(1, 2); merge with .transpose(1, 2).contiguous().view(B, T, D)")
        allowed_norms = W[np.broadcast_to(~future, W.shape)]
        leak_ratio = float(W[leaks].max() / max(allowed_norms.max(), 1e-300))
        if leak_ratio < 1e-8:
            diagnosis = (f"the future leaks only faintly (gradient {leak_ratio:.1e} times the allowed ones): the "
                         "masked scores are filled with a value that is not negative enough (e.g. -100, whose "
                         "exp is tiny but not 0); use float('-inf') or -1e9")
        elif missing.any():
            diagnosis = norm_mixing or shuffled
        elif np.array_equal(leak_any, np.eye(T, k=1, dtype=bool)):
            diagnosis = ("the causal mask is off by one: position t also sees t+1; use torch.tril(..., diagonal=0) "
                         "(or triu(..., diagonal=1) for the masked part)")
        elif rows_leaking == [0]:
            diagnosis = ("position 0 attends to everything: its only allowed key, itself, is masked, so its row is all "
                         "fill value and the softmax is uniform; the causal mask must include the diagonal")
        elif np.array_equal(leak_any, future):
            diagnosis = norm_mixing or ("every position sees the whole sequence: the causal mask is missing or not "
                                        "applied (is masked_fill's result assigned? is the mask used before the "
                                        "softmax?), or the softmax normalises over the query axis (dim=-2)")
        else:  # an irregular pattern of leaks
            diagnosis = norm_mixing or shuffled
        problems.add(summary, "dependence of out[t] (rows) on x[s] (columns); 1 = allowed and present, "
                     "F = future leak, 0 = missing past:", pattern, diagnosis=diagnosis)
    else:
        if np.array_equal(missing, np.broadcast_to(past, missing.shape)):
            problems.add(f"positions do not mix {where}: out[t] depends only on x[t], not on earlier positions",
                         diagnosis="the block acts on each token separately: is the attention output added to "
                         "the residual stream? does the mask allow only the diagonal?")
        else:
            problems.add(f"the output ignores some earlier positions {where}",
                         "dependence of out[t] (rows) on x[s] (columns); 1 = present, 0 = missing past:", pattern,
                         diagnosis="a mask that is too strict, or heads split without transpose(1, 2)?")


def _picture(ok, leak, missing) -> str:  # noqa: ANN001
    rows = []
    for t in range(ok.shape[0]):
        cells = [
            "F" if leak[t, s] else "0" if missing[t, s] else "1" if ok[t, s] and s <= t else "."
            for s in range(ok.shape[1])
        ]
        rows.append("    " + " ".join(cells))
    return "\n".join(rows)


def _judge_gradients(rows: Any, problems: _Problems) -> None:
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


def _judge_value_error(rows: Any, problems: _Problems) -> None:
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


def _judge_eval(rec: Any, problems: _Problems) -> None:
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


def expected_counts(d: int, f: int) -> dict[str, int]:
    """Parameter counts of the standard block, by which biases it has (LayerNorms always have weights)."""
    base = 4 * d * d + 2 * d * f + 2 * d  # W_q, W_k, W_v, W_o; two MLP matrices; two LayerNorm weights
    return {
        "all biases": base + 4 * d + f + d + 2 * d,
        "no biases": base,
        "no Linear biases, LayerNorm biases": base + 2 * d,
        "Linear biases, no LayerNorm biases": base + 4 * d + f + d,
    }


def _count_ok(n: int, d: int, f: int) -> bool:
    """Any subset of the 6 Linear biases (q, k, v, out, fc2: d each; fc1: f) and of the 2 LayerNorm biases."""
    extra = n - (4 * d * d + 2 * d * f + 2 * d)
    return any(extra - c * f == m * d for c in (0, 1) for m in range(0, 8))


def _judge_counts(rec: Any, p: BlockParams, problems: _Problems) -> None:
    if (err := _error_of(rec)) is not None:
        problems.add("could not count parameters", err)
        return
    d, f = p.d_model, p.d_ff
    listing = "; ".join(f"{n} {tuple(s)}" for n, s in rec["listing"])
    for key, ff, call in (("d_ff", f, f"d_ff={f}"), ("default", 4 * d, f"d_ff=None (4·d_model = {4 * d})")):
        n = rec[key]
        if _count_ok(n, d, ff):
            continue
        exp = expected_counts(d, ff)
        diagnosis = None
        if key == "d_ff" and rec["default"] == n and ff != 4 * d:
            diagnosis = "d_ff is ignored: the block is built with 4·d_model whatever d_ff is passed"
        elif key == "default" and _count_ok(rec["d_ff"], d, f):
            diagnosis = "d_ff=None must default to 4·d_model"
        problems.add(
            f"TransformerBlock(d_model={d}, n_heads={p.n_heads}, {call}) has {n} trainable parameters",
            "expected the standard block: 4·d² attention weights + 2·d·d_ff MLP weights + LayerNorm weights + "
            f"biases, i.e. {exp['no biases']} (no biases) ... {exp['all biases']} (all biases), e.g. "
            + ", ".join(f"{v} ({k})" for k, v in exp.items()),
            f"parameters: {listing}",
            diagnosis=diagnosis or "extra or missing layers (an unused module? one projection per head?)",
        )


BLOCK = Check(
    name="m6.block",
    description="TransformerBlock: shapes, causality (Jacobian test), gradients, ValueError, eval determinism, "
    "parameter count",
    probe=_probe_block,
    verdict=_verdict_block,
    params=BlockParams,
    timeout_s=90,
    memory_mb=2048,
)

CHECKS: tuple[Check, ...] = (BLOCK,)
