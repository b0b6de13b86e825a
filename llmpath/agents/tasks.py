"""Seeded task suites: single calls, two-step chains, tasks that need no tool, and tools that raise.

``task_suite(seed, n)`` draws ``n`` tasks (kinds in the proportions of ``MIX``). Each task is a
question whose answer holds one *expected token*: a tool output drawn for the run (``4817``,
``SKU-40417``, ``TR-52931``), the ticket number in the exception an archived order raises
(``T-4821``), or, for a task that needs no tool, a number computed from the question. A run counts
as a success when the agent's answer contains the expected token (as a whole word).

Every run ``r`` of a suite draws new tool outputs (``suite.tools(r)``), so an answer can only come
from calling the tools in that run; the plan of each task (which tools, which arguments) is fixed.
"""

from __future__ import annotations

import dataclasses
import re
from fractions import Fraction
from typing import Any

from llmpath.agents import draws
from llmpath.agents.tasks_text import ITEMS, arithmetic, phrase
from llmpath.agents.toolbox import ARCHIVED_FROM, CATALOG, CURRENCIES, shop_tools
from llmpath.agents.tools import Tool

KINDS: tuple[str, ...] = ("single", "chain", "no_tool", "raises")
MIX: dict[str, Fraction] = {"single": Fraction(35, 100), "chain": Fraction(35, 100),
                            "no_tool": Fraction(15, 100), "raises": Fraction(15, 100)}


@dataclasses.dataclass(frozen=True)
class FromStep:
    """An argument whose value is the output of an earlier step of the same task."""

    step: int


@dataclasses.dataclass(frozen=True)
class Step:
    """One tool call of a task's plan: the tool and its arguments (in the schema's order)."""

    tool: str
    arguments: tuple[tuple[str, Any], ...]


@dataclasses.dataclass(frozen=True)
class Task:
    """A task: its id, kind, the text the user sends, and the plan of tool calls that solves it."""

    id: str
    kind: str
    text: str
    steps: tuple[Step, ...]
    template: str  # the correct answer, with {0}, {1} for the steps' outputs (or the final value)
    value: str | None = None  # the expected token of a task that needs no tool

    @property
    def tools(self) -> tuple[str, ...]:
        """The tools the plan uses, in order (for splitting a task between roles)."""
        return tuple(step.tool for step in self.steps)


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What one run of a task produces when every step is called correctly."""

    arguments: tuple[dict[str, Any], ...]  # each step's correct arguments in this run
    outputs: tuple[str, ...]  # each step's output as the model reads it (a raised error's ticket)
    token: str  # the expected token the answer must contain
    answer: str  # the correct final answer


@dataclasses.dataclass(frozen=True)
class Suite:
    """A seeded list of tasks, with the shop tools each run needs."""

    seed: int
    tasks: tuple[Task, ...]

    def tools(self, run: int = 0) -> list[Tool]:
        """All the shop's tools for run ``run`` (outputs drawn for this seed and run)."""
        return shop_tools(self.seed, run)

    def outcome(self, task: Task, run: int = 0) -> Outcome:
        """The correct arguments, outputs and answer of ``task`` in run ``run``."""
        arguments: list[dict[str, Any]] = []
        outputs: list[str] = []
        for step in task.steps:
            args = {n: (outputs[v.step] if isinstance(v, FromStep) else v) for n, v in step.arguments}
            arguments.append(args)
            outputs.append(_output(self.seed, run, step.tool, args))
        if task.value is not None:
            token = task.value
            answer = task.template.format(task.value)
        else:
            token = outputs[-1]
            answer = task.template.format(*outputs)
        return Outcome(tuple(arguments), tuple(outputs), token, answer)

    def task_for(self, text: str) -> Task | None:
        """The task whose text is ``text`` (whitespace ignored), or None."""
        return self._index().get(normal(text))

    def task_within(self, text: str) -> Task | None:
        """The first task (in suite order) whose text occurs inside ``text`` (whitespace ignored), or None."""
        flat = normal(text)
        return next((task for key, task in self._index().items() if key in flat), None)

    def _index(self) -> dict[str, Task]:
        index = self.__dict__.get("_by_text")
        if index is None:
            index = {normal(t.text): t for t in self.tasks}
            object.__setattr__(self, "_by_text", index)
        return index


def normal(text: str) -> str:
    """``text`` with runs of whitespace made one space and the ends stripped."""
    return " ".join(text.split())


