"""One module per subcommand: plain functions that take a ``Context`` and return data (never print).

The CLI calls exactly one of these per invocation; tests call them directly.
"""

__all__ = [
    "check",
    "ci",
    "context",
    "hint",
    "init",
    "log",
    "paper",
    "plot",
    "reset",
    "roadmap",
    "schema",
    "status",
    "unlock",
    "verify",
    "verify_consistency",
    "verify_course",
    "verify_record",
    "verify_report",
    "watch",
]
