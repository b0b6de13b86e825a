"""Run probes in a child process: own process group, wall-clock timeout per job, memory cap.

One child runs all of a milestone's probes (torch is imported once), driven by llmpath: it sends the
child one job at a time and starts that job's clock when it sends it; nothing the child sends can
extend a deadline, and a frame llmpath did not ask for (another job, a replayed order, a malformed
frame) ends the job in ``error`` naming the problem. If the child hangs, blows its memory cap, crashes
or exits early, the job it was running gets an ``error`` outcome and a fresh child runs the jobs that
remain. "No result came back" is always an error, never a pass. When a job ends, every process the
learner's code started is stopped (llmpath is their subreaper where the system allows it).
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import selectors
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from llmpath.judge.child import BOOT
from llmpath.judge.jobs import EventFn, Job, JobError, JobOutcome
from llmpath.judge.process import (
    Reaper,
    child_env,
    death_error,
    kill_group,
    output_size,
    read_output,
    tree_rss,
)
from llmpath.judge.stacks import describe, request_dump
from llmpath.judge.wire import FrameReader, ProtocolError, field, parse_frame, write_frame

__all__ = ["EventFn", "Job", "JobError", "JobOutcome", "run_jobs"]

STARTUP_TIMEOUT_S = 120.0  # interpreter + llmpath imports, before the child says it is ready
POLL_S = 0.05


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
        if not done:  # cannot happen: a child run always settles its first job; guard against a loop
            _fail_all(outcomes, remaining, JobError("crash", "the judge's child process gave no result"))
        outcomes.update(done)
        remaining = [j for j in remaining if j.id not in outcomes]
    return outcomes


def _result_outcome(job: Job, msg: dict[str, Any], output: str, elapsed: float, notes: tuple[str, ...]) -> JobOutcome:
    """The outcome a well-formed ``result`` frame reports for ``job``; ProtocolError when it is not."""
    if field(msg, "ok", bool):
        value = field(msg, "value", str)
        return JobOutcome(job.id, value.encode("utf-8"), None, output, elapsed, notes)
    err = field(msg, "error", dict)
    trace = err.get("traceback", [])
    if not isinstance(trace, list) or not all(isinstance(x, str) for x in trace):
        raise ProtocolError("a result frame's `error.traceback` is not a list of strings")
    error = JobError(field(err, "kind", str), field(err, "message", str), tuple(trace))
    return JobOutcome(job.id, None, error, output, elapsed, notes)


class _ChildRun:
    """One child process running ``jobs`` in order, watched for time, memory, death and bad frames.

    ``run`` returns the outcomes of the jobs that finished (or were stopped); when the child dies
    between jobs, the caller starts a fresh one for the rest.
    """

    def __init__(self, milestone: str, milestone_dir: Path, workspace: Path, jobs: Sequence[Job], tmpdir: Path,
                 on_event: EventFn | None) -> None:
        self.jobs = list(jobs)
        self.on_event = on_event
        self.outcomes: dict[str, JobOutcome] = {}
        self.out_path = tmpdir / "output.txt"
        self.stack_path = tmpdir / "stack.txt"  # faulthandler's dump, asked for before a stop
        self.milestone_dir = milestone_dir
        self.reader = FrameReader()
        self._pending: list[bytes] = []  # complete frames read but not yet handled
        self.eof = False
        request = tmpdir / "request.json"
        request.write_text(
            json.dumps(
                {
                    "milestone": milestone,
                    "milestone_dir": str(milestone_dir.resolve()),
                    "workspace": str(workspace.resolve()),
                    "memory_mb": max(j.memory_mb for j in jobs),
                    "stack_file": str(self.stack_path),
                    "jobs": [dataclasses.asdict(j) for j in jobs],
                    "sys_path": [p for p in sys.path if p],
                }
            ),
            encoding="utf-8",
        )
        self.reaper = Reaper()
        self.read_fd, result_w = os.pipe()
        command_r, self.command_fd = os.pipe()
        with open(self.out_path, "wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", BOOT, str(request), str(result_w), str(command_r)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                pass_fds=(result_w, command_r),
                start_new_session=True,  # its own process group: killed whole
                cwd=str(milestone_dir),
                env=child_env(),
            )
        os.close(result_w)
        os.close(command_r)
        os.set_blocking(self.read_fd, False)
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.read_fd, selectors.EVENT_READ)

    def close(self) -> None:
        self.sel.close()
        os.close(self.read_fd)
        try:
            os.close(self.command_fd)
        except OSError:
            pass
        if self.proc.poll() is None:
            kill_group(self.proc)
        self.reaper.stop_all(self.proc.pid)

    def run(self) -> dict[str, JobOutcome]:
        ready = self._await(None, time.monotonic() + STARTUP_TIMEOUT_S)
        if isinstance(ready, JobError) or ready.get("type") != "ready":
            error = ready if isinstance(ready, JobError) else JobError("protocol", "the child did not say it was ready")
            self._stop()
            if error.kind == "timeout":
                error = JobError("crash", "the judge's child process did not start in time")
            elif error.kind == "no_result":
                tail = read_output(self.out_path, 0, None)
                error = JobError("crash", "the judge's child process died before running any check", (tail,))
            _fail_all(self.outcomes, self.jobs, error)
            return self.outcomes
        for job in self.jobs:
            if not self._one(job):
                break
        return self.outcomes

    def _one(self, job: Job) -> bool:
        """Dispatch ``job``, wait for its result; False when the child cannot run more jobs."""
        nonce = secrets.token_hex(16)
        start_out = output_size(self.out_path)
        started = time.monotonic()
        if self.on_event:
            self.on_event("start", job.id)
        try:
            write_frame(self.command_fd, json.dumps({"type": "run", "job": job.id, "nonce": nonce}).encode())
        except OSError:
            got: dict[str, Any] | JobError = death_error(self._wait_death())
        else:
            got = self._await(job, started + job.timeout_s)
        alive = True
        if isinstance(got, dict):
            try:
                if got.get("type") != "result" or got.get("job") != job.id or got.get("nonce") != nonce:
                    raise ProtocolError(_unasked(got, job.id))
                notes = self.reaper.stop_descendants(self.proc.pid)
                output = read_output(self.out_path, start_out, None)
                outcome = _result_outcome(job, got, output, time.monotonic() - started, notes)
            except ProtocolError as exc:
                got = JobError("protocol", f"{exc}: the result cannot be trusted, so the check was stopped")
        if isinstance(got, JobError):
            alive = False
            self._stop()
            notes = self.reaper.stop_all(self.proc.pid)
            if got.kind == "no_result":
                got = death_error(self.proc)
            outcome = JobOutcome(job.id, None, got, read_output(self.out_path, start_out, None),
                                 time.monotonic() - started, notes)
        self.outcomes[job.id] = outcome
        if self.on_event:
            self.on_event("done", job.id)
        return alive

    def _await(self, job: Job | None, deadline: float) -> dict[str, Any] | JobError:
        """The next frame from the child, or why none came (timeout, memory, death, a malformed frame)."""
        while True:
            if not self.eof:
                try:
                    frame = self._read()
                except ProtocolError as exc:
                    return JobError("protocol", str(exc))
                if frame is not None and frame.get("type") == "progress" and job is not None:
                    # what the probe says it is doing: shown, never judged (its job and text only)
                    if self.on_event and frame.get("job") == job.id:
                        self.on_event("progress", job.id, str(frame.get("text", ""))[:200])
                    continue
                if frame is not None:
                    return frame
            if self.eof or self.proc.poll() is not None:
                if not self.eof and self._drain_after_exit():
                    continue
                partial = self.reader.partial()
                if partial is not None:
                    return JobError("protocol", f"the child's result was cut short: {partial}")
                return JobError("no_result", "")
            if time.monotonic() > deadline:
                if job is None:
                    return JobError("timeout", "")
                where, frames = self._where()
                return JobError(
                    "timeout",
                    f"exceeded its {job.timeout_s:g} s time limit and was stopped{where}: an infinite loop, or "
                    "training inside the function? (an instructor can raise `timeout` for this check in roadmap.yaml)",
                    frames,
                )
            if job is not None:
                rss = tree_rss(self.proc.pid)
                if rss > job.memory_mb * 1024 * 1024:
                    where, frames = self._where()
                    return JobError(
                        "memory",
                        f"used {rss / 2**20:.0f} MB, over its {job.memory_mb} MB memory cap, and was stopped{where}: "
                        "a huge array, or data kept across iterations?",
                        frames,
                    )

    def _where(self) -> tuple[str, tuple[str, ...]]:
        """Where the learner's code is now (faulthandler's dump, asked for by signal), before the stop."""
        return describe(request_dump(self.proc.pid, self.stack_path), self.milestone_dir)

    def _read(self) -> dict[str, Any] | None:
        """One parsed frame if one is complete (raises ProtocolError for a malformed one)."""
        if self._pending:
            return parse_frame(self._pending.pop(0))
        for _key, _ in self.sel.select(timeout=POLL_S):
            try:
                chunk = os.read(self.read_fd, 1 << 20)
            except BlockingIOError:
                continue
            if not chunk:
                self.eof = True
                return None
            self._pending.extend(self.reader.feed(chunk))
        return parse_frame(self._pending.pop(0)) if self._pending else None

    def _drain_after_exit(self) -> bool:
        """The child exited: keep reading for a moment, a result larger than the pipe arrives in pieces."""
        end = time.monotonic() + 2.0
        while time.monotonic() < end and not self.eof:
            try:
                chunk = os.read(self.read_fd, 1 << 20)
            except BlockingIOError:
                time.sleep(POLL_S / 5)
                continue
            if not chunk:
                self.eof = True
                break
            self._pending.extend(self.reader.feed(chunk))
            if self._pending:
                return True
        self.eof = True
        return bool(self._pending)

    def _wait_death(self) -> subprocess.Popen:
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            kill_group(self.proc)
        return self.proc

    def _stop(self) -> None:
        if self.proc.poll() is None:
            kill_group(self.proc)


def _unasked(msg: dict[str, Any], job_id: str) -> str:
    if msg.get("type") != "result":
        return f"the child sent a {msg.get('type')!r} frame while llmpath waited for the result of {job_id}"
    if msg.get("job") != job_id:
        return f"the child sent a result for {msg.get('job')!r}, a job llmpath did not ask for (it asked for {job_id})"
    return f"the child sent a result for {job_id} that does not answer llmpath's order (a replayed or copied frame)"


def _run_child(
    milestone: str,
    milestone_dir: Path,
    workspace: Path,
    jobs: Sequence[Job],
    on_event: EventFn | None,
) -> dict[str, JobOutcome]:
    with tempfile.TemporaryDirectory(prefix="llmpath-judge-") as tmp:
        child = _ChildRun(milestone, milestone_dir, workspace, jobs, Path(tmp), on_event)
        try:
            return child.run()
        finally:
            child.close()


def _fail_all(outcomes: dict[str, JobOutcome], jobs: Sequence[Job], error: JobError) -> None:
    for job in jobs:
        outcomes.setdefault(job.id, JobOutcome(job.id, None, error, "", 0.0))
