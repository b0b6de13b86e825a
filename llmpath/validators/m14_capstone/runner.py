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


def _sibling(name: str) -> Any:
    """``<name>.py`` of this folder, loaded by path: importing it through the llmpath package would cost
    pydantic & co. in every run, and the capstone's folder must not be able to stand in for it."""
    import importlib.util

    if f"_llmpath_m14_{name}" in sys.modules:
        return sys.modules[f"_llmpath_m14_{name}"]
    spec = importlib.util.spec_from_file_location(f"_llmpath_m14_{name}", Path(__file__).with_name(f"{name}.py"))
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
    recorder = _sibling("plugin").Recorder(
        [Path(request["stage_ws"]), Path(request["workspace"])], cov, request.get("only")
    )
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
    result = {"exit_code": code, "crash": crash, **recorder.data(), "preload": _installed(request)}
    if cov is not None:
        result.update(_measured(cov, stage, request.get("code_files", [])))
    return result


def _installed(request: dict) -> list[list[str]]:
    """Top-level third-party packages the run imported (name, file): the mutant runs preload them."""
    roots = tuple(os.path.realpath(request[k]) + os.sep for k in ("stage_ws", "workspace"))
    stdlib = getattr(sys, "stdlib_module_names", frozenset())
    found = []
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if "." in name or name.startswith("_") or name in stdlib or not path:
            continue
        if name in ("pytest", "pluggy", "coverage", "py") or os.path.realpath(path).startswith(roots):
            continue
        found.append([name, path])
    return sorted(found)


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


def run_evaluate(request: dict) -> dict:
    import importlib.util

    entry = os.path.join(request["stage_milestone"], request.get("entry", "capstone.py"))
    # folders named relative to the workspace: the staged copy of the milestone, the originals of the rest
    watch = [os.path.realpath(os.path.join(request["stage_ws"], rel)) for rel in request.get("watch") or []]
    calls = _sibling("calls").Calls(watch) if watch else None
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
        result["called"] = calls.report(lambda name: _shown(name, request))
    return result


def _write(path: str, result: dict) -> None:
    out = Path(path)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(result))
    os.replace(tmp, out)
    sys.stdout.flush()
    sys.stderr.flush()


def main(argv: list[str]) -> None:
    request = json.loads(Path(argv[0]).read_text())
    sys.dont_write_bytecode = True
    if request["mode"] == "many":
        _sibling("plugin")
        result = _sibling("forks").run_many(request, run_pytest, _write)
    else:
        result = run_pytest(request) if request["mode"] == "pytest" else run_evaluate(request)
    _write(request["result"], result)
    os._exit(0)  # skip the capstone's atexit handlers and lingering threads


if __name__ == "__main__":
    main(sys.argv[1:])
