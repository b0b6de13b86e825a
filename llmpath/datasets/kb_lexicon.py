"""The vocabulary of the fictional knowledge base: value lists, relations, and how each is said and asked.

Every relation has *document forms* (how a document states the fact) and *question templates* (how
a question asks for it), and the two use different words on purpose: documents say "was born in",
questions ask for "the hometown" or "where ... is from". A retriever that only matches words finds
the entity's documents by its name but cannot tell which of its two documents holds the fact.

Question templates are split three ways: ``train`` templates are the only phrasings a learner sees
while building; ``val`` and ``test`` phrasings are held out (different sentence frames, and a few
synonyms that no train template uses). ``tests/test_kb.py`` proves with the grammar's own parser that
no held-out question can be written by the train templates.

Placeholders: ``{E}`` the subject (a name, or a pronoun in documents), ``{V}`` the value, ``{aV}``
the value with "a"/"an". Names and values are invented per seed in ``kb_world``.
"""

from __future__ import annotations

import dataclasses

SPLITS = ("train", "val", "test")
KINDS = ("person", "place", "creature", "object")

OCCUPATIONS = (
    "glassblower",
    "cartographer",
    "beekeeper",
    "clockmaker",
    "herbalist",
    "stonemason",
    "weaver",
    "astronomer",
    "lamplighter",
    "potter",
    "bookbinder",
    "blacksmith",
    "shipwright",
    "archivist",
    "falconer",
    "candlemaker",
)
REGIONS = (
    "Amber Marshes",
    "Salt Coast",
    "Iron Hills",
    "Northern Reach",
    "Copper Valley",
    "High Moors",
    "Silver Fens",
    "Ash Downs",
)
GOODS = (
    "salt",
    "amber",
    "wool",
    "honey",
    "silver",
    "glass beads",
    "dyed silk",
    "smoked fish",
    "cider",
    "paper",
    "pottery",
    "rope",
)
SPECIES = ("otter", "heron", "lynx", "tortoise", "raven", "hare", "badger", "stag", "moth", "owl", "fox", "eel")
COLORS = ("grey", "russet", "silver", "black", "white", "golden", "speckled", "blue", "copper", "striped")
FOODS = ("fish", "berries", "beetles", "clover", "mice", "acorns", "moss", "seeds", "frogs", "nectar")
MATERIALS = ("oak", "bronze", "silver", "glass", "bone", "copper", "jade", "ash wood", "iron", "marble")
OBJECT_NOUNS = ("Compass", "Lantern", "Harp", "Chalice", "Clock", "Mirror", "Crown", "Bell", "Loom", "Telescope")
PLACE_SUFFIXES = ("Hollow", "Ford", "Crossing", "Haven", "Reach", "Mill", "Cross", "Well")

# Sentences that name nobody's facts: filler, so documents are not lists of facts.
FILLER = {
    "person": (
        "Neighbours say the door of the workshop is never locked.",
        "Letters from distant friends arrive every month.",
        "Few people know the whole story.",
        "The winters were hard in those years.",
    ),
    "place": (
        "The winters there are long and quiet.",
        "A market is held in the square every week.",
        "Travellers often stop there to rest.",
        "The old road passes close by.",
    ),
    "creature": (
        "Children sometimes leave food out for it.",
        "It is rarely seen in daylight.",
        "Its calls can be heard at dusk.",
        "Many stories are told about it.",
    ),
    "object": (
        "Scholars have written about it for years.",
        "It was repaired once after a storm.",
        "Visitors are asked not to touch it.",
        "A copy of it was made long ago.",
    ),
}

# Cross-document mentions: a sentence in one entity's document that names another entity without
# stating any fact a question asks for ("visits", "wrote to"). They lure readers that take the first
# name in a sentence that mentions the question's entity.
MENTIONS = {
    ("person", "place"): ("{E} often visits {X}.", "{E} spent a winter in {X}."),
    ("person", "person"): ("{E} once wrote a long letter to {X}.", "{E} and {X} met at a fair."),
    ("person", "object"): ("{E} has studied {X} for years.",),
    ("place", "person"): ("{X} sometimes visits {E}.", "{X} passed through {E} on a journey."),
    ("creature", "place"): ("{E} was once seen far from home, near {X}.",),
    ("creature", "person"): ("{X} once tried to draw {E}.",),
    ("object", "place"): ("{E} was shown for a season in {X}.",),
    ("object", "person"): ("{X} once wrote a poem about {E}.",),
}


@dataclasses.dataclass(frozen=True)
class Relation:
    """One attribute or relation of an entity kind, with its document forms and question templates."""

    name: str
    subject: str  # the entity kind it belongs to
    value: str  # "place" / "person" / "creature" (another entity), "text" (from a list) or "number"
    says: tuple[str, ...]  # document forms
    asks: dict[str, tuple[str, ...]]  # split -> question templates
    answer_kind: str = ""  # what kind of answer it has, for readers: "name", "word" or "number"


