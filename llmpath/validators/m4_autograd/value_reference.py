"""The trusted reference of m4.value: the same expressions in torch (float64), and the comparison."""

from __future__ import annotations

import math
from typing import Any

from llmpath.validators.m4_autograd.ops import BINARY, TOL, UNARY, WITH_CONST
from llmpath.validators.m4_autograd.programs import run_program


def _rel(got: float, exp: float) -> float:
    if not math.isfinite(got):
        return math.inf
    return abs(got - exp) / max(abs(got), abs(exp), 1.0)


def _close(got: float, exp: float, tol: float = TOL) -> bool:
    return _rel(got, exp) < tol


def _torch_single(op: str, x: float, y: Any, scale: float | None) -> dict:
    import torch

    a = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(y, dtype=torch.float64, requires_grad=True) if op in BINARY else None
    out = BINARY[op](a, b) if op in BINARY else WITH_CONST[op](a, y) if op in WITH_CONST else UNARY[op](a)
    out.retain_grad()
    (out * scale if scale is not None else out).backward()
    grad = lambda t: float(t.grad) if t is not None and t.grad is not None else 0.0  # noqa: E731
    return {"data": out.detach().item(), "out_grad": grad(out), "ga": grad(a), "gb": grad(b)}


def _torch_program(prog: list[tuple]) -> tuple[list[float], list[float]]:
    import torch

    nodes = run_program(prog, lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True))
    for n in nodes:
        if not n.is_leaf:
            n.retain_grad()
    nodes[-1].backward()
    return [n.detach().item() for n in nodes], [n.grad.item() if n.grad is not None else 0.0 for n in nodes]
