"""Classic M6 bugs as one-place patches on reference/transformer.py (see tests/judgeutil.py)."""

from tests.judgeutil import Bug

BUGS = [
    Bug("heads split without transpose", "x.view(B, T, self.n_heads, self.head_dim).transpose(1, 2)",
        "x.view(B, self.n_heads, T, self.head_dim)", expect="positions are shuffled"),
    Bug("heads merged without transpose", "y.transpose(1, 2).contiguous().view(B, T, D)", "y.contiguous().view(B, T, D)",
        expect="positions are shuffled"),
    Bug("LayerNorm mean over the time axis", "mu = x.mean(dim=-1, keepdim=True)", "mu = x.mean(dim=1, keepdim=True)",
        expect="wrong axis"),
    Bug("causal mask missing", 'scores = scores.masked_fill(~allowed, float("-inf"))', "scores = scores",
        expect="causal mask is missing"),
    Bug("mask diagonal off by one (sees t+1)", "dtype=torch.bool, device=x.device))",
        "dtype=torch.bool, device=x.device), diagonal=1)", expect="off by one"),
    Bug("mask excludes the diagonal (-inf)", "dtype=torch.bool, device=x.device))",
        "dtype=torch.bool, device=x.device), diagonal=-1)", expect="must include the diagonal"),
    Bug("mask excludes the diagonal (-1e9)",
        'allowed = torch.tril(torch.ones(T, T, dtype=torch.bool, device=x.device))\n'
        '        scores = scores.masked_fill(~allowed, float("-inf"))',
        'allowed = torch.tril(torch.ones(T, T, dtype=torch.bool, device=x.device), diagonal=-1)\n'
        '        scores = scores.masked_fill(~allowed, -1e9)', expect="must include the diagonal"),
    Bug("mask fill not negative enough", 'masked_fill(~allowed, float("-inf"))', "masked_fill(~allowed, -100.0)",
        expect="not negative enough"),
    Bug("BatchNorm statistics (over batch and time)",
        "mu = x.mean(dim=-1, keepdim=True)\n        var = (x - mu).pow(2).mean(dim=-1, keepdim=True)",
        "mu = x.mean(dim=(0, 1), keepdim=True)\n        var = (x - mu).pow(2).mean(dim=(0, 1), keepdim=True)",
        expect="mixes batch items"),
    Bug("no ValueError check", "if d_model % n_heads != 0:", "if False:", expect="ValueError"),
    Bug("assert instead of ValueError",
        'if d_model % n_heads != 0:\n            raise ValueError(f"d_model={d_model} is not divisible by n_heads={n_heads}")',
        "assert d_model % n_heads == 0", expect="AssertionError"),
    Bug("dropout active in eval", "self.attn_drop(torch.softmax(scores, dim=-1))",
        "torch.nn.functional.dropout(torch.softmax(scores, dim=-1), self.attn_drop.p, training=True)",
        expect="dropout stays active in eval"),
    Bug("unused parameter", "self.out_proj = nn.Linear(d_model, d_model)",
        "self.out_proj = nn.Linear(d_model, d_model)\n        self.gate = nn.Linear(d_model, d_model)",
        expect="no gradient"),
    Bug("d_ff ignored", "d_ff = 4 * d_model if d_ff is None else d_ff", "d_ff = 4 * d_model", expect="d_ff is ignored"),
    Bug("attention output dropped (per-token MLP)", "x = x + self.attn(self.ln1(x))", "x = x",
        expect="positions do not mix"),
    Bug("softmax over the query axis", "torch.softmax(scores, dim=-1)", "torch.softmax(scores, dim=-2)", expect=None),
    Bug("mask built for a fixed length", "torch.ones(T, T,", "torch.ones(6, 6,", expect=None, status="failed"),
]
