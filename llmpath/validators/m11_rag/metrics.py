"""m11.metrics: normalize_answer, exact_match and f1 agree with SQuAD v1.1 on adversarial strings."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from llmpath.validators.api import BadOutput, ProbeContext, Verdict, VerdictContext, attempt
from llmpath.validators.m11_rag import squad
from llmpath.validators.m11_rag.common import FILE
from llmpath.validators.m11_rag.params import MetricsParams

FIXED_TEXTS = (
    "The Amber Marshes",
    "an apple a day",
    "theater",
    "The-end",
    "THE",
    "A",
    "  lots   of\tspace\n here ",
    "Café Ünïcode",
    "naïve — dash",
    "«quoted»",
    "non\xa0breaking\u2003spaces",
    "",
    "...",
    "the the the",
    "Hello, World!",
    "a.b.c",
    "an/the",
    "Straße",
    "Tamsin's glass-beads (2)",
    "4,200",
    "them then thee",
)
FIXED_EM = (
    ("The Amber Marshes", "amber marshes"),
    ("an apple", "apple"),
    ("", ""),
    ("the", "a"),
    ("4,200", "4200"),
    ("Tamsin  Orlo", "tamsin orlo."),
    ("theater", "the ater"),
    ("Straße", "STRASSE"),
    ("oak", "Oak!"),
    ("glass", "grass"),
)
FIXED_F1 = (
    ("red red blue", "red red"),
    ("the cat sat", "cat"),
    ("", ""),
    ("a", "the"),
    ("glass beads", "beads of glass"),
    ("blue", "red"),
    ("Salt Coast", "the salt coast region"),
    ("abc", "abd"),
    ("the cat", "cat cat"),
    ("wool wool wool", "wool"),
    ("Kesh Hollow", "Kesh  hollow!"),
    ("x y z", ""),
)
_WORDS = ("the", "a", "an", "The", "A", "oak", "Oak", "glass", "beads", "Kesh", "hollow", "1,200", "Ünï", "naïve", "x")
_GLUE = (" ", " ", " ", "  ", "\t", ", ", ". ", "-", "'", "—", "\xa0", "!", " (", ") ")


def _random_text(rng: random.Random) -> str:
    n = rng.randint(0, 6)
    return "".join(rng.choice(_WORDS) + rng.choice(_GLUE) for _ in range(n)).strip(" ")


def cases(seed: int, n: int) -> tuple[list[str], list[tuple[str, str]], list[tuple[str, str]]]:
    """The texts for normalize_answer and the (prediction, truth) pairs for exact_match and f1."""
    rng = random.Random(f"llmpath-m11-metrics-{seed}")
    texts = list(FIXED_TEXTS) + [_random_text(rng) for _ in range(n)]
    em = list(FIXED_EM) + [(_random_text(rng), _random_text(rng)) for _ in range(n)]
    f1 = list(FIXED_F1) + [(_random_text(rng), _random_text(rng)) for _ in range(n)]
    return texts, em, f1


def probe_metrics(ctx: ProbeContext) -> dict:
    module = ctx.load(FILE)
    normalize, em, f1 = (ctx.get(module, name) for name in ("normalize_answer", "exact_match", "f1"))
    texts, em_pairs, f1_pairs = cases(ctx.seed, MetricsParams.model_validate(ctx.params).n_random)
    return {
        "normalize": [attempt(lambda t=t: normalize(t)) for t in texts],
        "exact_match": [attempt(lambda p=p: em(*p)) for p in em_pairs],
        "f1": [attempt(lambda p=p: f1(*p)) for p in f1_pairs],
    }


def _records(raw: Any, n: int, name: str) -> list[dict]:
    if not isinstance(raw, list) or len(raw) != n or not all(isinstance(r, dict) for r in raw):
        raise BadOutput(f"the probe returned a malformed list of {name} results")
    return raw


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _compare(name: str, inputs: list, records: list[dict], reference: Callable, numeric: bool) -> list[tuple]:
    """(input, got, expected) for every disagreement (an exception is a disagreement)."""
    bad = []
    for args, rec in zip(inputs, records, strict=False):
        want = reference(*args)
        if "error" in rec:
            bad.append((args, f"raised {rec['error']}", want))
            continue
        got = rec["value"]
        if numeric:
            value = _number(got)
            if value is None or abs(value - want) > 1e-9:  # exact rationals: only rounding order differs (~1e-16)
                bad.append((args, got, want))
        elif not isinstance(got, str) or got != want:
            bad.append((args, got, want))
    return bad


def _diagnose(bad: list[tuple], bugs, numeric: bool) -> str | None:
    """The simulated bug that reproduces the most disagreements (all of them, ideally)."""
    best, hits = None, 0
    for diagnosis, simulate in bugs:
        n = 0
        for args, got, _ in bad:
            try:
                value = simulate(*args)
            except Exception:  # noqa: BLE001 - a simulation that cannot handle an input simply does not match
                continue
            if (numeric and _number(got) is not None and abs(_number(got) - value) <= 1e-9) or (
                not numeric and got == value
            ):
                n += 1
        if n > hits:
            best, hits = diagnosis, n
    return best if hits * 2 >= len(bad) else None


def _show(bad: list[tuple], name: str) -> list[str]:
    return [f"{name}{tuple(args)!r}: got {got!r}, SQuAD v1.1 gives {want!r}" for args, got, want in bad[:4]]


def verdict_metrics(raw: dict, ctx: VerdictContext) -> Verdict:
    texts, em_pairs, f1_pairs = cases(ctx.seed, ctx.params.n_random)
    norm_bad = _compare(
        "normalize_answer",
        [(t,) for t in texts],
        _records(raw.get("normalize"), len(texts), "normalize_answer"),
        squad.normalize,
        numeric=False,
    )
    em_bad = _compare(
        "exact_match",
        em_pairs,
        _records(raw.get("exact_match"), len(em_pairs), "exact_match"),
        squad.exact_match,
        numeric=True,
    )
    f1_bad = _compare("f1", f1_pairs, _records(raw.get("f1"), len(f1_pairs), "f1"), squad.f1, numeric=True)
    em_bugs = list(squad.EM_BUGS) + [
        (diagnosis, lambda p, t, fn=fn: float(fn(p) == fn(t))) for diagnosis, fn in squad.NORMALIZE_BUGS
    ]
    f1_bugs = list(squad.F1_BUGS) + [
        (diagnosis, lambda p, t, fn=fn: squad._f1_tokens(fn(p).split(), fn(t).split()))
        for diagnosis, fn in squad.NORMALIZE_BUGS
    ]
    problems, diagnoses = [], []
    for name, bad, total, bugs, numeric in (
        ("normalize_answer", norm_bad, len(texts), squad.NORMALIZE_BUGS, False),
        ("exact_match", em_bad, len(em_pairs), em_bugs, True),
        ("f1", f1_bad, len(f1_pairs), f1_bugs, True),
    ):
        if bad:
            problems.append(f"{name} disagrees with SQuAD v1.1 on {len(bad)} of {total} inputs:")
            problems += ["  " + line for line in _show(bad, name)]
            diagnoses.append(_diagnose(bad, bugs, numeric))
    n = len(texts) + len(em_pairs) + len(f1_pairs)
    if problems:
        return Verdict.failed(
            f"the answer metrics disagree with SQuAD v1.1 ({len(norm_bad) + len(em_bad) + len(f1_bad)} of {n} inputs)",
            *problems,
            f"(inputs: fixed adversarial strings + {ctx.params.n_random} seeded random ones each, seed {ctx.seed})",
            diagnosis=next((d for d in diagnoses if d), None),
        )
    return Verdict.passed(
        f"normalize_answer, exact_match and f1 agree with SQuAD v1.1 on all {n} inputs (articles, punctuation, "
        "Unicode, whitespace, empty strings, repeated tokens)",
        metrics={"metric_inputs": float(n)},
    )
