"""M11 reference: BM25 with learned query expansion, and a rule-based extractive reader learned from train.

Everything the system knows about *how* questions are asked and facts are written it learns from
the train split of ``llmpath.datasets.knowledge_base`` (train templates only; the judge asks in
held-out phrasings):

* a question classifier (multinomial naive Bayes on the question's words, the entity's name left
  out) that maps a question to a relation ("birthplace") or a two-hop chain ("birthplace>region");
* extraction patterns: each train answer sentence with the entity and the answer cut out, e.g.
  ``(?P<e>.+?) was born in (?P<a>.+?)\\.``, filed under the question's relation;
* query expansion: the words of a relation's patterns ("born", "comes") are added to a question
  the classifier assigns to it, so BM25 can tell the entity's two documents apart.

``retrieve`` runs BM25 on the expanded question; for a two-hop question it reads the bridge entity
from the first hop's documents and interleaves the second hop's. ``answer`` reads *only* the
documents ``self.retrieve`` returns and abstains ("unknown") when no pattern matches the entity.
"""

from __future__ import annotations

import math
import re
import string
from collections import Counter, defaultdict
from functools import lru_cache

ABSTAIN = "unknown"
TRAIN_SEEDS = (101, 102, 103)  # worlds whose train split the reader learns from
STOP = set(
    [
        "a",
        "an",
        "the",
        "of",
        "is",
        "was",
        "in",
        "on",
        "at",
        "to",
        "by",
        "for",
        "from",
        "with",
        "and",
        "or",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "where",
        "when",
        "how",
        "does",
        "do",
        "did",
        "its",
    ]
)
PRONOUNS = {"she", "he", "it"}
FUNCTION = set(
    [
        "a",
        "an",
        "the",
        "of",
        "is",
        "was",
        "in",
        "on",
        "at",
        "to",
        "by",
        "for",
        "and",
        "or",
        "does",
        "do",
        "did",
        "its",
        "me",
    ]
)
MARGIN = 3.0  # nats: readings of less likely relations are tried only this close to the best
EXPANSION_WEIGHT = 0.3  # expansion words only break ties between documents that match the name
_WORD = re.compile(r"[a-z0-9]+")
_CAPS = re.compile(r"(?:[A-Z][\w']*)(?:\s+[A-Z][\w']*)*")
_SENTENCE = re.compile(r"[^.!?]+[.!?]")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def shape(answer: str) -> str:
    """What an answer looks like: a number, a name (capitalized) or a word."""
    return "number" if answer[:1].isdigit() else "name" if answer[:1].isupper() else "word"


def strip_the(name: str) -> str:
    return re.sub(r"^the\s+", "", name.strip(), flags=re.IGNORECASE)


# ---------------------------------------------------------------------------------------------
# what is learned from the train split


def _pattern(sentence: str, entity_mention: str, answer: str) -> str | None:
    """The sentence as a regex with the entity and the answer as groups; None if either is missing."""
    a_at, e_at = sentence.find(answer), sentence.find(entity_mention)
    if a_at < 0 or e_at < 0 or (a_at < e_at + len(entity_mention) and e_at < a_at + len(answer)):
        return None
    pieces = sorted([(a_at, len(answer), "(?P<a>.+?)"), (e_at, len(entity_mention), "(?P<e>.+?)")])
    out, pos = [], 0
    for at, length, group in pieces:
        before = re.escape(sentence[pos:at])
        if group.startswith("(?P<a>"):
            before = re.sub(r"(^|\\ )an?\\ $", r"\1an?\\ ", before)  # "a glassblower" / "an archivist"
        out += [before, group]
        pos = at + length
    return "^" + "".join(out) + re.escape(sentence[pos:]) + "$"


def _mention_in(sentence: str, name: str) -> str | None:
    for candidate in (name, name[:1].upper() + name[1:]):
        if candidate in sentence:
            return candidate
    first = sentence.split()[0] if sentence.split() else ""
    return first if first.lower() in PRONOUNS else None


