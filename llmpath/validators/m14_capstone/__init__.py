"""Validators for M14, the capstone: the engineering qualities every good project shares.

The learner designs the project; its contract is small (``milestones/M14/README.md``):
``capstone.py`` defines ``evaluate(seed: int) -> dict[str, float]``, and tests live beside the code.

* ``m14.tests``        the capstone's pytest suite passes with at least ``min_tests`` test functions;
  ``coverage`` of the capstone's code is at least ``min_coverage``; of ``mutants`` seeded mutants of its
  code (a comparison negated, a number changed, a return dropped...), at least ``min_killed`` make a
  test fail, and the survivors are named.
* ``m14.reproducible`` ``evaluate(s)`` for a seed drawn by llmpath returns identical metrics in two fresh
  processes (PYTHONHASHSEED 1 and 2), and every number in the M14 experiment entries equals
  ``evaluate(seed)`` recomputed for the entry's logged ``seed``.
* ``m14.baseline``     ``evaluate`` returns a baseline beside the system's figure (``X`` and
  ``baseline_X``), different from it, and an M14 entry logs both.
* ``m14.builds_on``    code of the learner's own from an earlier milestone (imported, or copied into
  the capstone) runs during ``evaluate``.

How it stays honest with hostile code: the capstone never runs in llmpath's process, nor in the
sandboxed child that runs these probes; every run is a fresh interpreter on a private copy of the
workspace (``stage``), with its own timeout, started by path (``runner.py``). Test outcomes come from
llmpath's pytest plugin (``plugin.Recorder``), not from printed output; a capstone whose conftest
defines hooks that can rewrite outcomes is refused. What a determined capstone could still fake is
written down in the M14 README.

DESIGN.md is judged by ``docs.file`` with ``exclude_starter`` (the starter's words never count) and
``min_section_words``.
"""

from __future__ import annotations

from llmpath.validators.api import Check
from llmpath.validators.m14_capstone.params import BuildsOnParams, EvaluateParams, SuiteParams
from llmpath.validators.m14_capstone.probes import probe_baseline, probe_builds_on, probe_reproducible, probe_tests
from llmpath.validators.m14_capstone.reproduce import verdict_baseline, verdict_reproducible
from llmpath.validators.m14_capstone.reuse import verdict_builds_on
from llmpath.validators.m14_capstone.suite import verdict_tests

CHECKS: tuple[Check, ...] = (
    Check(
        name="m14.tests",
        description="M14: the capstone's tests pass, cover its code and catch seeded mutants",
        probe=probe_tests,
        verdict=verdict_tests,
        params=SuiteParams,
        timeout_s=600,  # one run of the suite, then the mutants (each at most 3x the suite's time + 5 s)
        memory_mb=4096,  # up to 4 runs of the suite at once
    ),
    Check(
        name="m14.reproducible",
        description="M14: evaluate(seed) is reproducible and the logged numbers are what it returns",
        probe=probe_reproducible,
        verdict=verdict_reproducible,
        params=EvaluateParams,
        timeout_s=300,
        memory_mb=4096,
    ),
    Check(
        name="m14.baseline",
        description="M14: evaluate reports a baseline beside the system's figure",
        probe=probe_baseline,
        verdict=verdict_baseline,
        params=EvaluateParams,
        timeout_s=120,
    ),
    Check(
        name="m14.builds_on",
        description="M14: the capstone runs your own work from an earlier milestone",
        probe=probe_builds_on,
        verdict=verdict_builds_on,
        params=BuildsOnParams,
        timeout_s=120,
    ),
)
