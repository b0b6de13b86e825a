"""Validators for M10, LoRA fine-tuning compared with full fine-tuning (contract: milestones/M10/README.md).

* ``m10.lora``: LoRALinear, merge, apply_lora and count_trainable on llmpath's own layers and
  models (float64): a fresh adapter is the base layer bitwise, the update is (alpha / r) B A,
  only A and B train, the base survives an optimizer step, merge agrees, dropout only in training,
  targets match a full name or a ".suffix" (peft's rule). Each wrong number names its likely bug.
"""

from __future__ import annotations

from llmpath.validators.api import Check
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
)
