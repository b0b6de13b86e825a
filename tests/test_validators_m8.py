"""M8 validators proven on the reference, correct variants, a bug bank, the stub, minbpe and fabricated outputs.

minbpe (karpathy/minbpe) is not on PyPI and is not vendored here. To run our checks on its
BasicTokenizer and RegexTokenizer unchanged, point LLMPATH_MINBPE_DIR at a checkout (the folder that
holds ``minbpe/``); RegexTokenizer also needs the ``regex`` package. Measured on the defaults, on a
loaded 2-core machine, minbpe's naive training took 0.1-0.4 s per check (0.9 s for the largest text
with RegexTokenizer), against a 60 s limit per check.
"""

from __future__ import annotations

import importlib.util
import os
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmpath.templates import template_root
from llmpath.validators import m8_bpe as m8
from llmpath.validators.api import VerdictContext
from llmpath.validators.m8_bpe import reference as ref
from llmpath.validators.m8_bpe import texts
from tests.judgeutil import SOLUTIONS, judge, judge_in_process, lay_out, load_file, statuses, text
from tests.solutions.M8.bugs import BUGS

M8 = SOLUTIONS / "M8"
PROBED = ["m8.roundtrip", "m8.merges", "m8.replay", "m8.encode", "m8.compression"]
ALL = [*PROBED, "m8.docs"]
TEMPLATE = template_root() / "milestones" / "M8"  # the starter files llmpath ships


def _load_reference():
    return load_file(M8 / "reference" / "bpe.py", "m8_reference_bpe")


@pytest.mark.parametrize("folder", ["reference", "variants/basic_smallest_pair", "variants/fast_heap"])
def test_correct_solutions_pass(tmp_path: Path, folder: str) -> None:
    results = judge(lay_out(tmp_path, "M8", M8 / folder))
    assert statuses(results) == dict.fromkeys(ALL, "passed"), text(results)
    metrics = next(r.metrics for r in results if r.validator == "m8.compression")
    assert metrics["bytes_per_token"] > 1.5


SANDBOXED = {"decode_strict_raises", "ord_instead_of_utf8_bytes"}  # the rest run in-process (no child: faster)


@pytest.mark.parametrize("bug", BUGS, ids=[b.name for b in BUGS])
def test_bug_fails_with_diagnosis(tmp_path: Path, bug) -> None:
    run = judge if bug.name in SANDBOXED else judge_in_process
    results = run(lay_out(tmp_path, "M8", M8 / "reference", bug, "bpe.py"), PROBED)
    assert bug.status in statuses(results).values(), text(results)
    if bug.expect:
        assert bug.expect.lower() in text(results).lower(), text(results)


def test_starter_stub_is_not_implemented(tmp_path: Path) -> None:
    source = TEMPLATE if (TEMPLATE / "bpe.py").is_file() else M8 / "stub"
    results = judge(lay_out(tmp_path, "M8", source))
    assert statuses(results) == dict.fromkeys(PROBED, "error") | {"m8.docs": "failed"}, text(results)
    assert text(results).count("not implemented") == len(PROBED)


# ---------------------------------------------------------------------------------------------
# karpathy/minbpe, unchanged, through a bpe.py shim (only when a checkout is named)

MINBPE = os.environ.get("LLMPATH_MINBPE_DIR")
SHIM = """import sys, types
if "minbpe" not in sys.modules:  # skip minbpe/__init__.py: it imports tiktoken for GPT4Tokenizer
    package = types.ModuleType("minbpe")
    package.__path__ = [{path!r}]
    sys.modules["minbpe"] = package
from minbpe.{module} import {cls} as BPETokenizer
"""


