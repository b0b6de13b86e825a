"""The words of the task suites: catalogue items, question phrasings, and answer templates."""

from __future__ import annotations

from llmpath.agents import draws

_FINISHES = ("steel", "brass", "copper", "oak", "walnut", "nylon", "ceramic", "zinc", "bamboo", "granite",
             "chrome", "cedar", "graphite", "titanium", "rubber", "glass")
_THINGS = ("hinge", "bracket", "caster wheel", "drawer slide", "door handle", "shelf pin", "coat hook",
           "wall anchor", "cabinet knob", "gate latch", "pipe clamp", "tool box", "desk lamp", "spring clip",
           "pulley", "padlock", "hose reel", "step stool")
ITEMS: tuple[str, ...] = tuple(f"{f} {t}" for f in _FINISHES for t in _THINGS)

# kind -> (question, answer template); {0} is the token the answer must contain, {1} an earlier output
_PHRASES = {
    "sku": ("What is the SKU code of the {item}?", "The SKU code of the {item} is {{0}}."),
    "shipping": ("How much does it cost, in cents, to ship a {weight} kg parcel to zone {zone}?",
                 "Shipping a {weight} kg parcel to zone {zone} costs {{0}} cents."),
    "order": ("What is the delivery status of order {order}?", "Order {order} has shipped: tracking number {{0}}."),
    "rate": ("What is today's exchange rate of {currency} against the euro, in basis points?",
             "Today's rate of {currency} is {{0}} basis points."),
    "stock": ("How many units of the {item} are in stock at warehouse {warehouse}?",
              "Warehouse {warehouse} holds {{1}} units of the {item} ({{0}})."),
    "price": ("What do {quantity} units of the {item} cost, in cents?",
              "{quantity} units of the {item} ({{0}}) cost {{1}} cents."),
    "archived": ("What is the delivery status of order {order}?",
                 "Order {order} is archived; its record moved to ticket {{0}}."),
}


def phrase(kind: str, **values: object) -> tuple[str, str]:
    """The question and the answer template of one task."""
    question, template = _PHRASES[kind]
    return question.format(**values), template.format(**values)


def arithmetic(k: str) -> tuple[str, str, str]:
    """A question that needs no tool: (text, the expected token, the answer template)."""
    a = draws.integer(draws.key(k, "a"), 12, 989)
    b = draws.integer(draws.key(k, "b"), 12, 989)
    if draws.uniform(draws.key(k, "op"), 2):
        return f"What is {a} plus {b}? No tool is needed.", str(a + b), f"{a} plus {b} is {{0}}."
    a, b = a % 90 + 10, b % 90 + 10
    return f"What is {a} times {b}? No tool is needed.", str(a * b), f"{a} times {b} is {{0}}."
