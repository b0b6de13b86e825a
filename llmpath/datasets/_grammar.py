"""The story grammar behind ``llmpath.datasets.corpus``: one program that both samples and parses.

Each grammar function (``story``, ``intro``, ``body``, ...) talks to a *chooser* through two calls:

* ``ch.emit(text)`` writes a fixed piece of text;
* ``ch.pick(options) -> int`` makes one random choice among ``options`` and writes its string
  (structural choices, such as which template comes next, have empty strings).

The choosers (a :class:`Sampler` that draws, a replayer that parses, :func:`derivations`) are in
``_choosers``. Because sampling and parsing run the *same* functions, the parser cannot drift
from the generator.

Why the exact log-probability of a text is known: every choice among words writes a different
string, and templates differ in their fixed words, so a text has exactly one derivation (the
tests parse thousands of samples and find one derivation each, with the generator's own -log p).
The probability of a text is then the product of its choices' probabilities.

Agreement lives in the option lists: after the subject is chosen, the verb, possessive and
reflexive options are those of its number and gender ("Tom saw himself", "they walk"), and
"a"/"an" is written together with the adjective or noun that follows it.
"""

from __future__ import annotations

from collections.abc import Sequence

from llmpath.datasets._choosers import Options, branch, uniform
from llmpath.datasets._lexicon import (
    ACTIVITIES,
    ANIMALS,
    BAD_FEELINGS,
    BE,
    CHAR_ADJ,
    FEELINGS,
    FEMALE,
    GENDER,
    LANDMARKS,
    MADE,
    MALE,
    MIRRORS,
    MOVES,
    OBJ_ADJ,
    OBJECTS,
    PLACE_ADJ,
    PLACES,
    POSSESSIVE,
    PRONOUN,
    REFLEXIVE,
    RELATIVES,
    TIMES,
    article,
    cap,
    third_person,
)

# ---------------------------------------------------------------------------------------------
# casts: who a sentence can talk about


class Char:
    __slots__ = ("name", "gender", "kind")

    def __init__(self, name: str, gender: str, kind: str | None) -> None:
        self.name, self.gender, self.kind = name, gender, kind


def _subject_items(chars: Sequence[Char], capital: bool) -> list[tuple[str, str]]:
    """(string, gender-or-plural) pairs: the names, the pronouns of the cast, "they", "the <kind>"."""
    up = cap if capital else (lambda s: s)
    items = [(c.name, c.gender) for c in chars]
    for g in sorted({c.gender for c in chars}):
        items.append((up(PRONOUN[g]), g))
    if len(chars) > 1:
        items.append((up("they"), "pl"))
    elif chars[0].kind is not None:
        items.append((up("the " + chars[0].kind), chars[0].gender))
    return items


class StoryCast:
    """The characters of one story; the options for referring to them (uniform over distinct strings)."""

    def __init__(self, chars: Sequence[Char]) -> None:
        self.chars = tuple(chars)
        self.pair = len(chars) > 1
        self.subjects = {
            True: _uniform_pairs(_subject_items(chars, True)),
            False: _uniform_pairs(_subject_items(chars, False)),
        }
        self.names = uniform([c.name for c in chars])
        self._others = {c.name: uniform([o.name for o in chars if o is not c]) for c in chars} if self.pair else {}
        self.templates = BODY_PAIR if self.pair else BODY_SINGLE

    def others(self, name: str) -> Options:
        return self._others[name]


class AnyCast:
    """Sentence-level recognition: any name, pronoun or "the <kind>" of either gender may occur."""

    pair = True

    def __init__(self) -> None:
        chars = [Char(n, GENDER[n], None) for n in FEMALE + MALE]
        items = [(c.name, c.gender) for c in chars]
        self.subjects = {}
        for capital in (True, False):
            up = cap if capital else (lambda s: s)
            extra = [(up(PRONOUN[g]), g) for g in ("f", "m", "pl")]
            extra += [(up("the " + k), g) for k in ANIMALS for g in ("f", "m")]
            extra += [(up("the girl"), "f"), (up("the boy"), "m")]
            self.subjects[capital] = _uniform_pairs(items + extra)
        self.names = uniform([c.name for c in chars])
        self._others = {c.name: uniform([o.name for o in chars if o is not c]) for c in chars}
        self.templates = BODY_PAIR

    def others(self, name: str) -> Options:
        return self._others[name]


