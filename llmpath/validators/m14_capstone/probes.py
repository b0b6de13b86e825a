"""Probes of the M14 checks: they run in the sandboxed child, but never import the capstone themselves.

Every run of the capstone (its tests, a mutant, ``evaluate``) is a fresh interpreter started by
``spawn.run`` on a private stage, with its own timeout. The probe only decides what to run and
returns what came back; the verdicts in llmpath's process decide.
"""

from __future__ import annotations

import os
import random
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from llmpath.validators.api import ProbeContext
from llmpath.validators.m14_capstone import layout, mutate, spawn
from llmpath.validators.m14_capstone.params import BuildsOnParams, EvaluateParams, SuiteParams

HASH_SEEDS = (1, 2)  # the two reproducibility runs differ in PYTHONHASHSEED: set order must not matter


def judge_seed(seed: int) -> int:
    """The seed llmpath passes to ``evaluate``: drawn from the check's seed, not known in advance."""
    return random.Random(f"m14-evaluate-{seed}").randrange(1, 1_000_000)


def workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def _all_passed(result: dict | None) -> bool:
    if not result or result.get("exit_code") != 0 or result.get("tampering") or result.get("collect_errors"):
        return False
    return any(t.get("status") == "passed" for t in result.get("tests", {}).values())


def _covered(result: dict) -> dict[str, set[int]]:
    out = {}
    for rel, cov in (result.get("coverage") or {}).items():
        if "statements" in cov:
            out[rel] = set(cov["statements"]) - set(cov["missing"])
    return out


def _tests_for(result: dict, site: mutate.Site) -> list[str]:
    """The tests that ran the mutated line, fastest first (a test that never runs it cannot notice it).

    With ``-x`` the run stops at the first failure, so a mutant that is caught is caught cheaply.
    """
    tests = result.get("tests", {})
    ids = (result.get("tests_by_line", {}).get(site.file) or {}).get(str(site.line)) or list(tests)
    return sorted(ids, key=lambda n: (tests.get(n, {}).get("duration", 0.0), n))


def _mutant_raw(run: spawn.Run, site: mutate.Site) -> dict[str, Any]:
    result = run.result or {}
    failing = [n for n, t in result.get("tests", {}).items() if t.get("status") in ("failed", "error")]
    return {
        "site": site.describe(),
        "file": site.file,
        "line": site.line,
        "kind": site.kind,
        "timed_out": run.timed_out,
        "returncode": run.returncode,
        "has_result": run.result is not None,
        "exit_code": result.get("exit_code"),
        "failing": failing[:3],
        "collect_errors": len(result.get("collect_errors", [])),
        "elapsed_s": run.elapsed_s,
    }


def probe_tests(ctx: ProbeContext) -> dict:
    p = SuiteParams.model_validate(dict(ctx.params))
    mdir, ws = Path(ctx.milestone_dir), Path(ctx.workspace)
    code = layout.code_files(mdir)
    raw: dict[str, Any] = {
        "code_files": code,
        "test_files": layout.test_files(mdir),
        "folder_mb": layout.folder_mb(mdir),
    }
    if not raw["test_files"] or raw["folder_mb"] > layout.MAX_STAGE_MB:
        return raw
    base = spawn.run({"mode": "pytest", "coverage": True, "code_files": code}, ws, mdir, p.test_timeout_s)
    raw["baseline"] = base.to_raw()
    if not _all_passed(base.result):
        return raw
    covered = _covered(base.result or {})
    sites = []
    for rel in code:
        source = (mdir / rel).read_text(encoding="utf-8", errors="replace")
        sites += [s for s in mutate.find_sites(source, rel) if s.line in covered.get(rel, ())]
    chosen = mutate.choose(sites, p.mutants, ctx.seed)
    raw["sites"] = len(sites)
    # A mutant that makes the tests loop is stopped well before the suite's own limit.
    timeout = min(p.test_timeout_s, max(10.0, 3.0 * base.elapsed_s + 5.0))

    def prepare(site: mutate.Site) -> spawn.Prepare:
        def write(staged: Path) -> None:
            target = staged / site.file
            source = target.read_text(encoding="utf-8", errors="replace")
            target.write_text(mutate.apply(source, site), encoding="utf-8")

        return write

    requests = [{"mode": "pytest", "exitfirst": True, "only": _tests_for(base.result or {}, s)} for s in chosen]
    preload = (base.result or {}).get("preload")
    runs = spawn.run_many(requests, ws, mdir, timeout, [prepare(s) for s in chosen], workers(), preload)
    raw["mutants"] = [_mutant_raw(run, site) for run, site in zip(runs, chosen, strict=True)]
    for key in ("tests_by_line", "preload"):  # what the mutant runs needed; the verdict does not
        (base.result or {}).pop(key, None)
    raw["baseline"] = base.to_raw()
    raw["mutant_timeout_s"] = timeout
    return raw