@pytest.mark.skipif(
    not MINBPE, reason="set LLMPATH_MINBPE_DIR to a karpathy/minbpe checkout to run minbpe through the M8 checks"
)
@pytest.mark.parametrize(("module", "cls"), [("basic", "BasicTokenizer"), ("regex", "RegexTokenizer")])
def test_minbpe_passes(tmp_path: Path, module: str, cls: str) -> None:
    package = Path(MINBPE or "", "minbpe")
    assert (package / f"{module}.py").is_file(), f"LLMPATH_MINBPE_DIR={MINBPE} holds no minbpe/{module}.py"
    if module == "regex" and importlib.util.find_spec("regex") is None:
        pytest.skip("minbpe's RegexTokenizer needs the `regex` package, which is not installed")
    source = tmp_path / "shim"
    source.mkdir()
    (source / "bpe.py").write_text(SHIM.format(path=str(package.resolve()), module=module, cls=cls))
    results = judge(lay_out(tmp_path, "M8", source), PROBED)
    assert statuses(results) == dict.fromkeys(PROBED, "passed"), text(results)


# ---------------------------------------------------------------------------------------------
# the reference BPE of the verdicts, and the reference solution, on generated text


def _merge_list(ids: list[int], pair: tuple[int, int], new: int) -> list[int]:
    out, i = [], 0
    while i < len(ids):
        if i + 1 < len(ids) and (ids[i], ids[i + 1]) == pair:
            out.append(new)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


small_ids = st.lists(st.integers(0, 3), max_size=30)


@settings(max_examples=200, deadline=None)
@given(small_ids, st.integers(0, 3), st.integers(0, 3))
def test_string_merge_is_the_list_merge(ids: list[int], a: int, b: int) -> None:
    seq = "".join(map(chr, ids))
    assert ref.from_seq(ref.merge_ltr(seq, (a, b), 300)) == _merge_list(ids, (a, b), 300)
    rtl = _merge_list(ids[::-1], (b, a), 300)[::-1]
    assert ref.from_seq(ref.merge_rtl(seq, (a, b), 300)) == rtl


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=80), st.integers(256, 300))
def test_reference_trainer_replays_and_its_encoding_spells_the_text(s: str, vocab_size: int) -> None:
    merges = ref.train_reference([s], vocab_size)
    assert list(merges.values()) == list(range(256, 256 + len(merges)))
    assert ref.replay([(ref.to_seq(s.encode("utf-8")), 1)], list(merges.items())) is None
    vocab = ref.vocab_from(list(merges.items()))
    ids = ref.encode_reference(s.encode("utf-8"), merges)
    assert b"".join(vocab[i] for i in ids) == s.encode("utf-8")


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_reference_solution_round_trips_any_text(s: str) -> None:
    tok = _reference_tokenizer()
    assert tok.decode(tok.encode(s)) == s


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=12))
def test_reference_solution_decodes_any_bytes_like_errors_replace(data: bytes) -> None:
    assert _reference_tokenizer().decode(list(data)) == data.decode("utf-8", errors="replace")


_TOKENIZER = []


def _reference_tokenizer():
    if not _TOKENIZER:
        tok = _load_reference().BPETokenizer()
        tok.train(texts.training_text(2000, 0), 300)
        _TOKENIZER.append(tok)
    return _TOKENIZER[0]


def test_classic_example_and_overlaps() -> None:
    merges = ref.train_reference([texts.CLASSIC], 259)
    assert ref.encode_reference(texts.CLASSIC.encode(), merges) == texts.CLASSIC_IDS
    assert ref.encode_reference(b"aaa", merges) == [257]
    assert ref.encode_reference(b"aaaa", merges) == [256, 256]
    assert ref.encode_reference(b"aaa", merges, ref.merge_rtl) == [97, 256]
    assert ref.encode_first_found(b"aaaa", merges, only_there=True) == [257, 97]
    # the other tie-break at step 2 learns (a, b) and still encodes the classic text the same way
    other = {(97, 97): 256, (97, 98): 257, (256, 257): 258}
    assert ref.replay([(ref.to_seq(texts.CLASSIC.encode()), 1)], list(other.items())) is None
    assert ref.encode_reference(texts.CLASSIC.encode(), other) == texts.CLASSIC_IDS


