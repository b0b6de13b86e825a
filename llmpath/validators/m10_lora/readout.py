"""llmpath's own readout of the story-endings task: a language model scores the two endings as continuations.

The rule (README of M10), for a prompt and the endings e_c = encode(ENDING_WORDS[c]) (" sad", " happy"):
keep the last block_size - (m - 1) ids of encode(prompt), where m is the longer ending's length, and
score ending c by sum_j log p(e_c[j] | kept prompt + e_c[:j]); predict happy (1) when its score is
higher. The prompt and each ending are encoded separately, so no merge crosses the boundary.

Rows: because the prompt is cropped the same way for both endings, one input row (prompt + the
longer ending minus its last token) yields the first-token scores of both endings; a second row is
needed only when both endings have several tokens. Causality makes the shared positions identical.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

BATCH = 64


def plan(
    prompt_ids: list[list[int]], endings: list[list[int]], block: int
) -> list[tuple[int, list[int], list[tuple[int, int, int]]]]:
    """Rows (example, input ids, [(position, target id, ending)]) covering every scored token of every example."""
    m = max(len(e) for e in endings)
    keep = block - (m - 1)
    if keep < 1:
        raise ValueError(f"block_size {block} leaves no room for the prompt before endings of {m} tokens")
    long_c = max(range(len(endings)), key=lambda c: len(endings[c]))
    rows = []
    for i, ids in enumerate(prompt_ids):
        kept = ids[-keep:]
        last = len(kept) - 1  # the position whose logits predict an ending's first token
        # the row that carries the longest ending also scores every ending's first token
        groups = [[long_c] + [c for c in range(len(endings)) if c != long_c and len(endings[c]) == 1]]
        groups += [[c] for c in range(len(endings)) if c != long_c and len(endings[c]) > 1]
        for group in groups:
            carrier = endings[group[0]]
            inp = kept + carrier[:-1]
            targets = [(last + j, tok, group[0]) for j, tok in enumerate(carrier)]
            targets += [(last, endings[c][0], c) for c in group[1:]]
            rows.append((i, inp, targets))
    return rows


def scores(
    model: Any,
    encode: Callable[[str], list[int]],
    prompts: list[str],
    endings: list[str],
    block: int,
    logits: Callable[[Any, Any], Any],
) -> Any:
    """(n, len(endings)) float64 log-probabilities of each ending after each prompt (numpy)."""
    import numpy as np
    import torch

    ends = [encode(w) for w in endings]
    rows = plan([encode(p) for p in prompts], ends, block)
    rows.sort(key=lambda row: len(row[1]))  # similar lengths share a batch: little padding
    out = np.zeros((len(prompts), len(endings)))
    with torch.no_grad():
        for s in range(0, len(rows), BATCH):
            chunk = rows[s : s + BATCH]
            width = max(len(inp) for _, inp, _ in chunk)
            x = torch.zeros(len(chunk), width, dtype=torch.long)  # right padding: causal rows ignore it
            for k, (_, inp, _) in enumerate(chunk):
                x[k, : len(inp)] = torch.tensor(inp)
            where = [(k, pos, tok, i, c) for k, (i, _, targets) in enumerate(chunk) for pos, tok, c in targets]
            k_, pos_, tok_ = (torch.tensor([w[j] for w in where]) for j in range(3))
            # log-softmax only at the scored positions, in float64: (targets, vocab)
            logp = torch.log_softmax(logits(model, x)[k_, pos_].double(), dim=-1)
            picked = logp[torch.arange(len(where)), tok_].numpy()
            np.add.at(out, ([w[3] for w in where], [w[4] for w in where]), picked)
    return out


def predictions(score_rows: Any) -> Any:
    """1 (happy) where the happy ending scores higher than the sad one, else 0 (ties go to sad)."""
    import numpy as np

    s = np.asarray(score_rows, dtype=np.float64)
    return (s[:, 1] > s[:, 0]).astype(np.int64)


def event_cut(encode: Callable[[str], list[int]], prompts: list[str], endings: list[str], block: int) -> float:
    """The share of prompts whose event sentence ("But one day, ...") starts before the kept ids."""
    keep = block - (max(len(encode(w)) for w in endings) - 1)
    cut = 0
    for p in prompts:
        at = p.find("But one day,")
        cut += at >= 0 and len(encode(p[at:])) + (1 if at else 0) > keep  # +1: the space before it
    return cut / max(1, len(prompts))
