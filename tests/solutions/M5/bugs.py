"""Classic M5 bugs as one-place patches on reference/attention.py (see tests/judgeutil.py)."""

from tests.judgeutil import Bug

BUGS = [
    Bug("missing 1/sqrt(d_k)", "q @ k.transpose(-2, -1) / math.sqrt(d_k)", "q @ k.transpose(-2, -1)",
        expect="1/sqrt(d_k) scaling is missing"),
    Bug("divides by d_k, not sqrt(d_k)", "/ math.sqrt(d_k)", "/ d_k", expect="divided by d_k = 16 instead of sqrt"),
    Bug("scales by sqrt(dv)", "d_k = q.size(-1)", "d_k = v.size(-1)", expect="sqrt(dv)"),
    Bug("softmax over the query axis", "torch.softmax(scores, dim=-1)", "torch.softmax(scores, dim=-2)",
        expect="softmax normalises over dim -2 (the query axis)"),
    Bug("inverted mask", "scores.masked_fill(~mask,", "scores.masked_fill(mask,", expect="mask is inverted"),
    Bug("mask ignored", 'scores = scores.masked_fill(~mask, float("-inf"))', 'scores.masked_fill(~mask, float("-inf"))',
        expect="mask is ignored"),
    Bug(
        "mask after softmax, not renormalised",
        'scores = scores.masked_fill(~mask, float("-inf"))\n    weights = torch.softmax(scores, dim=-1)',
        "pass\n    weights = torch.softmax(scores, dim=-1)\n    if mask is not None:\n"
        "        weights = weights.masked_fill(~mask, 0.0)",
        expect="after the softmax without renormalising",
    ),
    Bug("finite fill too small", 'float("-inf")', "-30.0", expect="not negative enough"),
    Bug("k.T on batched tensors", "k.transpose(-2, -1)", "k.T", expect="k.transpose(-2, -1)"),
    Bug("out = weights @ k", "out = weights @ v", "out = weights @ k", expect="out = weights @ v"),
    Bug("returns (weights, out)", "return out, weights", "return weights, out", expect="swapped"),
    Bug("float32 inside", "torch.softmax(scores, dim=-1)", "torch.softmax(scores.float(), dim=-1).to(scores.dtype)",
        expect="float32 precision on float64 inputs"),
    Bug("scales q in place", "scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)",
        "q /= math.sqrt(d_k)\n    scores = q @ k.transpose(-2, -1)", expect="in-place operation"),
    Bug("causal mask without the diagonal", "torch.tril(torch.ones(n, n, dtype=torch.bool))",
        "torch.tril(torch.ones(n, n, dtype=torch.bool), diagonal=-1)", expect="diagonal is excluded"),
    Bug("causal mask one above the diagonal", "torch.tril(torch.ones(n, n, dtype=torch.bool))",
        "torch.tril(torch.ones(n, n, dtype=torch.bool), diagonal=1)", expect="one position above the diagonal"),
    Bug("causal mask upper triangle", "return torch.tril(", "return torch.triu(", expect="upper triangle"),
    Bug("causal mask as floats", "torch.tril(torch.ones(n, n, dtype=torch.bool))", "torch.tril(torch.ones(n, n))",
        expect="dtype=torch.bool"),
]
