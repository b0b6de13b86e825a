"""M11 variant: rank_bm25 retrieval with a hand-written keyword table, and hand-written extraction rules.

Written differently from the reference: nothing is learned at run time. The keyword table (question
words -> relation) was written by reading train questions only; the extraction rules by reading the
documents of a few knowledge bases (their sentence forms are the same in every split). Two-hop
questions are recognised by two relation keywords and answered hop by hop from the retrieved text.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
from rank_bm25 import BM25Okapi

UNKNOWN = "unknown"
NAME = r"(?P<e>(?:[Tt]he )?[A-Z][\w']*(?: [A-Z][\w']*)*|She|He|It|she|he|it)"
VAL = r"(?P<v>[^.,]+?)"
# relation -> (question keywords, document words for expansion, extraction rules)
RELATIONS: dict[str, tuple[tuple[str, ...], str, tuple[str, ...]]] = {
    "occupation": (
        ("profession", "job", "work"),
        "works trade living",
        (
            rf"{NAME} works as an? {VAL}\.",
            rf"By trade, {NAME} is an? {VAL}\.",
            rf"{NAME} earns a living as an? {VAL}\.",
        ),
    ),
    "birthplace": (
        ("hometown", "home town", "from"),
        "born comes",
        (rf"{NAME} was born in {VAL}\.", rf"{NAME} comes from {VAL}\.", rf"{VAL} is where {NAME} was born\."),
    ),
    "mentor": (
        ("mentor", "mentored", "taught"),
        "learned craft trained teacher",
        (
            rf"{NAME} learned the craft from {VAL}\.",
            rf"{NAME} was trained by {VAL}\.",
            rf"{VAL} was the teacher of {NAME}\.",
        ),
    ),
    "age": (
        ("old", "age"),
        "years old turned",
        (
            rf"{NAME} is {VAL} years old\.",
            rf"{NAME} turned {VAL} this spring\.",
            rf"At {VAL}, {NAME} still works every day\.",
        ),
    ),
    "companion": (
        ("pet",),
        "creature called shares home lives with",
        (
            rf"{NAME} looks after a creature called {VAL}\.",
            rf"{NAME} shares a home with {VAL}\.",
            rf"{VAL} lives with {NAME}\.",
        ),
    ),
    "region": (
        ("region",),
        "lies town home",
        (rf"{NAME} lies in the {VAL}\.", rf"{NAME} is a town in the {VAL}\.", rf"The {VAL} is home to {NAME}\."),
    ),
    "founded": (
        ("established",),
        "founded settlers built houses date",
        (
            rf"{NAME} was founded in {VAL}\.",
            rf"Settlers built {NAME} in {VAL}\.",
            rf"The first houses of {NAME} date from {VAL}\.",
        ),
    ),
    "population": (
        ("population",),
        "inhabitants people live census residents",
        (
            rf"{NAME} has (?P<v>[\d,]+) inhabitants\.",
            rf"About (?P<v>[\d,]+) people live in {NAME}\.",
            rf"The census counted (?P<v>[\d,]+) residents in {NAME}\.",
        ),
    ),
    "known_for": (
        ("product", "known"),
        "famous traders buy sold",
        (
            rf"{NAME} is famous for its {VAL}\.",
            rf"Traders visit {NAME} to buy {VAL}\.",
            rf"The {VAL} of {NAME} is sold far and wide\.",
        ),
    ),
    "species": (
        ("kind", "type", "animal"),
        "",
        (
            rf"{NAME} is an? {VAL}\.",
            rf"{NAME}, an? {VAL}, is well known in these parts\.",
            rf"Everyone agrees that {NAME} is an? {VAL}\.",
        ),
    ),
    "color": (
        ("color", "colour"),
        "fur coat spot",
        (rf"{NAME} has {VAL} fur\.", rf"The coat of {NAME} is {VAL}\.", rf"{NAME} is easy to spot, being {VAL}\."),
    ),
    "diet": (
        ("eat", "eats", "food"),
        "feeds hunts meal",
        (
            rf"{NAME} feeds on {VAL}\.",
            rf"{NAME} hunts for {VAL} every evening\.",
            rf"The favourite meal of {NAME} is {VAL}\.",
        ),
    ),
    "habitat": (
        ("live", "lives", "home"),
        "roams fields nests woods",
        (
            rf"{NAME} roams the fields around {VAL}\.",
            rf"{NAME} nests close to {VAL}\.",
            rf"The woods near {VAL} are where {NAME} lives\.",
        ),
    ),
    "material": (
        ("material", "made of"),
        "made carved build",
        (rf"{NAME} is made of {VAL}\.", rf"{NAME} was carved from {VAL}\.", rf"Only {VAL} was used to build {NAME}\."),
    ),
    "maker": (
        ("created", "creator"),
        "crafted made work",
        (rf"{NAME} was crafted by {VAL}\.", rf"{VAL} made {NAME}\.", rf"{NAME} is the work of {VAL}\."),
    ),
    "location": (
        ("stored",),
        "kept display rests",
        (rf"{NAME} is kept in {VAL}\.", rf"{NAME} is on display in {VAL}\.", rf"Today {NAME} rests in {VAL}\."),
    ),
    "year_made": (
        ("completed",),
        "finished dates ended",
        (rf"{NAME} was finished in {VAL}\.", rf"{NAME} dates from {VAL}\.", rf"Work on {NAME} ended in {VAL}\."),
    ),
}
# two-hop chains: (first relation's keyword phrase, first, second)
CHAINS = (
    ("hometown", "birthplace", "region"),
    ("mentor", "mentor", "occupation"),
    ("pet", "companion", "species"),
    ("creator", "maker", "birthplace"),
    ("stored", "location", "region"),
    ("lives", "habitat", "known_for"),
)
RULES = {rel: [re.compile(r) for r in rules] for rel, (_, _, rules) in RELATIONS.items()}


def tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def bare(name: str) -> str:
    return re.sub(r"^the ", "", name.strip(), flags=re.IGNORECASE).lower()


class RAG:
    def __init__(self, documents: list[str]) -> None:
        self.documents = list(documents)
        self.bm25 = BM25Okapi([tokens(d) for d in self.documents])
        self.names = Counter(
            bare(m) for d in self.documents for m in re.findall(r"(?:[A-Z][\w']*)(?: [A-Z][\w']*)+|[A-Z][a-z]+", d)
        )

    def relations(self, query: str) -> list[str]:
        """The relations asked about, in the order they apply (two for a two-hop question)."""
        q = " " + " ".join(tokens(query)) + " "
        found = [rel for rel, (keys, _, _) in RELATIONS.items() if any(f" {k} " in q for k in keys)]
        for key, first, second in CHAINS:
            if second in found and f" {key} " in q and first != second and (first in found or key in q):
                return [first, second]
        order = [
            "population",
            "year_made",
            "founded",
            "age",
            "material",
            "region",
            "known_for",
            "species",
            "color",
            "diet",
            "occupation",
            "mentor",
            "companion",
            "maker",
            "location",
            "habitat",
            "birthplace",
        ]
        return [min(found, key=order.index)] if found else []

    def entity(self, query: str) -> str | None:
        spans = re.findall(r"(?:[A-Z][\w']*)(?: [A-Z][\w']*)*", query)
        for span in sorted(spans, key=len, reverse=True):
            for candidate in (span, span.split(" ", 1)[-1]):
                if bare(candidate) in self.names and len(candidate) > 2:
                    return bare(candidate)
        return None

    def retrieve(self, query: str, k: int = 3) -> list[int]:
        rels = self.relations(query)
        extra = " ".join(RELATIONS[r][1] for r in rels[:1])
        scores = np.asarray(self.bm25.get_scores(tokens(query)), dtype=float)
        scores += 0.3 * np.asarray(self.bm25.get_scores(tokens(extra)), dtype=float) if extra else 0.0
        order = [int(i) for i in np.argsort(-scores, kind="stable")]
        entity = self.entity(query)
        if len(rels) == 2 and entity:
            bridge = self.extract(rels[0], entity, order[:3])
            if bridge:
                second = np.asarray(self.bm25.get_scores(tokens(bridge) + tokens(RELATIONS[rels[1]][1])), dtype=float)
                hop = [int(i) for i in np.argsort(-second, kind="stable")]
                order = list(dict.fromkeys(x for pair in zip(order, hop, strict=False) for x in pair))
        return order[:k]

    def topic(self, document: str) -> str | None:
        first = document.split(". ")[0] + "."
        for rules in RULES.values():
            for rule in rules:
                m = rule.fullmatch(first)
                if m and m.group("e").lower() not in ("she", "he", "it"):
                    return bare(m.group("e"))
        return None

    def extract(self, relation: str, entity: str, doc_ids: list[int]) -> str | None:
        for i in doc_ids:
            doc = self.documents[i]
            topic = self.topic(doc)
            for sentence in re.findall(r"[^.]+\.", doc):
                for rule in RULES[relation]:
                    m = rule.fullmatch(sentence.strip())
                    if m:
                        who = topic if m.group("e").lower() in ("she", "he", "it") else bare(m.group("e"))
                        if who == entity:
                            return m.group("v")
        return None

    def answer(self, query: str) -> str:
        entity, rels = self.entity(query), self.relations(query)
        if entity is None or not rels:
            return UNKNOWN
        docs = self.retrieve(query, 5)
        value: str | None = entity
        for rel in rels:
            value = self.extract(rel, bare(value), docs) if value else None
        return value or UNKNOWN


_PUNCT = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def normalize_answer(text: str) -> str:
    kept = "".join(ch for ch in text.lower() if ch not in _PUNCT)
    return " ".join(w for w in re.sub(r"\b(?:a|an|the)\b", " ", kept).split())


def exact_match(prediction: str, truth: str) -> float:
    return 1.0 if normalize_answer(prediction) == normalize_answer(truth) else 0.0


def f1(prediction: str, truth: str) -> float:
    p, t = normalize_answer(prediction).split(), normalize_answer(truth).split()
    common = Counter(p)
    common &= Counter(t)
    hits = sum(common.values())
    return 0.0 if hits == 0 else 2 * hits / (len(p) + len(t))
