"""Classic LoRA bugs as one-place patches on tests/solutions/M10/reference/lora.py.

Each names the validator that must catch it and (``expect``) the words of its diagnosis. Bugs in the
saved artifacts (adapter.pt, the experiment entries) are built in tests/test_validators_m10.py.
"""

from pathlib import Path

from tests.judgeutil import Bug

SCALE = "self.r, self.alpha, self.scaling = r, alpha, alpha / r"
INIT_A = "nn.init.kaiming_uniform_(self.A, a=math.sqrt(5))"
ZEROS_B = "self.B = nn.Parameter(torch.zeros(base.out_features, r, **kw))"
FREEZE_LAYER = "        for p in base.parameters():\n            p.requires_grad_(False)\n"
FREEZE_MODEL = "    for p in model.parameters():\n        p.requires_grad_(False)\n    chosen"
UPDATE = "self.scaling * (self.dropout(x) @ self.A.T @ self.B.T)"
MERGED = "merged.weight.copy_(base.weight + layer.scaling * (layer.B @ layer.A))"
MATCH = 'any(name == t or name.endswith("." + t) for t in targets)'
COUNT = "sum(p.numel() for p in model.parameters() if p.requires_grad)"
DROPOUT = "self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()"
MERGE_BIAS = """    merged = nn.Linear(base.in_features, base.out_features, bias=base.bias is not None,
                       dtype=base.weight.dtype, device=base.weight.device)
    with torch.no_grad():
        merged.weight.copy_(base.weight + layer.scaling * (layer.B @ layer.A))  # (out, r) @ (r, in)
        if base.bias is not None:"""
# A (in, r) and B (r, out), x @ A @ B, merged W + s (A B)^T: the layout of some from-scratch tutorials
_REF = (Path(__file__).parent / "reference" / "lora.py").read_text()
TRANSPOSED = _REF[
    _REF.index("        self.A = nn.Parameter") : _REF.index(
        "        if base.bias is not None:\n            merged.bias"
    )
]
TRANSPOSED_FIX = (
    TRANSPOSED.replace("torch.empty(r, base.in_features, **kw)", "torch.empty(base.in_features, r, **kw)")
    .replace("torch.zeros(base.out_features, r, **kw)", "torch.zeros(r, base.out_features, **kw)")
    .replace("nn.init.kaiming_uniform_(self.A, a=math.sqrt(5))", "nn.init.normal_(self.A, std=1 / math.sqrt(r))")
    .replace("self.dropout(x) @ self.A.T @ self.B.T", "self.dropout(x) @ self.A @ self.B")
    .replace("(layer.B @ layer.A)", "(layer.A @ layer.B).T")
)

BUGS = [
    Bug(
        "alpha_not_divided_by_r",
        SCALE,
        "self.r, self.alpha, self.scaling = r, alpha, alpha",
        expect="alpha not divided by r",
    ),
    Bug("rslora_scaling", SCALE, SCALE.replace("alpha / r", "alpha / math.sqrt(r)"), expect="rsLoRA"),
    Bug("no_scaling", UPDATE, "(self.dropout(x) @ self.A.T @ self.B.T)", expect="the update is not scaled"),
    Bug("scaling_inverted", SCALE, SCALE.replace("alpha / r", "r / alpha"), expect="the scaling is inverted"),
    Bug("both_zero", INIT_A, "nn.init.zeros_(self.A)", expect="never learns"),
    Bug("a_zero_b_random", INIT_A, "nn.init.zeros_(self.A); nn.init.normal_(self.B)", expect="swapped"),
    Bug("b_random", ZEROS_B, ZEROS_B.replace("torch.zeros(", "0.01 * torch.randn("), expect="B must start at zero"),
    Bug("b_not_trainable", ZEROS_B, ZEROS_B.replace("**kw))", "**kw), requires_grad=False)"), expect="got no gradient"),
    Bug("base_not_frozen", FREEZE_LAYER, "", expect="base not frozen"),
    Bug(
        "bias_left_trainable", FREEZE_LAYER, "        base.weight.requires_grad_(False)\n", expect="bias left trainable"
    ),
    Bug(
        "a_b_float32",
        'kw = {"dtype": base.weight.dtype, "device": base.weight.device}',
        "kw = {}",
        expect="base weight's dtype",
    ),
    Bug("stored_transposed", TRANSPOSED, TRANSPOSED_FIX, expect="stored transposed"),
    Bug(
        "update_transposed", UPDATE, "self.scaling * (self.dropout(x) @ (self.B @ self.A))", expect="applied transposed"
    ),
    Bug(
        "merge_transposed",
        MERGED,
        MERGED.replace("(layer.B @ layer.A)", "(layer.B @ layer.A).T"),
        expect="merge transposed",
    ),
    Bug(
        "merge_in_place",
        MERGED,
        "base.weight += layer.scaling * (layer.B @ layer.A); return base",
        expect="counts twice",
    ),
    Bug(
        "merge_drops_bias",
        MERGE_BIAS,
        MERGE_BIAS.replace("bias=base.bias is not None", "bias=False").replace(
            "if base.bias is not None:", "if False:"
        ),
        expect="lost the bias",
    ),
    Bug(
        "dropout_active_in_eval",
        DROPOUT,
        "self.dropout = lambda x: nn.functional.dropout(x, dropout, training=True)",
        expect="dropout active in eval",
    ),
    Bug("dropout_ignored", DROPOUT, "self.dropout = nn.Identity()", expect="never applied in training"),
    Bug(
        "dropout_on_base_path",
        "return self.base(x) + ",
        "return self.base(self.dropout(x)) + ",
        expect="base layer's path",
    ),
    Bug("targets_as_substrings", MATCH, "any(t in name for t in targets)", expect="substrings"),
    Bug(
        "targets_last_component",
        MATCH,
        'any(name.rsplit(".", 1)[-1] == t for t in targets)',
        expect="last name component",
    ),
    Bug("targets_endswith_no_dot", MATCH, "any(name.endswith(t) for t in targets)", expect="without the dot"),
    Bug("rest_not_frozen", FREEZE_MODEL, "    chosen", expect="does not freeze the rest"),
    Bug("apply_returns_none", "    return model\n", "    return None\n", expect="returned None"),
    Bug(
        "count_tied_twice",
        COUNT,
        "sum(p.numel() for _, p in model.named_parameters(remove_duplicate=False) if p.requires_grad)",
        expect="counted twice",
    ),
    Bug("count_frozen_too", COUNT, "sum(p.numel() for p in model.parameters())", expect="frozen parameters counted"),
    Bug("count_state_dict", COUNT, "sum(v.numel() for v in model.state_dict().values())", expect="state_dict"),
]

# which validators each bug must fail
CHECKS = {b.name: ["m10.lora"] for b in BUGS}