def logged_seeds(workspace: Path, milestone: str) -> list[int]:
    """Distinct integer ``seed`` metrics of the milestone's experiment entries, in order of appearance."""
    from llmpath.notebook.logs import read_experiments

    seeds: list[int] = []
    for entry in read_experiments(workspace, milestone):
        value = entry.metrics.get("seed")
        if value is not None and float(value).is_integer() and int(value) not in seeds:
            seeds.append(int(value))
    return seeds


def _evaluate_runs(
    ctx: ProbeContext, timeout: float, plan: list[tuple[int, int]], watch: list[str] | None = None
) -> list[dict]:
    mdir, ws = Path(ctx.milestone_dir), Path(ctx.workspace)

    def one(item: tuple[int, int]) -> dict[str, Any]:
        seed, hash_seed = item
        request = {"mode": "evaluate", "seed": seed, "watch": watch or []}
        run = spawn.run(request, ws, mdir, timeout, hash_seed=hash_seed)
        return {"seed": seed, "hash_seed": hash_seed, **run.to_raw()}

    with ThreadPoolExecutor(max_workers=workers()) as pool:
        return list(pool.map(one, plan))


def probe_reproducible(ctx: ProbeContext) -> dict:
    p = EvaluateParams.model_validate(dict(ctx.params))
    s0 = judge_seed(ctx.seed)
    try:
        seeds = logged_seeds(Path(ctx.workspace), ctx.milestone)[: p.max_logged_seeds]
    except Exception:  # noqa: BLE001 - an unreadable log: the verdict reports it
        seeds = []
    plan = [(s0, h) for h in HASH_SEEDS] + [(s, 0) for s in seeds]
    return {"runs": _evaluate_runs(ctx, p.timeout_s, plan)}


def probe_baseline(ctx: ProbeContext) -> dict:
    p = EvaluateParams.model_validate(dict(ctx.params))
    return {"runs": _evaluate_runs(ctx, p.timeout_s, [(judge_seed(ctx.seed), 0)])}


def earlier_milestones(workspace: Path, milestone: str) -> list[str]:
    """Workspace-relative folders of the milestones before ``milestone`` that exist (milestones/M1 ...)."""
    number = int(re.sub(r"\D", "", milestone) or 0)
    found = []
    root = Path(workspace) / "milestones"
    for k in range(1, number):
        if (root / f"M{k}").is_dir():
            found.append(f"milestones/M{k}")
    return found


def probe_builds_on(ctx: ProbeContext) -> dict:
    p = BuildsOnParams.model_validate(dict(ctx.params))
    mdir, ws = Path(ctx.milestone_dir).resolve(), Path(ctx.workspace).resolve()
    try:
        own = mdir.relative_to(ws).as_posix()
    except ValueError:
        own = f"milestones/{ctx.milestone}"
    watch = [own, *earlier_milestones(ws, ctx.milestone)]
    return {"runs": _evaluate_runs(ctx, p.timeout_s, [(judge_seed(ctx.seed), 0)], watch), "watched": watch}
