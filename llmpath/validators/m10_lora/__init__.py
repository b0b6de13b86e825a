"""Validators for M10, LoRA fine-tuning compared with full fine-tuning (contract: milestones/M10/README.md).

* ``m10.lora``: LoRALinear, merge, apply_lora and count_trainable on llmpath's own layers and
  models (float64): a fresh adapter is the base layer bitwise, the update is (alpha / r) B A,
  only A and B train, the base survives an optimizer step, merge agrees, dropout only in training,
  targets match a full name or a ".suffix" (peft's rule). Each wrong number names its likely bug.
* ``m10.finetune``: the M9 base + adapter.pt, rebuilt with the learner's apply_lora, scored by
  llmpath on fresh labelled stories beside the exact Bayes accuracy; adapter.pt holds the adapters
  and nothing else, and every count of trainable parameters agrees.
* ``m10.compare``: the LoRA and full fine-tuning experiment entries report accuracy, trainable
  parameters and wall time; llmpath recomputes both accuracies on the test split and both counts.

No module here imports numpy or torch at import time (the registry loads this package for
``llmpath status``); the probes and verdicts import them when they run.
"""

from __future__ import annotations

from llmpath.validators.api import Check
from llmpath.validators.m10_lora.compare import CompareParams, probe_compare, verdict_compare
from llmpath.validators.m10_lora.finetune import FinetuneParams, probe_finetune
from llmpath.validators.m10_lora.finetune_verdict import verdict_finetune
from llmpath.validators.m10_lora.unit_probe import probe_lora
from llmpath.validators.m10_lora.unit_verdict import verdict_lora

CHECKS: tuple[Check, ...] = (
    Check(
        name="m10.lora",
        description="LoRALinear, merge, apply_lora and count_trainable behave as LoRA should (float64)",
        probe=probe_lora,
        verdict=verdict_lora,
        timeout_s=60,
        memory_mb=2048,
    ),
    Check(
        name="m10.finetune",
        description="the M9 model + adapter.pt reaches near the Bayes accuracy on fresh labelled stories",
        probe=probe_finetune,
        verdict=verdict_finetune,
        params=FinetuneParams,
        timeout_s=300,
        memory_mb=3072,
    ),
    Check(
        name="m10.compare",
        description="the LoRA and full fine-tuning entries' accuracy, trainable parameters and wall time reproduced",
        probe=probe_compare,
        verdict=verdict_compare,
        params=CompareParams,
        timeout_s=300,
        memory_mb=3072,
    ),
)
