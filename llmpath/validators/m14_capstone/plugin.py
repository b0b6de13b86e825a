"""llmpath's pytest plugin: records what each of the capstone's tests did, for the judge.

The judge never reads the capstone's printed output or pytest's exit code alone. This plugin object is
handed to ``pytest.main(plugins=[...])`` by the runner (so no ini file or ``-p no:`` option of the
capstone can leave it out) and records, per test: the outcome of its setup, call and teardown, the type of
exception that failed it, and how many ``assert`` statements passed in it (pytest's
``pytest_assertion_pass`` hook, enabled by the runner's ini file). It also lists every hook of the
capstone's own conftest files or plugins that can rewrite an outcome (a ``pytest_runtest_makereport``
that turns failures into passes, a ``pytest_pyfunc_call`` that never calls the test...): the verdict
refuses a run that has one.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

# Hooks through which a conftest can decide or rewrite whether a test passed.
OUTCOME_HOOKS = (
    "pytest_runtest_makereport",
    "pytest_runtest_logreport",
    "pytest_report_teststatus",
    "pytest_runtest_protocol",
    "pytest_runtest_call",
    "pytest_pyfunc_call",
    "pytest_report_from_serializable",
)
MESSAGE_CHARS = 400


def _message(report: Any) -> str:
    text = getattr(report, "longreprtext", "") or ""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    # pytest's long report ends with "path:line: ExcType"; the "E   ..." lines say what went wrong.
    wanted = [line for line in lines if line.startswith("E ")][:3] or lines[-2:]
    return "\n".join(wanted)[-MESSAGE_CHARS:]


class Recorder:
    """Collects outcomes; ``data()`` is what the runner writes for the judge."""

    def __init__(self, roots: list[Path], cov: Any = None, only: list[str] | None = None) -> None:
        self.roots = [os.path.realpath(r) for r in roots]  # the stage and the learner's workspace
        self.cov = cov  # a started coverage.Coverage: each test's lines are recorded under its node id
        self.only = only  # run only these tests, in this order (a mutant: the tests that run its line)
        self.tests: dict[str, dict[str, Any]] = {}
        self.collect_errors: list[str] = []
        self.tampering: set[str] = set()
        self.collected = 0

    # -- collection ------------------------------------------------------------------------
    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            self.collect_errors.append(f"{report.nodeid or '(collection)'}: {_message(report)}")

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, session: Any, config: Any, items: list) -> None:
        if self.only is None:
            return
        rank = {nodeid: i for i, nodeid in enumerate(self.only)}
        kept = sorted((item for item in items if item.nodeid in rank), key=lambda item: rank[item.nodeid])
        dropped = [item for item in items if item.nodeid not in rank]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
        items[:] = kept

    def pytest_collection_finish(self, session: Any) -> None:
        self.collected = len(session.items)
        self._inspect(session.config)

    # -- running ---------------------------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: Any) -> None:
        if self.cov is not None:
            self.cov.switch_context(item.nodeid)  # fixtures' lines count for the test that asked for them

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item: Any, call: Any) -> None:
        if call.excinfo is not None:
            entry = self._entry(item.nodeid)
            entry.setdefault("exc_type", call.excinfo.typename)
        return None  # observe only: pytest's own implementation makes the report

    def pytest_runtest_logreport(self, report: Any) -> None:
        entry = self._entry(report.nodeid)
        xfail = hasattr(report, "wasxfail")
        if report.when == "setup":
            if report.failed:
                entry["status"] = "error"
            elif report.skipped:
                entry["status"] = "xfailed" if xfail else "skipped"
        elif report.when == "call":
            entry["duration"] = float(report.duration)
            if report.passed:
                entry["status"] = "xpassed" if xfail else "passed"
            elif report.failed:
                entry["status"] = "failed"
            else:
                entry["status"] = "xfailed" if xfail else "skipped"
        elif report.when == "teardown" and report.failed and entry.get("status") in (None, "passed"):
            entry["status"] = "error"
        if report.failed and "message" not in entry:
            entry["message"] = _message(report)

    def pytest_assertion_pass(self, item: Any, lineno: int, orig: str, expl: str) -> None:
        entry = self._entry(item.nodeid)
        entry["asserts"] = entry.get("asserts", 0) + 1

    def pytest_sessionfinish(self, session: Any) -> None:
        self._inspect(session.config)
        if self.cov is not None:
            self.cov.switch_context("")

    # -- helpers ---------------------------------------------------------------------------
    def _entry(self, nodeid: str) -> dict[str, Any]:
        return self.tests.setdefault(nodeid, {"status": None, "asserts": 0})

    def _inspect(self, config: Any) -> None:
        """Name every outcome hook that the capstone's own files registered."""
        for plugin in config.pluginmanager.get_plugins():
            if plugin is self:
                continue
            source = getattr(plugin, "__file__", None)
            if source is None:
                module = sys.modules.get(type(plugin).__module__)
                source = getattr(module, "__file__", None)
            real = os.path.realpath(source) if source else ""
            root = next((r for r in self.roots if real.startswith(r + os.sep)), None)
            if root is None:
                continue
            shown = os.path.relpath(real, root)
            for hook in OUTCOME_HOOKS:
                if hasattr(plugin, hook):
                    self.tampering.add(f"{shown} defines {hook}")

    def data(self) -> dict[str, Any]:
        return {
            "tests": self.tests,
            "collect_errors": self.collect_errors,
            "tampering": sorted(self.tampering),
            "collected": self.collected,
        }
