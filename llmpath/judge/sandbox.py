"""Run probes in a child process: own process group, wall-clock timeout per job, memory cap.

One child runs all of a milestone's probes (torch is imported once). If the child hangs, blows its
memory cap, crashes or exits early, the job it was running gets an ``error`` outcome and a fresh
child runs the jobs that remain. "No result came back" is always an error, never a pass.
"""

from __future__ import annotations

import dataclasses
import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from llmpath.judge.wire import FrameReader

STARTUP_TIMEOUT_S = 120.0  # interpreter + llmpath imports, before the first job starts
POLL_S = 0.05
OUTPUT_TAIL = 4000  # characters of the learner's output kept per job


@dataclasses.dataclass(frozen=True)
class Job:
    id: str
    validator: str
    params: dict[str, Any]
    seed: int
    timeout_s: float
    memory_mb: int


@dataclasses.dataclass(frozen=True)
class JobError:
    kind: str  # contract, not_implemented, exception, memory, timeout, crash, exit, bad_output, no_result
    message: str
    traceback: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class JobOutcome:
    id: str
    raw: bytes | None  # the encoded probe result (decode with llmpath.judge.codec) when it ran
    error: JobError | None
    output: str  # the tail of what the learner's code printed during this job
    elapsed_s: float


EventFn = Callable[[str, str], None]  # (event, job id): "start" / "done"

_SIGNALS = {
    signal.SIGSEGV: "segmentation fault",
    signal.SIGABRT: "abort",
    signal.SIGBUS: "bus error",
    signal.SIGFPE: "floating-point exception",
    signal.SIGILL: "illegal instruction",
}


def run_jobs(
    milestone: str,
    milestone_dir: Path,
    workspace: Path,
    jobs: Sequence[Job],
    *,
    on_event: EventFn | None = None,
) -> dict[str, JobOutcome]:
    """Run every job's probe; returns an outcome for each job id, whatever happened."""
    outcomes: dict[str, JobOutcome] = {}
    remaining = list(jobs)
    while remaining:
        done = _run_child(milestone, milestone_dir, workspace, remaining, on_event)
        outcomes.update(done)
        remaining = [j for j in remaining if j.id not in outcomes]
    return outcomes


def _tree_rss(pid: int) -> int:
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


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def _read_output(path: Path, start: int, end: int | None) -> str:
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


def _death_error(proc: subprocess.Popen) -> JobError:
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


