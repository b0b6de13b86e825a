"""`Tool`: a function the model may call, described by a name, a description and a JSON Schema.

The parameters are a JSON Schema object in the subset every tool of llmpath uses (and the subset
your validator must handle)::

    {"type": "object",
     "properties": {"sku": {"type": "string", "description": "..."},
                    "warehouse": {"type": "integer"},
                    "weight_kg": {"type": "number"},
                    "express": {"type": "boolean"},
                    "currency": {"type": "string", "enum": ["EUR", "USD"]}},
     "required": ["sku", "warehouse"],
     "additionalProperties": false}

JSON Schema's types mean, for the Python values ``json.loads`` gives:

* ``"string"``: ``str``;
* ``"integer"``: ``int`` but not ``bool`` (``True`` is an ``int`` in Python, not an integer in JSON);
  ``2.5`` is not an integer. (``2.0`` is one in JSON Schema 2020-12; llmpath never sends it.)
* ``"number"``: ``int`` or ``float``, not ``bool`` (an integer is a number: accept ``3`` for a number);
* ``"boolean"``: ``bool``;
* ``"enum"``: the value is one of the listed values.

``required`` lists the arguments that must be present; ``additionalProperties: false`` (the default
of every llmpath tool) refuses any argument not in ``properties``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from typing import Any

JSON_TYPES = ("string", "integer", "number", "boolean")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclasses.dataclass(frozen=True)
class Tool:
    """A tool the agent can run for the model.

    ``name``: what the model writes in a tool call (letters, digits, underscores).
    ``description``: one or two sentences for the model (put it in your system prompt).
    ``parameters``: a JSON Schema object (see this module's docstring for the subset used).
    ``function``: the Python callable; call it with keyword arguments, ``tool.function(**arguments)``
    (or ``tool(**arguments)``), only after the arguments have been validated against ``parameters``.
    Its return value is the tool's output; it may raise, and the exception's message is then what the
    model needs to read.
    """

    name: str
    description: str
    parameters: Mapping[str, Any]
    function: Callable[..., Any]

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"tool name {self.name!r}: use letters, digits and underscores")
        check_parameters(self.name, self.parameters)

    def __call__(self, **arguments: Any) -> Any:
        return self.function(**arguments)

    @property
    def properties(self) -> dict[str, dict[str, Any]]:
        """The schema of each argument, by name, in the order the schema lists them."""
        return dict(self.parameters.get("properties", {}))

    @property
    def required(self) -> tuple[str, ...]:
        """The names of the arguments that must be given."""
        return tuple(self.parameters.get("required", ()))

    def spec(self) -> dict[str, Any]:
        """``{"name", "description", "parameters"}``: JSON-ready, for the system prompt."""
        return {"name": self.name, "description": self.description, "parameters": dict(self.parameters)}


def check_parameters(name: str, parameters: Mapping[str, Any]) -> None:
    """Refuse a schema outside the documented subset (so validators only need to handle that subset)."""
    where = f"tool {name!r}: parameters"
    if not isinstance(parameters, Mapping) or parameters.get("type") != "object":
        raise ValueError(f"{where} must be a JSON Schema object with \"type\": \"object\"")
    unknown = set(parameters) - {"type", "properties", "required", "additionalProperties", "description"}
    if unknown:
        raise ValueError(f"{where}: keys {sorted(unknown)} are outside the supported subset")
    properties = parameters.get("properties", {})
    if not isinstance(properties, Mapping):
        raise ValueError(f"{where}.properties must be an object")
    for arg, schema in properties.items():
        if not _NAME.match(str(arg)) or not isinstance(schema, Mapping):
            raise ValueError(f"{where}.properties.{arg}: a name and a schema object are needed")
        if schema.get("type") not in JSON_TYPES:
            raise ValueError(f"{where}.properties.{arg}.type must be one of {', '.join(JSON_TYPES)}")
        if "enum" in schema and (not isinstance(schema["enum"], list) or not schema["enum"]):
            raise ValueError(f"{where}.properties.{arg}.enum must be a non-empty list")
        extra = set(schema) - {"type", "description", "enum"}
        if extra:
            raise ValueError(f"{where}.properties.{arg}: keys {sorted(extra)} are outside the supported subset")
    required = parameters.get("required", [])
    if not isinstance(required, list) or not set(required) <= set(properties):
        raise ValueError(f"{where}.required must list names from properties")
    if parameters.get("additionalProperties", False) is not False:
        raise ValueError(f"{where}.additionalProperties must be false")

