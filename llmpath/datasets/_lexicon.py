"""The words of the story grammar: names, nouns, adjectives, verbs, and the agreement tables.

Every word is lowercase except names; sentence-initial words are capitalised by the grammar.
"""

from __future__ import annotations

FEMALE = ("Anna", "Mia", "Lucy", "Rosa", "Ella", "Nora", "Ivy", "Zoe", "Lily", "Sara")
MALE = ("Tom", "Ben", "Max", "Leo", "Sam", "Jack", "Finn", "Omar", "Hugo", "Paul")
GENDER = {**{n: "f" for n in FEMALE}, **{n: "m" for n in MALE}}
ANIMALS = ("cat", "dog", "fox", "bear", "rabbit", "mouse", "owl", "duck", "frog", "bird", "lion", "pig", "goat")
CHAR_ADJ = (
    "little", "small", "big", "kind", "brave", "happy", "shy", "clever", "old",
    "young", "curious", "quiet", "funny", "gentle", "silly", "tiny", "proud", "sleepy",
)
PLACES = ("house", "village", "town", "forest", "farm", "castle", "garden", "cottage", "city", "valley")
PLACE_ADJ = ("small", "big", "quiet", "old", "green", "busy", "warm", "cozy")
LANDMARKS = (
    "river", "sea", "hill", "lake", "woods", "mountain", "park", "school", "bridge", "market", "beach", "field",
)
OBJECTS = (
    "ball", "kite", "box", "hat", "book", "key", "shell", "stone", "apple", "cake",
    "flower", "map", "coin", "drum", "feather", "lamp", "ring", "boat", "toy", "cup",
)
OBJ_ADJ = ("red", "blue", "green", "yellow", "shiny", "old", "tiny", "big", "soft", "strange", "golden", "broken")
FEELINGS = (
    "happy", "sad", "tired", "excited", "scared", "proud", "hungry", "sleepy", "angry", "calm", "lonely", "surprised",
)
BAD_FEELINGS = ("sad", "scared", "lonely", "angry", "bored")
MOVES = ("walk", "run", "go", "swim", "ride", "hurry", "fly", "climb", "skip")
ACTIVITIES = ("play", "sing", "dance", "read", "draw", "paint", "jump", "climb", "bake", "dig", "fish", "hide")
RELATIVES = (
    "mom", "dad", "sister", "brother", "grandma", "grandpa", "friends", "teacher", "neighbor", "aunt", "uncle",
)
MADE = ("made", "found", "bought", "drew", "painted", "built", "wrapped", "hid")
TIMES = ("morning", "day", "evening")
MIRRORS = ("water", "mirror", "window", "pond")

PRONOUN = {"f": "she", "m": "he", "pl": "they"}
OBJECT = {"f": "her", "m": "him", "pl": "them"}
POSSESSIVE = {"f": "her", "m": "his", "pl": "their"}
REFLEXIVE = {"f": "herself", "m": "himself", "pl": "themselves"}
BE = {"f": "was", "m": "was", "pl": "were"}


def third_person(verb: str) -> str:
    """walk -> walks, go -> goes, hurry -> hurries (the verbs above only)."""
    if verb.endswith("y") and verb[-2] not in "aeiou":
        return verb[:-1] + "ies"
    if verb.endswith(("o", "s", "sh", "ch", "x")):
        return verb + "es"
    return verb + "s"


def article(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]
