"""M2 validators: an MLP with manual backpropagation (``milestones/M2/mlp.py``).

Checks and what the probes do (the milestone README can quote this):

* ``m2.gradients`` — for relu and tanh, on sizes [5, 7, 4] (N, D, H, C = 3, 5, 7, 4) and on the
  3-layer sizes [5, 7, 6, 4], builds ``MLP(sizes, activation, seed)``, overwrites every
  ``params`` array in place with judge-chosen float64 values (non-zero biases; relu pre-activations
  kept at least 1e-3 away from the kink), then calls ``forward(X)`` and ``loss_and_grads(X, y)``.
  Logits, loss and every gradient must equal a float64 reference (relative error < 1e-7); a failure
  names the parameter that is wrong and, where the numbers match a known mistake, the mistake.
* ``m2.stability`` — the same on sizes [5, 7, 4] (relu and tanh) with the last layer scaled so that
  the logits reach |z| = 1000: loss and gradients must be finite and still equal the reference.
* ``m2.train`` — ``MLP([2, 64, 3], "relu", seed)`` and ``train(model, X, y, lr=1.0, epochs=2000)``
  on ``spirals(600, classes=3, noise=0.2, seed)`` (full data each epoch is fine), then ``forward``
  on 3000 held-out points of the same spirals: accuracy >= 95%, and the returned per-epoch losses
  (``epochs`` of them) must be finite and fall.
"""

from __future__ import annotations

import math
import time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from llmpath.validators.api import BadOutput, Check, ProbeContext, Verdict, VerdictContext
from llmpath.validators.m1_logreg import (
    REL_TOL,
    _fmt,
    _near,
    as_array,
    as_scalar,
    first_match,
    max_abs_error,
    name_scale,
    rel_error,
    scale_factor,
)

FILE = "mlp.py"
Activation = str  # "relu" | "tanh"

# ---------------------------------------------------------------- reference (float64) with known bugs


def param_shapes(sizes: list[int]) -> dict[str, tuple[int, ...]]:
    shapes: dict[str, tuple[int, ...]] = {}
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        shapes[f"W{i}"] = (fan_in, fan_out)
        shapes[f"b{i}"] = (fan_out,)
    return shapes


def mlp_forward(params: dict[str, Any], X: Any, activation: Activation, bug: str | None = None) -> tuple[Any, list]:
    """Logits and the cache [(layer input, pre-activation)], optionally with a known forward bug."""
    import numpy as np

    n_layers = len(params) // 2
    act = (lambda h: np.maximum(h, 0.0)) if activation == "relu" else np.tanh
    if bug == "other_activation":
        act = np.tanh if activation == "relu" else (lambda h: np.maximum(h, 0.0))
    cache = []
    a = X
    for i in range(1, n_layers + 1):
        h = a @ params[f"W{i}"] + (0.0 if bug == "no_bias" else params[f"b{i}"])
        cache.append((a, h))
        last = i == n_layers
        if bug == "no_activation":
            a = h
        elif bug == "activation_on_logits":
            a = act(h)
        else:
            a = h if last else act(h)
    return a, cache


def mlp_loss_and_grads(
    params: dict[str, Any], X: Any, y: Any, activation: Activation, bug: str | None = None
) -> tuple[float, dict[str, Any]]:
    """Mean softmax cross-entropy and its gradients, optionally with one known backprop bug."""
    import numpy as np

    logits, cache = mlp_forward(params, X, activation)
    n = X.shape[0]
    rows = np.arange(n)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = float(-log_probs[rows, y].mean())
    dh = np.exp(log_probs)
    if bug != "no_onehot":
        dh[rows, y] -= 1.0
    dh /= n
    grads: dict[str, Any] = {}
    n_layers = len(params) // 2
    for i in range(n_layers, 0, -1):
        a, _ = cache[i - 1]
        grads[f"W{i}"] = a.T @ dh
        grads[f"b{i}"] = dh.sum(axis=0)
        if i > 1:
            da = dh @ params[f"W{i}"].T
            h = cache[i - 2][1]
            if bug == "no_act_grad":
                dh = da
            elif activation == "relu":
                mask = {"relu_inverted": h < 0, "relu_times_value": np.maximum(h, 0.0),
                        "relu_mask_from_grad": da > 0}.get(bug or "", h > 0)
                dh = da * mask
            else:
                t = np.tanh(h)
                deriv = {"tanh_one_minus_t": 1.0 - t, "tanh_of_pre": 1.0 - h**2,
                         "tanh_t_squared": t**2}.get(bug or "", 1.0 - t**2)
                dh = da * deriv
    return loss, grads