def _rel(name: str, subject: str, value: str, says: tuple[str, ...], train, val, test) -> Relation:
    kind = "name" if value in KINDS else "number" if value == "number" else "word"
    return Relation(name, subject, value, says, {"train": train, "val": val, "test": test}, kind)


RELATIONS: tuple[Relation, ...] = (
    _rel(
        "occupation",
        "person",
        "text",
        ("{E} works as {aV}.", "By trade, {E} is {aV}.", "{E} earns a living as {aV}."),
        ("What is the profession of {E}?", "What job does {E} have?", "What does {E} do for work?"),
        ("What is {E}'s profession?", "{E} has which job?"),
        ("{E} practises which profession?", "{E} is employed in what line of work?"),
    ),
    _rel(
        "birthplace",
        "person",
        "place",
        ("{E} was born in {V}.", "{E} comes from {V}.", "{V} is where {E} was born."),
        ("What is the hometown of {E}?", "Where is {E} from?", "What is the home town of {E}?"),
        ("{E} is from which town?", "Which town is the hometown of {E}?"),
        ("Tell me which town {E} is from.", "Name the native town of {E}."),
    ),
    _rel(
        "mentor",
        "person",
        "person",
        ("{E} learned the craft from {V}.", "{E} was trained by {V}.", "{V} was the teacher of {E}."),
        ("Who was the mentor of {E}?", "Who mentored {E}?", "Who was {E}'s mentor?"),
        ("Which master taught {E}?", "{E} was mentored by whom?"),
        ("{E} had whom as a mentor?", "Who instructed {E} as an apprentice?"),
    ),
    _rel(
        "age",
        "person",
        "number",
        ("{E} is {V} years old.", "{E} turned {V} this spring.", "At {V}, {E} still works every day."),
        ("How old is {E}?", "What is the age of {E}?", "What age is {E}?"),
        ("{E} is how old?", "Tell me the age of {E}."),
        ("{E} is of what age?", "How many years has {E} lived?"),
    ),
    _rel(
        "companion",
        "person",
        "creature",
        ("{E} looks after a creature called {V}.", "{E} shares a home with {V}.", "{V} lives with {E}."),
        ("What is the name of {E}'s pet?", "Which animal is the pet of {E}?", "What pet does {E} own?"),
        ("Name the pet of {E}.", "{E} owns which pet?"),
        ("The pet of {E} is called what?", "Which creature keeps {E} company?"),
    ),
    _rel(
        "region",
        "place",
        "text",
        ("{E} lies in the {V}.", "{E} is a town in the {V}.", "The {V} is home to {E}."),
        ("In which region is {E}?", "What region is {E} located in?", "Which region contains {E}?"),
        ("{E} is located in what region?", "Name the region of {E}."),
        ("{E} belongs to which region?", "In what province can {E} be found?"),
    ),
    _rel(
        "founded",
        "place",
        "number",
        ("{E} was founded in {V}.", "Settlers built {E} in {V}.", "The first houses of {E} date from {V}."),
        ("When was {E} established?", "In what year was {E} established?", "What year was {E} established?"),
        ("{E} was established in which year?", "Give the year {E} was established."),
        ("The year {E} was established is what?", "Since which year has {E} existed?"),
    ),
    _rel(
        "population",
        "place",
        "number",
        ("{E} has {V} inhabitants.", "About {V} people live in {E}.", "The census counted {V} residents in {E}."),
        ("What is the population of {E}?", "How large is the population of {E}?", "What population does {E} have?"),
        ("{E} has what population?", "Give the population of {E}."),
        ("Tell me the population of {E}.", "How many dwellers does {E} count?"),
    ),
    _rel(
        "known_for",
        "place",
        "text",
        ("{E} is famous for its {V}.", "Traders visit {E} to buy {V}.", "The {V} of {E} is sold far and wide."),
        ("What product is {E} known for?", "What is {E} known for?", "Which product made {E} known?"),
        ("{E} is known for which product?", "Name the product {E} is known for."),
        ("For which product is {E} known?", "What speciality does {E} export?"),
    ),
    _rel(
        "species",
        "creature",
        "text",
        ("{E} is {aV}.", "{E}, {aV}, is well known in these parts.", "Everyone agrees that {E} is {aV}."),
        ("What kind of animal is {E}?", "What type of animal is {E}?", "{E} is what kind of animal?"),
        ("Which kind of animal is {E}?", "Name the kind of animal {E} is."),
        ("Tell me what type of animal {E} is.", "To which species does {E} belong?"),
    ),
    _rel(
        "color",
        "creature",
        "text",
        ("{E} has {V} fur.", "The coat of {E} is {V}.", "{E} is easy to spot, being {V}."),
        ("What color is {E}?", "What is the color of {E}?", "Which color is {E}?"),
        ("{E} is which color?", "Name the color of {E}."),
        ("Tell me the color of {E}.", "What shade is {E}?"),
    ),
    _rel(
        "diet",
        "creature",
        "text",
        ("{E} feeds on {V}.", "{E} hunts for {V} every evening.", "The favourite meal of {E} is {V}."),
        ("What does {E} eat?", "What food does {E} eat?", "What is the food of {E}?"),
        ("{E} eats what?", "Name the food {E} eats."),
        ("Which food does {E} eat?", "On what does {E} survive?"),
    ),
    _rel(
        "habitat",
        "creature",
        "place",
        ("{E} roams the fields around {V}.", "{E} nests close to {V}.", "The woods near {V} are where {E} lives."),
        ("Where does {E} live?", "In which town area does {E} live?", "Where is the home of {E}?"),
        ("{E} lives near which town?", "Name the place where {E} lives."),
        ("Near which town does {E} live?", "Which town is {E}'s habitat near?"),
    ),
    _rel(
        "material",
        "object",
        "text",
        ("{E} is made of {V}.", "{E} was carved from {V}.", "Only {V} was used to build {E}."),
        ("What material is {E} made of?", "What is {E} made of?", "What material was used for {E}?"),
        ("{E} is made of which material?", "Name the material of {E}."),
        ("Which material is {E} made of?", "Out of what substance was {E} fashioned?"),
    ),
    _rel(
        "maker",
        "object",
        "person",
        ("{E} was crafted by {V}.", "{V} made {E}.", "{E} is the work of {V}."),
        ("Who created {E}?", "Who is the creator of {E}?", "Who was the creator of {E}?"),
        ("{E} was created by whom?", "Name the creator of {E}."),
        ("Tell me who the creator of {E} was.", "Whose hands produced {E}?"),
    ),
    _rel(
        "location",
        "object",
        "place",
        ("{E} is kept in {V}.", "{E} is on display in {V}.", "Today {E} rests in {V}."),
        ("Where is {E} stored?", "In which town is {E} stored?", "Where is {E} stored today?"),
        ("{E} is stored in which town?", "Name the town where {E} is stored."),
        ("Which town is {E} stored in?", "Where can one see {E}?"),
    ),
    _rel(
        "year_made",
        "object",
        "number",
        ("{E} was finished in {V}.", "{E} dates from {V}.", "Work on {E} ended in {V}."),
        ("When was {E} completed?", "In what year was {E} completed?", "What year was {E} completed?"),
        ("{E} was completed in which year?", "Give the year {E} was completed."),
        ("Tell me the year {E} was completed.", "In which year was {E} produced?"),
    ),
)
BY_NAME = {r.name: r for r in RELATIONS}


