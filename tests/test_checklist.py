import pytest

from llmpath.workspace.checklist import BEGIN, END, render, update_readme


def test_render():
    assert render([("Gradient matches", True), ("Journal\nentry", False)]) == (
        "- [x] Gradient matches\n- [ ] Journal entry\n"
    )
    assert render([]) == ""


def test_update_replaces_only_between_markers(tmp_path):
    before = "# M3 — Optimizers ✓\n\nMy own notes, *kept*.\n\n"
    after = "\n\nMore notes\nwithout a final newline"
    readme = tmp_path / "README.md"
    readme.write_bytes(f"{before}{BEGIN}\n- [ ] old item\n{END}{after}".encode())
    assert update_readme(readme, [("SGD matches torch", True), ("Adam matches torch", False)])
    data = readme.read_bytes().decode()
    assert data == f"{before}{BEGIN}\n- [x] SGD matches torch\n- [ ] Adam matches torch\n{END}{after}"
    # idempotent
    assert update_readme(readme, [("SGD matches torch", True), ("Adam matches torch", False)])
    assert readme.read_bytes().decode() == data


def test_update_keeps_crlf_files_crlf(tmp_path):
    readme = tmp_path / "README.md"
    original = f"Intro\r\n{BEGIN}\r\n- [ ] a\r\n{END}\r\nOutro\r\n".encode()
    readme.write_bytes(original)
    assert update_readme(readme, [("a", True)])
    assert readme.read_bytes() == f"Intro\r\n{BEGIN}\r\n- [x] a\r\n{END}\r\nOutro\r\n".encode()


@pytest.mark.parametrize(
    "content",
    [
        "no markers at all\n",
        f"only begin {BEGIN}\n",
        f"only end {END}\n",
        f"{END}\n- [ ] x\n{BEGIN}\n",  # reversed
        f"{BEGIN}\n{BEGIN}\n{END}\n",  # repeated
        f"{BEGIN}\n{END}\n{END}\n",
    ],
)
def test_malformed_markers_leave_the_file_untouched(tmp_path, content):
    readme = tmp_path / "README.md"
    readme.write_text(content)
    mtime = readme.stat().st_mtime_ns
    assert update_readme(readme, [("a", True)]) is False
    assert readme.read_text() == content
    assert readme.stat().st_mtime_ns == mtime


def test_missing_file(tmp_path):
    assert update_readme(tmp_path / "nope.md", [("a", True)]) is False
    assert not (tmp_path / "nope.md").exists()
