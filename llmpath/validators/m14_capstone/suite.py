"""m14.tests: the capstone's own tests pass, are enough, cover its code, and notice seeded mutants."""

from __future__ import annotations

from typing import Any

from llmpath.validators.api import Verdict, VerdictContext
from llmpath.validators.m14_capstone import layout
from llmpath.validators.m14_capstone.params import SuiteParams

HOOKS_ADVICE = (
    "llmpath does not judge a run whose outcomes the capstone's own hooks can rewrite: remove these hooks "
    "(fixtures, markers and parametrize are fine)."
)


def _ranges(lines: list[int]) -> str:
    """1, 2, 3, 7, 9, 10 -> "1-3, 7, 9-10" (at most 8 ranges)."""
    out: list[str] = []
    start = prev = None
    for n in sorted(lines):
        if prev is not None and n == prev + 1:
            prev = n
            continue
        if start is not None:
            out.append(f"{start}-{prev}" if prev != start else f"{start}")
        start = prev = n
    if start is not None:
        out.append(f"{start}-{prev}" if prev != start else f"{start}")
    return ", ".join(out[:8]) + (", ..." if len(out) > 8 else "")


def _run_error(base: dict | None, p: SuiteParams, mid: str) -> Verdict | None:
    """An ``error`` when the baseline run of the tests produced nothing to judge."""
    if base is None:
        return None
    if base["timed_out"]:
        return Verdict.error(
            f"the {mid} tests did not finish within {p.test_timeout_s:g} s",
            "An infinite loop, or training inside a test? Keep tests small: they run again for every mutant.",
        )
    result = base["result"]
    if result is None:
        return Verdict.error(
            f"the {mid} test run ended without a result (exit code {base['returncode']})",
            "Does a test or conftest.py call os._exit() or crash the interpreter? Its output ends with:",
            *base["output"].strip().splitlines()[-12:],
        )
    if result.get("crash"):
        return Verdict.error(f"the {mid} test run stopped early: {result['crash']}")
    return None


def _failures(result: dict, mid: str) -> Verdict | None:
    tests: dict[str, Any] = result.get("tests", {})
    failing = {n: t for n, t in tests.items() if t.get("status") in ("failed", "error")}
    errors = result.get("collect_errors", [])
    if not failing and not errors:
        if result.get("exit_code") == 5 or not tests:  # pytest's code for "no tests collected"
            return Verdict.failed(
                f"pytest collected no tests in milestones/{mid}",
                "Name test files test_*.py (or *_test.py) and test functions test_*.",
            )
        if result.get("exit_code") not in (0, None):
            return Verdict.failed(f"pytest exited with code {result['exit_code']} on the {mid} tests")
        return None
    if failing and not errors and all(t.get("exc_type") == "NotImplementedError" for t in failing.values()):
        return Verdict.error(
            f"{mid}: the capstone is not implemented yet ({len(failing)} test(s) fail with NotImplementedError)"
        )
    details = [f"{n}: {t.get('message') or t.get('exc_type') or t['status']}" for n, t in list(failing.items())[:6]]
    details += [f"collection error: {e}" for e in errors[:4]]
    return Verdict.failed(
        f"{len(failing)} of {len(tests)} {mid} test(s) fail"
        + (f", {len(errors)} file(s) cannot be collected" if errors else ""),
        *details,
    )


def _coverage(result: dict, p: SuiteParams) -> tuple[float, list[str], str | None]:
    """(share covered, detail lines, the problem or None)."""
    total = hit = 0
    rows = []
    unmeasured = []
    for rel, cov in sorted((result.get("coverage") or {}).items()):
        if "statements" not in cov:
            unmeasured.append(rel)
            rows.append((0.0, f"{rel}: cannot be measured ({cov.get('error', '?')})"))
            continue
        n, missing = len(cov["statements"]), cov["missing"]
        total, hit = total + n, hit + n - len(missing)
        share = (n - len(missing)) / n if n else 1.0
        rows.append(
            (
                share,
                f"{rel}: {share:.0%} of {n} statements" + (f", not run: lines {_ranges(missing)}" if missing else ""),
            )
        )
    share = hit / total if total else 0.0
    detail = [f"line coverage {share:.0%} of {total} statements (best 100%, minimum {p.min_coverage:.0%})"]
    detail += [text for _, text in sorted(rows)[:4]]
    if unmeasured:  # a file coverage cannot parse would otherwise leave its statements out of the count
        return share, detail, f"coverage cannot measure {', '.join(unmeasured)}: fix or remove it"
    if not total:
        return 0.0, detail, "the tests ran none of the capstone's code (no statements measured)"
    if share < p.min_coverage:
        return (
            share,
            detail,
            f"line coverage is {share:.0%}; at least {p.min_coverage:.0%} of the capstone's statements must run",
        )
    return share, detail, None


