"""The command line: the typer app, rendering with rich, and the instant ``status`` path.

Only ``llmpath.__main__`` imports this package. Nothing here decides anything: commands return
data, and this package parses arguments, calls one command and renders what it returned.

Public surface: ``app`` (the typer application), ``output`` (every rendering, the error
boundary's messages included), ``output_json`` (JSON on stdout without importing rich: the error
boundary's JSON errors), ``fast`` (``llmpath status`` without typer, pydantic or yaml).
"""

__all__ = ["app", "fast", "output", "output_json"]
