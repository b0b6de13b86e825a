"""Validators for m2 (being written)."""

from __future__ import annotations

from llmpath.validators.api import Check

CHECKS: tuple[Check, ...] = ()
