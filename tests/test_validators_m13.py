"""M13 validators proven on the reference system, two differently written variants, a bug bank and the stub.

The reference and the starter stub go through the real sandbox; variants and bugs run probe and
verdict in this process (codec round trip included), which is safe: systems are pure Python.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from llmpath.agents import cooperative_suite, evaluate_team
from llmpath.templates import template_root
from llmpath.validators.api import VerdictContext
from llmpath.validators.m13_multi import report_check, success_check
from llmpath.validators.m13_multi.params import ReportParams, SuccessParams
from tests.judgeutil import (
    SOLUTIONS,
    heavy_imports_of_probes,
    judge,
    judge_in_process,
    lay_out,
    load_file,
    statuses,
    text,
)
from tests.solutions.M13.bugs import BUGS, CHECKS, LOUD, SILENT, SOURCE

M13 = SOLUTIONS / "M13"
REFERENCE = M13 / "reference"
VARIANTS = sorted(p for p in (M13 / "variants").iterdir() if p.is_dir())
STUB = template_root() / "milestones" / "M13"
CORE = ["m13.protocol", "m13.replies", "m13.determinism", "m13.roles", "m13.faults", "m13.success"]
NAMES = [*CORE, "m13.report"]
# small enough for seconds, large enough for the rule checks; the faults' hang costs timeout_s, a hung run deadline_s
SMALL = {"m13.success": {"n_tasks": 60, "k": 2}, "m13.faults": {"timeout_s": 0.3, "deadline_s": 1.5},
         "m13.replies": {"timeout_s": 0.5}}


def _log_figures(folder: Path, system_dir: Path, seed: int = 3, n: int = 30, k: int = 2, shift: float = 0.0) -> None:
    """Log an M13 experiment with the figures evaluate_team() gives for the system in ``system_dir`` (+ ``shift``)."""
    from llmpath.notebook.logs import append_experiment

    module = load_file(system_dir / "multi_agent.py", "multi_agent", search=system_dir)
    report = evaluate_team(lambda models, tools: module.System(module.build_roles(models, tools), module.PROTOCOL),
                           cooperative_suite(seed, n), k=k)
    metrics = {"success_rate": round(report.success + shift, 4), "pass_k": round(report.pass_k, 4), "seed": seed,
               "n_tasks": n, "k": k, "role_steps": 8}
    append_experiment(folder.parent.parent, milestone="M13", objective="success rate", setup="evaluate_team()",
                      metrics=metrics, visualization=None, notes="", commit=None, dirty=False)


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple[Path, list]:
    folder = lay_out(tmp_path_factory.mktemp("m13ref"), "M13", REFERENCE)
    _log_figures(folder, REFERENCE)
    return folder, judge(folder, NAMES, params=SMALL)


def test_reference_passes_every_check(reference) -> None:
    _, results = reference
    assert statuses(results) == dict.fromkeys(NAMES, "passed"), text(results)
    for r in results:  # pure Python: seconds, not minutes, even on a loaded 2-core machine
        assert r.elapsed_s < 30, (r.validator, r.elapsed_s)


def test_reference_reaches_the_optimum_at_the_judged_size(reference) -> None:
    results = judge_in_process(reference[0], ["m13.success"])
    assert statuses(results) == {"m13.success": "passed"}, text(results)
    m = results[0].metrics
    assert abs(m["success_rate"] - m["optimum"]) <= m["margin"] and m["rule_breaks"] == 0
    assert 0.70 < m["pass_k_optimum"] < m["optimum"] < 0.93 and m["n_tasks"] == 400 and m["k"] == 4


def test_starter_stub_is_not_implemented(tmp_path: Path) -> None:
    results = judge(lay_out(tmp_path, "M13", STUB), CORE)
    for r in results:
        assert r.status == "error" and "not implemented" in r.summary, text([r])


@pytest.mark.parametrize("variant", VARIANTS, ids=[v.name for v in VARIANTS])
def test_variant_passes_with_the_reference_figures(tmp_path: Path, variant: Path, reference) -> None:
    results = judge_in_process(lay_out(tmp_path, "M13", variant), CORE, params=SMALL)
    assert statuses(results) == dict.fromkeys(CORE, "passed"), text(results)
    # roles that feed back observations of the same classes draw the same: the same figures exactly
    mine = next(r.metrics for r in results if r.validator == "m13.success")
    ref = next(r.metrics for r in reference[1] if r.validator == "m13.success")
    assert (mine["success_rate"], mine["pass_k"]) == (ref["success_rate"], ref["pass_k"])


def test_bug_bank_is_big_and_every_bug_names_its_checks() -> None:
    assert len(BUGS) >= 15
    assert {b.name for b in BUGS} == set(CHECKS)
    assert set(SILENT) | set(LOUD) | set(SOURCE) <= set(CHECKS)


# a runaway system is stopped by a spy raising inside the system's own delivery thread: expected, not news
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
@pytest.mark.parametrize("bug", [b for b in BUGS if b.name not in LOUD], ids=lambda b: b.name)
def test_bug_is_caught_with_its_diagnosis(tmp_path: Path, bug) -> None:
    source = M13 / SOURCE.get(bug.name, "reference")
    folder = lay_out(tmp_path, "M13", source, bug, main_file="multi_agent.py")
    results = judge_in_process(folder, CHECKS[bug.name], params=SMALL)
    assert bug.status in statuses(results).values(), text(results)
    assert bug.expect.lower() in text(results).lower(), text(results)


@pytest.mark.parametrize("name", sorted(LOUD))
def test_loud_bugs_fail_the_success_gate(tmp_path: Path, name: str) -> None:
    """These move the rate by more than the margin at the default size (400 tasks x 4 runs), and break a rule."""
    bug = next(b for b in BUGS if b.name == name)
    results = judge_in_process(lay_out(tmp_path, "M13", REFERENCE, bug, main_file="multi_agent.py"), ["m13.success"])
    assert statuses(results) == {"m13.success": "failed"}, text(results)
    m = results[0].metrics
    assert m["optimum"] - m["success_rate"] > m["margin"], text(results)
    assert LOUD[name] in (results[0].diagnosis or ""), text(results)


# ---------------------------------------------------------------------------------------------
# verdicts on fabricated probe output


def _ctx(tmp_path: Path, params) -> VerdictContext:
    (tmp_path / "roadmap.yaml").touch()
    return VerdictContext("M13", tmp_path / "milestones" / "M13", tmp_path, params, 0)


def _oracle_runs(n: int, k: int, with_replies: bool) -> list[dict]:
    """Every run answered right: by an oracle that skips the models, or (with_replies) as if a role's model did."""
    from llmpath.agents import messages
    from llmpath.validators.m13_multi.suites import success_suite

    suite = success_suite(0, n)
    runs = []
    for r in range(k):
        for task in suite.tasks:
            answer = suite.outcome(task, r).answer
            rows = [["m1", "user", "coordinator", "task", None, "x"],
                    ["m2", "coordinator", "catalog", "request", None, "y"]]
            models = {"catalog": [{"replies": [messages.answer(answer)], "n_calls": 1, "continued": False,
                                   "system": 0}]} if with_replies else {}
            runs.append({"run": {"answer": answer, "error": None, "role": None, "rows": rows}, "models": models,
                         "tools": []})
    return runs


