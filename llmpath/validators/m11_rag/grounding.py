"""m11.grounding: the answers come from the retrieved text, nothing else.

Four perturbations of the judge's world, each on its own seeded questions, every system built in
the same child process (so a module-level cache or a table keyed by the question is still there):

* fact edit: several facts are changed in their documents (``KnowledgeBase.edit``); a new
  ``RAG(edited documents)`` must answer the new values;
* gold removal: the documents that state some facts are removed; a new system must abstain or
  answer something else;
* order shuffle: the documents are permuted; the ids a new system retrieves must be the old ids
  mapped through the permutation, and the answers must not change;
* retrieval ablation: ``retrieve`` is replaced *on the instance* by a function returning documents
  that do not mention the question's entity; the answers must turn into abstentions or change, and
  ``answer`` must have called ``self.retrieve`` at all.

Only questions the original system answered correctly count for edits, removal and ablation.
"""

from __future__ import annotations

import dataclasses
import random
import re

from llmpath.validators.api import BadOutput, ProbeContext, Verdict, VerdictContext, attempt
from llmpath.validators.m11_rag import squad
from llmpath.validators.m11_rag.common import (
    as_answer,
    as_ids,
    judge_kb,
    rag_class,
)
from llmpath.validators.m11_rag.params import GroundingParams

MIN_JUDGED = 3  # fewer originally-correct answers than this cannot show grounding either way


@dataclasses.dataclass(frozen=True)
class Plan:
    edit: tuple
    remove: tuple
    shuffle: tuple
    ablate: tuple
    permutation: tuple[int, ...]  # shuffled[j] = documents[permutation[j]]
    edit_seed: str


def plan(kb, seed: int, n: int) -> Plan:
    rng = random.Random(f"llmpath-m11-grounding-{seed}")
    singles = [q for q in kb.questions("test") if q.kind == "single"]
    rng.shuffle(singles)
    edit, remove, used_docs, used_entities = [], [], set(), set()
    for q in singles:  # distinct documents and entities: one edit or removal never touches another's answer
        if q.doc_ids[0] in used_docs or q.entity in used_entities:
            continue
        (edit if len(edit) < n else remove).append(q)
        used_docs.add(q.doc_ids[0])
        used_entities.add(q.entity)
        if len(remove) == n:
            break
    answerable = [q for q in kb.questions("test") if q.answerable]
    rng.shuffle(answerable)
    permutation = list(range(len(kb.documents)))
    rng.shuffle(permutation)
    return Plan(
        tuple(edit),
        tuple(remove),
        tuple(answerable[:n]),
        tuple(answerable[n : 2 * n]),
        tuple(permutation),
        f"llmpath-m11-edit-{seed}",
    )


def unrelated(documents, query: str, k: int) -> list[int]:
    """k ids of documents that share no capitalized word with the query (none names its entity)."""
    names = {w.lower() for w in re.findall(r"\b[A-Z][a-z]+", query)}
    ids = [i for i, d in enumerate(documents) if not names & {w.lower() for w in re.findall(r"\b[A-Z][a-z]+", d)}]
    random.Random(query).shuffle(ids)
    return ids[:k]


def probe_grounding(ctx: ProbeContext) -> dict:
    kb = judge_kb(ctx.seed)
    p = plan(kb, ctx.seed, GroundingParams.model_validate(ctx.params).n_questions)
    cls = rag_class(ctx)
    docs = list(kb.documents)

    def ask(rag, questions) -> list:
        return [attempt(lambda q=q: as_answer(rag.answer(q.text))) for q in questions]

    rag = cls(docs)
    out: dict = {"original": ask(rag, p.edit + p.remove + p.shuffle + p.ablate)}
    edit = kb.edit([q.facts[0] for q in p.edit], random.Random(p.edit_seed))
    out["edited"] = ask(cls(list(edit.documents)), p.edit)
    gone = {q.doc_ids[0] for q in p.remove}
    out["removed"] = ask(cls([d for i, d in enumerate(docs) if i not in gone]), p.remove)
    shuffled = cls([docs[i] for i in p.permutation])
    out["before"] = [attempt(lambda q=q: as_ids(rag.retrieve(q.text, 5))) for q in p.shuffle]
    out["after"] = [attempt(lambda q=q: as_ids(shuffled.retrieve(q.text, 5))) for q in p.shuffle]
    out["shuffled_answers"] = ask(shuffled, p.shuffle)
    calls = [0]

    def fake_retrieve(*args, **kwargs):
        calls[0] += 1
        query = str(args[0] if args else kwargs.get("query", next(iter(kwargs.values()), "")))
        k = args[1] if len(args) > 1 else kwargs.get("k", 3)
        return unrelated(docs, query, int(k))

    rag.retrieve = fake_retrieve
    out["ablated"] = ask(rag, p.ablate)
    out["calls"] = calls[0]
    return out


