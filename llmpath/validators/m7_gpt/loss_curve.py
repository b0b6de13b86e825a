"""m7.loss_curve: an experiment entry tagged M7 shows the loss curve of the learner's own loss_history.json.

What is accepted, precisely: a PNG drawn by ``llmpath plot M7``. It carries, in a PNG text chunk
(``CURVE_KEY``), a BLAKE2b digest of the ``milestones/M7/loss_history.json`` it was drawn from; the
check recomputes the digest of the file as it is now. Any other picture (a cat, a curve drawn by hand
from other numbers, a curve of an older history) is refused with the reason, so that the curve a
reader sees is the history that was judged.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from llmpath.validators.api import Verdict, VerdictContext
from llmpath.validators.m7_gpt.history import HISTORY

CURVE_KEY = "llmpath:loss_history"
_PNG = b"\x89PNG\r\n\x1a\n"


def history_digest(path: Path) -> str:
    """The digest ``llmpath plot M7`` writes into the picture (and the check compares)."""
    from hashlib import blake2b

    return blake2b(Path(path).read_bytes(), digest_size=16).hexdigest()


def png_text(data: bytes) -> dict[str, str] | None:
    """The text chunks (tEXt, zTXt, iTXt) of a PNG; None when ``data`` is not a well-formed PNG."""
    if not data.startswith(_PNG):
        return None
    out: dict[str, str] = {}
    pos, seen_header = len(_PNG), False
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body, crc = data[pos + 8 : pos + 8 + length], data[pos + 8 + length : pos + 12 + length]
        if len(body) != length or len(crc) != 4 or zlib.crc32(kind + body) != struct.unpack(">I", crc)[0]:
            return None  # cut short or corrupt
        seen_header = seen_header or kind == b"IHDR"
        if kind == b"IEND":
            return out if seen_header else None
        if kind in (b"tEXt", b"zTXt", b"iTXt"):
            key, _, rest = body.partition(b"\0")
            try:
                if kind == b"tEXt":
                    value = rest.decode("latin-1")
                elif kind == b"zTXt":
                    value = zlib.decompress(rest[1:]).decode("latin-1")
                else:  # compression flag, method, language tag \0, translated keyword \0, text
                    flag, rest = rest[0], rest[2:]
                    text = rest.split(b"\0", 2)[-1]
                    value = (zlib.decompress(text) if flag else text).decode("utf-8")
                out[key.decode("latin-1")] = value
            except (zlib.error, UnicodeDecodeError, IndexError):
                pass
        pos += 12 + length
    return None


def _judge_picture(root: Path, entry_id: str, rel: str, expected: str | None) -> str | None:
    """None when the picture is accepted, else why not."""
    path = (root / rel).resolve()
    if not path.is_relative_to(root):
        return f"{entry_id}: {rel} is outside the workspace"
    if not path.is_file():
        return f"{entry_id}: {rel} does not exist"
    chunks = png_text(path.read_bytes()[: 64 * 2**20])
    if chunks is None:
        return f"{entry_id}: {rel} is not a PNG file llmpath can read (only `llmpath plot M7`'s picture is accepted)"
    drawn = chunks.get(CURVE_KEY)
    if drawn is None:
        return (f"{entry_id}: {rel} was not drawn by `llmpath plot M7` from your {HISTORY} (the picture must show "
                "the history that is judged, so only llmpath's own drawing of it is accepted)")
    if expected is None:
        return f"{entry_id}: {rel} shows a loss history, but milestones/M7/{HISTORY} does not exist now"
    if drawn != expected:
        return f"{entry_id}: {rel} was drawn from another version of {HISTORY}: run `llmpath plot M7` again"
    return None


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
    history = ctx.milestone_dir / HISTORY
    expected = history_digest(history) if history.is_file() else None
    problems = []
    for entry in reversed(entries):
        if not entry.visualization:
            problems.append(f"{entry.id} references no picture")
            continue
        why = _judge_picture(root, entry.id, entry.visualization, expected)
        if why is None:
            return Verdict.passed(f"experiment {entry.id} ({ctx.milestone}) shows {entry.visualization}, drawn from "
                                  f"your {HISTORY} as it is now")
        problems.append(why)
    return Verdict.failed(f"no {ctx.milestone} experiment entry shows the loss curve of your {HISTORY}",
                          *problems[:5], how)
