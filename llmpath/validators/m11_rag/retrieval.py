"""m11.retrieval: recall@1, recall@5 and MRR on held-out questions, gated by rank_bm25's recall@5.

The judge's world is ``knowledge_base(JUDGE_SEED_OFFSET + seed)``; the questions are its held-out
``test`` split. The learner's ``retrieve(q, 10)`` gives the rankings; ``retrieve(q, k)`` for k = 1, 3, 5
on a few questions checks that k is honoured. BM25 (``rank_bm25``, the dataset's baseline) runs on the
same documents and questions in llmpath's process, and its figures are shown beside the learner's.
"""

from __future__ import annotations

from llmpath.validators.api import BadOutput, ProbeContext, Verdict, VerdictContext, attempt
from llmpath.validators.m11_rag.common import (
    as_ids,
    ids_list,
    judge_kb,
    rag_class,
)
from llmpath.validators.m11_rag.params import RetrievalParams

TOP = 10
K_PROBES = (1, 3, 5)
N_K_QUESTIONS = 6


def probe_retrieval(ctx: ProbeContext) -> dict:
    kb = judge_kb(ctx.seed)
    questions = kb.questions(RetrievalParams.model_validate(ctx.params).split)
    rag = rag_class(ctx)(list(kb.documents))
    rankings = [attempt(lambda q=q: as_ids(rag.retrieve(q.text, TOP))) for q in questions]
    by_k = {
        str(k): [attempt(lambda q=q, k=k: as_ids(rag.retrieve(q.text, k))) for q in questions[:N_K_QUESTIONS]]
        for k in K_PROBES
    }
    return {"rankings": rankings, "by_k": by_k}


def _unwrap(records, n: int, what: str) -> list[list[int]]:
    if not isinstance(records, list) or len(records) != n:
        raise BadOutput(f"the probe returned a malformed list of {what}")
    out = []
    for rec in records:
        if not isinstance(rec, dict):
            raise BadOutput(f"the probe returned a malformed list of {what}")
        if "error" in rec:
            raise BadOutput(f"retrieve raised {rec['error']}")
        out.append(ids_list(rec.get("value"), "retrieve(query, k)"))
    return out


def _shape_problems(
    rankings: list[list[int]], by_k: dict[str, list[list[int]]], n_docs: int
) -> tuple[list[str], str | None]:
    """Problems with the id lists themselves (length, range, duplicates), and the likely bug."""
    problems: list[str] = []
    lengths = {k: [len(r) for r in lists] for k, lists in by_k.items()}
    wrong_k = {k: ls for k, ls in lengths.items() if any(n != min(int(k), n_docs) for n in ls)}
    if wrong_k:
        shown = "; ".join(f"k={k}: lengths {ls}" for k, ls in wrong_k.items())
        problems.append(f"retrieve(query, k) did not return k ids: {shown}")
        flat = {n for ls in lengths.values() for n in ls}
        if len(flat) == 1:
            return problems, f"k is ignored: retrieve always returns {flat.pop()} ids; return the first k"
        return problems, None
    if any(len(r) != min(TOP, n_docs) for r in rankings):
        problems.append(f"retrieve(query, {TOP}) returned lists of lengths {sorted({len(r) for r in rankings})}")
    ids = [i for r in rankings for i in r]
    outside = [i for i in ids if not 0 <= i < n_docs]
    if outside:
        problems.append(f"ids outside 0..{n_docs - 1}: {sorted(set(outside))[:6]} ({len(outside)} of {len(ids)} ids)")
        top_is_n = sum(1 for r in rankings if r and r[0] == n_docs)
        if top_is_n > len(rankings) / 2:
            return problems, (
                f"the first id is {n_docs} = len(documents) for {top_is_n} of {len(rankings)} queries: the query is "
                "scored against itself (appended to the documents); rank only the documents"
            )
        if min(ids) >= 1 and max(ids) == n_docs:
            return problems, "ids are 1-based: a document's id is its index in documents, starting at 0"
        return problems, None
    duplicated = [r for r in rankings if len(set(r)) != len(r)]
    if duplicated:
        problems.append(f"{len(duplicated)} of {len(rankings)} rankings repeat an id, e.g. {duplicated[0]}")
        return problems, "duplicate ids: each document may appear once in a ranking (deduplicate, keep the first)"
    return problems, None


def verdict_retrieval(raw: dict, ctx: VerdictContext) -> Verdict:
    from llmpath.datasets import bm25_baseline, retrieval_scores

    p = ctx.params
    kb = judge_kb(ctx.seed)
    questions = kb.questions(p.split)
    n_docs = len(kb.documents)
    rankings = _unwrap(raw.get("rankings"), len(questions), "rankings")
    by_k_raw = raw.get("by_k")
    if not isinstance(by_k_raw, dict):
        raise BadOutput("the probe returned a malformed set of rankings")
    by_k = {k: _unwrap(by_k_raw.get(str(k)), min(N_K_QUESTIONS, len(questions)), f"retrieve(q, {k})") for k in K_PROBES}
    where = (
        f"{len(questions)} held-out questions ({p.split} split) over {n_docs} documents of the judge's world "
        f"(seed {ctx.seed})"
    )
    problems, diagnosis = _shape_problems(rankings, {str(k): v for k, v in by_k.items()}, n_docs)
    if problems:
        return Verdict.failed(
            "retrieve does not return a ranking of document ids", where, *problems, diagnosis=diagnosis
        )
    ours = retrieval_scores(rankings, questions)
    bm25 = bm25_baseline(kb, p.split)
    metrics = {
        "recall_at_1": ours["recall@1"],
        "recall_at_5": ours["recall@5"],
        "mrr": ours["mrr"],
        "bm25_recall_at_1": bm25["recall@1"],
        "bm25_recall_at_5": bm25["recall@5"],
        "bm25_mrr": bm25["mrr"],
    }
    table = (
        f"recall@1 {ours['recall@1']:.3f} (BM25 {bm25['recall@1']:.3f}, best 1.0), recall@5 {ours['recall@5']:.3f} "
        f"(BM25 {bm25['recall@5']:.3f}, best 1.0), MRR@10 {ours['mrr']:.3f} (BM25 {bm25['mrr']:.3f}, best 1.0)"
    )
    gate = bm25["recall@5"] - p.tolerance
    if ours["recall@5"] >= gate:
        return Verdict.passed(
            f"recall@5 {ours['recall@5']:.3f} >= BM25's {bm25['recall@5']:.3f} - {p.tolerance}",
            where,
            table,
            metrics=metrics,
        )
    return Verdict.failed(
        f"recall@5 {ours['recall@5']:.3f} is below BM25's {bm25['recall@5']:.3f} - {p.tolerance} = {gate:.3f}",
        where,
        table,
        diagnosis=_order_diagnosis(rankings, questions, ours),
        metrics=metrics,
    )


def _order_diagnosis(rankings: list[list[int]], questions, ours: dict[str, float]) -> str | None:
    """Reversed rankings that score much better mean the most relevant documents come last."""
    from llmpath.datasets import retrieval_scores

    flipped = retrieval_scores([r[::-1] for r in rankings], questions)
    if flipped["mrr"] > ours["mrr"] + 0.2:
        return "ids are in the wrong order: the most relevant document must come first (sort by score, descending)"
    if ours["recall@5"] < 0.1:
        return (
            "almost no gold document is retrieved: are the ids sorted by ascending score (the least relevant "
            "first), or are the scores computed against the wrong text?"
        )
    return None
