"""The cooperative tasks the M13 checks run, regenerated identically by probe and verdict from the check's seed."""

from __future__ import annotations

from llmpath.agents import Suite, cooperative_suite, draws

# (kind, tools) of every task shape of a cooperative suite: two chains, a single call of each role,
# an archived order whose tool raises, and a task without tools
SHAPES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("chain", ("find_sku", "stock")), ("chain", ("find_sku", "price")), ("single", ("find_sku",)),
    ("single", ("shipping_cost",)), ("single", ("exchange_rate",)), ("single", ("order_status",)),
    ("raises", ("order_status",)), ("no_tool", ()),
)


def derived_seed(check: str, seed: int) -> int:
    """A held-out suite seed for one check: not the small seeds a learner tries at home."""
    return draws.integer(draws.key("m13", check, seed), 10**6, 10**9)


def sample_suite(check: str, seed: int, per_shape: int = 1) -> Suite:
    """``per_shape`` tasks of each shape, interleaved (shape order), drawn for one check."""
    n = 120 + 60 * per_shape
    while True:  # the rarest shape has probability 0.05: draw more tasks until each shape has enough
        base = cooperative_suite(derived_seed(check, seed), n=n)
        by_shape = {shape: [t for t in base.tasks if (t.kind, t.tools) == shape][:per_shape] for shape in SHAPES}
        if all(len(tasks) == per_shape for tasks in by_shape.values()):
            break
        if n > 10_000:  # only 4 exchange-rate questions exist: per_shape is at most 3 (params)
            raise RuntimeError(f"m13.{check}: cannot draw {per_shape} tasks of every shape")
        n *= 2
    return Suite(base.seed, tuple(by_shape[shape][i] for i in range(per_shape) for shape in SHAPES))


def success_suite(seed: int, n_tasks: int) -> Suite:
    """The held-out suite of m13.success."""
    return cooperative_suite(derived_seed("success", seed), n=n_tasks)