def test_texts_are_deterministic_and_free_of_surrogates() -> None:
    assert texts.training_text(1000, 3) == texts.training_text(1000, 3)
    assert texts.roundtrip_cases(3, 20, 50) == texts.roundtrip_cases(3, 20, 50)
    for _label, s in texts.roundtrip_cases(3, 200, 50):
        s.encode("utf-8")  # a surrogate would raise here
    assert any(ord(c) > 0xFFFF for c in texts.training_text(1000, 0))
    # no code point an ord()-based trainer could confuse with a merge id of the default sizes
    assert not [c for c in texts.training_text(8000, 0) if 0x100 <= ord(c) < 0x300]


def test_fallback_corpus_is_seeded_story_text() -> None:
    a = texts.fallback_corpus("train", 3000)
    assert a == texts.fallback_corpus("train", 3000) and len(a) == 3000
    assert a != texts.fallback_corpus("validation", 3000)


# ---------------------------------------------------------------------------------------------
# verdicts on fabricated probe output (no child process)


def _ctx(tmp_path: Path, params) -> VerdictContext:
    return VerdictContext("M8", tmp_path / "milestones" / "M8", tmp_path, params, 0)


def _trained(p) -> tuple[dict, dict]:
    merges = ref.train_reference([texts.training_text(p.train_chars, 0)], p.vocab_size)
    return merges, ref.vocab_from(list(merges.items()))


def test_merges_verdict_names_offsets_order_and_reversed_vocab(tmp_path: Path) -> None:
    p = m8.MergesParams(train_chars=1000, vocab_size=280)
    merges, vocab = _trained(p)
    ctx = _ctx(tmp_path, p)
    assert m8.verdict_merges({"merges": merges, "vocab": vocab}, ctx).status == "passed"
    shifted = {pair: new + 1 for pair, new in merges.items()}
    verdict = m8.verdict_merges({"merges": shifted, "vocab": ref.vocab_from(list(shifted.items()))}, ctx)
    assert verdict.status == "failed" and "off by one" in verdict.diagnosis
    shuffled = dict(sorted(merges.items()))
    verdict = m8.verdict_merges({"merges": shuffled, "vocab": vocab}, ctx)
    assert "order learned" in verdict.diagnosis
    backwards = {new: vocab[b] + vocab[a] for (a, b), new in merges.items()}
    verdict = m8.verdict_merges({"merges": merges, "vocab": vocab | backwards}, ctx)
    assert "reversed" in verdict.diagnosis


def test_replay_verdict_accepts_any_tie_break_and_names_crossing_chunks(tmp_path: Path) -> None:
    p = m8.ReplayParams(train_chars=1000, vocab_size=290)
    text_ = texts.training_text(p.train_chars, 0)
    chunks = _load_reference().BPETokenizer().compiled_pattern.findall(text_)
    classic = {"classic_merges": ref.train_reference([texts.CLASSIC], 259), "classic_chunks": None}
    good = ref.train_reference(chunks, p.vocab_size)
    raw = {"merges": good, "chunks": chunks} | classic
    assert m8.verdict_replay(raw, _ctx(tmp_path, p)).status == "passed"
    across = ref.train_reference([text_], p.vocab_size)
    verdict = m8.verdict_replay({"merges": across, "chunks": chunks} | classic, _ctx(tmp_path, p))
    assert verdict.status == "failed" and "across chunk boundaries" in verdict.diagnosis
    # the merges are judged against the chunks, not trusted: a chunk that is not in the text is refused
    with pytest.raises(m8.BadOutput):
        m8.verdict_replay({"merges": good, "chunks": ["not in the text"]} | classic, _ctx(tmp_path, p))


