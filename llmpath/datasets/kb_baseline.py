"""The BM25 baseline of the knowledge base, computed with the ``rank_bm25`` library, and retrieval scores.

``BM25_FIGURES`` are the shipped figures (recall@1, recall@5 and MRR@10 of ``rank_bm25.BM25Okapi``
with its defaults k1=1.5, b=0.75, on lowercased alphanumeric tokens), averaged over the knowledge
bases of seeds 0-4: a learner's retriever can be compared with them. ``bm25_baseline`` recomputes
them for any knowledge base and split, and the tests check the stored figures against it.

Scores are over the answerable questions of a split (unanswerable ones have no gold document).
recall@k of one question is the fraction of its gold documents among the first k ids (a two-hop
question has two); MRR@10 is 1/rank of the first gold document in the first 10 ids (0 if none).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from llmpath.datasets.kb_questions import Question

FIGURE_SEEDS = (0, 1, 2, 3, 4)
# bm25_figures(FIGURE_SEEDS); tests/test_kb.py checks these against a recomputation.
BM25_FIGURES: dict[str, dict[str, float]] = {
    "train": {"recall@1": 0.4228, "recall@5": 0.8183, "mrr": 0.6879},
    "val": {"recall@1": 0.4419, "recall@5": 0.8269, "mrr": 0.6994},
    "test": {"recall@1": 0.3921, "recall@5": 0.8, "mrr": 0.6511},
}

_TOKEN = re.compile(r"[a-z0-9]+")


def tokenize(text: str) -> list[str]:
    """The baseline's tokens: lowercase runs of letters and digits ("Tamsin's" -> ["tamsin", "s"])."""
    return _TOKEN.findall(text.lower())


def bm25_rankings(documents: Sequence[str], queries: Sequence[str], k: int = 10) -> list[list[int]]:
    """The first ``k`` document ids for each query by ``rank_bm25.BM25Okapi`` (ties: lower id first)."""
    import numpy as np
    from rank_bm25 import BM25Okapi

    index = BM25Okapi([tokenize(d) for d in documents])
    out = []
    for query in queries:
        scores = np.asarray(index.get_scores(tokenize(query)), dtype=float)
        order = np.lexsort((np.arange(len(scores)), -scores))  # by score descending, then id
        out.append([int(i) for i in order[:k]])
    return out


def retrieval_scores(rankings: Sequence[Sequence[int]], questions: Sequence[Question]) -> dict[str, float]:
    """recall@1, recall@5 and mrr (MRR@10) of ``rankings[i]`` for ``questions[i]`` (answerable ones only)."""
    r1 = r5 = rr = 0.0
    n = 0
    for ranking, q in zip(rankings, questions, strict=False):
        if not q.doc_ids:
            continue
        n += 1
        gold = set(q.doc_ids)
        r1 += len(gold & set(ranking[:1])) / len(gold)
        r5 += len(gold & set(ranking[:5])) / len(gold)
        rank = next((i + 1 for i, d in enumerate(ranking[:10]) if d in gold), None)
        rr += 1.0 / rank if rank else 0.0
    n = max(n, 1)
    return {"recall@1": r1 / n, "recall@5": r5 / n, "mrr": rr / n}


def bm25_baseline(kb, split: str) -> dict[str, float]:
    """BM25's recall@1, recall@5 and MRR@10 on one split of one knowledge base."""
    questions = kb.questions(split)
    return retrieval_scores(bm25_rankings(kb.documents, [q.text for q in questions]), questions)


@functools.lru_cache(maxsize=1)
def bm25_figures(seeds: tuple[int, ...] = FIGURE_SEEDS) -> dict[str, dict[str, float]]:
    """BM25's scores on each split, averaged over the knowledge bases of ``seeds``."""
    from llmpath.datasets.kb import SPLITS, knowledge_base

    out = {}
    for split in SPLITS:
        runs = [bm25_baseline(knowledge_base(s), split) for s in seeds]
        out[split] = {name: round(sum(r[name] for r in runs) / len(runs), 4) for name in runs[0]}
    return out


def kb_baselines() -> dict[str, dict[str, float]]:
    """BM25's recall@1, recall@5 and MRR@10 on each split (seeds 0-4): the figures to beat."""
    return {split: dict(scores) for split, scores in BM25_FIGURES.items()}
