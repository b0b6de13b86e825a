"""The judge: runs a milestone's checks (probes in a sandboxed child, verdicts here). Never prints.

Public surface: ``run`` (``run_checks`` for a milestone's checks, ``run_probe`` for a probe's raw
data). ``sandbox`` (the child process, its limits and its frames), ``child``, ``codec`` and ``wire``
are its machinery.
"""

__all__ = ["run"]
