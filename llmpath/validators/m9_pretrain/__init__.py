"""Validators for M9: a GPT pretrained on tokens of the learner's own BPE (``milestones/M9/``).

* ``m9.metrics``  the learner's ``evaluate(model, tokenizer, text, block_size)`` on a model llmpath
  builds with exactly known losses (a bigram table that needs block_size // 2 tokens of context,
  refuses windows longer than block_size, and carries dropout) and on texts with multi-byte
  characters, shorter and longer than a window: loss, perplexity and bits per byte must be the
  exact ones within one token's share; popular conventions are accepted or named
  (``conventions``).
* ``m9.pretrain`` checkpoint.pt loads (on the CPU, weights_only), its tokenizer is a trained BPE
  that round-trips, and the bits per byte llmpath measures on fresh stories drawn from the seed
  lie between the corpus's entropy floor and the gate.
* ``m9.samples``  llmpath samples from the model; a measured share of the sentences must be
  grammatical under the corpus's recognizer.
* ``m9.report``   the M9 experiment entry's perplexity and bits per byte agree with llmpath's
  recomputation on the test split, and the entry includes samples.

The verdicts and their numeric helpers import numpy, so this module imports them only when a
check runs (``llmpath status`` loads the registry and must stay free of heavy imports).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from llmpath.validators.api import Check, ProbeContext, Verdict, VerdictContext
from llmpath.validators.m9_pretrain.params import MetricsParams, PretrainParams, ReportParams, SamplesParams


def _lazy(module: str, name: str) -> Callable:
    """The function ``name`` of ``module``, imported on the first call."""

    def call(*args: ProbeContext | VerdictContext | dict) -> dict | Verdict:
        return getattr(importlib.import_module(f"llmpath.validators.m9_pretrain.{module}"), name)(*args)

    call.__name__ = name
    return call


_probe_metrics = _lazy("metrics_probe", "probe_metrics")
_verdict_metrics = _lazy("metrics_verdict", "verdict_metrics")
_probe_pretrain = _lazy("pretrain", "probe_pretrain")
_verdict_pretrain = _lazy("pretrain", "verdict_pretrain")
_probe_samples = _lazy("samples", "probe_samples")
_verdict_samples = _lazy("samples", "verdict_samples")
_probe_report = _lazy("report", "probe_report")
_verdict_report = _lazy("report", "verdict_report")

CHECKS: tuple[Check, ...] = (
    Check(
        name="m9.metrics",
        description="M9: evaluate gives the exact loss, perplexity and bits per byte of a known-loss model",
        probe=_probe_metrics,
        verdict=_verdict_metrics,
        params=MetricsParams,
        timeout_s=60,
        memory_mb=1024,
    ),
    Check(
        name="m9.pretrain",
        description="M9: checkpoint.pt with a trained BPE; its bits per byte on fresh stories, floor < it <= gate",
        probe=_probe_pretrain,
        verdict=_verdict_pretrain,
        params=PretrainParams,
        timeout_s=180,
        memory_mb=2048,
    ),
    Check(
        name="m9.samples",
        description="M9: sentences sampled from the model are grammatical",
        probe=_probe_samples,
        verdict=_verdict_samples,
        params=SamplesParams,
        timeout_s=180,
        memory_mb=2048,
    ),
    Check(
        name="m9.report",
        description="M9: the experiment entry's perplexity and bits per byte are reproduced; samples are shown",
        probe=_probe_report,
        verdict=_verdict_report,
        params=ReportParams,
        timeout_s=180,
        memory_mb=2048,
    ),
)
