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

import math
import random
import re
from collections import Counter
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from llmpath.validators.api import BadOutput, Check, ProbeContext, Verdict, VerdictContext

FILE = "autograd.py"
TOL = 1e-9
OPTIONAL = ("tanh", "exp", "log")

# Operators, applied the same way to the learner's Value and to torch tensors.
BINARY = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b, "div": lambda a, b: a / b}
WITH_CONST = {
    "add_c": lambda a, c: a + c,
    "c_add": lambda a, c: c + a,
    "sub_c": lambda a, c: a - c,
    "c_sub": lambda a, c: c - a,
    "mul_c": lambda a, c: a * c,
    "c_mul": lambda a, c: c * a,
    "div_c": lambda a, c: a / c,
    "c_div": lambda a, c: c / a,
    "pow": lambda a, c: a**c,
}
UNARY = {
    "neg": lambda a: -a,
    "relu": lambda a: a.relu(),
    "tanh": lambda a: a.tanh(),
    "exp": lambda a: a.exp(),
    "log": lambda a: a.log(),
}
SHOW = {
    "add": "a + b", "sub": "a - b", "mul": "a * b", "div": "a / b",
    "add_c": "a + {c}", "c_add": "{c} + a", "sub_c": "a - {c}", "c_sub": "{c} - a", "mul_c": "a * {c}",
    "c_mul": "{c} * a", "div_c": "a / {c}", "c_div": "{c} / a", "pow": "a ** {c}",
    "neg": "-a", "relu": "a.relu()", "tanh": "a.tanh()", "exp": "a.exp()", "log": "a.log()",
}  # fmt: skip
# Plain-float forms, to steer the random programs into each operator's domain.
FLOAT = {
    **{k: f for k, f in BINARY.items()},
    **{k: f for k, f in WITH_CONST.items()},
    "neg": lambda a: -a,
    "relu": lambda a: max(a, 0.0),
    "tanh": math.tanh,
    "exp": math.exp,
    "log": math.log,
}

# (op, a, b or constant): every operator alone, at points where each derivative is distinct.
SINGLE: tuple[tuple[str, float, Any], ...] = (
    ("add", 1.5, -2.0), ("sub", 1.5, -2.0), ("mul", 1.5, -2.5), ("div", 1.5, -2.5),
    ("add_c", 1.5, 2.0), ("c_add", 1.5, 2.0), ("sub_c", 1.5, 2.5), ("c_sub", 1.5, 2.5),
    ("mul_c", 1.5, 2.5), ("c_mul", 1.5, 2.5), ("div_c", 1.5, 4.0), ("c_div", 1.5, 2.5),
    ("pow", 1.5, 3), ("pow", -1.5, 2), ("pow", 1.5, -2), ("pow", 1.7, 2.5), ("pow", 2.0, 0.5),
    ("neg", 1.5, None), ("relu", 1.5, None), ("relu", -1.5, None),
    ("tanh", 0.7, None), ("exp", 0.7, None), ("log", 1.5, None),
)  # fmt: skip
MANY_USES = 30


class ValueParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    dags: int = Field(6, ge=1, le=100, description="random expression DAGs")
    ops: int = Field(40, ge=5, le=2000, description="operations per DAG (before the final sum)")
    chain: int = Field(250, ge=10, le=900, description="depth of the deep chain")


class TraceDocParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    min_words: int = Field(150, ge=0, description="words of the learner's own (the starter's do not count)")


# ---------------------------------------------------------------------------------------------
# the random programs: [("leaf", x) | (op, i) | (op, i, j) | (op, i, c)], node k = instruction k


def _show(op: str, c: Any = None) -> str:
    return SHOW[op].format(c=c)


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
        for k in _operands(ins):
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


# ---------------------------------------------------------------------------------------------
# probe: only the learner's Value, no torch in the child


def _present(Value: Any) -> tuple[str, ...]:
    found = []
    for name in OPTIONAL:
        if callable(getattr(Value, name, None)):
            try:
                getattr(Value(0.5), name)()
            except NotImplementedError:
                continue  # a stub left in place: treated as absent
            found.append(name)
    return tuple(found)


def _num(x: Any) -> float:
    """A number of the learner's as float; NaN for None or anything else (the verdict shows it)."""
    try:
        return float(x)
    except (TypeError, ValueError, OverflowError):
        return math.nan


