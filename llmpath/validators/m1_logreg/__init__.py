"""M1 validators: logistic regression with a hand-derived gradient (``milestones/M1/logistic_regression.py``).

Checks and what the probes feed the learner's code (the milestone README can quote this):

* ``m1.sigmoid`` — ``sigmoid(z)`` on float64 inputs with |z| <= ``z_max`` (default 1000), including
  0, +-36, +-710 and +-1000, as a flat array and as a (4, 8) array; values must be finite, in [0, 1]
  and within 1e-12 of 1 / (1 + e^-z).
* ``m1.loss_and_grad`` — on a seeded (N, D) = (13, 5) problem: random w, b (logits of order 1),
  w = 0, b = 0 (loss must be ln 2), and logits of magnitude up to 1000. Loss, dw, db must equal a
  float64 reference (relative error < 1e-7) and dw, db must agree with centered finite differences
  of the learner's own loss. At |z| ~ 1000 the loss and the gradient must be finite and still exact
  (a loss computed from clipped probabilities fails there).
* ``m1.train`` — ``train(X, y)`` with its default lr = 0.1, epochs = 1000 on
  ``gaussian_binary(500, d=2, seed, separation=2.5)`` (raw features, not standardized), then
  ``predict_proba`` on 20000 held-out points of the same distribution; the accuracy must be within
  2 points of the exact Bayes accuracy Phi(2.5 / 2) = 0.894.
* ``m1.derivation`` — ``milestones/M1/derivation.md`` has at least ``min_words`` words of prose
  (headings and HTML comments do not count) and states the gradient through sigmoid(z) - y.

The small pure functions below (``rel_error``, ``scale_factor``, ``name_scale``, ``first_match``) are
the diagnosis toolkit; M2's validators use them too.
"""

from __future__ import annotations

import math
import re
import time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from llmpath.validators.api import BadOutput, Check, ProbeContext, Verdict, VerdictContext

FILE = "logistic_regression.py"

# Relative error as CS231n's gradient-check notes define it: max |x - y| / max(|x| + |y|, 1e-8).
# Both sides are float64 computations of the same closed form on inputs of order 1, so a correct
# solution differs from the reference by rounding only (~1e-15); CS231n calls < 1e-7 "happy", and
# every bug below changes the result at the 1e-2 level or more.
REL_TOL = 1e-7


# ---------------------------------------------------------------- diagnosis toolkit (pure)


