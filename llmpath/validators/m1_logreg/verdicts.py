"""M1 verdicts: regenerate the inputs, compare the probe's raw values with the float64 reference, and
name the likely bug."""

from __future__ import annotations

import math
from typing import Any

from llmpath.validators.api import BadOutput, Verdict, VerdictContext
from llmpath.validators.m1_logreg.inputs import lg_cases, rotation, sigmoid_inputs, train_data
from llmpath.validators.m1_logreg.reference import _dw_candidates, _loss_candidates, lg_reference, stable_sigmoid
from llmpath.validators.numeric import (
    REL_TOL,
    as_array,
    as_scalar,
    first_match,
    fmt,
    max_abs_error,
    name_scale,
    near,
    rel_error,
    scale_factor,
)

# Values lie in [0, 1], where float64 spacing is <= 1.1e-16; every stable formula is within a few
# ulps, and a float32 computation (~6e-8) or any formula error is far above this.
SIGMOID_ABS_TOL = 1e-12


def verdict_sigmoid(raw: dict, ctx: VerdictContext) -> Verdict:
    import numpy as np

    flat, grid = sigmoid_inputs(ctx.seed, ctx.params.z_max)
    out = as_array(raw.get("out"), flat.shape, f"sigmoid(z) for z of shape {flat.shape}")
    out_grid = as_array(
        raw.get("out_grid"), grid.shape, f"sigmoid(z) for z of shape {grid.shape} (it must work elementwise)"
    )
    ref = stable_sigmoid(flat)
    checked = f"sigmoid on {flat.size} float64 inputs with |z| <= {ctx.params.z_max:g} (seed {ctx.seed})"

    bad = ~np.isfinite(out)
    if bad.any():
        zs = flat[bad]
        kinds = sorted({"nan" if np.isnan(v) else "inf" for v in out[bad]})
        if np.all(zs > 0):
            diagnosis = ("naive sigmoid overflowing: exp(z) is inf for z > 709 and exp(z) / (1 + exp(z)) is "
                         "inf/inf = nan; use 1 / (1 + exp(-z)) for z >= 0 and exp(z) / (1 + exp(z)) for z < 0")
        elif np.all(zs < 0):
            diagnosis = ("naive sigmoid overflowing: exp(-z) is inf for z < -709; use exp(z) / (1 + exp(z)) "
                         "for z < 0 (or np.logaddexp)")
        else:
            diagnosis = "sigmoid overflows for large |z|: compute it with exp(-|z|), which never overflows"
        return Verdict.failed(
            f"{checked}: {'/'.join(kinds)} at {int(bad.sum())} input(s), e.g. z = {fmt(zs[:6])}",
            f"expected {fmt(ref[bad][:6])}, got {fmt(out[bad][:6])}",
            diagnosis=diagnosis,
        )
    if np.any((out < 0) | (out > 1)):
        i = int(np.argmax(np.maximum(out - 1, -out)))
        return Verdict.failed(
            f"{checked}: values outside [0, 1], e.g. sigmoid({flat[i]:g}) = {out[i]!r}",
            f"expected {ref[i]!r}",
        )
    err = np.abs(out - ref)
    err_grid = max_abs_error(out_grid, stable_sigmoid(grid))
    if err.max() > SIGMOID_ABS_TOL or err_grid > SIGMOID_ABS_TOL:
        diagnosis = None
        if max_abs_error(out, 1.0 - ref) <= SIGMOID_ABS_TOL:
            diagnosis = "this is sigmoid(-z) = 1 / (1 + exp(z)): the sign of z is flipped"
        else:
            diagnosis = _sigmoid_error_cause(flat, out, ref, err)
        i = int(np.argmax(err))
        return Verdict.failed(
            f"{checked}: max abs error {max(err.max(), err_grid):.3g} (tolerance {SIGMOID_ABS_TOL:g})",
            f"worst input z = {flat[i]!r}: expected {ref[i]!r}, got {out[i]!r}",
            diagnosis=diagnosis,
        )
    details = []
    if raw.get("warnings"):
        details.append("note: numpy warned " + "; ".join(map(str, raw["warnings"]))
                       + " (harmless here, but a formula that never overflows avoids it)")
    return Verdict.passed(
        f"{checked}: finite, in [0, 1], max abs error {max(err.max(), err_grid):.2g}",
        *details,
        metrics={"max_abs_error": float(max(err.max(), err_grid))},
    )


