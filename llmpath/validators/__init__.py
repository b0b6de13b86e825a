"""Validators: one package per milestone, each check a probe (in the child) and a verdict (here).

Public surface: ``api`` (how a check is written: ``Check``, ``Verdict``, the contexts),
``registry`` (every built-in check by name, checked when roadmap.yaml loads) and each milestone's
package, whose ``__init__`` exports what pictures and tests need (``m3_optim.read_curves``...).
"""

__all__ = [
    "api",
    "registry",
    "docs",
    "m1_logreg",
    "m2_mlp",
    "m3_optim",
    "m4_autograd",
    "m5_attention",
    "m6_transformer",
    "m7_gpt",
    "m8_bpe",
    "m9_pretrain",
    "m10_lora",
    "m11_rag",
    "m12_agent",
    "m13_multi",
    "m14_capstone",
]
