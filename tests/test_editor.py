import pytest

from llmpath.cli.editor import edit_text
from llmpath.errors import UsageError


def test_returns_what_the_editor_saved(monkeypatch):
    monkeypatch.setenv("VISUAL", "sh -c 'printf \"## my heading\\nwords\\n\" >> \"$0\"'")
    text = edit_text("#: prompt\n")
    assert text == "#: prompt\n## my heading\nwords\n"


def test_missing_editor_is_a_usage_error(monkeypatch):
    monkeypatch.setenv("VISUAL", "no-such-editor-anywhere")
    with pytest.raises(UsageError, match="cannot start the editor"):
        edit_text("")


def test_failing_editor_logs_nothing(monkeypatch):
    monkeypatch.setenv("VISUAL", "false")
    with pytest.raises(UsageError, match="exited with code 1"):
        edit_text("")