def _killed(m: dict) -> bool:
    """A mutant is killed when the tests did not all pass on it (a failure, an error, a crash, a timeout)."""
    return bool(m["timed_out"] or not m["has_result"] or m["exit_code"] != 0)


def _mutation(raw: dict, result: dict, p: SuiteParams) -> tuple[float, list[str], str | None]:
    if raw.get("mutants") is None:  # not run: the suite did not pass cleanly (e.g. every test skipped)
        return 0.0, ["mutants not run"], "no mutant was run: the tests must pass first, at least one of them"
    mutants = raw["mutants"]
    if not mutants:
        why = "no code to mutate on the lines the tests run (comparisons, numbers, returns, arithmetic in functions)"
        return 0.0, [why], f"{why}: the tests cannot be judged"
    killed = [m for m in mutants if _killed(m)]
    survivors = [m for m in mutants if not _killed(m)]
    score = len(killed) / len(mutants)
    detail = [
        f"{len(killed)} of {len(mutants)} seeded mutants made a test fail ({score:.0%}; best 100%, minimum "
        f"{p.min_killed:.0%}), drawn from {raw.get('sites', len(mutants))} sites on the lines the tests run"
    ]
    detail += [f"survived: {m['site']}" for m in survivors[:8]]
    if score >= p.min_killed:
        return score, detail, None
    silent = sorted(
        n for n, t in result.get("tests", {}).items() if t.get("status") == "passed" and not t.get("asserts")
    )
    if silent:
        shown = ", ".join(silent[:4]) + (" ..." if len(silent) > 4 else "")
        detail.append(f"{len(silent)} passing test(s) ran no `assert` statement: {shown}")
    problem = (
        f"only {len(killed)} of {len(mutants)} mutants of the capstone's code made a test fail: the tests run the code "
        "but do not check its results (tests that assert nothing, or assert too little?)"
    )
    return score, detail, problem


def verdict_tests(raw: dict, ctx: VerdictContext) -> Verdict:
    p: SuiteParams = ctx.params
    mid = ctx.milestone
    if raw.get("folder_mb", 0) > layout.MAX_STAGE_MB:
        return Verdict.failed(
            f"milestones/{mid} holds {raw['folder_mb']:.0f} MB; at most {layout.MAX_STAGE_MB} MB",
            "It is copied for every run of the tests: keep data outside it, or generate it from a seed.",
        )
    if not raw.get("test_files"):
        return Verdict.failed(
            f"no tests in milestones/{mid}",
            f"Write them in milestones/{mid}/tests/test_*.py (pytest collects test_*.py and *_test.py files).",
        )
    base = raw.get("baseline")
    problem = _run_error(base, p, mid)
    if problem is not None or base is None:
        return problem or Verdict.error("the tests were not run")
    result = base["result"]
    if result.get("tampering"):
        return Verdict.failed(
            f"the {mid} tests' own pytest hooks can rewrite test outcomes", *result["tampering"], HOOKS_ADVICE
        )
    failure = _failures(result, mid)
    if failure is not None:
        return failure
    statuses = [t.get("status") for t in result.get("tests", {}).values()]
    functions = {n.split("[")[0] for n, t in result.get("tests", {}).items() if t.get("status") == "passed"}
    problems, details = [], []
    skipped = sum(s in ("skipped", "xfailed", "xpassed") for s in statuses)
    details.append(
        f"{len(functions)} test function(s) pass ({statuses.count('passed')} cases; minimum {p.min_tests} functions)"
        + (f"; {skipped} skipped or xfail, not counted" if skipped else "")
    )
    if len(functions) < p.min_tests:
        problems.append(f"{len(functions)} test function(s) pass; at least {p.min_tests} are needed")
    coverage, cov_detail, cov_problem = _coverage(result, p)
    score, mut_detail, mut_problem = _mutation(raw, result, p)
    details += cov_detail + mut_detail
    problems += [x for x in (cov_problem, mut_problem) if x]
    metrics = {
        "tests": float(len(functions)),
        "coverage": coverage,
        "mutation_score": score,
        "mutants": float(len(raw.get("mutants") or [])),
    }
    if problems:
        return Verdict.failed(f"the {mid} tests are not enough yet: " + "; ".join(problems), *details, metrics=metrics)
    return Verdict.passed(
        f"{len(functions)} tests pass, cover {coverage:.0%} of the capstone's statements and catch "
        f"{score:.0%} of {len(raw['mutants'])} seeded mutants",
        *details,
        metrics=metrics,
    )
