import json

import pydantic
import pytest

from llmpath.errors import StateError
from llmpath.workspace.progress import CheckRecord, MilestoneState, Progress, ProgressStore, fingerprint


def test_missing_file_is_empty_progress(tmp_path):
    store = ProgressStore(tmp_path)
    assert store.path == tmp_path / ".llmpath" / "progress.json"
    progress = store.load()
    assert progress == Progress()
    assert progress.completed() == set()
    assert not store.path.exists()


def test_state_returns_default_without_inserting():
    progress = Progress()
    assert progress.state("M1") == MilestoneState()
    assert progress.milestones == {}


def test_update_roundtrip_and_readable_json(tmp_path):
    store = ProgressStore(tmp_path)

    def unlock(p: Progress) -> None:
        p.milestones["M1"] = MilestoneState(unlocked_at="2026-11-28T09:00:00Z")
        p.milestones["M1"].checks["gradient"] = CheckRecord(
            status="passed", summary="ok ✓", at="2026-11-28T09:01:00Z", fingerprint="ab", metrics={"err": 1e-9}
        )

    returned = store.update(unlock)
    loaded = store.load()
    assert loaded == returned
    assert loaded.state("M1").checks["gradient"].metrics == {"err": 1e-9}

    def complete(p: Progress) -> None:
        p.milestones["M1"].completed_at = "2026-11-28T10:00:00Z"
        p.milestones["M1"].commit = "abc"

    store.update(complete)
    assert store.load().completed() == {"M1"}
    text = store.path.read_text(encoding="utf-8")
    assert text.endswith("}\n")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert "ok ✓" in text  # readable unicode in diffs
    assert not list(store.path.parent.glob("*.tmp"))


def test_update_validates_what_fn_did(tmp_path):
    store = ProgressStore(tmp_path)
    store.update(lambda p: p.milestones.__setitem__("M1", MilestoneState(unlocked_at="2026-11-28T09:00:00Z")))

    def bad(p: Progress) -> None:
        p.milestones["M2"] = {"nonsense": 1}  # type: ignore[assignment]

    with pytest.raises(pydantic.ValidationError):  # a bug in the caller, not a corrupt file
        store.update(bad)
    assert set(store.load().milestones) == {"M1"}


@pytest.mark.parametrize(
    "content",
    [
        b"{ not json",
        b"",
        b"\xff\xfe garbage",
        b'{"version": 1, "milestones": {"M1": {"completed_at": 5}}}',
        b'{"version": 1, "milestones": {}, "surprise": true}',
        b"[1, 2, 3]",
        b'{"version": 1, "milestones": {"M1": {"checks": {"c": '
        b'{"status": "maybe", "summary": "", "at": "", "fingerprint": ""}}}}}',
    ],
)
def test_corrupt_file_is_an_error_naming_the_path(tmp_path, content):
    store = ProgressStore(tmp_path)
    store.path.parent.mkdir()
    store.path.write_bytes(content)
    with pytest.raises(StateError) as info:
        store.load()
    message = str(info.value)
    assert str(store.path) in message
    assert "git checkout -- .llmpath/progress.json" in message and "delete it" in message
    with pytest.raises(StateError):
        store.update(lambda p: None)
    assert store.path.read_bytes() == content  # never reset silently


def test_lock_timeout_is_a_state_error(tmp_path, monkeypatch):
    import filelock

    import llmpath.workspace.progress as progress_mod

    monkeypatch.setattr(progress_mod, "LOCK_TIMEOUT_S", 0.2)
    store = ProgressStore(tmp_path)
    store.path.parent.mkdir()
    holder = filelock.FileLock(str(store.lock_path))
    with holder:
        # a second FileLock object on the same path: a different "process" as far as the lock knows
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(1) as pool:
            message = pool.apply(_try_update, (str(tmp_path),))
    assert "locked" in message and "another llmpath" in message


def _try_update(workspace: str) -> str:
    import llmpath.workspace.progress as progress_mod

    progress_mod.LOCK_TIMEOUT_S = 0.2
    try:
        progress_mod.ProgressStore(__import__("pathlib").Path(workspace)).update(lambda p: None)
    except StateError as exc:
        return str(exc)
    return "no error"


def test_fingerprint_tracks_content_and_ignores_caches(tmp_path):
    m = tmp_path / "milestones" / "M1"
    (m / "sub").mkdir(parents=True)
    (m / "a.py").write_text("x = 1\n")
    (m / "sub" / "b.md").write_text("notes")
    base = fingerprint([m], tmp_path)
    assert base == fingerprint([tmp_path / "milestones" / "M1"], tmp_path)
    assert base == fingerprint([m.relative_to(tmp_path)], tmp_path)  # relative to root

    (m / "__pycache__").mkdir()
    (m / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"\0")
    (m / "c.pyc").write_bytes(b"\0")
    (m / ".ipynb_checkpoints").mkdir()
    (m / ".ipynb_checkpoints" / "x.ipynb").write_text("{}")
    (m / ".DS_Store").write_bytes(b"\0")
    assert fingerprint([m], tmp_path) == base

    (m / "a.py").write_text("x = 2\n")
    changed = fingerprint([m], tmp_path)
    assert changed != base
    (m / "a.py").write_text("x = 1\n")
    assert fingerprint([m], tmp_path) == base

    (m / "sub" / "b.md").rename(m / "sub" / "c.md")  # a rename changes it
    assert fingerprint([m], tmp_path) != base


def test_fingerprint_of_files_and_missing_paths(tmp_path):
    (tmp_path / "a").write_text("1")
    (tmp_path / "b").write_text("2")
    both = fingerprint([tmp_path / "b", tmp_path / "a"], tmp_path)
    assert both == fingerprint([tmp_path / "a", tmp_path / "b", tmp_path / "missing"], tmp_path)
    assert both != fingerprint([tmp_path / "a"], tmp_path)
    assert fingerprint([], tmp_path) == fingerprint([tmp_path / "missing"], tmp_path)
