"""Attacks on the judge by a learner's code, each refused or detected (see README.md, "Threat model").

Each attack is a function of the learner's ``toy.py`` judged by ``tests.toy_validators:ANSWER``
(passes when it returns 42). Every one of them passed, hung past its limit or crashed llmpath before.
"""

from __future__ import annotations

import json
import os
import struct
import time
from pathlib import Path

import psutil
import pytest

from llmpath.judge.run import CheckSpec, run_checks

TOY = r'''
import json, os, struct, sys, time

def _frame(payload: bytes) -> None:
    os.write(int(sys.argv[2]), struct.pack(">Q", len(payload)) + payload)

def honest():
    return 42

def imports_reference():
    from llmpath.validators.m1_logreg.reference import sigmoid  # noqa: F401
    return 42

def imports_reference_quietly():
    try:
        import llmpath.validators.registry  # noqa: F401
    except ImportError:
        pass
    return 42

def reads_sys_modules():
    registry = sys.modules.get("llmpath.validators.registry")
    return 42 if registry is None else 41

def walks_the_package():
    import llmpath
    return 42 if not hasattr(llmpath, "validators") else 41

def loads_reference_by_path():
    import importlib.util
    import llmpath.datasets as d
    root = os.path.dirname(os.path.dirname(d.__getattr__("load_corpus").__code__.co_filename))
    path = os.path.join(root, "validators", "m1_logreg", "reference.py")
    spec = importlib.util.spec_from_file_location("my_reference", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["my_reference"] = module
    spec.loader.exec_module(module)
    return 42

def dataset_internals():
    from llmpath.datasets.classification import gaussian_bayes_rule  # noqa: F401
    return 42

def dataset_public():
    from llmpath.datasets import gaussian_binary
    X, y, bayes = gaussian_binary(10, seed=1)
    return 42 if X.shape == (10, 2) else 0

def forged_result():
    _frame(json.dumps({"type": "result", "job": "c0", "nonce": "0" * 32, "ok": True,
                       "value": "42"}).encode())
    time.sleep(30)

def keeps_restarting_its_clock():
    for _ in range(40):
        _frame(json.dumps({"type": "start", "job": "c0", "out": 0}).encode())
        time.sleep(0.5)
    return 42

def leaves_a_daemon():
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            with open("daemon.pid", "w") as fh:
                fh.write(str(os.getpid()))
            time.sleep(600)
        os._exit(0)
    for _ in range(100):
        if os.path.exists("daemon.pid") and open("daemon.pid").read():
            break
        time.sleep(0.02)
    return 42

def not_json():
    _frame(b"{not json")
    time.sleep(30)

def a_list():
    _frame(b"[1, 2, 3]")
    time.sleep(30)

def wrong_types():
    _frame(json.dumps({"type": "result", "job": 7, "ok": "yes"}).encode())
    time.sleep(30)

def bad_utf8():
    _frame(b'{"type": "result", "\xff\xfe": 1}')
    time.sleep(30)

def deep_nesting():
    _frame(b"[" * 100_000 + b"]" * 100_000)
    time.sleep(30)

def huge_header():
    os.write(int(sys.argv[2]), struct.pack(">Q", 2**40))
    time.sleep(30)

def partial_frame():
    os.write(int(sys.argv[2]), struct.pack(">Q", 1000) + b'{"type": "res')
    os._exit(0)
'''


@pytest.fixture(scope="module")
def milestone_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("attacks") / "ws" / "milestones" / "M1"
    folder.mkdir(parents=True)
    (folder / "toy.py").write_text(TOY)
    return folder


def _judge(milestone_dir: Path, functions: list[str], timeout: float = 3.0):
    specs = [
        CheckSpec(f"c{i}", f"M1.{fn}", "tests.toy_validators:ANSWER", {"function": fn}, timeout_s=timeout,
                  memory_mb=600)
        for i, fn in enumerate(functions)
    ]
    started = time.monotonic()
    results = run_checks("M1", milestone_dir, milestone_dir.parent.parent, specs)
    return {r.criterion.split(".")[1]: r for r in results}, time.monotonic() - started


