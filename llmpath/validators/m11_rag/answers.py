"""m11.answers: exact match and F1 on held-out questions, and abstention judged on its own.

Exact match and F1 (SQuAD v1.1) are averaged over the *answerable* questions. Unanswerable ones
are scored by abstention: precision (of the questions the system abstained on, the share that were
unanswerable) and recall (of the unanswerable ones, the share it abstained on). A system that always
says "unknown" has recall 1 but precision ~0.14 and exact match 0; one that never abstains has recall 0.
"""

from __future__ import annotations

from collections.abc import Sequence

from llmpath.validators.api import BadOutput, ProbeContext, Verdict, VerdictContext, attempt
from llmpath.validators.m11_rag import squad
from llmpath.validators.m11_rag.common import as_answer, judge_kb, rag_class
from llmpath.validators.m11_rag.params import AnswersParams


def probe_answers(ctx: ProbeContext) -> dict:
    kb = judge_kb(ctx.seed)
    rag = rag_class(ctx)(list(kb.documents))
    return {
        "answers": [
            attempt(lambda q=q: as_answer(rag.answer(q.text)))
            for q in kb.questions(AnswersParams.model_validate(ctx.params).split)
        ]
    }


def answer_list(records, n: int) -> list[str]:
    """The answers as strings; an exception or a non-string is reported as BadOutput."""
    if not isinstance(records, list) or len(records) != n or not all(isinstance(r, dict) for r in records):
        raise BadOutput("the probe returned a malformed list of answers")
    out = []
    for rec in records:
        if "error" in rec:
            raise BadOutput(f"answer raised {rec['error']}")
        value = rec.get("value")
        if not isinstance(value, str):
            kind = value.get("not_a_str", "?") if isinstance(value, dict) else type(value).__name__
            hint = ": to abstain, return 'unknown'" if kind == "NoneType" else ""
            raise BadOutput(f"answer returned {kind}, expected str{hint}")
        out.append(value)
    return out


def score(questions: Sequence, answers: Sequence[str]) -> dict[str, float]:
    """exact_match and f1 over answerable questions; abstain_precision and abstain_recall; counts."""
    from llmpath.datasets import is_abstention

    answerable = [(q, a) for q, a in zip(questions, answers, strict=False) if q.answerable]
    abstained = [q for q, a in zip(questions, answers, strict=False) if is_abstention(a)]
    unanswerable = [q for q in questions if not q.answerable]
    n = max(len(answerable), 1)
    return {
        "exact_match": sum(squad.exact_match(a, q.answer) for q, a in answerable) / n,
        "f1": sum(squad.f1(a, q.answer) for q, a in answerable) / n,
        "abstain_precision": sum(not q.answerable for q in abstained) / len(abstained) if abstained else 0.0,
        "abstain_recall": sum(1 for q in abstained if not q.answerable) / max(len(unanswerable), 1),
        "answerable": float(len(answerable)),
        "unanswerable": float(len(unanswerable)),
    }


def _diagnosis(questions, answers: list[str], s: dict[str, float]) -> str | None:
    from llmpath.datasets import is_abstention

    if all(is_abstention(a) for a in answers):
        return "every answer is an abstention: answer the questions the documents answer"
    if not any(is_abstention(a) for a in answers):
        return "the system never abstains: when the documents do not state the fact, answer 'unknown'"
    answered = [(q, a) for q, a in zip(questions, answers, strict=False) if q.answerable and not is_abstention(a)]
    if answered:
        long = sum(1 for q, a in answered if len(a.split()) > len(q.answer.split()) + 4)
        if long > len(answered) / 2 and s["f1"] > s["exact_match"] + 0.05:
            return "answers are long spans or whole sentences: return only the short answer (a name, a word, a number)"
        echoes = sum(1 for q, a in answered if squad.normalize(a) == squad.normalize(q.entity))
        if echoes > len(answered) / 3:
            return "answers repeat the entity the question asks about, not the fact asked for"
    if s["abstain_recall"] >= 0.9 and s["abstain_precision"] < 0.3:
        return "the system abstains far too often: most of its abstentions are on answerable questions"
    return None


def verdict_answers(raw: dict, ctx: VerdictContext) -> Verdict:
    p = ctx.params
    kb = judge_kb(ctx.seed)
    questions = kb.questions(p.split)
    answers = answer_list(raw.get("answers"), len(questions))
    s = score(questions, answers)
    where = (
        f"{len(questions)} held-out questions ({p.split} split, seed {ctx.seed}): {int(s['answerable'])} answerable, "
        f"{int(s['unanswerable'])} unanswerable"
    )
    table = (
        f"exact match {s['exact_match']:.3f} (gate {p.min_exact_match}, best 1.0), F1 {s['f1']:.3f} (gate {p.min_f1}, "
        f"best 1.0); abstention precision {s['abstain_precision']:.3f} (gate {p.min_abstain_precision}), "
        f"recall {s['abstain_recall']:.3f} (gate {p.min_abstain_recall})"
    )
    metrics = {k: v for k, v in s.items() if k not in ("answerable", "unanswerable")}
    short = [
        name
        for name, value, gate in (
            ("exact match", s["exact_match"], p.min_exact_match),
            ("F1", s["f1"], p.min_f1),
            ("abstention precision", s["abstain_precision"], p.min_abstain_precision),
            ("abstention recall", s["abstain_recall"], p.min_abstain_recall),
        )
        if value < gate
    ]
    if not short:
        return Verdict.passed(
            f"exact match {s['exact_match']:.3f}, F1 {s['f1']:.3f} on held-out questions; abstains well",
            where,
            table,
            metrics=metrics,
        )
    from llmpath.datasets import is_abstention

    wrong = [
        (q, a)
        for q, a in zip(questions, answers, strict=False)
        if (squad.exact_match(a, q.answer) == 0 if q.answerable else not is_abstention(a))
    ][:4]
    examples = [f"{q.text!r}: answered {a!r}, expected {q.answer or 'an abstention'!r}" for q, a in wrong]
    return Verdict.failed(
        f"{', '.join(short)} below the gate",
        where,
        table,
        *examples,
        diagnosis=_diagnosis(questions, answers, s),
        metrics=metrics,
    )
