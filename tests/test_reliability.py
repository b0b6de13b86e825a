"""Reliability: concurrent writers, writers killed mid-write, hostile text, escaping paths, corrupt state."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmpath.errors import StateError, UsageError
from llmpath.notebook import logs
from llmpath.workspace.progress import CheckRecord, MilestoneState, Progress, ProgressStore

ROOT = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------------------------------------
# 8 processes x 50 concurrent appends

_APPENDER = """
import sys, time
from pathlib import Path
from llmpath.notebook import logs
ws, proc, n, go = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
while not go.exists():
    time.sleep(0.005)
for i in range(n):
    logs.append_experiment(
        ws, milestone=f"M{proc % 3 + 1}", objective=f"proc {proc} run {i}\\n## not an entry",
        setup="x" * (i * 37), metrics={"proc": proc, "i": i}, visualization=None,
        notes=f"{proc}:{i}", commit=None, dirty=bool(i % 2),
    )
"""


@pytest.mark.slow
def test_concurrent_appends_from_8_processes(tmp_path):
    procs, per = 8, 50
    go = tmp_path / "go"
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    children = [
        subprocess.Popen([sys.executable, "-c", _APPENDER, str(tmp_path), str(p), str(per), str(go)], env=env)
        for p in range(procs)
    ]
    time.sleep(0.5)  # let them all start and wait at the line
    go.touch()
    for child in children:
        assert child.wait(timeout=120) == 0

    entries = logs.read_experiments(tmp_path)
    assert len(entries) == procs * per
    ids = [e.id for e in entries]
    assert ids == [f"E{k:04d}" for k in range(1, procs * per + 1)]  # unique, increasing in file order
    seen = set()
    for e in entries:
        proc, i = int(e.metrics["proc"]), int(e.metrics["i"])
        assert e.objective == f"proc {proc} run {i}\n## not an entry"
        assert e.setup == "x" * (i * 37) and e.notes == f"{proc}:{i}"
        assert e.milestone == f"M{proc % 3 + 1}" and e.dirty == bool(i % 2)
        seen.add((proc, i))
    assert seen == {(p, i) for p in range(procs) for i in range(per)}
    # each process's entries are in its own order
    for p in range(procs):
        mine = [int(e.metrics["i"]) for e in entries if int(e.metrics["proc"]) == p]
        assert mine == list(range(per))
    text = (tmp_path / logs.EXPERIMENTS_FILE).read_text(encoding="utf-8")
    assert sum(line.startswith("## E") for line in text.splitlines()) == procs * per


# ---------------------------------------------------------------------------------------------
# concurrent ProgressStore.update: no lost update


def _increment(workspace: str, times: int) -> None:
    store = ProgressStore(Path(workspace))

    def bump(p: Progress) -> None:
        st_ = p.milestones.setdefault("M1", MilestoneState())
        st_.hints_revealed += 1

    for _ in range(times):
        store.update(bump)


@pytest.mark.slow
def test_concurrent_progress_updates_lose_nothing(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_increment, args=(str(tmp_path), 25)) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
        assert w.exitcode == 0
    assert ProgressStore(tmp_path).load().state("M1").hints_revealed == 100


# ---------------------------------------------------------------------------------------------
# SIGKILL in the middle of ProgressStore.update writes

_PAD = 300_000  # large enough that a write takes a while, so kills land inside it


def _writer(workspace: str, start: int) -> None:
    store = ProgressStore(Path(workspace))
    n = start
    while True:
        n += 1

        def write(p: Progress, n: int = n) -> None:
            for k in range(1, 4):
                p.milestones[f"M{k}"] = MilestoneState(
                    unlocked_at="2026-11-28T09:00:00Z",
                    commit=str(n),
                    checks={
                        "c": CheckRecord(
                            status="passed", summary=str(n) * (_PAD // len(str(n))), at="2026-11-28T09:00:00Z",
                            fingerprint=str(n),
                        )
                    },
                )

        store.update(write)


def _version(progress: Progress) -> int:
    """The writer's counter; every part of the file must agree (no mix of two versions)."""
    if not progress.milestones:
        return 0
    values = {st_.commit for st_ in progress.milestones.values()}
    values |= {st_.checks["c"].fingerprint for st_ in progress.milestones.values()}
    assert len(values) == 1, values
    n = int(values.pop())
    for st_ in progress.milestones.values():
        assert st_.checks["c"].summary == str(n) * (_PAD // len(str(n)))
    assert set(progress.milestones) == {"M1", "M2", "M3"}
    return n


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX only")
def test_sigkill_during_progress_writes_leaves_old_or_new(tmp_path):
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    store = ProgressStore(tmp_path)
    rng = random.Random(1234)
    last = 0
    kills_after_progress = 0
    kills_mid_write = 0
    deadline = time.monotonic() + 25
    # At least 30 kills; on a loaded machine the writer gets little CPU before its kill, so go on
    # (until the deadline) until some kills have landed mid-write, which is what this test is about.
    for iteration in range(400):
        if time.monotonic() > deadline or (iteration >= 30 and kills_mid_write >= 1 and kills_after_progress >= 3):
            break
        child = ctx.Process(target=_writer, args=(str(tmp_path), last))
        child.start()
        time.sleep(rng.uniform(0.0, 0.25))
        os.kill(child.pid, signal.SIGKILL)
        child.join()
        assert child.exitcode == -signal.SIGKILL
        kills_mid_write += bool(list(store.path.parent.glob("*.tmp")))  # its temp file was in flight
        progress = store.load()  # must always parse
        now = _version(progress)
        assert now >= last, (iteration, now, last)  # old or new, never older
        kills_after_progress += now > last
        last = now
    assert iteration >= 10
    assert kills_after_progress >= 3  # the writer really was writing when it was killed
    assert kills_mid_write >= 1  # typically ~12 of 30 kills land inside a write
    # the lock is not stuck, and the next update cleans the temp files left by killed writers
    store.update(lambda p: None)
    assert not list(store.path.parent.glob("*.tmp"))
    assert _version(store.load()) == last


# ---------------------------------------------------------------------------------------------
# hostile text parses back identically

_SPECIAL = st.sampled_from(
    [
        "## E0001 · M1 · 2026-01-01T00:00:00Z",
        "\n## ",
        "<!-- llmpath:entry:v1 eyJraW5kIjogImV4cGVyaW1lbnQifQ== -->",
        "\n<!-- llmpath:entry:v1 AAAA -->\n",
        "-->",
        "<!--",
        "```",
        "`",
        "**",
        "> ",
        "| a | b |",
        "\r\n",
        "\r",
        "\n",
        "\u2028",
        "\x85",
        "\x00",
        "\t",
        "🧠",
        "e\u0301",
        "\u202e",
        "\ufeff",
        "x" * 5000,
    ]
)
_ANY_CHAR = st.characters(codec=None, exclude_categories=())  # lone surrogates too
_TEXT = st.lists(st.one_of(_SPECIAL, st.text(alphabet=_ANY_CHAR, max_size=40)), max_size=12).map("".join)
_NONBLANK = _TEXT.filter(lambda s: s.strip())
_METRICS = st.dictionaries(
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_.-]{0,15}", fullmatch=True),
    st.floats(allow_nan=False, allow_infinity=False),
    max_size=5,
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(objective=_NONBLANK, setup=_TEXT, notes=_TEXT, journal_text=_NONBLANK, metrics=_METRICS)
def test_any_text_parses_back_identically(objective, setup, notes, journal_text, metrics):
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp)
        first = logs.append_experiment(
            ws, milestone="M3", objective=objective, setup=setup, metrics=metrics, visualization=None,
            notes=notes, commit="abcdef1", dirty=True,
        )
        j = logs.append_journal(ws, milestone="M3", text=journal_text, commit=None, dirty=False)
        second = logs.append_experiment(
            ws, milestone="M4", objective=notes + objective, setup=setup, metrics={}, visualization=None,
            notes=objective, commit=None, dirty=False,
        )
        assert logs.read_experiments(ws) == [first, second]
        assert logs.read_journal(ws) == [j]
        assert [e.id for e in (first, second, j)] == ["E0001", "E0002", "J0001"]
        # visually too: only llmpath's headings start a line with "## ", whatever the line separators
        for name, count in ((logs.EXPERIMENTS_FILE, 2), (logs.JOURNAL_FILE, 1)):
            lines = (ws / name).read_bytes().decode("utf-8").splitlines()
            assert sum(line.startswith("## ") for line in lines) == count
            assert sum("llmpath:entry" in line and not line.startswith(">") for line in lines) == count + 1  # + header