def _uniform_pairs(items: Sequence[tuple[str, str]]) -> Options:
    return Options([(s, g, 1.0) for s, g in items])


# ---------------------------------------------------------------------------------------------
# static option lists

NAMES_ANY = uniform(FEMALE + MALE, [GENDER[n] for n in FEMALE + MALE])
NAMES_F = uniform(FEMALE, ["f"] * len(FEMALE))
NAMES_M = uniform(MALE, ["m"] * len(MALE))
A_CHAR_ADJ = uniform([article(a) for a in CHAR_ADJ])
A_PLACE_ADJ = uniform([article(a) for a in PLACE_ADJ])
A_OBJ_ADJ = uniform([article(a) for a in OBJ_ADJ])
SPACE_KIND = uniform([" " + k for k in ("girl", "boy") + ANIMALS], ("girl", "boy") + ANIMALS)
SPACE_KIND_OF = {
    g: uniform([" " + k for k in (w,) + ANIMALS], (w,) + ANIMALS) for g, w in (("f", "girl"), ("m", "boy"))
}
PLACE = uniform(PLACES)
LANDMARK = uniform(LANDMARKS)
OBJECT_ = uniform(OBJECTS)
FEELING = uniform(FEELINGS)
BAD_FEELING = uniform(BAD_FEELINGS)
MOVE = {"sg": uniform([third_person(v) for v in MOVES]), "pl": uniform(MOVES)}
LIKE = {"sg": "likes", "pl": "like"}
ACTIVITY = uniform(ACTIVITIES)
RELATIVE = uniform(RELATIVES)
MADE_ = uniform(MADE)
TIME = uniform(TIMES)
MIRROR = uniform(MIRRORS)

INTRO = branch(1, 1, 1, 1)
SETTING = branch(2, 3)  # 0: no setting sentence, 1: a setting sentence
BODY_SINGLE = branch(3, 3, 3, 3, 2, 0, 0, 2)  # templates 5 and 6 need two characters
BODY_PAIR = branch(3, 3, 3, 3, 2, 2, 2, 2)
MORE = branch(2, 3)  # after the second body sentence: 0 = stop, 1 = one more (at most six)
ENDING = branch(2, 1, 1)
MAX_BODY = 6


def _number(g: str) -> str:
    return "pl" if g == "pl" else "sg"


# ---------------------------------------------------------------------------------------------
# sentences


def intro(ch) -> list[Char]:
    """The first sentence, which introduces the cast."""
    k = ch.pick(INTRO)
    if k < 2:  # one character
        ch.emit("Once upon a time, there was " if k == 0 else "There once was ")
        ch.pick(A_CHAR_ADJ)
        kind = SPACE_KIND.tags[ch.pick(SPACE_KIND)]
        ch.emit(" named " if k == 0 else " called ")
        names = NAMES_F if kind == "girl" else NAMES_M if kind == "boy" else NAMES_ANY
        j = ch.pick(names)
        ch.emit(".")
        return [Char(names.strings[j], names.tags[j], kind)]
    if k == 2:  # two friends
        ch.emit("Once upon a time, there were two friends, ")
        a = NAMES_ANY.strings[ch.pick(NAMES_ANY)]
        ch.emit(" and ")
        b = _pick_other(ch, a)
        ch.emit(".")
        return [Char(a, GENDER[a], None), Char(b, GENDER[b], None)]
    a = NAMES_ANY.strings[ch.pick(NAMES_ANY)]
    ch.emit(" was ")
    ch.pick(A_CHAR_ADJ)
    kinds = SPACE_KIND_OF[GENDER[a]]
    kind = kinds.tags[ch.pick(kinds)]
    ch.emit(", and ")
    b = _pick_other(ch, a)
    ch.emit(f" was {POSSESSIVE[GENDER[a]]} best friend.")
    return [Char(a, GENDER[a], kind), Char(b, GENDER[b], None)]


_OTHER_NAMES = {n: uniform([m for m in FEMALE + MALE if m != n]) for n in FEMALE + MALE}


def _pick_other(ch, name: str) -> str:
    opts = _OTHER_NAMES[name]
    return opts.strings[ch.pick(opts)]