def rel_error(got: Any, ref: Any) -> float:
    """CS231n's relative error, max over elements of |got - ref| / max(|got| + |ref|, 1e-8)."""
    import numpy as np

    got = np.asarray(got, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    if got.size == 0 and ref.size == 0:
        return 0.0
    with np.errstate(invalid="ignore"):
        err = np.abs(got - ref) / np.maximum(np.abs(got) + np.abs(ref), 1e-8)
    if not np.all(np.isfinite(err)):
        return math.inf
    return float(np.max(err))


def max_abs_error(got: Any, ref: Any) -> float:
    import numpy as np

    diff = np.abs(np.asarray(got, dtype=np.float64) - np.asarray(ref, dtype=np.float64))
    return float(np.max(diff)) if diff.size else 0.0


def scale_factor(got: Any, ref: Any, tol: float = 1e-6) -> float | None:
    """k when ``got`` is (to ``tol``) exactly k times ``ref`` for one scalar k != 1, else None.

    k is the least-squares fit <got, ref> / <ref, ref>; a zero ``got`` gives k = 0.
    """
    import numpy as np

    got = np.asarray(got, dtype=np.float64).ravel()
    ref = np.asarray(ref, dtype=np.float64).ravel()
    if got.shape != ref.shape or not np.all(np.isfinite(got)) or not np.any(ref):
        return None
    k = float(got @ ref / (ref @ ref))
    if abs(k - 1.0) < 1e-6 or rel_error(got, k * ref) > tol:
        return None
    return k


def _near(k: float, target: float) -> bool:
    return abs(k - target) <= 1e-3 * max(abs(target), 1.0)


def name_scale(k: float, n: int, what: str, generic: bool = True) -> str | None:
    """Words for "``what`` is k times the correct value" with the usual causes (n = batch size).

    With ``generic=False`` only the recognized factors are named (None otherwise): any two
    scalars are proportional, so "k times" says nothing about a single number.
    """
    if _near(k, 0.0):
        return f"{what} is zero: is it computed at all (left at its initial value)?"
    if _near(k, float(n)):
        return f"{what} is N={n} times too large: missing division by N (sum instead of mean)?"
    if _near(k, -float(n)):
        return f"{what} is -N={-n} times the correct value: sign flipped and missing division by N (mean vs sum)?"
    if _near(k, 1.0 / n):
        return f"{what} is N={n} times too small: divided by N twice?"
    if _near(k, -1.0):
        return f"{what} has the wrong sign (sign flipped)"
    if _near(k, 1.0 / math.log(2.0)):
        return f"{what} is 1/ln 2 = 1.443 times too large: log base 2 instead of the natural log?"
    if _near(k, 2.0) or _near(k, 0.5):
        return f"{what} is off by a factor of {k:g}: a stray factor 2 (or 1/2)?"
    return f"{what} is {k:.4g} times the correct value" if generic else None


def first_match(got: Any, candidates: dict[str, Any], tol: float = 1e-6) -> str | None:
    """The name of the first candidate (a known wrong result) that ``got`` equals to ``tol``."""
    import numpy as np

    got = np.asarray(got, dtype=np.float64)
    for name, value in candidates.items():
        value = np.asarray(value, dtype=np.float64)
        if value.shape == got.shape and np.all(np.isfinite(got)) and rel_error(got, value) <= tol:
            return name
    return None


def as_array(value: Any, shape: tuple[int, ...], what: str) -> Any:
    """``value`` as a float64 array of ``shape``; BadOutput (a failure) otherwise."""
    import numpy as np

    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise BadOutput(f"{what} should be a float array of shape {shape}, got {type(value).__name__}") from None
    if arr.shape != shape:
        raise BadOutput(f"{what} has shape {arr.shape}, expected {shape}")
    return arr


def as_scalar(value: Any, what: str) -> float:
    """``value`` (a float, a 0-d or one-element array) as a float; BadOutput otherwise."""
    import numpy as np

    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise BadOutput(f"{what} should be a float, got {type(value).__name__}") from None
    if arr.size != 1:
        raise BadOutput(f"{what} should be a single float, got an array of shape {arr.shape}")
    return float(arr.reshape(-1)[0])


def _fmt(x: Any) -> str:
    import numpy as np

    return np.array2string(np.asarray(x, dtype=np.float64), precision=6, max_line_width=120, threshold=12)


# ---------------------------------------------------------------- m1.sigmoid

_FIXED_Z = (0.0, 1e-8, -1e-8, 0.5, -0.5, 1.0, -1.0, 5.0, -5.0, 20.0, -20.0, 36.0, -36.0, 40.0, -40.0,
            100.0, -100.0, 709.0, -709.0, 710.0, -710.0, 745.0, -745.0, 1000.0, -1000.0)
# Values lie in [0, 1], where float64 spacing is <= 1.1e-16; every stable formula is within a few
# ulps, and a float32 computation (~6e-8) or any formula error is far above this.
SIGMOID_ABS_TOL = 1e-12


class SigmoidParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    z_max: float = Field(1000.0, gt=0, description="largest |z| fed to sigmoid")


def _sigmoid_inputs(seed: int, z_max: float) -> tuple[Any, Any]:
    import numpy as np

    rng = np.random.default_rng([seed, 101])
    fixed = np.array([z for z in _FIXED_Z if abs(z) <= z_max] + [z_max, -z_max])
    flat = np.concatenate([fixed, rng.uniform(-z_max, z_max, 48), 6.0 * rng.standard_normal(48)])
    grid = rng.uniform(-min(z_max, 50.0), min(z_max, 50.0), (4, 8))
    return flat, grid


def _stable_sigmoid(z: Any) -> Any:
    import numpy as np

    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=np.float64)))


def _probe_sigmoid(ctx: ProbeContext) -> dict:
    import warnings

    params = SigmoidParams.model_validate(ctx.params)
    sigmoid = ctx.get(ctx.load(FILE), "sigmoid")
    flat, grid = _sigmoid_inputs(ctx.seed, params.z_max)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = sigmoid(flat.copy())
        out_grid = sigmoid(grid.copy())
    notes = sorted({str(w.message) for w in caught})[:3]
    return {"out": out, "out_grid": out_grid, "warnings": notes}