def test_very_long_text_parses_back(tmp_path):
    text = ("## heading\r\n--> `x` " * 50_000) + "é" * 100_000
    e = logs.append_experiment(
        tmp_path, milestone="M1", objective=text, setup=text, metrics={}, visualization=None, notes=text,
        commit=None, dirty=False,
    )
    assert logs.read_experiments(tmp_path) == [e]


# ---------------------------------------------------------------------------------------------
# visualizations must stay inside the workspace


@pytest.fixture
def outside_and_ws(tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "x.png").write_bytes(b"png")
    ws = tmp_path / "ws"
    (ws / "visualizations").mkdir(parents=True)
    (ws / "x.png").write_bytes(b"inside")  # same name inside: must not be confused with the outside one
    return outside, ws


@pytest.mark.parametrize("kind", ["dotdot", "absolute", "symlink", "symlinked_dir", "missing"])
def test_visualization_escaping_the_workspace_is_refused(outside_and_ws, monkeypatch, kind):
    outside, ws = outside_and_ws
    monkeypatch.chdir(ws)
    if kind == "dotdot":
        given_path = "../elsewhere/x.png"
    elif kind == "absolute":
        given_path = str(outside / "x.png")
    elif kind == "symlink":
        os.symlink(outside / "x.png", ws / "visualizations" / "link.png")
        given_path = "visualizations/link.png"
    elif kind == "symlinked_dir":
        os.symlink(outside, ws / "visualizations" / "out")
        given_path = "visualizations/out/x.png"
    else:
        given_path = "visualizations/none.png"
    with pytest.raises(UsageError) as info:
        logs.check_visualization(ws, given_path)
    assert ("outside the workspace" if kind != "missing" else "does not exist") in str(info.value)
    with pytest.raises(UsageError):
        logs.append_experiment(
            ws, milestone="M3", objective="o", setup="s", metrics={}, visualization=given_path, notes="",
            commit=None, dirty=False,
        )
    assert logs.read_experiments(ws) == []


def test_dotdot_that_stays_inside_is_accepted(outside_and_ws):
    _, ws = outside_and_ws
    assert logs.check_visualization(ws, "visualizations/../x.png") == "x.png"


# ---------------------------------------------------------------------------------------------
# corrupt state is reported, never reset


def test_corrupt_progress_names_the_path_and_is_left_alone(tmp_path):
    store = ProgressStore(tmp_path)
    store.update(lambda p: p.milestones.__setitem__("M1", MilestoneState(completed_at="2026-11-28T09:00:00Z")))
    good = store.path.read_bytes()
    broken = good[: len(good) // 2]  # as if hand-edited badly or truncated
    store.path.write_bytes(broken)
    store = ProgressStore(tmp_path)  # the next command (within one command, see test_attacks_state)
    for attempt in (store.load, lambda: store.update(lambda p: None)):
        with pytest.raises(StateError) as info:
            attempt()
        assert str(store.path) in str(info.value)
        assert "git checkout -- .llmpath/progress.json" in str(info.value)
    assert store.path.read_bytes() == broken
