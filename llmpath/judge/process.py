"""The child process seen from outside: its memory, its death, its output, how it is killed."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from llmpath.judge.jobs import JobError

OUTPUT_TAIL = 4000  # characters of the learner's output kept per job

_SIGNALS = {
    signal.SIGSEGV: "segmentation fault",
    signal.SIGABRT: "abort",
    signal.SIGBUS: "bus error",
    signal.SIGFPE: "floating-point exception",
    signal.SIGILL: "illegal instruction",
}


def tree_rss(pid: int) -> int:
    import psutil

    try:
        proc = psutil.Process(pid)
        total = proc.memory_info().rss
        for child in proc.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                pass
        return total
    except psutil.Error:
        return 0


def kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def read_output(path: Path, start: int, end: int | None) -> str:
    try:
        with open(path, "rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            end = size if end is None or end < 0 else min(end, size)
            start = max(0, min(start, end))
            # keep the tail: the last lines before a crash are the useful ones
            first = max(start, end - OUTPUT_TAIL * 4)
            fh.seek(first)
            text = fh.read(end - first).decode("utf-8", errors="replace")
    except OSError:
        return ""
    if len(text) > OUTPUT_TAIL or first > start:
        omitted = (end - start) - len(text[-OUTPUT_TAIL:].encode())
        text = f"[... {max(omitted, 0)} bytes of output cut ...]\n" + text[-OUTPUT_TAIL:]
    return text


def death_error(proc: subprocess.Popen) -> JobError:
    code = proc.returncode
    if code is not None and code < 0:
        sig = -code
        name = _SIGNALS.get(sig, signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig))
        if sig == signal.SIGKILL:
            return JobError("crash", "the process was killed (SIGKILL): out of memory at the system level?")
        return JobError("crash", f"the process crashed ({name}, signal {sig}) before returning a result")
    return JobError(
        "no_result",
        f"the process exited (code {code}) before returning a result: does the code call os._exit or sys.exit?",
    )


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # keep the learner's folder free of __pycache__
    env["PYTHONHASHSEED"] = "0"
    env["MPLBACKEND"] = "Agg"
    env.setdefault("OMP_NUM_THREADS", str(min(4, os.cpu_count() or 1)))
    # Make sure the child imports *this* llmpath, wherever it was started from.
    package_root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = package_root + os.pathsep + env.get("PYTHONPATH", "")
    return env
