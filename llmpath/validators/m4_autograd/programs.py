"""The random programs of m4.value, generated from the seed in the child and again in the verdict.

A program is a list ``[("leaf", x) | (op, i) | (op, i, j) | (op, i, c)]``; node k = instruction k.
"""

from __future__ import annotations

import math
import random
from typing import Any

from llmpath.validators.m4_autograd.ops import BINARY, FLOAT, OPTIONAL, SHOW, UNARY, WITH_CONST, _show


def program(seed: int, index: int, ops: int, optional: tuple[str, ...]) -> list[tuple]:
    rng = random.Random(f"llmpath-m4:{seed}:{index}")  # str seeds are hashed with sha512: stable everywhere
    prog: list[tuple] = []
    vals: list[float] = []
    for _ in range(4):
        v = rng.choice((-1, 1)) * rng.uniform(0.5, 2.0)
        prog.append(("leaf", v))
        vals.append(v)
    pool = list(BINARY) * 2 + list(WITH_CONST) + ["neg", "relu", "relu"] + [o for o in OPTIONAL if o in optional]
    used = [0] * len(vals)
    tries = 0
    while len(prog) < 4 + ops and tries < 100 * ops:
        tries += 1
        op = rng.choice(pool)
        i = _pick(rng, len(vals))
        a = vals[i]
        try:
            if op in BINARY:
                j = i if rng.random() < 0.15 else _pick(rng, len(vals))
                b = vals[j]
                if op == "div" and abs(b) < 0.3:
                    continue
                r, ins = FLOAT[op](a, b), (op, i, j)
            elif op in WITH_CONST:
                if op == "pow":
                    c: Any = rng.choice((2, 3, -1, -2, 0.5, 1.5, -0.5, 2.5))
                    if (isinstance(c, float) and a < 0.2) or (c < 0 and abs(a) < 0.3):
                        continue
                else:
                    c = rng.choice((2.0, 3.0, -1.5, 0.5, 1.25, -2.0))
                if op == "c_div" and abs(a) < 0.3:
                    continue
                r, ins = FLOAT[op](a, c), (op, i, c)
            else:
                if (op == "relu" and abs(a) < 0.05) or (op == "log" and a < 0.1) or (op == "exp" and abs(a) > 3):
                    continue
                r, ins = FLOAT[op](a), (op, i)
        except (ArithmeticError, ValueError):
            continue
        if not math.isfinite(r) or abs(r) > 30:
            continue
        prog.append(ins)
        vals.append(float(r))
        used.append(0)
        for k in operands(ins):
            used[k] += 1
    sinks = [k for k in range(len(prog)) if used[k] == 0]
    total = sinks[0]
    for k in sinks[1:]:  # the root sums every value nobody used: each node then reaches the root
        prog.append(("add", total, k))
        total = len(prog) - 1
    return prog


def _pick(rng: random.Random, n: int) -> int:
    """Mostly one of the last few nodes (deep graphs), sometimes any earlier one (reuse)."""
    if rng.random() < 0.3:
        return rng.randrange(n)
    return max(0, n - 1 - min(int(rng.expovariate(0.5)), n - 1))


def run_program(prog: list[tuple], leaf: Any) -> list[Any]:
    nodes: list[Any] = []
    for ins in prog:
        op = ins[0]
        if op == "leaf":
            nodes.append(leaf(ins[1]))
        elif op in BINARY:
            nodes.append(BINARY[op](nodes[ins[1]], nodes[ins[2]]))
        elif op in WITH_CONST:
            nodes.append(WITH_CONST[op](nodes[ins[1]], ins[2]))
        else:
            nodes.append(UNARY[op](nodes[ins[1]]))
    return nodes


def operands(ins: tuple) -> tuple[int, ...]:
    if ins[0] == "leaf":
        return ()
    return tuple(ins[1:3]) if ins[0] in BINARY else (ins[1],)


def _describe(prog: list[tuple], k: int) -> str:
    ins = prog[k]
    if ins[0] == "leaf":
        return f"#{k} (a leaf, {ins[1]:.4g})"
    if ins[0] in BINARY:
        return f"#{k} = {SHOW[ins[0]].replace('a', f'#{ins[1]}', 1).replace('b', f'#{ins[2]}', 1)}"
    return f"#{k} = {_show(ins[0], ins[2] if len(ins) > 2 else None).replace('a', f'#{ins[1]}', 1)}"
