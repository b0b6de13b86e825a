"""The invented world behind one knowledge base: entities with made-up names, and their facts.

Everything is drawn from one seed, so nothing in it can be known from a language model's memory.
Distractors are built in: names are put together from a small pool of invented words, so several
people share a first or last name word and places and objects reuse them ("Tamsin Orlo", "Orlo
Ford", "the Orlo Compass"); attribute values come from short lists, so many entities share them;
and about a third of the entities leave one relation unstated, which is what unanswerable
questions ask for.
"""

from __future__ import annotations

import dataclasses
import random

from llmpath.datasets import kb_lexicon as lex

SIZES = {"person": 40, "place": 20, "creature": 16, "object": 16}
UNSTATED_RATE = 0.35  # chance that an entity leaves one of its relations unstated

_ONSETS = ("b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "dr", "kr", "st", "tr", "vr")
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ei", "ou")
_CODAS = ("", "", "n", "r", "l", "s", "sk", "nd", "x", "m")


@dataclasses.dataclass(frozen=True)
class Entity:
    id: int
    kind: str  # person / place / creature / object
    name: str  # "Tamsin Orlo", "Orlo Ford", "Pim", "the Orlo Compass"
    gender: str | None = None  # "f" or "m" for people, for the pronouns of their documents


@dataclasses.dataclass(frozen=True)
class Fact:
    id: int
    entity: int
    relation: str
    value: str  # as written in the document, e.g. "Kesh Hollow", "4,200", "glassblower"
    target: int | None = None  # the entity the value names, for relations between entities


@dataclasses.dataclass(frozen=True)
class World:
    entities: tuple[Entity, ...]
    facts: tuple[Fact, ...]
    unstated: tuple[tuple[int, str], ...]  # (entity id, relation) pairs no document states
    phantoms: tuple[tuple[str, str], ...]  # (kind, name) of entities that do not exist, from shared words

    def of(self, kind: str) -> list[Entity]:
        return [e for e in self.entities if e.kind == kind]

    def fact(self, entity: int, relation: str) -> Fact | None:
        for f in self.facts:
            if f.entity == entity and f.relation == relation:
                return f
        return None

    def replace(self, fact_id: int, value: str, target: int | None) -> World:
        """The same world with one fact's value changed (used to edit a fact and re-render)."""
        facts = tuple(dataclasses.replace(f, value=value, target=target) if f.id == fact_id else f for f in self.facts)
        return dataclasses.replace(self, facts=facts)


def _word(rng: random.Random) -> str:
    syllables = [rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(2)]
    return (syllables[0] + syllables[1] + rng.choice(_CODAS)).capitalize()


def _words(rng: random.Random, n: int, taken: set[str]) -> list[str]:
    out: list[str] = []
    while len(out) < n:
        w = _word(rng)
        if w.lower() not in taken and 4 <= len(w) <= 8:
            taken.add(w.lower())
            out.append(w)
    return out


def _names(rng: random.Random) -> dict[str, list[tuple[str, str | None]]]:
    taken = {w.lower() for w in lex.PLACE_SUFFIXES + lex.OBJECT_NOUNS}
    n_people = SIZES["person"]
    firsts = _words(rng, n_people * 3 // 5, taken)  # ~0.6 words per person: most first names are shared
    lasts = _words(rng, n_people * 3 // 5, taken)
    people: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    while len(people) < n_people:
        name = f"{rng.choice(firsts)} {rng.choice(lasts)}"
        if name not in seen:
            seen.add(name)
            people.append((name, rng.choice("fm")))
    own = _words(rng, SIZES["place"] + SIZES["creature"], taken)
    pool = lasts + own[: SIZES["place"]]  # half the place words are also surnames
    places = _distinct(rng, SIZES["place"], lambda: f"{rng.choice(pool)} {rng.choice(lex.PLACE_SUFFIXES)}")
    creatures = own[SIZES["place"] :][: SIZES["creature"]]
    objects = _distinct(
        rng, SIZES["object"], lambda: f"the {rng.choice(lasts + firsts)} {rng.choice(lex.OBJECT_NOUNS)}"
    )
    return {
        "person": people,
        "place": [(p, None) for p in places],
        "creature": [(c, None) for c in creatures],
        "object": [(o, None) for o in objects],
    }


def _distinct(rng: random.Random, n: int, draw) -> list[str]:
    out: list[str] = []
    while len(out) < n:
        name = draw()
        if name not in out:
            out.append(name)
    return out


def _value(
    rng: random.Random, relation: lex.Relation, entity: Entity, pools: dict[str, list[Entity]]
) -> tuple[str, int | None]:
    name = relation.name
    if relation.value in lex.KINDS:
        choices = [e for e in pools[relation.value] if e.id != entity.id]
        target = rng.choice(choices)
        return target.name, target.id
    if name == "age":
        return str(rng.randint(19, 88)), None
    if name in ("founded", "year_made"):
        return str(rng.randint(1120, 1890)), None
    if name == "population":
        return f"{rng.randint(3, 900) * 100:,}", None
    values = {
        "occupation": lex.OCCUPATIONS,
        "region": lex.REGIONS,
        "known_for": lex.GOODS,
        "species": lex.SPECIES,
        "color": lex.COLORS,
        "diet": lex.FOODS,
        "material": lex.MATERIALS,
    }[name]
    return rng.choice(values), None


def alternative(world: World, fact: Fact, rng: random.Random) -> tuple[str, int | None]:
    """Another plausible value for ``fact`` (same kind, different value): the value of an edit."""
    relation = lex.BY_NAME[fact.relation]
    entity = world.entities[fact.entity]
    pools = {k: world.of(k) for k in lex.KINDS}
    for _ in range(100):
        value, target = _value(rng, relation, entity, pools)
        if value != fact.value:
            return value, target
    raise RuntimeError(f"no alternative value for {fact}")  # pragma: no cover - every list has > 1 value


def draw_world(seed: int) -> World:
    """The world of one knowledge base."""
    rng = random.Random(f"llmpath-kb-world-{seed}")
    names = _names(rng)
    entities: list[Entity] = []
    for kind in lex.KINDS:
        for name, gender in names[kind]:
            entities.append(Entity(len(entities), kind, name, gender))
    pools = {k: [e for e in entities if e.kind == k] for k in lex.KINDS}
    pets = list(pools["creature"])
    rng.shuffle(pets)
    owners = rng.sample(pools["person"], len(pets))
    facts: list[Fact] = []
    unstated: list[tuple[int, str]] = []
    for entity in entities:
        relations = [r for r in lex.RELATIONS if r.subject == entity.kind]
        hidden = rng.choice(relations).name if rng.random() < UNSTATED_RATE else None
        for relation in relations:
            if relation.name == "companion":
                if entity not in owners:
                    continue  # no pet: not a gap worth asking about for every person
                pet = pets[owners.index(entity)]
                value, target = pet.name, pet.id
            else:
                value, target = _value(rng, relation, entity, pools)
            if relation.name == hidden:
                unstated.append((entity.id, relation.name))
                continue
            facts.append(Fact(len(facts), entity.id, relation.name, value, target))
    return World(tuple(entities), tuple(facts), tuple(unstated), _phantoms(rng, entities))


def _phantoms(rng: random.Random, entities: list[Entity]) -> tuple[tuple[str, str], ...]:
    """Names of entities that do not exist, made of words that real names use ("Tamsin Dask")."""
    people = [e.name.split() for e in entities if e.kind == "person"]
    real = {e.name for e in entities}
    out: list[tuple[str, str]] = []
    while len(out) < 12:
        if len(out) % 3 == 2:
            words = [e.name.split()[1] for e in entities if e.kind == "object"]
            name = f"the {rng.choice(words)} {rng.choice(lex.OBJECT_NOUNS)}"
            kind = "object"
        else:
            name = f"{rng.choice(people)[0]} {rng.choice(people)[1]}"
            kind = "person"
        if name not in real and (kind, name) not in out:
            out.append((kind, name))
    return tuple(out)
