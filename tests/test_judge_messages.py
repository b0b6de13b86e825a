"""What a learner reads when their code hangs, cannot be read, or crashes inside a call (through the CLI).

One toy milestone with three checks of ``toy.py`` (tests/toy_validators.py: ANSWER calls a function
of the learner's file and expects 42), so every case costs one short sandbox run.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from llmpath.errors import EXIT_CHECK_FAILED
from tests.clihelp import cli


def _workspace(tmp_path: Path, timeout: float = 2) -> Path:
    def crit(name: str, function: str, **extra: object) -> dict:
        check = {"validator": "tests.toy_validators:ANSWER", "params": {"function": function}, **extra}
        return {"id": f"M1.{name}", "text": f"{function}() returns 42", "checks": [check]}

    roadmap = {
        "version": 1,
        "title": "Toy",
        "phases": [{"id": "p", "title": "P", "description": "d", "milestones": [{
            "id": "M1", "title": "Parts", "summary": "s",
            "criteria": [crit("first", "first"), crit("second", "second", timeout=timeout), crit("third", "third")],
        }]}],
    }
    source = tmp_path / "course.yaml"
    source.write_text(yaml.safe_dump(roadmap, sort_keys=False))
    ws = tmp_path / "ws"
    assert cli("init", str(ws), "--roadmap", str(source)).code == 0
    return ws


def _check(ws: Path, code: str) -> str:
    (ws / "milestones" / "M1" / "toy.py").write_text(code)
    res = cli("check", "M1", cwd=ws)
    assert res.code == EXIT_CHECK_FAILED, res.out + res.err
    return res.out


HANG = '''
class Spinner:
    def spin(self):
        while True: pass  # one line: the dump may catch the loop's test or its body


def first():
    return 42


def second():
    return Spinner().spin()


def third():
    return 41
'''


def test_a_hang_names_the_method_and_line_and_hides_nothing_else(tmp_path):
    ws = _workspace(tmp_path)
    out = _check(ws, HANG)
    assert "exceeded its 2 s time limit and was stopped in `Spinner.spin` (milestones/M1/toy.py:4)" in out
    assert 'File "milestones/M1/toy.py", line 4, in Spinner.spin' in out and "while True: pass" in out
    assert "✓ M1.first" in out  # judged before the hang
    assert "third() returned 41, expected 42" in out  # judged after it, in a fresh child


def test_a_syntax_error_is_shown_once_with_the_line_and_a_caret(tmp_path):
    ws = _workspace(tmp_path)
    out = _check(ws, "def first():\n    return 42\n\ndef second(:\n    return 42\n")
    assert out.count("Python could not read your file") == 1
    assert 'File "milestones/M1/toy.py", line 4' in out and "def second(:" in out
    caret = out.splitlines()[out.splitlines().index(next(ln for ln in out.splitlines() if "def second(:" in ln)) + 1]
    assert caret.strip() == "^"
    assert out.count("the same error as M1.first, above") == 2
    assert "<frozen" not in out and "importlib" not in out


def test_a_crash_names_the_call_and_colour_codes_are_stripped(tmp_path):
    ws = _workspace(tmp_path)
    code = (
        "def first():\n    raise ValueError('\\x1b[1mbold\\x1b[0m trouble')\n\n"
        "def second():\n    return 42\n\ndef third():\n    return 42\n"
    )
    out = _check(ws, code)
    assert "ValueError: bold trouble (in the call first())" in out
    assert "\x1b" not in out
    doc = json.loads(cli("check", "M1", "--json", cwd=ws).out)
    summary = doc["criteria"][0]["checks"][0]["summary"]
    assert summary == "ValueError: bold trouble (in the call first())"


def test_call_descriptions_show_shapes_not_values():
    import numpy as np

    from llmpath.validators.api import describe_call

    class Tensor:  # torch.Tensor's description without importing torch here (seconds)
        __module__ = "torch"
        shape, dtype = (2, 6), "torch.int64"

    text = describe_call("model.generate", (Tensor(), 20), {"temperature": 1.0, "top_k": 1})
    assert text == "model.generate(tensor int64 (2, 6), 20, temperature=1.0, top_k=1)"
    assert describe_call("loss_and_grad", (np.zeros(5), 0.5), {}) == "loss_and_grad(array float64 (5,), 0.5)"


def test_m7_probes_say_what_they_are_doing(tmp_path):
    """`check M7` evaluates and samples for a while: its probes report each stage (shown by the CLI)."""
    import shutil

    from llmpath.validators.api import ProbeContext
    from llmpath.validators.m7_gpt.checkpoint import _probe_checkpoint
    from llmpath.validators.m7_gpt.generate import _probe_generate

    folder = tmp_path / "ws" / "milestones" / "M7"
    shutil.copytree(Path(__file__).parent / "solutions" / "M7" / "reference", folder)
    said: list[str] = []
    small = {"eval_chars": 256}
    _probe_checkpoint(ProbeContext("M7", folder, folder.parent.parent, small, 0, said.append))
    few = {"greedy_tokens": 2, "topk_tokens": 2, "spread_samples": 8, "sample_tokens": 4, "n_samples": 2}
    _probe_generate(ProbeContext("M7", folder, folder.parent.parent, few, 0, said.append))
    assert any(s.startswith("scoring 256 held-out characters") for s in said), said
    assert any("sampling 2 continuations" in s for s in said) and any("top_k=1" in s for s in said), said