class Learned:
    """The classifier, the patterns and the expansion words, learned from train questions."""

    def __init__(self) -> None:
        from llmpath.datasets import knowledge_base

        self.word_counts: dict[str, Counter] = defaultdict(Counter)
        self.label_counts: Counter = Counter()
        self.patterns: dict[str, set[str]] = defaultdict(set)
        self.shapes: dict[str, Counter] = defaultdict(Counter)  # label -> shapes of its answers
        for seed in TRAIN_SEEDS:
            kb = knowledge_base(seed)
            for q in kb.questions("train"):
                if q.kind == "unanswerable":
                    continue
                self.label_counts[q.relation] += 1
                self.shapes[q.relation][shape(q.answer)] += 1
                self.word_counts[q.relation].update(self.question_words(q.text, q.entity))
                if q.kind == "single":
                    self._learn_pattern(kb.documents[q.doc_ids[0]], q.entity, q.answer, q.relation)
        self.vocab = {w for c in self.word_counts.values() for w in c}
        self.compiled = {rel: [re.compile(p) for p in sorted(ps)] for rel, ps in self.patterns.items()}
        self.expansion = {
            rel: sorted({w for p in ps for w in words(re.sub(r"\(\?P<\w>\.\+\?\)|\\", " ", p))} - STOP)
            for rel, ps in self.patterns.items()
        }

    @staticmethod
    def question_words(text: str, entity: str) -> list[str]:
        """The question's words without the entity's name and without function words."""
        name = set(words(strip_the(entity)))
        return [w for w in words(text) if w not in name and w not in FUNCTION]

    def _learn_pattern(self, document: str, entity: str, answer: str, relation: str) -> None:
        for sentence in _SENTENCE.findall(document):
            sentence = sentence.strip()
            if answer not in sentence:
                continue
            mention = _mention_in(sentence, entity)
            pattern = _pattern(sentence, mention, answer) if mention else None
            if pattern:
                self.patterns[relation].add(pattern)

    def classify(self, question_words: list[str]) -> list[str]:
        """The relations or chains whose naive-Bayes log-posterior is within MARGIN of the best, best first."""
        total = sum(self.label_counts.values())
        scored = []
        for label, n in self.label_counts.items():
            counts = self.word_counts[label]
            size = sum(counts.values()) + len(self.vocab) + 1
            score = math.log(n / total) + sum(
                math.log((counts[w] + 1) / size) for w in question_words if w in self.vocab
            )
            scored.append((score, label))
        scored.sort(reverse=True)
        best = self.shape_of(scored[0][1])  # fall back only to readings with the same kind of answer
        return [label for score, label in scored if score >= scored[0][0] - MARGIN and self.shape_of(label) == best]

    def shape_of(self, label: str) -> str:
        return self.shapes[label].most_common(1)[0][0]


@lru_cache(maxsize=1)
def learned() -> Learned:
    return Learned()


# ---------------------------------------------------------------------------------------------
# the system


