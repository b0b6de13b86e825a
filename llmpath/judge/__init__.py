"""The judge: runs a milestone's checks (probes in a sandboxed child, verdicts here). Never prints."""