def _answers(raw: dict, key: str, n: int) -> list[str | None]:
    records = raw.get(key)
    if not isinstance(records, list) or len(records) != n:
        raise BadOutput(f"the probe returned a malformed list ({key})")
    out: list[str | None] = []
    for rec in records:
        value = rec.get("value") if isinstance(rec, dict) else None
        out.append(value if isinstance(value, str) else None)  # an exception or a non-string counts as changed
    return out


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and squad.normalize(a) == squad.normalize(b)


@dataclasses.dataclass
class Measured:
    """What the perturbations did, counted over the questions the original system answered right."""

    correct: dict[str, int]  # perturbation -> originally-correct questions
    follow: int  # edits answered with their new value
    stale: int  # edits answered with the old value
    survived: int  # answers unchanged after their document was removed
    kept: int  # answers unchanged (and not abstentions) under the retrieval ablation
    calls: int  # calls answer made to the replaced retrieve
    agree: float  # share of top-1 ids that followed the shuffle
    same_answers: float  # share of answers unchanged by the shuffle


def measure(raw: dict, kb, p: Plan) -> Measured:
    from llmpath.datasets import is_abstention

    n_e, n_r, n_a = len(p.edit), len(p.remove), len(p.ablate)
    orig = _answers(raw, "original", n_e + n_r + len(p.shuffle) + n_a)
    o_edit, o_remove, o_shuffle, o_ablate = orig[:n_e], orig[n_e : n_e + n_r], orig[n_e + n_r : -n_a], orig[-n_a:]
    new_values = kb.edit([q.facts[0] for q in p.edit], random.Random(p.edit_seed)).new

    def correct(questions, answers) -> list[int]:
        pairs = enumerate(zip(questions, answers, strict=True))
        return [i for i, (q, a) in pairs if a is not None and squad.exact_match(a, q.answer)]

    edited, removed, ablated = (
        _answers(raw, key, n) for key, n in (("edited", n_e), ("removed", n_r), ("ablated", n_a))
    )
    ok_e, ok_r, ok_a = correct(p.edit, o_edit), correct(p.remove, o_remove), correct(p.ablate, o_ablate)
    agree, same_answers = _shuffle(raw, p, o_shuffle)
    return Measured(
        correct={"edit": len(ok_e), "removal": len(ok_r), "ablation": len(ok_a)},
        follow=sum(1 for i in ok_e if edited[i] is not None and squad.exact_match(edited[i], new_values[i])),
        stale=sum(1 for i in ok_e if _same(edited[i], o_edit[i])),
        survived=sum(1 for i in ok_r if _same(removed[i], o_remove[i])),
        kept=sum(1 for i in ok_a if _same(ablated[i], o_ablate[i]) and not is_abstention(ablated[i] or "")),
        calls=raw.get("calls") if isinstance(raw.get("calls"), int) else 0,
        agree=agree,
        same_answers=same_answers,
    )


_CACHE = "answers outlive the documents: a cache keyed by the question (or a module-level table) answers, not the text"
_NO_CALL = (
    "answer never consults retrieval (a fact table built at construction?): get the documents with "
    "self.retrieve(query, k) and read only those"
)
_NOT_READ = (
    "answers do not come from the retrieved text: a fact table built at construction, or the whole collection "
    "read, instead of the documents self.retrieve returned"
)
_IDS = "ids must be indices into the documents given to RAG(...): no cached order, no set() of ids"