def _single(Value: Any, op: str, x: float, y: Any, scale: float | None) -> dict:
    a = Value(x)
    b = Value(y) if op in BINARY else None
    out = BINARY[op](a, b) if op in BINARY else WITH_CONST[op](a, y) if op in WITH_CONST else UNARY[op](a)
    root = out * scale if scale is not None else out
    root.backward()
    return {"data": _num(out.data), "out_grad": _num(out.grad), "ga": _num(a.grad), "gb": _num(b.grad) if b is not None else 0.0}


def _probe_value(ctx: ProbeContext) -> dict:
    params = ValueParams.model_validate(ctx.params)
    module = ctx.load(FILE)
    Value = ctx.get(module, "Value")
    optional = _present(Value)
    raw: dict[str, Any] = {"optional": list(optional)}
    cases = [s for s in SINGLE if s[0] not in OPTIONAL or s[0] in optional]
    raw["single"] = [_single(Value, *s, None) for s in cases]
    raw["scaled"] = [_single(Value, *s, 3.0) for s in cases]

    a = Value(1.5)
    (a + a).backward()
    m = Value(1.5)
    (m * m).backward()
    x = Value(0.8)
    out = x * 2.0 + x * 3.0
    out.backward()
    raw["reuse"] = {"add_self": _num(a.grad), "mul_self": _num(m.grad), "fanout": _num(x.grad)}

    x = Value(0.7)
    total = x * 1.0
    for k in range(2, MANY_USES + 1):
        total = total + x * float(k)
    total.backward()
    raw["reuse"]["many"] = _num(x.grad)

    # y is used by w directly and through z1 -> z2: a node must wait for all of its consumers
    x = Value(1.5)
    y = x * 2.0
    z2 = (y + 1.0) * 0.5
    w = y * z2
    w.backward()
    raw["order"] = {"x": _num(x.grad), "y": _num(y.grad), "z2": _num(z2.grad), "w": _num(w.grad)}

    x0 = Value(0.5)
    node = x0
    for k in range(params.chain):
        node = node * 1.01 if k % 2 == 0 else node + 0.01
    node.backward()
    raw["chain"] = {"data": _num(node.data), "grad": _num(x0.grad)}

    raw["dags"] = []
    for d in range(params.dags):
        nodes = run_program(program(ctx.seed, d, params.ops, optional), Value)
        nodes[-1].backward()
        raw["dags"].append({"data": [_num(n.data) for n in nodes], "grad": [_num(n.grad) for n in nodes]})
    return raw


# ---------------------------------------------------------------------------------------------
# verdict of m4.value


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


def _fields(record: Any, keys: tuple[str, ...], what: str) -> dict[str, float]:
    if not isinstance(record, dict):
        raise BadOutput(f"{what}: malformed probe record")
    try:
        return {k: float(record[k]) for k in keys}
    except (KeyError, TypeError, ValueError):
        raise BadOutput(f"{what}: malformed probe record") from None


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


