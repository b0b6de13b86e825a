"""Starter files and workspace templates: present, importable, honest stubs, READMEs in step with the roadmap."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from llmpath.workspace.checklist import BEGIN, END

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "llmpath" / "templates"
MILESTONES = TEMPLATES / "milestones"
ROADMAP = yaml.safe_load((ROOT / "roadmap.yaml").read_text())
ROADMAP_MILESTONES = {m["id"]: m for phase in ROADMAP["phases"] for m in phase["milestones"]}
IDS = list(ROADMAP_MILESTONES)

# The starter files each milestone's contract names (docs/CONTRACTS.md) besides README.md.
STARTERS = {
    "M1": {"logistic_regression.py", "derivation.md"},
    "M2": {"mlp.py"},
    "M3": {"optimizers.py"},
    "M4": {"autograd.py", "trace.md"},
    "M5": {"attention.py"},
    "M6": {"transformer.py"},
    "M7": {"model.py", "train.py"},
    "M8": {"bpe.py", "VOCAB.md"},
    "M9": {"pretrain.py"},
    "M10": {"lora.py"},
    "M11": {"rag.py"},
    "M12": {"agent.py"},
    "M13": {"multi_agent.py"},
    "M14": {"capstone.py", "DESIGN.md", "tests/test_capstone.py"},
}
# Names the validators look up in each file (CONTRACTS.md).
CONTRACT_NAMES = {
    "M1/logistic_regression.py": {"sigmoid", "loss_and_grad", "train", "predict_proba"},
    "M2/mlp.py": {"MLP", "train"},
    "M3/optimizers.py": {"SGD", "Momentum", "Adam", "VARIANT", "AdamW", "RMSProp", "Nesterov"},
    "M4/autograd.py": {"Value", "grad_fn_trace"},
    "M5/attention.py": {"scaled_dot_product_attention", "causal_mask"},
    "M6/transformer.py": {"TransformerBlock"},
    "M7/model.py": {"GPT"},
    "M8/bpe.py": {"BPETokenizer"},
    "M10/lora.py": {"LoRALinear", "apply_lora"},
    "M11/rag.py": {"RAG", "normalize_answer", "exact_match", "f1"},
    "M12/agent.py": {"Agent"},
}
# Starter code (M14's starter tests are tests of the learner's capstone, not stubs: they are left out).
PY_FILES = sorted(
    p.relative_to(MILESTONES).as_posix() for p in MILESTONES.rglob("*.py") if not p.name.startswith("test_")
)


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_every_milestone_has_its_starters() -> None:
    assert sorted(p.name for p in MILESTONES.iterdir() if p.is_dir()) == sorted(IDS)
    for mid in IDS:
        files = {p.relative_to(MILESTONES / mid).as_posix() for p in (MILESTONES / mid).rglob("*") if p.is_file()}
        files = {f for f in files if "__pycache__" not in f}
        assert files == STARTERS[mid] | {"README.md"}, mid


@pytest.mark.parametrize("mid", IDS)
def test_readme(mid: str) -> None:
    text = (MILESTONES / mid / "README.md").read_text(encoding="utf-8")
    assert text.count(BEGIN) == 1 and text.count(END) == 1
    assert text.index(BEGIN) < text.index(END)
    assert re.search(rf"^{re.escape(BEGIN)}\n{re.escape(END)}$", text, re.M), (
        "markers on their own lines, empty between"
    )
    milestone = ROADMAP_MILESTONES[mid]
    assert text.splitlines()[0] == f"# {mid} — {milestone['title']}"
    flat = _flat(text)
    assert _flat(milestone["summary"]) in flat
    for objective in milestone["objectives"]:
        assert f"- {objective}" in text, objective
    for heading in ("## Objectives", "## Exit criteria", "## The contract", "## How to check"):
        assert f"\n{heading}\n" in text, heading
    assert f"llmpath check {mid}" in text and f"llmpath hint {mid}" in text
    for name in STARTERS[mid]:
        assert f"`{name}`" in text, f"README does not mention {name}"


@pytest.mark.parametrize("rel", PY_FILES)
def test_starter_stubs_are_honest(rel: str) -> None:
    """Each function's body raises NotImplementedError("what to do") and returns nothing."""
    source = (MILESTONES / rel).read_text(encoding="utf-8")
    tree = ast.parse(source, filename=rel)
    assert ast.get_docstring(tree), "a module docstring saying what the file is for"
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    assert functions
    for fn in functions:
        raises = [
            s for s in fn.body
            if isinstance(s, ast.Raise) and isinstance(s.exc, ast.Call)
            and getattr(s.exc.func, "id", None) == "NotImplementedError"
        ]
        assert len(raises) == 1, f"{rel}:{fn.lineno} {fn.name} must raise NotImplementedError(...)"
        args = raises[0].exc.args
        assert args and isinstance(args[0], ast.Constant) and len(str(args[0].value)) > 10, (
            f"{fn.name}: say what to implement"
        )
        assert not any(isinstance(n, ast.Return) for n in ast.walk(fn)), f"{fn.name} returns something"
    defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)}
    defined |= {t.id for n in tree.body if isinstance(n, ast.Assign | ast.AnnAssign)
                for t in (n.targets if isinstance(n, ast.Assign) else [n.target]) if isinstance(t, ast.Name)}
    assert CONTRACT_NAMES.get(rel, set()) <= defined


