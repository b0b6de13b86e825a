"""Documents of the knowledge base, written by the grammar engine of ``llmpath.datasets._choosers``.

Each entity gets two documents (as a long article is cut into chunks for retrieval); its facts are
split between them, so a question names an entity that two documents talk about and only one of
them answers. A document opens with a fact in which the entity is named; later sentences may refer
to it by pronoun, mention other entities ("often visits Vey Ford"), or say nothing factual.

Sentences are written by a :class:`Sampler`: the sentence form, and name-or-pronoun, are its
choices; values are *emitted*, never chosen. So the random draws do not depend on any value, and
re-rendering a world in which one fact was edited changes exactly that fact's sentence (the layout,
every other sentence and the document order stay the same). ``kb_world`` draws the facts.
"""

from __future__ import annotations

import random
import re

from llmpath.datasets import kb_lexicon as lex
from llmpath.datasets._choosers import Options, Sampler, uniform
from llmpath.datasets._grammar import article, cap
from llmpath.datasets.kb_world import Entity, Fact, World

PRONOUNS = {"f": "she", "m": "he", None: "it"}
_PLACEHOLDER = re.compile(r"(\{E\}|\{V\}|\{aV\}|\{X\})")
_FORMS = {r.name: uniform([""] * len(r.says), list(range(len(r.says)))) for r in lex.RELATIONS}
_FILLER = {kind: uniform(list(texts)) for kind, texts in lex.FILLER.items()}


def _subject(entity: Entity, initial: bool, may_pronoun: bool) -> Options:
    """Options for referring to the entity: its name, or (3 times in 5 when allowed) its pronoun."""
    name = cap(entity.name) if initial else entity.name
    if not may_pronoun:
        return uniform([name])
    pronoun = PRONOUNS[entity.gender]
    return Options([(name, "name", 2.0), (cap(pronoun) if initial else pronoun, "pronoun", 3.0)])


def say(ch, template: str, entity: Entity, value: str = "", other: str = "", may_pronoun: bool = False) -> None:
    """Write one sentence of ``template`` through the chooser ``ch`` (the subject is a choice)."""
    parts = [p for p in _PLACEHOLDER.split(template) if p]
    for i, part in enumerate(parts):
        initial = i == 0
        if part == "{E}":
            ch.pick(_subject(entity, initial, may_pronoun and initial))
        elif part == "{V}":
            ch.emit(cap(value) if initial else value)
        elif part == "{aV}":
            ch.emit(article(value))
        elif part == "{X}":
            ch.emit(cap(other) if initial else other)
        else:
            ch.emit(part)


def fact_sentence(ch, fact: Fact, entity: Entity, first: bool) -> None:
    relation = lex.BY_NAME[fact.relation]
    form = _FORMS[relation.name].tags[ch.pick(_FORMS[relation.name])]
    template = relation.says[form]
    say(ch, template, entity, fact.value, may_pronoun=not first and template.startswith("{E} "))


class _Plan:
    """What goes into each document, decided from entity and fact ids only (never from values)."""

    def __init__(self, world: World, seed: int) -> None:
        rng = random.Random(f"llmpath-kb-layout-{seed}")
        self.chunks: list[tuple[Entity, list[tuple[str, object]]]] = []
        for entity in world.entities:
            facts = [f for f in world.facts if f.entity == entity.id]
            rng.shuffle(facts)
            half = (len(facts) + 1) // 2
            for part in (facts[:half], facts[half:]):
                items: list[tuple[str, object]] = [("fact", f) for f in part]
                if rng.random() < 0.75:
                    items.append(("mention", self._mention(rng, world, entity)))
                if rng.random() < 0.5:
                    items.append(("filler", None))
                head, tail = items[:1], items[1:]
                rng.shuffle(tail)
                self.chunks.append((entity, head + tail))
        self.order = list(range(len(self.chunks)))
        rng.shuffle(self.order)  # chunks of one entity are not neighbours

    @staticmethod
    def _mention(rng: random.Random, world: World, entity: Entity) -> tuple[str, int]:
        """A sentence naming another entity, never one of this entity's facts (a lure, not a fact)."""
        keys = [k for k in lex.MENTIONS if k[0] == entity.kind]
        key = rng.choice(keys)
        template = rng.choice(lex.MENTIONS[key])
        linked = {f.target for f in world.facts if f.entity == entity.id}
        other = rng.choice([e for e in world.of(key[1]) if e.id != entity.id and e.id not in linked])
        return template, other.id


def plan(world: World, seed: int) -> _Plan:
    """The layout of the documents (which sentences go where, and the document order)."""
    return _Plan(world, seed)


def render(world: World, seed: int, layout: _Plan | None = None) -> tuple[tuple[str, ...], dict[int, int]]:
    """The documents (in id order) and, for every fact, the id of the one document that states it.

    ``layout`` (from :func:`plan` on the original world) keeps an edited world's layout identical.
    """
    plan = layout or _Plan(world, seed)
    facts = {f.id: f for f in world.facts}
    sampler = Sampler(random.Random(f"llmpath-kb-text-{seed}").random)
    texts: list[str] = []
    home: dict[int, int] = {}
    for chunk_index, (entity, items) in enumerate(plan.chunks):
        sentences = []
        for i, (what, item) in enumerate(items):
            sampler.parts.clear()
            if what == "fact":
                fact = facts[item.id]  # the world's current value (an edited world changes it)
                fact_sentence(sampler, fact, entity, first=i == 0)
                home[fact.id] = chunk_index
            elif what == "mention":
                template, other = item
                say(
                    sampler,
                    template,
                    entity,
                    other=world.entities[other].name,
                    may_pronoun=i > 0 and template.startswith("{E} "),
                )
            else:
                sampler.pick(_FILLER[entity.kind])
            sentences.append("".join(sampler.parts))
        texts.append(" ".join(sentences))
    doc_id = {chunk: position for position, chunk in enumerate(plan.order)}
    documents = tuple(texts[chunk] for chunk in plan.order)
    return documents, {fact: doc_id[chunk] for fact, chunk in home.items()}
