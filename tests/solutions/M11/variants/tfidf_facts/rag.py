"""M11 variant: scikit-learn TF-IDF retrieval, a logistic-regression question classifier, per-document facts.

Written differently from the reference and the rules variant:
* retrieval is cosine similarity of TF-IDF vectors (scikit-learn, sublinear tf), with the question's
  predicted relation described by a few document words appended at a lower weight;
* the question classifier is scikit-learn's RidgeClassifier on word counts, trained on the
  train split of a few knowledge bases (labels: the relation, or "first>second" for two hops);
* at construction every document is read once into its own list of (subject, relation, value)
  facts, with regexes compiled from the document forms written as templates. ``answer`` looks only
  at the facts of the documents ``self.retrieve`` returns, so it stays grounded.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

import numpy as np

ABSTAIN = "unknown"
MARGIN = 0.4  # ridge scores: other readings are tried only this close to the best
FORMS = {  # the sentence forms of the documents ({E} subject, {V} value), read from a train knowledge base
    "occupation": ("{E} works as a {V}.", "By trade, {E} is a {V}.", "{E} earns a living as a {V}."),
    "birthplace": ("{E} was born in {V}.", "{E} comes from {V}.", "{V} is where {E} was born."),
    "mentor": ("{E} learned the craft from {V}.", "{E} was trained by {V}.", "{V} was the teacher of {E}."),
    "age": ("{E} is {V} years old.", "{E} turned {V} this spring.", "At {V}, {E} still works every day."),
    "companion": ("{E} looks after a creature called {V}.", "{E} shares a home with {V}.", "{V} lives with {E}."),
    "region": ("{E} lies in the {V}.", "{E} is a town in the {V}.", "The {V} is home to {E}."),
    "founded": ("{E} was founded in {V}.", "Settlers built {E} in {V}.", "The first houses of {E} date from {V}."),
    "population": (
        "{E} has {V} inhabitants.",
        "About {V} people live in {E}.",
        "The census counted {V} residents in {E}.",
    ),
    "known_for": (
        "{E} is famous for its {V}.",
        "Traders visit {E} to buy {V}.",
        "The {V} of {E} is sold far and wide.",
    ),
    "species": ("{E} is a {V}.", "{E}, a {V}, is well known in these parts.", "Everyone agrees that {E} is a {V}."),
    "color": ("{E} has {V} fur.", "The coat of {E} is {V}.", "{E} is easy to spot, being {V}."),
    "diet": ("{E} feeds on {V}.", "{E} hunts for {V} every evening.", "The favourite meal of {E} is {V}."),
    "habitat": (
        "{E} roams the fields around {V}.",
        "{E} nests close to {V}.",
        "The woods near {V} are where {E} lives.",
    ),
    "material": ("{E} is made of {V}.", "{E} was carved from {V}.", "Only {V} was used to build {E}."),
    "maker": ("{E} was crafted by {V}.", "{V} made {E}.", "{E} is the work of {V}."),
    "location": ("{E} is kept in {V}.", "{E} is on display in {V}.", "Today {E} rests in {V}."),
    "year_made": ("{E} was finished in {V}.", "{E} dates from {V}.", "Work on {E} ended in {V}."),
}
VALUE = {"age": r"\d+", "founded": r"\d+", "year_made": r"\d+", "population": r"[\d,]+"}


def compile_form(relation: str, form: str) -> re.Pattern:
    body = (
        re.escape(form)
        .replace(r"\{E\}", r"(?P<e>[^,.]+?)")
        .replace(r"\{V\}", f"(?P<v>{VALUE.get(relation, '[^,.]+?')})")
    )
    return re.compile("^" + body.replace(r"\ a\ \(", r"\ an?\ \(").replace(r"^a\ ", "an? ") + "$")


PATTERNS = [(rel, compile_form(rel, form)) for rel, forms in FORMS.items() for form in forms]
SIGNAL = {
    rel: " ".join({w for f in forms for w in re.findall(r"[a-z]+", f.lower())} - {"e", "v", "a", "the", "is", "in"})
    for rel, forms in FORMS.items()
}


def key(name: str) -> str:
    return re.sub(r"^the ", "", name.strip().lower())


def entity_words(question: str, names: set[str]) -> str | None:
    best = None
    for span in re.findall(r"[A-Z][\w']*(?: [A-Z][\w']*)*", question):
        for cand in (span, span.partition(" ")[2]):
            if key(cand) in names and (best is None or len(cand) > len(best)):
                best = key(cand)
    return best


@lru_cache(maxsize=1)
def classifier():
    """A ridge classifier on the words of train questions (entity names removed)."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import RidgeClassifier

    from llmpath.datasets import knowledge_base

    texts, labels = [], []
    for seed in (201, 202):
        for q in knowledge_base(seed).questions("train"):
            if q.answerable:
                texts.append(q.text.replace(q.entity, " ").replace(q.entity[:1].upper() + q.entity[1:], " "))
                labels.append(q.relation)
    vectorizer = CountVectorizer(ngram_range=(1, 2), binary=True)
    model = RidgeClassifier(alpha=1.0).fit(vectorizer.fit_transform(texts), labels)
    return vectorizer, model


