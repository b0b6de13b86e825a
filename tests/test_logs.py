import math
import os
import re

import pytest

from llmpath.errors import UsageError
from llmpath.notebook import logs
from llmpath.notebook.logs import (
    EXPERIMENTS_FILE,
    JOURNAL_FILE,
    ExperimentEntry,
    JournalEntry,
    append_experiment,
    append_journal,
    check_visualization,
    damaged_entries,
    ensure_log_files,
    parse_metric,
    read_experiments,
    read_journal,
)


def _experiment(ws, **overrides):
    fields = dict(
        milestone="M3",
        objective="Compare Adam and SGD",
        setup="quadratic bowl, 200 steps, lr=1e-2",
        metrics={"final_loss_adam": 0.01, "final_loss_sgd": 0.2},
        visualization=None,
        notes="Adam wins early.",
        commit="0123456789abcdef0123456789abcdef01234567",
        dirty=False,
    )
    fields.update(overrides)
    return append_experiment(ws, **fields)


def test_ensure_creates_headers_and_never_overwrites(tmp_path):
    ensure_log_files(tmp_path)
    exp = (tmp_path / EXPERIMENTS_FILE).read_text()
    jou = (tmp_path / JOURNAL_FILE).read_text()
    assert exp.startswith("# Experiments log") and "llmpath log experiment" in exp and "do not edit" in exp
    assert jou.startswith("# Learning journal") and "llmpath log journal" in jou
    (tmp_path / JOURNAL_FILE).write_text("mine\n")
    ensure_log_files(tmp_path)
    assert (tmp_path / JOURNAL_FILE).read_text() == "mine\n"
    assert read_journal(tmp_path) == []


def test_missing_files_read_as_empty(tmp_path):
    assert read_experiments(tmp_path) == [] and read_journal(tmp_path) == []


def test_append_and_read_back(tmp_path):
    (tmp_path / "visualizations").mkdir()
    (tmp_path / "visualizations" / "M3 convergence.png").write_bytes(b"png")
    e1 = _experiment(tmp_path, visualization="visualizations/M3 convergence.png", dirty=True)
    e2 = _experiment(tmp_path, milestone="M4", commit=None, metrics={})
    j1 = append_journal(tmp_path, milestone="M3", text="Bias correction matters early on.", commit=None, dirty=False)
    assert isinstance(e1, ExperimentEntry) and isinstance(j1, JournalEntry)
    assert (e1.id, e2.id, j1.id) == ("E0001", "E0002", "J0001")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", e1.timestamp)
    assert e1.visualization == "visualizations/M3 convergence.png"
    assert read_experiments(tmp_path) == [e1, e2]
    assert read_experiments(tmp_path, "M4") == [e2]
    assert read_experiments(tmp_path, "M9") == []
    assert read_journal(tmp_path, "M3") == [j1]


def test_rendering_is_pleasant_markdown(tmp_path):
    (tmp_path / "plots").mkdir()
    (tmp_path / "plots" / "loss (1).png").write_bytes(b"png")
    entry = _experiment(tmp_path, visualization="plots/loss (1).png", dirty=True)
    text = (tmp_path / EXPERIMENTS_FILE).read_text()
    assert f"## E0001 · M3 · {entry.timestamp}\n" in text
    assert "`0123456789ab`" in text and "uncommitted changes" in text
    assert "> Compare Adam and SGD" in text
    assert "| `final_loss_adam` | 0.01 |" in text
    assert "![E0001 visualization](plots/loss%20%281%29.png)" in text
    append_journal(tmp_path, milestone="M3", text="line one\n\nline two", commit=None, dirty=False)
    jtext = (tmp_path / JOURNAL_FILE).read_text()
    assert "## J0001 · M3 · " in jtext and "> line one\n>\n> line two\n" in jtext
    assert "no commit" in jtext


NASTY = (
    "## E0099 · M1 · 2020-01-01T00:00:00Z\n"
    "<!-- llmpath:entry:v1 eyJraW5kIjogImpvdXJuYWwifQ== -->\n"
    "--> <!-- ``` `code` **bold** [link](x)\r\n"
    "\r\n# top heading\rlone CR\u2028line sep\x85nel\x00nul\t tab\n"
    "emoji 🧠 and RTL \u202eevil\u202c and combining e\u0301\n"
)


def test_nasty_text_roundtrips_and_cannot_start_entries(tmp_path):
    e = _experiment(tmp_path, objective=NASTY, setup=NASTY * 3, notes=NASTY + "x" * 200_000)
    j = append_journal(tmp_path, milestone="M3", text=NASTY, commit=None, dirty=True)
    e2 = _experiment(tmp_path, objective="after")
    assert read_experiments(tmp_path) == [e, e2]
    assert read_journal(tmp_path) == [j]
    for name, count in ((EXPERIMENTS_FILE, 2), (JOURNAL_FILE, 1)):
        lines = (tmp_path / name).read_text(encoding="utf-8").splitlines()
        assert sum(line.startswith("## ") for line in lines) == count
        assert sum(line.startswith("<!-- llmpath:entry") for line in lines) == count


def test_ids_continue_after_the_highest(tmp_path):
    for _ in range(3):
        _experiment(tmp_path)
    assert [e.id for e in read_experiments(tmp_path)] == ["E0001", "E0002", "E0003"]
    assert append_journal(tmp_path, milestone="M1", text="t", commit=None, dirty=False).id == "J0001"