def _verdict_sigmoid(raw: dict, ctx: VerdictContext) -> Verdict:
    import numpy as np

    flat, grid = _sigmoid_inputs(ctx.seed, ctx.params.z_max)
    out = as_array(raw.get("out"), flat.shape, f"sigmoid(z) for z of shape {flat.shape}")
    out_grid = as_array(raw.get("out_grid"), grid.shape, f"sigmoid(z) for z of shape {grid.shape} (it must work elementwise)")
    ref = _stable_sigmoid(flat)
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
            f"{checked}: {'/'.join(kinds)} at {int(bad.sum())} input(s), e.g. z = {_fmt(zs[:6])}",
            f"expected {_fmt(ref[bad][:6])}, got {_fmt(out[bad][:6])}",
            diagnosis=diagnosis,
        )
    if np.any((out < 0) | (out > 1)):
        i = int(np.argmax(np.maximum(out - 1, -out)))
        return Verdict.failed(
            f"{checked}: values outside [0, 1], e.g. sigmoid({flat[i]:g}) = {out[i]!r}",
            f"expected {ref[i]!r}",
        )
    err = np.abs(out - ref)
    err_grid = max_abs_error(out_grid, _stable_sigmoid(grid))
    if err.max() > SIGMOID_ABS_TOL or err_grid > SIGMOID_ABS_TOL:
        diagnosis = None
        if max_abs_error(out, 1.0 - ref) <= SIGMOID_ABS_TOL:
            diagnosis = "this is sigmoid(-z) = 1 / (1 + exp(z)): the sign of z is flipped"
        elif max(err.max(), err_grid) < 1e-6:
            diagnosis = "errors of ~1e-8 look like float32 arithmetic: compute in float64"
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


# ---------------------------------------------------------------- m1.loss_and_grad


class LossGradParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    n: int = Field(13, ge=2, description="rows N (kept different from D so that shape bugs show)")
    d: int = Field(5, ge=1, description="features D")
    logit_scale: float = Field(1000.0, gt=0, description="largest |logit| in the stability case")
    fd_step: float = Field(1e-5, gt=0, description="step h of the centered finite differences")


def _lg_cases(seed: int, n: int, d: int, logit_scale: float) -> dict[str, tuple[Any, float, Any, Any]]:
    """name -> (w, b, X, y), all float64 (y int64)."""
    import numpy as np

    rng = np.random.default_rng([seed, 102])
    X = rng.standard_normal((n, d))
    y = rng.integers(0, 2, n)
    y[:2] = (0, 1)  # both classes present
    w = rng.standard_normal(d)
    b = float(rng.standard_normal())
    # large logits: scale so that max |z| = logit_scale; y is independent of z, so about half of
    # the rows are confidently wrong (loss ~ |z|) and half confidently right (loss ~ e^-|z|)
    z = X @ w
    w_big = w * (logit_scale / float(np.max(np.abs(z))))
    return {
        "random": (w, b, X, y),
        "zero": (np.zeros(d), 0.0, X, y),
        "large": (w_big, 0.0, X, y),
    }


def _lg_reference(w: Any, b: float, X: Any, y: Any) -> tuple[float, Any, float]:
    import numpy as np

    z = X @ w + b
    loss = float(np.mean(np.logaddexp(0.0, z) - y * z))
    err = _stable_sigmoid(z) - y
    return loss, X.T @ err / X.shape[0], float(np.mean(err))


def _probe_loss_and_grad(ctx: ProbeContext) -> dict:
    params = LossGradParams.model_validate(ctx.params)
    loss_and_grad = ctx.get(ctx.load(FILE), "loss_and_grad")
    cases = _lg_cases(ctx.seed, params.n, params.d, params.logit_scale)
    out: dict[str, Any] = {}
    for name, (w, b, X, y) in cases.items():
        out[name] = loss_and_grad(w.copy(), b, X.copy(), y.copy())
    # the learner's own loss around the random point, for centered finite differences
    w, b, X, y = cases["random"]
    h = params.fd_step
    plus, minus = [], []
    for j in range(params.d + 1):
        wp, wm, bp, bm = w.copy(), w.copy(), b, b
        if j < params.d:
            wp[j] += h
            wm[j] -= h
        else:
            bp, bm = b + h, b - h
        plus.append(_first(loss_and_grad(wp, bp, X.copy(), y.copy())))
        minus.append(_first(loss_and_grad(wm, bm, X.copy(), y.copy())))
    out["fd"] = {"plus": plus, "minus": minus}
    return out