def _sigmoid_error_cause(z: Any, out: Any, ref: Any, err: Any) -> str | None:
    """Name a cause only when its signature is there: a clip leaves constant values at the saturated ends
    and exact ones elsewhere; float32 spreads relative errors of ~1e-8 over every input."""
    import numpy as np

    wrong = err > SIGMOID_ABS_TOL
    saturated = (ref < 1e-6) | (ref > 1 - 1e-6)
    if wrong.any() and np.all(saturated[wrong]):
        low, high = out[wrong & (ref < 0.5)], out[wrong & (ref > 0.5)]
        if all(v.size == 0 or np.ptp(v) == 0 for v in (low, high)):
            ends = " and ".join(f"{v[0]!r} {where}" for v, where in ((low, "near 0"), (high, "near 1")) if v.size)
            return (f"the output is clipped at the saturated ends ({ends}) and exact elsewhere: sigmoid must "
                    "return the exact value there (e.g. 3.7e-44 at z = -100), so don't clip it (a loss that needs "
                    "a log is better computed from the logits)")
    mid = ~saturated
    rel = err[mid] / np.maximum(np.minimum(ref[mid], 1 - ref[mid]), 1e-300)
    if mid.sum() >= 10 and np.mean(rel > 1e-10) > 0.5 and err.max() < 1e-6:
        return "relative errors of ~1e-8 on almost every input: float32 arithmetic? compute in float64"
    return None


def _unpack(result: Any, d: int, case: str) -> tuple[float, Any, float]:
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise BadOutput(f"loss_and_grad should return (loss, dw, db), got {type(result).__name__}"
                        + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else ""))
    loss, dw, db = result
    return (as_scalar(loss, f"loss ({case} case)"), as_array(dw, (d,), f"dw ({case} case)"),
            as_scalar(db, f"db ({case} case)"))


def _grad_problems(
    name: str, got: Any, ref: Any, cands: dict[str, Any], n: int, where: str
) -> tuple[str, str | None] | None:
    """(message, diagnosis) when ``got`` differs from ``ref``, else None."""
    import numpy as np

    err = rel_error(got, ref)
    if err < REL_TOL:
        return None
    k = scale_factor(got, ref)
    if k is not None:
        diagnosis: str | None = name_scale(k, n, name, generic=np.size(ref) > 1)
        if near(k, -1.0):
            diagnosis = (
                f"{name} has the wrong sign (sign flipped): the error term is sigmoid(z) - y, not y - sigmoid(z)"
            )
        elif near(k, 0.0) and name == "db":
            diagnosis = "db is zero: the gradient of the bias is missing (dL/db = mean(sigmoid(z) - y))"
    else:
        match = first_match(got, cands)
        diagnosis = f"{name}: {match}" if match else None
    message = (f"{name} on the {where}: expected {fmt(ref)}, got {fmt(got)} "
               f"(max abs error {max_abs_error(got, ref):.3g}, rel error {err:.3g} > {REL_TOL:g})")
    return message, diagnosis


Problems = list[tuple[str, str | None]]


def _judge_points(cases: dict, got: dict, p: Any, where: dict[str, str], problems: Problems) -> None:
    """Loss and gradients at the random point and at w = 0 against the float64 reference."""
    for name in ("random", "zero"):
        w, b, X, y = cases[name]
        ref_loss, ref_dw, ref_db = lg_reference(w, b, X, y)
        loss, dw, db = got[name]
        if rel_error(loss, ref_loss) >= REL_TOL:
            k = scale_factor(loss, ref_loss)
            diag = name_scale(k, p.n, "the loss", generic=False) if k is not None else None
            if k is not None and near(k, -1.0):
                diag = "the loss has the wrong sign: L = -mean(y log p + (1 - y) log(1 - p)), with the minus"
            if diag is None:
                match = first_match(loss, _loss_candidates(w, b, X, y))
                diag = match
            expected = "ln 2 = 0.693147 (every p is 1/2)" if name == "zero" else f"{ref_loss!r}"
            problems.append((f"loss at the {where[name]}: expected {expected}, got {loss!r}", diag))
        for pname, g, r in (("dw", dw, ref_dw), ("db", db, ref_db)):
            found = _grad_problems(pname, g, r, _dw_candidates(w, b, X, y) if pname == "dw" else {}, p.n, where[name])
            if found:
                problems.append(found)