_FORWARD_BUGS = {
    "no_activation": "the hidden activation is missing: the network is linear (apply relu/tanh after every hidden layer)",
    "activation_on_logits": "the activation is applied to the last layer too: the logits must be the raw output of the last affine layer",
    "no_bias": "the biases are not added in forward (h = a @ W + b)",
    "other_activation": "the other activation was used: `activation` is ignored (relu and tanh swapped)",
}
_BACKPROP_BUGS = {
    "relu": {
        "no_act_grad": "forgetting to backprop through the activation: multiply by relu'(h) = (h > 0)",
        "relu_inverted": "relu derivative wrong at negatives: the mask is (h < 0); it must be (h > 0)",
        "relu_times_value": "the gradient is multiplied by relu(h) instead of the 0/1 mask (h > 0)",
        "relu_mask_from_grad": "the relu mask is taken from the gradient's sign, not from the pre-activation h > 0",
        "no_onehot": "the softmax gradient misses the -1 at the true class: dlogits = (softmax - onehot(y)) / N",
    },
    "tanh": {
        "no_act_grad": "forgetting to backprop through the activation: multiply by tanh'(h) = 1 - tanh(h)**2",
        "tanh_one_minus_t": "tanh derivative 1 - tanh(h) instead of 1 - tanh(h)**2",
        "tanh_of_pre": "tanh derivative computed on the pre-activation (1 - h**2); it is 1 - tanh(h)**2",
        "tanh_t_squared": "tanh derivative tanh(h)**2 instead of 1 - tanh(h)**2",
        "no_onehot": "the softmax gradient misses the -1 at the true class: dlogits = (softmax - onehot(y)) / N",
    },
}


# ---------------------------------------------------------------- diagnosis (pure)


def compare_grads(
    got: dict[str, Any], ref: dict[str, Any], n: int
) -> tuple[list[str], list[tuple[str, str | None]]]:
    """Per-parameter comparison: (lines for every parameter, [(wrong parameter's message, diagnosis)])."""
    import numpy as np

    lines, wrong = [], []
    for name, r in ref.items():
        if name not in got:
            lines.append(f"{name}: missing")
            wrong.append((f"grads has no {name!r} (keys: {sorted(got)})", f"the gradient of {name} is missing"))
            continue
        try:
            g = np.asarray(got[name], dtype=np.float64)
        except (TypeError, ValueError):
            lines.append(f"{name}: not an array")
            wrong.append((f"grads[{name!r}] is not a float array ({type(got[name]).__name__})", None))
            continue
        if g.shape != r.shape:
            lines.append(f"{name}: shape {g.shape}, expected {r.shape}")
            wrong.append((f"grads[{name!r}] has shape {g.shape}, expected {r.shape}", shape_diagnosis(name, g, r, n)))
            continue
        err = rel_error(g, r)
        if err < REL_TOL:
            lines.append(f"{name}: ok (rel error {err:.1e})")
            continue
        lines.append(f"{name}: WRONG (max abs error {max_abs_error(g, r):.3g}, rel error {err:.3g})")
        k = scale_factor(g, r)
        diag = None
        if k is not None:
            diag = name_scale(k, n, f"grads[{name!r}]")
            if _near(k, 0.0) and name.startswith("b"):
                diag = f"grads[{name!r}] is zero: the bias gradient is missing (db = dh.sum(axis=0))"
        wrong.append((f"grads[{name!r}] is wrong: {_worst(g, r)}", diag))
    return lines, wrong


def _worst(got: Any, ref: Any) -> str:
    """'max abs error ..., rel error ...; worst entry [i, j]: expected a, got b' (whole vectors when short)."""
    import numpy as np

    head = f"max abs error {max_abs_error(got, ref):.3g}, rel error {rel_error(got, ref):.3g} (tolerance {REL_TOL:g})"
    if ref.size <= 8:
        return f"expected {_fmt(ref)}, got {_fmt(got)}; {head}"
    with np.errstate(invalid="ignore"):
        diff = np.where(np.isfinite(got), np.abs(got - ref), np.inf)
    idx = np.unravel_index(int(np.argmax(diff)), ref.shape)
    at = ", ".join(str(int(i)) for i in idx)
    return f"{head}; worst entry [{at}]: expected {ref[idx]:.6g}, got {got[idx]:.6g}"


