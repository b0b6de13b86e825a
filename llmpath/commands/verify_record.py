"""What the record says beside the verdicts: its seal, and what each completion recorded about itself.

``progress.json`` is sealed by llmpath (``state_doc``): an edit made outside llmpath is noticed. The
seal's key is no secret, so a forger can seal again: that is why verify re-judges from git, and why
an unsealed record is reported, not refused (every completion it lists is re-judged all the same).
Each completion also records the hash of the roadmap it was judged against and the fingerprint of
the files judged (``roadmap_hash``, ``progress.fingerprint``); verify compares both with the commit.
"""

from __future__ import annotations

import json

from llmpath.commands.check import milestone_fingerprint
from llmpath.commands.context import Context
from llmpath.commands.verify_report import Finding
from llmpath.errors import StateError
from llmpath.workspace import state_doc
from llmpath.workspace.progress import Progress
from llmpath.workspace.roadmap import Roadmap

_UNSEALED = ("seal:", "version: 1 files carry no seal")


def load_progress(ctx: Context) -> tuple[Progress, list[Finding]]:
    """The record, and a finding when it is not sealed by llmpath (any other damage is an error, exit 2)."""
    try:
        return ctx.progress(), []
    except StateError as error:
        try:
            raw = ctx.store.path.read_bytes()
            state_doc.parse(raw)
        except state_doc.Problems as exc:
            if not all(p.startswith(_UNSEALED) for p in exc.problems):
                raise error from None
        except OSError:
            raise error from None
        else:
            raise
    doc = json.loads(raw)
    doc.pop("seal", None)
    finding = Finding(
        "state",
        "problem",
        ".llmpath/progress.json was changed outside llmpath (its seal does not match: edited by hand, by a merge, "
        "or by code other than llmpath's); every completion it lists is re-judged below, none is taken on its word",
    )
    return Progress.model_validate(doc), [finding]


def completion_notes(progress: Progress, mid: str, tree: Context, roadmap: Roadmap, short: str) -> list[str]:
    """Where the completion's own record disagrees with the commit it names (the verdict is the commit's)."""
    from llmpath.workspace.roadmap_hash import roadmap_hash

    state = progress.state(mid)
    notes = []
    if state.roadmap is not None and state.roadmap != roadmap_hash(roadmap):
        notes.append(
            f"{mid} was completed against a roadmap other than the one committed at {short} (roadmap.yaml changed "
            "without being committed, or the record was edited); judged here under the committed one"
        )
    if state.fingerprint is not None and state.fingerprint != milestone_fingerprint(tree, mid):
        notes.append(
            f"the files of milestones/{mid}/ at {short} are not the ones judged at completion (completed with "
            "uncommitted changes, or the record was edited); judged here as committed"
        )
    return notes


def roadmap_notes(ctx: Context, progress: Progress) -> list[Finding]:
    """The roadmap changes the learner accepted (``llmpath roadmap accept``), and any not accepted yet."""
    from llmpath.workspace.roadmap_hash import diff

    found = []
    for entry in progress.roadmap_log:
        what = "; ".join(f"{k} {', '.join(getattr(entry, k))}" for k in ("added", "removed", "changed")
                         if getattr(entry, k)) or "the order changed"
        where = f" at {entry.commit[:12]}" if entry.commit else ""
        found.append(Finding("roadmap", "note", f"a roadmap change was accepted {entry.at}{where} ({what}): "
                             f"{entry.reason!r}"))
    changes = diff(ctx.roadmap, progress)
    if changes is not None:
        found.append(Finding("roadmap", "note", f"roadmap.yaml is not {changes.against}: {'; '.join(changes.lines())}"))
    return found