def _judge_single(cases: list, got_s: list, got_3: list) -> tuple[list[str], Candidates]:
    problems: list[str] = []
    found: Candidates = []
    if all(g["ga"] == 0 and g["gb"] == 0 for g in got_s) and all(g["out_grad"] != 1 for g in got_s):
        problems.append(f"after out.backward() every gradient is 0 (out.grad = {got_s[0]['out_grad']:g})")
        return problems, [(_SEEDING, "the root is not seeded: backward() must set self.grad = 1 before walking the graph")]
    right = set()
    offsets: list[float] = []  # got - expected of every wrong input gradient
    for (op, x, y), g in zip(cases, got_s):
        exp = _torch_single(op, x, y, None)
        expr = _show(op, y)
        where = f"a = {x}" + (f", b = {y}" if op in BINARY else "")
        if not _close(g["data"], exp["data"]):
            problems.append(f"{expr} at {where}: value {g['data']!r}, expected {exp['data']!r}")
            sig = _forward_signature(op, x, y, g["data"])
            found.append((_FORWARD_SIG, sig) if sig else _generic(_FORWARD, op, f"the forward value of {expr} is wrong"))
            continue
        if not _close(g["out_grad"], 1.0):
            problems.append(f"{expr}: after out.backward(), out.grad = {g['out_grad']!r}, expected 1")
            found.append((_SEEDING, "backward() must seed the root with grad = 1 (and not reset it afterwards)"))
            continue
        ok = True
        for wrt in ("a", "b") if op in BINARY else ("a",):
            if not _close(g["g" + wrt], exp["g" + wrt]):
                ok = False
                d = f"d({expr})/d{wrt}"
                problems.append(f"{d} at {where}: got {g['g' + wrt]!r}, expected {exp['g' + wrt]!r}")
                offsets.append(g["g" + wrt] - exp["g" + wrt])
                sig = _op_signature(op, x, y, wrt, g["g" + wrt])
                if sig and op.startswith("c_"):  # c / a is often Value(c) / a: a wrong a / b comes first
                    found.append(_generic(_DERIVATIVE, op, sig))
                else:
                    found.append((_OP_SIG, sig) if sig else _generic(_DERIVATIVE, op, f"{d} is wrong"))
        if ok:
            right.add((op, x, y))
    ones = sum(_close(o, 1.0) for o in offsets)  # composite ops (a - b as a + -b) may shift differently
    if ones >= 3 and ones >= 0.5 * len(offsets):
        found.append((_SEEDING, (
            "every gradient is 1 too large: gradients must start at 0 (self.grad = 0 in __init__); "
            "only the root is set to 1, by backward()"
        )))
    if ("mul_c", 1.5, 2.5) not in right:
        return problems, found  # the chain-rule test multiplies by 3.0: it needs a * c to be right
    for (op, x, y), g3 in zip(cases, got_3):
        if (op, x, y) not in right:
            continue
        e3 = _torch_single(op, x, y, 3.0)
        expr = _show(op, y)
        for wrt in ("a", "b") if op in BINARY else ("a",):
            if not _close(g3["g" + wrt], e3["g" + wrt]):
                problems.append(
                    f"({expr}) * 3.0: d/d{wrt} got {g3['g' + wrt]!r}, expected {e3['g' + wrt]!r} (alone {expr} is right)"
                )
                found.append(_generic(_CHAIN, op, (
                    f"the backward of {expr} ignores out.grad: the chain rule multiplies the local "
                    "derivative by out.grad (self.grad += local * out.grad)"
                )))
    return problems, found


def _judge_structure(raw: dict, chain: int) -> tuple[list[str], Candidates]:
    problems: list[str] = []
    found: Candidates = []
    overwrite = (
        "gradients are overwritten where a value is used twice: accumulate with "
        "self.grad += ... instead of self.grad = ..."
    )
    reuse = _fields(raw.get("reuse"), ("add_self", "mul_self", "fanout", "many"), "reuse")
    checks = [
        ("a + a at a = 1.5: d/da", reuse["add_self"], 2.0, (1.0,)),
        ("a * a at a = 1.5: d/da", reuse["mul_self"], 3.0, (1.5,)),
        ("x * 2.0 + x * 3.0: d/dx", reuse["fanout"], 5.0, (2.0, 3.0)),
        (f"x * 1.0 + x * 2.0 + ... + x * {MANY_USES}.0: d/dx", reuse["many"], MANY_USES * (MANY_USES + 1) / 2, (1.0, float(MANY_USES))),
    ]
    for what, got, exp, partial in checks:
        if not _close(got, exp):
            problems.append(f"{what} = {got!r}, expected {exp!r}")
            if any(_close(got, p) for p in partial):
                found.append((_OVERWRITE, overwrite))

    order = _fields(raw.get("order"), ("x", "y", "z2", "w"), "order")
    # y = 2x, z2 = (y + 1) * 0.5, w = y * z2 at x = 1.5: dw/dy = z2 + 0.5 * y = 2 + 1.5
    exp_y, exp_x = 3.5, 7.0
    if not (_close(order["y"], exp_y) and _close(order["x"], exp_x)):
        problems.append(
            f"w = y * z2 with y = 2x, z2 = (y + 1) * 0.5 at x = 1.5: dw/dy = {order['y']!r} (expected {exp_y}), "
            f"dw/dx = {order['x']!r} (expected {exp_x})"
        )
        if order["x"] == 0 and order["w"] == 1:
            found.append((_ORDER, (
                "backward runs nodes before their consumers: walk the topological order in reverse "
                "(root first), so each node's grad is complete before it is passed on"
            )))
        elif any(_close(order["x"], 2 * p) for p in (2.0, 1.5)) or any(_close(order["y"], p) for p in (2.0, 1.5)):
            found.append((_ORDER, (
                "the topological order is wrong: y passed its gradient on before all of its consumers had "
                "added theirs (a partial sum); order the nodes with a topological sort, not BFS"
            )))

    ch = _fields(raw.get("chain"), ("data", "grad"), "chain")
    value, grad = 0.5, 1.0
    for k in range(chain):
        if k % 2 == 0:
            value, grad = value * 1.01, grad * 1.01
        else:
            value = value + 0.01
    if not (_close(ch["data"], value) and _close(ch["grad"], grad)):
        problems.append(
            f"a chain of {chain} operations (x * 1.01, + 0.01, ...): value {ch['data']!r} (expected {value!r}), "
            f"d/dx {ch['grad']!r} (expected {grad!r})"
        )
    return problems, found


