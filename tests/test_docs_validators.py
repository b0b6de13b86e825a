from pathlib import Path

import pydantic
import pytest

from llmpath.notebook import logs
from llmpath.validators import docs
from llmpath.validators.api import VerdictContext

CHECKS = {c.name: c for c in docs.CHECKS}


def judge(ws: Path, name: str, milestone: str = "M3", **params):
    check = CHECKS[name]
    ctx = VerdictContext(milestone, ws / "milestones" / milestone, ws, check.params.model_validate(params), 0)
    return check.verdict({}, ctx)


def words(n: int, start: str = "") -> str:
    return (start + " " + " ".join(f"word{i}" for i in range(n))).strip()


def journal(ws, text, milestone="M3"):
    return logs.append_journal(ws, milestone=milestone, text=text, commit=None, dirty=False)


def experiment(ws, milestone="M3", metrics=None, visualization=None):
    return logs.append_experiment(
        ws, milestone=milestone, objective="o", setup="s", metrics=metrics or {}, visualization=visualization,
        notes="", commit=None, dirty=False,
    )


def test_checks_are_registered_without_probes():
    assert set(CHECKS) == {"docs.journal", "docs.experiments", "docs.file"}
    assert all(c.probe is None for c in docs.CHECKS)


def test_params_are_strict():
    with pytest.raises(pydantic.ValidationError):
        docs.JournalParams.model_validate({"min_word": 3})
    with pytest.raises(pydantic.ValidationError):
        docs.FileParams.model_validate({})  # path is required
    for bad in ("/etc/passwd", "../M2/notes.md", ""):
        with pytest.raises(pydantic.ValidationError):
            docs.FileParams.model_validate({"path": bad})


def test_journal_missing(tmp_path):
    v = judge(tmp_path, "docs.journal")
    assert v.status == "failed"
    text = " ".join([v.summary, *v.details])
    assert 'llmpath log journal --milestone M3 "..."' in text
    assert v.metrics == {"entries": 0.0, "words": 0.0}


def test_journal_too_short_then_long_enough(tmp_path):
    journal(tmp_path, words(60), milestone="M2")  # another milestone's entry does not count
    journal(tmp_path, words(10))
    v = judge(tmp_path, "docs.journal", min_words=40)
    assert v.status == "failed" and v.metrics["words"] == 10
    assert any("10 words" in d and "40" in d for d in v.details)
    assert any('llmpath log journal --milestone M3 "..."' in d for d in v.details)
    journal(tmp_path, "## What I learned\n\n- " + words(40) + "\n---\n")
    v = judge(tmp_path, "docs.journal", min_words=40)
    assert v.status == "passed", v
    assert v.metrics == {"entries": 2.0, "words": 43.0}  # markdown punctuation is not a word


def test_journal_mentions(tmp_path):
    journal(tmp_path, words(5, "Adam's bias-correction helps"))
    journal(tmp_path, words(5, "the learning   rate matters"))
    ok = judge(tmp_path, "docs.journal", min_words=5, mentions=["adam", "Bias", "learning rate"])
    assert ok.status == "passed"
    v = judge(tmp_path, "docs.journal", min_words=5, mentions=["momentum", "rate", "earning"])
    assert v.status == "failed"
    assert any("momentum" in d and "earning" in d for d in v.details)


