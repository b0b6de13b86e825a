"""Known block designs that differ from M6's contract, recognised from the learner's parameter shapes.

The parameter-count check names a cause only when the learner's parameters fit a known design: a
gated MLP (SwiGLU/GeGLU, as in Llama: three matrices), or an MLP whose hidden size is not d_ff.
"""

from __future__ import annotations

from collections.abc import Sequence


def variant_diagnosis(listing: Sequence[tuple[str, tuple[int, ...]]], d: int, f: int) -> str | None:
    """What differs from the contract, when the parameter shapes show a known variant (None otherwise)."""
    matrices = [tuple(shape) for _name, shape in listing if len(shape) == 2]
    attention = {(d, d), (3 * d, d), (d, 3 * d)}
    mlp = [s for s in matrices if s not in attention]
    hidden = {x for s in mlp for x in s if x != d}
    if len(hidden) != 1:
        return None
    (h,) = hidden
    ups, downs = sum(s == (h, d) for s in mlp), sum(s == (d, h) for s in mlp)
    if (ups, downs, len(mlp)) == (2, 1, 3):  # gate and up (h, d), down (d, h): Llama's MLP
        size = f"hidden size {h}" + (f", not d_ff = {f}" if h != f else "")
        return (f"a gated MLP (SwiGLU/GeGLU, as in Llama: three matrices, {size}): M6's contract is the GPT-2 "
                f"block, an MLP of two matrices, Linear(d_model, d_ff) -> activation -> Linear(d_ff, d_model), with "
                f"d_ff = {f} (4·d_model by default), and LayerNorm")
    if ups == 1 and downs == 1 and len(mlp) == 2 and h != f:
        return f"the MLP's hidden size is {h}, not d_ff = {f}: use Linear(d_model, d_ff) and Linear(d_ff, d_model)"
    return None
