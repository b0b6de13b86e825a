"""m11.eval: the numbers of the M11 experiment entry are recomputed by llmpath on the split it names.

The latest experiment entry tagged M11 that reports ``exact_match`` is read. Its setup (or objective,
or notes) names the knowledge base and split as ``seed=N`` and ``split=NAME``; llmpath runs the
learner's RAG on ``knowledge_base(N).questions(NAME)`` and recomputes each reported metric with its
own definitions (README of M11): exact_match and f1 over the answerable questions (SQuAD v1.1),
recall_at_5 / recall_at_1 / mrr over their gold documents (``retrieve(q, 10)``), and
abstain_precision / abstain_recall when reported. A number it cannot reproduce fails, showing both.
"""

from __future__ import annotations

import re

from llmpath.validators.api import (
    BadOutput,
    ContractError,
    ProbeContext,
    Verdict,
    VerdictContext,
    attempt,
)
from llmpath.validators.m11_rag.answers import answer_list, score
from llmpath.validators.m11_rag.common import (
    as_answer,
    as_ids,
    ids_list,
    rag_class,
)

_SEED = re.compile(r"\bseed\s*[=:]\s*(\d+)", re.IGNORECASE)
_SPLIT = re.compile(r"\bsplit\s*[=:]\s*['\"]?(train|val|test)\b", re.IGNORECASE)
RECOMPUTABLE = ("exact_match", "f1", "recall_at_1", "recall_at_5", "mrr", "abstain_precision", "abstain_recall")
EXAMPLE = (
    'llmpath log experiment -m M11 --objective "BM25 + extractive reader" '
    '--setup "knowledge_base seed=0 split=test, k=5" '
    "--metric exact_match=0.71 --metric f1=0.74 --metric recall_at_5=0.93"
)


def find_entry(workspace, milestone: str):
    """The latest M11 entry reporting exact_match, and the (seed, split) it names (None when it names none)."""
    from llmpath.notebook.logs import read_experiments

    entries = [e for e in read_experiments(workspace, milestone=milestone) if "exact_match" in e.metrics]
    if not entries:
        return None, None
    entry = entries[-1]
    text = " ".join(str(x or "") for x in (entry.setup, entry.objective, entry.notes))
    seed, split = _SEED.search(text), _SPLIT.search(text)
    return entry, ((int(seed.group(1)), split.group(1).lower()) if seed and split else None)


def probe_eval(ctx: ProbeContext) -> dict:
    from llmpath.datasets import knowledge_base

    entry, named = find_entry(ctx.workspace, ctx.milestone)
    if entry is None or named is None:
        return {"entry": None}  # the verdict explains what is missing
    seed, split = named
    if seed > 10_000_000:
        raise ContractError(
            f"{ctx.milestone}: seed={seed} in experiment {entry.id} is not a knowledge-base seed to rebuild"
        )
    kb = knowledge_base(seed)
    rag = rag_class(ctx)(list(kb.documents))
    questions = kb.questions(split)
    return {
        "entry": entry.id,
        "seed": seed,
        "split": split,
        "answers": [attempt(lambda q=q: as_answer(rag.answer(q.text))) for q in questions],
        "rankings": [attempt(lambda q=q: as_ids(rag.retrieve(q.text, 10))) for q in questions],
    }


def _rankings(records, n: int) -> list[list[int]]:
    if not isinstance(records, list) or len(records) != n:
        raise BadOutput("the probe returned a malformed list of rankings")
    out = []
    for rec in records:
        if not isinstance(rec, dict) or "error" in rec:
            raise BadOutput(f"retrieve raised {rec.get('error') if isinstance(rec, dict) else '?'}")
        out.append(ids_list(rec.get("value"), "retrieve(query, 10)"))
    return out


def verdict_eval(raw: dict, ctx: VerdictContext) -> Verdict:
    from llmpath.datasets import knowledge_base, retrieval_scores
    from llmpath.errors import LlmpathError

    p = ctx.params
    try:
        entry, named = find_entry(ctx.workspace, ctx.milestone)
    except LlmpathError as exc:
        return Verdict.failed(f"the experiment log cannot be read: {exc.message}")
    if entry is None:
        return Verdict.failed(
            f"no experiment entry tagged {ctx.milestone} reports exact_match", f"log one: `{EXAMPLE}`"
        )
    if named is None:
        return Verdict.failed(
            f"experiment {entry.id} does not name the knowledge base and split it was measured on",
            "write them in its setup as `seed=N split=test` (or val/train), e.g. " + f"`{EXAMPLE}`",
        )
    missing = [m for m in p.metrics if m not in entry.metrics]
    if missing:
        return Verdict.failed(f"experiment {entry.id} does not report {', '.join(missing)}", f"e.g. `{EXAMPLE}`")
    seed, split = named
    if raw.get("entry") != entry.id or raw.get("seed") != seed or raw.get("split") != split:
        return Verdict.error(f"the experiment log changed while {ctx.milestone} was being checked; run the check again")
    questions = knowledge_base(seed).questions(split)
    recomputed = score(questions, answer_list(raw.get("answers"), len(questions)))
    ret = retrieval_scores(_rankings(raw.get("rankings"), len(questions)), questions)
    recomputed |= {"recall_at_1": ret["recall@1"], "recall_at_5": ret["recall@5"], "mrr": ret["mrr"]}
    n = int(recomputed["answerable"])
    rows, wrong = [], []
    for name in RECOMPUTABLE:
        if name not in entry.metrics:
            continue
        logged, ours = float(entry.metrics[name]), recomputed[name]
        ok = abs(logged - ours) <= p.tolerance
        rows.append(f"{name}: logged {logged:.4f}, recomputed {ours:.4f} (best 1.0){'' if ok else '  <- differs'}")
        if not ok:
            wrong.append(name)
    where = f"experiment {entry.id}: knowledge_base({seed}), {split} split, {len(questions)} questions ({n} answerable)"
    metrics = {name: recomputed[name] for name in RECOMPUTABLE}
    if wrong:
        return Verdict.failed(
            f"experiment {entry.id} reports {', '.join(wrong)} that llmpath cannot reproduce (tolerance {p.tolerance})",
            where,
            *rows,
            diagnosis=_diagnosis(entry.metrics, recomputed, wrong),
            metrics=metrics,
        )
    return Verdict.passed(
        f"experiment {entry.id}'s numbers agree with llmpath's recomputation", where, *rows, metrics=metrics
    )


def _diagnosis(logged: dict, ours: dict, wrong: list[str]) -> str | None:
    if "exact_match" in wrong:
        everything = (ours["exact_match"] * ours["answerable"] + ours["abstain_recall"] * ours["unanswerable"]) / (
            ours["answerable"] + ours["unanswerable"]
        )
        if abs(float(logged["exact_match"]) - everything) <= 0.01:
            return (
                "exact_match was averaged over all questions, unanswerable ones included: average it over the "
                "answerable questions only (abstention is reported separately)"
            )
    if any(abs(float(logged[m]) - 100 * ours[m]) <= 1.0 for m in wrong):
        return "the metrics are logged in percent: log fractions between 0 and 1"
    return None
