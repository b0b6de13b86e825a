"""The probe of m4.value: only the learner's Value, no torch in the child."""

from __future__ import annotations

import math
from typing import Any

from llmpath.validators.api import ContractError, ProbeContext
from llmpath.validators.m4_autograd.ops import BINARY, FILE, MANY_USES, OPTIONAL, SINGLE, UNARY, WITH_CONST, ValueParams
from llmpath.validators.m4_autograd.programs import program, run_program


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
    return {
        "data": _num(out.data),
        "out_grad": _num(out.grad),
        "ga": _num(a.grad),
        "gb": _num(b.grad) if b is not None else 0.0,
    }


def _check_constructor(Value: Any) -> None:
    """A class without its own ``__init__`` fails every call with "Value() takes no arguments": say why."""
    import difflib

    if not isinstance(Value, type) or Value.__init__ is not object.__init__:
        return
    own = [name for name in vars(Value) if "init" in name.lower()]
    near = difflib.get_close_matches("__init__", own, n=1, cutoff=0.5)
    spelt = f": it is spelt `{near[0]}` in your class (two underscores on each side: `__init__`)" if near else ""
    raise ContractError(f"M4: `Value` has no constructor, so `Value(2.0)` fails with \"TypeError: Value() takes no "
                        f"arguments\"; define `def __init__(self, data, _children=(), _op='')`{spelt}")


def _probe_value(ctx: ProbeContext) -> dict:
    params = ValueParams.model_validate(ctx.params)
    module = ctx.load(FILE)
    Value = ctx.get(module, "Value")
    _check_constructor(Value)
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
