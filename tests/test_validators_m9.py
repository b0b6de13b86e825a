"""M9 validators proven on a reference, three correct variants, a bank of bugs, broken artifacts, the stub.

The reference and the starter stub go through the real sandbox once; variants and bugs run their
probes in this process (``judge_in_process``: same probe and verdict, values round-tripped through
the codec) with the milestone folder first on sys.path, as the child has it (pretrain.py imports
its siblings bpe.py and model.py).
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest
import torch

from llmpath.judge.run import CheckResult
from llmpath.notebook.logs import append_experiment
from llmpath.templates import template_root
from llmpath.validators.api import VerdictContext
from llmpath.validators.registry import builtin_checks
from tests.judgeutil import SOLUTIONS, judge, judge_in_process, lay_out, save_as_from_cuda, statuses, text
from tests.solutions.M9.bugs import BUGS
from tests.solutions.M9.bugs import CHECKS as BUG_CHECKS
from tests.solutions.M9.walk import measure, siblings

M9 = SOLUTIONS / "M9"
REFERENCE = M9 / "reference"
VARIANTS = sorted(p for p in (M9 / "variants").iterdir() if p.is_dir())
STUB = template_root() / "milestones" / "M9"
NAMES = ["m9.metrics", "m9.pretrain", "m9.samples", "m9.report"]


def run_here(folder: Path, names, seed: int = 0, params: dict | None = None) -> list[CheckResult]:
    with siblings(folder):
        return judge_in_process(folder, names, seed=seed, params=params)


def _log(ws: Path, metrics: dict[str, float], notes: str) -> None:
    append_experiment(
        ws, milestone="M9", objective="pretrain", setup="reference", metrics=metrics, visualization=None,
        notes=notes, commit=None, dirty=False,
    )


@pytest.fixture(scope="module")
def measured() -> tuple[dict[str, float], int, list[str]]:
    return measure(REFERENCE)


def _entry(measured) -> tuple[dict[str, float], str]:
    metrics, params, samples = measured
    reported = {"perplexity": round(metrics["perplexity"], 4), "bits_per_byte": round(metrics["bits_per_byte"], 4)}
    return reported | {"params": float(params)}, "Samples:\n" + "\n".join(samples)


# ---------------------------------------------------------------------------------------------
# the reference and the stub, through the real sandbox


@pytest.fixture(scope="module")
def reference(tmp_path_factory, measured) -> tuple[Path, list[CheckResult]]:
    folder = lay_out(tmp_path_factory.mktemp("m9ref"), "M9", REFERENCE)
    _log(folder.parent.parent, *_entry(measured))
    return folder, judge(folder, NAMES)


def test_reference_passes_every_check(reference):
    _, results = reference
    assert statuses(results) == {n: "passed" for n in NAMES}, text(results)
    by = {r.validator: r for r in results}
    pre = by["m9.pretrain"].metrics
    assert pre["entropy_floor"] < pre["bits_per_byte"] < pre["gate"]
    assert by["m9.samples"].metrics["grammatical_fraction"] >= builtin_checks()["m9.samples"].params().min_grammatical
    for r in results:  # latency on 2 shared cores (tests/solutions/M9/README.md lists measurements)
        assert r.elapsed_s < 60, (r.validator, r.elapsed_s)


def test_reference_files_are_small():
    assert (REFERENCE / "checkpoint.pt").stat().st_size < 2_000_000
    assert (M9 / "leaky" / "checkpoint.pt").stat().st_size < 500_000


def test_starter_stub_is_not_implemented(tmp_path):
    folder = lay_out(tmp_path, "M9", STUB)
    results = judge(folder, NAMES[:3])
    for r in results:
        assert r.status == "error" and "not implemented" in r.summary, text([r])


def test_the_walk_logs_what_it_measured(measured, monkeypatch):
    import tests.solutions.M9.walk as walk

    calls = []
    monkeypatch.setattr(walk, "measure", lambda folder: measured)
    walk.document(REFERENCE.parent / "unused", lambda *args: calls.append(args))
    args = calls[0]
    metrics = dict(a.split("=") for a, flag in zip(args[1:], args[:-1], strict=True) if flag == "--metric")
    assert abs(float(metrics["bits_per_byte"]) / measured[0]["bits_per_byte"] - 1) < 1e-4
    assert int(metrics["params"]) == measured[1] and "--notes" in args


# ---------------------------------------------------------------------------------------------
# variants: evaluate and load_tokenizer written differently, on the reference's checkpoint


@pytest.mark.parametrize("variant", VARIANTS, ids=[v.name for v in VARIANTS])
def test_variant_passes(tmp_path, variant):
    folder = lay_out(tmp_path, "M9", variant)
    (folder / "checkpoint.pt").write_bytes((REFERENCE / "checkpoint.pt").read_bytes())
    results = run_here(folder, ["m9.metrics", "m9.pretrain"], seed=3)
    assert all(r.status == "passed" for r in results), text(results)


# ---------------------------------------------------------------------------------------------
# the bug bank: patches on the reference


def test_bug_bank_is_big_and_every_bug_names_its_checks():
    assert len(BUGS) >= 15
    assert {b.name for b in BUGS} == set(BUG_CHECKS)


@pytest.mark.parametrize("bug", BUGS, ids=[b.name for b in BUGS])
def test_bug_is_caught(tmp_path, bug):
    folder = lay_out(tmp_path, "M9", REFERENCE, bug, main_file="pretrain.py")
    results = run_here(folder, BUG_CHECKS[bug.name], seed=1)
    assert any(r.status == bug.status for r in results), text(results)
    assert bug.expect.lower() in text(results).lower(), text(results)


def test_a_crashing_evaluate_is_a_finding_not_a_crash(tmp_path):
    bug = next(b for b in BUGS if b.name == "loss_in_bits")
    crash = dataclasses.replace(bug, replace='    raise RuntimeError("boom")\n', expect=None)
    folder = lay_out(tmp_path, "M9", REFERENCE, crash, main_file="pretrain.py")
    result = run_here(folder, ["m9.metrics"])[0]
    assert result.status == "failed" and "RuntimeError: boom" in text([result]), text([result])


# ---------------------------------------------------------------------------------------------
# broken artifacts: checkpoint.pt


def _checkpoint_case(tmp_path: Path, mutate, names=("m9.pretrain",), params=None) -> list[CheckResult]:
    folder = lay_out(tmp_path, "M9", REFERENCE)
    ckpt = torch.load(REFERENCE / "checkpoint.pt", weights_only=True)
    mutate(ckpt, folder)
    return run_here(folder, list(names), params=params)


def _save(ckpt, folder):
    torch.save(ckpt, folder / "checkpoint.pt")


def _untrained(ckpt, folder):
    with siblings(folder):
        import model

        torch.manual_seed(0)
        ckpt["model"] = model.GPT(**ckpt["config"]).state_dict()
    _save(ckpt, folder)


def _pickled_tokenizer(ckpt, folder):
    with siblings(folder):
        import pretrain

        ckpt["tokenizer"] = pretrain.load_tokenizer(ckpt["tokenizer"])  # the object, not its merges
        _save(ckpt, folder)


def _merges_sorted(ckpt, folder):
    ckpt["tokenizer"]["merges"] = sorted(ckpt["tokenizer"]["merges"], reverse=True)
    _save(ckpt, folder)


def _no_merges(ckpt, folder):
    ckpt["tokenizer"]["merges"] = []
    _save(ckpt, folder)


def _character_level(ckpt, folder):  # an M7 checkpoint: a vocab of characters, no tokenizer
    del ckpt["tokenizer"]
    ckpt["vocab"] = [chr(i) for i in range(32, 128)]
    _save(ckpt, folder)


def _small_vocab(ckpt, folder):
    ckpt["config"] = dict(ckpt["config"], vocab_size=300)
    _save(ckpt, folder)


def _config_mismatch(ckpt, folder):
    ckpt["config"] = dict(ckpt["config"], d_model=32)
    _save(ckpt, folder)


def _no_file(ckpt, folder):
    (folder / "checkpoint.pt").unlink()


ARTIFACT_BUGS = [
    ("untrained", _untrained, "failed", "looks untrained"),
    ("pickled_tokenizer", _pickled_tokenizer, "failed", "weights_only"),
    ("merges_not_in_order", _merges_sorted, "failed", "in the order learned"),
    ("no_merges", _no_merges, "failed", "vocab_size > 256"),
    ("character_level_checkpoint", _character_level, "failed", "lacks the key(s) 'tokenizer'"),
    ("vocab_size_below_the_tokenizer", _small_vocab, "failed", "256 bytes + one id per merge"),
    ("config_mismatch", _config_mismatch, "failed", "does not take the saved weights"),
    ("no_checkpoint", _no_file, "error", "run your training script"),
]


@pytest.mark.parametrize("name,mutate,status,expect", ARTIFACT_BUGS, ids=[a[0] for a in ARTIFACT_BUGS])
def test_checkpoint_bug_is_caught(tmp_path, name, mutate, status, expect):
    results = _checkpoint_case(tmp_path, mutate)
    assert results[0].status == status, text(results)
    assert expect.lower() in text(results).lower(), text(results)
    assert "Traceback" not in text(results)


def test_leaky_model_sees_the_future(tmp_path):
    folder = lay_out(tmp_path, "M9", M9 / "leaky")
    for name in ("bpe.py", "pretrain.py"):
        (folder / name).write_bytes((REFERENCE / name).read_bytes())
    results = run_here(folder, ["m9.pretrain"])
    assert results[0].status == "failed" and "below the entropy floor" in results[0].summary, text(results)
    assert "sees the future" in (results[0].diagnosis or "")


def test_untrained_model_samples_ungrammatical_sentences(tmp_path):
    few = {"m9.samples": {"n_samples": 4, "sample_tokens": 48}}
    result = _checkpoint_case(tmp_path, _untrained, names=("m9.samples",), params=few)[0]
    assert result.status == "failed" and "train longer" in (result.diagnosis or ""), text([result])


def test_a_checkpoint_saved_from_cuda_tensors_is_judged_on_the_cpu(tmp_path):
    """A location tag of "cuda:0" on every storage is what a GPU run writes."""
    folder = lay_out(tmp_path, "M9", REFERENCE)
    save_as_from_cuda(torch.load(REFERENCE / "checkpoint.pt", weights_only=True), folder / "checkpoint.pt")
    if not torch.cuda.is_available():  # the file really asks for a GPU: plain torch.load refuses it here
        with pytest.raises(RuntimeError, match="CUDA"):
            torch.load(folder / "checkpoint.pt", weights_only=True)
    results = run_here(folder, ["m9.pretrain"])
    assert results[0].status == "passed", text(results)


# ---------------------------------------------------------------------------------------------
# m9.report: the entry against llmpath's recomputation (verdict on a probed reference)


@pytest.fixture(scope="module")
def report_raw(tmp_path_factory) -> tuple[Path, dict]:
    from llmpath.judge import codec
    from llmpath.validators.api import ProbeContext

    folder = lay_out(tmp_path_factory.mktemp("m9report"), "M9", REFERENCE)
    check = builtin_checks()["m9.report"]
    with siblings(folder):
        raw = check.probe(ProbeContext("M9", folder, folder.parent.parent, {}, 0))
    return folder, codec.decode(codec.encode(raw))


def _report(tmp_path: Path, report_raw, entries: list[tuple[dict, str]]):
    folder, raw = report_raw
    ws = tmp_path / "ws"
    (ws / "milestones").mkdir(parents=True)
    for metrics, notes in entries:
        _log(ws, metrics, notes)
    check = builtin_checks()["m9.report"]
    return check.verdict(raw, VerdictContext("M9", ws / "milestones" / "M9", ws, check.params(), 0))


def test_report_reproduces_the_reference_entry(tmp_path, report_raw, measured):
    verdict = _report(tmp_path, report_raw, [_entry(measured)])
    assert verdict.status == "passed", verdict
    embedding_free = dict(_entry(measured)[0], params=measured[1] - 512 * 64 - 64 * 64)
    assert _report(tmp_path / "b", report_raw, [(embedding_free, _entry(measured)[1])]).status == "passed"


@pytest.mark.parametrize(
    "change,expect",
    [
        ({"bits_per_byte": 0.345}, "reported bits_per_byte=0.345, but llmpath computes"),
        ({"perplexity": 2.2}, "reported perplexity=2.2, but llmpath computes"),
        ({"perplexity": None}, "does not report `perplexity`"),
        ({"params": 12345.0}, "reported params=12345"),
        ({"notes": "no samples here"}, "complete sampled sentence"),
    ],
)
def test_report_refuses_numbers_it_cannot_reproduce(tmp_path, report_raw, measured, change, expect):
    metrics, notes = _entry(measured)
    notes = change.pop("notes", notes)
    metrics = {k: v for k, v in {**metrics, **change}.items() if v is not None}
    verdict = _report(tmp_path, report_raw, [(metrics, notes)])
    assert verdict.status == "failed" and expect in " ".join(verdict.details), verdict


def test_report_needs_an_entry_and_judges_the_latest(tmp_path, report_raw, measured):
    assert "no M9 experiment entry" in _report(tmp_path, report_raw, []).summary
    good, old = _entry(measured), (dict(_entry(measured)[0], bits_per_byte=0.5), "Old. Run.")
    assert _report(tmp_path / "a", report_raw, [old, good]).status == "passed"
    assert _report(tmp_path / "b", report_raw, [good, old]).status == "failed"


# ---------------------------------------------------------------------------------------------
# m9.pretrain's bands on fabricated per-target losses


def _pretrain_verdict(bits_per_byte: float, vocab_size: int = 512):
    import numpy as np

    from llmpath.validators.m9_pretrain.heldout import fresh_text
    from llmpath.validators.m9_pretrain.tokenizer import encode

    check = builtin_checks()["m9.pretrain"]
    params = check.params()
    merges = [(116, 104), (256, 101)]  # "th", "the"
    text_ = fresh_text(0, params.eval_chars)
    ids = encode(text_, merges, "")
    vocab = {i: bytes([i]) for i in range(256)} | {256: b"th", 257: b"the"}
    nbytes = np.array([len(vocab[i]) for i in ids[1:]], dtype=float)
    nats = np.random.default_rng(0).gamma(4.0, 1.0, size=len(nbytes)) * nbytes
    nats *= bits_per_byte * math.log(2) * nbytes.sum() / nats.sum()
    raw = {
        "merges": [list(m) for m in merges], "pattern": "", "block": 64, "vocab_size": vocab_size,
        "ids": np.array(ids), "nats": nats, "theirs": {"ids": ids, "decoded": text_, "tricky": None},
    }
    from llmpath.validators.m9_pretrain.pretrain import TRICKY

    raw["theirs"]["tricky"] = TRICKY
    params = params.model_copy(update={"min_bytes_per_token": 1.01})
    return check.verdict(raw, VerdictContext("M9", Path("."), Path("."), params, 0))


def test_pretrain_verdict_bands():
    from llmpath.datasets import entropy_floor

    floor, gate = entropy_floor().bits_per_byte, builtin_checks()["m9.pretrain"].params().max_bits_per_byte
    assert _pretrain_verdict(floor + 0.02).status == "passed"
    low = _pretrain_verdict(floor - 0.1)
    assert low.status == "failed" and "sees the future" in low.diagnosis
    assert _pretrain_verdict(floor - 0.002).status == "passed"  # within 4 standard errors
    high = _pretrain_verdict(8.0)
    assert high.status == "failed" and "untrained" in high.diagnosis
    mid = _pretrain_verdict(gate + 0.05)
    assert mid.status == "failed" and "train longer" in mid.diagnosis
    for v in (low, high, mid):
        assert f"entropy floor {floor:.3f}" in v.summary and f"gate {gate:.3f}" in v.summary


# ---------------------------------------------------------------------------------------------
# m9.metrics' own parts


def test_known_loss_model_refuses_long_windows_and_drops_out_in_train_mode():
    from llmpath.validators.m9_pretrain.known import known_model, tables
    from llmpath.validators.m9_pretrain.texts import VOCAB_SIZE, setup

    s = setup(0, 600)
    model = known_model(*tables(s.train_ids, VOCAB_SIZE), s.block_size, s.warm)
    x = torch.tensor([s.cases[0].ids[: s.block_size]])
    with pytest.raises(ValueError, match="longer than block_size"):
        model(torch.tensor([s.cases[0].ids[: s.block_size + 1]]))
    torch.manual_seed(0)
    assert not torch.equal(model(x), model.eval()(x))
    assert torch.equal(model(x), model(x)) and [c["training"] for c in model.calls] == [True, True, False, False, False]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_metric_texts_separate_bytes_characters_and_tokens(seed):
    from llmpath.validators.m9_pretrain.texts import setup

    s = setup(seed, 600)
    assert s.block_size in (16, 20, 24, 28, 32) and s.warm == s.block_size // 2
    long, short, odd = s.cases
    assert len(short.ids) < s.block_size < len(odd.ids) < len(long.ids)
    for case in s.cases:
        n_bytes, n_chars = len(case.text.encode("utf-8")), len(case.text)
        assert s.tokenizer.decode(list(case.ids)) == case.text
        assert len(case.ids) < n_chars < n_bytes or case is short
    assert len(long.text.encode("utf-8")) > 1.04 * len(long.text)
