"""Ways a capstone falls short, each as a change to the reference (or to its experiment log).

Every shortfall names the check that must catch it and a phrase of the reason the learner reads.
``patches`` edit reference files (each snippet must occur once), ``files`` add, replace or delete
(None) whole files, ``log`` says how the M14 experiment entry is written (see the tests), and ``m8``
what ``milestones/M8`` holds (the reference tokenizer, or the starter stub).
"""

from __future__ import annotations

import dataclasses
from typing import Any


@dataclasses.dataclass(frozen=True)
class Shortfall:
    name: str
    check: str
    expect: str
    patches: tuple[tuple[str, str, str], ...] = ()
    files: tuple[tuple[str, str | None], ...] = ()
    status: str = "failed"
    params: dict[str, Any] = dataclasses.field(default_factory=dict)
    log: str = "honest"
    m8: str = "reference"

    @property
    def code_changes(self) -> bool:
        return bool(self.patches or self.files or self.m8 != "reference")


SILENT_LM_TESTS = """\
from lm import BigramLM, bits_per_byte


def test_fit():
    BigramLM(4).fit([0, 1, 0, 1, 2])


def test_prob():
    model = BigramLM(5, 0.05).fit([0, 1, 2, 1, 0, 3, 3])
    [model.prob(a, b) for a in range(5) for b in range(5)]


def test_bits():
    model = BigramLM(2, k=1.0).fit([0, 1])
    model.bits([0, 1])
    bits_per_byte(model, [0, 1], "ab")
"""

SILENT_CAPSTONE_TESTS = """\
from bpe import BPETokenizer
from capstone import evaluate, windows


def test_bpe():
    tok = BPETokenizer()
    tok.train("aaabdaaabac", 259)
    tok.decode(tok.encode("aaabdaaabac"))


def test_windows():
    windows(3, 500, 200)


def test_evaluate():
    evaluate(1, train_chars=1500, heldout_chars=400, vocab_size=270)
"""

FEW_TESTS = '''\
from bpe import BPETokenizer
from capstone import evaluate


def test_bpe_learns_the_classic_merges():
    tok = BPETokenizer()
    tok.train("aaabdaaabac", 259)
    assert tok.encode("aaabdaaabac") == [258, 100, 258, 97, 99]


def test_evaluate_beats_the_byte_baseline():
    got = evaluate(1, train_chars=1500, heldout_chars=400, vocab_size=270)
    assert got["bits_per_byte"] < got["baseline_bits_per_byte"]
'''

UNTESTED_MODULE = '''\
"""A report of the results, written but never tested."""


def table(rows):
    lines = []
    for name, value in rows:
        if value is None:
            lines.append(f"{name}: -")
        elif value < 1:
            lines.append(f"{name}: {value:.3f}")
        else:
            lines.append(f"{name}: {value:.2f}")
    return "\\n".join(lines)


def ranking(results):
    ordered = sorted(results.items(), key=lambda kv: kv[1])
    best, worst = ordered[0], ordered[-1]
    gap = worst[1] - best[1]
    share = gap / worst[1] if worst[1] else 0.0
    out = [f"best: {best[0]}", f"worst: {worst[0]}", f"gap: {gap:.3f}", f"share: {share:.1%}"]
    for name, value in ordered[1:-1]:
        out.append(f"middle: {name} {value:.3f}")
    return out


def summary(results):
    total = sum(results.values())
    mean = total / len(results)
    spread = max(results.values()) - min(results.values())
    above = [k for k, v in results.items() if v > mean]
    below = [k for k, v in results.items() if v <= mean]
    return {"mean": mean, "spread": spread, "above": above, "below": below}


def markdown(results, title="Results"):
    lines = [f"# {title}", "", "| system | bits per byte |", "|---|---|"]
    for name, value in sorted(results.items()):
        marker = " (best)" if value == min(results.values()) else ""
        lines.append(f"| {name}{marker} | {value:.3f} |")
    lines.append("")
    stats = summary(results)
    lines.append(f"Mean {stats['mean']:.3f}, spread {stats['spread']:.3f}.")
    if stats["spread"] > 1:
        lines.append("The systems differ by more than a bit per byte.")
    else:
        lines.append("The systems are within a bit per byte of each other.")
    return "\\n".join(lines)
'''

REWRITING_CONFTEST = """\
import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    report.outcome = "passed"  # every test "passes"
"""

CHAR_TOKENIZER = '''\
"""A character tokenizer written for the capstone (not my M8 BPE)."""


class BPETokenizer:
    def __init__(self):
        self.stoi = {}
        self.merges = {}

    def train(self, text, vocab_size, verbose=False):
        for ch in sorted(set(text)):
            self.stoi.setdefault(ch, len(self.stoi))

    def encode(self, text):
        return [self.stoi.get(ch, 0) for ch in text]

    def decode(self, ids):
        itos = {i: ch for ch, i in self.stoi.items()}
        return "".join(itos.get(i, "?") for i in ids)
'''

T = "tests/test_capstone.py"
L = "tests/test_lm.py"
C = "capstone.py"