REFERENCE = "your code imports llmpath's own reference implementation"


@pytest.mark.parametrize("attack", ["imports_reference", "imports_reference_quietly", "loads_reference_by_path",
                                    "dataset_internals"])
def test_reaching_llmpaths_own_code_is_an_error(milestone_dir, attack):
    results, _ = _judge(milestone_dir, [attack, "honest"])
    assert results[attack].status == "error", results[attack].summary
    assert REFERENCE in results[attack].summary, results[attack].summary
    # the same interpreter ran the next job: its result cannot be trusted either
    assert results["honest"].status == "error" and REFERENCE in results["honest"].summary


def test_public_modules_work_and_the_internals_are_out_of_sight(milestone_dir):
    results, _ = _judge(milestone_dir, ["honest", "dataset_public", "reads_sys_modules", "walks_the_package"])
    for name, result in results.items():
        assert result.status == "passed", (name, result.summary)


@pytest.mark.parametrize(
    "function, words",
    [
        ("forged_result", "does not answer llmpath's order"),
        ("keeps_restarting_its_clock", "'start' frame"),
        ("not_json", "not JSON"),
        ("a_list", "JSON list"),
        ("wrong_types", "result for 7"),
        ("bad_utf8", "not UTF-8"),
        ("deep_nesting", "nested too deeply"),
        ("huge_header", "1099511627776 bytes"),
        ("partial_frame", "cut short: a partial frame (13 of 1000 bytes)"),
    ],
)
def test_forged_and_malformed_frames_are_errors_naming_the_problem(milestone_dir, function, words):
    results, elapsed = _judge(milestone_dir, [function, "honest"])
    assert results[function].status == "error"
    assert words in results[function].summary, results[function].summary
    assert results["honest"].status == "passed"  # a fresh child runs the rest
    assert elapsed < 3.0 + 8.0


def test_the_deadline_is_the_parents_and_never_moves(milestone_dir):
    results, elapsed = _judge(milestone_dir, ["keeps_restarting_its_clock"], timeout=1.0)
    assert results["keeps_restarting_its_clock"].status == "error"
    assert elapsed < 1.0 + 6.0  # not 20 s


def test_processes_left_behind_are_stopped_and_reported(milestone_dir):
    results, _ = _judge(milestone_dir, ["leaves_a_daemon"])
    result = results["leaves_a_daemon"]
    assert result.status == "passed"
    assert result.notes == ("your code left 1 process running; it was stopped",)
    pid = int((milestone_dir / "daemon.pid").read_text())
    for _ in range(50):
        if not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
            break
        time.sleep(0.05)
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_a_workspace_module_never_stands_in_for_one_the_child_needs(milestone_dir):
    ws = milestone_dir.parent.parent
    marker = ws / "shadowed.txt"
    payload = f"open({str(marker)!r}, 'a').write(__name__ + '\\n')\n"
    for folder in (ws, milestone_dir):
        for name in ("json", "struct", "selectors", "codecs_extra", "numpy"):
            (folder / f"{name}.py").write_text(payload)
    try:
        results, _ = _judge(milestone_dir, ["honest", "dataset_public"])
    finally:
        for folder in (ws, milestone_dir):
            for name in ("json", "struct", "selectors", "codecs_extra", "numpy"):
                (folder / f"{name}.py").unlink()
    assert results["honest"].status == "passed"
    assert not marker.exists(), marker.read_text()


def test_frames_are_read_strictly():
    from llmpath.judge.wire import FrameReader, ProtocolError, parse_frame

    reader = FrameReader()
    assert reader.feed(struct.pack(">Q", 2) + b"{}" + struct.pack(">Q", 5) + b"ab") == [b"{}"]
    assert reader.partial() == "a partial frame (2 of 5 bytes)"
    for payload in (b"\xff", b"[]", b"{}", b"nul", b"[" * 10**6):
        with pytest.raises(ProtocolError):
            parse_frame(payload)
    assert parse_frame(json.dumps({"type": "ready"}).encode()) == {"type": "ready"}
    assert os.path.basename(__file__)  # keep `os` used on every platform
