"""Start ``runner.py`` in a fresh interpreter on a fresh stage, with a timeout; return what it wrote.

The runner stays in the sandboxed child's process group (so the judge's own timeout and memory cap
still reach it); on this run's timeout its whole process tree is killed.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from llmpath.validators.m14_capstone.stage import make_stage

RUNNER = Path(__file__).resolve().with_name("runner.py")
OUTPUT_TAIL = 2000  # characters of the run's printed output kept for messages
Prepare = Callable[[Path], None]


@dataclasses.dataclass(frozen=True)
class Run:
    """One run: the runner's result (None when none came back), and how it ended."""

    result: dict[str, Any] | None
    returncode: int | None
    timed_out: bool
    elapsed_s: float
    output: str

    def to_raw(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _kill_tree(pid: int) -> None:
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [*proc.children(recursive=True), proc]
    except psutil.Error:
        return
    for p in procs:
        try:
            p.kill()
        except psutil.Error:
            pass


def _env(hash_seed: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PYTHONHASHSEED=str(hash_seed),
        PYTHONDONTWRITEBYTECODE="1",
        PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",  # installed plugins stay out of the capstone's run
        MPLBACKEND="Agg",
        # one BLAS/torch thread per run: runs go several at a time, and a fixed thread count keeps
        # floating-point reductions in the same order from one run to the next
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
    )
    env.pop("PYTEST_ADDOPTS", None)
    env.pop("COVERAGE_PROCESS_START", None)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[3]) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _launch(request: Path, cwd: Path, timeout_s: float, hash_seed: int) -> tuple[int | None, bool, float, str]:
    """Run the runner on ``request``: (return code, timed out, seconds, output tail)."""
    started = time.monotonic()
    out_path = request.with_name("output.txt")
    with open(out_path, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, str(RUNNER), str(request)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=str(cwd),
            env=_env(hash_seed),
        )
        timed_out = False
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_tree(proc.pid)
            proc.wait()
    output = out_path.read_bytes()[-OUTPUT_TAIL * 4 :].decode("utf-8", errors="replace")[-OUTPUT_TAIL:]
    return proc.returncode, timed_out, time.monotonic() - started, output


def _read(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _job(
    request: dict[str, Any], workspace: Path, milestone_dir: Path, root: Path, prepare: Prepare | None
) -> dict[str, Any]:
    """Stage a run under ``root`` and return its full request (paths filled in)."""
    staged = make_stage(workspace, milestone_dir, root / "stage")
    if prepare is not None:
        prepare(staged)
    private = root / "private"
    private.mkdir()
    return dict(
        request,
        stage_milestone=str(staged),
        stage_ws=str(root / "stage" / "ws"),
        workspace=str(Path(workspace).resolve()),
        result=str(private / "result.json"),
    )


def run(
    request: dict[str, Any],
    workspace: Path,
    milestone_dir: Path,
    timeout_s: float,
    *,
    hash_seed: int = 0,
    prepare: Prepare | None = None,
) -> Run:
    """Stage the workspace, run the runner on ``request`` (mode and its fields), collect the result.

    ``prepare(staged_milestone_dir)`` may change the staged copy first (a mutant writes its file).
    """
    with tempfile.TemporaryDirectory(prefix="llmpath-m14-") as tmp:
        job = _job(request, workspace, milestone_dir, Path(tmp), prepare)
        path = Path(job["result"]).with_name("request.json")
        path.write_text(json.dumps(job))
        code, timed_out, elapsed, output = _launch(path, Path(job["stage_milestone"]), timeout_s, hash_seed)
        result = None if timed_out else _read(Path(job["result"]))
        return Run(result, code, timed_out, elapsed, output)


def run_many(
    requests: list[dict[str, Any]],
    workspace: Path,
    milestone_dir: Path,
    timeout_s: float,
    prepares: list[Prepare | None],
    workers: int,
    preload: list[list[str]] | None = None,
) -> list[Run]:
    """One pytest run per request (its stage changed by the matching ``prepares`` item), ``workers`` at a time.

    Where the platform can fork, one runner imports pytest once and forks a process per run (each
    still a fresh process for the capstone, which is imported only after the fork); elsewhere each
    run is a runner of its own.
    """
    if not hasattr(os, "fork"):
        return [run(r, workspace, milestone_dir, timeout_s, prepare=p) for r, p in zip(requests, prepares, strict=True)]
    with tempfile.TemporaryDirectory(prefix="llmpath-m14-") as tmp:
        root = Path(tmp)
        jobs = [
            _job(r, workspace, milestone_dir, root / f"run{i}", p)
            for i, (r, p) in enumerate(zip(requests, prepares, strict=True))
        ]
        server = root / "server"
        server.mkdir()
        order = {
            "preload": preload or [],
            "mode": "many",
            "jobs": jobs,
            "workers": workers,
            "timeout_s": timeout_s,
            "result": str(server / "result.json"),
        }
        (server / "request.json").write_text(json.dumps(order))
        rounds = -(-len(jobs) // max(1, workers))
        code, timed_out, _, output = _launch(server / "request.json", root, timeout_s * rounds + 30.0, 0)
        report = (_read(server / "result.json") or {}).get("jobs", [])
        runs = []
        for i, job in enumerate(jobs):
            info = report[i] if i < len(report) else {"timed_out": timed_out, "elapsed_s": 0.0, "returncode": code}
            result = None if info["timed_out"] else _read(Path(job["result"]))
            runs.append(
                Run(
                    result,
                    info.get("returncode"),
                    bool(info["timed_out"]),
                    float(info["elapsed_s"]),
                    output if result is None else "",
                )
            )
        return runs
