"""GPT with one fused query/key/value projection, torch's fused attention, and inverse-CDF sampling."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class Layer(nn.Module):
    def __init__(self, d_model, n_head):
        super().__init__()
        self.n_head = n_head
        self.norm_attn = nn.LayerNorm(d_model)
        self.c_attn = nn.Linear(d_model, 3 * d_model)  # q, k, v in one matmul
        self.c_proj = nn.Linear(d_model, d_model)
        self.norm_mlp = nn.LayerNorm(d_model)
        self.fc_in = nn.Linear(d_model, 4 * d_model)
        self.fc_out = nn.Linear(4 * d_model, d_model)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(self.norm_attn(x)).split(C, dim=2)
        heads = lambda t: t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, H, T, hs)
        y = F.scaled_dot_product_attention(heads(q), heads(k), heads(v), is_causal=True)
        x = x + self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))
        return x + self.fc_out(F.gelu(self.fc_in(self.norm_mlp(x))))


class GPT(nn.Module):
    def __init__(self, vocab_size, block_size, n_layer, n_head, d_model, dropout=0.0):
        super().__init__()
        if d_model % n_head:
            raise ValueError("d_model must be a multiple of n_head")
        self.block_size = block_size
        self.wte = nn.Embedding(vocab_size, d_model)
        self.wpe = nn.Embedding(block_size, d_model)
        self.h = nn.ModuleList(Layer(d_model, n_head) for _ in range(n_layer))
        self.norm_out = nn.LayerNorm(d_model)
        self.lm_head = nn.Linear(d_model, vocab_size)

    def forward(self, idx):
        T = idx.size(1)
        x = self.wte(idx) + self.wpe.weight[:T]
        for layer in self.h:
            x = layer(x)
        return self.lm_head(self.norm_out(x))

    @torch.no_grad()
    def generate(self, idx, max_new_tokens, temperature=1.0, top_k=None):
        out = idx
        for _ in range(max_new_tokens):
            logits = self.forward(out[:, -self.block_size:])[:, -1] / temperature
            probs = logits.softmax(-1)
            if top_k is not None:
                order = probs.argsort(dim=-1, descending=True)
                keep = torch.zeros_like(probs, dtype=torch.bool).scatter_(1, order[:, :top_k], True)
                probs = torch.where(keep, probs, torch.zeros_like(probs))
                probs = probs / probs.sum(-1, keepdim=True)
            # inverse CDF: the first token whose cumulative probability exceeds a uniform draw
            u = torch.rand(probs.size(0), 1) * probs.sum(-1, keepdim=True)
            nxt = torch.searchsorted(probs.cumsum(-1), u, right=True).clamp_(max=probs.size(-1) - 1)
            out = torch.cat((out, nxt), dim=1)
        return out
