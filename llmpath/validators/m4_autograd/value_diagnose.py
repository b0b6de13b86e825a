"""Named mistakes of m4.value: which wrong rule produced a number, and which diagnosis wins."""

from __future__ import annotations

import math
from typing import Any

from llmpath.validators.m4_autograd.ops import _show
from llmpath.validators.m4_autograd.value_reference import _close, _torch_single


def _op_signature(op: str, x: float, y: Any, wrt: str, got: float) -> str | None:
    """A named mistake in one operator's derivative, from the number it produced."""
    if op == "pow" and wrt == "a":
        if _close(got, x ** (y - 1), 1e-9):
            return f"pow's derivative is missing the exponent: d(a**n)/da = n * a**(n-1), not a**(n-1) (n = {y})"
        if _close(got, y * x**y, 1e-9):
            return "pow's derivative uses a**n: d(a**n)/da = n * a**(n-1)"
    if op == "relu" and x < 0 and got != 0:
        return "relu passes gradient where its input is negative: d relu(a)/da = 0 for a < 0 (use out.data > 0)"
    if op == "tanh" and _close(got, 1 - math.tanh(x), 1e-9):
        return "tanh's derivative is 1 - tanh(a)**2, not 1 - tanh(a)"
    if op in ("c_sub", "c_div", "c_add", "c_mul") and _close(got, -_torch_single(op, x, y, None)["ga"], 1e-9):
        return f"the reflected operator {_show(op, y)} has its gradient sign flipped (operands swapped?)"
    return None


def _forward_signature(op: str, x: float, y: Any, got: float) -> str | None:
    if op == "c_sub" and _close(got, x - y):
        return f"{_show(op, y)} computes a - {y}: __rsub__ has its operands swapped (other - self)"
    if op == "c_div" and _close(got, x / y):
        return f"{_show(op, y)} computes a / {y}: __rtruediv__ has its operands swapped (other / self)"
    if op == "neg" and _close(got, x):
        return "-a returns a: __neg__ must multiply by -1"
    return None


# Which diagnosis wins when several fire: a named signature beats a generic "X is wrong"; among
# generic ones, primitive operators first (learners build a - b from + and -, a / b from * and **).
_SEEDING, _FORWARD_SIG, _OP_SIG, _OVERWRITE, _ORDER, _FORWARD, _DERIVATIVE, _CHAIN = range(8)
_PRIMITIVE_FIRST = ("add", "mul", "neg", "pow", "div", "relu", "tanh", "exp", "log", "add_c", "mul_c", "div_c")
Candidates = list[tuple[float, str]]


def _generic(rank: int, op: str, text: str) -> tuple[float, str]:
    order = _PRIMITIVE_FIRST.index(op) if op in _PRIMITIVE_FIRST else len(_PRIMITIVE_FIRST)
    return rank + order / 100, text
