"""A measured success rate and pass^k beside their exact optimum: the two-sided gate of M12 and M13.

Both milestones run every held-out task ``k`` times under seeded simulated models and fill a table of
outcomes (``table[task][run]``). The optimum (``llmpath.agents.Optimum``) is exact, so the gate is
the optimum ± z binomial standard deviations of the suite's rate: below it the agent or system loses
tasks it could win, above it it breaks the allowed actions.
"""

from __future__ import annotations

import dataclasses
from typing import Any


@dataclasses.dataclass(frozen=True)
class RateGate:
    """The figures of one suite run against the optimum (all rates in [0, 1])."""

    success: float  # share of task runs that succeeded
    pass_k: float  # share of tasks that succeeded in every one of the k runs
    optimum: float
    pass_k_optimum: float
    margin: float  # z sigma of the success rate: the gate's half-width
    margin_k: float
    z: float
    k: int  # runs per task
    n_tasks: int

    @property
    def within(self) -> bool:
        return abs(self.success - self.optimum) <= self.margin

    @property
    def figures(self) -> str:
        return (f"success {self.success:.4f} vs optimum {self.optimum:.4f} ± {self.margin:.4f} ({self.z:g} sigma); "
                f"pass^{self.k} {self.pass_k:.4f} vs optimum {self.pass_k_optimum:.4f} ± {self.margin_k:.4f}")

    def metrics(self, *, crashed: int, broken: int) -> dict[str, float]:
        return {"success_rate": self.success, "optimum": self.optimum, "margin": self.margin, "pass_k": self.pass_k,
                "pass_k_optimum": self.pass_k_optimum, "k": float(self.k), "n_tasks": float(self.n_tasks),
                "crashed_runs": float(crashed), "rule_breaks": float(broken)}


def rate_gate(table: list[list[bool]], best: Any, z: float) -> RateGate:
    """The gate for ``table[task][run]`` outcomes against ``best`` (an ``Optimum`` of the same suite)."""
    n, k = len(table), len(table[0])
    return RateGate(
        success=sum(map(sum, table)) / (n * k),
        pass_k=sum(all(row) for row in table) / n,
        optimum=float(best.success),
        pass_k_optimum=float(best.pass_k(k)),
        margin=z * best.sigma(k),
        margin_k=z * best.sigma_pass_k(k),
        z=z,
        k=k,
        n_tasks=n,
    )