class RAG:
    def __init__(self, documents: list[str]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.documents = list(documents)
        self._labels: dict[tuple[str, str | None], list[str]] = {}
        self.tfidf = TfidfVectorizer(sublinear_tf=True)
        self.matrix = self.tfidf.fit_transform(self.documents)
        self.facts: list[list[tuple[str, str, str]]] = [self._read(d) for d in self.documents]
        self.names = {subject for facts in self.facts for subject, _, _ in facts}
        self.names |= {
            key(v) for facts in self.facts for _, rel, v in facts if rel in ("birthplace", "mentor", "maker")
        }

    @staticmethod
    def _read(document: str) -> list[tuple[str, str, str]]:
        sentences = [s.strip() + "." for s in document.split(".") if s.strip()]
        topic, out = None, []
        for sentence in sentences:
            for rel, pattern in PATTERNS:
                m = pattern.match(sentence)
                if not m:
                    continue
                subject = m.group("e")
                if subject.lower() in ("she", "he", "it"):
                    subject = topic or subject
                topic = topic or subject
                out.append((key(subject), rel, m.group("v")))
                break
        return out

    def labels(self, query: str, entity: str | None) -> list[str]:
        """The likeliest relation paths for the question (memoized per instance: classifying is the slow part)."""
        if (query, entity) not in self._labels:
            self._labels[(query, entity)] = self._classify(query, entity)
        return self._labels[(query, entity)]

    def _classify(self, query: str, entity: str | None) -> list[str]:
        vectorizer, model = classifier()
        text = query if entity is None else re.sub(re.escape(entity), " ", query, flags=re.IGNORECASE)
        scores = model.decision_function(vectorizer.transform([text]))[0]
        order = np.argsort(-scores)
        return [model.classes_[i] for i in order[:3] if scores[i] >= scores[order[0]] - MARGIN]

    def retrieve(self, query: str, k: int = 3) -> list[int]:
        entity = entity_words(query, self.names)
        labels = self.labels(query, entity)
        path = labels[0].split(">") if labels else []
        scores = self._scores(query, path[:1])
        order = [int(i) for i in np.argsort(-scores, kind="stable")]
        if len(path) == 2 and entity:
            bridge = self._lookup(path[0], entity, order[:3])
            if bridge:
                hop = [int(i) for i in np.argsort(-self._scores(bridge, path[1:]), kind="stable")]
                order = list(dict.fromkeys(i for pair in zip(order, hop, strict=False) for i in pair))
        return order[:k]

    def _scores(self, text: str, relations: list[str]) -> np.ndarray:
        scores = (self.matrix @ self.tfidf.transform([text]).T).toarray().ravel()
        if relations:
            scores = scores + 0.3 * (self.matrix @ self.tfidf.transform([SIGNAL[relations[0]]]).T).toarray().ravel()
        return scores

    def _lookup(self, relation: str, subject: str, doc_ids: list[int]) -> str | None:
        for i in doc_ids:
            for who, rel, value in self.facts[i]:
                if who == key(subject) and rel == relation:
                    return value
        return None

    def answer(self, query: str) -> str:
        entity = entity_words(query, self.names)
        if entity is None:
            return ABSTAIN
        doc_ids = self.retrieve(query, 5)
        for label in self.labels(query, entity):
            value: str | None = entity
            for relation in label.split(">"):
                value = self._lookup(relation, value, doc_ids) if value else None
            if value:
                return value
        return ABSTAIN


def normalize_answer(text: str) -> str:
    import string

    table = str.maketrans("", "", string.punctuation)
    return " ".join(re.sub(r"\b(a|an|the)\b", " ", text.lower().translate(table)).split())


def exact_match(prediction: str, truth: str) -> float:
    return float(normalize_answer(prediction) == normalize_answer(truth))


def f1(prediction: str, truth: str) -> float:
    pred, gold = normalize_answer(prediction).split(), normalize_answer(truth).split()
    overlap = sum(min(n, gold.count(w)) for w, n in Counter(pred).items())
    if not overlap:
        return 0.0
    p, r = overlap / len(pred), overlap / len(gold)
    return 2 * p * r / (p + r)
