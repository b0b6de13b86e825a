"""m8.docs: milestones/M8/VOCAB.md documents the vocabulary and the merge rules."""

from __future__ import annotations

import re

from llmpath.validators.api import Verdict, VerdictContext
from llmpath.validators.prose import own_text, own_words, starter_text

# Topics VOCAB.md must touch: (what, alternatives of a case-insensitive regex).
_DOC_TOPICS = (
    ("the 256 byte tokens", r"\b256\b"),
    ("UTF-8", r"utf-?8"),
    ("how merges are learned (the most frequent pair)", r"frequen|most common|count"),
    ("the order merges are applied in when encoding", r"\brank|lowest|earliest|order|priority|first learned"),
    ("decoding and invalid UTF-8", r"u\+fffd|\ufffd|replace|invalid"),
)
_MERGE_LINE = re.compile(r"->|→|=>|\(\s*\d+\s*,\s*\d+\s*\)")  # an arrow, or a pair of ids


def verdict_docs(raw: dict, ctx: VerdictContext) -> Verdict:
    p = ctx.params
    path = ctx.milestone_dir / p.file
    rel = f"milestones/{ctx.milestone}/{p.file}"
    if not path.is_file():
        return Verdict.failed(f"{rel} does not exist", "document your tokenizer's vocabulary and merge rules there")
    body = path.read_text(encoding="utf-8", errors="replace")
    starter = starter_text(ctx.milestone, p.file)
    words = own_words(body, starter)
    own = own_text(body, starter)  # topics count only where the learner wrote about them
    problems = []
    if words < p.min_words:
        problems.append(
            f"it has {words} words of your own; write at least {p.min_words} (the starter's text does not count)"
        )
    if re.search(r"\bTODO\b", body):
        problems.append("it still contains the starter's TODO placeholders")
    missing = [what for what, rx in _DOC_TOPICS if not re.search(rx, own, re.IGNORECASE)]
    if missing:
        problems.append("it does not mention: " + "; ".join(missing))
    examples = sum(1 for line in own.splitlines() if _MERGE_LINE.search(line))
    if examples < p.min_merge_examples:
        problems.append(
            f"it shows {examples} learned merges; show at least {p.min_merge_examples}, one per line, "
            f"like `t + h -> th (id 256)`"
        )
    if problems:
        return Verdict.failed(f"{rel} does not document the vocabulary and merge rules yet", *problems)
    return Verdict.passed(f"{rel} documents the vocabulary and merge rules ({words} words, {examples} merge lines)")