def test_roundtrip_verdict_accepts_other_replacement_counts_but_not_dropped_bytes(tmp_path: Path) -> None:
    p = m8.RoundtripParams(n_random=3, long_chars=10)
    cases = texts.roundtrip_cases(0, p.n_random, p.long_chars)
    good = [{"ids": list(s.encode("utf-8")), "text": s} for _, s in cases]
    vocab = {i: bytes([i]) for i in range(256)}
    one_per_run = [{"value": m8.collapse(d.decode("utf-8", errors="replace"))} for d in texts.INVALID_UTF8]
    verdict = m8.verdict_roundtrip({"cases": good, "invalid": one_per_run, "vocab": vocab}, _ctx(tmp_path, p))
    assert verdict.status == "passed", verdict
    dropped = [{"value": d.decode("utf-8", errors="ignore")} for d in texts.INVALID_UTF8]
    verdict = m8.verdict_roundtrip({"cases": good, "invalid": dropped, "vocab": vocab}, _ctx(tmp_path, p))
    assert verdict.status == "failed" and "errors='ignore'" in verdict.diagnosis


def test_compression_verdict_reports_both_ratios(tmp_path: Path) -> None:
    p = m8.CompressionParams(train_chars=2000, vocab_size=300, heldout_chars=1000)
    merges = ref.train_reference([texts.training_text(p.train_chars, 0)], p.vocab_size)
    heldout = texts.corpus("validation", p.heldout_chars)
    ids = ref.encode_reference(heldout.encode("utf-8"), merges)
    raw = {"merges": merges, "ids": ids, "train_chunks": None, "heldout_chunks": None}
    verdict = m8.verdict_compression(raw, _ctx(tmp_path, p))
    assert verdict.status == "passed"
    assert verdict.metrics["bytes_per_token"] == pytest.approx(verdict.metrics["reference_bytes_per_token"])
    raw["ids"] = list(heldout.encode("utf-8"))
    verdict = m8.verdict_compression(raw, _ctx(tmp_path, p))
    assert verdict.status == "failed" and verdict.diagnosis == "encode applies no merges"


def test_docs_verdict(tmp_path: Path) -> None:
    folder = tmp_path / "milestones" / "M8"
    folder.mkdir(parents=True)
    ctx = _ctx(tmp_path, m8.DocsParams())
    assert "does not exist" in m8.verdict_docs({}, ctx).summary
    (folder / "VOCAB.md").write_text((M8 / "reference" / "VOCAB.md").read_text())
    assert m8.verdict_docs({}, ctx).status == "passed"
    if (TEMPLATE / "VOCAB.md").is_file():
        (folder / "VOCAB.md").write_text((TEMPLATE / "VOCAB.md").read_text())
        verdict = m8.verdict_docs({}, ctx)
        assert verdict.status == "failed" and any("TODO" in d for d in verdict.details)


def test_docs_starter_without_its_todos_is_not_the_learners_writing(tmp_path: Path) -> None:
    # The starter's headings and prompts name every topic: with "TODO:" deleted they must still count
    # for nothing, neither as words nor as topics (they passed before one word rule served every check).
    folder = tmp_path / "milestones" / "M8"
    folder.mkdir(parents=True)
    (folder / "VOCAB.md").write_text((TEMPLATE / "VOCAB.md").read_text().replace("TODO: ", ""))
    verdict = m8.verdict_docs({}, _ctx(tmp_path, m8.DocsParams(min_words=0, min_merge_examples=0)))
    assert verdict.status == "failed"
    assert any("does not mention" in d and "UTF-8" in d for d in verdict.details)
    strict = m8.verdict_docs({}, _ctx(tmp_path, m8.DocsParams()))
    assert any("0 words of your own" in d for d in strict.details)


def test_random_text_covers_the_planes() -> None:
    rng = random.Random(0)
    chars = "".join(texts.random_text(rng) for _ in range(300))
    assert any(ord(c) > 0xFFFF for c in chars) and "\x00" in chars and "\u200d" in chars


def test_reference_encoders_end_on_malformed_merges() -> None:
    # two pairs sharing one id, and an id that is also a byte: a verdict must still finish
    for merges in ({(97, 97): 256, (256, 97): 256}, {(97, 97): 97}, {(97, 98): 300, (300, 300): 256}):
        for encode in (ref.encode_reference, ref.encode_highest_first):
            assert isinstance(encode(b"aaaabababab" * 3, merges), list)
        assert isinstance(ref.encode_first_found(b"aaaabab", merges, only_there=False), list)
