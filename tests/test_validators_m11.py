"""M11 validators proven on the reference, two correct variants, a bug bank, the stub and fabricated outputs.

The reference and the starter stub go through the real sandbox; the variants and the bug bank run
probe and verdict in this process (``judge_in_process``), each bug only against the checks that
must catch it.
"""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import pytest

from llmpath.notebook.logs import append_experiment
from llmpath.templates import template_root
from llmpath.validators.api import VerdictContext
from llmpath.validators.m11_rag import answers, common, evaluation, grounding, retrieval, squad
from llmpath.validators.m11_rag.params import AnswersParams, EvalParams, RetrievalParams
from tests.judgeutil import SOLUTIONS, judge, judge_in_process, lay_out, load_file, statuses, text
from tests.solutions.M11.bugs import BUGS, CHECKS

M11 = SOLUTIONS / "M11"
PROBED = ["m11.metrics", "m11.retrieval", "m11.answers", "m11.grounding"]
ALL = [*PROBED, "m11.eval"]
TEMPLATE = template_root() / "milestones" / "M11"


def _log(workspace: Path, setup: str, **metrics: float) -> None:
    append_experiment(
        workspace,
        milestone="M11",
        objective="evaluate the RAG system",
        setup=setup,
        metrics=metrics,
        visualization=None,
        notes="",
        commit=None,
        dirty=False,
    )


def _reference_numbers(seed: int, split: str) -> dict[str, float]:
    reference = M11 / "reference"
    return load_file(reference / "evaluate.py", "m11_reference_evaluate", search=reference).evaluate(seed, split)


def test_reference_passes_in_the_sandbox(tmp_path: Path) -> None:
    folder = lay_out(tmp_path, "M11", M11 / "reference")
    numbers = _reference_numbers(3, "val")
    _log(folder.parent.parent, "knowledge_base seed=3 split=val, k=5", **{k: round(v, 2) for k, v in numbers.items()})
    results = judge(folder)
    assert statuses(results) == dict.fromkeys(ALL, "passed"), text(results)
    got = {r.validator: r.metrics for r in results}
    assert got["m11.retrieval"]["recall_at_1"] > got["m11.retrieval"]["bm25_recall_at_1"] + 0.03  # it beats BM25
    assert got["m11.answers"]["exact_match"] >= 0.6


@pytest.mark.parametrize("variant", ["bm25_rules", "tfidf_facts"])
def test_correct_variants_pass(tmp_path: Path, variant: str) -> None:
    results = judge_in_process(lay_out(tmp_path, "M11", M11 / "variants" / variant), PROBED, seed=1)
    assert statuses(results) == dict.fromkeys(PROBED, "passed"), text(results)


def test_bug_bank_is_big_and_every_bug_names_its_checks() -> None:
    assert len(BUGS) >= 15
    assert {b.name for b in BUGS} == set(CHECKS)
    assert all(b.expect for b in BUGS)


@pytest.mark.parametrize("bug", BUGS, ids=[b.name for b in BUGS])
def test_bug_fails_with_diagnosis(tmp_path: Path, bug) -> None:
    params = {"m11.grounding": {"n_questions": 8}}
    results = judge_in_process(
        lay_out(tmp_path, "M11", M11 / "reference", bug, "rag.py"), CHECKS[bug.name], params=params
    )
    assert bug.status in statuses(results).values(), text(results)
    assert bug.expect.lower() in text(results).lower(), text(results)


def test_starter_stub_is_not_implemented(tmp_path: Path) -> None:
    results = judge(lay_out(tmp_path, "M11", TEMPLATE))
    assert statuses(results) == dict.fromkeys(PROBED, "error") | {"m11.eval": "failed"}, text(results)
    assert text(results).count("not implemented") >= len(PROBED)


# ---------------------------------------------------------------------------------------------
# verdicts on fabricated probe output


def _ctx(tmp_path: Path, params, seed: int = 0) -> VerdictContext:
    return VerdictContext("M11", tmp_path / "milestones" / "M11", tmp_path, params, seed)


def _gold_rankings(seed: int, split: str = "test") -> list[list[int]]:
    kb = common.judge_kb(seed)
    out = []
    for q in kb.questions(split):
        rest = [i for i in range(len(kb.documents)) if i not in q.doc_ids]
        out.append(list(q.doc_ids) + rest[: 10 - len(q.doc_ids)])
    return out


def test_retrieval_verdict_rejects_strings_and_pairs(tmp_path: Path) -> None:
    n = len(common.judge_kb(0).questions("test"))
    by_k = {str(k): [{"value": list(range(k))}] * 6 for k in (1, 3, 5)}
    pairs = [{"value": {"not_ids": "tuple", "repr": "(3, 0.9)"}}] * n
    with pytest.raises(retrieval.BadOutput, match="not an int document id"):
        retrieval.verdict_retrieval({"rankings": pairs, "by_k": by_k}, _ctx(tmp_path, RetrievalParams()))
    gold = [{"value": r} for r in _gold_rankings(0)]
    verdict = retrieval.verdict_retrieval({"rankings": gold, "by_k": by_k}, _ctx(tmp_path, RetrievalParams()))
    assert verdict.status == "passed" and verdict.metrics["recall_at_5"] == 1.0


