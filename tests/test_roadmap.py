"""roadmap.yaml: the real curriculum, the loader's line-numbered errors, and the model's lookups."""

from __future__ import annotations

import difflib
import importlib
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, ValidationError

from llmpath import templates
from llmpath.errors import RoadmapError, UsageError
from llmpath.validators.api import Check, NoParams, Verdict
from llmpath.validators.m14_capstone.params import SuiteParams
from llmpath.validators.registry import UnknownValidator
from llmpath.workspace import roadmap_yaml as rm_yaml
from llmpath.workspace.roadmap import Roadmap, json_schema
from llmpath.workspace.roadmap_yaml import load_roadmap

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "roadmap.yaml"
LINE = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+): \S[^\n]*$")


# ---------------------------------------------------------------- a stand-in registry


class _Journal(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    min_words: int = 40
    mentions: list[str] = []


class _Experiments(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    min_entries: int = 1
    metrics: list[str] = []
    visualization: bool = False


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    path: str
    min_words: int = 0
    headings: list[str] = []
    mentions: list[str] = []
    exclude_starter: bool = False
    min_section_words: int = 0


class _Count(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    n: int = 1


def _names_in(path: Path) -> set[str]:
    data = yaml.safe_load(path.read_text())
    return {
        check["validator"]
        for phase in data["phases"]
        for milestone in phase["milestones"]
        for criterion in milestone["criteria"]
        for check in criterion["checks"]
    }


FAKE_PARAMS: dict[str, type[BaseModel]] = {
    "docs.journal": _Journal,
    "docs.experiments": _Experiments,
    "docs.file": _File,
    "m14.tests": SuiteParams,
    "t.ok": NoParams,
    "t.count": _Count,
}
FAKE_PARAMS.update({name: NoParams for name in _names_in(REAL) if name not in FAKE_PARAMS})


def fake_resolve(name: str) -> Check:
    if name not in FAKE_PARAMS:
        close = difflib.get_close_matches(name, FAKE_PARAMS, n=3)
        also = f" (did you mean {', '.join(close)}?)" if close else ""
        raise UnknownValidator(f"unknown validator {name!r}{also}")
    return Check(name=name, description=name, verdict=lambda raw, ctx: Verdict.passed("ok"), params=FAKE_PARAMS[name])


def load_text(tmp_path: Path, text: str, name: str = "roadmap.yaml") -> Roadmap:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_roadmap(path, resolver=fake_resolve)


def errors_of(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(RoadmapError) as info:
        load_text(tmp_path, text)
    lines = info.value.message.splitlines()
    assert lines, "an empty error message"
    for line in lines:
        assert LINE.match(line), f"not 'file:LINE: path: what': {line!r}"
    return lines


# ---------------------------------------------------------------- the real curriculum

CRITERIA = {
    "M1": [("M1.sigmoid", "m1.sigmoid"), ("M1.gradient", "m1.loss_and_grad"), ("M1.training", "m1.train"),
           ("M1.derivation", "m1.derivation"), ("M1.journal", "docs.journal")],
    "M2": [("M2.gradients", "m2.gradients"), ("M2.stability", "m2.stability"), ("M2.training", "m2.train"),
           ("M2.journal", "docs.journal")],
    "M3": [("M3.optimizers", "m3.optimizers"), ("M3.variant", "m3.variant"), ("M3.experiments", "m3.experiments"),
           ("M3.journal", "docs.journal")],
    "M4": [("M4.value", "m4.value"), ("M4.trace", "m4.grad_fn_trace"), ("M4.trace_doc", "m4.trace_doc"),
           ("M4.journal", "docs.journal")],
    "M5": [("M5.attention", "m5.attention"), ("M5.mask", "m5.causal_mask"), ("M5.qkv", "docs.journal")],
    "M6": [("M6.block", "m6.block"), ("M6.journal", "docs.journal")],
    "M7": [("M7.checkpoint", "m7.checkpoint"), ("M7.causal", "m7.causality"), ("M7.generate", "m7.generate"),
           ("M7.history", "m7.history"), ("M7.loss_curve", "m7.loss_curve"), ("M7.journal", "docs.journal")],
    "M8": [("M8.roundtrip", "m8.roundtrip"), ("M8.merges", "m8.merges"), ("M8.replay", "m8.replay"),
           ("M8.encode", "m8.encode"), ("M8.compression", "m8.compression"), ("M8.docs", "m8.docs"),
           ("M8.journal", "docs.journal")],
    "M9": [("M9.pretrain", "m9.pretrain"), ("M9.report", "docs.experiments"), ("M9.journal", "docs.journal")],
    "M10": [("M10.lora", "m10.lora"), ("M10.compare", "docs.experiments"), ("M10.journal", "docs.journal")],
    "M11": [("M11.metrics", "m11.metrics"), ("M11.retrieval", "m11.retrieval"), ("M11.answers", "m11.answers"),
            ("M11.grounding", "m11.grounding"), ("M11.eval", "m11.eval"), ("M11.journal", "docs.journal")],
    "M12": [("M12.parse", "m12.parse"), ("M12.outputs", "m12.outputs"), ("M12.robust", "m12.robust"),
            ("M12.success", "m12.success"), ("M12.report", "m12.report"), ("M12.journal", "docs.journal")],
    "M13": [("M13.system", "m13.multi_agent"), ("M13.journal", "docs.journal")],
    "M14": [("M14.tests", "m14.tests"), ("M14.reproducible", "m14.reproducible"), ("M14.baseline", "m14.baseline"),
            ("M14.builds_on", "m14.builds_on"), ("M14.design", "docs.file"), ("M14.journal", "docs.journal")],
}
PARAMS = {
    "M1.journal": {"min_words": 40},
    "M5.qkv": {"min_words": 80, "mentions": ["query", "key", "value"]},
    "M9.report": {"metrics": ["perplexity", "bits_per_byte"]},
    "M10.compare": {"min_entries": 2, "metrics": ["accuracy"]},
    "M14.tests": {"min_tests": 5, "min_coverage": 0.8, "mutants": 20, "min_killed": 0.7},
    "M14.design": {"path": "DESIGN.md", "min_words": 300, "headings": ["Design", "Implementation", "Evaluation"],
                   "exclude_starter": True, "min_section_words": 50},
}


@pytest.fixture(scope="module")
def real() -> Roadmap:
    return load_roadmap(REAL, resolver=fake_resolve)


def test_curriculum_has_four_phases_and_fourteen_milestones(real: Roadmap) -> None:
    assert [p.title for p in real.phases] == ["Foundations", "Transformers", "LLM Training", "Applications"]
    assert [[m.id for m in p.milestones] for p in real.phases] == [
        ["M1", "M2", "M3", "M4"], ["M5", "M6", "M7"], ["M8", "M9", "M10", "M11"], ["M12", "M13", "M14"]]
    for phase in real.phases:
        assert phase.description.strip() and len(phase.objectives) >= 2
    for m in real.milestones():
        assert m.summary.strip() and m.objectives, m.id
        assert 3 <= len(m.hints) <= 5, m.id
        assert m.tag


def test_curriculum_criteria_and_checks(real: Roadmap) -> None:
    for m in real.milestones():
        got = [(c.id, c.checks[0].validator) for c in m.criteria]
        assert got == CRITERIA[m.id]
        for c in m.criteria:
            assert len(c.checks) == 1 and c.text.strip()
            check = c.checks[0]
            assert check.params == PARAMS.get(c.id, {}), c.id
            assert check.timeout == (300 if c.id == "M7.checkpoint" else None), c.id
            assert check.memory_mb is None and check.seed == 0


def test_bundled_copy_is_identical() -> None:
    assert (ROOT / "llmpath" / "templates" / "roadmap.yaml").read_bytes() == REAL.read_bytes()
    assert templates.BUNDLED_ROADMAP.read_bytes() == REAL.read_bytes()


def test_committed_schema_is_up_to_date() -> None:
    committed = json.loads(templates.BUNDLED_SCHEMA.read_text())
    assert committed == json_schema(), (
        "regenerate: python -m llmpath.workspace.roadmap > llmpath/templates/roadmap.schema.json"
    )


def test_schema_describes_the_file() -> None:
    schema = json_schema()
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"version", "title", "phases"}
    assert {"CheckDecl", "Criterion", "Milestone", "Phase"} <= set(schema["$defs"])


def _registered_checks() -> dict[str, Check]:
    """The built-in checks of every validator module that imports (some may still be missing)."""
    from llmpath.validators import registry

    checks: dict[str, Check] = {}
    for module_name in registry.MODULES:
        try:
            module = importlib.import_module(f"llmpath.validators.{module_name}")
        except ImportError:
            continue
        checks.update({check.name: check for check in getattr(module, "CHECKS", ())})
    return checks


def test_real_roadmap_params_fit_the_validators_registered_so_far() -> None:
    registered = _registered_checks()
    load_roadmap(REAL, resolver=lambda name: registered.get(name) or fake_resolve(name))


def test_real_roadmap_loads() -> None:
    missing = sorted(_names_in(REAL) - set(_registered_checks()))
    if missing:
        pytest.skip(f"validators not registered yet: {', '.join(missing)}")
    roadmap = load_roadmap(REAL)
    assert len(roadmap.milestones()) == 14
    # `llmpath status` loads the roadmap: that must not pull in numpy or torch.
    code = (
        "import sys; from pathlib import Path; from llmpath.workspace.roadmap_yaml import load_roadmap; "
        f"load_roadmap(Path({str(REAL)!r})); "
        "heavy = [m for m in ('numpy', 'torch') if m in sys.modules]; assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_import_is_light() -> None:
    code = (
        "import sys, llmpath.workspace.roadmap; heavy = [m for m in ('numpy', 'torch') if m in sys.modules]; "
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


# ---------------------------------------------------------------- lookups


@pytest.mark.parametrize("given_id", ["M3", "m3", "3", " M3 ", "M03"])
def test_milestone_accepts_spellings(real: Roadmap, given_id: str) -> None:
    assert real.milestone(given_id).id == "M3"


@pytest.mark.parametrize("given_id, shown", [("M99", "M99"), ("99", "M99"), ("foo", "foo"), ("M0", "M0"), ("", "")])
def test_unknown_milestone(real: Roadmap, given_id: str, shown: str) -> None:
    with pytest.raises(UsageError) as info:
        real.milestone(given_id)
    assert info.value.message == f"unknown milestone {shown!r}; the roadmap has M1..M14"


def test_phase_index_next(real: Roadmap) -> None:
    assert real.phase_of("m7").id == "transformers"
    assert real.phase_of("M8").title == "LLM Training"
    assert real.index("M1") == 0 and real.index("14") == 13
    assert real.milestone_ids() == [f"M{i}" for i in range(1, 15)]
    assert real.next_milestone("M4").id == "M5"
    assert real.next_milestone("M14") is None
    assert real.criterion("M7.checkpoint").checks[0].timeout == 300
    assert real.milestone("M2").number == 2
    with pytest.raises(UsageError):
        real.criterion("M7.nope")


def test_models_are_frozen(real: Roadmap) -> None:
    with pytest.raises(ValidationError):
        real.title = "x"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        real.milestones()[0].criteria[0].checks[0].seed = 3  # type: ignore[misc]


def test_roadmap_built_in_code_is_checked_too(real: Roadmap) -> None:
    data = real.model_dump()
    data["phases"][0]["milestones"][1]["id"] = "M1"
    with pytest.raises(ValidationError, match="duplicate milestone id 'M1'"):
        Roadmap.model_validate(data)


# ---------------------------------------------------------------- errors, one per line, with the line

MINI = textwrap.dedent(
    """\
    version: 1
    title: Mini
    phases:
      - id: one
        title: One
        description: First phase.
        milestones:
          - id: M1
            title: First
            summary: The first.
            criteria:
              - id: M1.a
                text: a passes
                checks:
                  - validator: t.ok
          - id: M2
            title: Second
            summary: The second.
            criteria:
              - id: M2.a
                text: counts
                checks:
                  - validator: t.count
                    params: {n: 3}
                    timeout: 5
      - id: two
        title: Two
        description: Second phase.
        milestones:
          - id: M3
            title: Third
            summary: The third.
            tag: false
            criteria:
              - id: M3.a
                text: a passes
                checks:
                  - validator: t.ok
    """
)


@pytest.fixture(params=sorted({rm_yaml.PyLoader, rm_yaml.LOADER}, key=lambda c: c.__name__), ids=lambda c: c.__name__)
def yaml_loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> type:
    """Both YAML front ends: libyaml (used when installed) and the pure-Python one."""
    monkeypatch.setattr(rm_yaml, "LOADER", request.param)
    return request.param


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    start = -1
    for _ in range(occurrence):
        start = text.index(needle, start + 1)
    return text[:start].count("\n") + 1


def test_mini_loads(tmp_path: Path) -> None:
    roadmap = load_text(tmp_path, MINI)
    assert roadmap.milestone_ids() == ["M1", "M2", "M3"]
    assert roadmap.milestone("M2").criteria[0].checks[0].params == {"n": 3}
    assert roadmap.milestone("M3").tag is False
    with pytest.raises(UsageError, match="the roadmap has M1..M3"):
        roadmap.milestone("M4")


CASES = [
    # (name, find, replace, needle for the expected line, expected message fragment)
    ("syntax", "title: One", "title: [One", "description: First", "invalid YAML"),
    (
        "python tag",
        "title: Mini",
        "title: !!python/object/apply:os.system [echo hi]",
        "title: !!python",
        "could not determine a constructor for the tag 'tag:yaml.org,2002:python/object/apply:os.system'",
    ),
    (
        "unknown key",
        "        title: First",
        "        title: First\n        sumary: typo",
        "sumary",
        "phases[0].milestones[0].sumary: unknown key 'sumary' (did you mean summary?)",
    ),
    (
        "wrong type",
        "params: {n: 3}",
        "params: {n: three}",
        "params: {n: three}",
        "phases[0].milestones[1].criteria[0].checks[0].params.n: ",
    ),
    (
        "list expected",
        "    milestones:\n      - id: M3",
        "    milestones: M3\n    x:\n      - id: M3",
        "milestones: M3",
        "phases[1].milestones: expected a list",
    ),
    (
        "missing key",
        "        summary: The second.\n",
        "",
        "  - id: M2",
        "phases[0].milestones[1].summary: required, but missing",
    ),
    (
        "duplicate milestone",
        "  - id: M3",
        "  - id: M2",
        "  - id: M2\n        title: Third",
        "phases[1].milestones[0].id: duplicate milestone id 'M2'",
    ),
    ("bad id", "  - id: M3", "  - id: M0", "  - id: M0", "is not a valid id"),
    (
        "order",
        "  - id: M2\n",
        "  - id: M5\n",
        "  - id: M3",
        "phases[1].milestones[0].id: milestones out of order: M3 comes after M5",
    ),
    (
        "duplicate criterion",
        "  - id: M3.a",
        "  - id: M2.a",
        "  - id: M2.a\n            text: a passes",
        "phases[1].milestones[0].criteria[0].id: duplicate criterion id 'M2.a'",
    ),
    ("criterion prefix", "  - id: M3.a", "  - id: M1.b", "  - id: M1.b", "must be named 'M3.<name>'"),
    (
        "duplicate phase",
        "  - id: two",
        "  - id: one",
        "  - id: one\n    title: Two",
        "phases[1].id: duplicate phase id 'one'",
    ),
    (
        "unknown validator",
        "validator: t.count",
        "validator: t.cont",
        "validator: t.cont",
        "phases[0].milestones[1].criteria[0].checks[0].validator: unknown validator 't.cont' (did you mean t.count",
    ),
    (
        "bad params",
        "params: {n: 3}",
        "params: {nn: 3}",
        "params: {nn: 3}",
        "checks[0].params.nn: unknown key 'nn' (did you mean n?)",
    ),
    (
        "bad params, no close match",
        "params: {n: 3}",
        "params: {zzz: 3}",
        "params: {zzz: 3}",
        "checks[0].params.zzz: unknown key 'zzz' (allowed: n)",
    ),
    ("bad timeout", "timeout: 5", "timeout: -1", "timeout: -1", "checks[0].timeout: input should be greater than 0"),
    (
        "duplicate yaml key",
        "title: Mini",
        "title: Mini\ntitle: Maxi",
        "title: Maxi",
        "title: duplicate key (first at line 2)",
    ),
    ("non-string key", "title: Mini", "title: Mini\n3: x", "3: x", "key 3 must be a string"),
    ("version", "version: 1", "version: 2", "version: 2", "version: input should be 1"),
    ("bad timestamp", "title: Mini", "title: 2020-13-45", "title: 2020", "cannot read this value"),
    ("tab", "title: Mini", "title: Mini\n\tx: 1", "\tx: 1", "invalid YAML"),
    ("control char", "title: Mini", "title: Mi\x07ni", "Mi\x07ni", "unacceptable character #x0007"),
]


@pytest.mark.parametrize("name, find, replace, needle, fragment", CASES, ids=[c[0] for c in CASES])
def test_error_names_line_and_path(
    yaml_loader: type, tmp_path: Path, name: str, find: str, replace: str, needle: str, fragment: str
) -> None:
    assert MINI.count(find) >= 1
    text = MINI.replace(find, replace, 1)
    lines = errors_of(tmp_path, text)
    expected_line = line_of(text, needle)
    hits = [line for line in lines if fragment in line]
    assert hits, f"no line contains {fragment!r}: {lines}"
    assert hits[0].startswith(f"roadmap.yaml:{expected_line}: "), lines


def test_several_problems_one_line_each(tmp_path: Path) -> None:
    text = MINI.replace("validator: t.count", "validator: t.nope").replace("  - id: M3.a", "  - id: M1.a")
    lines = errors_of(tmp_path, text)
    assert len(lines) == 2
    assert any("unknown validator 't.nope'" in line for line in lines)
    assert any("duplicate criterion id 'M1.a'" in line for line in lines)


def test_params_to_a_validator_without_params(tmp_path: Path) -> None:
    text = MINI.replace("              - validator: t.ok\n      - id: M2",
                        "              - validator: t.ok\n                params: {n: 1}\n      - id: M2")
    lines = errors_of(tmp_path, text)
    assert lines == [
        f"roadmap.yaml:{line_of(text, 'params: {n: 1}')}: "
        "phases[0].milestones[0].criteria[0].checks[0].params.n: unknown key 'n' (this takes no parameters)"
    ]


def test_empty_checks_and_criteria(tmp_path: Path) -> None:
    text = MINI.replace("            checks:\n              - validator: t.ok\n      - id: M2",
                        "            checks: []\n      - id: M2")
    lines = errors_of(tmp_path, text)
    assert lines == [
        f"roadmap.yaml:{line_of(text, 'checks: []')}: phases[0].milestones[0].criteria[0].checks: must not be empty"
    ]


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "(top level): the file is empty"),
        ("# only a comment\n", "(top level): the file is empty"),
        ("- a\n- b\n", "(top level): expected a mapping with version, title, phases; got a list"),
        ("just words\n", "(top level): expected a mapping with version, title, phases; got str 'just words'"),
        ("a: 1\n---\nb: 2\n", "invalid YAML: expected a single document"),
        ("a: &x [*x]\n", "a[0]: an alias refers to itself"),
        ("a: " + "[" * 3000 + "]" * 3000 + "\n", "nest"),  # "nested too deeply" / libyaml's "nesting depth"
    ],
)
def test_top_level_problems(yaml_loader: type, tmp_path: Path, text: str, fragment: str) -> None:
    lines = errors_of(tmp_path, text)
    assert any(fragment in line for line in lines), lines


def test_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    rows = ["a0: [x, x, x, x, x, x, x, x, x, x]"]
    rows += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    rows[0] = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"
    lines = errors_of(tmp_path, "\n".join(rows) + "\n")
    assert any("alias bomb" in line for line in lines), lines


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "roadmap.yaml"
    path.write_bytes(b"version: 1\ntitle: \xff\xfe\n")
    with pytest.raises(RoadmapError, match=r"^roadmap.yaml:2: \(file\): not UTF-8 text$"):
        load_roadmap(path, resolver=fake_resolve)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RoadmapError, match=r"^roadmap.yaml: \(file\): cannot read it"):
        load_roadmap(tmp_path / "roadmap.yaml", resolver=fake_resolve)


def test_file_name_in_messages(tmp_path: Path) -> None:
    with pytest.raises(RoadmapError, match=r"^course.yaml:1: "):
        load_text(tmp_path, "- 1\n", name="course.yaml")


def test_custom_validator_from_the_roadmap_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "path", list(sys.path))
    (tmp_path / "course_checks_xyz.py").write_text(
        "from llmpath.validators.api import Check, Verdict\n"
        "OK = Check(name='custom.ok', description='custom', verdict=lambda raw, ctx: Verdict.passed('ok'))\n"
    )
    text = MINI.replace("validator: t.count\n                params: {n: 3}", "validator: course_checks_xyz:OK")
    path = tmp_path / "roadmap.yaml"
    path.write_text(text)
    from llmpath.validators.registry import resolve

    def resolver(name: str) -> Check:  # the real registry for `module:ATTR`, the stand-in for the rest
        return resolve(name) if ":" in name else fake_resolve(name)

    roadmap = load_roadmap(path, resolver=resolver)
    assert roadmap.milestone("M2").criteria[0].checks[0].validator == "course_checks_xyz:OK"
    assert str(tmp_path.resolve()) in sys.path

    path.write_text(text.replace("course_checks_xyz:OK", "course_checks_xyz:NOPE"))
    with pytest.raises(
        RoadmapError,
        match=r"roadmap.yaml:\d+: phases\[0\]\.milestones\[1\]\.criteria\[0\]\.checks\[0\]\.validator: .*NOPE",
    ):
        load_roadmap(path, resolver=resolver)
    sys.modules.pop("course_checks_xyz", None)


