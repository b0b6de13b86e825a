"""m14.reproducible and m14.baseline: what ``evaluate(seed)`` returns, and what the M14 entries log."""

from __future__ import annotations

from llmpath.errors import LlmpathError
from llmpath.validators.api import Verdict, VerdictContext
from llmpath.validators.m14_capstone import evaluation as ev
from llmpath.validators.m14_capstone.params import EvaluateParams
from llmpath.validators.m14_capstone.probes import HASH_SEEDS, judge_seed

NONDETERMINISM = (
    "randomness not drawn from `seed` (np.random, random or torch without a generator seeded from it?), or an "
    "order that depends on PYTHONHASHSEED (iterating over a set of strings?)"
)


def _differences(a: dict[str, float], b: dict[str, float]) -> list[str]:
    out = [f"{k}: only in the {'first' if k in a else 'second'} run" for k in sorted(set(a) ^ set(b))]
    out += [f"{k}: {ev.shown(a[k])} vs {ev.shown(b[k])}" for k in sorted(set(a) & set(b)) if a[k] != b[k]]
    return out


def _entries(ctx: VerdictContext) -> tuple[list, Verdict | None]:
    from llmpath.notebook.logs import read_experiments

    try:
        return read_experiments(ctx.workspace, ctx.milestone), None
    except LlmpathError as exc:
        return [], Verdict.failed(f"the experiment log cannot be read: {exc.message}")


def _check_entry(entry, raw: dict, p: EvaluateParams, mid: str) -> tuple[list[str], list[str], Verdict | None]:
    """(problems, numbers compared, a run error) for one experiment entry."""
    seed = entry.metrics.get("seed")
    if seed is None or not float(seed).is_integer():
        why = "no `seed` metric" if seed is None else f"seed={seed!r}, not an integer"
        return [f"entry {entry.id} has {why}: llmpath recomputes every logged number with evaluate(seed)"], [], None
    seed = int(seed)
    run = ev.run_for(raw, seed)
    if run is None:
        return (
            [f"entry {entry.id}: seed {seed} was not recomputed (at most {p.max_logged_seeds} distinct seeds are)"],
            [],
            None,
        )
    error = ev.problem(run, seed, p.timeout_s, mid)
    if error is not None:
        return [], [], error
    got = run["result"]["metrics"]
    problems, compared = [], []
    numbers = {k: v for k, v in entry.metrics.items() if k != "seed"}
    if not numbers:
        problems.append(f"entry {entry.id} logs only the seed; log the metrics evaluate({seed}) returns")
    for name, value in numbers.items():
        if name not in got:
            problems.append(
                f"entry {entry.id} logs `{name}`, which evaluate({seed}) does not return "
                f"(it returns {', '.join(sorted(got)) or 'nothing'}): llmpath cannot recompute it"
            )
        elif not ev.same_number(value, got[name]):
            problems.append(
                f"entry {entry.id} logs {name}={ev.shown(value)}, but evaluate({seed}) gives {ev.shown(got[name])}"
            )
        else:
            compared.append(f"entry {entry.id}: {name}={ev.shown(value)} (recomputed {ev.shown(got[name])})")
    return problems, compared, None


def verdict_reproducible(raw: dict, ctx: VerdictContext) -> Verdict:
    p: EvaluateParams = ctx.params
    mid, s0 = ctx.milestone, judge_seed(ctx.seed)
    runs = [ev.run_for(raw, s0, h) for h in HASH_SEEDS]
    for run in runs:
        error = ev.problem(run, s0, p.timeout_s, mid)
        if error is not None:
            return error
    first, second = (r["result"]["metrics"] for r in runs)  # type: ignore[index]
    diff = _differences(first, second)
    if diff:
        return Verdict.failed(
            f"evaluate({s0}) is not reproducible: two fresh processes with the same seed returned different metrics",
            *diff[:8],
            f"(PYTHONHASHSEED was {HASH_SEEDS[0]} and {HASH_SEEDS[1]}.)",
            diagnosis=NONDETERMINISM,
        )
    entries, unreadable = _entries(ctx)
    if unreadable is not None:
        return unreadable
    if not entries:
        return Verdict.failed(
            f"no {mid} experiment entry: log what evaluate returns, with its seed",
            f"e.g. `{ev.log_command(mid, first, s0)}` (these are evaluate({s0})'s numbers)",
        )
    problems, compared = [], []
    for entry in entries:
        bad, good, error = _check_entry(entry, raw, p, mid)
        if error is not None:
            return error
        problems += bad
        compared += good
    if problems:
        return Verdict.failed(
            f"the {mid} experiment log does not match what evaluate recomputes", *problems, *compared[:6]
        )
    return Verdict.passed(
        f"evaluate({s0}) gave identical metrics in 2 fresh processes; {len(compared)} logged number(s) in "
        f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'} recomputed",
        *compared[:12],
        metrics={"logged_numbers": float(len(compared)), "entries": float(len(entries))},
    )


def verdict_baseline(raw: dict, ctx: VerdictContext) -> Verdict:
    p: EvaluateParams = ctx.params
    mid, s0 = ctx.milestone, judge_seed(ctx.seed)
    run = ev.run_for(raw, s0)
    error = ev.problem(run, s0, p.timeout_s, mid)
    if error is not None:  # also when run is None: "evaluate(...) was not run"
        return error
    got: dict[str, float] = run["result"]["metrics"]
    pairs = ev.baseline_pairs(got)
    returned = ", ".join(f"{k}={ev.shown(v)}" for k, v in list(got.items())[:8])
    if not pairs:
        return Verdict.failed(
            f"evaluate({s0}) reports no baseline beside the system's own figure",
            f"It returned {returned}.",
            "Return a simple method's figure on the same data next to yours, named after it: `accuracy` beside "
            "`baseline_accuracy` (or `accuracy_baseline`, `accuracy_baseline_<label>`).",
        )
    distinct = [(k, b) for k, b in pairs if got[k] != got[b]]
    if not distinct:
        same = ", ".join(f"{b} = {k} = {ev.shown(got[k])}" for k, b in pairs)
        return Verdict.failed(
            f"evaluate({s0})'s baseline equals the system's figure ({same})",
            "Is the baseline computed by the system itself? A baseline is a simpler method on the same data.",
        )
    entries, unreadable = _entries(ctx)
    if unreadable is not None:
        return unreadable
    beside = [(e.id, k, b) for e in entries for k, b in distinct if k in e.metrics and b in e.metrics]
    if not beside:
        k, b = distinct[0]
        return Verdict.failed(
            f"no {mid} experiment entry logs `{k}` beside its baseline `{b}`",
            f"e.g. `{ev.log_command(mid, {k: got[k], b: got[b]}, s0)}` (these are evaluate({s0})'s numbers)",
        )
    details = [f"{k} = {ev.shown(got[k])} beside {b} = {ev.shown(got[b])}" for k, b in distinct]
    entry_id, k, b = beside[0]
    return Verdict.passed(
        f"evaluate({s0}) reports {k} = {ev.shown(got[k])} beside {b} = {ev.shown(got[b])} (logged in entry {entry_id})",
        *details,
        metrics={"baselines": float(len(distinct))},
    )