def _judge_finite_differences(raw: dict, got: dict, p: Any, problems: Problems, notes: list[str]) -> float:
    """Centered finite differences of the learner's own loss at the random point; returns the error."""
    import numpy as np

    fd_raw = raw.get("fd") or {}
    plus = [as_scalar(v, "loss") for v in fd_raw.get("plus", [])]
    minus = [as_scalar(v, "loss") for v in fd_raw.get("minus", [])]
    if len(plus) != p.d + 1 or len(minus) != p.d + 1:
        raise BadOutput("finite-difference losses are missing")
    fd = (np.array(plus) - np.array(minus)) / (2 * p.fd_step)
    analytic = np.append(got["random"][1], got["random"][2])
    # centered differences are exact to O(h^2 f''') + O(eps |L| / h) ~ 1e-10 for h = 1e-5 on this
    # smooth loss; 1e-5 relative leaves a wide margin and still catches any wrong formula.
    fd_err = rel_error(analytic, fd)
    fd_line = (f"finite differences of your own loss (h = {p.fd_step:g}) give {fmt(fd)}; your (dw, db) "
               f"= {fmt(analytic)} (rel error {fd_err:.3g})")
    if fd_err >= 1e-5:
        problems.append((fd_line, None))
    elif problems:
        notes.append(fd_line + ": your gradient is consistent with your loss, so look at the loss formula too")
    return fd_err


def _judge_large_logits(case: tuple, got: tuple, p: Any, where: str, problems: Problems) -> None:
    """Stability at |z| ~ 1000: the loss exact (not merely finite), the gradient finite and right."""
    import numpy as np

    ref_loss, ref_dw, ref_db = lg_reference(*case)
    loss, dw, db = got
    if not math.isfinite(loss):
        diag = ("log(0) -> -inf: log(sigmoid(z)) underflows for large |z|; compute the loss from the logits, "
                "log(1 + e^z) - y z = np.logaddexp(0, z) - y * z") if math.isinf(loss) else (
                "nan in the loss at large |z|: log(0) = -inf, and 0 * log(0) or inf - inf is nan; compute it "
                "from the logits, np.logaddexp(0, z) - y * z")
        problems.append((f"loss at the {where}: got {loss!r}, expected {ref_loss!r}", diag))
    elif rel_error(loss, ref_loss) >= REL_TOL:
        problems.append(
            (
                f"loss at the {where}: expected {ref_loss!r}, got {loss!r} (rel error "
                f"{rel_error(loss, ref_loss):.3g})",
                "clipped probabilities? clipping p to [eps, 1 - eps] caps each row's loss at -log(eps); compute the "
                "loss from the logits, log(1 + e^z) - y z = np.logaddexp(0, z) - y * z, which is exact",
            )
        )
    if not (np.all(np.isfinite(dw)) and math.isfinite(db)):
        problems.append(
            (
                f"gradient at the {where}: not finite (dw = {fmt(dw)}, db = {db!r})",
                "sigmoid overflowing at |z| = 1e3 (exp(z)/(1 + exp(z)) is inf/inf = nan): use a stable sigmoid",
            )
        )
    else:
        for pname, g, r in (("dw", dw, ref_dw), ("db", db, ref_db)):
            found = _grad_problems(pname, g, r, {}, p.n, where)
            if found:
                problems.append(found)


def verdict_loss_and_grad(raw: dict, ctx: VerdictContext) -> Verdict:
    import numpy as np

    p = ctx.params
    cases = lg_cases(ctx.seed, p.n, p.d, p.logit_scale)
    shape = f"X of shape ({p.n}, {p.d}), seed {ctx.seed}"
    where = {"random": "random point (logits of order 1)", "zero": "point w = 0, b = 0",
             "large": f"point with logits up to |z| = {p.logit_scale:g}"}
    problems: Problems = []
    notes: list[str] = []
    got = {name: _unpack(raw.get(name), p.d, name) for name in cases}
    _judge_points(cases, got, p, where, problems)
    fd_err = _judge_finite_differences(raw, got, p, problems, notes)
    _judge_large_logits(cases["large"], got["large"], p, where["large"], problems)

    checked = f"loss_and_grad on {shape}"
    if problems:
        diagnosis = next((d for _, d in problems if d), None)
        return Verdict.failed(f"{checked}: {problems[0][0]}", *[m for m, _ in problems[1:]], *notes,
                              diagnosis=diagnosis)

    def flat(loss: float, dw: Any, db: float) -> Any:
        return np.append(dw, [loss, db])

    worst = max(rel_error(flat(*got[c]), flat(*lg_reference(*cases[c]))) for c in ("zero", "random", "large"))
    return Verdict.passed(
        f"{checked}: loss, dw, db equal the float64 reference (rel error {worst:.2g} < {REL_TOL:g}), loss at "
        f"w = 0 is ln 2, gradient matches finite differences (rel error {fd_err:.2g}), finite at |z| = "
        f"{p.logit_scale:g}",
        *notes,
        metrics={"rel_error": worst, "fd_rel_error": fd_err},
    )


