"""Runs the M13 probes share (child side): a healthy sample, then the same system with one role replaced.

A *pure worker* is a role of the roster that, in the healthy runs, only ever received requests: the
judge can replace it with a fault role of its own without knowing the learner's design.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from llmpath.validators.m13_multi.harness import Contract, Setup, build, run_task


def run_sample(contract: Contract, setup: Setup) -> list[dict[str, Any]]:
    """Every task of ``setup.suite`` on one system, in order."""
    system, _, rec = build(contract, setup)
    return [run_task(system, task.text, rec) for task in setup.suite.tasks]


def received(records: Sequence[Mapping[str, Any]]) -> dict[str, set[str]]:
    """Role -> the kinds of message delivered to it over the records."""
    kinds: dict[str, set[str]] = {}
    for record in records:
        for d in record.get("deliveries") or []:
            kinds.setdefault(str(d.get("role")), set()).add(str((d.get("message") or {}).get("kind")))
    return kinds


def pure_workers(records: Sequence[Mapping[str, Any]]) -> list[str]:
    """Roster roles that only ever received requests (in roster order)."""
    from llmpath.agents import WORKERS

    kinds = received(records)
    return [w for w in WORKERS if kinds.get(w) == {"request"}]


def last_requested(record: Mapping[str, Any], among: Sequence[str]) -> str | None:
    """The role among ``among`` that received the last request of one run (None if none did)."""
    hit = None
    for d in record.get("deliveries") or []:
        if d.get("role") in among and (d.get("message") or {}).get("kind") == "request":
            hit = d["role"]
    return hit


def first_chain(suite: Any) -> int:
    """The index of the first two-role chain of a sample suite."""
    return next(i for i, t in enumerate(suite.tasks) if t.kind == "chain")


def replaced(contract: Contract, setup: Setup, text: str, deadline_s: float | None = None) -> dict[str, Any]:
    """One task on a fresh system built with ``setup`` (its substitutes in place)."""
    system, _, rec = build(contract, setup)
    return run_task(system, text, rec) if deadline_s is None else run_task(system, text, rec, deadline_s)
