"""Roles for multi-agent systems: the roster of tool-holding roles, their simulated models, and cooperative tasks.

The shop's tools are split between four roles, one per tool group (``ROSTER``)::

    catalog    find_sku                      warehouse  stock
    finance    price, exchange_rate          logistics  shipping_cost, order_status

A cooperative task needs several of them: "How many units of the oak hinge are in stock at
warehouse 3?" needs ``find_sku`` (catalog) and then ``stock`` (warehouse) with the SKU found.
``cooperative_suite(seed, n)`` draws such tasks (mostly two-role chains; also single calls that must
reach the right role, tools that raise, and tasks that need no tool).

``RoleModel(seed, suite, role, run=0, rates=DEFAULT_RATES)`` plays one role. It is a
`SimulatedModel` (same reply format, imperfections, feedback rates and meaning-keyed draws) with
three differences:

* **It starts where the others left off.** Its conversation's *context* (the text of the task
  message and of the messages after it, up to its first reply: `llmpath.agents.reading`) holds what
  other roles handed over. If the outputs of the task's first ``j`` steps appear there (each as a
  whole word, in order), it starts at step ``j``. Put the task in one user message and each piece of
  context (e.g. another role's answer) in the following user messages.
* **It hands off** when the next step needs a tool it was not told about: its reply is an answer that
  names the tool, ``{"answer": "The next step needs the stock tool, which I do not hold. So far:
  find_sku gave SKU-40417.", "needs": "stock"}``. The answer lists the outputs found so far, so a
  role that receives it as context can go on. A handoff involves no draw: asking the wrong role
  first costs a model call and two messages, never a chance of success.
* **Its draws are keyed on its role and its starting step too**: (seed, run, task, role, start step,
  the classes of the observations so far). Roles draw independently of each other, and asking a role
  again with the same context replays exactly the same replies: re-asking never re-rolls.

The best success rate of a system that follows the allowed actions is in `llmpath.agents.team`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from llmpath.agents.rates import DEFAULT_RATES, Rates
from llmpath.agents.reading import Reading
from llmpath.agents.simulated import Action, SimulatedModel, State
from llmpath.agents.tasks import Step, Suite, Task, contains_token, task_suite
from llmpath.agents.toolbox import shop_tools, tools_of_group
from llmpath.agents.tools import Tool

WORKERS: tuple[str, ...] = ("catalog", "warehouse", "finance", "logistics")
ROSTER: dict[str, tuple[str, ...]] = {role: tools_of_group(role) for role in WORKERS}
TEAM_MIX: dict[str, Fraction] = {"chain": Fraction(60, 100), "single": Fraction(20, 100),
                                 "raises": Fraction(10, 100), "no_tool": Fraction(10, 100)}


def cooperative_suite(seed: int, n: int = 100) -> Suite:
    """``n`` tasks drawn from ``seed`` in the proportions of ``TEAM_MIX`` (60 % chains across two roles)."""
    return task_suite(seed, n, mix=TEAM_MIX)


def holder(tool: str, roster: Mapping[str, tuple[str, ...]] = ROSTER) -> str:
    """The role that holds ``tool``."""
    for role, tools in roster.items():
        if tool in tools:
            return role
    raise KeyError(f"no role of the roster holds the tool {tool!r}")


def segments(task: Task, roster: Mapping[str, tuple[str, ...]] = ROSTER) -> tuple[tuple[str, tuple[Step, ...]], ...]:
    """The task's steps grouped into runs of consecutive steps held by one role: ((role, steps), ...)."""
    out: list[tuple[str, list[Step]]] = []
    for step in task.steps:
        role = holder(step.tool, roster)
        if out and out[-1][0] == role:
            out[-1][1].append(step)
        else:
            out.append((role, [step]))
    return tuple((role, tuple(steps)) for role, steps in out)


def role_tools(suite: Suite, run: int, role: str, roster: Mapping[str, tuple[str, ...]] = ROSTER) -> list[Tool]:
    """The tools ``role`` holds, for run ``run`` of ``suite``."""
    return shop_tools(suite.seed, run, tuple(roster[role]))


def role_models(suite: Suite, run: int = 0, rates: Rates = DEFAULT_RATES,
                roster: Mapping[str, tuple[str, ...]] = ROSTER) -> dict[str, RoleModel]:
    """One `RoleModel` per role of the roster, for run ``run`` of ``suite``."""
    return {role: RoleModel(suite.seed, suite, role, run, rates) for role in roster}


class RoleModel(SimulatedModel):
    """A `SimulatedModel` that plays one role: starts from handed-over outputs, hands off, draws per role."""

    def __init__(self, seed: int, suite: Suite, role: str, run: int = 0, rates: Rates = DEFAULT_RATES) -> None:
        super().__init__(seed, suite, run, rates)
        self.role = role

    def start_state(self, reading: Reading) -> State:
        """Start at the first step whose output is not in the context (earlier outputs all are)."""
        task = reading.task
        if task is None:
            return State()
        outputs = self.outcome(task).outputs
        progress = 0
        while progress < len(task.steps) and contains_token(reading.context, outputs[progress]):
            progress += 1
        return State(progress)

    def origin(self, reading: Reading, start: State) -> tuple[Any, ...]:
        return (self.role, start.progress)

    def decide(self, task: Task, known: frozenset[str], state: State, key: str) -> Action:
        if state.progress < len(task.steps) and task.steps[state.progress].tool not in known:
            return self.handoff(task, state)
        return super().decide(task, known, state, key)

    def handoff(self, task: Task, state: State) -> Action:
        """The answer that names the tool the next step needs, with the outputs found so far."""
        tool = task.steps[state.progress].tool
        found = self.outcome(task).outputs[: state.progress]
        done = "; ".join(f"{step.tool} gave {output}" for step, output in zip(task.steps, found, strict=False))
        so_far = f" So far: {done}." if done else ""
        return Action("handoff", tool, text=f"The next step needs the {tool} tool, which I do not hold.{so_far}")


def split(task: Task, steps: tuple[Step, ...]) -> Task:
    """``task`` with only ``steps`` (one role's segment), for the optimum of that segment."""
    return dataclasses.replace(task, steps=steps)