def shape_diagnosis(name: str, got: Any, ref: Any, n: int) -> str | None:
    """Name the usual cause of a gradient of the wrong shape."""
    import numpy as np

    if ref.ndim == 2 and got.shape == ref.T.shape:
        same = np.all(np.isfinite(got)) and rel_error(got, ref.T) < REL_TOL
        return (f"transposed weight grad: grads[{name!r}] has shape {got.shape}; dW = a.T @ dh has W's shape {ref.shape}"
                + ("" if same else " (and its values differ too)"))
    if ref.ndim == 1:
        if got.shape == (n,) and ref.shape != (n,):
            return f"bias grad summed over the wrong axis: grads[{name!r}] has one entry per row (N={n}); sum dh over axis 0, the batch"
        if got.shape == (1, ref.shape[0]):
            return f"grads[{name!r}] kept a batch axis of size 1 (keepdims=True?): it must have b's shape {ref.shape}"
        if got.shape == (n, ref.shape[0]):
            return f"grads[{name!r}] was not summed over the batch: db = dh.sum(axis=0)"
    return None


def diagnose_grads(got: dict[str, Any], ref: dict[str, Any], candidates: dict[str, dict[str, Any]], n: int) -> str | None:
    """The most specific explanation of wrong gradients: a known bug, a common factor, or where backprop breaks."""
    import numpy as np

    names = list(ref)
    arrays = {}
    for name in names:
        try:
            g = np.asarray(got.get(name), dtype=np.float64)
        except (TypeError, ValueError):
            return None
        if g.shape != ref[name].shape:
            return None
        arrays[name] = g
    wrong = [k for k in names if rel_error(arrays[k], ref[k]) >= REL_TOL]
    if not wrong:
        return None
    for words, cand in candidates.items():
        if all(rel_error(arrays[k], cand[k]) < 1e-6 for k in names):
            return words
    factors = [scale_factor(arrays[k], ref[k]) for k in wrong]
    if all(f is not None for f in factors) and all(_near(f, factors[0]) for f in factors):  # type: ignore[arg-type]
        k = float(factors[0])  # type: ignore[arg-type]
        if _near(k, 0.0) and all(name.startswith("b") for name in wrong):
            return "the bias gradients are zero: the bias gradient is missing (db = dh.sum(axis=0))"
        what = "every gradient" if len(wrong) == len(names) else "the gradients of " + ", ".join(wrong)
        return name_scale(k, n, what)
    last = len(names) // 2
    if f"W{last}" not in wrong and f"b{last}" not in wrong:
        first_bad = next(f"layer {i}" for i in range(last, 0, -1) if f"W{i}" in wrong or f"b{i}" in wrong)
        return (f"the output layer's gradients are right but {first_bad}'s are wrong: the error is in backprop "
                "through the hidden layers (the activation's derivative, or da = dh @ W.T)")
    if all(name.startswith("b") for name in wrong):
        return "the weight gradients are right but the bias gradients are wrong: db = dh.sum(axis=0)"
    return None


# ---------------------------------------------------------------- inputs


class GradParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    n: int = Field(3, ge=1, description="rows N (kept different from every layer width)")
    sizes: tuple[int, ...] = Field((5, 7, 4), min_length=2, description="the 2-layer net: D, H, C")
    deep_sizes: tuple[int, ...] = Field((5, 7, 6, 4), min_length=2, description="the 3-layer net")
    activations: tuple[str, ...] = Field(("relu", "tanh"))


class StabilityParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    n: int = Field(6, ge=1)
    sizes: tuple[int, ...] = Field((5, 7, 4), min_length=2)
    activations: tuple[str, ...] = Field(("relu", "tanh"))
    logit_scale: float = Field(1000.0, gt=0, description="largest |logit|")