def _first(result: Any) -> Any:
    return result[0] if isinstance(result, (tuple, list)) and result else result


def _unpack(result: Any, d: int, case: str) -> tuple[float, Any, float]:
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise BadOutput(f"loss_and_grad should return (loss, dw, db), got {type(result).__name__}"
                        + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else ""))
    loss, dw, db = result
    return (as_scalar(loss, f"loss ({case} case)"), as_array(dw, (d,), f"dw ({case} case)"),
            as_scalar(db, f"db ({case} case)"))


def _loss_candidates(w: Any, b: float, X: Any, y: Any) -> dict[str, Any]:
    import numpy as np

    z = X @ w + b
    p = _stable_sigmoid(z)
    with np.errstate(all="ignore"):
        return {
            "the loss is the squared error mean((sigmoid(z) - y)^2), not the binary cross-entropy": np.mean((p - y) ** 2),
            "only the -y log(sigmoid(z)) term: the -(1 - y) log(1 - sigmoid(z)) term is missing": np.mean(-y * np.log(p)),
        }


def _dw_candidates(w: Any, b: float, X: Any, y: Any) -> dict[str, Any]:
    z = X @ w + b
    p = _stable_sigmoid(z)
    n = X.shape[0]
    return {
        "an extra factor sigmoid'(z) = sigmoid(z)(1 - sigmoid(z)): that is the squared-error gradient; for "
        "cross-entropy the sigmoid's derivative cancels and dL/dz = sigmoid(z) - y": X.T @ ((p - y) * p * (1 - p)) / n,
        "the logit z was used where sigmoid(z) belongs: dL/dz = sigmoid(z) - y": X.T @ (z - y) / n,
    }


def _grad_problems(name: str, got: Any, ref: Any, cands: dict[str, Any], n: int, where: str) -> tuple[str, str | None] | None:
    """(message, diagnosis) when ``got`` differs from ``ref``, else None."""
    import numpy as np

    err = rel_error(got, ref)
    if err < REL_TOL:
        return None
    k = scale_factor(got, ref)
    if k is not None:
        diagnosis: str | None = name_scale(k, n, name, generic=np.size(ref) > 1)
        if _near(k, -1.0):
            diagnosis = f"{name} has the wrong sign (sign flipped): the error term is sigmoid(z) - y, not y - sigmoid(z)"
        elif _near(k, 0.0) and name == "db":
            diagnosis = "db is zero: the gradient of the bias is missing (dL/db = mean(sigmoid(z) - y))"
    else:
        match = first_match(got, cands)
        diagnosis = f"{name}: {match}" if match else None
    message = (f"{name} on the {where}: expected {_fmt(ref)}, got {_fmt(got)} "
               f"(max abs error {max_abs_error(got, ref):.3g}, rel error {err:.3g} > {REL_TOL:g})")
    return message, diagnosis