# ---------------------------------------------------------------- never a traceback


def _assert_loads_or_locates(tmp_path: Path, text: str) -> None:
    path = tmp_path / "roadmap.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        load_roadmap(path, resolver=fake_resolve)
    except RoadmapError as exc:
        for line in exc.message.splitlines():
            assert LINE.match(line) or line.startswith("roadmap.yaml: (file):"), line
        assert exc.message.strip()


_FUZZ = settings(
    max_examples=34, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
_keys = st.sampled_from(["version", "title", "phases", "id", "milestones", "criteria", "checks", "validator",
                         "params", "timeout", "text", "summary", "description"]) | st.text(max_size=8)
_trees = st.recursive(_scalars, lambda kids: st.lists(kids, max_size=4) | st.dictionaries(_keys, kids, max_size=5),
                      max_leaves=25)


@_FUZZ
@given(text=st.text(max_size=300))
def test_fuzz_random_text(tmp_path: Path, text: str) -> None:
    _assert_loads_or_locates(tmp_path, text)


@_FUZZ
@given(tree=st.dictionaries(_keys, _trees, max_size=5) | _trees)
def test_fuzz_random_structures(tmp_path: Path, tree: object) -> None:
    _assert_loads_or_locates(tmp_path, yaml.safe_dump(tree, allow_unicode=True))


_REAL_LINES = REAL.read_text().splitlines(keepends=True)


@_FUZZ
@given(
    op=st.sampled_from(["delete", "replace", "duplicate", "insert", "swap", "retype"]),
    i=st.integers(0, len(_REAL_LINES) - 1),
    j=st.integers(0, len(_REAL_LINES) - 1),
    junk=st.text(max_size=12)
    | st.sampled_from(["[", "{x: 1}", "- y", "!!python/name:os.system", "&a", "*a", "M99", "-1"]),
)
def test_fuzz_mutated_real_roadmap(tmp_path: Path, op: str, i: int, j: int, junk: str) -> None:
    lines = list(_REAL_LINES)
    if op == "delete":
        del lines[i]
    elif op == "replace":
        lines[i] = junk + "\n"
    elif op == "duplicate":
        lines.insert(i, lines[i])
    elif op == "insert":
        lines.insert(i, lines[i][: len(lines[i]) - len(lines[i].lstrip())] + junk + "\n")
    elif op == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    else:  # keep the key, change the value
        key, sep, _ = lines[i].partition(": ")
        lines[i] = (key + sep + junk + "\n") if sep else junk + lines[i]
    _assert_loads_or_locates(tmp_path, "".join(lines))