def _case(seed: int, tag: int, sizes: tuple[int, ...], activation: str, n: int, logit_scale: float | None = None) -> dict[str, Any]:
    """Seeded X, y and parameter values; relu pre-activations at least 1e-3 away from 0."""
    import numpy as np

    rng = np.random.default_rng([seed, 202, tag])
    for _ in range(1000):
        X = rng.standard_normal((n, sizes[0]))
        y = rng.integers(0, sizes[-1], n)
        params: dict[str, Any] = {}
        for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            params[f"W{i}"] = rng.standard_normal((fan_in, fan_out)) * math.sqrt(1.5 / fan_in)
            params[f"b{i}"] = 0.5 * rng.standard_normal(fan_out)
        _, cache = mlp_forward(params, X, activation)
        if all(np.min(np.abs(h)) > 1e-3 for _, h in cache[:-1]):  # off relu's kink (tanh too: harmless)
            break
    if logit_scale is not None:
        last = len(sizes) - 1
        logits, _ = mlp_forward(params, X, activation)
        factor = logit_scale / float(np.max(np.abs(logits)))
        params[f"W{last}"] = params[f"W{last}"] * factor
        params[f"b{last}"] = params[f"b{last}"] * factor
    return {"X": X, "y": y, "params": params, "sizes": list(sizes), "activation": activation}


def _grad_cases(seed: int, p: GradParams) -> list[dict[str, Any]]:
    cases = []
    for j, sizes in enumerate((p.sizes, p.deep_sizes)):
        for k, act in enumerate(p.activations):
            cases.append(_case(seed, 10 * j + k, sizes, act, p.n))
    return cases


def _stability_cases(seed: int, p: StabilityParams) -> list[dict[str, Any]]:
    return [_case(seed, 100 + k, p.sizes, act, p.n, p.logit_scale) for k, act in enumerate(p.activations)]


def _run_case(module: Any, ctx: ProbeContext, case: dict[str, Any]) -> dict[str, Any]:
    """Build the learner's MLP, load the judge's values into its params in place, call forward and loss_and_grads."""
    import numpy as np

    MLP = ctx.get(module, "MLP")
    model = MLP(list(case["sizes"]), case["activation"], ctx.seed)
    params = getattr(model, "params", None)
    if not isinstance(params, dict):
        return {"params_problem": f"model.params is {type(params).__name__}, not a dict of arrays"}
    shapes = {str(k): tuple(np.shape(v)) for k, v in params.items()}
    expected = param_shapes(case["sizes"])
    if shapes != expected or not all(isinstance(params[k], np.ndarray) for k in expected):
        return {"shapes": shapes}
    before = model.forward(case["X"].copy())
    for name, value in case["params"].items():
        params[name][...] = value  # in place: the learner may hold other references to these arrays
    logits = model.forward(case["X"].copy())
    result = model.loss_and_grads(case["X"].copy(), case["y"].copy())
    return {"logits": logits, "logits_before": before, "result": result,
            "dtypes": {k: str(params[k].dtype) for k in expected}}


def _probe_gradients(ctx: ProbeContext) -> dict:
    p = GradParams.model_validate(ctx.params)
    module = ctx.load(FILE)
    return {"cases": [_run_case(module, ctx, case) for case in _grad_cases(ctx.seed, p)]}


def _probe_stability(ctx: ProbeContext) -> dict:
    p = StabilityParams.model_validate(ctx.params)
    module = ctx.load(FILE)
    return {"cases": [_run_case(module, ctx, case) for case in _stability_cases(ctx.seed, p)]}


# ---------------------------------------------------------------- verdicts


def _label(case: dict[str, Any], n: int) -> str:
    return f"MLP({case['sizes']}, {case['activation']!r}) on N={n} rows"


