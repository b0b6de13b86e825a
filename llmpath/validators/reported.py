"""What a learner reported: the experiment entry whose figures a check recomputes.

Checks that rerun a logged evaluation (M12's and M13's success rates) read the latest entry of the
milestone that logs a given metric, and the run it names in its other metrics (seed, sizes); both
judge a logged success rate and pass^k with one verdict.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from llmpath.validators.api import Verdict


def latest_run(
    workspace: Path, milestone: str, metric: str, run_keys: Mapping[str, int]
) -> tuple[Any, dict[str, int]] | None:
    """The latest ``milestone`` entry that logs ``metric``, and its run (``run_keys`` give the defaults)."""
    from llmpath.notebook.logs import read_experiments

    entries = [e for e in read_experiments(workspace, milestone) if metric in e.metrics]
    if not entries:
        return None
    entry = entries[-1]
    return entry, {key: int(entry.metrics.get(key, default)) for key, default in run_keys.items()}


def rate_verdict(
    entry: Any,
    run: Mapping[str, int],
    raw: Mapping[str, Any],
    best: Any,
    *,
    tolerance: float,
    suite: str,
    steps_key: str,
    subject: str,
    command: str,
) -> Verdict:
    """The verdict on a logged ``success_rate`` and ``pass_k`` against their rerun and their optimum.

    ``raw`` holds the probe's rerun (``success_rate``, ``pass_k``, ``errors``); ``best`` is the exact
    optimum of the run's suite (``.success`` and ``.pass_k(k)``). ``suite`` names the suite's function
    and ``steps_key`` the run's step bound, as the learner logged them; ``subject`` is what was rerun
    ("agent", "system"). Both figures must agree within ``tolerance`` (the rounding they were logged with).
    """
    opt, opt_k = float(best.success), float(best.pass_k(run["k"]))
    logged = entry.metrics
    lines = [f"run: {suite}(seed={run['seed']}, n={run['n_tasks']}), k={run['k']}, {steps_key}={run[steps_key]}",
             f"success_rate: logged {logged['success_rate']:.4f}, recomputed {raw['success_rate']:.4f} "
             f"(optimum {opt:.4f})"]
    wrong = abs(logged["success_rate"] - raw["success_rate"]) > tolerance
    if "pass_k" in logged:
        lines.append(f"pass_k: logged {logged['pass_k']:.4f}, recomputed {raw['pass_k']:.4f} (optimum {opt_k:.4f})")
        wrong = wrong or abs(logged["pass_k"] - raw["pass_k"]) > tolerance
    lines += [f"an exception out of run(): {e}" for e in raw.get("errors") or []]
    metrics = {"logged_success_rate": logged["success_rate"], "success_rate": raw["success_rate"], "optimum": opt,
               "pass_k": raw["pass_k"], "pass_k_optimum": opt_k}
    if wrong:
        return Verdict.failed(f"{entry.id}: the logged figures are not what your {subject} gives now", *lines,
                              diagnosis=f"log the figures of the code as it is now, with the seed, n_tasks, k and "
                                        f"{steps_key} of that run", metrics=metrics)
    if "pass_k" not in logged:
        return Verdict.failed(f"{entry.id} logs success_rate but not pass_k", *lines, f"Log both: `{command}`",
                              metrics=metrics)
    return Verdict.passed(f"{entry.id}: success_rate and pass^{run['k']} reproduced", *lines, metrics=metrics)
