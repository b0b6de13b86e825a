"""One run of the capstone in a fresh interpreter: ``python runner.py REQUEST.json``.

Started by the M14 probes (in the sandboxed child) with a timeout of its own; it runs in a staged copy
of the workspace (``stage``) and writes one JSON result file. Two modes:

* ``pytest``: the capstone's tests with llmpath's ``Recorder`` plugin, under ``coverage`` when asked
  (the capstone's code files only; ``# pragma: no cover`` is not honoured, only the
  ``if __name__ == "__main__":`` block is left out).
* ``evaluate``: ``evaluate(seed)`` of ``capstone.py``, with the metrics it returned and, when asked,
  which functions of given folders it called (a ``sys.settrace`` hook that sees only function calls,
  never lines: cheap enough for a tokenizer's inner loop).

It is started by path, not with ``-m``, so that nothing in the capstone's folder can stand in for it;
its own folder is removed from ``sys.path`` before anything of the capstone is imported. Everything
the capstone needs is imported *after* llmpath's own modules, pytest and coverage.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path
from typing import Any

if sys.path and os.path.realpath(sys.path[0]) == os.path.dirname(os.path.realpath(__file__)):
    del sys.path[0]  # our folder's module names (plugin, layout...) must not shadow the capstone's

MAIN_GUARD = r"if\s+__name__\s*==\s*['\"]__main__['\"]\s*:"
TYPE_CHECKING = r"if\s+(typing\.)?TYPE_CHECKING\s*:"
INI = "[pytest]\nenable_assertion_pass_hook = true\n"


def _shown(path: str, request: dict) -> str:
    """A path the learner recognises: relative to the workspace (stage copies mapped back)."""
    real = os.path.realpath(path)
    for root in (request["stage_ws"], request["workspace"]):
        base = os.path.realpath(root)
        if real.startswith(base + os.sep):
            return os.path.relpath(real, base).replace(os.sep, "/")
    return path


def _coverage(sources: list[str], omit: list[str]) -> Any:
    import coverage

    cov = coverage.Coverage(data_file=None, source=sources, omit=omit or None, config_file=False, branch=False)
    cov.clear_exclude()  # `# pragma: no cover` would let a capstone hide its untested code
    cov.exclude(MAIN_GUARD)
    cov.exclude(TYPE_CHECKING)
    return cov


def _enter(request: dict) -> None:
    os.chdir(request["stage_milestone"])
    sys.path[:0] = [request["stage_milestone"], request["stage_ws"]]  # as the judge's child does


def _plugin() -> Any:
    """``plugin.py`` loaded by path: importing it through the llmpath package would cost pydantic & co."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_llmpath_m14_plugin", Path(__file__).with_name("plugin.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


TEST_FILES = ["*/tests/*", "*/test/*", "*/test_*.py", "*_test.py", "*/conftest.py"]


def run_pytest(request: dict) -> dict:
    """The capstone's tests (``only``: just these node ids, in this order), optionally under coverage."""
    import pytest

    stage = request["stage_milestone"]
    cov = _coverage([stage], TEST_FILES) if request.get("coverage") else None
    recorder = _plugin().Recorder([Path(request["stage_ws"]), Path(request["workspace"])], cov, request.get("only"))
    ini = Path(request["result"]).with_name("pytest.ini")
    ini.write_text(INI)
    args = [stage, "-q", "-p", "no:cacheprovider", "-c", str(ini), "--rootdir", stage]
    if request.get("exitfirst"):
        args.append("-x")
    _enter(request)
    if cov is not None:
        cov.start()
    try:
        code = int(pytest.main(args, plugins=[recorder]))
        crash = None
    except BaseException as exc:  # noqa: BLE001 - a conftest may raise anything, SystemExit included
        code, crash = -1, f"pytest stopped: {type(exc).__name__}: {exc}"
    finally:
        if cov is not None:
            cov.stop()
    result = {"exit_code": code, "crash": crash, **recorder.data()}
    if cov is not None:
        result.update(_measured(cov, stage, request.get("code_files", [])))
    return result


def _measured(cov: Any, stage: str, code_files: list[str]) -> dict:
    """Coverage per code file, and which tests ran each line (to run only those on a mutant of it)."""
    coverage: dict[str, dict] = {}
    tests_by_line: dict[str, dict[str, list[str]]] = {}
    data = cov.get_data()
    for rel in code_files:
        path = os.path.join(stage, rel)
        try:
            _, statements, _, missing, _ = cov.analysis2(path)
        except Exception as exc:  # noqa: BLE001 - a file coverage cannot parse (a syntax error)
            coverage[rel] = {"error": str(exc)}
            continue
        coverage[rel] = {"statements": list(statements), "missing": list(missing)}
        by_line = data.contexts_by_lineno(os.path.realpath(path)) or data.contexts_by_lineno(path)
        tests_by_line[rel] = {str(line): sorted(c for c in contexts if c) for line, contexts in by_line.items()}
    return {"coverage": coverage, "tests_by_line": tests_by_line}


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    item = getattr(value, "item", None)  # numpy scalars and 0-d arrays / tensors
    if callable(item) and getattr(value, "ndim", 0) == 0:
        try:
            got = item()
        except Exception:  # noqa: BLE001
            return None
        return None if isinstance(got, bool) or not isinstance(got, (int, float)) else float(got)
    return None


def _metrics(value: Any) -> dict:
    if not isinstance(value, dict):
        return {"type": type(value).__name__}
    metrics, bad = {}, []
    for key, item in value.items():
        number = _number(item)
        if not isinstance(key, str) or number is None:
            bad.append(f"{key!r}: {type(item).__name__}")
        else:
            metrics[key] = number
    return {"metrics": metrics, "bad": bad}


def _failure(exc: BaseException, request: dict) -> dict:
    stage = os.path.realpath(request["stage_ws"])
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if os.path.realpath(f.filename).startswith(stage)]
    lines = [f'  File "{_shown(f.filename, request)}", line {f.lineno}, in {f.name}' for f in frames[-8:]]
    where = frames[-1].name if frames else "evaluate"
    kind = "not_implemented" if isinstance(exc, NotImplementedError) else "exception"
    return {
        "ok": False,
        "kind": kind,
        "message": f"{type(exc).__name__}: {exc}"[:600],
        "where": where,
        "traceback": lines,
    }