def _judge_case(raw: dict, case: dict[str, Any], n: int, stability: bool) -> tuple[list[str], str | None, list[str]] | None:
    """None when the case is right; else (problems, diagnosis, per-parameter lines)."""
    import numpy as np

    label = _label(case, n)
    if "params_problem" in raw:
        return [f"{label}: {raw['params_problem']}"], "store the parameters in self.params = {'W1': ..., 'b1': ..., ...}", []
    expected = param_shapes(case["sizes"])
    if "shapes" in raw:
        shapes = {k: tuple(v) for k, v in raw["shapes"].items()}
        diffs = [f"{k}: {shapes.get(k, 'missing')} (expected {v})" for k, v in expected.items() if shapes.get(k) != v]
        extra = sorted(set(shapes) - set(expected))
        diag = None
        if any(shapes.get(k) == v[::-1] for k, v in expected.items() if len(v) == 2 and v[0] != v[1]):
            diag = "weights stored transposed: W_i must have shape (sizes[i-1], sizes[i]) so that h = a @ W + b"
        return ([f"{label}: model.params does not follow the contract: " + "; ".join(diffs)
                 + (f"; unexpected keys {extra}" if extra else "")], diag, [])
    X, y, params, act = case["X"], case["y"], case["params"], case["activation"]
    ref_logits, _ = mlp_forward(params, X, act)
    logits = as_array(raw.get("logits"), ref_logits.shape, f"forward(X) for {label}")
    if not np.all(np.isfinite(logits)) or rel_error(logits, ref_logits) >= REL_TOL:
        cands = {words: mlp_forward(params, X, act, bug)[0] for bug, words in _FORWARD_BUGS.items()}
        diagnosis = first_match(logits, cands)
        before = raw.get("logits_before")
        if diagnosis is None and before is not None and np.shape(before) == logits.shape and np.array_equal(before, logits):
            diagnosis = ("forward does not read model.params: the judge overwrote those arrays in place and the logits "
                         "did not change (keep the parameters in self.params, or share the very same arrays)")
        return ([f"{label}: forward(X) logits differ from the reference (rel error {rel_error(logits, ref_logits):.3g}): "
                 f"expected {_fmt(ref_logits)}, got {_fmt(logits)}"], diagnosis, [])

    result = raw.get("result")
    if not isinstance(result, (tuple, list)) or len(result) != 2 or not isinstance(result[1], dict):
        raise BadOutput(f"loss_and_grads should return (loss, grads: dict), got {type(result).__name__}")
    loss = as_scalar(result[0], f"loss for {label}")
    grads = result[1]
    ref_loss, ref_grads = mlp_loss_and_grads(params, X, y, act)
    problems: list[str] = []
    diagnosis: str | None = None
    grads_finite = True
    for g in grads.values():
        try:
            grads_finite = grads_finite and bool(np.all(np.isfinite(np.asarray(g, dtype=np.float64))))
        except (TypeError, ValueError):
            pass
    if not math.isfinite(loss) or not grads_finite:
        scale = f" with logits up to |z| = {float(np.max(np.abs(ref_logits))):.0f}"
        grads_right = grads_finite and not compare_grads(grads, ref_grads, n)[1]
        state = "are right" if grads_right else "are finite but wrong" if grads_finite else "contain nan/inf"
        problems.append(f"{label}{scale}: loss = {loss!r} (expected {ref_loss:.6g}); the gradients {state}")
        if not grads_right:
            diagnosis = ("softmax without max-subtraction: exp(1000) overflows to inf (then inf/inf = nan, or "
                         "log(inf) = inf); subtract each row's max (axis=1, keepdims=True) before exp")
        else:
            diagnosis = ("log(0): the true class's probability underflows to 0; compute log-softmax directly, "
                         "z - max - log(sum(exp(z - max)))")
        return problems, diagnosis, []
    if rel_error(loss, ref_loss) >= REL_TOL:
        k = scale_factor(loss, ref_loss)
        if k is not None:
            diagnosis = name_scale(k, n, "the loss", generic=False)
        if diagnosis is None and stability:
            diagnosis = ("clipped probabilities? clipping caps each row's loss at -log(eps); compute log-softmax "
                         "from the logits, z - max - log(sum(exp(z - max)))")
        problems.append(f"{label}: loss expected {ref_loss!r}, got {loss!r} (rel error {rel_error(loss, ref_loss):.3g})")
    lines, wrong = compare_grads(grads, ref_grads, n)
    if wrong:
        cands = {words: mlp_loss_and_grads(params, X, y, act, bug)[1] for bug, words in _BACKPROP_BUGS[act].items()}
        problems.append(f"{label}: " + wrong[0][0])
        problems += [f"{label}: {m}" for m, _ in wrong[1:]]
        shape_diagnosis_ = next((d for m, d in wrong if d and " has shape " in m), None)
        diagnosis = (shape_diagnosis_ or diagnose_grads(grads, ref_grads, cands, n) or diagnosis
                     or next((d for _, d in wrong if d), None))
    if not problems:
        return None
    odd = [f"{k} is {t}" for k, t in (raw.get("dtypes") or {}).items() if t != "float64"]
    if odd:
        lines.append("note: the contract's params are float64, but " + ", ".join(odd))
    return problems, diagnosis, lines


