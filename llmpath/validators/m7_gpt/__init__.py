"""Validators for M7, a mini GPT trained on llmpath's story corpus (contract: CONTRACTS.md, M7).

* ``m7.checkpoint``: ``checkpoint.pt`` loads into the learner's ``GPT`` and its loss on windows of
  the validation split lies between the corpus's entropy floor and a threshold set between the
  floor and the character-bigram baseline. Below the floor means the model sees the answer.
* ``m7.causality``: the logits at position t do not change when any token after t changes.
* ``m7.generate``: shapes, ``top_k``, ``temperature``, cropping to ``block_size``, and samples
  that are grammatical under the corpus's own recognizer.
* ``m7.history``: ``loss_history.json`` is well formed and its losses fall.
* ``m7.loss_curve``: an experiment entry tagged M7 shows the curve ``llmpath plot M7`` drew from the
  learner's ``loss_history.json`` as it is now (the picture carries the history's digest).

The probes load the checkpoint with ``torch.load(weights_only=True)`` (no pickled code runs) and
return the learner's numbers; the verdicts regenerate the text and judge them here.
"""

from __future__ import annotations

# Each module below does one job; the names that tests and llmpath.plotting.m7 use are re-exported here.
from llmpath.validators.api import Check
from llmpath.validators.m7_gpt.causality import CausalityParams, _probe_causality, _verdict_causality
from llmpath.validators.m7_gpt.checkpoint import CheckpointParams, _probe_checkpoint, _verdict_checkpoint, eval_windows
from llmpath.validators.m7_gpt.generate import GenerateParams, _probe_generate, _verdict_generate, fit_temperature
from llmpath.validators.m7_gpt.history import HISTORY, HistoryParams, _verdict_history, read_history
from llmpath.validators.m7_gpt.loss_curve import CURVE_KEY, _verdict_loss_curve, history_digest

# the checks, and the names that tests and pictures import from the package
__all__ = [
    "CURVE_KEY",
    "HISTORY",
    "eval_windows",
    "fit_temperature",
    "history_digest",
    "read_history",
]

CHECKS: tuple[Check, ...] = (
    Check(
        name="m7.checkpoint",
        description="checkpoint.pt loads into GPT and its validation loss is between the entropy floor and the gate",
        probe=_probe_checkpoint,
        verdict=_verdict_checkpoint,
        params=CheckpointParams,
        timeout_s=180,
        memory_mb=3072,
    ),
    Check(
        name="m7.causality",
        description="GPT.forward never lets position t see tokens after t",
        probe=_probe_causality,
        verdict=_verdict_causality,
        params=CausalityParams,
        timeout_s=60,
        memory_mb=2048,
    ),
    Check(
        name="m7.generate",
        description="GPT.generate: shapes, top_k, temperature, cropping, grammatical samples",
        probe=_probe_generate,
        verdict=_verdict_generate,
        params=GenerateParams,
        timeout_s=180,
        memory_mb=3072,
    ),
    Check(
        name="m7.history",
        description="loss_history.json records training and validation losses that fall",
        verdict=_verdict_history,
        params=HistoryParams,
    ),
    Check(
        name="m7.loss_curve",
        description="an M7 experiment entry shows the loss-curve picture",
        verdict=_verdict_loss_curve,
    ),
)
