"""The child process seen from outside: its memory, its death, its output, how it is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
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


_PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h
_subreaper: bool | None = None


def become_subreaper() -> bool:
    """Make this process the subreaper of its descendants (Linux): orphans of the learner's code,
    double-forked or not, are re-parented to llmpath instead of init, so they can be found and stopped."""
    global _subreaper
    if _subreaper is None:
        _subreaper = False
        if sys.platform.startswith("linux"):
            try:
                import ctypes

                libc = ctypes.CDLL(None, use_errno=True)
                _subreaper = libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
            except (OSError, AttributeError):
                pass
    return _subreaper


class Reaper:
    """Finds and stops every process the learner's code started: the child's descendants, and orphans
    that were re-parented to llmpath (its subreaper) after their parent exited or double-forked."""

    def __init__(self) -> None:
        import psutil

        become_subreaper()
        self._me = psutil.Process()
        self._before = {p.pid for p in self._me.children()}  # llmpath's own children: not the learner's

    def _strays(self, child_pid: int) -> list:
        import psutil

        found: dict[int, psutil.Process] = {}
        roots = [p for p in self._me.children() if p.pid not in self._before and p.pid != child_pid]
        try:
            roots.append(psutil.Process(child_pid))
        except psutil.Error:
            pass
        for root in roots:
            try:
                family = root.children(recursive=True) + ([root] if root.pid != child_pid else [])
            except psutil.Error:
                continue
            for proc in family:
                try:
                    if proc.status() != psutil.STATUS_ZOMBIE:
                        found[proc.pid] = proc
                except psutil.Error:
                    pass
        return list(found.values())

    def _stop(self, child_pid: int) -> int:
        import psutil

        stopped: set[int] = set()
        for _ in range(50):  # each round kills what exists; a process forking meanwhile is caught next round
            strays = self._strays(child_pid)
            if not strays:
                break
            for proc in strays:
                try:
                    proc.kill()
                    stopped.add(proc.pid)
                except psutil.Error:
                    pass
            time.sleep(0.01)
        self._reap(child_pid)
        return len(stopped)

    def _reap(self, child_pid: int) -> None:
        """Collect the exit status of orphans llmpath adopted, so that none stays a zombie."""
        import psutil

        for proc in self._me.children():
            if proc.pid in self._before or proc.pid == child_pid:
                continue
            for _ in range(40):  # SIGKILL lands within milliseconds; wait that long at most
                try:
                    if os.waitpid(proc.pid, os.WNOHANG)[0]:
                        break
                except (ChildProcessError, OSError, psutil.Error):
                    break
                time.sleep(0.005)

    def stop_descendants(self, child_pid: int) -> tuple[str, ...]:
        """After a job: stop what the learner's code left running (the child itself goes on)."""
        return _left_running(self._stop(child_pid))

    def stop_all(self, child_pid: int) -> tuple[str, ...]:
        """After the child ended or was killed: stop everything that remains of it."""
        return _left_running(self._stop(child_pid))


def _left_running(n: int) -> tuple[str, ...]:
    if not n:
        return ()
    return (f"your code left {n} process{'es' if n != 1 else ''} running; {'they were' if n != 1 else 'it was'} "
            "stopped",)


def output_size(path: Path) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
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
    # The child takes llmpath's own sys.path from its request (see llmpath.judge.child.BOOT); this
    # entry only lets the interpreter find llmpath if the request cannot be read.
    package_root = str(Path(__file__).resolve().parents[2])
    # (no empty entry: an empty PYTHONPATH entry would put the current directory on sys.path)
    parts = [package_root, *(p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p)]
    env["PYTHONPATH"] = os.pathsep.join(parts)
    return env