def _torch_program(prog: list[tuple]) -> tuple[list[float], list[float]]:
    import torch

    nodes = run_program(prog, lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True))
    for n in nodes:
        if not n.is_leaf:
            n.retain_grad()
    nodes[-1].backward()
    return [n.detach().item() for n in nodes], [n.grad.item() if n.grad is not None else 0.0 for n in nodes]


def _operands(ins: tuple) -> tuple[int, ...]:
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


def _judge_dags(raw: dict, ctx: VerdictContext) -> list[str]:
    p: ValueParams = ctx.params
    optional = tuple(o for o in OPTIONAL if o in (raw.get("optional") or []))
    dags = raw.get("dags")
    if not isinstance(dags, list) or len(dags) != p.dags:
        raise BadOutput("the probe returned no result for some random expression")
    problems = []
    for d, rec in enumerate(dags):
        prog = program(ctx.seed, d, p.ops, optional)
        exp_v, exp_g = _torch_program(prog)
        try:
            got_v = [float(v) for v in rec["data"]]
            got_g = [float(v) for v in rec["grad"]]
        except (KeyError, TypeError, ValueError):
            raise BadOutput(f"random expression {d}: malformed probe record") from None
        if len(got_v) != len(prog) or len(got_g) != len(prog):
            raise BadOutput(f"random expression {d}: {len(prog)} nodes expected")
        head = f"random expression {d} (seed {ctx.seed}, {len(prog)} nodes)"
        bad_v = [k for k in range(len(prog)) if not _close(got_v[k], exp_v[k])]
        if bad_v:
            k = bad_v[0]
            problems.append(f"{head}: node {_describe(prog, k)} has value {got_v[k]!r}, expected {exp_v[k]!r}")
            continue
        bad_g = [k for k in range(len(prog)) if not _close(got_g[k], exp_g[k])]
        if bad_g:
            k = bad_g[-1]  # gradients flow from the root: the wrong node nearest to it is where it starts
            users = [_describe(prog, u) for u in range(k + 1, len(prog)) if k in _operands(prog[u])]
            worst = max(_rel(got_g[j], exp_g[j]) for j in bad_g)
            problems.append(
                f"{head}: {len(bad_g)} wrong gradients (largest relative error {worst:.2e}); the one nearest "
                f"the root: node {_describe(prog, k)}, grad {got_g[k]!r}, expected {exp_g[k]!r}; used by "
                + (", ".join(users[:4]) or "nothing")
            )
    return problems


def _verdict_value(raw: dict, ctx: VerdictContext) -> Verdict:
    p: ValueParams = ctx.params
    optional = [o for o in OPTIONAL if o in (raw.get("optional") or [])]
    cases = [s for s in SINGLE if s[0] not in OPTIONAL or s[0] in optional]
    single, scaled = raw.get("single"), raw.get("scaled")
    if not isinstance(single, list) or not isinstance(scaled, list) or len(single) != len(cases) or len(scaled) != len(cases):
        raise BadOutput("the probe returned no result for some operator")
    keys = ("data", "out_grad", "ga", "gb")
    got_s = [_fields(r, keys, "operator") for r in single]
    got_3 = [_fields(r, keys, "operator") for r in scaled]
    problems, found = _judge_single(cases, got_s, got_3)
    more, found2 = _judge_structure(raw, p.chain)
    problems += more
    diagnosis = min(found + found2, key=lambda c: c[0])[1] if found + found2 else None
    problems += _judge_dags(raw, ctx)
    absent = [o for o in OPTIONAL if o not in optional]
    covered = f"{len(cases)} single operators, reuse, order, a {p.chain}-deep chain, {p.dags} random DAGs of {p.ops} ops"
    note = f" ({', '.join(absent)} not defined: not tested)" if absent else ""
    if not problems:
        return Verdict.passed(
            f"values and gradients equal torch's (relative error < {TOL:g}) on {covered}{note}",
            metrics={"optional_ops": float(len(optional))},
        )
    return Verdict.failed(
        f"Value disagrees with torch (float64) in {len(problems)} place(s){note}",
        *problems[:8],
        *([f"... and {len(problems) - 8} more"] if len(problems) > 8 else []),
        f"tested: {covered}; error = |got - torch| / max(|got|, |torch|, 1) < {TOL:g}",
        diagnosis=diagnosis,
    )


