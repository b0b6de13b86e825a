"""m7.loss_curve: an experiment entry tagged M7 shows a picture that exists."""

from __future__ import annotations

from llmpath.validators.api import Verdict, VerdictContext

_PICTURES = {".png", ".svg", ".jpg", ".jpeg", ".pdf", ".gif", ".webp"}


def _verdict_loss_curve(raw: dict, ctx: VerdictContext) -> Verdict:
    from llmpath.errors import LlmpathError
    from llmpath.notebook.logs import read_experiments

    how = (
        f"draw it (`llmpath plot {ctx.milestone}`), then log it: `llmpath log experiment -m {ctx.milestone} "
        f"--objective ... --visualization visualizations/{ctx.milestone}_loss.png`"
    )
    try:
        entries = read_experiments(ctx.workspace, milestone=ctx.milestone)
    except LlmpathError as exc:
        return Verdict.failed(f"the experiment log cannot be read: {exc.message}")
    if not entries:
        return Verdict.failed(f"no experiment entry is tagged {ctx.milestone}", how)
    root = ctx.workspace.resolve()
    problems = []
    for entry in reversed(entries):
        if not entry.visualization:
            problems.append(f"{entry.id} references no picture")
            continue
        path = (root / entry.visualization).resolve()
        if not path.is_relative_to(root):
            problems.append(f"{entry.id}: {entry.visualization} is outside the workspace")
        elif not path.is_file():
            problems.append(f"{entry.id}: {entry.visualization} does not exist")
        elif path.suffix.lower() not in _PICTURES:
            problems.append(f"{entry.id}: {entry.visualization} is not a picture ({', '.join(sorted(_PICTURES))})")
        elif path.stat().st_size == 0:
            problems.append(f"{entry.id}: {entry.visualization} is empty")
        elif path.suffix.lower() == ".png" and path.read_bytes()[:8] != b"\x89PNG\r\n\x1a\n":
            problems.append(f"{entry.id}: {entry.visualization} is not a PNG file")
        else:
            return Verdict.passed(
                f"experiment {entry.id} ({ctx.milestone}) shows {entry.visualization} "
                f"({path.stat().st_size // 1024} KB)"
            )
    return Verdict.failed(f"no {ctx.milestone} experiment entry references an existing picture", *problems[:5], how)