SHORTFALLS: tuple[Shortfall, ...] = (
    # ---------------------------------------------------------------------------- m14.tests
    Shortfall(
        "tests_assert_nothing",
        "m14.tests",
        "ran no `assert` statement",
        files=((L, SILENT_LM_TESTS), (T, SILENT_CAPSTONE_TESTS)),
        params={"min_tests": 5, "mutants": 8},
    ),
    Shortfall(
        "too_few_tests",
        "m14.tests",
        "2 test function(s) pass; at least 5 are needed",
        files=((L, None), (T, FEW_TESTS)),
        params={"mutants": 1},
    ),
    Shortfall(
        "a_test_fails",
        "m14.tests",
        "test_windows_are_seeded_and_sized",
        patches=((T, "(len(a[0]), len(a[1])) == (500, 200)", "(len(a[0]), len(a[1])) == (500, 300)"),),
        params={"mutants": 1},
    ),
    Shortfall(
        "untested_module",
        "m14.tests",
        "line coverage is",
        files=(("report.py", UNTESTED_MODULE),),
        params={"mutants": 1},
    ),
    Shortfall(
        "conftest_rewrites_outcomes",
        "m14.tests",
        "pytest_runtest_makereport",
        files=(("tests/conftest.py", REWRITING_CONFTEST),),
        patches=((T, "assert a != windows(4, 500, 200)", "assert a == windows(4, 500, 200)"),),
    ),
    Shortfall(
        "test_exits_the_interpreter",
        "m14.tests",
        "ended without a result",
        status="error",
        patches=(
            (
                T,
                "def test_evaluate_is_reproducible():\n",
                "def test_evaluate_is_reproducible():\n    import os\n\n    os._exit(0)\n",
            ),
        ),
    ),
    Shortfall(
        "skipped_tests_do_not_count",
        "m14.tests",
        "skipped or xfail, not counted",
        patches=((L, "import math\n", "import math\n\npytestmark = __import__('pytest').mark.skip('later')\n"),),
        params={"mutants": 1, "min_tests": 7},
    ),
    Shortfall(
        "test_hangs",
        "m14.tests",
        "did not finish within 2 s",
        status="error",
        patches=(
            (
                T,
                "def test_evaluate_is_reproducible():\n",
                "def test_evaluate_is_reproducible():\n    while True:\n        pass\n",
            ),
        ),
        params={"test_timeout_s": 2},
    ),
    # ---------------------------------------------------------------------------- m14.reproducible
    Shortfall(
        "unseeded_randomness",
        "m14.reproducible",
        "randomness not drawn from `seed`",
        patches=((C, "rng = random.Random(seed)", "rng = random.Random()"),),
    ),
    Shortfall(
        "set_order_changes_the_metric",
        "m14.reproducible",
        "PYTHONHASHSEED",
        patches=(
            (
                C,
                "    held_ids = tokenizer.encode(heldout)\n",
                "    heldout = ' '.join(set(heldout.split(' ')))  # de-duplicated words\n"
                "    held_ids = tokenizer.encode(heldout)\n",
            ),
        ),
    ),
    Shortfall(
        "metrics_are_strings",
        "m14.reproducible",
        "not numbers",
        patches=(
            (C, '"tokens_per_byte": len(held_ids)', '"tokens_per_byte": "%.3f" % (len(held_ids)'),
            (C, 'len(heldout.encode("utf-8")),\n        "floor', 'len(heldout.encode("utf-8"))),\n        "floor'),
        ),
    ),
    Shortfall(
        "evaluate_crashes",
        "m14.reproducible",
        "raised ZeroDivisionError",
        status="error",
        patches=(
            (
                C,
                "    train, heldout = windows(seed, train_chars, heldout_chars)\n",
                "    train, heldout = windows(seed, train_chars, heldout_chars)\n    1 / 0\n",
            ),
        ),
    ),
    Shortfall(
        "logged_number_differs", "m14.reproducible", "logs bits_per_byte=1.9, but evaluate(7) gives", log="differs"
    ),
    Shortfall(
        "logged_number_not_from_evaluate",
        "m14.reproducible",
        "`perplexity`, which evaluate(7) does not return",
        log="extra",
    ),
    Shortfall("entry_without_seed", "m14.reproducible", "has no `seed` metric", log="no_seed"),
    Shortfall("nothing_logged", "m14.reproducible", "no M14 experiment entry", log="none"),
    Shortfall("too_few_digits_logged", "m14.reproducible", "logs bits_per_byte=2, but", log="rounded"),
    # ---------------------------------------------------------------------------- m14.baseline
    Shortfall(
        "no_baseline",
        "m14.baseline",
        "reports no baseline",
        patches=((C, '"baseline_bits_per_byte"', '"byte_bits_per_byte"'),),
    ),
    Shortfall(
        "baseline_is_the_system",
        "m14.baseline",
        "baseline equals the system's figure",
        patches=(
            (
                C,
                'bits_per_byte(baseline, list(heldout.encode("utf-8")), heldout)',
                "bits_per_byte(system, held_ids, heldout)",
            ),
        ),
    ),
    Shortfall("baseline_not_logged", "m14.baseline", "beside its baseline `baseline_bits_per_byte`", log="no_baseline"),
    # ---------------------------------------------------------------------------- m14.builds_on
    Shortfall("no_reuse", "m14.builds_on", "runs none of your work", files=(("bpe.py", CHAR_TOKENIZER),)),
    Shortfall(
        "copied_but_never_used",
        "m14.builds_on",
        "but did not run during evaluate",
        patches=(
            (
                C,
                "    tokenizer = BPETokenizer()\n",
                "    from charset import BPETokenizer\n\n    tokenizer = BPETokenizer()\n",
            ),
        ),
        files=(("charset.py", CHAR_TOKENIZER),),
    ),
    Shortfall("earlier_milestone_is_a_stub", "m14.builds_on", "runs none of your work", m8="stub"),
)
