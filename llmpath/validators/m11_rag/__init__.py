"""Validators for M11: retrieval-augmented generation (``milestones/M11/rag.py``).

The learner's ``RAG(documents)`` is built on the documents of a fictional knowledge base re-drawn
per seed (``llmpath.datasets.knowledge_base``) and asked the held-out ``test`` questions:

* ``m11.metrics``   normalize_answer, exact_match and f1 agree with SQuAD v1.1 on adversarial strings.
* ``m11.retrieval`` recall@1, recall@5 and MRR against the gold documents; recall@5 at least BM25's
  (rank_bm25 on the same questions) minus a tolerance.
* ``m11.answers``   exact match and F1 on answerable questions; abstention precision and recall on
  unanswerable ones.
* ``m11.grounding`` answers follow fact edits, vanish with their documents and under a retrieval
  ablation; retrieved ids follow a shuffle of the documents.
* ``m11.eval``      the M11 experiment entry's numbers agree with llmpath's recomputation.

Sizes and cost: 184 documents, 138 test questions; the reference (pure-Python BM25 + a pattern
reader) answers them in about a second per check on a loaded 2-core machine.
"""

from __future__ import annotations

from llmpath.validators.api import Check
from llmpath.validators.m11_rag.answers import probe_answers, verdict_answers
from llmpath.validators.m11_rag.evaluation import probe_eval, verdict_eval
from llmpath.validators.m11_rag.grounding import probe_grounding, verdict_grounding
from llmpath.validators.m11_rag.metrics import probe_metrics, verdict_metrics
from llmpath.validators.m11_rag.params import (
    AnswersParams,
    EvalParams,
    GroundingParams,
    MetricsParams,
    RetrievalParams,
)
from llmpath.validators.m11_rag.retrieval import probe_retrieval, verdict_retrieval

CHECKS: tuple[Check, ...] = (
    Check(
        name="m11.metrics",
        description="M11: normalize_answer, exact_match and f1 agree with SQuAD v1.1",
        probe=probe_metrics,
        verdict=verdict_metrics,
        params=MetricsParams,
        timeout_s=60,
        memory_mb=1024,
    ),
    Check(
        name="m11.retrieval",
        description="M11: retrieve ranks the gold documents of held-out questions at least as well as BM25",
        probe=probe_retrieval,
        verdict=verdict_retrieval,
        params=RetrievalParams,
        timeout_s=300,
        memory_mb=4096,
    ),
    Check(
        name="m11.answers",
        description="M11: answers to held-out questions (exact match, F1) and abstention on unanswerable ones",
        probe=probe_answers,
        verdict=verdict_answers,
        params=AnswersParams,
        timeout_s=300,
        memory_mb=4096,
    ),
    Check(
        name="m11.grounding",
        description="M11: answers follow edits of the documents, and come from what retrieve returns",
        probe=probe_grounding,
        verdict=verdict_grounding,
        params=GroundingParams,
        timeout_s=300,
        memory_mb=4096,
    ),
    Check(
        name="m11.eval",
        description="M11: the experiment entry's exact match, F1 and recall@5 are reproduced by llmpath",
        probe=probe_eval,
        verdict=verdict_eval,
        params=EvalParams,
        timeout_s=300,
        memory_mb=4096,
    ),
)
