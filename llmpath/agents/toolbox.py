"""The shop's tools that every llmpath task suite uses, with outputs drawn per suite seed and run.

Every output is a keyed draw on (seed, run, tool, arguments), so it is random for each run and can
only be learned by calling the tool; the same call in the same run always gives the same output.
Arguments are hashed exactly as received: ``stock(sku, "3")`` is a different (wrong) call from
``stock(sku, 3)``. A tool called with a missing or unexpected argument raises ``TypeError`` like any
Python function.

Each tool has a *group* (for multi-agent tasks whose tools are split between roles; no description
names another tool, since a model knows every tool its system message names), a
*hallucinated* name that the simulated model sometimes writes instead of the real one, and a
*sibling*: the existing tool it confuses this one with (whose schema never fits this one's arguments).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from llmpath.agents import draws
from llmpath.agents.tools import Tool

ARCHIVED_FROM = 80_000  # orders numbered from here on are archived: order_status raises for them


@dataclasses.dataclass(frozen=True)
class ToolDef:
    """A tool of the shop: its schema, its seeded output, and how the simulated model gets it wrong."""

    name: str
    description: str
    parameters: dict[str, Any]
    group: str
    hallucinated: str
    sibling: str
    output: Callable[[str, dict[str, Any]], Any]  # (run key, arguments) -> value, or raises

    @property
    def integer_arguments(self) -> tuple[str, ...]:
        return tuple(n for n, s in self.parameters["properties"].items() if s["type"] == "integer")

    def tool(self, seed: int, run: int) -> Tool:
        """This tool for one run of a suite: a real function with named parameters."""
        return Tool(self.name, self.description, self.parameters, _function(self, draws.key(seed, run)))


def _function(definition: ToolDef, run_key: str) -> Callable[..., Any]:
    names = list(definition.parameters["properties"])

    def call(*args: Any, **kwargs: Any) -> Any:
        if len(args) > len(names):
            raise TypeError(f"{definition.name}() takes {len(names)} arguments but {len(args)} were given")
        bound = dict(zip(names, args, strict=False))
        for name, value in kwargs.items():
            if name not in names:
                raise TypeError(f"{definition.name}() got an unexpected keyword argument '{name}'")
            if name in bound:
                raise TypeError(f"{definition.name}() got multiple values for argument '{name}'")
            bound[name] = value
        missing = [n for n in definition.parameters["required"] if n not in bound]
        if missing:
            raise TypeError(f"{definition.name}() missing required argument: '{missing[0]}'")
        return definition.output(run_key, bound)

    call.__name__ = definition.name
    call.__doc__ = definition.description
    return call


def _schema(required: list[str], **properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


def _draw(run_key: str, tool: str, arguments: dict[str, Any], low: int, high: int) -> int:
    return draws.integer(draws.key(run_key, tool, sorted(arguments.items())), low, high)


def _order_status(run_key: str, a: dict[str, Any]) -> str:
    order = a["order_id"]
    if isinstance(order, int) and not isinstance(order, bool) and order >= ARCHIVED_FROM:
        ticket = _draw(run_key, "ticket", a, 1000, 9999)
        raise LookupError(f"order {order} is archived; its record moved to ticket T-{ticket}")
    return f"shipped; tracking number TR-{_draw(run_key, 'order_status', a, 10000, 99999)}"


CURRENCIES = ["EUR", "USD", "GBP", "JPY", "CHF"]

CATALOG: dict[str, ToolDef] = {
    d.name: d
    for d in (
        ToolDef(
            "find_sku",
            "Look up the SKU code (the item number) of a catalogue item by its name.",  # names no other tool: see roles
            _schema(["item"], item={"type": "string", "description": "the item's name, e.g. 'steel hinge'"}),
            "catalog", "lookup_sku", "order_status",
            lambda k, a: f"SKU-{_draw(k, 'find_sku', a, 10000, 99999)}",
        ),
        ToolDef(
            "stock",
            "The number of units of an item (by SKU) in stock at one warehouse.",
            _schema(["sku", "warehouse"], sku={"type": "string", "description": "the item's SKU code"},
                    warehouse={"type": "integer", "description": "warehouse number, 1 to 9"}),
            "warehouse", "get_stock", "price",
            lambda k, a: _draw(k, "stock", a, 1000, 9999),
        ),
        ToolDef(
            "price",
            "The total price in cents of a quantity of an item (by SKU), volume discounts included.",
            _schema(["sku", "quantity"], sku={"type": "string", "description": "the item's SKU code"},
                    quantity={"type": "integer", "description": "how many units"}),
            "finance", "get_price", "stock",
            lambda k, a: _draw(k, "price", a, 10000, 99999),
        ),
        ToolDef(
            "shipping_cost",
            "The cost in cents of shipping a parcel of a given weight to a delivery zone.",
            _schema(["weight_kg", "zone"], weight_kg={"type": "number", "description": "parcel weight in kg"},
                    zone={"type": "integer", "description": "delivery zone, 1 to 5"}),
            "logistics", "shipping", "exchange_rate",
            lambda k, a: _draw(k, "shipping_cost", a, 1000, 9999),
        ),
        ToolDef(
            "order_status",
            "The delivery status of an order by its number; raises LookupError for archived orders.",
            _schema(["order_id"], order_id={"type": "integer", "description": "the order number"}),
            "logistics", "get_order", "find_sku",
            _order_status,
        ),
        ToolDef(
            "exchange_rate",
            "Today's exchange rate of a currency against the euro, in basis points (1/10000).",
            _schema(["currency"], currency={"type": "string", "enum": CURRENCIES, "description": "ISO code"}),
            "finance", "fx_rate", "shipping_cost",
            lambda k, a: _draw(k, "exchange_rate", a, 1000, 99999),
        ),
    )
}


def shop_tools(seed: int, run: int = 0, names: tuple[str, ...] | None = None) -> list[Tool]:
    """The shop's tools for run ``run`` of the suite seeded ``seed`` (all of them, or those named)."""
    return [CATALOG[n].tool(seed, run) for n in (names or tuple(CATALOG))]


def tools_of_group(group: str) -> tuple[str, ...]:
    """The names of the tools in one group (catalog, warehouse, finance, logistics)."""
    return tuple(name for name, d in CATALOG.items() if d.group == group)