def setting(ch, cast) -> None:
    _subject(ch, cast, True)
    ch.emit(" lived in ")
    ch.pick(A_PLACE_ADJ)
    ch.emit(" ")
    ch.pick(PLACE)
    ch.emit(" near the ")
    ch.pick(LANDMARK)
    ch.emit(".")


def _subject(ch, cast, capital: bool) -> str:
    opts = cast.subjects[capital]
    return opts.tags[ch.pick(opts)]


def body(ch, cast) -> None:
    t = cast.templates.tags[ch.pick(cast.templates)]
    if t == 0:
        ch.emit("One day, ")
        _subject(ch, cast, False)
        ch.emit(" found ")
        ch.pick(A_OBJ_ADJ)
        ch.emit(" ")
        ch.pick(OBJECT_)
        ch.emit(" near the ")
        ch.pick(LANDMARK)
        ch.emit(".")
    elif t == 1:
        g = _subject(ch, cast, True)
        ch.emit(f" {BE[g]} very ")
        ch.pick(FEELING)
        ch.emit(".")
    elif t == 2:
        ch.emit("Every ")
        ch.pick(TIME)
        ch.emit(", ")
        g = _subject(ch, cast, False)
        ch.emit(" ")
        ch.pick(MOVE[_number(g)])
        ch.emit(" to the ")
        ch.pick(LANDMARK)
        ch.emit(".")
    elif t == 3:
        g = _subject(ch, cast, True)
        ch.emit(f" {LIKE[_number(g)]} to ")
        ch.pick(ACTIVITY)
        ch.emit(f" with {POSSESSIVE[g]} ")
        ch.pick(RELATIVE)
        ch.emit(".")
    elif t == 4:
        g = _subject(ch, cast, True)
        ch.emit(f" saw {REFLEXIVE[g]} in the ")
        ch.pick(MIRROR)
        ch.emit(".")
    elif t == 5:
        a = cast.names.strings[ch.pick(cast.names)]
        ch.emit(" gave the ")
        ch.pick(OBJECT_)
        ch.emit(" to ")
        ch.pick(cast.others(a))
        ch.emit(".")
    elif t == 6:
        a = cast.names.strings[ch.pick(cast.names)]
        ch.emit(" and ")
        ch.pick(cast.others(a))
        ch.emit(" ")
        ch.pick(MOVE["pl"])
        ch.emit(" to the ")
        ch.pick(LANDMARK)
        ch.emit(" together.")
    else:
        ch.emit("Then ")
        g = _subject(ch, cast, False)
        ch.emit(" ")
        ch.pick(MADE_)
        ch.emit(" ")
        ch.pick(A_OBJ_ADJ)
        ch.emit(" ")
        ch.pick(OBJECT_)
        ch.emit(f" for {POSSESSIVE[g]} ")
        ch.pick(RELATIVE)
        ch.emit(".")


def ending(ch, cast) -> None:
    e = ch.pick(ENDING)
    if e == 0:
        ch.emit("The end.")
    elif e == 1:
        ch.emit("From that day on, ")
        g = _subject(ch, cast, False)
        ch.emit(f" {BE[g]} never ")
        ch.pick(BAD_FEELING)
        ch.emit(" again.")
    else:
        ch.emit("In the end, ")
        g = _subject(ch, cast, False)
        ch.emit(f" {BE[g]} very happy.")


def story(ch) -> None:
    """One story, ending with a newline: intro, an optional setting, 2 to 6 body sentences, an ending."""
    cast = StoryCast(intro(ch))
    if ch.pick(SETTING):
        ch.emit(" ")
        setting(ch, cast)
    for i in range(MAX_BODY):
        if i >= 2 and not ch.pick(MORE):
            break
        ch.emit(" ")
        body(ch, cast)
    ch.emit(" ")
    ending(ch, cast)
    ch.emit("\n")


_ANY = None
SENTENCE_KINDS = branch(1, 1, 1, 1)  # 0: intro, 1: setting, 2: body, 3: ending


def any_sentence(ch) -> None:
    """Any single sentence of any story (who it talks about is left open)."""
    global _ANY
    if _ANY is None:
        _ANY = AnyCast()
    k = ch.pick(SENTENCE_KINDS)
    if k == 0:
        intro(ch)
    elif k == 1:
        setting(ch, _ANY)
    elif k == 2:
        body(ch, _ANY)
    else:
        ending(ch, _ANY)
