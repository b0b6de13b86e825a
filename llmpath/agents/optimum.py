"""The exact best success rate of an agent that follows the allowed actions, under `SimulatedModel`.

**The allowed actions** (the contract of M12; the optimum is computed for exactly this list):

1. Send the conversation to the model; the history only grows (append-only): every model call sees
   the previous call's messages, the model's reply verbatim as an ``assistant`` message, and what
   the agent appended after it.
2. Parse the reply's action with the documented rule (`llmpath.agents.messages`).
3. A tool call whose tool exists and whose arguments validate against its JSON Schema: run the tool
   once, with exactly those arguments (by keyword), and append its output, or the exception it
   raised (type and message), as an observation.
4. Anything else (no action found, an unknown tool, invalid arguments): run nothing, and append an
   error observation that says what was wrong, naming the bad tool or argument.
5. A final answer: stop and return exactly its text.
6. Stop after ``max_steps`` model calls with a failure result.

Not allowed: changing the model's arguments (coercing ``"3"`` to ``3``), guessing a tool from a
wrong name or from the arguments, running a tool the model did not ask for (retrying a failing
tool by yourself), refusing or questioning an answer, calling the model with a conversation that is
not the previous one plus the reply and observations (re-rolling), or answering without the model.
Each of these can beat the optimum below; the judge treats a success rate above it (beyond the
Monte Carlo margin) as a broken rule.

**The optimum.** Within these rules an agent chooses only what it feeds back. The best choice is
always the output itself after a valid call, and a clear error (one naming the bad tool or argument)
after a flawed one: correction after a clear error is the most likely, and a failed correction
leaves the model in the same state. For a task of ``m`` steps with ``T = max_steps`` model calls
the success probability is then a small Markov chain, computed here exactly in fractions:

    V(t, j, pending) = 0                                              if t = 0 and j < m
    V(t, m, -)       = 1                                              if t >= 1 (the answer turn)
    V(t, j, fresh)   = p_ok(j) V(t-1, j+1, fresh) + p_flaw(j) V(t-1, j, pending)
    V(t, j, pending) = c V(t-1, j+1, fresh) + (1 - c) V(t-1, j, pending)

with ``p_ok(j)``, ``p_flaw(j)`` the rates of a correct and of a flawed fresh call for step j's tool
(the rest, ``answer_without_tool``, ends the run with a wrong answer) and ``c = fix_after_clear``.
The suite's optimum is the mean over its tasks; pass^k's optimum is the mean over tasks of
``p_task ** k`` (not the suite optimum to the power k).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Sequence
from fractions import Fraction

from llmpath.agents.rates import DEFAULT_RATES, FEEDBACK, FLAWS, Rates
from llmpath.agents.tasks import Suite, Task
from llmpath.agents.toolbox import CATALOG


def task_optimum(task: Task, max_steps: int = 8, rates: Rates = DEFAULT_RATES, feedback: str = "clear") -> Fraction:
    """The probability that an agent feeding back ``feedback`` errors solves ``task`` (exact)."""
    return _chain(task, max_steps, rates, (feedback,))


def best_over_feedback(task: Task, max_steps: int = 8, rates: Rates = DEFAULT_RATES) -> Fraction:
    """The optimum over every choice of observation at every turn (outputs withheld or not, any error class).

    Equals ``task_optimum(task, max_steps, rates)``: clear errors and fed-back outputs are optimal.
    """
    return _chain(task, max_steps, rates, FEEDBACK, may_withhold=True)


def _chain(task: Task, max_steps: int, rates: Rates, choices: Sequence[str], may_withhold: bool = False) -> Fraction:
    m = len(task.steps)
    fresh = [rates.fresh(bool(CATALOG[s.tool].integer_arguments)) for s in task.steps]

    @functools.cache
    def value(t: int, j: int, pending: bool) -> Fraction:
        if j == m:
            return Fraction(1) if t >= 1 else Fraction(0)
        if t == 0:
            return Fraction(0)
        if pending:
            return max(rates.fix(o) * value(t - 1, j + 1, False) + (1 - rates.fix(o)) * value(t - 1, j, True)
                       for o in choices)
        p_ok, p_flaw = fresh[j]["correct"], sum(fresh[j][f] for f in FLAWS)
        after_call = value(t - 1, j + 1, False)
        if may_withhold:  # feeding back something without the output makes the next attempt fresh again
            after_call = max(after_call, value(t - 1, j, False))
        return p_ok * after_call + p_flaw * value(t - 1, j, True)

    return value(max_steps, 0, False)


@dataclasses.dataclass(frozen=True)
class Optimum:
    """The exact optimum of a suite: each task's success probability, and the figures built on them."""

    per_task: tuple[Fraction, ...]
    max_steps: int

    @property
    def success(self) -> Fraction:
        """The best expected success rate (mean over tasks)."""
        return sum(self.per_task, Fraction(0)) / len(self.per_task)

    def pass_k(self, k: int) -> Fraction:
        """The best expected pass^k: mean over tasks of p_task ** k."""
        return sum((p ** k for p in self.per_task), Fraction(0)) / len(self.per_task)

    def sigma(self, runs: int = 1) -> float:
        """Standard deviation of the success rate measured over ``runs`` independent runs of every task."""
        variance = sum(p * (1 - p) for p in self.per_task) * runs / (len(self.per_task) * runs) ** 2
        return math.sqrt(float(variance))

    def sigma_pass_k(self, k: int) -> float:
        """Standard deviation of the measured pass^k (each task passes all k runs with p ** k)."""
        variance = sum(p ** k * (1 - p ** k) for p in self.per_task) / len(self.per_task) ** 2
        return math.sqrt(float(variance))


def optimum(suite: Suite, max_steps: int = 8, rates: Rates = DEFAULT_RATES) -> Optimum:
    """The exact optimum of every task of ``suite`` for an agent that follows the allowed actions."""
    cache: dict[tuple[str, ...], Fraction] = {}
    per_task = []
    for task in suite.tasks:
        shape = task.tools  # tasks with the same tools have the same chain
        if shape not in cache:
            cache[shape] = task_optimum(task, max_steps, rates)
        per_task.append(cache[shape])
    return Optimum(tuple(per_task), max_steps)
