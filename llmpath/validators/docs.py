"""Documentation checks: the journal, the experiment log, and written files such as derivations.

They read files only (no probe), so they run in llmpath's own process. A failure says what is
missing and the exact command that adds it.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from llmpath.errors import LlmpathError
from llmpath.validators.api import Check, Verdict, VerdictContext
from llmpath.validators.prose import own_text, own_words, starter_text, word_count


class JournalParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min_words: int = Field(40, ge=0)  # words in one reflection of this milestone
    mentions: list[str] = []  # words/phrases (case-insensitive) some reflection must contain


class ExperimentsParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min_entries: int = Field(1, ge=0)
    metrics: list[str] = []  # each must be logged in some entry of this milestone
    visualization: bool = False  # some entry must reference a picture that exists


class FileParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str  # relative to the milestone folder
    min_words: int = Field(0, ge=0)
    headings: list[str] = []  # Markdown headings that must exist (case-insensitive)
    mentions: list[str] = []
    exclude_starter: bool = True  # the packaged starter's words never count (False: an instructor's own file)
    min_section_words: int = Field(0, ge=0)  # words under each heading of `headings` (own words with exclude_starter)

    @field_validator("path")
    @classmethod
    def _relative(cls, value: str) -> str:
        if not value.strip() or Path(value).is_absolute() or ".." in Path(value).parts:
            raise ValueError("must be a path inside the milestone folder, like derivation.md")
        return value


# ---------------------------------------------------------------------------------------------
# text helpers

_COMMENT = re.compile(r"<!--.*?(-->|\Z)", re.S)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_BLOCK_START = re.compile(r"^(?: {4}|\t| {0,3}(?:[-*+][ \t]|\d{1,9}[.)][ \t]|>|#|[*_]{3,}))")


def _normal(text: str) -> str:
    return " ".join(text.casefold().split())


def mentions(text: str, phrase: str) -> bool:
    """``phrase`` occurs in ``text`` starting at a word boundary, ignoring case and spacing.

    "optimizer" is found in "Optimizers", "bias" in "bias-corrected"; "lr" is not found in "already".
    """
    words = phrase.split()
    if not words:
        return True
    pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words)
    return re.search(pattern, text, re.IGNORECASE) is not None


def _heading_marks(markdown: str) -> list[tuple[int, int, str]]:
    """(index of the first line after the heading, level, text) of every heading outside code fences."""
    found: list[tuple[int, int, str]] = []
    fence: str | None = None
    previous = ""
    for index, line in enumerate(markdown.splitlines()):
        opener = _FENCE.match(line)
        if fence is not None:
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                fence = None
            previous = ""
            continue
        if opener:
            fence = opener.group(1)
            previous = ""
            continue
        atx = _ATX.match(line)
        setext = _SETEXT.match(line)
        if atx:
            level = len(line.lstrip(" ")) - len(line.lstrip(" ").lstrip("#"))
            found.append((index + 1, level, (atx.group(1) or "").strip()))
            line = ""
        elif setext and _paragraph_line(previous):
            found.append((index + 1, 1 if setext.group(1)[0] == "=" else 2, previous.strip()))
            line = ""
        previous = line
    return found


def headings(markdown: str) -> list[str]:
    """The text of every ATX (``## Title``) and setext (``Title`` over ``===``) heading outside code fences."""
    return [text for _, _, text in _heading_marks(markdown)]


def section(markdown: str, wanted: str) -> str | None:
    """The text under the heading ``wanted`` (an exact match first, else the first that mentions it),
    up to the next heading of the same level or above; None when there is no such heading."""
    marks = _heading_marks(markdown)
    lines = markdown.splitlines()
    target = _normal(wanted).lstrip("#").strip()
    exact = [i for i, mark in enumerate(marks) if _normal(mark[2]) == target]
    near = [i for i, mark in enumerate(marks) if _has_heading([mark[2]], wanted)]
    if not (exact or near):
        return None
    i = (exact or near)[0]
    start, level, _ = marks[i]
    later = [m for m in marks[i + 1 :] if m[1] <= level]
    if not later:
        return "\n".join(lines[start:])
    after = later[0][0]  # the line after the next heading: its own line is after - 1, a setext title after - 2
    end = after - 2 if _SETEXT.match(lines[after - 1]) else after - 1
    return "\n".join(lines[start:end])


def _paragraph_line(line: str) -> bool:
    """Could ``line`` be the text of a setext heading (not blank, a list item, a quote or a rule)?"""
    return bool(line.strip()) and not _BLOCK_START.match(line) and not _SETEXT.match(line)


def _has_heading(found: list[str], wanted: str) -> bool:
    target = _normal(wanted).lstrip("#").strip()
    return any(h == target or mentions(h, target) for h in (_normal(f) for f in found))


def _quoted(items: list[str]) -> str:
    return ", ".join(f"“{item}”" for item in items)


# ---------------------------------------------------------------------------------------------
# docs.journal


def _journal(raw: dict, ctx: VerdictContext) -> Verdict:
    from llmpath.notebook import logs

    params: JournalParams = ctx.params
    mid = ctx.milestone
    try:
        entries = logs.read_journal(ctx.workspace, mid)
    except LlmpathError as exc:
        return Verdict.failed(f"{logs.JOURNAL_FILE} cannot be read", exc.message)
    command = f'llmpath log journal --milestone {mid} "..."'
    counts = [word_count(e.text) for e in entries]
    best = max(counts, default=0)
    metrics = {"entries": float(len(entries)), "words": float(best)}
    if not entries:
        return Verdict.failed(
            f"no reflection for {mid} in {logs.JOURNAL_FILE}",
            f"Write what you learned in {mid} (at least {params.min_words} words): `{command}`",
            metrics=metrics,
        )
    problems = []
    if best < params.min_words:
        problems.append(
            f"your longest {mid} reflection has {best} words; at least {params.min_words} are needed"
        )
    missing = [m for m in params.mentions if not any(mentions(e.text, m) for e in entries)]
    if missing:
        problems.append(f"no {mid} reflection mentions {_quoted(missing)}")
    if problems:
        return Verdict.failed(
            f"the {mid} reflection in {logs.JOURNAL_FILE} is not complete yet",
            *problems,
            f"Add a reflection with `{command}` (entries are append-only: write a fuller one).",
            metrics=metrics,
        )
    return Verdict.passed(
        f"{len(entries)} reflection(s) for {mid}, the longest {best} words", metrics=metrics
    )


# ---------------------------------------------------------------------------------------------
# docs.experiments


def _experiments(raw: dict, ctx: VerdictContext) -> Verdict:
    from llmpath.notebook import logs

    params: ExperimentsParams = ctx.params
    mid = ctx.milestone
    try:
        entries = logs.read_experiments(ctx.workspace, mid)
    except LlmpathError as exc:
        return Verdict.failed(f"{logs.EXPERIMENTS_FILE} cannot be read", exc.message)
    logged = {name for e in entries for name in e.metrics}
    pictures = [e for e in entries if e.visualization and (Path(ctx.workspace) / e.visualization).is_file()]
    gone = [e.visualization for e in entries if e.visualization and e not in pictures]
    metrics = {"entries": float(len(entries)), "with_visualization": float(len(pictures))}

    problems = []
    if len(entries) < params.min_entries:
        problems.append(f"{len(entries)} experiment entries for {mid}; at least {params.min_entries} needed")
    missing = [m for m in params.metrics if m not in logged]
    if missing:
        problems.append(f"no {mid} entry records the metric(s) {', '.join(f'`{m}`' for m in missing)}")
    if params.visualization and not pictures:
        why = f" (referenced but missing now: {', '.join(gone)})" if gone else ""
        problems.append(f"no {mid} entry has a visualization that exists{why}")
    if problems:
        metric_args = " ".join(f"--metric {m}=..." for m in (missing or params.metrics or ["name"]))
        viz_arg = " --visualization visualizations/....png" if params.visualization else ""
        command = (
            f'llmpath log experiment --milestone {mid} --objective "..." --setup "..." {metric_args}{viz_arg}'
        )
        return Verdict.failed(
            f"the {mid} experiment log in {logs.EXPERIMENTS_FILE} is not complete yet",
            *problems,
            f"Log an experiment with `{command}`",
            metrics=metrics,
        )
    return Verdict.passed(
        f"{len(entries)} experiment entr{'y' if len(entries) == 1 else 'ies'} for {mid}"
        + (f" recording {', '.join(params.metrics)}" if params.metrics else ""),
        metrics=metrics,
    )


# ---------------------------------------------------------------------------------------------
# docs.file


def _file(raw: dict, ctx: VerdictContext) -> Verdict:
    params: FileParams = ctx.params
    mid = ctx.milestone
    path = Path(ctx.milestone_dir) / params.path
    shown = f"milestones/{mid}/{params.path}"
    try:
        shown = path.resolve().relative_to(Path(ctx.workspace).resolve()).as_posix()
    except (ValueError, OSError):
        pass
    if not path.is_file():
        return Verdict.failed(
            f"{shown} does not exist", f"Write it: see milestones/{mid}/README.md for what it should hold."
        )
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return Verdict.failed(f"{shown} cannot be read: {exc.strerror or exc}")
    visible = _COMMENT.sub(" ", text)  # instructions left in <!-- comments --> do not count
    starter = starter_text(mid, params.path) if params.exclude_starter else ""  # shipped words never count
    words = own_words(text, starter)
    found = headings(visible)
    metrics = {"words": float(words), "headings": float(len(found))}
    problems = []
    own = " of your own" if starter else ""
    not_counted = "text inside <!-- comments --> not counted"
    if starter:
        not_counted = "the starter's text and <!-- comments --> do not count"
    if starter and " ".join(visible.split()) == " ".join(_COMMENT.sub(" ", starter).split()):
        problems.append("it is still the starter file: write your own text under its headings")
    elif words < params.min_words:
        problems.append(f"it has {words} words{own} ({not_counted}); at least {params.min_words} needed")
    missing_h = [h for h in params.headings if not _has_heading(found, h)]
    if missing_h:
        problems.append(f"missing heading(s) {_quoted(missing_h)} (e.g. `## {missing_h[0]}`)")
    present = [h for h in params.headings if h not in missing_h]
    problems += _thin_sections(visible, starter, present, params.min_section_words)
    missing_m = [m for m in params.mentions if not mentions(own_text(visible, starter), m)]
    if missing_m:
        problems.append(f"it does not mention {_quoted(missing_m)}")
    if problems:
        return Verdict.failed(f"{shown} is not complete yet", *problems, metrics=metrics)
    return Verdict.passed(f"{shown}: {words} words{own}, {len(found)} headings", metrics=metrics)


def _thin_sections(visible: str, starter: str, wanted: list[str], minimum: int) -> list[str]:
    problems = []
    own = " of your own" if starter else ""
    for heading in wanted if minimum else []:
        mine = own_words(section(visible, heading) or "", section(starter, heading) or "")
        if mine < minimum:
            problems.append(f"the “{heading}” section has {mine} words{own}; at least {minimum} needed")
    return problems


CHECKS: tuple[Check, ...] = (
    Check(
        name="docs.journal",
        description="a reflection on the milestone in learning_journal.md",
        verdict=_journal,
        params=JournalParams,
        timeout_s=10.0,
    ),
    Check(
        name="docs.experiments",
        description="experiment entries for the milestone in experiments_log.md",
        verdict=_experiments,
        params=ExperimentsParams,
        timeout_s=10.0,
    ),
    Check(
        name="docs.file",
        description="a written document in the milestone folder",
        verdict=_file,
        params=FileParams,
        timeout_s=10.0,
    ),
)
