"""`evaluate`: run an agent on a suite under `SimulatedModel` and put each figure beside its optimum.

    from llmpath.agents import evaluate, task_suite
    from agent import Agent

    report = evaluate(lambda model, tools: Agent(model, tools, max_steps=8), task_suite(seed=1, n=200), k=4)
    print(report)   # with the M12 reference agent: success 0.9400 (optimum 0.9359 ± 0.0257),
                    # pass^4 0.7850 (optimum 0.7741 ± 0.0850) on 200 tasks x 4 runs, max_steps 8

Run ``r`` (0 to k-1) gives every task new tool outputs (``suite.tools(r)``) and a model
``SimulatedModel(suite.seed, suite, r, rates)``; one agent is made per run and runs every task in
order. A run succeeds when its answer holds the task's expected token. This is the computation the
judge repeats (on its own seed) for ``m12.success``, and the one that checks the figures you log.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from llmpath.agents.optimum import Optimum, optimum
from llmpath.agents.rates import DEFAULT_RATES, Rates
from llmpath.agents.simulated import SimulatedModel
from llmpath.agents.tasks import Suite, contains_token
from llmpath.agents.tools import Tool

Z = 3.0  # the margin is Z standard deviations of the measured rate around the optimum


@dataclasses.dataclass(frozen=True)
class Report:
    """Measured figures beside their exact optima; ``margin`` is Z standard deviations."""

    max_steps: int
    optimum: Optimum
    successes: tuple[tuple[bool, ...], ...]  # [task][run]
    errors: tuple[str, ...]  # exceptions that escaped run(), as "task id: Type: message"

    @property
    def n_tasks(self) -> int:
        return len(self.successes)

    @property
    def k(self) -> int:
        return len(self.successes[0])

    @property
    def success(self) -> float:
        """The share of all n_tasks x k runs that succeeded."""
        return sum(map(sum, self.successes)) / (self.n_tasks * self.k)

    @property
    def pass_k(self) -> float:
        """The share of tasks whose k runs all succeeded."""
        return sum(all(row) for row in self.successes) / self.n_tasks

    @property
    def success_optimum(self) -> float:
        return float(self.optimum.success)

    @property
    def pass_k_optimum(self) -> float:
        return float(self.optimum.pass_k(self.k))

    @property
    def margin(self) -> float:
        return Z * self.optimum.sigma(self.k)

    @property
    def pass_k_margin(self) -> float:
        return Z * self.optimum.sigma_pass_k(self.k)

    def __str__(self) -> str:
        return (
            f"success {self.success:.4f} (optimum {self.success_optimum:.4f} ± {self.margin:.4f}), "
            f"pass^{self.k} {self.pass_k:.4f} (optimum {self.pass_k_optimum:.4f} ± {self.pass_k_margin:.4f}) "
            f"on {self.n_tasks} tasks x {self.k} runs, max_steps {self.max_steps}"
        )


def evaluate(
    make_agent: Callable[[Callable[..., str], list[Tool]], Any],
    suite: Suite,
    k: int = 1,
    max_steps: int = 8,
    rates: Rates = DEFAULT_RATES,
) -> Report:
    """Run ``make_agent(model, tools).run(task.text)`` on every task, ``k`` times; see the module docstring.

    ``max_steps`` is the step limit your agents are made with (it sets the optimum: pass the same one).
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    table: list[list[bool]] = [[] for _ in suite.tasks]
    errors: list[str] = []
    for run in range(k):
        model = SimulatedModel(suite.seed, suite, run, rates)
        score_run(make_agent(model, suite.tools(run)), model, suite, table, errors)
    return Report(max_steps, optimum(suite, max_steps, rates), tuple(map(tuple, table)), tuple(errors))


def score_run(runner: Any, model: Any, suite: Suite, table: list[list[bool]], errors: list[str]) -> None:
    """One run of ``runner`` (an agent or a system) over the suite, its success per task appended to ``table``.

    A run succeeds when its answer holds ``model.outcome(task).token`` (any of the run's simulated
    models knows it); an exception out of ``runner.run`` is a failed run, its text kept in ``errors``.
    """
    for i, task in enumerate(suite.tasks):
        try:
            answer = runner.run(task.text).answer
        except Exception as exc:  # noqa: BLE001 - a crash is a failed run, reported with the figures
            errors.append(f"{task.id}: {type(exc).__name__}: {exc}")
            answer = None
        table[i].append(isinstance(answer, str) and contains_token(answer, model.outcome(task).token))
