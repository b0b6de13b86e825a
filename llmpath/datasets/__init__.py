"""Seeded data sets whose optimum is known; learners import these too.

``from llmpath.datasets import load_corpus`` works without importing numpy until a generator runs.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    # the synthetic story corpus (M7, M8, M9)
    "load_corpus": "corpus",
    "entropy_floor": "corpus",
    "is_grammatical": "corpus",
    "corpus_baselines": "corpus",
    "split_sentences": "corpus",
    "sample_stories": "corpus",
    # labelled story endings with an exact Bayes accuracy (M10)
    "ending_task": "endings",
    "ending_bayes_accuracy": "endings",
    "ending_posterior": "endings",
    "ENDING_WORDS": "endings",
    # classification sets with known Bayes accuracy (M1, M2)
    "gaussian_binary": "classification",
    "two_moons": "classification",
    "spirals": "classification",
    "bayes_rule_accuracy": "classification",
    # the fictional knowledge base for retrieval-augmented generation (M11)
    "knowledge_base": "kb",
    "KnowledgeBase": "kb",
    "Question": "kb_questions",
    "ABSTENTIONS": "kb",
    "ABSTAIN": "kb",
    "is_abstention": "kb",
    "kb_baselines": "kb_baseline",
    "bm25_baseline": "kb_baseline",
    "retrieval_scores": "kb_baseline",
}

# ``endings`` as a module too: M10's verdict reads the task's generative model (events, twists, P(happy)).
__all__ = [*sorted(_EXPORTS), "endings"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        module = importlib.import_module(f"llmpath.datasets.{_EXPORTS[name]}")
        return getattr(module, name)
    raise AttributeError(f"module 'llmpath.datasets' has no attribute {name!r}")
