"""One rule for counting a learner's words, used by every documentation check.

A word is a run of letters or digits, with an apostrophe inside it kept (``don't``, ``Adam's``);
Markdown punctuation (``-``, ``#``, ``|``, ``---``) is never a word. Text in ``<!-- comments -->``
never counts. Each check chooses, as explicit parameters, whether headings and fenced code count,
and which starter text to subtract: a line that repeats a line llmpath shipped in the starter file
never counts (however often it is pasted, with or without its "TODO"), and the starter's words are
removed as a multiset from the rest, so deleting "TODO" from a starter adds nothing of the learner's own.
"""

from __future__ import annotations

import re
from collections import Counter

_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def visible(text: str, *, headings: bool = True, code: bool = True) -> str:
    """``text`` without comments, and without ATX headings and fenced code blocks where they do not count."""
    text = _COMMENT.sub(" ", text)
    if headings and code:
        return text
    kept: list[str] = []
    fence: str | None = None
    for line in text.splitlines():
        opener = _FENCE.match(line)
        if fence is not None:
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                fence = None
            if code:
                kept.append(line)
            continue
        if opener:
            fence = opener.group(1)
            if code:
                kept.append(line)
            continue
        if not headings and _HEADING.match(line):
            continue
        kept.append(line)
    return "\n".join(kept)


def words(text: str, *, headings: bool = True, code: bool = True) -> list[str]:
    """The words of Markdown ``text``, casefolded, in order."""
    return [w.casefold() for w in _WORD.findall(visible(text, headings=headings, code=code))]


def word_count(text: str, *, headings: bool = True, code: bool = True) -> int:
    """How many words ``text`` has (see the module docstring for what a word is)."""
    return len(words(text, headings=headings, code=code))


def _key(line: str) -> tuple[str, ...]:
    """A line's words without the starter's placeholders: how a starter line is recognised, however edited."""
    return tuple(w for w in words(line) if w != "todo")


def without_starter_lines(text: str, starter: str) -> tuple[str, str]:
    """``text`` without every line that repeats a line of the starter (a starter pasted twice counts zero
    times), and the starter's lines that were not found so (their words are still to be taken away)."""
    if not starter:
        return text, starter
    # comments first (they never count, and one may span lines): lines are compared as a reader sees them
    text, starter = _COMMENT.sub(" ", text), _COMMENT.sub(" ", starter)
    known = {k for line in starter.splitlines() if (k := _key(line))}
    kept = [line for line in text.splitlines() if not _key(line) or _key(line) not in known]
    found = {_key(line) for line in text.splitlines()} & known
    left = [line for line in starter.splitlines() if _key(line) not in found]
    return "\n".join(kept), "\n".join(left)


def own_words(text: str, starter: str = "", *, headings: bool = True, code: bool = True) -> int:
    """How many words of ``text`` are the learner's own: no line repeating a starter line counts, and the
    starter's words, as a multiset, are taken from what remains (deleting "TODO" adds nothing)."""
    kept, left = without_starter_lines(text, starter)
    own = Counter(words(kept, headings=headings, code=code)) - Counter(words(left, headings=headings, code=code))
    return sum(own.values())


def own_text(text: str, starter: str) -> str:
    """``text`` with the starter's words taken out, line by line: what the learner added.

    For topic checks: the starter's headings and prompts name the topics, so they must not show that
    the learner wrote about them, even with "TODO:" deleted or the spacing changed. The words of
    ``text`` are aligned with the starter's (whitespace tokens, case-insensitive, difflib's longest
    matching blocks); the unmatched ones are kept, on their original lines.
    """
    import difflib

    text, starter = without_starter_lines(text, starter)
    lines = text.splitlines()
    tokens = [(i, token) for i, line in enumerate(lines) for token in line.split()]
    matcher = difflib.SequenceMatcher(
        None, [t.casefold() for _, t in tokens], [t.casefold() for t in starter.split()], autojunk=False
    )
    matched = {a + k for a, _, size in matcher.get_matching_blocks() for k in range(size)}
    kept: list[list[str]] = [[] for _ in lines]
    for k, (i, token) in enumerate(tokens):
        if k not in matched:
            kept[i].append(token)
    return "\n".join(" ".join(words) for words in kept if words)


def starter_text(milestone: str, filename: str) -> str:
    """The starter file llmpath ships for ``milestone`` ("" when there is none)."""
    from llmpath.templates import starter_dir

    path = starter_dir(milestone) / filename
    return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
