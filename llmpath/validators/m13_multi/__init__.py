"""Validators for M13: a multi-agent system (``milestones/M13/multi_agent.py``), judged on llmpath's simulated roles.

The learner declares ``ROLES`` and a ``PROTOCOL`` (``llmpath.agents.protocol``), builds the roles with
``build_roles(models, tools, role_steps=8)`` and routes messages with ``System(roles, protocol,
max_messages, timeout_s)``: ``send(message)`` and ``run(task) -> Run``. The judge gives every role of
the roster a ``RoleModel`` and its own tools, wrapped in spies, wraps every role to record each
delivery, and replaces roles with faulty ones of its own:

* ``m13.protocol``     forbidden messages are refused by ``send`` before anything is queued; every
  message of every run conforms to the declared protocol; a rogue role's message ends its run.
* ``m13.replies``      every request is answered or explicitly timed out, in_reply_to names the
  right message, and a ping-pong of bouncing roles ends at ``max_messages``.
* ``m13.determinism``  the same seed gives the identical transcript: again, with other latencies,
  and under other hash seeds.
* ``m13.roles``        each declared role acts; each tool is used by the role that holds it.
* ``m13.faults``       a role that crashes, stays silent, hangs, or whose model raises ends the run
  with a failure naming it, never a hang.
* ``m13.success``      the success rate on a held-out cooperative suite lies within z standard
  deviations of the exact optimum (both sides), every run follows the allowed actions; pass^k shown.
* ``m13.report``       the success rate and pass^k logged in an M13 experiment entry are recomputed.

No probe imports torch or numpy: the whole milestone runs on pure Python.
"""

from __future__ import annotations

from llmpath.validators.api import Check
from llmpath.validators.m13_multi import (
    determinism_check,
    faults_check,
    protocol_check,
    replies_check,
    report_check,
    roles_check,
    success_check,
)
from llmpath.validators.m13_multi.params import (
    FaultsParams,
    RepliesParams,
    ReportParams,
    RolesParams,
    SampleParams,
    SuccessParams,
)

__all__ = ["CHECKS"]

CHECKS: tuple[Check, ...] = (
    Check("m13.protocol", "M13: forbidden messages are refused before sending; every message conforms to the "
          "protocol", protocol_check.verdict, protocol_check.probe, SampleParams, timeout_s=60, memory_mb=1024),
    Check("m13.replies", "M13: every request is answered or explicitly timed out; runs end within the message bound",
          replies_check.verdict, replies_check.probe, RepliesParams, timeout_s=60, memory_mb=1024),
    Check("m13.determinism", "M13: the same seed gives the identical transcript (timing, hash seed, a second run)",
          determinism_check.verdict, determinism_check.probe, SampleParams, timeout_s=120, memory_mb=1024),
    Check("m13.roles", "M13: each declared role acts, and tools are used by the role that holds them",
          roles_check.verdict, roles_check.probe, RolesParams, timeout_s=60, memory_mb=1024),
    Check("m13.faults", "M13: a crashing, silent or hanging role ends the run with a failure naming it, never a hang",
          faults_check.verdict, faults_check.probe, FaultsParams, timeout_s=120, memory_mb=1024),
    Check("m13.success", "M13: success rate on a held-out cooperative suite within the margin of the exact optimum",
          success_check.verdict, success_check.probe, SuccessParams, timeout_s=180, memory_mb=1024),
    Check("m13.report", "M13: the success rate and pass^k logged in an experiment entry are recomputed",
          report_check.verdict, report_check.probe, ReportParams, timeout_s=120, memory_mb=1024),
)
