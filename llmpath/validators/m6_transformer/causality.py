"""Judging M6's Jacobian test: no future position and no other batch item may influence an output, and the
likely culprit is named when one does (a mask, a head split, a normalisation over the wrong axis)."""

from __future__ import annotations

from typing import Any

from llmpath.validators.api import BadOutput
from llmpath.validators.m6_transformer.params import BlockParams
from llmpath.validators.m6_transformer.probes import _error_of
from llmpath.validators.m6_transformer.problems import Problems


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
    jac: Any, p: BlockParams, norm_mixing: str | None, problems: Problems
) -> None:
    import numpy as np

    if (err := _error_of(jac)) is not None:
        problems.add("the causality (Jacobian) test crashed", err)
        return
    if not isinstance(jac, dict):
        raise BadOutput("jacobian: unexpected probe output")
    B, T = p.batch, p.seq_len
    # The Jacobian test runs in training mode; the shape check in eval mode. A block whose training-mode
    # output is not a (B, T, d_model) tensor cannot be tested for causality: that fails here, never skips.
    if "type" in jac:
        problems.add(f"in training mode, forward returned a {jac['type']}, not a tensor: the causality test could "
                     "not run", diagnosis="forward must return the (B, T, d_model) tensor in both train() and eval()")
        return
    if tuple(jac["out_shape"]) != (B, T, p.d_model):
        problems.add(f"in training mode, forward(x of shape {(B, T, p.d_model)}) returned shape "
                     f"{tuple(jac['out_shape'])}: the causality test could not run",
                     diagnosis="forward must return the same (B, T, d_model) shape in train() as in eval()")
        return
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
    _judge_positions(W, T, where, norm_mixing, problems)


def _judge_positions(W: Any, T: int, where: str, norm_mixing: str | None, problems: Problems) -> None:
    """Within each sequence: no dependence on later positions, and every earlier position used.

    ``W`` is (B, T, T): the gradient norm of out[b, t] with respect to x[b, s].
    """
    import numpy as np

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
        diagnosis = _leak_diagnosis(W, leaks, missing, future, rows_leaking, norm_mixing)
        problems.add(summary, "dependence of out[t] (rows) on x[s] (columns); 1 = allowed and present, "
                     "F = future leak, 0 = missing past:", pattern, diagnosis=diagnosis)
    elif np.array_equal(missing, np.broadcast_to(past, missing.shape)):
        problems.add(f"positions do not mix {where}: out[t] depends only on x[t], not on earlier positions",
                     diagnosis="the block acts on each token separately: is the attention output added to "
                     "the residual stream? does the mask allow only the diagonal?")
    else:
        problems.add(f"the output ignores some earlier positions {where}",
                     "dependence of out[t] (rows) on x[s] (columns); 1 = present, 0 = missing past:", pattern,
                     diagnosis="a mask that is too strict, or heads split without transpose(1, 2)?")


def _leak_diagnosis(
    W: Any, leaks: Any, missing: Any, future: Any, rows_leaking: list[int], norm_mixing: str | None
) -> str:
    """The likely bug behind a future leak, from its pattern and its size."""
    import numpy as np

    T = W.shape[-1]
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
    return diagnosis


def _picture(ok, leak, missing) -> str:  # noqa: ANN001
    rows = []
    for t in range(ok.shape[0]):
        cells = [
            "F" if leak[t, s] else "0" if missing[t, s] else "1" if ok[t, s] and s <= t else "."
            for s in range(ok.shape[1])
        ]
        rows.append("    " + " ".join(cells))
    return "\n".join(rows)