class RAG:
    """Question answering over ``documents`` (a document's id is its index)."""

    def __init__(self, documents: list[str], k1: float = 1.2, b: float = 0.75) -> None:
        self.documents = list(documents)
        self.k1, self.b = k1, b
        self.tokens = [words(d) for d in self.documents]
        self.tf = [Counter(t) for t in self.tokens]
        self.avg_len = sum(map(len, self.tokens)) / max(len(self.tokens), 1)
        df = Counter(w for t in self.tokens for w in set(t))
        n = len(self.documents)
        self.idf = {w: math.log(1 + (n - m + 0.5) / (m + 0.5)) for w, m in df.items()}  # Lucene's BM25 idf
        self.names = {strip_the(s).lower() for d in self.documents for s in _CAPS.findall(d)}
        self.model = learned()

    # -- retrieval ------------------------------------------------------------------------------

    def bm25(self, query: dict[str, float]) -> list[float]:
        """BM25 of every document for a query given as word -> weight."""
        scores = []
        for tf, tokens in zip(self.tf, self.tokens, strict=False):
            norm = self.k1 * (1 - self.b + self.b * len(tokens) / self.avg_len)
            scores.append(
                sum(
                    q * self.idf.get(w, 0.0) * tf[w] * (self.k1 + 1) / (tf[w] + norm)
                    for w, q in query.items()
                    if w in tf
                )
            )
        return scores

    def ranked(self, text: str, relation: str) -> list[int]:
        """Documents by BM25 of the text plus, at a third of the weight, the relation's expansion words."""
        query = dict.fromkeys(self.model.expansion.get(relation, []), EXPANSION_WEIGHT)
        for w in words(text):
            query[w] = query.get(w, 0.0) + 1.0
        scores = self.bm25(query)
        return sorted(range(len(scores)), key=lambda i: (-scores[i], i))

    def entity(self, query: str) -> str | None:
        """The longest name in the query that the documents use as a name (a sentence's first word may be dropped)."""
        found = []
        for m in _CAPS.finditer(query):
            span = strip_the(m.group(0))
            tries = [span] + ([span.split(" ", 1)[1]] if m.start() == 0 and " " in span else [])
            found += [t for t in tries if t.lower() in self.names]
        return max(found, key=len) if found else None

    def plan(self, query: str) -> tuple[str | None, list[list[str]]]:
        """The entity asked about, and the likely relation paths (["birthplace", "region"] for a chain)."""
        entity = self.entity(query)
        labels = self.model.classify(Learned.question_words(query, entity or ""))
        return entity, [label.split(">") for label in labels]

    def retrieve(self, query: str, k: int = 3) -> list[int]:
        entity, paths = self.plan(query)
        relations = paths[0]
        ranking = self.ranked(query, relations[0])
        bridge = self.read(relations[0], entity, ranking[:3]) if len(relations) == 2 and entity else None
        if bridge is not None:  # a two-hop question: interleave the documents about the bridge entity
            merged: list[int] = []
            for pair in zip(ranking, self.ranked(bridge, relations[1]), strict=False):
                merged += [i for i in dict.fromkeys(pair) if i not in merged]
            ranking = merged
        return ranking[:k]

    # -- reading --------------------------------------------------------------------------------

    def topic(self, document: str) -> str | None:
        """Whom the document is about: the entity of its first sentence (which always names it)."""
        first = _SENTENCE.findall(document)[:1]
        for patterns in self.model.compiled.values():
            for p in patterns:
                m = p.match(first[0].strip()) if first else None
                if m and m.group("e").lower() not in PRONOUNS:
                    return strip_the(m.group("e"))
        return None

    def read(self, relation: str, entity: str, doc_ids: list[int]) -> str | None:
        """The value of ``relation`` for ``entity`` stated in the given documents, or None."""
        target = strip_the(entity).lower()
        for i in doc_ids:
            document = self.documents[i]
            topic = self.topic(document)
            for sentence in _SENTENCE.findall(document):
                for p in self.model.compiled.get(relation, []):
                    m = p.match(sentence.strip())
                    if not m:
                        continue
                    who = topic if m.group("e").lower() in PRONOUNS else strip_the(m.group("e"))
                    if who and who.lower() == target:
                        return m.group("a")
        return None

    def answer(self, query: str) -> str:
        entity, paths = self.plan(query)
        if entity is None:
            return ABSTAIN
        doc_ids = self.retrieve(query, 5)
        for relations in paths:  # the likeliest reading that the retrieved text supports
            value: str | None = entity
            for relation in relations:
                value = self.read(relation, value, doc_ids) if value else None
            if value:
                return value
        return ABSTAIN


# ---------------------------------------------------------------------------------------------
# evaluation helpers (SQuAD v1.1)


def normalize_answer(text: str) -> str:
    """Lowercase; drop ASCII punctuation, then the articles a/an/the; collapse whitespace."""
    text = "".join(c for c in text.lower() if c not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def exact_match(prediction: str, truth: str) -> float:
    return float(normalize_answer(prediction) == normalize_answer(truth))


def f1(prediction: str, truth: str) -> float:
    pred, gold = normalize_answer(prediction).split(), normalize_answer(truth).split()
    same = sum((Counter(pred) & Counter(gold)).values())
    if same == 0:
        return 0.0
    precision, recall = same / len(pred), same / len(gold)
    return 2 * precision * recall / (precision + recall)