_PROBE = r"""
import dataclasses, importlib.util, inspect, json, sys
from pathlib import Path

report = {}
for path in sorted(Path(sys.argv[1]).rglob("*.py")):
    if path.name.startswith("test_"):
        continue
    rel = path.relative_to(sys.argv[1]).as_posix()
    name = "_starter_" + rel.replace("/", "_")[:-3]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)  # importing must not raise
    calls = []

    def call(label, fn, *bound):
        sig = inspect.signature(fn)
        params = list(sig.parameters.values())[len(bound):]
        args = [None for p in params if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        try:
            fn(*bound, *args)
        except NotImplementedError as exc:
            calls.append([label, "NotImplementedError", str(exc)])
        except BaseException as exc:
            calls.append([label, type(exc).__name__, str(exc)])
        else:
            calls.append([label, "returned", ""])

    for attr, obj in vars(module).items():
        if getattr(obj, "__module__", None) != name:
            continue
        if inspect.isfunction(obj):
            call(attr, obj)
        elif inspect.isclass(obj) and not dataclasses.is_dataclass(obj):
            for meth_name, meth in vars(obj).items():
                if inspect.isfunction(meth):
                    instance = obj.__new__(obj)
                    call(f"{attr}.{meth_name}", meth, instance)
    report[rel] = calls
print(json.dumps(report))
"""


def test_starters_import_and_every_function_raises(tmp_path: Path) -> None:
    copy = tmp_path / "milestones"
    shutil.copytree(MILESTONES, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(copy)], capture_output=True, text=True, cwd=tmp_path, timeout=240
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert sorted(report) == PY_FILES
    for rel, calls in report.items():
        assert calls, f"{rel}: nothing callable found"
        for label, outcome, message in calls:
            assert outcome == "NotImplementedError", f"{rel}: {label} -> {outcome} {message}"
            assert message.strip(), f"{rel}: {label} raises NotImplementedError without saying what to do"


def _prose_words(text: str) -> int:
    """Words outside HTML comments, headings and code fences (what the doc checks count)."""
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
    return len(re.findall(r"\w+", "\n".join(lines)))


def test_markdown_starters_are_prompts_below_every_minimum() -> None:
    derivation = (MILESTONES / "M1" / "derivation.md").read_text()
    assert _prose_words(derivation) == 0  # all prompts are comments; the check wants 150 words
    assert "- y" not in _flat(derivation) and "−" not in derivation  # the answer is not given away
    assert _prose_words((MILESTONES / "M4" / "trace.md").read_text()) == 0
    vocab = (MILESTONES / "M8" / "VOCAB.md").read_text()
    assert "TODO" in vocab and len(re.findall(r"\w+", vocab)) < 150
    design = (MILESTONES / "M14" / "DESIGN.md").read_text()
    assert _prose_words(design) == 0
    for heading in ("Design", "Implementation", "Evaluation"):
        assert f"\n## {heading}\n" in design


def test_m7_readme_documents_the_corpus_api() -> None:
    text = (MILESTONES / "M7" / "README.md").read_text()
    assert "from llmpath.datasets import load_corpus, entropy_floor, is_grammatical" in text
    for snippet in ('load_corpus("train")', 'load_corpus("validation")', "checkpoint.pt", "loss_history.json",
                    '"config"', '"model"', '"vocab"', '"step"', '"train_loss"', '"val_loss"', "visualizations/"):
        assert snippet in text, snippet


def test_scaffolding_fills_the_checklist(tmp_path: Path) -> None:
    from llmpath.workspace.roadmap import Criterion, Milestone
    from llmpath.workspace.scaffold import scaffold_milestone

    for mid in ("M1", "M7", "M14"):
        data = ROADMAP_MILESTONES[mid]
        criteria = [Criterion(id=c["id"], text=c["text"], checks=[{"validator": "x"}]) for c in data["criteria"]]
        milestone = Milestone(id=mid, title=data["title"], summary=data["summary"], criteria=criteria)
        target = tmp_path / "milestones" / mid
        created = scaffold_milestone(milestone, target, {criteria[0].id: True})
        assert {p.relative_to(target).as_posix() for p in created} == STARTERS[mid] | {"README.md"}
        readme = (target / "README.md").read_text()
        inside = readme[readme.index(BEGIN) + len(BEGIN): readme.index(END)]
        assert inside.count("- [") == len(criteria)
        assert f"- [x] {criteria[0].text}" in inside


WORKSPACE = TEMPLATES / "workspace"


def test_workspace_templates() -> None:
    files = {p.relative_to(WORKSPACE).as_posix() for p in WORKSPACE.rglob("*") if p.is_file()}
    assert files == {".gitignore", "README.md", "papers_notes/README.md", "visualizations/.gitkeep"}
    readme = (WORKSPACE / "README.md").read_text()
    for name in ("roadmap.yaml", "experiments_log.md", "learning_journal.md", "visualizations/", "papers_notes/",
                 ".llmpath/progress.json", "llmpath status", "llmpath unlock next"):
        assert name in readme, name


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_workspace_gitignore(tmp_path: Path) -> None:
    shutil.copy(WORKSPACE / ".gitignore", tmp_path / ".gitignore")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)

    def ignored(path: str) -> bool:
        return subprocess.run(["git", "check-ignore", "-q", path], cwd=tmp_path).returncode == 0

    for path in (".llmpath/progress.json", "milestones/M7/checkpoint.pt", "milestones/M7/loss_history.json",
                 "experiments_log.md", "learning_journal.md", "visualizations/M7_loss.png", "roadmap.yaml"):
        assert not ignored(path), path
    for path in (".llmpath/progress.json.lock", ".llmpath/logs.lock", ".llmpath/backups/M1-x/a.py",
                 "milestones/M1/__pycache__/x.pyc", ".venv/bin/python"):
        assert ignored(path), path