def test_experiments(tmp_path):
    v = judge(tmp_path, "docs.experiments")
    assert v.status == "failed" and "llmpath log experiment --milestone M3" in " ".join(v.details)
    experiment(tmp_path, metrics={"final_loss_adam": 0.1})
    experiment(tmp_path, milestone="M4", metrics={"final_loss_sgd": 0.1})
    assert judge(tmp_path, "docs.experiments").status == "passed"
    v = judge(
        tmp_path, "docs.experiments", min_entries=2, metrics=["final_loss_adam", "final_loss_sgd"], visualization=True
    )
    assert v.status == "failed"
    text = "\n".join(v.details)
    assert "1 experiment entries for M3; at least 2" in text
    assert "`final_loss_sgd`" in text and "`final_loss_adam`" not in text.split("\n")[1]
    assert "visualization" in text
    assert "--metric final_loss_sgd=..." in text and "--visualization" in text
    assert v.metrics["entries"] == 1.0

    (tmp_path / "visualizations").mkdir()
    plot = tmp_path / "visualizations" / "cmp.png"
    plot.write_bytes(b"png")
    experiment(tmp_path, metrics={"final_loss_sgd": 0.3}, visualization="visualizations/cmp.png")
    v = judge(
        tmp_path, "docs.experiments", min_entries=2, metrics=["final_loss_adam", "final_loss_sgd"], visualization=True
    )
    assert v.status == "passed", v
    assert v.metrics == {"entries": 2.0, "with_visualization": 1.0}

    plot.unlink()  # the picture is gone: say so
    v = judge(tmp_path, "docs.experiments", visualization=True)
    assert v.status == "failed" and "visualizations/cmp.png" in "\n".join(v.details)


def test_damaged_log_fails_with_the_reason(tmp_path):
    experiment(tmp_path)
    path = tmp_path / logs.EXPERIMENTS_FILE
    path.write_text(path.read_text().replace("<!-- llmpath:entry:v1 ", "<!-- llmpath:entry:v1 AAAA"))
    v = judge(tmp_path, "docs.experiments")
    assert v.status == "failed" and "damaged" in " ".join(v.details)


DERIVATION = """\
# Derivation of the gradient

<!-- Write your derivation here: these words in a comment do not count at all, not one of them. -->

Setup
=====

The loss is the mean binary cross-entropy.

```python
# Not a heading inside a fence
```

## Gradient with respect to w ##

dL/dw = X^T (sigmoid(Xw + b) - y) / N, and the sigmoid derivative cancels.
"""


def test_file(tmp_path):
    mdir = tmp_path / "milestones" / "M1"
    v = judge(tmp_path, "docs.file", milestone="M1", path="derivation.md")
    assert v.status == "failed" and "milestones/M1/derivation.md does not exist" in v.summary
    mdir.mkdir(parents=True)
    (mdir / "derivation.md").write_text(DERIVATION)
    v = judge(
        tmp_path,
        "docs.file",
        milestone="M1",
        path="derivation.md",
        min_words=20,
        headings=["derivation", "SETUP", "gradient with respect to w"],
        mentions=["sigmoid derivative", "cross-entropy"],
    )
    assert v.status == "passed", v
    assert v.metrics["headings"] == 3.0
    assert 20 <= v.metrics["words"] < 40
    v = judge(
        tmp_path, "docs.file", milestone="M1", path="derivation.md", min_words=100,
        headings=["Not a heading inside a fence", "Chain rule"], mentions=["comment", "chain rule"],
    )
    assert v.status == "failed"
    text = "\n".join(v.details)
    assert "at least 100" in text
    assert "“Not a heading inside a fence”, “Chain rule”" in text
    assert "“comment”, “chain rule”" in text  # words in HTML comments are not counted


def test_headings_parser():
    md = "Title\n=====\n\n- item\n---\n\ntext\n---\n#hashtag\n####### seven\n   ## indented ok\n    ## code block\n"
    assert docs.headings(md) == ["Title", "text", "indented ok"]


def test_runs_through_the_judge_in_process(tmp_path):
    from llmpath.judge.run import CheckSpec, run_checks

    journal(tmp_path, words(50))
    specs = [
        CheckSpec("M3.journal#0", "journal", "docs.journal", {"min_words": 40}),
        CheckSpec("M3.exp#0", "exp", "docs.experiments", {"metrics": ["loss"]}),
    ]
    results = run_checks("M3", tmp_path / "milestones" / "M3", tmp_path, specs)
    assert [r.status for r in results] == ["passed", "failed"]
    assert results[0].metrics["words"] == 50.0