def test_answers_verdict_always_unknown_and_never_abstaining(tmp_path: Path) -> None:
    questions = common.judge_kb(0).questions("test")
    unknown = answers.verdict_answers(
        {"answers": [{"value": "unknown"}] * len(questions)}, _ctx(tmp_path, AnswersParams())
    )
    assert unknown.status == "failed" and "every answer is an abstention" in unknown.diagnosis
    assert unknown.metrics["abstain_precision"] < AnswersParams().min_abstain_precision
    gold = [{"value": q.answer or "Nobody"} for q in questions]
    never = answers.verdict_answers({"answers": gold}, _ctx(tmp_path, AnswersParams()))
    assert never.status == "failed" and "never abstains" in never.diagnosis and never.metrics["exact_match"] == 1.0
    perfect = [{"value": q.answer or "unknown"} for q in questions]
    assert answers.verdict_answers({"answers": perfect}, _ctx(tmp_path, AnswersParams())).status == "passed"
    with pytest.raises(answers.BadOutput, match="return 'unknown'"):
        answers.verdict_answers(
            {"answers": [{"value": {"not_a_str": "NoneType"}}] * len(questions)}, _ctx(tmp_path, AnswersParams())
        )


def test_squad_reference_on_the_classic_cases() -> None:
    assert squad.normalize("The  Amber-Marshes!") == "ambermarshes"
    assert squad.normalize("the-end") == "theend" and squad.normalize("naïve — x") == "naïve — x"
    assert squad.exact_match("the", "a") == 1.0 and squad.f1("the", "a") == 0.0 and squad.f1("", "") == 0.0
    assert squad.f1("red red blue", "red red") == pytest.approx(0.8)
    assert squad._f1_sets("red red blue", "red red") == pytest.approx(0.4)


def test_grounding_plan_is_seeded_and_disjoint() -> None:
    kb = common.judge_kb(2)
    a, b = grounding.plan(kb, 2, 12), grounding.plan(kb, 2, 12)
    assert a == b and len(a.edit) == len(a.remove) == 12
    docs = [q.doc_ids[0] for q in a.edit + a.remove]
    assert len(set(docs)) == len(docs)
    edit = kb.edit([q.facts[0] for q in a.edit], random.Random(a.edit_seed))
    changed = [i for i, (x, y) in enumerate(zip(kb.documents, edit.documents, strict=False)) if x != y]
    assert sorted(changed) == sorted(edit.doc_ids) and all(
        new in edit.documents[d] for new, d in zip(edit.new, edit.doc_ids, strict=False)
    )
    for q in a.ablate:
        assert not set(grounding.unrelated(kb.documents, q.text, 5)) & set(q.doc_ids)


def _eval_raw(seed: int, split: str, entry: str) -> dict:
    from llmpath.datasets import knowledge_base

    questions = knowledge_base(seed).questions(split)
    return {
        "entry": entry,
        "seed": seed,
        "split": split,
        "answers": [{"value": q.answer or "unknown"} for q in questions],
        "rankings": [
            {"value": list(q.doc_ids) + [d for d in range(10) if d not in q.doc_ids][: 10 - len(q.doc_ids)]}
            for q in questions
        ],
    }


def test_eval_verdict_recomputes_and_names_the_classic_mistakes(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, EvalParams())
    (tmp_path / "milestones" / "M11").mkdir(parents=True)
    verdict = evaluation.verdict_eval({}, ctx)
    assert verdict.status == "failed" and "reports exact_match" in verdict.summary
    _log(tmp_path, "BM25, no split named", exact_match=1.0, f1=1.0, recall_at_5=1.0)
    assert "does not name" in evaluation.verdict_eval({}, ctx).summary
    _log(tmp_path, "seed=4 split=val", exact_match=1.0, f1=1.0, recall_at_5=1.0, mrr=1.0)
    assert evaluation.verdict_eval(_eval_raw(4, "val", "E0002"), ctx).status == "passed"
    _log(tmp_path, "seed=4 split=val", exact_match=100.0, f1=100.0, recall_at_5=100.0)
    verdict = evaluation.verdict_eval(_eval_raw(4, "val", "E0003"), ctx)
    assert verdict.status == "failed" and "percent" in verdict.diagnosis
    raw = _eval_raw(4, "val", "E0004")
    questions = [
        dataclasses.replace(q)
        for q in __import__("llmpath.datasets", fromlist=["x"]).knowledge_base(4).questions("val")
    ]
    n_ans = sum(q.answerable for q in questions)
    _log(tmp_path, "seed=4 split=val", exact_match=round(n_ans / len(questions), 3), f1=1.0, recall_at_5=1.0)
    raw["answers"] = [{"value": q.answer or "Nobody"} for q in questions]  # never abstains: EM over all = n_ans / n
    verdict = evaluation.verdict_eval(raw, ctx)
    assert verdict.status == "failed" and "averaged over all questions" in verdict.diagnosis
    assert evaluation.verdict_eval(_eval_raw(4, "test", "E0004"), ctx).status == "error"  # the log changed