def verdict_train(raw: dict, ctx: VerdictContext) -> Verdict:
    import numpy as np

    from llmpath.datasets import bayes_rule_accuracy

    p = ctx.params
    X, y, Xt, yt, bayes = train_data(ctx.seed, p)
    data = (f"gaussian_binary({p.n_train}, d={p.d}, seed={ctx.seed}, separation={p.separation:g}) rotated by a "
            f"seeded orthogonal matrix, tested on {p.n_test} held-out points")
    if "train_returned" in raw:
        raise BadOutput(f"train(X, y) should return (w, b), got {raw['train_returned']}")
    w = as_array(raw.get("w"), (p.d,), "w returned by train")
    b = as_scalar(raw.get("b"), "b returned by train")
    proba = as_array(raw.get("proba"), (p.n_test,), "predict_proba(w, b, X)")
    bayes_sample = bayes_rule_accuracy(Xt @ rotation(ctx.seed, p.d), yt, p.separation)  # in the unrotated frame
    finite = bool(np.all(np.isfinite(proba)))
    acc = float(np.mean((proba > 0.5) == (yt == 1))) if finite else 0.0
    metrics = {"accuracy": acc, "bayes_accuracy": bayes, "bayes_rule_sample_accuracy": bayes_sample}
    report = f"your accuracy {acc:.3f}; Bayes {bayes:.3f} (the Bayes rule scores {bayes_sample:.3f} on this test set)"
    if finite and acc >= bayes - p.tolerance and np.all((proba >= 0) & (proba <= 1)):
        return Verdict.passed(f"train on {data}: {report}", f"training took {raw.get('train_seconds', 0):.2f} s",
                              metrics=metrics)

    details = [f"learned w = {fmt(w)}, b = {b!r}"]
    diagnosis = None
    wb_ok = bool(np.all(np.isfinite(w)) and math.isfinite(b))
    acc_wb = float(np.mean((Xt @ w + b > 0) == (yt == 1))) if wb_ok else 0.0
    if not finite or not wb_ok:
        diagnosis = "training diverged to nan/inf: is the learning rate or the gradient far too large (sum vs mean)?"
    elif np.any((proba < 0) | (proba > 1)):
        diagnosis = "predict_proba returned values outside [0, 1]: return sigmoid(X @ w + b)"
    elif acc_wb >= bayes - p.tolerance:
        diagnosis = (f"train is fine (its w, b score {acc_wb:.3f}) but predict_proba is wrong"
                     + (": it returns 1 - sigmoid(z) or sigmoid(-z)?" if acc < 0.5 else ""))
    elif not np.any(w) and b == 0:
        diagnosis = ("train returned w = 0, b = 0: the parameters were never updated (train not calling "
                     "the updates, or updating a copy)?")
    elif acc_wb < 0.5:
        diagnosis = ("worse than chance: training climbed the loss; the update must be w -= lr * dw "
                     "(lr sign / gradient sign flipped?)")
    else:
        Xf = X.astype(np.float64)
        ref_w, ref_b = np.zeros(p.d), 0.0
        for _ in range(1000):
            _, dw, db = lg_reference(ref_w, ref_b, Xf, y)
            ref_w, ref_b = ref_w - 0.1 * dw, ref_b - 0.1 * db
        yours, ref = lg_reference(w, b, Xf, y)[0], lg_reference(ref_w, ref_b, Xf, y)[0]
        details.append(
            f"training loss of your (w, b): {yours:.4f}; after 1000 epochs at lr 0.1 the reference reaches {ref:.4f}"
        )
        if yours > ref + 0.01:
            diagnosis = ("not converged: train should run epochs=1000 steps of lr=0.1 by default, each calling "
                         "loss_and_grad and updating both w and b (and loss_and_grad must pass m1.loss_and_grad)")
    return Verdict.failed(
        f"train on {data}: {report}; needs at least {bayes - p.tolerance:.3f} (Bayes - {p.tolerance:g})",
        *details,
        diagnosis=diagnosis,
        metrics=metrics,
    )
