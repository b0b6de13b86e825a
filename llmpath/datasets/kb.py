"""A fictional knowledge base for retrieval-augmented generation (M11), re-drawn per seed.

    >>> from llmpath.datasets import knowledge_base
    >>> kb = knowledge_base(seed=0)
    >>> len(kb.documents), kb.documents[0][:60]
    >>> q = kb.questions("train")[0]
    >>> q.text, q.answer, q.doc_ids, q.kind

The world is invented (``kb_world``): people, places, creatures and objects with made-up names,
their attributes and the relations between them. Each entity is described in two documents
(``kb_docs``); each stated fact is in exactly one of them. Questions (``kb_questions``) come in three
splits whose phrasings never overlap: build and tune on ``train``; ``val`` and ``test`` use held-out
templates, as the judge does. About one question in seven is unanswerable: reply with an
abstention (``ABSTENTIONS``), best ``"unknown"``.

Because questions paraphrase the words the documents use ("hometown" for "was born in") and
names share words across entities, word-matching retrieval is far from perfect here: see
``kb_baselines()`` for BM25's recall on each split, computed with the ``rank_bm25`` library.
"""

from __future__ import annotations

import dataclasses
import functools
import random
import re

from llmpath.datasets import kb_docs, kb_questions, kb_world
from llmpath.datasets import kb_lexicon as lex
from llmpath.datasets.kb_questions import Question

SPLITS = lex.SPLITS
ABSTENTIONS = ("unknown", "no answer", "cannot answer", "")  # compared after lowercasing and dropping punctuation
ABSTAIN = "unknown"


def is_abstention(answer: str) -> bool:
    """Whether ``answer`` is one of ``ABSTENTIONS`` (case, punctuation and extra spaces ignored)."""
    return " ".join(re.sub(r"[^\w\s]", "", str(answer).lower()).split()) in ABSTENTIONS


@dataclasses.dataclass(frozen=True)
class Edit:
    """Facts changed: the new documents, and per fact its old and new values and the document that changed."""

    documents: tuple[str, ...]
    facts: tuple[kb_world.Fact, ...]
    old: tuple[str, ...]
    new: tuple[str, ...]
    doc_ids: tuple[int, ...]


class KnowledgeBase:
    """The documents of one seeded world and its questions. Build it with :func:`knowledge_base`."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.world = kb_world.draw_world(seed)
        self.layout = kb_docs.plan(self.world, seed)
        docs, home = kb_docs.render(self.world, seed, self.layout)
        self.documents: tuple[str, ...] = docs
        self.home: dict[int, int] = home  # fact id -> the id of the document that states it
        self._questions = kb_questions.make_questions(self.world, home, seed)

    def questions(self, split: str = "train") -> tuple[Question, ...]:
        """The questions of ``split`` ("train", "val" or "test")."""
        name = {"validation": "val", "valid": "val"}.get(split, split)
        if name not in self._questions:
            raise ValueError(f"unknown split {split!r}: use one of {', '.join(SPLITS)}")
        return self._questions[name]

    def edit(self, fact_ids: list[int], rng: random.Random) -> Edit:
        """The documents with each fact of ``fact_ids`` changed to another plausible value.

        Only those facts' sentences change (layout, other sentences and document order stay). A new
        value is never a name the entity's documents already mention ("often visits X").
        """
        world = self.world
        new = []
        for fact_id in fact_ids:
            fact = self.world.facts[fact_id]
            own = " ".join(self.documents[self.home[f.id]] for f in self.world.facts if f.entity == fact.entity)
            for _ in range(100):
                value, target = kb_world.alternative(self.world, fact, rng)
                if value not in own:
                    break
            world = world.replace(fact_id, value, target)
            new.append(value)
        docs, home = kb_docs.render(world, self.seed, self.layout)
        facts = tuple(self.world.facts[i] for i in fact_ids)
        return Edit(docs, facts, tuple(f.value for f in facts), tuple(new), tuple(home[i] for i in fact_ids))

    def __repr__(self) -> str:
        sizes = ", ".join(f"{s}={len(self._questions[s])}" for s in SPLITS)
        return f"KnowledgeBase(seed={self.seed}, documents={len(self.documents)}, questions: {sizes})"


@functools.lru_cache(maxsize=8)
def knowledge_base(seed: int = 0) -> KnowledgeBase:
    """The knowledge base of ``seed``: ~180 documents and ~250 / ~125 / ~125 train / val / test questions."""
    return KnowledgeBase(int(seed))
