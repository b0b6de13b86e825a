"""The exact best success rate of a multi-agent system under `RoleModel`s, and ``evaluate_team``.

**The allowed actions of a system** (the contract of M13; the optimum is computed for exactly this list):

1. Every message goes through ``send``, which checks it against the protocol before it is queued
   or delivered; a run holds at most ``max_messages`` messages.
2. A role with a model (the roles of ``ROSTER``) handles each request addressed to it as one run of
   M12's allowed actions (`llmpath.agents.optimum`) with **its own model and only its own tools**:
   a fresh conversation (a system message that names exactly its tools, the task as a user message,
   each piece of the request's context as a further user message), append-only, at most
   ``role_steps`` model calls. Its reply carries the model's final answer verbatim, with ``needs``
   when the model handed off, or an ``error`` when the run ended without an answer.
3. A reply without ``needs`` holds the final answer: the run's result is that answer, verbatim.
4. A reply with ``needs`` goes on as a request to the role that holds that tool, with the task and
   the answers received so far as context. The first request may go to any role of the roster.
5. A reply with an error, a timeout, a crash or a message the protocol refuses ends the run with a
   failure that names the role.

Not allowed: giving a role another role's tools (or naming them in its system message), running a
tool outside the holder's model call, continuing a role's conversation across requests (more model
calls than ``role_steps``), sending the same request twice (a meaning-keyed model replays its reply:
re-asking is a loop, never a new chance), changing or composing an answer without a model, and
everything M12 does not allow inside a role.

**The optimum.** A handoff involves no draw, so the order of hops does not matter: a task succeeds
when each *segment* (a run of consecutive steps held by one role, `llmpath.agents.roles.segments`)
succeeds within ``role_steps`` model calls of its holder, the last call being the handoff or the
answer. Segments draw independently (their keys hold the role and the starting step), so

    p_task = product over segments of  task_optimum(segment, role_steps)     (1 for a task without tools)

with M12's Markov chain (`llmpath.agents.optimum`) per segment, in exact fractions. The suite's
optimum is the mean of ``p_task``; pass^k's optimum is the mean of ``p_task ** k``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

from llmpath.agents.evaluate import Report, score_run
from llmpath.agents.optimum import Optimum, task_optimum
from llmpath.agents.rates import DEFAULT_RATES, Rates
from llmpath.agents.roles import ROSTER, role_models, segments, split
from llmpath.agents.tasks import Suite, Task
from llmpath.agents.toolbox import shop_tools

Roster = Mapping[str, tuple[str, ...]]


def team_task_optimum(task: Task, role_steps: int = 8, rates: Rates = DEFAULT_RATES, roster: Roster = ROSTER,
                      feedback: str = "clear") -> Fraction:
    """The probability that a system following the allowed actions solves ``task`` (exact).

    ``feedback``: the class of the error observations every role feeds back ("clear", "vague", "none").
    """
    if not task.steps:
        return task_optimum(task, role_steps, rates, feedback)
    p = Fraction(1)
    for _, steps in segments(task, roster):
        p *= task_optimum(split(task, steps), role_steps, rates, feedback)
    return p


def team_optimum(suite: Suite, role_steps: int = 8, rates: Rates = DEFAULT_RATES, roster: Roster = ROSTER,
                 feedback: str = "clear") -> Optimum:
    """The exact optimum of every task of ``suite`` (``Optimum.max_steps`` is ``role_steps``)."""
    cache: dict[tuple[str, ...], Fraction] = {}
    per_task = []
    for task in suite.tasks:
        if task.tools not in cache:  # tasks with the same tools have the same segments and chains
            cache[task.tools] = team_task_optimum(task, role_steps, rates, roster, feedback)
        per_task.append(cache[task.tools])
    return Optimum(tuple(per_task), role_steps)


def evaluate_team(
    make_system: Callable[[dict[str, Any], dict[str, list[Any]]], Any],
    suite: Suite,
    k: int = 1,
    role_steps: int = 8,
    rates: Rates = DEFAULT_RATES,
    roster: Roster = ROSTER,
) -> Report:
    """Run ``make_system(models, tools).run(task.text)`` on every task, ``k`` times; figures beside the optimum.

    Run ``r`` gives every role a `RoleModel` (``models[role]``) and its own tools (``tools[role]``)
    with outputs drawn for run ``r``; one system is made per run and runs every task in order. A run
    succeeds when its answer holds the task's expected token. ``role_steps`` is the step limit your
    roles are made with (it sets the optimum: pass the same one)::

        from llmpath.agents.roles import cooperative_suite
        from llmpath.agents.team import evaluate_team
        from multi_agent import PROTOCOL, System, build_roles

        print(evaluate_team(lambda models, tools: System(build_roles(models, tools), PROTOCOL),
                            cooperative_suite(seed=1, n=100), k=4))
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    table: list[list[bool]] = [[] for _ in suite.tasks]
    errors: list[str] = []
    for run in range(k):
        models = role_models(suite, run, rates, roster)
        tools = {role: shop_tools(suite.seed, run, tuple(names)) for role, names in roster.items()}
        system = make_system(dict(models), tools)
        score_run(system, next(iter(models.values())), suite, table, errors)
    return Report(role_steps, team_optimum(suite, role_steps, rates, roster), tuple(map(tuple, table)), tuple(errors))