def test_person_notes_between_entries_are_ignored_and_appends_are_append_only(tmp_path):
    e1 = _experiment(tmp_path)
    path = tmp_path / EXPERIMENTS_FILE
    with open(path, "a", encoding="utf-8") as f:
        f.write("\nMy own note, with a ## heading-ish\n## Not an entry\nno final newline")
    before = path.read_bytes()
    e2 = _experiment(tmp_path, objective="second")
    after = path.read_bytes()
    assert after.startswith(before)
    assert read_experiments(tmp_path) == [e1, e2]
    assert e2.id == "E0002"


def test_crlf_converted_file_still_parses(tmp_path):
    e1 = _experiment(tmp_path, objective="a\nb")
    path = tmp_path / EXPERIMENTS_FILE
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert read_experiments(tmp_path) == [e1]


def test_truncated_last_entry_is_ignored_and_next_append_works(tmp_path):
    e1 = _experiment(tmp_path)
    path = tmp_path / EXPERIMENTS_FILE
    data = path.read_bytes()
    _experiment(tmp_path)
    full = path.read_bytes()
    cut = data + full[len(data) : len(data) + 40]  # a crash in the middle of the second marker
    path.write_bytes(cut)
    assert read_experiments(tmp_path) == [e1]
    e3 = _experiment(tmp_path, objective="after crash")
    assert [e.id for e in read_experiments(tmp_path)] == ["E0001", "E0002"]
    assert read_experiments(tmp_path)[1] == e3


def test_damaged_marker_is_listed_with_its_location_not_counted(tmp_path):
    _experiment(tmp_path)
    path = tmp_path / EXPERIMENTS_FILE
    text = path.read_text()
    line_no = next(i for i, line in enumerate(text.split("\n"), 1) if line.startswith("<!-- llmpath:entry"))
    path.write_text(re.sub(r"(<!-- llmpath:entry:v1 )(\S{10})", r"\1AAAA\2", text))
    assert read_experiments(tmp_path) == []
    (damaged,) = damaged_entries(tmp_path)
    assert damaged.where() == f"{path}:{line_no}" and "cannot be decoded" in damaged.why
    assert "## E0001" in damaged.text
    assert _experiment(tmp_path).id == "E0002"  # appending goes on, and never reuses the damaged id


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"milestone": "M 3"}, "milestone"),
        ({"milestone": ""}, "milestone"),
        ({"objective": "  \n"}, "objective"),
        ({"metrics": {"bad name": 1.0}}, "metric name"),
        ({"metrics": {"x": math.nan}}, "finite"),
        ({"metrics": {"x": "1"}}, "not a number"),
        ({"metrics": {"x": True}}, "not a number"),
        ({"commit": "not-a-sha"}, "commit"),
        ({"visualization": "missing.png"}, "does not exist"),
    ],
)
def test_bad_fields_are_usage_errors(tmp_path, kwargs, words):
    with pytest.raises(UsageError, match=words):
        _experiment(tmp_path, **kwargs)
    assert read_experiments(tmp_path) == []


def test_empty_journal_text_is_refused(tmp_path):
    with pytest.raises(UsageError):
        append_journal(tmp_path, milestone="M1", text=" \n\t", commit=None, dirty=False)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("loss=0.5", ("loss", 0.5)),
        ("val_loss=1e-3", ("val_loss", 1e-3)),
        (" acc.top-1 = 97 ", ("acc.top-1", 97.0)),
        ("_x=-2.5E+2", ("_x", -250.0)),
        ("a=1=2", None),
        ("loss", None),
        ("=1", None),
        ("1loss=1", None),
        ("lo ss=1", None),
        ("loss=", None),
        ("loss=abc", None),
        ("loss=nan", None),
        ("loss=inf", None),
        ("loss=-Infinity", None),
    ],
)
def test_parse_metric(text, expected):
    if expected is None:
        with pytest.raises(UsageError) as info:
            parse_metric(text)
        assert "name=value" in str(info.value) or "finite" in str(info.value) or "number" in str(info.value)
    else:
        assert parse_metric(text) == expected


def test_check_visualization_accepts_inside_paths(tmp_path, monkeypatch):
    viz = tmp_path / "visualizations"
    viz.mkdir()
    (viz / "a.png").write_bytes(b"x")
    os.symlink(viz / "a.png", tmp_path / "link.png")
    assert check_visualization(tmp_path, "visualizations/a.png") == "visualizations/a.png"
    assert check_visualization(tmp_path, str(viz / "a.png")) == "visualizations/a.png"
    assert check_visualization(tmp_path, "link.png") == "visualizations/a.png"  # the file it points to
    sub = tmp_path / "milestones" / "M3"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    assert check_visualization(tmp_path, "../../visualizations/a.png") == "visualizations/a.png"
    with pytest.raises(UsageError, match="not a file"):
        check_visualization(tmp_path, "visualizations")


def test_commands_import_nothing_heavy():
    import subprocess
    import sys

    code = (
        "import sys, llmpath.workspace.progress, llmpath.notebook.logs, llmpath.workspace.evidence, "
        "llmpath.workspace.checklist, "
        "llmpath.validators.docs, llmpath.fsutil\n"
        "heavy = [m for m in ('numpy', 'torch', 'git') if m in sys.modules]\n"
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_logs_module_has_the_documented_names():
    assert logs.EXPERIMENTS_FILE == "experiments_log.md" and logs.JOURNAL_FILE == "learning_journal.md"
