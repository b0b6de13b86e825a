"""M4 validators: the learner's scalar autograd ``Value``, ``grad_fn_trace`` and ``trace.md``.

Checks:

* ``m4.value`` — values and gradients of the learner's ``Value`` against torch (float64):
  every operator alone (to name the wrong derivative: "d(a / b)/db is wrong"), then through a
  later ``* 3.0`` (the chain rule must use ``out.grad``); a value used twice in one op, in two ops
  and in 30 ops (``grad +=``); a graph whose node is reachable by a short and a long path (the
  topological order); a chain ``chain`` nodes deep (a recursive topological sort must survive it
  at Python's default recursion limit); and ``dags`` random expression DAGs of ``ops`` operations
  with reused nodes, built by calling the learner's operators (``+ - * /``, ``**`` with int and
  float exponents, unary ``-``, the reflected ``2 * v``, ``1 - v``, ``1 / v``, ``relu``; ``tanh``,
  ``exp`` and ``log`` when the learner's ``Value`` has them). The program of a DAG is generated
  from the seed, so the verdict rebuilds exactly the same expression in torch.
* ``m4.grad_fn_trace`` — ``grad_fn_trace(loss)`` on three small torch models (an MLP with MSE, a
  logistic regression written out by hand, a model sharing a weight with a skip path) must list
  every node of the real backward graph once, ``AccumulateGrad`` included, in a topological order
  (each node before every node in its ``next_functions``) starting with ``loss.grad_fn``.
* ``m4.trace_doc`` (no probe) — ``milestones/M4/trace.md`` has ``min_words`` words of the learner's
  own (the starter's text does not count).

Tolerance: ``|got - torch| / max(|got|, |torch|, 1) < 1e-9``, relative error with values under 1
compared absolutely. Values are bounded (|v| <= 30, divisors >= 0.3), so float64 rounding in the
two engines (different summation orders of the gradient contributions, libm vs torch for
exp/log/tanh/pow) stays around 1e-13; a wrong rule is off by far more.
"""

from __future__ import annotations

# Each module below does one job; the names that tests use are re-exported here.
from llmpath.validators.api import Check
from llmpath.validators.m4_autograd.ops import (
    BINARY,
    FILE,
    OPTIONAL,
    TOL,
    UNARY,
    WITH_CONST,
    ValueParams,
)
from llmpath.validators.m4_autograd.programs import operands, program
from llmpath.validators.m4_autograd.trace import (
    _probe_trace,
    graph,
    judge_trace,
    models,
    topological_match,
    verdict_trace,
)
from llmpath.validators.m4_autograd.trace_doc import TraceDocParams, verdict_trace_doc
from llmpath.validators.m4_autograd.value_probe import _probe_value
from llmpath.validators.m4_autograd.value_verdict import verdict_value

# the checks, and the names that tests and pictures import from the package
__all__ = [
    "BINARY",
    "FILE",
    "OPTIONAL",
    "TOL",
    "UNARY",
    "WITH_CONST",
    "graph",
    "judge_trace",
    "models",
    "operands",
    "program",
    "topological_match",
]

CHECKS: tuple[Check, ...] = (
    Check(
        name="m4.value",
        description="Value computes values and gradients equal to torch's",
        probe=_probe_value,
        verdict=verdict_value,
        params=ValueParams,
        timeout_s=30,
        memory_mb=1024,
    ),
    Check(
        name="m4.grad_fn_trace",
        description="grad_fn_trace lists torch's backward graph in a topological order",
        probe=_probe_trace,
        verdict=verdict_trace,
        timeout_s=60,
        memory_mb=2048,
    ),
    Check(
        name="m4.trace_doc",
        description="trace.md walks through the computational graph of a small model",
        verdict=verdict_trace_doc,
        params=TraceDocParams,
    ),
)
