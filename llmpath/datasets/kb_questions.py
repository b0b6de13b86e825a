"""Questions over a knowledge base: single-fact, two-hop and unanswerable, each split on its own templates.

Every stated fact is asked exactly once, in one split (half train, a quarter each val and test),
so learning the train answers of a world says nothing about its test answers. Two-hop questions
("In which region is the hometown of X?") need the entity's document and the document of the entity
its first fact names. Unanswerable questions ask for a relation no document states, or about an
entity that does not exist but whose name is made of real name words ("Tamsin Dask"); their answer
is an abstention and they have no gold documents.

``template_grammar`` turns a list of templates into a grammar function for the chooser engine, so
``_choosers.derivations`` can prove that a held-out question cannot be written by the train templates.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Sequence

from llmpath.datasets import kb_lexicon as lex
from llmpath.datasets._choosers import branch, uniform
from llmpath.datasets._grammar import cap
from llmpath.datasets.kb_world import World

SHARES = {"train": 0.5, "val": 0.25, "test": 0.25}  # of the facts, the chains and the gaps
GAPS_PER_SPLIT = {"train": 40, "val": 20, "test": 20}  # unanswerable questions
CHAINS_PER_SPLIT = {"train": 60, "val": 30, "test": 30}


@dataclasses.dataclass(frozen=True)
class Question:
    """One question with its gold answer and the ids of the documents that hold it.

    ``answer`` is None for an unanswerable question (the right reply is an abstention); ``doc_ids``
    is empty then. A two-hop question has two gold documents; every other answerable one has one.
    """

    id: str  # "test-017"
    text: str
    answer: str | None
    doc_ids: tuple[int, ...]
    kind: str  # "single", "multi_hop" or "unanswerable"
    relation: str  # "birthplace", or "birthplace>region" for a two-hop question
    entity: str  # the name the question asks about
    facts: tuple[int, ...]  # ids of the facts the answer rests on (world.facts)
    template: str

    @property
    def answerable(self) -> bool:
        return self.answer is not None


def fill(template: str, name: str) -> str:
    return cap(template.replace("{E}", name)) if template.startswith("{E}") else template.replace("{E}", name)


def _split_of(items: list, rng: random.Random) -> dict[str, list]:
    items = list(items)
    rng.shuffle(items)
    n_train = round(len(items) * SHARES["train"])
    n_val = round(len(items) * SHARES["val"])
    return {"train": items[:n_train], "val": items[n_train : n_train + n_val], "test": items[n_train + n_val :]}


def make_questions(world: World, home: dict[int, int], seed: int) -> dict[str, tuple[Question, ...]]:
    """Every split's questions, in a seeded order (single, two-hop and unanswerable mixed)."""
    rng = random.Random(f"llmpath-kb-questions-{seed}")
    by_split: dict[str, list[Question]] = {s: [] for s in lex.SPLITS}
    names = {e.id: e.name for e in world.entities}
    for split, facts in _split_of(list(world.facts), rng).items():
        for f in facts:
            template = rng.choice(lex.BY_NAME[f.relation].asks[split])
            by_split[split].append(
                Question(
                    "",
                    fill(template, names[f.entity]),
                    f.value,
                    (home[f.id],),
                    "single",
                    f.relation,
                    names[f.entity],
                    (f.id,),
                    template,
                )
            )
    chains = []
    for chain in lex.CHAINS:
        for f in world.facts:
            if f.relation == chain.first and f.target is not None:
                second = world.fact(f.target, chain.second)
                if second is not None and home[f.id] != home[second.id]:
                    chains.append((chain, f, second))
    for split, picked in _split_of(chains, rng).items():
        for chain, first, second in picked[: CHAINS_PER_SPLIT[split]]:
            template = rng.choice(chain.asks[split])
            by_split[split].append(
                Question(
                    "",
                    fill(template, names[first.entity]),
                    second.value,
                    (home[first.id], home[second.id]),
                    "multi_hop",
                    f"{chain.first}>{chain.second}",
                    names[first.entity],
                    (first.id, second.id),
                    template,
                )
            )
    gaps = [(names[e], relation) for e, relation in world.unstated]
    for kind, name in world.phantoms:
        gaps += [(name, r.name) for r in lex.RELATIONS if r.subject == kind and r.name != "companion"]
    for split, picked in _split_of(gaps, rng).items():
        for name, relation in picked[: GAPS_PER_SPLIT[split]]:
            template = rng.choice(lex.BY_NAME[relation].asks[split])
            by_split[split].append(
                Question("", fill(template, name), None, (), "unanswerable", relation, name, (), template)
            )
    out = {}
    for split, questions in by_split.items():
        rng.shuffle(questions)
        out[split] = tuple(dataclasses.replace(q, id=f"{split}-{i:03d}") for i, q in enumerate(questions))
    return out


def templates(split: str) -> list[str]:
    """Every question template of a split (single-fact and two-hop)."""
    out = [t for r in lex.RELATIONS for t in r.asks[split]]
    return out + [t for c in lex.CHAINS for t in c.asks[split]]


def template_grammar(templates_: Sequence[str], names: Sequence[str]) -> Callable[[object], None]:
    """A grammar function (for ``_choosers``) that writes any of ``templates_`` about any of ``names``."""
    choose = branch(*([1.0] * len(templates_)))
    plain, initial = uniform(list(names)), uniform([cap(n) for n in names])

    def grammar(ch) -> None:
        template = templates_[choose.tags[ch.pick(choose)]]
        pieces = template.split("{E}")
        for i, piece in enumerate(pieces):
            if i:
                ch.pick(initial if i == 1 and pieces[0] == "" else plain)
            if piece:
                ch.emit(piece)

    return grammar
