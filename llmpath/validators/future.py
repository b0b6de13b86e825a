"""Validators declared by the roadmap for M9, M10 and M13 but not written yet.

They exist so that ``roadmap.yaml`` can name them today; each one reports an ``error`` result
("not implemented in this version of llmpath"), never a pass.
"""

from __future__ import annotations

from llmpath.validators.api import Check, Verdict, VerdictContext

_FUTURE = {
    "m9.pretrain": "M9: a GPT pretrained with your M8 tokenizer, judged in bits per byte",
    "m10.lora": "M10: LoRALinear and apply_lora, compared with full fine-tuning",
    "m13.multi_agent": "M13: roles exchanging typed messages under a protocol",
}


def _not_yet(name: str, description: str) -> Check:
    def verdict(raw: dict, ctx: VerdictContext) -> Verdict:
        return Verdict.error(
            f"{name} is not implemented in this version of llmpath",
            f"({description}). Upgrade llmpath when it ships; nothing was judged, so this is not a pass.",
        )

    return Check(name=name, description=description, verdict=verdict)


CHECKS: tuple[Check, ...] = tuple(_not_yet(name, text) for name, text in _FUTURE.items())
