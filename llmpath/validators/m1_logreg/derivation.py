"""The m1.derivation check: ``derivation.md`` is prose, judged by its word count and by whether it
writes the error term sigmoid(z) - y (in LaTeX, unicode or plain ASCII)."""

from __future__ import annotations

import re

from llmpath.validators.api import Verdict, VerdictContext
from llmpath.validators.prose import own_words, starter_text

_ARG = r"\((?:[^()]|\([^()]{0,20}\)){1,40}\)"  # (...) with at most one level of nested parentheses
_SUB = r"(?:_?\(?[a-z0-9]\)?|\^\(?[a-z0-9]\)?)?"  # an index: _i, i, (i), ^(i)
_PRED = rf"(?:sigma{_ARG}|sigmoid{_ARG}|s\([a-z]{_SUB}\)|p{_SUB}|haty{_SUB}|yhat{_SUB}|hat\(y\){_SUB})"
_LABEL = rf"y{_SUB}"
_GRADIENT_FORM = re.compile(rf"(?<![a-z]){_PRED}-{_LABEL}(?![a-z(])|(?<![a-z]){_LABEL}-{_PRED}(?![a-z(])")


def _normalize_math(text: str) -> str:
    """Lower-case text with LaTeX and unicode math folded to ASCII: '\\sigma(z_i) - y_i' -> 'sigma(z_i)-y_i'."""
    s = text.lower()
    for a, b in (("\u2212", "-"), ("\u2013", "-"), ("\u2014", "-"), ("\u03c3", "sigma"), ("\u0177", "haty"),
                 ("y\u0302", "haty"), ("\\left", ""), ("\\right", ""), ("\\big", ""), ("\\,", ""), ("\\!", ""),
                 ("\\mathrm", ""), ("\\operatorname", ""), ("\\text", ""), ("[", "("), ("]", ")"), ("`", "")):
        s = s.replace(a, b)
    s = s.replace("\\", "").replace("{", "").replace("}", "").replace("$", "")
    s = re.sub(r"\s*([-()+*=^_,])\s*", r"\1", s)
    return s


def mentions_gradient_form(text: str) -> bool:
    """Whether ``text`` writes the error term sigmoid(z) - y (or p - y, y-hat - y, or y - sigmoid(z))."""
    return bool(_GRADIENT_FORM.search(_normalize_math(text)))


def prose_words(text: str, starter: str = "") -> int:
    """Words of derivation: outside headings, comments and fenced code, and not the starter's own."""
    return own_words(text, starter, headings=False, code=False)


def verdict_derivation(raw: dict, ctx: VerdictContext) -> Verdict:
    p = ctx.params
    path = ctx.milestone_dir / p.file
    rel = f"milestones/{ctx.milestone}/{p.file}"
    if not path.is_file():
        return Verdict.failed(f"{rel} does not exist", "write the derivation of dL/dw and dL/db there")
    text = path.read_text(encoding="utf-8", errors="replace")
    words = prose_words(text, starter_text(ctx.milestone, p.file))
    problems = []
    if words < p.min_words:
        problems.append(
            f"{rel} has {words} words of derivation (headings and comments excluded); at least {p.min_words} expected"
        )
    if not mentions_gradient_form(text):
        problems.append(
            f"{rel} never writes the error term sigmoid(z) - y (as σ(z) − y, \\sigma(z_i) - y_i, p - y, ...)"
        )
    if problems:
        return Verdict.failed(problems[0], *problems[1:],
                              "derive dL/dz for one example with the chain rule, then dL/dw and dL/db averaged over N")
    return Verdict.passed(f"{rel}: {words} words, states the gradient through sigmoid(z) - y", metrics={"words": words})
