import os
import re
import stat

import pytest

from llmpath.fsutil import atomic_write_bytes, atomic_write_text, utc_now


def test_atomic_write_creates_and_replaces(tmp_path):
    target = tmp_path / "sub" / "f.bin"
    atomic_write_bytes(target, b"one")
    assert target.read_bytes() == b"one"
    atomic_write_bytes(target, b"two")
    assert target.read_bytes() == b"two"
    assert sorted(p.name for p in target.parent.iterdir()) == ["f.bin"]  # no temp file left behind


def test_atomic_write_text_is_utf8_and_keeps_newlines(tmp_path):
    target = tmp_path / "t.md"
    atomic_write_text(target, "héllo\r\nwörld ✓\n")
    assert target.read_bytes() == "héllo\r\nwörld ✓\n".encode()


def test_atomic_write_keeps_existing_permissions(tmp_path):
    target = tmp_path / "f"
    target.write_bytes(b"x")
    os.chmod(target, 0o640)
    atomic_write_bytes(target, b"y")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_failed_write_leaves_old_file_and_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "f"
    target.write_bytes(b"old")

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f"]


def test_utc_now_format():
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", utc_now())
