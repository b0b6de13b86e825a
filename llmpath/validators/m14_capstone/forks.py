"""The fork server of ``runner.py``: one process imports pytest (and the packages the suite uses) once,
then forks a process per mutant run, ``workers`` at a time, each with its own timeout.

Loaded by path from ``runner.py`` (see there why); it never imports the capstone itself.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable


def _preload(modules: list[list[str]]) -> None:
    """Import the packages the suite uses (torch, numpy...) once, before forking: each fork then starts
    with them. Only a package found at the very file it was loaded from in the suite's run, so that
    nothing of the capstone's (not on this process's path) can be preloaded in its place."""
    import importlib
    import importlib.util

    for name, path in modules:
        try:
            spec = importlib.util.find_spec(name)
            if spec is not None and spec.origin and os.path.realpath(spec.origin) == os.path.realpath(path):
                importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a package that fails here is imported by the run itself
            pass


def _kill_tree(pid: int) -> None:
    import psutil

    try:
        procs = [*psutil.Process(pid).children(recursive=True), psutil.Process(pid)]
    except psutil.Error:
        procs = []
    for proc in procs:
        try:
            proc.kill()
        except psutil.Error:
            pass


def run_many(request: dict, run_one: Callable[[dict], dict], write: Callable[[str, dict], None]) -> dict:
    """Fork one process per job (``workers`` at a time); pytest is imported once, before any fork."""
    import importlib

    import pytest  # noqa: F401 - imported here so that every fork starts with it
    from _pytest.config import default_plugins

    for name in default_plugins:  # pytest imports its own plugins lazily: once here, not in every fork
        try:
            importlib.import_module(f"_pytest.{name}")
        except ImportError:
            pass
    _preload(request.get("preload") or [])
    jobs, workers, timeout = request["jobs"], int(request["workers"]), float(request["timeout_s"])
    report: dict[int, dict] = {}
    running: dict[int, tuple[int, float]] = {}  # pid -> (job, start)
    pending = list(range(len(jobs)))
    while pending or running:
        while pending and len(running) < workers:
            index = pending.pop(0)
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:  # the run: a fresh process as far as the capstone can tell
                try:
                    write(jobs[index]["result"], run_one(jobs[index]))
                finally:
                    os._exit(0)
            running[pid] = (index, time.monotonic())
        pid, status = os.waitpid(-1, os.WNOHANG)
        now = time.monotonic()
        if pid:
            index, started = running.pop(pid)
            report[index] = {
                "timed_out": False,
                "elapsed_s": now - started,
                "returncode": os.waitstatus_to_exitcode(status),
            }
            continue
        for pid, (index, started) in list(running.items()):
            if now - started > timeout:
                _kill_tree(pid)
                os.waitpid(pid, 0)
                running.pop(pid)
                report[index] = {"timed_out": True, "elapsed_s": now - started, "returncode": None}
        time.sleep(0.01)
    return {"jobs": [report[i] for i in range(len(jobs))]}
