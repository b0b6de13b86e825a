"""What m4.value runs: its operators, single-operator cases, tolerance and parameters.

The operators are applied alike to the learner's Value, to torch tensors and (``FLOAT``) to floats.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

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


def _show(op: str, c: Any = None) -> str:
    return SHOW[op].format(c=c)