# ---------------------------------------------------------------------------------------------
# m4.grad_fn_trace


def models(torch: Any, seed: int) -> list[tuple[str, Any]]:
    """Three small models and their losses (graph structure does not depend on the values)."""
    F = torch.nn.functional
    g = torch.Generator().manual_seed(seed)

    def r(*shape: int, grad: bool = False) -> Any:
        return torch.randn(*shape, generator=g, dtype=torch.float64, requires_grad=grad)

    x, y = r(6, 4), r(6, 3)
    W1, b1, W2, b2 = r(8, 4, grad=True), r(8, grad=True), r(3, 8, grad=True), r(3, grad=True)
    mlp = F.mse_loss(F.linear(torch.relu(F.linear(x, W1, b1)), W2, b2), y)
    x2, t = r(10, 5), (r(10) > 0).double()
    w, b = r(5, grad=True), r(1, grad=True)
    prob = torch.sigmoid(x2 @ w + b)  # used twice below: reachable by a short and a long path
    logreg = -(t * torch.log(prob) + (1 - t) * torch.log(1 - prob)).mean()
    x3, W = r(5, 4), r(4, 4, grad=True)
    h = torch.tanh(x3 @ W)
    shared = (h + torch.tanh(h @ W)).pow(2).mean()  # W used twice, h reused through a skip
    return [
        ("MLP 4-8-3 with ReLU and MSE loss", mlp),
        ("logistic regression with a hand-written cross-entropy", logreg),
        ("a tanh layer whose weight is used twice, with a skip connection", shared),
    ]


def _probe_trace(ctx: ProbeContext) -> dict:
    import torch

    module = ctx.load(FILE)
    fn = ctx.get(module, "grad_fn_trace")
    out = []
    for _name, loss in models(torch, ctx.seed):
        got = fn(loss)
        out.append(list(got) if isinstance(got, (list, tuple)) else got)
    return {"traces": out}


def _graph(loss: Any) -> tuple[list[Any], dict[Any, list[Any]]]:
    """Every node reachable from loss.grad_fn, and each node's consumers (the nodes that list it)."""
    nodes, consumers, stack = [loss.grad_fn], {loss.grad_fn: []}, [loss.grad_fn]
    while stack:
        node = stack.pop()
        for child, _ in node.next_functions:
            if child is None:
                continue
            if child not in consumers:
                consumers[child] = []
                nodes.append(child)
                stack.append(child)
            if node not in consumers[child]:
                consumers[child].append(node)
    return nodes, consumers


def topological_match(names: list[str], nodes: list[Any], consumers: dict[Any, list[Any]]) -> tuple[bool, int]:
    """Can the nodes be put in the order ``names`` so that each follows all of its consumers?

    Names repeat (two ``AccumulateGrad``), so this searches the assignments (memoized on the set of
    nodes placed; the graphs are small). Returns (possible, the longest prefix that can be placed).
    """
    index = {n: i for i, n in enumerate(nodes)}
    need = [sum(1 << index[c] for c in consumers[n]) for n in nodes]
    kind = [type(n).__name__ for n in nodes]
    failed: set[int] = set()
    best = [0]

    def place(done: int, pos: int) -> bool:
        best[0] = max(best[0], pos)
        if pos == len(names):
            return True
        if done in failed:
            return False
        for i in range(len(nodes)):
            if not done >> i & 1 and kind[i] == names[pos] and need[i] & done == need[i]:
                if place(done | 1 << i, pos + 1):
                    return True
        failed.add(done)
        return False

    return place(0, 0), best[0]