@dataclasses.dataclass(frozen=True)
class Chain:
    """A two-hop question: ``first`` of the entity is another entity whose ``second`` is the answer."""

    first: str
    second: str
    asks: dict[str, tuple[str, ...]]


def _chain(first: str, second: str, train, val, test) -> Chain:
    return Chain(first, second, {"train": train, "val": val, "test": test})


CHAINS: tuple[Chain, ...] = (
    _chain(
        "birthplace",
        "region",
        ("In which region is the hometown of {E}?", "What region is {E}'s hometown located in?"),
        ("The hometown of {E} is in which region?",),
        ("Tell me the region of the hometown of {E}.",),
    ),
    _chain(
        "mentor",
        "occupation",
        ("What is the profession of {E}'s mentor?", "What job does the mentor of {E} have?"),
        ("The mentor of {E} has which job?",),
        ("Tell me the profession of the mentor of {E}.",),
    ),
    _chain(
        "companion",
        "species",
        ("What kind of animal is {E}'s pet?", "What type of animal is the pet of {E}?"),
        ("The pet of {E} is which kind of animal?",),
        ("Tell me what kind of animal the pet of {E} is.",),
    ),
    _chain(
        "maker",
        "birthplace",
        ("What is the hometown of the creator of {E}?", "Where is the creator of {E} from?"),
        ("The creator of {E} hails from which town?",),
        ("Tell me the hometown of the creator of {E}.",),
    ),
    _chain(
        "location",
        "region",
        ("In which region is the town where {E} is stored?", "What region is {E} stored in?"),
        ("The town storing {E} is in which region?",),
        ("Tell me the region of the town where {E} is stored.",),
    ),
    _chain(
        "habitat",
        "known_for",
        ("What product is the town where {E} lives known for?", "What is the town {E} lives near known for?"),
        ("The town {E} lives near is known for which product?",),
        ("Tell me the product the town where {E} lives is known for.",),
    ),
)
