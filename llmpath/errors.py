"""The one exception family for expected failures, and the documented exit codes.

Library code raises these; only ``llmpath.cli`` turns them into a message and an exit code.
"""

from __future__ import annotations

# Exit codes (documented in README.md, "Exit codes").
EXIT_OK = 0
EXIT_CHECK_FAILED = 1  # a check failed or errored
EXIT_DECLINED = 1  # the learner answered "no" to a confirmation (Ctrl-C is EXIT_INTERRUPTED)
EXIT_USAGE = 2  # bad usage or bad input: malformed roadmap, unknown milestone, bad log fields
EXIT_INTERNAL = 3  # a bug in llmpath itself
EXIT_GATE = 4  # refused by a gate: locked milestone, criteria not met
EXIT_INTERRUPTED = 130


class LlmpathError(Exception):
    """An expected failure with a message that says what to do next."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(LlmpathError):
    """Bad arguments, unknown milestone, bad log fields."""

    exit_code = EXIT_USAGE


class RoadmapError(LlmpathError):
    """roadmap.yaml is malformed; the message carries ``roadmap.yaml:LINE: dotted.path: what``."""

    exit_code = EXIT_USAGE


class StateError(LlmpathError):
    """The progress file is unreadable or corrupt."""

    exit_code = EXIT_USAGE


class GateError(LlmpathError):
    """A gate refused: the milestone is locked or its criteria are not met."""

    exit_code = EXIT_GATE

    def __init__(self, message: str, *, missing: list[str] | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.missing = missing or []


class WorkspaceNotFound(LlmpathError):
    """No roadmap.yaml in this directory or any parent."""

    exit_code = EXIT_USAGE