def _judge_trace(name: str, got: Any, loss: Any) -> tuple[str, str | None] | None:
    nodes, consumers = _graph(loss)
    real = Counter(type(n).__name__ for n in nodes)
    root = type(loss.grad_fn).__name__
    if not isinstance(got, list) or not all(isinstance(s, str) for s in got):
        return f"{name}: grad_fn_trace returned {type(got).__name__}, expected a list of str", None
    have = Counter(got)
    if have != real:
        missing, extra = real - have, have - real
        parts = []
        if missing:
            parts.append("missing " + ", ".join(f"{k} x{v}" for k, v in sorted(missing.items())))
        if extra:
            parts.append("not in the graph " + ", ".join(f"{k} x{v}" for k, v in sorted(extra.items())))
        msg = f"{name}: the names differ from the real graph's ({len(nodes)} nodes): {'; '.join(parts)}"
        if any("::" in k for k in extra):
            return msg, "use type(node).__name__: node.name() gives 'torch::autograd::AccumulateGrad'"
        if missing.get("AccumulateGrad") and not have.get("AccumulateGrad"):
            return msg, "AccumulateGrad nodes are missing: each leaf that requires grad has one, and it is a node too"
        if not missing and set(extra) <= set(real):
            return msg, "nodes are listed more than once: a node reachable by several paths appears once (keep a visited set)"
        return msg, None
    if got[0] != root:
        ok_rev, _ = topological_match(got[::-1], nodes, consumers)
        diag = "the order is reversed (leaves first): list loss.grad_fn first" if ok_rev else None
        return f"{name}: the trace starts with {got[0]}, expected loss.grad_fn ({root})", diag
    ok, placed = topological_match(got, nodes, consumers)
    if ok:
        return None
    return (
        f"{name}: not a topological order: {got[placed]} at position {placed} comes before some node that lists "
        f"it in next_functions (order: {', '.join(got)})",
        "a node was listed before all of its consumers: BFS or DFS pre-order breaks when a node is reachable by "
        "a short and a long path; use a topological sort (reverse of a DFS post-order, or Kahn's algorithm)",
    )


def _verdict_trace(raw: dict, ctx: VerdictContext) -> Verdict:
    import torch

    traces = raw.get("traces")
    built = models(torch, ctx.seed)
    if not isinstance(traces, list) or len(traces) != len(built):
        raise BadOutput("the probe returned no trace for some model")
    failures = [f for (name, loss), got in zip(built, traces) if (f := _judge_trace(name, got, loss)) is not None]
    if not failures:
        return Verdict.passed(
            f"grad_fn_trace lists every node once in a topological order on {len(built)} models "
            f"({', '.join(n for n, _ in built)})"
        )
    return Verdict.failed(
        f"grad_fn_trace is wrong on {len(failures)} of {len(built)} models",
        *(f[0] for f in failures),
        diagnosis=next((f[1] for f in failures if f[1]), None),
    )


# ---------------------------------------------------------------------------------------------
# m4.trace_doc

_COMMENT = re.compile(r"<!--.*?(-->|\Z)", re.S)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(_COMMENT.sub(" ", text))]


def _starter_text(milestone: str) -> str:
    """The packaged starter ``trace.md`` ("" when there is none)."""
    path = Path(__file__).resolve().parents[1] / "templates" / "milestones" / milestone / "trace.md"
    return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""


def _verdict_trace_doc(raw: dict, ctx: VerdictContext) -> Verdict:
    p: TraceDocParams = ctx.params
    path = Path(ctx.milestone_dir) / "trace.md"
    shown = f"milestones/{ctx.milestone}/trace.md"
    if not path.is_file():
        return Verdict.failed(
            f"{shown} does not exist",
            "Write a trace of the computational graph of a small model: its nodes, what each computes "
            "forward and passes backward (see the milestone README).",
        )
    text = path.read_text(encoding="utf-8", errors="replace")
    starter = _starter_text(ctx.milestone)
    own = Counter(_words(text)) - Counter(_words(starter))
    count = sum(own.values())
    metrics = {"words": float(count)}
    if starter and " ".join(text.split()) == " ".join(starter.split()):
        return Verdict.failed(f"{shown} is still the starter file", "Replace its prompts with your trace.", metrics=metrics)
    if count < p.min_words:
        return Verdict.failed(
            f"{shown} has {count} words of your own; at least {p.min_words} are needed",
            "The starter's text and <!-- comments --> do not count.",
            metrics=metrics,
        )
    return Verdict.passed(f"{shown}: {count} words of your own", metrics=metrics)


CHECKS: tuple[Check, ...] = (
    Check(
        name="m4.value",
        description="Value computes values and gradients equal to torch's",
        probe=_probe_value,
        verdict=_verdict_value,
        params=ValueParams,
        timeout_s=30,
        memory_mb=1024,
    ),
    Check(
        name="m4.grad_fn_trace",
        description="grad_fn_trace lists torch's backward graph in a topological order",
        probe=_probe_trace,
        verdict=_verdict_trace,
        timeout_s=60,
        memory_mb=2048,
    ),
    Check(
        name="m4.trace_doc",
        description="trace.md walks through the computational graph of a small model",
        verdict=_verdict_trace_doc,
        params=TraceDocParams,
    ),
)
