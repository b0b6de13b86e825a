"""Small filesystem helpers: crash-safe writes and UTC timestamps."""

from __future__ import annotations

import datetime as _dt
import os
import secrets
from pathlib import Path


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a reader sees either the old or the new file, never a mix.

    The bytes go to a temporary file in the same directory (``os.replace`` is atomic only within one
    filesystem), are flushed and fsynced, then renamed over ``path``; the directory is fsynced so the
    rename itself survives a power cut.
    """
    path = Path(path)
    directory = path.parent
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    # mode 0o666 lets the umask decide, as for any new file the learner creates
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:  # keep the permissions the learner gave the existing file
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        except OSError:
            pass
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(directory)


def atomic_write_text(path: Path, text: str) -> None:
    """``atomic_write_bytes`` of ``text`` encoded as UTF-8 (newlines written as given)."""
    atomic_write_bytes(path, text.encode("utf-8"))


def refuse_outside(root: Path, *paths: Path) -> None:
    """Refuse to write ``paths`` when one of them (or a folder on the way) is a link that leads out of ``root``.

    llmpath writes only inside the workspace: a symlinked log, ``papers_notes/`` or ``.llmpath/``
    pointing elsewhere (another project, a system file) is never written through.
    """
    from llmpath.errors import UsageError

    real_root = Path(root).resolve()
    for path in paths:
        path = Path(path)
        try:
            real = path.resolve()
        except (OSError, RuntimeError) as exc:  # a symlink loop
            raise UsageError(f"{path} cannot be resolved ({exc}): llmpath does not write through it") from None
        if not real.is_relative_to(real_root):
            link = next((p for p in (path, *path.parents) if p.is_symlink()), path)
            raise UsageError(
                f"{link} is a symbolic link to {link.resolve()}, outside the workspace {real_root}: llmpath "
                "does not write through it",
                hint=f"replace the link with a real file or folder inside {real_root}",
            )


def utc_now() -> str:
    """The current UTC time as ISO 8601 to the second: ``YYYY-MM-DDTHH:MM:SSZ``."""
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _fsync_dir(directory: Path) -> None:
    if os.name != "posix":  # Windows cannot open a directory for fsync
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
