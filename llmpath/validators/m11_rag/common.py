"""What the M11 probes share: the learner's file, the judge's knowledge base, safe calls, id lists."""

from __future__ import annotations

import operator
from typing import Any

from llmpath.validators.api import BadOutput, ProbeContext

FILE = "rag.py"
JUDGE_SEED_OFFSET = 7_000_000  # the judge's worlds: knowledge_base(JUDGE_SEED_OFFSET + seed), never a learner's 0..N


def judge_kb(seed: int):
    """The knowledge base the judge asks its questions on."""
    from llmpath.datasets import knowledge_base

    return knowledge_base(JUDGE_SEED_OFFSET + seed)


def rag_class(ctx: ProbeContext) -> Any:
    return ctx.get(ctx.load(FILE), "RAG")


def as_ids(value: Any) -> Any:
    """A retrieve() result as a list of ints when it is one (numpy ints included), else a description."""
    if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
        return {"not_a_list": type(value).__name__, "repr": repr(value)[:80]}
    out = []
    for item in value:
        try:
            out.append(operator.index(item))
        except TypeError:
            return {"not_ids": type(item).__name__, "repr": repr(item)[:80]}
    return out


def as_answer(value: Any) -> Any:
    return value if isinstance(value, str) else {"not_a_str": type(value).__name__, "repr": repr(value)[:80]}


def ids_list(value: Any, what: str) -> list[int]:
    """Check (in the verdict) that a returned ranking is a list of ints; say what it was otherwise."""
    if isinstance(value, list) and all(isinstance(i, int) and not isinstance(i, bool) for i in value):
        return value
    if isinstance(value, dict) and "not_ids" in value:
        raise BadOutput(
            f"{what} holds a {value['not_ids']} ({value['repr']}), not an int document id: return the ids (indices "
            "into documents), not the documents or (id, score) pairs"
        )
    if isinstance(value, dict) and "not_a_list" in value:
        raise BadOutput(f"{what} returned a {value['not_a_list']} ({value['repr']}), expected a list of int ids")
    raise BadOutput(f"{what} returned {type(value).__name__}, expected a list of int ids")
