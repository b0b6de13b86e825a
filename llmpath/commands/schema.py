"""``llmpath schema``: the JSON Schema of roadmap.yaml, for editors."""

from __future__ import annotations

from typing import Any


def schema() -> dict[str, Any]:
    from llmpath.workspace.roadmap import json_schema

    return json_schema()