def _verdict_cases(raw: dict, cases: list[dict[str, Any]], n: int, what: str, stability: bool) -> Verdict:
    results = raw.get("cases")
    if not isinstance(results, list) or len(results) != len(cases):
        raise BadOutput("the probe's results are incomplete")
    failures = []
    for case_raw, case in zip(results, cases):
        judged = _judge_case(case_raw if isinstance(case_raw, dict) else {}, case, n, stability)
        if judged:
            failures.append(judged)
    labels = "; ".join(_label(c, n) for c in cases)
    if not failures:
        return Verdict.passed(f"{what}: logits, loss and every gradient equal the float64 reference "
                              f"(rel error < {REL_TOL:g}) for {labels}")
    problems, diagnosis, lines = failures[0]
    details = problems[1:]
    if lines:
        details.append("per parameter: " + "; ".join(lines))
    for other, _, _ in failures[1:]:
        details.append(other[0])
    if diagnosis is None:
        diagnosis = next((d for _, d, _ in failures[1:] if d), None)
    return Verdict.failed(f"{what}: {problems[0]}", *details, diagnosis=diagnosis)


def _verdict_gradients(raw: dict, ctx: VerdictContext) -> Verdict:
    p = ctx.params
    return _verdict_cases(raw, _grad_cases(ctx.seed, p), p.n, f"gradients (seed {ctx.seed})", stability=False)


def _verdict_stability(raw: dict, ctx: VerdictContext) -> Verdict:
    p = ctx.params
    return _verdict_cases(raw, _stability_cases(ctx.seed, p), p.n,
                          f"logits up to |z| = {p.logit_scale:g} (seed {ctx.seed})", stability=True)


# ---------------------------------------------------------------- m2.train

TEST_SEED_OFFSET = 1_000_003


class TrainParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    n_train: int = Field(600, ge=10, description="training points from spirals")
    n_test: int = Field(3000, ge=100, description="held-out points")
    classes: int = Field(3, ge=2)
    noise: float = Field(0.2, ge=0)
    hidden: tuple[int, ...] = Field((64,), description="hidden widths: sizes = [2, *hidden, classes]")
    activation: str = "relu"
    lr: float = Field(1.0, gt=0)
    epochs: int = Field(2000, ge=1)
    min_accuracy: float = Field(0.95, gt=0, le=1)


def _train_data(seed: int, p: TrainParams) -> tuple[Any, Any, Any, Any]:
    from llmpath.datasets.classification import spirals

    X, y = spirals(p.n_train, p.classes, p.noise, seed)
    Xt, yt = spirals(p.n_test, p.classes, p.noise, seed + TEST_SEED_OFFSET)
    return X, y, Xt, yt


def _probe_train(ctx: ProbeContext) -> dict:
    import numpy as np

    p = TrainParams.model_validate(ctx.params)
    module = ctx.load(FILE)
    MLP, train = ctx.get(module, "MLP"), ctx.get(module, "train")
    X, y, Xt, _ = _train_data(ctx.seed, p)
    model = MLP([2, *p.hidden, p.classes], p.activation, ctx.seed)
    params = getattr(model, "params", {})
    init_std = {str(k): float(np.std(v)) for k, v in params.items() if str(k).startswith("W")} if isinstance(params, dict) else {}
    started = time.perf_counter()
    losses = train(model, X, y, p.lr, p.epochs)
    seconds = time.perf_counter() - started
    return {"losses": losses, "logits": model.forward(Xt), "init_std": init_std, "train_seconds": seconds}


