"""What came back from ``evaluate(seed)`` runs: errors, the metrics dict, and logged numbers.

Shared by m14.reproducible, m14.baseline and m14.builds_on. A number in an experiment entry equals a
recomputed one when it is the same float up to ``NOISE`` (summation order), or the recomputed value
rounded to the digits written, as long as that keeps a relative error within ``REL_TOL`` (4
significant digits are always enough).
"""

from __future__ import annotations

import math
from decimal import Decimal

from llmpath.validators.api import Verdict

# Rounding to 4 significant digits moves a number by at most 5e-4 of itself; a logged figure
# further away than that (or than half a unit of its last written digit) is not the recomputed one.
REL_TOL = 5e-4
# A learner's machine may sum in another order (more BLAS threads): float64 results then differ in
# the last few bits, ~1e-15 relative per operation; 1e-9 leaves room for a long reduction and is far
# below any difference that would change a reported figure.
NOISE = 1e-9
CONTRACT = "evaluate(seed: int) -> dict[str, float] in milestones/{mid}/capstone.py"


def run_for(raw: dict, seed: int, hash_seed: int | None = None) -> dict | None:
    """The run of ``evaluate(seed)`` in ``raw["runs"]`` (with that PYTHONHASHSEED when given)."""
    for run in raw.get("runs", []):
        if run.get("seed") == seed and (hash_seed is None or run.get("hash_seed") == hash_seed):
            return run
    return None


def problem(run: dict | None, seed: int, timeout_s: float, mid: str) -> Verdict | None:
    """An error or failure when ``run`` gave no usable metrics; None when it did."""
    if run is None:
        return Verdict.error(f"evaluate({seed}) was not run")
    call = f"evaluate({seed})"
    if run["timed_out"]:
        return Verdict.error(
            f"{call} did not finish within {timeout_s:g} s",
            "Training inside evaluate? Keep evaluation small (seconds), or load a saved model.",
        )
    result = run["result"]
    if result is None:
        tail = run["output"].strip().splitlines()[-12:]
        return Verdict.error(
            f"{call} ended without a result (exit code {run['returncode']}): os._exit, or a crash?", *tail
        )
    if not result.get("ok"):
        if result.get("kind") == "not_implemented":
            return Verdict.error(
                f"{mid}: `{result.get('where', 'evaluate')}` is not implemented yet ({result['message']})"
            )
        if result.get("kind") == "contract":
            return Verdict.error(f"{mid}: {result['message']}", f"The contract: {CONTRACT.format(mid=mid)}.")
        return Verdict.error(
            f"{call} raised {result['message']}", *(["Traceback (your code):"] + result.get("traceback", []))
        )
    if "type" in result:
        return Verdict.failed(
            f"{call} returned a {result['type']}, not a dict of metrics", f"The contract: {CONTRACT.format(mid=mid)}."
        )
    if result.get("bad"):
        return Verdict.failed(
            f"{call} returned values that are not numbers: {', '.join(result['bad'][:5])}",
            "Every metric is a name (str) and a number (int or float; numpy scalars are fine).",
        )
    if not result.get("metrics"):
        return Verdict.failed(f"{call} returned no metrics", f"The contract: {CONTRACT.format(mid=mid)}.")
    odd = [k for k, v in result["metrics"].items() if not math.isfinite(v)]
    if odd:
        return Verdict.failed(f"{call} returned non-finite metrics: {', '.join(odd)}")
    return None


def same_number(logged: float, got: float) -> bool:
    """Whether a logged figure is ``got`` as written (exact, or rounded to the digits given)."""
    if not (math.isfinite(logged) and math.isfinite(got)):
        return False
    if logged == got or abs(logged - got) <= NOISE * max(abs(got), abs(logged)):
        return True
    exponent = Decimal(repr(float(logged))).as_tuple().exponent
    half_unit = 0.5 * 10.0 ** int(exponent) if isinstance(exponent, int) else 0.0
    return abs(logged - got) <= min(half_unit, REL_TOL * abs(got))


def shown(value: float) -> str:
    return f"{int(value)}" if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def log_command(mid: str, metrics: dict[str, float], seed: int) -> str:
    args = " ".join(f"--metric {k}={shown(v)}" for k, v in list(metrics.items())[:4])
    return f'llmpath log experiment -m {mid} --objective "..." --setup "..." --metric seed={seed} {args}'


def baseline_pairs(metrics: dict[str, float]) -> list[tuple[str, str]]:
    """(system metric, its baseline) pairs: ``X`` beside ``baseline_X``, ``X_baseline`` or ``X_baseline_<label>``."""
    pairs = []
    for key in (k for k in metrics if not is_baseline(k)):
        for name in metrics:
            if name != key and (
                name == f"baseline_{key}" or name == f"{key}_baseline" or name.startswith(f"{key}_baseline_")
            ):
                pairs.append((key, name))
    return pairs


def is_baseline(name: str) -> bool:
    return name.startswith("baseline_") or "_baseline" in name
