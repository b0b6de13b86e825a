"""``llmpath paper add``: a note file in papers_notes/ from a template."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from llmpath.commands.context import Context
from llmpath.errors import UsageError
from llmpath.fsutil import refuse_outside, utc_now

TEMPLATE = """# {title}

milestone: {milestone}
url: {url}
added: {added}

## In one paragraph

## Key ideas

## What I want to try

## Questions
"""


def slugify(title: str) -> str:
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:60] or "paper"


def add_paper(ctx: Context, title: str, *, url: str | None = None, milestone: str | None = None) -> Path:
    if not title.strip():
        raise UsageError("a paper needs a title")
    mid = ctx.milestone(milestone).id if milestone else ""
    folder = ctx.root / "papers_notes"
    path = folder / f"{slugify(title)}.md"
    refuse_outside(ctx.root, folder, path)
    folder.mkdir(exist_ok=True)
    if path.exists():
        raise UsageError(f"{ctx.workspace.rel(path)} already exists", hint="open it and keep writing")
    path.write_text(
        TEMPLATE.format(title=title.strip(), milestone=mid, url=url or "", added=utc_now()), encoding="utf-8"
    )
    return path
