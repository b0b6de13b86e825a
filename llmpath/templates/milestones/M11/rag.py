"""M11: retrieval-augmented generation: retrieve documents for a question, answer from them."""

from __future__ import annotations


class RAG:
    """Question answering over a fixed list of documents.

    documents: the knowledge base, one string per document; a document's id is its index.
    """

    def __init__(self, documents: list[str]) -> None:
        raise NotImplementedError("RAG.__init__: keep the documents and build a retrieval index (e.g. TF-IDF or BM25)")

    def retrieve(self, query: str, k: int = 3) -> list[int]:
        """The ids of the k documents most relevant to `query`, most relevant first."""
        raise NotImplementedError("RAG.retrieve: score every document against the query; return the top k ids")

    def answer(self, query: str) -> str:
        """A short answer to `query`, taken from (or generated with) the retrieved documents."""
        raise NotImplementedError("RAG.answer: retrieve, then extract or generate the answer from those documents")


def normalize_answer(text: str) -> str:
    """Lower case, without punctuation, articles (a, an, the) and extra whitespace (SQuAD's normalization)."""
    raise NotImplementedError("normalize_answer: lower, strip punctuation and articles, collapse spaces")


def exact_match(prediction: str, truth: str) -> float:
    """1.0 when the normalized prediction equals the normalized truth, else 0.0."""
    raise NotImplementedError("exact_match: compare normalize_answer of both")