class _Calls:
    """Which functions defined under ``roots`` were called: (file, first line of the code object).

    The trace function only adds the frame's code object to a set and returns None (no line events),
    the least a Python-level hook can do per call; files are sorted out once, at the end.
    """

    def __init__(self, roots: list[str]) -> None:
        self.roots = tuple(root + os.sep for root in roots)
        self.codes: set[Any] = set()
        add = self.codes.add

        def trace(frame: Any, event: str, arg: Any) -> None:
            add(frame.f_code)

        self.trace = trace

    def start(self) -> None:
        import threading

        threading.settrace(self.trace)
        sys.settrace(self.trace)

    def stop(self) -> None:
        import threading

        sys.settrace(None)
        threading.settrace(None)  # type: ignore[arg-type]

    def report(self, request: dict) -> dict[str, list[int]]:
        inside: dict[str, bool] = {}
        out: dict[str, set[int]] = {}
        for code in self.codes:
            name = code.co_filename
            if name not in inside:
                inside[name] = os.path.isabs(name) and os.path.realpath(name).startswith(self.roots)
            if inside[name]:
                out.setdefault(_shown(name, request), set()).add(code.co_firstlineno)
        return {f: sorted(lines) for f, lines in sorted(out.items())}


def run_evaluate(request: dict) -> dict:
    import importlib.util

    entry = os.path.join(request["stage_milestone"], request.get("entry", "capstone.py"))
    # folders named relative to the workspace: the staged copy of the milestone, the originals of the rest
    watch = [os.path.realpath(os.path.join(request["stage_ws"], rel)) for rel in request.get("watch") or []]
    calls = _Calls(watch) if watch else None
    _enter(request)
    if not os.path.isfile(entry):
        return {"ok": False, "kind": "contract", "message": f"{_shown(entry, request)} does not exist"}
    if calls is not None:
        calls.start()
    try:
        spec = importlib.util.spec_from_file_location("capstone", entry)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["capstone"] = module
        spec.loader.exec_module(module)
        evaluate = getattr(module, request.get("function", "evaluate"), None)
        if not callable(evaluate):
            return {"ok": False, "kind": "contract", "message": f"{_shown(entry, request)} defines no `evaluate(seed)`"}
        value = evaluate(int(request["seed"]))
    except BaseException as exc:  # noqa: BLE001 - the capstone may raise anything
        return _failure(exc, request)
    finally:
        if calls is not None:
            calls.stop()
    result = {"ok": True, **_metrics(value)}
    if calls is not None:
        result["called"] = calls.report(request)
    return result


def _write(path: str, result: dict) -> None:
    out = Path(path)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(result))
    os.replace(tmp, out)
    sys.stdout.flush()
    sys.stderr.flush()


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


def run_many(request: dict) -> dict:
    """Fork one process per job (``workers`` at a time); pytest is imported once, before any fork."""
    import importlib
    import time

    import pytest  # noqa: F401 - imported here so that every fork starts with it
    from _pytest.config import default_plugins

    for name in default_plugins:  # pytest imports its own plugins lazily: once here, not in every fork
        try:
            importlib.import_module(f"_pytest.{name}")
        except ImportError:
            pass
    _plugin()
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
                    _write(jobs[index]["result"], run_pytest(jobs[index]))
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


def main(argv: list[str]) -> None:
    request = json.loads(Path(argv[0]).read_text())
    sys.dont_write_bytecode = True
    modes = {"pytest": run_pytest, "evaluate": run_evaluate, "many": run_many}
    _write(request["result"], modes[request["mode"]](request))
    os._exit(0)  # skip the capstone's atexit handlers and lingering threads


if __name__ == "__main__":
    main(sys.argv[1:])
