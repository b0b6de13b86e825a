"""Stand-in for the M6 starter stub (used when llmpath/templates/milestones/M6/transformer.py is absent)."""

from torch import nn


class TransformerBlock(nn.Module):
    def __init__(self, d_model, n_heads, d_ff=None, dropout=0.0):
        super().__init__()
        raise NotImplementedError

    def forward(self, x):
        raise NotImplementedError
