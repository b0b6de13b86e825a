"""The list of problems M6's verdict collects, so that every finding is reported at once."""

from __future__ import annotations


class Problems:
    """Findings as (summary, details, likely bug), in the order the verdict found them."""

    def __init__(self) -> None:
        self.items: list[tuple[str, list[str], str | None]] = []

    def add(self, summary: str, *details: str, diagnosis: str | None = None) -> None:
        self.items.append((summary, list(details), diagnosis))