def test_an_answer_no_model_gave_breaks_a_rule(tmp_path: Path) -> None:
    runs = _oracle_runs(40, 2, with_replies=False)
    verdict = success_check.verdict({"runs": runs, "roles": [], "systems": []},
                                    _ctx(tmp_path, SuccessParams(n_tasks=40, k=2)))
    assert verdict.status == "failed" and "broke an allowed action" in verdict.summary
    assert "no role's model answered" in " ".join(verdict.details)


def test_success_above_the_optimum_fails_on_the_upper_side(tmp_path: Path) -> None:
    runs = _oracle_runs(200, 2, with_replies=True)
    verdict = success_check.verdict({"runs": runs, "roles": [], "systems": [""]},
                                    _ctx(tmp_path, SuccessParams(n_tasks=200, k=2)))
    assert verdict.status == "failed" and "above what any system" in verdict.summary, verdict
    assert verdict.metrics["success_rate"] == 1.0 > verdict.metrics["optimum"] + verdict.metrics["margin"]


def test_report_refuses_figures_it_cannot_reproduce(tmp_path: Path) -> None:
    folder = lay_out(tmp_path, "M13", REFERENCE)
    _log_figures(folder, REFERENCE, n=20, shift=0.05)
    results = judge_in_process(folder, ["m13.report"])
    assert statuses(results) == {"m13.report": "failed"}, text(results)
    assert "logged" in text(results) and "recomputed" in text(results)


def test_report_without_an_entry_says_what_to_log(tmp_path: Path) -> None:
    (tmp_path / "experiments_log.md").write_text("")
    verdict = report_check.verdict({"entry": None}, _ctx(tmp_path, ReportParams()))
    assert verdict.status == "failed" and "--metric success_rate=" in " ".join(verdict.details)


def test_the_checks_import_neither_torch_nor_numpy(tmp_path: Path) -> None:
    folder = lay_out(tmp_path, "M13", REFERENCE)
    probes = {"m13.protocol": {}, "m13.replies": {}, "m13.roles": {},
              "m13.success": {"n_tasks": 20, "k": 1}}
    assert heavy_imports_of_probes(folder, probes) == []