def _verdict_loss_and_grad(raw: dict, ctx: VerdictContext) -> Verdict:
    import numpy as np

    p = ctx.params
    cases = _lg_cases(ctx.seed, p.n, p.d, p.logit_scale)
    shape = f"X of shape ({p.n}, {p.d}), seed {ctx.seed}"
    where = {"random": "random point (logits of order 1)", "zero": "point w = 0, b = 0",
             "large": f"point with logits up to |z| = {p.logit_scale:g}"}
    problems: list[tuple[str, str | None]] = []
    notes: list[str] = []
    got = {name: _unpack(raw.get(name), p.d, name) for name in cases}

    for name in ("random", "zero"):
        w, b, X, y = cases[name]
        ref_loss, ref_dw, ref_db = _lg_reference(w, b, X, y)
        loss, dw, db = got[name]
        if rel_error(loss, ref_loss) >= REL_TOL:
            k = scale_factor(loss, ref_loss)
            diag = name_scale(k, p.n, "the loss", generic=False) if k is not None else None
            if k is not None and _near(k, -1.0):
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

    # centered finite differences of the learner's own loss at the random point
    w, b, X, y = cases["random"]
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
    fd_line = (f"finite differences of your own loss (h = {p.fd_step:g}) give {_fmt(fd)}; your (dw, db) "
               f"= {_fmt(analytic)} (rel error {fd_err:.3g})")
    if fd_err >= 1e-5:
        problems.append((fd_line, None))
    elif problems:
        notes.append(fd_line + ": your gradient is consistent with your loss, so look at the loss formula too")

    # stability at |z| ~ 1000
    w, b, X, y = cases["large"]
    ref_loss, ref_dw, ref_db = _lg_reference(w, b, X, y)
    loss, dw, db = got["large"]
    if not math.isfinite(loss):
        diag = ("log(0) -> -inf: log(sigmoid(z)) underflows for large |z|; compute the loss from the logits, "
                "log(1 + e^z) - y z = np.logaddexp(0, z) - y * z") if math.isinf(loss) else (
                "nan in the loss at large |z|: log(0) = -inf, and 0 * log(0) or inf - inf is nan; compute it "
                "from the logits, np.logaddexp(0, z) - y * z")
        problems.append((f"loss at the {where['large']}: got {loss!r}, expected {ref_loss!r}", diag))
    elif rel_error(loss, ref_loss) >= REL_TOL:
        problems.append((
            f"loss at the {where['large']}: expected {ref_loss!r}, got {loss!r} (rel error {rel_error(loss, ref_loss):.3g})",
            "clipped probabilities? clipping p to [eps, 1 - eps] caps each row's loss at -log(eps); compute the "
            "loss from the logits, log(1 + e^z) - y z = np.logaddexp(0, z) - y * z, which is exact",
        ))
    if not (np.all(np.isfinite(dw)) and math.isfinite(db)):
        problems.append((f"gradient at the {where['large']}: not finite (dw = {_fmt(dw)}, db = {db!r})",
                         "sigmoid overflowing at |z| = 1e3 (exp(z)/(1 + exp(z)) is inf/inf = nan): use a stable sigmoid"))
    else:
        for pname, g, r in (("dw", dw, ref_dw), ("db", db, ref_db)):
            found = _grad_problems(pname, g, r, {}, p.n, where["large"])
            if found:
                problems.append(found)

    checked = f"loss_and_grad on {shape}"
    if problems:
        diagnosis = next((d for _, d in problems if d), None)
        return Verdict.failed(f"{checked}: {problems[0][0]}", *[m for m, _ in problems[1:]], *notes,
                              diagnosis=diagnosis)
    def flat(loss: float, dw: Any, db: float) -> Any:
        return np.append(dw, [loss, db])

    worst = max(rel_error(flat(*got[c]), flat(*_lg_reference(*cases[c]))) for c in ("zero", "random", "large"))
    return Verdict.passed(
        f"{checked}: loss, dw, db equal the float64 reference (rel error {worst:.2g} < {REL_TOL:g}), loss at "
        f"w = 0 is ln 2, gradient matches finite differences (rel error {fd_err:.2g}), finite at |z| = {p.logit_scale:g}",
        *notes,
        metrics={"rel_error": worst, "fd_rel_error": fd_err},
    )


# ---------------------------------------------------------------- m1.train

# The held-out sample uses seed + TEST_SEED_OFFSET: an independent draw of the same distribution.
TEST_SEED_OFFSET = 1_000_003


class TrainParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    n_train: int = Field(500, ge=10, description="training rows from gaussian_binary")
    d: int = Field(2, ge=1, description="features")
    separation: float = Field(2.5, gt=0, description="Mahalanobis distance between the class means")
    n_test: int = Field(20000, ge=100, description="held-out rows (standard error of the accuracy ~0.002)")
    tolerance: float = Field(0.02, gt=0, lt=1, description="allowed accuracy gap below the Bayes accuracy")


def _train_data(seed: int, p: TrainParams) -> tuple[Any, Any, Any, Any, float]:
    from llmpath.datasets.classification import gaussian_binary

    X, y, bayes = gaussian_binary(p.n_train, p.d, seed, p.separation)
    Xt, yt, _ = gaussian_binary(p.n_test, p.d, seed + TEST_SEED_OFFSET, p.separation)
    return X, y, Xt, yt, bayes


