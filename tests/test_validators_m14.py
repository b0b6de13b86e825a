"""M14 validators proven on the reference capstone, two different capstones, a bank of shortfalls and the stub.

Every run of a capstone is a fresh interpreter (the judge's design), so this file is dominated by
process starts: the reference and the stub go through the real sandbox; the variants and the bank
run the probes in this process (they only start the capstone's own runs, never import it here).
Shortfalls that differ only in the experiment log share one probe of the reference.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from llmpath.notebook import logs
from llmpath.templates import template_root
from llmpath.validators.api import ProbeContext, VerdictContext
from llmpath.validators.docs import section
from llmpath.validators.m14_capstone import evaluation, layout, mutate, spawn
from llmpath.validators.m14_capstone.params import SuiteParams
from llmpath.validators.m14_capstone.suite import verdict_tests
from llmpath.validators.prose import own_words
from llmpath.validators.registry import builtin_checks
from tests.judgeutil import SOLUTIONS, judge, judge_in_process, text
from tests.solutions.M14 import walk
from tests.solutions.M14.bugs import SHORTFALLS, Shortfall

M14 = SOLUTIONS / "M14"
TEMPLATE = template_root() / "milestones" / "M14"
CHECKS = ["m14.tests", "m14.reproducible", "m14.baseline", "m14.builds_on"]
DESIGN = {
    "path": "DESIGN.md",
    "min_words": 300,
    "headings": ["Design", "Implementation", "Evaluation"],
    "exclude_starter": True,
    "min_section_words": 50,
}
SEED = walk.SEED


def lay_out(tmp_path: Path, source: Path, shortfall: Shortfall | None = None) -> Path:
    """A workspace with the M1, M2, M3 and M8 references and ``source`` as milestones/M14."""
    ws = tmp_path / "ws"
    for k in (1, 2, 3, 8):
        origin = (
            TEMPLATE.parent / "M8"
            if (k == 8 and shortfall and shortfall.m8 == "stub")
            else SOLUTIONS / f"M{k}" / "reference"
        )
        shutil.copytree(origin, ws / "milestones" / f"M{k}", ignore=shutil.ignore_patterns("__pycache__"))
    mdir = ws / "milestones" / "M14"
    shutil.copytree(source, mdir, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (ws / "roadmap.yaml").touch()
    for rel, find, replace in shortfall.patches if shortfall else ():
        target = mdir / rel
        source_text = target.read_text()
        assert source_text.count(find) == 1, (
            f"{shortfall.name}: {find!r} occurs {source_text.count(find)} times in {rel}"
        )
        target.write_text(source_text.replace(find, replace))
    for rel, content in shortfall.files if shortfall else ():
        if content is None:
            (mdir / rel).unlink()
        else:
            (mdir / rel).write_text(content)
    return mdir


def evaluate_here(mdir: Path, seed: int = SEED) -> dict[str, float]:
    run = spawn.run({"mode": "evaluate", "seed": seed}, mdir.parent.parent, mdir, 120.0)
    assert run.result and run.result.get("ok"), run.output
    return run.result["metrics"]


def log(ws: Path, metrics: dict[str, float], seed: int | None = SEED) -> None:
    numbers = dict(metrics) if seed is None else {"seed": float(seed), **metrics}
    logs.append_experiment(
        ws,
        milestone="M14",
        objective="system vs baseline",
        setup=f"evaluate({seed})",
        metrics=numbers,
        visualization=None,
        notes="",
        commit=None,
        dirty=False,
    )


LOGS = {
    "honest": lambda m: m,
    "differs": lambda m: {**m, "bits_per_byte": 1.9},
    "extra": lambda m: {**m, "perplexity": 3.1},
    "rounded": lambda m: {**m, "bits_per_byte": 2.0},
    "no_baseline": lambda m: {k: v for k, v in m.items() if not k.startswith("baseline_")},
}


def write_log(ws: Path, kind: str, metrics: dict[str, float]) -> None:
    if kind == "none":
        return
    if kind == "no_seed":
        log(ws, metrics, seed=None)
    else:
        log(ws, LOGS[kind](metrics))


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple[Path, dict[str, float], dict[str, dict]]:
    """The reference laid out and honestly logged, its evaluate(7), and one probe of each evaluate check."""
    mdir = lay_out(tmp_path_factory.mktemp("reference"), M14 / "reference")
    metrics = evaluate_here(mdir)
    log(mdir.parent.parent, metrics)
    raws = {}
    for name in ("m14.reproducible", "m14.baseline", "m14.builds_on"):
        check = builtin_checks()[name]
        raws[name] = check.probe(ProbeContext("M14", mdir, mdir.parent.parent, {}, 0))
    return mdir, metrics, raws


def verdict(name: str, raw: dict, mdir: Path, params: dict | None = None):
    check = builtin_checks()[name]
    ctx = VerdictContext("M14", mdir, mdir.parent.parent, check.params.model_validate(params or {}), 0)
    return check.verdict(raw, ctx)


# ---------------------------------------------------------------------------------------------
# the reference, the variants and the stub


def test_reference_passes_every_check(tmp_path: Path, reference) -> None:
    """m14.tests and DESIGN.md through the real sandbox; the evaluate checks on the fixture's probes
    (the stub below takes those through the sandbox too)."""
    ref_dir, metrics, raws = reference
    for name, raw in raws.items():
        got = verdict(name, raw, ref_dir)
        assert got.status == "passed", (name, got)
    params = {"docs.file": DESIGN, "m14.tests": {"mutants": 10}}  # the roadmap's 20 are run by the real walk
    results = judge(lay_out(tmp_path, M14 / "reference"), ["m14.tests", "docs.file"], params=params)
    assert {r.validator: r.status for r in results} == {"m14.tests": "passed", "docs.file": "passed"}, text(results)
    suite = results[0]
    assert suite.metrics["coverage"] >= 0.9 and suite.metrics["mutation_score"] >= 0.9 and suite.metrics["tests"] >= 9
    assert metrics["floor_bits_per_byte"] < metrics["bits_per_byte"] < metrics["baseline_bits_per_byte"] - 0.5


@pytest.mark.parametrize("variant", ["grammar", "spirals"])
def test_different_capstones_pass(tmp_path: Path, variant: str) -> None:
    mdir = lay_out(tmp_path, M14 / "variants" / variant)
    log(mdir.parent.parent, evaluate_here(mdir))
    results = judge_in_process(mdir, CHECKS, params={"m14.tests": {"mutants": 4}})
    assert {r.validator: r.status for r in results} == dict.fromkeys(CHECKS, "passed"), text(results)
    reuse = next(r for r in results if r.validator == "m14.builds_on")
    assert {"grammar": "M1", "spirals": "M3"}[variant] in reuse.summary


def test_starter_stub_is_not_implemented(tmp_path: Path) -> None:
    mdir = lay_out(tmp_path, TEMPLATE)
    results = judge(mdir, [*CHECKS, "docs.file"], params={"docs.file": DESIGN})
    assert {r.validator: r.status for r in results} == dict.fromkeys(CHECKS, "error") | {"docs.file": "failed"}, text(
        results
    )
    assert text(results).count("not implemented yet") == len(CHECKS)
    assert "still the starter file" in text(results)


# ---------------------------------------------------------------------------------------------
# the bank


@pytest.mark.parametrize("shortfall", SHORTFALLS, ids=[s.name for s in SHORTFALLS])
def test_shortfall_fails_with_its_reason(tmp_path: Path, reference, shortfall: Shortfall) -> None:
    _, metrics, raws = reference
    mdir = lay_out(tmp_path, M14 / "reference", shortfall)
    write_log(mdir.parent.parent, shortfall.log, metrics)
    if shortfall.code_changes:
        [result] = judge_in_process(mdir, [shortfall.check], params={shortfall.check: shortfall.params})
        status, message = result.status, text([result])
    else:  # only the log differs: the reference's probe, judged against this log
        got = verdict(shortfall.check, raws[shortfall.check], mdir, shortfall.params)
        status, message = got.status, "\n".join([got.summary, *got.details, got.diagnosis or ""])
    assert status == shortfall.status, message
    assert shortfall.expect.lower() in message.lower(), message


def test_bank_covers_every_check() -> None:
    assert len(SHORTFALLS) >= 10
    assert {s.check for s in SHORTFALLS} == set(CHECKS)


def test_walk_logs_what_evaluate_returns(tmp_path: Path, reference) -> None:
    mdir, _, raws = reference
    ws = tmp_path / "ws"
    shutil.copytree(SOLUTIONS / "M8" / "reference", ws / "milestones" / "M8")
    walk.lay_out(ws)
    calls = []

    def fake_log(kind: str, *args: str) -> None:
        calls.append((kind, args))
        if kind == "experiment":
            numbers = {
                k: float(v) for k, v in (args[i + 1].split("=", 1) for i, a in enumerate(args) if a == "--metric")
            }
            log(ws, numbers, seed=int(numbers.pop("seed")))

    walk.document(ws, fake_log)
    assert [c[0] for c in calls] == ["experiment", "journal"] and len(walk.REFLECTION.split()) >= 40
    for name in ("m14.reproducible", "m14.baseline"):
        assert verdict(name, raws[name], ws / "milestones" / "M14").status == "passed"


# ---------------------------------------------------------------------------------------------
# pieces: mutations, numbers, files, verdicts on fabricated outcomes

SOURCE = '''\
import os


def clip(x, low=0):
    """Docstrings are left alone."""
    if x < low and not False:
        print("clipped", x < 0)
        return low
    total = x * 2 + 1
    total += 1
    return total if total >= 0 or x else -total


if __name__ == "__main__":
    print(clip(3) > 2)
'''


def test_mutation_sites_cover_every_kind_and_skip_quiet_code() -> None:
    sites = mutate.find_sites(SOURCE, "m.py")
    assert {s.kind for s in sites} == set(mutate.KINDS)
    assert all(5 <= s.line <= 11 for s in sites), [s.describe() for s in sites]  # inside clip, not print/main
    assert "m.py:6: `x < low` -> `x >= low` (comparison)" in [s.describe() for s in sites]
    assert not any("clipped" in s.before for s in sites)


def test_each_mutant_changes_one_thing_and_still_parses() -> None:
    sites = mutate.find_sites(SOURCE, "m.py")
    original = ast.dump(ast.parse(SOURCE))
    for site in sites:
        mutated = mutate.apply(SOURCE, site)
        assert ast.dump(ast.parse(mutated)) != original, site.describe()


def test_choose_is_seeded_and_takes_kinds_in_turn() -> None:
    sites = mutate.find_sites(SOURCE, "m.py")
    assert mutate.choose(sites, 4, 1) == mutate.choose(sites, 4, 1)
    assert len({s.kind for s in mutate.choose(sites, len(mutate.KINDS), 1)}) == len(mutate.KINDS)
    assert mutate.choose(sites, 100, 2) and len(mutate.choose(sites, 100, 2)) == len(sites)


@pytest.mark.parametrize(
    ("logged", "got", "same"),
    [
        (1.9853, 1.98533692, True),
        (1.985, 1.98533692, True),
        (2.0, 1.98533692, False),
        (1.9, 1.98533692, False),
        (0.30405021680276006, 0.30405021680276006, True),
        (0.1 + 0.2, 0.3, True),
        (42.0, 42.0, True),
        (0.00123, 0.0012345, False),
        (float("nan"), float("nan"), False),
    ],
)
def test_logged_numbers_match_when_rounded_to_their_digits(logged: float, got: float, same: bool) -> None:
    assert evaluation.same_number(logged, got) is same


def test_baseline_names() -> None:
    metrics = dict.fromkeys(["accuracy", "baseline_accuracy", "loss", "loss_baseline_sgd", "f1", "f1_baseline"], 1.0)
    assert sorted(evaluation.baseline_pairs(metrics)) == [
        ("accuracy", "baseline_accuracy"),
        ("f1", "f1_baseline"),
        ("loss", "loss_baseline_sgd"),
    ]
    assert evaluation.baseline_pairs({"accuracy": 1.0, "baselines": 2.0}) == []


def test_what_counts_as_a_test() -> None:
    assert layout.is_test_file("tests/helpers.py") and layout.is_test_file("conftest.py")
    assert layout.is_test_file("pkg/test_x.py") and layout.is_test_file("x_test.py")
    assert not layout.is_test_file("capstone.py") and not layout.is_test_file("pkg/testing.py")
    assert layout.code_files(M14 / "variants" / "spirals") == [
        "capstone.py",
        "spiral/__init__.py",
        "spiral/experiment.py",
        "spiral/optim.py",
    ]


def test_design_starter_words_never_count() -> None:
    starter = (TEMPLATE / "DESIGN.md").read_text()
    mine = starter.replace("## Evaluation", "## Evaluation\n\nDesign implementation evaluation capstone measured well.")
    assert own_words(mine, starter) == 6
    assert "capstone measured well." in section(mine, "Evaluation") and section(mine, "Design").strip().startswith(
        "<!--"
    )


def _fabricated(**tests: dict) -> dict:
    result = {
        "exit_code": 0,
        "crash": None,
        "tests": tests,
        "collect_errors": [],
        "tampering": [],
        "collected": len(tests),
        "coverage": {"a.py": {"statements": list(range(1, 11)), "missing": [9, 10]}},
    }
    mutants = [
        {
            "site": f"a.py:{i}: `x < y` -> `x >= y` (comparison)",
            "timed_out": False,
            "has_result": True,
            "exit_code": 1 if i < 3 else 0,
            "returncode": 0,
            "file": "a.py",
            "line": i,
            "kind": "comparison",
            "failing": [],
            "collect_errors": 0,
            "elapsed_s": 0.1,
        }
        for i in range(1, 6)
    ]
    return {
        "code_files": ["a.py"],
        "test_files": ["test_a.py"],
        "folder_mb": 0.1,
        "sites": 9,
        "mutants": mutants,
        "baseline": {"result": result, "returncode": 0, "timed_out": False, "elapsed_s": 1.0, "output": ""},
    }


def test_suite_verdict_names_survivors_and_silent_tests(tmp_path: Path) -> None:
    passing = {"status": "passed", "asserts": 1}
    raw = _fabricated(
        **{f"test_a.py::t{i}": passing for i in range(5)}, **{"test_a.py::quiet[1]": {"status": "passed"}}
    )
    ctx = VerdictContext("M14", tmp_path, tmp_path, SuiteParams(), 0)
    got = verdict_tests(raw, ctx)
    details = "\n".join(got.details)
    assert got.status == "failed" and "only 2 of 5 mutants" in got.summary
    assert "survived: a.py:3: `x < y` -> `x >= y`" in details and "test_a.py::quiet[1]" in details
    assert "line coverage 80% of 10 statements" in details and "not run: lines 9-10" in details
    assert got.metrics["mutation_score"] == pytest.approx(0.4)


def test_design_needs_words_of_its_own_under_each_heading(tmp_path: Path) -> None:
    mdir = tmp_path / "milestones" / "M14"
    mdir.mkdir(parents=True)
    starter = (TEMPLATE / "DESIGN.md").read_text()
    own = " ".join(f"idea{i}" for i in range(320))
    (mdir / "DESIGN.md").write_text(starter.replace("## Implementation", f"{own}\n\n## Implementation"))
    got = verdict("docs.file", {}, mdir, DESIGN)
    assert got.status == "failed" and got.metrics["words"] == 320
    assert "the “Implementation” section has 0 words of your own; at least 50 needed" in got.details
    (mdir / "DESIGN.md").write_text(starter + "\n" + own)  # everything under the last heading
    assert "the “Design” section has 0 words of your own" in "\n".join(verdict("docs.file", {}, mdir, DESIGN).details)


def test_a_mutant_run_that_hangs_is_stopped_and_counts_as_caught(tmp_path: Path) -> None:
    mdir = tmp_path / "ws" / "milestones" / "M14"
    mdir.mkdir(parents=True)
    (mdir / "mod.py").write_text("def f():\n    return 1\n")
    (mdir / "test_mod.py").write_text("from mod import f\n\n\ndef test_f():\n    assert f() == 1\n")

    def hang(staged: Path) -> None:
        (staged / "mod.py").write_text("import time\n\n\ndef f():\n    time.sleep(60)\n")

    runs = spawn.run_many([{"mode": "pytest", "exitfirst": True}] * 2, mdir.parent.parent, mdir, 6.0, [hang, None], 2)
    assert runs[0].timed_out and runs[0].result is None
    assert not runs[1].timed_out and runs[1].result["exit_code"] == 0
    assert runs[1].result["tests"]["test_mod.py::test_f"] == {
        "status": "passed",
        "asserts": 1,
        "duration": pytest.approx(0, abs=1),
    }


@pytest.mark.parametrize(
    ("change", "expect"),
    [
        (lambda raw: raw.pop("mutants"), "no mutant was run"),
        (lambda raw: raw["baseline"]["result"].update(tests={}, exit_code=5), "pytest collected no tests"),
        (lambda raw: raw.update(mutants=[]), "no code to mutate"),
        (
            lambda raw: raw["baseline"]["result"]["coverage"].update({"b.py": {"error": "bad syntax"}}),
            "cannot measure b.py",
        ),
        (lambda raw: raw["baseline"]["result"].update(tampering=["conftest.py defines pytest_pyfunc_call"]), "rewrite"),
        (lambda raw: raw["baseline"].update(result=None, returncode=0), "ended without a result"),
    ],
)
def test_suite_verdict_on_odd_runs(tmp_path: Path, change, expect: str) -> None:
    raw = _fabricated(**{f"test_a.py::t{i}": {"status": "passed", "asserts": 1} for i in range(6)})
    for m in raw["mutants"]:
        m["exit_code"] = 1
    change(raw)
    got = verdict_tests(raw, VerdictContext("M14", tmp_path, tmp_path, SuiteParams(), 0))
    assert got.status in ("failed", "error") and expect in "\n".join([got.summary, *got.details]), got
