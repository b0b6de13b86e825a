"""M14: your capstone's entry point. Grow it into a package of your own design (see DESIGN.md)."""

from __future__ import annotations


def main() -> None:
    """Run the capstone end to end on a small input."""
    raise NotImplementedError("main: your capstone, from input to evaluated output")


if __name__ == "__main__":
    main()
