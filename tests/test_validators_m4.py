"""M4 validators proven on the reference, correct variants, micrograd's engine, a bug bank and the stub."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from llmpath.templates import template_root
from llmpath.validators import m4_autograd as m4
from llmpath.validators.api import BadOutput, VerdictContext
from llmpath.validators.m4_autograd import trace_doc
from tests.judgeutil import SOLUTIONS, judge, lay_out, statuses, text
from tests.solutions.M4.bugs import BUGS

M4 = SOLUTIONS / "M4"
ALL = ["m4.value", "m4.grad_fn_trace", "m4.trace_doc"]
TEMPLATE = template_root() / "milestones" / "M4"  # the starter files llmpath ships


@pytest.mark.parametrize("folder", ["reference", "variants/iterative_topo", "variants/op_table"])
def test_correct_solutions_pass(tmp_path: Path, folder: str) -> None:
    results = judge(lay_out(tmp_path, "M4", M4 / folder), ALL)
    assert statuses(results) == dict.fromkeys(ALL, "passed"), text(results)


def test_micrograd_engine_unchanged_passes_the_value_checks(tmp_path: Path) -> None:
    engine = pytest.importorskip("micrograd.engine")
    source = tmp_path / "micrograd"
    source.mkdir()
    shutil.copy(engine.__file__, source / "autograd.py")
    results = judge(lay_out(tmp_path, "M4", source), ["m4.value"])
    assert statuses(results) == {"m4.value": "passed"}, text(results)
    assert "tanh, exp, log not defined: not tested" in results[0].summary


@pytest.mark.parametrize("bug", BUGS, ids=[b.name for b in BUGS])
def test_bug_fails_with_diagnosis(tmp_path: Path, bug) -> None:
    check = "m4.grad_fn_trace" if bug.name.startswith("trace_") else "m4.value"
    results = judge(lay_out(tmp_path, "M4", M4 / "reference", bug, "autograd.py"), [check])
    assert statuses(results) == {check: bug.status}, text(results)
    if bug.expect:
        assert bug.expect.lower() in text(results).lower(), text(results)


def test_starter_stub_is_not_implemented(tmp_path: Path) -> None:
    source = TEMPLATE if (TEMPLATE / "autograd.py").is_file() else M4 / "stub"
    results = judge(lay_out(tmp_path, "M4", source), ["m4.value", "m4.grad_fn_trace"])
    assert set(statuses(results).values()) == {"error"}, text(results)
    assert all("not implemented" in r.summary for r in results), text(results)


# ---------------------------------------------------------------------------------------------
# pieces without a child process


def test_programs_are_deterministic_and_use_every_operator() -> None:
    progs = [m4.program(0, d, 40, m4.OPTIONAL) for d in range(6)]
    assert progs == [m4.program(0, d, 40, m4.OPTIONAL) for d in range(6)]
    used = {ins[0] for p in progs for ins in p}
    assert used >= set(m4.BINARY) | set(m4.WITH_CONST) | set(m4.UNARY) | {"leaf"}
    assert not any(ins[0] in m4.OPTIONAL for ins in m4.program(0, 0, 40, ()))
    exponents = {ins[2] for p in progs for ins in p if ins[0] == "pow"}
    assert any(isinstance(e, int) for e in exponents) and any(isinstance(e, float) for e in exponents)
    # nodes are reused: some value feeds several operations
    uses = [sum(k in m4.operands(ins) for ins in progs[0]) for k in range(len(progs[0]))]
    assert max(uses) >= 3


def _graph_of(index: int):
    torch = pytest.importorskip("torch")
    name, loss = m4.models(torch, 0)[index]
    nodes, consumers = m4.graph(loss)
    return name, loss, nodes, consumers


def test_topological_match_handles_repeated_names() -> None:
    _name, loss, nodes, consumers = _graph_of(0)  # the MLP: two AddmmBackward0, four AccumulateGrad
    good = m4.judge_trace("mlp", [type(n).__name__ for n in _reverse_postorder(loss)], loss)
    assert good is None
    names = [type(n).__name__ for n in _reverse_postorder(loss)]
    ok, placed = m4.topological_match(names[:1] + names[2:] + names[1:2], nodes, consumers)
    assert not ok and placed == 1


def _reverse_postorder(loss):
    post, seen = [], set()

    def visit(node):
        if node in seen:
            return
        seen.add(node)
        for child, _ in node.next_functions:
            if child is not None:
                visit(child)
        post.append(node)

    visit(loss.grad_fn)
    return post[::-1]


def test_trace_verdict_rejects_non_lists(tmp_path: Path) -> None:
    ctx = VerdictContext("M4", tmp_path, tmp_path, m4.CHECKS[1].params(), 0)
    verdict = m4.verdict_trace({"traces": ["MeanBackward0", None, 3]}, ctx)
    assert verdict.status == "failed" and "expected a list of str" in verdict.details[0]
    with pytest.raises(BadOutput):
        m4.verdict_trace({"traces": []}, ctx)


def test_value_verdict_rejects_malformed_output(tmp_path: Path) -> None:
    ctx = VerdictContext("M4", tmp_path, tmp_path, m4.ValueParams(), 0)
    with pytest.raises(BadOutput):
        m4.verdict_value({"optional": [], "single": [], "scaled": []}, ctx)


def _doc_ctx(tmp_path: Path, min_words: int = 150) -> VerdictContext:
    folder = tmp_path / "milestones" / "M4"
    folder.mkdir(parents=True, exist_ok=True)
    return VerdictContext("M4", folder, tmp_path, m4.TraceDocParams(min_words=min_words), 0)


def test_trace_doc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = _doc_ctx(tmp_path)
    assert "does not exist" in m4.verdict_trace_doc({}, ctx).summary
    starter = "# Trace\n\n<!-- Describe every node of the graph of a small model. -->\nWrite your trace here.\n"
    monkeypatch.setattr(trace_doc, "starter_text", lambda milestone: starter)
    (ctx.milestone_dir / "trace.md").write_text(starter)
    assert "still the starter" in m4.verdict_trace_doc({}, ctx).summary
    (ctx.milestone_dir / "trace.md").write_text(starter + "MulBackward0 multiplies. " * 10)
    short = m4.verdict_trace_doc({}, ctx)
    assert short.status == "failed" and "20 words of your own" in short.summary
    (ctx.milestone_dir / "trace.md").write_text(starter + (M4 / "reference" / "trace.md").read_text())
    assert m4.verdict_trace_doc({}, ctx).status == "passed"
