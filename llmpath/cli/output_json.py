"""JSON output without importing rich (the instant paths use it)."""

from __future__ import annotations

import json
import sys
from typing import Any


def print_json(doc: Any) -> None:
    """One JSON document on stdout and nothing else."""
    sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()