def findings(m: Measured, params) -> list[tuple[str, str | None]]:
    """(problem, likely bug) for every perturbation whose gate is missed."""
    out: list[tuple[str, str | None]] = []
    if m.follow < params.min_follow * m.correct["edit"]:
        stale = m.stale * 2 > m.correct["edit"]
        out.append(("edited facts are not answered with their new value", _CACHE if stale else None))
    if m.survived > params.max_unchanged * m.correct["removal"]:
        out.append(("answers survive removing the only document that states them", _CACHE))
    if m.calls == 0:
        out.append(("answer never calls self.retrieve", _NO_CALL))
    elif m.kept > params.max_unchanged * m.correct["ablation"]:
        out.append(("answers do not change when retrieve returns unrelated documents", _NOT_READ))
    if m.agree < params.min_shuffle_agreement or m.same_answers < params.min_shuffle_agreement:
        out.append(("retrieved ids do not follow a shuffle of the documents", _IDS))
    return out


def verdict_grounding(raw: dict, ctx: VerdictContext) -> Verdict:
    params = ctx.params
    kb = judge_kb(ctx.seed)
    m = measure(raw, kb, plan(kb, ctx.seed, params.n_questions))
    c = m.correct
    lines = [
        f"fact edit: {m.follow} of {c['edit']} edited facts answered with their new value "
        f"(gate {params.min_follow:.0%}); {m.stale} kept the old value",
        f"gold removal: {m.survived} of {c['removal']} answers survived removing their document "
        f"(gate {params.max_unchanged:.0%})",
        f"retrieval ablation: answer called retrieve {m.calls} times; {m.kept} of {c['ablation']} answers "
        f"unchanged with unrelated documents (gate {params.max_unchanged:.0%})",
        f"order shuffle: {m.agree:.0%} of top-1 ids follow the permutation, {m.same_answers:.0%} of answers "
        f"unchanged (gate {params.min_shuffle_agreement:.0%})",
    ]
    if min(c.values()) < MIN_JUDGED:
        return Verdict.failed(
            "too few correct answers to judge grounding (fix m11.answers first)",
            *lines,
            f"correct originals: {c['edit']} edit, {c['removal']} removal, {c['ablation']} ablation questions "
            f"of {params.n_questions} each",
        )
    metrics = {
        "edit_follow": m.follow / max(c["edit"], 1),
        "removal_survived": m.survived / max(c["removal"], 1),
        "ablation_unchanged": m.kept / max(c["ablation"], 1),
        "shuffle_agreement": m.agree,
    }
    found = findings(m, params)
    if found:
        return Verdict.failed(
            "answers are not grounded in the retrieved text: " + "; ".join(f for f, _ in found),
            *lines,
            diagnosis=next((d for _, d in found if d), None),
            metrics=metrics,
        )
    return Verdict.passed(
        "answers follow fact edits, vanish with their documents and with retrieval, and ids follow a shuffle",
        *lines,
        metrics=metrics,
    )


def _shuffle(raw: dict, p: Plan, originals: list[str | None]) -> tuple[float, float]:
    before, after = raw.get("before"), raw.get("after")
    if (
        not isinstance(before, list)
        or not isinstance(after, list)
        or len(before) != len(p.shuffle)
        or len(after) != len(before)
    ):
        raise BadOutput("the probe returned a malformed list of rankings")
    agree = 0
    for b, a in zip(before, after, strict=False):
        b_ids, a_ids = (r.get("value") if isinstance(r, dict) else None for r in (b, a))
        if isinstance(b_ids, list) and isinstance(a_ids, list) and b_ids and a_ids:
            mapped = (
                p.permutation[a_ids[0]] if isinstance(a_ids[0], int) and 0 <= a_ids[0] < len(p.permutation) else None
            )
            agree += mapped == b_ids[0]
    answers = _answers(raw, "shuffled_answers", len(p.shuffle))
    same = sum(1 for x, y in zip(originals, answers, strict=False) if _same(x, y))
    return agree / max(len(before), 1), same / max(len(answers), 1)
