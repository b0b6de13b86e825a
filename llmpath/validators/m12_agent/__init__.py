"""Validators for M12: a tool-using agent (``milestones/M12/agent.py``), judged on llmpath's simulated model.

The learner's ``Agent(model, tools, max_steps=8)`` with ``run(task) -> Result(answer, calls, error)``
runs against models and tools from ``llmpath.agents``, wrapped in spies that record every
conversation the model received and every tool execution:

* ``m12.parse``    each reply format is parsed (bare, pretty, fenced, prose, brace groups, shuffled
  arguments); invalid calls never reach a tool and their errors name the bad tool or argument.
* ``m12.outputs``  on a seeded suite with a flawless model (single calls, two-step chains, no-tool tasks,
  tools that raise), answers hold the tools' actual outputs, the trace matches what ran, the
  history only grows, and two runs in a row do not share state.
* ``m12.robust``   a model that never stops, returns garbage, raises or answers at once; a tool that
  raises: errors become observations, run() never raises, max_steps is exact.
* ``m12.success``  the success rate on a held-out suite under the imperfect ``SimulatedModel`` lies within
  z standard deviations of the exact optimum (both sides); pass^k is shown beside its optimum; the
  trace must follow the allowed actions.
* ``m12.report``   the success rate and pass^k logged in an M12 experiment entry are recomputed.

No probe imports torch or numpy: the whole milestone runs on pure Python.
"""

from __future__ import annotations

from llmpath.validators.api import Check
from llmpath.validators.m12_agent import outputs_check, parse_check, report_check, robust_check, success_check
from llmpath.validators.m12_agent.params import OutputsParams, ParseParams, ReportParams, RobustParams, SuccessParams

CHECKS: tuple[Check, ...] = (
    Check(
        name="m12.parse",
        description="M12: tool calls are found in every reply format; arguments are validated before any tool runs",
        probe=parse_check.probe,
        verdict=parse_check.verdict,
        params=ParseParams,
        timeout_s=60,
        memory_mb=1024,
    ),
    Check(
        name="m12.outputs",
        description="M12: answers hold the tools' actual outputs; the trace is what ran; history only grows",
        probe=outputs_check.probe,
        verdict=outputs_check.verdict,
        params=OutputsParams,
        timeout_s=60,
        memory_mb=1024,
    ),
    Check(
        name="m12.robust",
        description="M12: errors become observations or a failure result, never exceptions; max_steps is exact",
        probe=robust_check.probe,
        verdict=robust_check.verdict,
        params=RobustParams,
        timeout_s=60,
        memory_mb=1024,
    ),
    Check(
        name="m12.success",
        description="M12: success rate on a held-out suite within the margin of the exact optimum (both sides)",
        probe=success_check.probe,
        verdict=success_check.verdict,
        params=SuccessParams,
        timeout_s=120,
        memory_mb=1024,
    ),
    Check(
        name="m12.report",
        description="M12: the success rate and pass^k logged in an experiment entry are recomputed",
        probe=report_check.probe,
        verdict=report_check.verdict,
        params=ReportParams,
        timeout_s=120,
        memory_mb=1024,
    ),
)