def _run_child(
    milestone: str,
    milestone_dir: Path,
    workspace: Path,
    jobs: Sequence[Job],
    on_event: EventFn | None,
) -> dict[str, JobOutcome]:
    outcomes: dict[str, JobOutcome] = {}
    memory_mb = max(j.memory_mb for j in jobs)
    by_id = {j.id: j for j in jobs}
    with tempfile.TemporaryDirectory(prefix="llmpath-judge-") as tmp:
        tmpdir = Path(tmp)
        request = tmpdir / "request.json"
        request.write_text(
            json.dumps(
                {
                    "milestone": milestone,
                    "milestone_dir": str(milestone_dir.resolve()),
                    "workspace": str(workspace.resolve()),
                    "memory_mb": memory_mb,
                    "jobs": [dataclasses.asdict(j) for j in jobs],
                }
            )
        )
        out_path = tmpdir / "output.txt"
        read_fd, write_fd = os.pipe()
        env = dict(os.environ)
        env["PYTHONDONTWRITEBYTECODE"] = "1"  # keep the learner's folder free of __pycache__
        env["PYTHONHASHSEED"] = "0"
        env["MPLBACKEND"] = "Agg"
        env.setdefault("OMP_NUM_THREADS", str(min(4, os.cpu_count() or 1)))
        # Make sure the child imports *this* llmpath, wherever it was started from.
        package_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = package_root + os.pathsep + env.get("PYTHONPATH", "")
        with open(out_path, "wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "llmpath.judge.child", str(request), str(write_fd)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                pass_fds=(write_fd,),
                start_new_session=True,  # its own process group: killed whole
                cwd=str(milestone_dir),
                env=env,
            )
        os.close(write_fd)
        os.set_blocking(read_fd, False)
        reader = FrameReader()
        sel = selectors.DefaultSelector()
        sel.register(read_fd, selectors.EVENT_READ)
        current: Job | None = None
        current_out = 0
        started = time.monotonic()
        deadline = started + STARTUP_TIMEOUT_S
        eof = False
        drain_until: float | None = None  # set when the child has exited but its pipe may still hold data

        def stop_current(error: JobError) -> None:
            """The running job ends with ``error`` (after the child was killed or died)."""
            nonlocal current
            assert current is not None
            output = _read_output(out_path, current_out, None)
            outcomes[current.id] = JobOutcome(current.id, None, error, output, time.monotonic() - started)
            if on_event:
                on_event("done", current.id)
            current = None

        try:
            while True:
                if not eof:
                    for _key, _ in sel.select(timeout=POLL_S):
                        try:
                            chunk = os.read(read_fd, 1 << 20)
                        except BlockingIOError:
                            chunk = b""
                            continue
                        if not chunk:
                            eof = True
                            break
                        try:
                            frames = reader.feed(chunk)
                        except ValueError as exc:
                            frames = []
                            eof = True
                            if current is not None:
                                stop_current(JobError("bad_output", str(exc)))
                        for frame in frames:
                            msg = json.loads(frame)
                            if msg.get("type") == "start" and msg.get("job") in by_id:
                                current = by_id[msg["job"]]
                                current_out = int(msg.get("out", 0))
                                started = time.monotonic()
                                deadline = started + current.timeout_s
                                if on_event:
                                    on_event("start", current.id)
                            elif msg.get("type") == "result" and current is not None and msg.get("job") == current.id:
                                output = _read_output(out_path, current_out, int(msg.get("out", -1)))
                                if msg.get("ok"):
                                    outcome = JobOutcome(
                                        current.id, msg["value"].encode("utf-8"), None, output, float(msg.get("elapsed", 0))
                                    )
                                else:
                                    err = msg.get("error") or {}
                                    outcome = JobOutcome(
                                        current.id,
                                        None,
                                        JobError(
                                            str(err.get("kind", "exception")),
                                            str(err.get("message", "")),
                                            tuple(str(x) for x in err.get("traceback", ())),
                                        ),
                                        output,
                                        float(msg.get("elapsed", 0)),
                                    )
                                outcomes[current.id] = outcome
                                if on_event:
                                    on_event("done", current.id)
                                current = None
                                deadline = time.monotonic() + STARTUP_TIMEOUT_S  # until the next start
                else:
                    time.sleep(POLL_S)
                if len(outcomes) == len(jobs):
                    break
                finished = proc.poll() is not None
                if eof or finished:
                    # drain what is left, then judge the death
                    if proc.poll() is None:
                        try:
                            proc.wait(timeout=2)
                        except subprocess.TimeoutExpired:
                            _kill_group(proc)
                    if not eof and proc.poll() is not None:
                        # A result larger than the pipe's buffer arrives in several reads: keep reading
                        # until EOF (bounded, in case a grandchild still holds the write end).
                        if drain_until is None:
                            drain_until = time.monotonic() + 2.0
                        if time.monotonic() < drain_until:
                            continue
                    if eof or proc.poll() is not None:
                        break
                now = time.monotonic()
                if now > deadline:
                    _kill_group(proc)
                    if current is not None:
                        stop_current(
                            JobError(
                                "timeout",
                                f"exceeded its {current.timeout_s:g} s time limit and was stopped: an infinite "
                                "loop, or training inside the function? (an instructor can raise `timeout` "
                                "for this check in roadmap.yaml)",
                            )
                        )
                    else:
                        _fail_all(outcomes, jobs, JobError("crash", "the judge's child process did not start in time"))
                    return outcomes
                if current is not None:
                    rss = _tree_rss(proc.pid)
                    if rss > current.memory_mb * 1024 * 1024:
                        _kill_group(proc)
                        stop_current(
                            JobError(
                                "memory",
                                f"used {rss / 2**20:.0f} MB, over its {current.memory_mb} MB memory cap, and was "
                                "stopped: a huge array, or data kept across iterations?",
                            )
                        )
                        return outcomes
            # the child is gone (or closed its pipe) with jobs left
            if len(outcomes) < len(jobs):
                if proc.poll() is None:
                    _kill_group(proc)
                if current is not None:
                    stop_current(_death_error(proc))
                elif outcomes:
                    pass  # it died between jobs: the caller starts a fresh child for the rest
                else:
                    tail = _read_output(out_path, 0, None)
                    _fail_all(
                        outcomes,
                        jobs,
                        JobError("crash", "the judge's child process died before running any check", (tail,)),
                    )
        finally:
            sel.close()
            os.close(read_fd)
            if proc.poll() is None:
                _kill_group(proc)
    return outcomes


def _fail_all(outcomes: dict[str, JobOutcome], jobs: Sequence[Job], error: JobError) -> None:
    for job in jobs:
        outcomes.setdefault(job.id, JobOutcome(job.id, None, error, "", 0.0))
