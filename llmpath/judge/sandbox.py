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
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from llmpath.judge.jobs import EventFn, Job, JobError, JobOutcome
from llmpath.judge.process import (
    child_env,
    death_error,
    kill_group,
    read_output,
    tree_rss,
)
from llmpath.judge.stacks import describe, request_dump
from llmpath.judge.wire import FrameReader

__all__ = ["EventFn", "Job", "JobError", "JobOutcome", "run_jobs"]

STARTUP_TIMEOUT_S = 120.0  # interpreter + llmpath imports, before the first job starts
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
        outcomes.update(done)
        remaining = [j for j in remaining if j.id not in outcomes]
    return outcomes


def _result_outcome(job: Job, msg: dict, output: str) -> JobOutcome:
    """The outcome a ``result`` frame reports for ``job``."""
    elapsed = float(msg.get("elapsed", 0))
    if msg.get("ok"):
        return JobOutcome(job.id, msg["value"].encode("utf-8"), None, output, elapsed)
    err = msg.get("error") or {}
    error = JobError(
        str(err.get("kind", "exception")),
        str(err.get("message", "")),
        tuple(str(x) for x in err.get("traceback", ())),
    )
    return JobOutcome(job.id, None, error, output, elapsed)


class _ChildRun:
    """One child process running ``jobs`` in order, watched for time, memory, death and bad frames.

    ``run`` returns the outcomes of the jobs that finished (or were stopped); when the child dies
    between jobs, the caller starts a fresh one for the rest.
    """

    def __init__(self, milestone: str, milestone_dir: Path, workspace: Path, jobs: Sequence[Job], tmpdir: Path,
                 on_event: EventFn | None) -> None:
        self.jobs = list(jobs)
        self.by_id = {j.id: j for j in jobs}
        self.on_event = on_event
        self.outcomes: dict[str, JobOutcome] = {}
        self.out_path = tmpdir / "output.txt"
        self.stack_path = tmpdir / "stack.txt"
        self.milestone_dir = milestone_dir
        self.current: Job | None = None
        self.current_out = 0
        self.started = time.monotonic()
        self.deadline = self.started + STARTUP_TIMEOUT_S
        self.eof = False
        self.drain_until: float | None = None  # set when the child has exited but its pipe may still hold data
        self.reader = FrameReader()
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
                }
            )
        )
        self.read_fd, write_fd = os.pipe()
        with open(self.out_path, "wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "llmpath.judge.child", str(request), str(write_fd)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                pass_fds=(write_fd,),
                start_new_session=True,  # its own process group: killed whole
                cwd=str(milestone_dir),
                env=child_env(),
            )
        os.close(write_fd)
        os.set_blocking(self.read_fd, False)
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.read_fd, selectors.EVENT_READ)

    def close(self) -> None:
        self.sel.close()
        os.close(self.read_fd)
        if self.proc.poll() is None:
            kill_group(self.proc)

    def run(self) -> dict[str, JobOutcome]:
        while True:
            if not self.eof:
                self._read()
            else:
                time.sleep(POLL_S)
            if len(self.outcomes) == len(self.jobs):
                return self.outcomes
            if self.eof or self.proc.poll() is not None:
                gone = self._gone()
                if gone is None:
                    continue
                if gone:
                    break
            if self._over_limits():
                return self.outcomes
        self._after_death()
        return self.outcomes

    def _read(self) -> None:
        for _key, _ in self.sel.select(timeout=POLL_S):
            try:
                chunk = os.read(self.read_fd, 1 << 20)
            except BlockingIOError:
                continue
            if not chunk:
                self.eof = True
                return
            try:
                frames = self.reader.feed(chunk)
            except ValueError as exc:
                frames = []
                self.eof = True
                if self.current is not None:
                    self._stop_current(JobError("bad_output", str(exc)))
            for frame in frames:
                self._on_frame(json.loads(frame))

    def _on_frame(self, msg: dict) -> None:
        if msg.get("type") == "start" and msg.get("job") in self.by_id:
            self.current = self.by_id[msg["job"]]
            self.current_out = int(msg.get("out", 0))
            self.started = time.monotonic()
            self.deadline = self.started + self.current.timeout_s
            if self.on_event:
                self.on_event("start", self.current.id)
        elif msg.get("type") == "progress" and self.current is not None and msg.get("job") == self.current.id:
            if self.on_event:
                self.on_event("progress", self.current.id, str(msg.get("text", "")))
        elif msg.get("type") == "result" and self.current is not None and msg.get("job") == self.current.id:
            output = read_output(self.out_path, self.current_out, int(msg.get("out", -1)))
            self.outcomes[self.current.id] = _result_outcome(self.current, msg, output)
            if self.on_event:
                self.on_event("done", self.current.id)
            self.current = None
            self.deadline = time.monotonic() + STARTUP_TIMEOUT_S  # until the next start

    def _gone(self) -> bool | None:
        """The child exited or closed its pipe: True once nothing more can come, None while draining."""
        if self.proc.poll() is None:
            try:
                self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                kill_group(self.proc)
        if not self.eof and self.proc.poll() is not None:
            # A result larger than the pipe's buffer arrives in several reads: keep reading until EOF
            # (bounded, in case a grandchild still holds the write end).
            if self.drain_until is None:
                self.drain_until = time.monotonic() + 2.0
            if time.monotonic() < self.drain_until:
                return None
        return self.eof or self.proc.poll() is not None

    def _over_limits(self) -> bool:
        """Stop the child when the running job is past its deadline or over its memory cap."""
        if time.monotonic() > self.deadline:
            where, frames = self._where() if self.current is not None else ("", ())
            kill_group(self.proc)
            if self.current is not None:
                self._stop_current(
                    JobError(
                        "timeout",
                        f"exceeded its {self.current.timeout_s:g} s time limit and was stopped{where}: an "
                        "infinite loop, or training inside the function? (an instructor can raise `timeout` "
                        "for this check in roadmap.yaml)",
                        frames,
                    )
                )
            else:
                _fail_all(
                    self.outcomes, self.jobs, JobError("crash", "the judge's child process did not start in time")
                )
            return True
        if self.current is not None:
            rss = tree_rss(self.proc.pid)
            if rss > self.current.memory_mb * 1024 * 1024:
                where, frames = self._where()
                kill_group(self.proc)
                self._stop_current(
                    JobError(
                        "memory",
                        f"used {rss / 2**20:.0f} MB, over its {self.current.memory_mb} MB memory cap, and was "
                        f"stopped{where}: a huge array, or data kept across iterations?",
                        frames,
                    )
                )
                return True
        return False

    def _where(self) -> tuple[str, tuple[str, ...]]:
        """Where the learner's code is now (faulthandler's dump, asked for by signal), before the kill."""
        return describe(request_dump(self.proc.pid, self.stack_path), self.milestone_dir)

    def _after_death(self) -> None:
        """The child is gone (or closed its pipe) with jobs left."""
        if len(self.outcomes) == len(self.jobs):
            return
        if self.proc.poll() is None:
            kill_group(self.proc)
        if self.current is not None:
            self._stop_current(death_error(self.proc))
        elif not self.outcomes:
            tail = read_output(self.out_path, 0, None)
            _fail_all(
                self.outcomes,
                self.jobs,
                JobError("crash", "the judge's child process died before running any check", (tail,)),
            )
        # else it died between jobs: the caller starts a fresh child for the rest

    def _stop_current(self, error: JobError) -> None:
        """The running job ends with ``error`` (after the child was killed or died)."""
        assert self.current is not None
        output = read_output(self.out_path, self.current_out, None)
        self.outcomes[self.current.id] = JobOutcome(
            self.current.id, None, error, output, time.monotonic() - self.started
        )
        if self.on_event:
            self.on_event("done", self.current.id)
        self.current = None


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