def _verdict_train(raw: dict, ctx: VerdictContext) -> Verdict:
    import numpy as np

    p = ctx.params
    _, _, _, yt = _train_data(ctx.seed, p)
    sizes = [2, *p.hidden, p.classes]
    setup = (f"MLP({sizes}, {p.activation!r}, seed={ctx.seed}) trained with train(model, X, y, lr={p.lr:g}, "
             f"epochs={p.epochs}) on spirals({p.n_train}, classes={p.classes}, noise={p.noise:g}, seed={ctx.seed})")
    if raw.get("losses") is None:
        raise BadOutput("train returned None: it must return the list of per-epoch losses")
    try:
        losses = np.asarray(raw.get("losses"), dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise BadOutput(f"train should return the list of per-epoch losses, got {type(raw.get('losses')).__name__}") from None
    logits = as_array(raw.get("logits"), (p.n_test, p.classes), "forward(X_test) after training")
    finite = bool(np.all(np.isfinite(logits)))
    acc = float(np.mean(np.argmax(logits, axis=1) == yt)) if finite else 0.0
    metrics = {"accuracy": acc}
    problems: list[str] = []
    diagnosis = None
    if losses.size != p.epochs:
        problems.append(f"train returned {losses.size} losses, expected one per epoch ({p.epochs})")
    falls = losses.size >= 2 and bool(np.all(np.isfinite(losses))) and losses[-1] < losses[0]
    if losses.size >= 1:
        metrics["final_loss"] = float(losses[-1])
    if losses.size and not np.all(np.isfinite(losses)):
        problems.append("the losses became nan/inf")
        diagnosis = "training diverged: a gradient far too large (summed instead of averaged?) or an unstable softmax"
        head = losses[: min(4, int(np.argmin(np.isfinite(losses))))]
        if head.size >= 3 and np.all(np.diff(head) > 0):
            diagnosis = ("the loss rises from the first epoch until it overflows: the update must be params -= lr * grads "
                         "(lr sign flipped?)")
    elif losses.size >= 2 and not falls:
        problems.append(f"the loss does not fall: first {losses[0]:.4g}, last {losses[-1]:.4g}")
        if np.ptp(losses) < 1e-12:
            diagnosis = ("the loss never changes: train is not updating model.params (train not calling the updates? "
                         "`W = W - lr * dW` rebinds a local name; update the arrays in model.params)")
        else:
            diagnosis = "the loss rises: the update must be params -= lr * grads (lr sign flipped?)"
    if acc < p.min_accuracy:
        problems.append(f"held-out accuracy {acc:.3f} < {p.min_accuracy:.2f} on {p.n_test} points")
        small = [k for k, s in (raw.get("init_std") or {}).items() if isinstance(s, (int, float)) and s < 0.05]
        if diagnosis is None and not finite:
            diagnosis = "forward returned nan/inf after training: training diverged"
        elif diagnosis is None and small and falls:
            diagnosis = (f"initial weights are tiny (std < 0.05 for {', '.join(small)}): the network starts almost "
                         "linear and learns slowly; scale them like sqrt(2 / fan_in)")
        elif diagnosis is None and falls and losses[-1] > 0.3:
            diagnosis = (f"not converged (final training loss {losses[-1]:.3g}): does train run all epochs, each "
                         "computing loss_and_grads and updating every parameter?")
    if problems:
        return Verdict.failed(f"{setup}: {problems[0]}", *problems[1:], diagnosis=diagnosis, metrics=metrics)
    return Verdict.passed(
        f"{setup}: held-out accuracy {acc:.3f} (>= {p.min_accuracy:.2f}); loss {losses[0]:.3g} -> {losses[-1]:.3g}",
        f"training took {float(raw.get('train_seconds') or 0):.2f} s",
        metrics=metrics,
    )


CHECKS: tuple[Check, ...] = (
    Check(
        name="m2.gradients",
        description="forward, loss and the gradient of every parameter equal a float64 reference (relu and tanh)",
        probe=_probe_gradients,
        verdict=_verdict_gradients,
        params=GradParams,
        timeout_s=30,
        memory_mb=1024,
    ),
    Check(
        name="m2.stability",
        description="loss and gradients stay finite and exact for logits of magnitude 1e3",
        probe=_probe_stability,
        verdict=_verdict_stability,
        params=StabilityParams,
        timeout_s=30,
        memory_mb=1024,
    ),
    Check(
        name="m2.train",
        description="train fits the spirals to >= 95% held-out accuracy with a falling loss",
        probe=_probe_train,
        verdict=_verdict_train,
        params=TrainParams,
        timeout_s=120,
        memory_mb=1024,
    ),
)
