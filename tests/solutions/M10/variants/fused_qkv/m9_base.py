"""The M9 base this variant was fine-tuned from: the M9 reference's weights in M7's fused-QKV GPT.

``lay_out_m9(target)`` writes milestones/M9 for it: the M9 reference's files, model.py from
tests/solutions/M7/variants/fused_qkv, and checkpoint.pt with the state_dict re-arranged by that
variant's convert_checkpoint.py (query, key and value concatenated into c_attn).
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import torch

SOLUTIONS = Path(__file__).resolve().parents[3]
M7_FUSED = SOLUTIONS / "M7" / "variants" / "fused_qkv"
TARGETS = ["c_attn", "c_proj", "fc_in", "fc_out"]


def lay_out_m9(target: Path) -> Path:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(SOLUTIONS / "M9" / "reference", target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copyfile(M7_FUSED / "model.py", target / "model.py")
    spec = importlib.util.spec_from_file_location("_m7_fused_convert", M7_FUSED / "convert_checkpoint.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    ckpt = torch.load(target / "checkpoint.pt", weights_only=True)
    ckpt["model"] = module.convert(ckpt["model"])
    torch.save(ckpt, target / "checkpoint.pt")
    return target
