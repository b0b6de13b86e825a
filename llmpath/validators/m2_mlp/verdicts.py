"""M2 verdicts: regenerate the cases, compare logits, loss and gradients with the float64 reference,
judge the training run, and name the likely bug."""

from __future__ import annotations

import math
from typing import Any

from llmpath.validators.api import BadOutput, Verdict, VerdictContext
from llmpath.validators.m2_mlp.diagnose import compare_grads, diagnose_grads
from llmpath.validators.m2_mlp.inputs import grad_cases, stability_cases, train_data
from llmpath.validators.m2_mlp.reference import (
    BACKPROP_BUGS,
    FORWARD_BUGS,
    mlp_forward,
    mlp_loss_and_grads,
    param_shapes,
)
from llmpath.validators.numeric import (
    REL_TOL,
    as_array,
    as_scalar,
    first_match,
    fmt,
    name_scale,
    rel_error,
    scale_factor,
)


def _label(case: dict[str, Any], n: int) -> str:
    return f"MLP({case['sizes']}, {case['activation']!r}) on N={n} rows"


CaseProblems = tuple[list[str], str | None, list[str]]


def _judge_params(raw: dict, case: dict[str, Any], label: str) -> CaseProblems | None:
    """model.params holds W1, b1, ... of the contract's shapes."""
    if "params_problem" in raw:
        return (
            [f"{label}: {raw['params_problem']}"],
            "store the parameters in self.params = {'W1': ..., 'b1': ..., ...}",
            [],
        )
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
    return None


def _judge_forward(raw: dict, case: dict[str, Any], label: str) -> CaseProblems | None:
    """forward(X) equals the float64 reference on the judge's own parameter values."""
    import numpy as np

    X, params, act = case["X"], case["params"], case["activation"]
    ref_logits, _ = mlp_forward(params, X, act)
    logits = as_array(raw.get("logits"), ref_logits.shape, f"forward(X) for {label}")
    if not np.all(np.isfinite(logits)) or rel_error(logits, ref_logits) >= REL_TOL:
        cands = {words: mlp_forward(params, X, act, bug)[0] for bug, words in FORWARD_BUGS.items()}
        diagnosis = first_match(logits, cands)
        before = raw.get("logits_before")
        if (
            diagnosis is None
            and before is not None
            and np.shape(before) == logits.shape
            and np.array_equal(before, logits)
        ):
            diagnosis = ("forward does not read model.params: the judge overwrote those arrays in place and the logits "
                         "did not change (keep the parameters in self.params, or share the very same arrays)")
        return (
            [
                f"{label}: forward(X) logits differ from the reference (rel error "
                f"{rel_error(logits, ref_logits):.3g}): "
                f"expected {fmt(ref_logits)}, got {fmt(logits)}"
            ],
            diagnosis,
            [],
        )

    return None


def _judge_case(raw: dict, case: dict[str, Any], n: int, stability: bool) -> CaseProblems | None:
    """None when the case is right; else (problems, diagnosis, per-parameter lines)."""
    import numpy as np

    label = _label(case, n)
    found = _judge_params(raw, case, label) or _judge_forward(raw, case, label)
    if found:
        return found
    X, y, params, act = case["X"], case["y"], case["params"], case["activation"]
    ref_logits, _ = mlp_forward(params, X, act)
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
        problems.append(
            f"{label}: loss expected {ref_loss!r}, got {loss!r} (rel error {rel_error(loss, ref_loss):.3g})"
        )
    lines, wrong = compare_grads(grads, ref_grads, n)
    if wrong:
        cands = {words: mlp_loss_and_grads(params, X, y, act, bug)[1] for bug, words in BACKPROP_BUGS[act].items()}
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


def verdict_gradients(raw: dict, ctx: VerdictContext) -> Verdict:
    p = ctx.params
    return _verdict_cases(raw, grad_cases(ctx.seed, p), p.n, f"gradients (seed {ctx.seed})", stability=False)


def _verdict_stability(raw: dict, ctx: VerdictContext) -> Verdict:
    p = ctx.params
    return _verdict_cases(raw, stability_cases(ctx.seed, p), p.n,
                          f"logits up to |z| = {p.logit_scale:g} (seed {ctx.seed})", stability=True)


def verdict_train(raw: dict, ctx: VerdictContext) -> Verdict:
    import numpy as np

    p = ctx.params
    _, _, _, yt = train_data(ctx.seed, p)
    sizes = [2, *p.hidden, p.classes]
    setup = (f"MLP({sizes}, {p.activation!r}, seed={ctx.seed}) trained with train(model, X, y, lr={p.lr:g}, "
             f"epochs={p.epochs}) on spirals({p.n_train}, classes={p.classes}, noise={p.noise:g}, seed={ctx.seed})")
    if raw.get("losses") is None:
        raise BadOutput("train returned None: it must return the list of per-epoch losses")
    try:
        losses = np.asarray(raw.get("losses"), dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise BadOutput(
            f"train should return the list of per-epoch losses, got {type(raw.get('losses')).__name__}"
        ) from None
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
            diagnosis = (
                "the loss rises from the first epoch until it overflows: the update must be params -= lr * grads "
                "(lr sign flipped?)"
            )
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