def contains_token(text: str, token: str) -> bool:
    """``token`` occurs in ``text`` as a whole word (no letter, digit or _ right before or after it)."""
    if not token:
        return False
    start = text.find(token)
    while start != -1:
        end = start + len(token)
        if (start == 0 or not _word_char(text[start - 1])) and (end == len(text) or not _word_char(text[end])):
            return True
        start = text.find(token, start + 1)
    return False


def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


_CODE = re.compile(r"\b[A-Z]{1,3}-\d+\b")


def output_token(value: Any) -> str:
    """The token the model looks for in a tool's output: the number, or the code in a text output
    (``SKU-40417``, ``TR-52931``); for a tool that raised, the ticket its message names (``T-4821``)."""
    match = _CODE.search(str(value))
    return match.group(0) if match else str(value)


def _output(seed: int, run: int, tool: str, arguments: dict[str, Any]) -> str:
    try:
        value = CATALOG[tool].output(draws.key(seed, run), arguments)
    except LookupError as exc:
        value = str(exc)
    return output_token(value)


def task_suite(seed: int, n: int = 100, mix: dict[str, Fraction] | None = None) -> Suite:
    """``n`` tasks drawn from ``seed``: each kind with the probability given by ``mix`` (default MIX)."""
    if n < 1:
        raise ValueError("a suite needs at least one task")
    weights = mix or MIX
    if set(weights) - set(KINDS) or sum(weights.values()) != 1:
        raise ValueError(f"mix: probabilities of {KINDS} adding up to 1")
    tasks: list[Task] = []
    seen: set[str] = set()
    attempt = 0
    while len(tasks) < n:
        k = draws.key("suite", seed, attempt)
        attempt += 1
        kind = _kind(k, weights)
        task = _make(kind, k, f"t{len(tasks):04d}")
        if normal(task.text) not in seen:  # texts are unique: the model finds a task by its text
            seen.add(normal(task.text))
            tasks.append(task)
    return Suite(seed, tuple(tasks))


def _kind(k: str, weights: dict[str, Fraction]) -> str:
    u = Fraction(draws.uniform(draws.key(k, "kind")), draws.RESOLUTION)
    for kind in KINDS:
        u -= weights.get(kind, Fraction(0))
        if u < 0:
            return kind
    return KINDS[-1]


def _make(kind: str, k: str, task_id: str) -> Task:
    item = draws.pick(draws.key(k, "item"), ITEMS)
    variant = draws.uniform(draws.key(k, "variant"), 4 if kind == "single" else 2)
    if kind == "no_tool":
        text, value, template = arithmetic(k)
        return Task(task_id, kind, text, (), template, value)
    if kind == "raises":
        order = draws.integer(draws.key(k, "order"), ARCHIVED_FROM, 99_999)
        text, template = phrase("archived", order=order)
        return Task(task_id, kind, text, (Step("order_status", (("order_id", order),)),), template)
    if kind == "chain":
        sku = Step("find_sku", (("item", item),))
        if variant == 0:
            w = draws.integer(draws.key(k, "warehouse"), 1, 9)
            text, template = phrase("stock", item=item, warehouse=w)
            return Task(task_id, kind, text, (sku, Step("stock", (("sku", FromStep(0)), ("warehouse", w)))), template)
        q = draws.integer(draws.key(k, "quantity"), 2, 60)
        text, template = phrase("price", item=item, quantity=q)
        return Task(task_id, kind, text, (sku, Step("price", (("sku", FromStep(0)), ("quantity", q)))), template)
    return _single(variant, k, task_id, item)


def _single(variant: int, k: str, task_id: str, item: str) -> Task:
    if variant == 0:
        text, template = phrase("sku", item=item)
        return Task(task_id, "single", text, (Step("find_sku", (("item", item),)),), template)
    if variant == 1:
        weight = draws.pick(draws.key(k, "weight"), [1, 2, 3, 5, 8, 0.5, 1.5, 2.5, 4.2, 7.5])
        zone = draws.integer(draws.key(k, "zone"), 1, 5)
        text, template = phrase("shipping", weight=weight, zone=zone)
        step = Step("shipping_cost", (("weight_kg", weight), ("zone", zone)))
        return Task(task_id, "single", text, (step,), template)
    if variant == 2:
        order = draws.integer(draws.key(k, "order"), 10_000, ARCHIVED_FROM - 1)
        text, template = phrase("order", order=order)
        return Task(task_id, "single", text, (Step("order_status", (("order_id", order),)),), template)
    currency = draws.pick(draws.key(k, "currency"), CURRENCIES[1:])  # not EUR against the euro
    text, template = phrase("rate", currency=currency)
    return Task(task_id, "single", text, (Step("exchange_rate", (("currency", currency),)),), template)
