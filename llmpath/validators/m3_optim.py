"""Validators for m3 (being written)."""

from __future__ import annotations

from llmpath.validators.api import Check

CHECKS: tuple[Check, ...] = ()