def _probe_train(ctx: ProbeContext) -> dict:
    params = TrainParams.model_validate(ctx.params)
    module = ctx.load(FILE)
    train, predict_proba = ctx.get(module, "train"), ctx.get(module, "predict_proba")
    X, y, Xt, _, _ = _train_data(ctx.seed, params)
    started = time.perf_counter()
    result = train(X, y)  # the contract's defaults: lr = 0.1, epochs = 1000
    seconds = time.perf_counter() - started
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        return {"train_returned": repr(result)[:200]}
    w, b = result
    return {"w": w, "b": b, "proba": predict_proba(w, b, Xt), "train_seconds": seconds}


def _verdict_train(raw: dict, ctx: VerdictContext) -> Verdict:
    import numpy as np

    from llmpath.datasets.classification import bayes_rule_accuracy

    p = ctx.params
    X, y, Xt, yt, bayes = _train_data(ctx.seed, p)
    data = (f"gaussian_binary({p.n_train}, d={p.d}, seed={ctx.seed}, separation={p.separation:g}), "
            f"tested on {p.n_test} held-out points")
    if "train_returned" in raw:
        raise BadOutput(f"train(X, y) should return (w, b), got {raw['train_returned']}")
    w = as_array(raw.get("w"), (p.d,), "w returned by train")
    b = as_scalar(raw.get("b"), "b returned by train")
    proba = as_array(raw.get("proba"), (p.n_test,), "predict_proba(w, b, X)")
    bayes_sample = bayes_rule_accuracy(Xt, yt, p.separation)
    finite = bool(np.all(np.isfinite(proba)))
    acc = float(np.mean((proba > 0.5) == (yt == 1))) if finite else 0.0
    metrics = {"accuracy": acc, "bayes_accuracy": bayes, "bayes_rule_sample_accuracy": bayes_sample}
    report = f"your accuracy {acc:.3f}; Bayes {bayes:.3f} (the Bayes rule scores {bayes_sample:.3f} on this test set)"
    if finite and acc >= bayes - p.tolerance and np.all((proba >= 0) & (proba <= 1)):
        return Verdict.passed(f"train on {data}: {report}", f"training took {raw.get('train_seconds', 0):.2f} s",
                              metrics=metrics)

    details = [f"learned w = {_fmt(w)}, b = {b!r}"]
    diagnosis = None
    wb_ok = bool(np.all(np.isfinite(w)) and math.isfinite(b))
    acc_wb = float(np.mean((Xt @ w + b > 0) == (yt == 1))) if wb_ok else 0.0
    if not finite or not wb_ok:
        diagnosis = "training diverged to nan/inf: is the learning rate or the gradient far too large (sum vs mean)?"
    elif np.any((proba < 0) | (proba > 1)):
        diagnosis = "predict_proba returned values outside [0, 1]: return sigmoid(X @ w + b)"
    elif acc_wb >= bayes - p.tolerance:
        diagnosis = ("train is fine (its w, b score {:.3f}) but predict_proba is wrong".format(acc_wb)
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
            _, dw, db = _lg_reference(ref_w, ref_b, Xf, y)
            ref_w, ref_b = ref_w - 0.1 * dw, ref_b - 0.1 * db
        yours, ref = _lg_reference(w, b, Xf, y)[0], _lg_reference(ref_w, ref_b, Xf, y)[0]
        details.append(f"training loss of your (w, b): {yours:.4f}; after 1000 epochs at lr 0.1 the reference reaches {ref:.4f}")
        if yours > ref + 0.01:
            diagnosis = ("not converged: train should run epochs=1000 steps of lr=0.1 by default, each calling "
                         "loss_and_grad and updating both w and b (and loss_and_grad must pass m1.loss_and_grad)")
    return Verdict.failed(
        f"train on {data}: {report}; needs at least {bayes - p.tolerance:.3f} (Bayes - {p.tolerance:g})",
        *details,
        diagnosis=diagnosis,
        metrics=metrics,
    )


# ---------------------------------------------------------------- m1.derivation


class DerivationParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    min_words: int = Field(150, ge=0, description="words of prose and formulas, headings and comments excluded")
    file: str = Field("derivation.md", description="file inside milestones/M1/")


_ARG = r"\((?:[^()]|\([^()]{0,20}\)){1,40}\)"  # (...) with at most one level of nested parentheses
_SUB = r"(?:_?\(?[a-z0-9]\)?|\^\(?[a-z0-9]\)?)?"  # an index: _i, i, (i), ^(i)
_PRED = rf"(?:sigma{_ARG}|sigmoid{_ARG}|s\([a-z]{_SUB}\)|p{_SUB}|haty{_SUB}|yhat{_SUB}|hat\(y\){_SUB})"
_LABEL = rf"y{_SUB}"
_GRADIENT_FORM = re.compile(rf"(?<![a-z]){_PRED}-{_LABEL}(?![a-z(])|(?<![a-z]){_LABEL}-{_PRED}(?![a-z(])")


def _normalize_math(text: str) -> str:
    """Lower-case text with LaTeX and unicode math folded to ASCII: '\\sigma(z_i) - y_i' -> 'sigma(z_i)-y_i'."""
    s = text.lower()
    for a, b in (("\u2212", "-"), ("\u2013", "-"), ("\u2014", "-"), ("\u03c3", "sigma"), ("\u0177", "haty"),
                 ("y\u0302", "haty"), ("\\left", ""), ("\\right", ""), ("\\big", ""), ("\\,", ""), ("\\!", ""),
                 ("\\mathrm", ""), ("\\operatorname", ""), ("\\text", ""), ("[", "("), ("]", ")"), ("`", "")):
        s = s.replace(a, b)
    s = s.replace("\\", "").replace("{", "").replace("}", "").replace("$", "")
    s = re.sub(r"\s*([-()+*=^_,])\s*", r"\1", s)
    return s


def mentions_gradient_form(text: str) -> bool:
    """Whether ``text`` writes the error term sigmoid(z) - y (or p - y, y-hat - y, or y - sigmoid(z))."""
    return bool(_GRADIENT_FORM.search(_normalize_math(text)))


def prose_words(text: str) -> int:
    """Words outside headings, HTML comments and fenced code (a template's skeleton counts as nothing)."""
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
    return len(re.findall(r"[^\s#*_>|`-]+", "\n".join(lines)))


def _verdict_derivation(raw: dict, ctx: VerdictContext) -> Verdict:
    p = ctx.params
    path = ctx.milestone_dir / p.file
    rel = f"milestones/{ctx.milestone}/{p.file}"
    if not path.is_file():
        return Verdict.failed(f"{rel} does not exist", "write the derivation of dL/dw and dL/db there")
    text = path.read_text(encoding="utf-8", errors="replace")
    words = prose_words(text)
    problems = []
    if words < p.min_words:
        problems.append(f"{rel} has {words} words of derivation (headings and comments excluded); at least {p.min_words} expected")
    if not mentions_gradient_form(text):
        problems.append(f"{rel} never writes the error term sigmoid(z) - y (as σ(z) − y, \\sigma(z_i) - y_i, p - y, ...)")
    if problems:
        return Verdict.failed(problems[0], *problems[1:],
                              "derive dL/dz for one example with the chain rule, then dL/dw and dL/db averaged over N")
    return Verdict.passed(f"{rel}: {words} words, states the gradient through sigmoid(z) - y", metrics={"words": words})


CHECKS: tuple[Check, ...] = (
    Check(
        name="m1.sigmoid",
        description="sigmoid is accurate and finite for |z| up to 1e3",
        probe=_probe_sigmoid,
        verdict=_verdict_sigmoid,
        params=SigmoidParams,
        timeout_s=30,
        memory_mb=1024,
    ),
    Check(
        name="m1.loss_and_grad",
        description="loss_and_grad equals a float64 reference and finite differences, stable at |z| ~ 1e3",
        probe=_probe_loss_and_grad,
        verdict=_verdict_loss_and_grad,
        params=LossGradParams,
        timeout_s=30,
        memory_mb=1024,
    ),
    Check(
        name="m1.train",
        description="train reaches the Bayes accuracy (within 2 points) on seeded Gaussian classes",
        probe=_probe_train,
        verdict=_verdict_train,
        params=TrainParams,
        timeout_s=60,
        memory_mb=1024,
    ),
    Check(
        name="m1.derivation",
        description="derivation.md derives the gradient (sigmoid(z) - y) in enough words",
        verdict=_verdict_derivation,
        params=DerivationParams,
    ),
)
