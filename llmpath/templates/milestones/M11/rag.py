"""M11: retrieval-augmented generation: retrieve documents for a question, answer from them (README.md)."""

from __future__ import annotations

ABSTAIN = "unknown"  # what answer() returns when the documents do not state the answer


class RAG:
    """Question answering over a fixed list of documents.

    documents: the knowledge base, one string per document; a document's id is its index.
    """

    def __init__(self, documents: list[str]) -> None:
        raise NotImplementedError("RAG.__init__: keep the documents and build a retrieval index (e.g. TF-IDF or BM25)")

    def retrieve(self, query: str, k: int = 3) -> list[int]:
        """The ids of the k documents most relevant to `query`, most relevant first (no repeats)."""
        raise NotImplementedError("RAG.retrieve: score every document against the query; return the top k ids")

    def answer(self, query: str) -> str:
        """A short answer to `query` read from the documents self.retrieve returns, or "unknown"."""
        raise NotImplementedError(
            "RAG.answer: call self.retrieve, then extract or generate the answer from those documents"
        )


def normalize_answer(text: str) -> str:
    """SQuAD v1.1: lowercase, drop ASCII punctuation, drop the words a/an/the, collapse whitespace."""
    raise NotImplementedError("normalize_answer: lower, strip punctuation, then articles, then extra spaces")


def exact_match(prediction: str, truth: str) -> float:
    """1.0 when the normalized prediction equals the normalized truth, else 0.0."""
    raise NotImplementedError("exact_match: compare normalize_answer of both")


def f1(prediction: str, truth: str) -> float:
    """SQuAD v1.1 token F1 of the normalized answers (0.0 when they share no token)."""
    raise NotImplementedError("f1: harmonic mean of token precision and recall over the shared tokens (a multiset)")
