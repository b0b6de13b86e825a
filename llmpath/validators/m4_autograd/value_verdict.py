"""The verdict of m4.value: values and gradients against torch, with the likely bug."""

from __future__ import annotations

from typing import Any

from llmpath.validators.api import BadOutput, Verdict, VerdictContext
from llmpath.validators.m4_autograd.ops import BINARY, MANY_USES, OPTIONAL, SINGLE, TOL, ValueParams, _show
from llmpath.validators.m4_autograd.programs import _describe, operands, program
from llmpath.validators.m4_autograd.value_diagnose import (
    _CHAIN,
    _DERIVATIVE,
    _FORWARD,
    _FORWARD_SIG,
    _OP_SIG,
    _ORDER,
    _OVERWRITE,
    _SEEDING,
    Candidates,
    _forward_signature,
    _generic,
    _op_signature,
)
from llmpath.validators.m4_autograd.value_reference import _close, _rel, _torch_program, _torch_single


def _fields(record: Any, keys: tuple[str, ...], what: str) -> dict[str, float]:
    if not isinstance(record, dict):
        raise BadOutput(f"{what}: malformed probe record")
    try:
        return {k: float(record[k]) for k in keys}
    except (KeyError, TypeError, ValueError):
        raise BadOutput(f"{what}: malformed probe record") from None


def _judge_single(cases: list, got_s: list, got_3: list) -> tuple[list[str], Candidates]:
    problems: list[str] = []
    found: Candidates = []
    if all(g["ga"] == 0 and g["gb"] == 0 for g in got_s) and all(g["out_grad"] != 1 for g in got_s):
        problems.append(f"after out.backward() every gradient is 0 (out.grad = {got_s[0]['out_grad']:g})")
        return problems, [
            (_SEEDING, "the root is not seeded: backward() must set self.grad = 1 before walking the graph")
        ]
    right = set()
    offsets: list[float] = []  # got - expected of every wrong input gradient
    for (op, x, y), g in zip(cases, got_s):
        exp = _torch_single(op, x, y, None)
        expr = _show(op, y)
        where = f"a = {x}" + (f", b = {y}" if op in BINARY else "")
        if not _close(g["data"], exp["data"]):
            problems.append(f"{expr} at {where}: value {g['data']!r}, expected {exp['data']!r}")
            sig = _forward_signature(op, x, y, g["data"])
            found.append(
                (_FORWARD_SIG, sig) if sig else _generic(_FORWARD, op, f"the forward value of {expr} is wrong")
            )
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
                    f"({expr}) * 3.0: d/d{wrt} got {g3['g' + wrt]!r}, expected {e3['g' + wrt]!r} (alone {expr} is "
                    "right)"
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
        (
            f"x * 1.0 + x * 2.0 + ... + x * {MANY_USES}.0: d/dx",
            reuse["many"],
            MANY_USES * (MANY_USES + 1) / 2,
            (1.0, float(MANY_USES)),
        ),
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
            users = [_describe(prog, u) for u in range(k + 1, len(prog)) if k in operands(prog[u])]
            worst = max(_rel(got_g[j], exp_g[j]) for j in bad_g)
            problems.append(
                f"{head}: {len(bad_g)} wrong gradients (largest relative error {worst:.2e}); the one nearest "
                f"the root: node {_describe(prog, k)}, grad {got_g[k]!r}, expected {exp_g[k]!r}; used by "
                + (", ".join(users[:4]) or "nothing")
            )
    return problems


def verdict_value(raw: dict, ctx: VerdictContext) -> Verdict:
    p: ValueParams = ctx.params
    optional = [o for o in OPTIONAL if o in (raw.get("optional") or [])]
    cases = [s for s in SINGLE if s[0] not in OPTIONAL or s[0] in optional]
    single, scaled = raw.get("single"), raw.get("scaled")
    if (
        not isinstance(single, list)
        or not isinstance(scaled, list)
        or len(single) != len(cases)
        or len(scaled) != len(cases)
    ):
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
    covered = (
        f"{len(cases)} single operators, reuse, order, a {p.chain}-deep chain, {p.dags} random DAGs of {p.ops} ops"
    )
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
