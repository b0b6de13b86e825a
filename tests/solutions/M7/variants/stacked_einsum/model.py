"""GPT whose layers' weights are stacked tensors, written with einsum; sampling by the Gumbel-max trick."""

import math

import torch
from torch import nn
from torch.nn import functional as F


class GPT(nn.Module):
    def __init__(self, vocab_size, block_size, n_layer, n_head, d_model, dropout=0.0):
        super().__init__()
        assert d_model % n_head == 0
        L, d = n_layer, d_model
        self.block_size, self.n_head, self.n_layer = block_size, n_head, n_layer
        P = lambda *shape: nn.Parameter(torch.randn(*shape) * 0.02)
        self.embed = P(vocab_size, d)
        self.position = P(block_size, d)
        self.norm = nn.Parameter(torch.ones(L, 2, d))  # LayerNorm gains: before attention, before the MLP
        self.norm_bias = nn.Parameter(torch.zeros(L, 2, d))
        self.w_qkv = P(L, 3, d, d)  # (layer, q/k/v, out, in) as nn.Linear stores them
        self.b_qkv = nn.Parameter(torch.zeros(L, 3, d))
        self.w_o = P(L, d, d)
        self.b_o = nn.Parameter(torch.zeros(L, d))
        self.w_up = P(L, 4 * d, d)
        self.b_up = nn.Parameter(torch.zeros(L, 4 * d))
        self.w_down = P(L, d, 4 * d)
        self.b_down = nn.Parameter(torch.zeros(L, d))
        self.final_norm = nn.Parameter(torch.ones(2, d))  # gain, bias
        self.unembed = P(vocab_size, d)
        self.unembed_bias = nn.Parameter(torch.zeros(vocab_size))
        future = torch.ones(block_size, block_size).triu(1).bool()
        self.register_buffer("future", future, persistent=False)

    def forward(self, idx):
        B, T = idx.shape
        H, d = self.n_head, self.embed.shape[1]
        x = self.embed[idx] + self.position[:T]  # (B, T, d)
        for l in range(self.n_layer):
            h = F.layer_norm(x, (d,), self.norm[l, 0], self.norm_bias[l, 0])
            qkv = torch.einsum("btc,jdc->jbtd", h, self.w_qkv[l]) + self.b_qkv[l][:, None, None, :]
            q, k, v = (t.reshape(B, T, H, d // H) for t in qkv)  # each (B, T, H, hs)
            scores = torch.einsum("bqhe,bkhe->bhqk", q, k) / math.sqrt(d // H)
            scores = scores.masked_fill(self.future[:T, :T], -math.inf)
            att = torch.einsum("bhqk,bkhe->bqhe", scores.softmax(-1), v).reshape(B, T, d)
            x = x + att @ self.w_o[l].T + self.b_o[l]
            h = F.layer_norm(x, (d,), self.norm[l, 1], self.norm_bias[l, 1])
            x = x + F.gelu(h @ self.w_up[l].T + self.b_up[l]) @ self.w_down[l].T + self.b_down[l]
        x = F.layer_norm(x, (d,), self.final_norm[0], self.final_norm[1])
        return x @ self.unembed.T + self.unembed_bias

    def generate(self, idx, max_new_tokens, temperature=1.0, top_k=None):
        with torch.no_grad():
            for _ in range(max_new_tokens):
                logits = self(idx[:, -self.block_size:])[:, -1, :].div(temperature)
                if top_k is not None and top_k < logits.shape[-1]:
                    kth = logits.kthvalue(logits.shape[-1] - top_k + 1, dim=-1, keepdim=True).values
                    logits = torch.where(logits >= kth, logits, torch.full_like(logits, -math.inf))
                # Gumbel-max: argmax(logits + Gumbel noise) is a draw from softmax(logits)
                gumbel = -torch.log(-torch.log(torch.rand_like(logits).clamp_min(1e-20)))
                idx = torch.cat([idx, (logits + gumbel).argmax(-1, keepdim=True)], dim=1)
        return idx
