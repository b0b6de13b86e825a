"""Numpy simulations of the classic optimizer bugs, and what each one means.

A simulated bug "explains" the learner's trajectory when it matches within ``SIM_TOL``.
"""

from __future__ import annotations

import math
from typing import Any


def simulate(kind: str, hp: dict, params0: list, grads: list, bug: str) -> list:
    """The trajectory of ``kind`` with the classic mistake ``bug`` (numpy, float64)."""
    import numpy as np

    ps = [p.copy() for p in params0]
    snaps = [[p.copy()] for p in ps]
    state: list[dict] = [{} for _ in ps]
    counter = 0
    lr = hp["lr"] ** 2 if bug == "lr_twice" else hp["lr"]
    for gs in grads:
        for k, (p, g) in enumerate(zip(ps, gs)):
            st = {} if bug == "reset" else state[k]
            if bug == "t_per_tensor":
                counter += 1
                t = counter
            else:
                st["t"] = st.get("t", 0) + 1
                t = 1 if bug == "t_fixed" else st["t"]
            p -= _sim_update(kind, hp, lr, p, g, st, t, bug)
        for k, p in enumerate(ps):
            snaps[k].append(p.copy())
    return [np.stack(s) for s in snaps]


def _sim_update(kind: str, hp: dict, lr: float, p: Any, g: Any, st: dict, t: int, bug: str) -> Any:
    """The amount subtracted from ``p`` by one step (updating ``st`` in place)."""
    import numpy as np

    if kind == "sgd":
        return {"ascent": -lr * g, "no_lr": g}.get(bug, lr * g)
    if kind in ("momentum", "nesterov"):
        beta = 0.9 if bug == "beta_default" else hp["beta"]
        old = st.get("v", np.zeros_like(g))
        if bug == "dampening":
            v = beta * old + (1 - beta) * g
        elif bug == "v_is_g":
            v = g
        else:
            v = beta * old + g
        st["v"] = v
        if bug == "update_first":
            return lr * old
        if bug == "v_is_g":
            return lr * (beta * old + g)
        nesterov = (kind == "nesterov") != (bug in ("nesterov", "plain"))
        return lr * (g + beta * v) if nesterov else lr * v
    if kind == "rmsprop":
        alpha, eps = hp["alpha"], hp["eps"]
        old = st.get("v", np.zeros_like(g))
        if bug == "no_one_minus":
            v = alpha * old + g * g
        elif bug == "alpha_swapped":
            v = (1 - alpha) * old + alpha * g * g
        else:
            v = alpha * old + (1 - alpha) * g * g
        st["v"] = v
        if bug == "bias_corrected":
            v = v / (1 - alpha**t)
        if bug == "eps_inside":
            return lr * g / np.sqrt(v + eps)
        if bug == "no_sqrt":
            return lr * g / (v + eps)
        return lr * g / (np.sqrt(v) + eps)
    # adam / adamw
    b1, b2 = hp["betas"]
    if bug == "betas_swapped":
        b1, b2 = b2, b1
    eps, wd = hp["eps"], hp.get("weight_decay", 0.0)
    if bug == "no_decay":
        wd = 0.0
    decay = np.zeros_like(p)
    if wd and bug == "coupled":
        g = g + wd * p
    elif wd and bug == "decay_no_lr":
        decay = wd * p
    elif wd and bug != "decay_after":
        decay = lr * wd * p
    m = b1 * st.get("m", np.zeros_like(g)) + (1 - b1) * g
    v = b2 * st.get("v", np.zeros_like(g)) + (1 - b2) * g * g
    st["m"], st["v"] = m, v
    bc1 = 1.0 if bug in ("no_bias", "no_bias1") else 1 - b1**t
    bc2 = 1.0 if bug in ("no_bias", "no_bias2") else 1 - b2**t
    if bug == "eps_early":  # Kingma's "efficient" form with the plain eps
        step = lr * math.sqrt(bc2) / bc1 * m / (np.sqrt(v) + eps)
    elif bug == "eps_inside":
        step = lr * (m / bc1) / np.sqrt(v / bc2 + eps)
    elif bug == "no_sqrt":
        step = lr * (m / bc1) / (v / bc2 + eps)
    else:
        step = lr * (m / bc1) / (np.sqrt(v / bc2) + eps)
    if wd and bug == "decay_after":
        return step + lr * wd * (p - step)
    return decay + step


def diagnoses(kind: str, hp: dict) -> list[tuple[str, str]]:
    """(bug, what it means) for the simulations worth trying on ``kind``."""
    reset = (
        "the optimizer's state does not persist between steps (re-created inside `step`?): "
        "keep it on `self` and create it once"
    )
    if kind == "sgd":
        return [
            ("ascent", "the parameters move along +gradient: the update is p -= lr * g (gradient ascent?)"),
            ("lr_twice", "lr is applied twice (p -= lr * lr * g?)"),
            ("no_lr", "lr is not applied (p -= g?)"),
        ]
    if kind in ("momentum", "nesterov"):
        out = [
            ("reset", reset + "; without the velocity the trajectory equals plain SGD"),
            ("dampening", "v = beta*v + (1-beta)*g is an EMA with dampening; torch uses v = beta*v + g"),
            ("lr_twice", "lr is applied twice (v = beta*v + lr*g, then p -= lr*v?)"),
            ("update_first", "p is updated with the previous velocity: compute v = beta*v + g first, then p -= lr*v"),
            ("v_is_g", "the velocity keeps only the last gradient (v = g) instead of accumulating v = beta*v + g"),
            ("beta_default", "the `beta` argument is ignored (0.9 is used)"),
        ]
        if kind == "momentum":
            out.append(("nesterov", "this is Nesterov's update (p -= lr*(g + beta*v)); plain momentum is p -= lr*v"))
        else:
            out.append(("plain", "this is plain momentum (p -= lr*v, which is also p -= lr*(g + beta*v_old)); "
                        "Nesterov's update is p -= lr*(g + beta*v) with the new v = beta*v + g"))
        return out
    if kind == "rmsprop":
        return [
            ("eps_inside", "eps is inside the square root: torch divides by sqrt(v) + eps"),
            ("no_one_minus", "v = alpha*v + g**2 misses the (1 - alpha) factor"),
            ("alpha_swapped", "alpha and 1 - alpha are swapped: v = alpha*v + (1-alpha)*g**2"),
            ("bias_corrected", "v is bias-corrected: RMSProp (torch.optim.RMSprop) has no bias correction"),
            ("no_sqrt", "the square root is missing: divide by sqrt(v) + eps"),
            ("reset", reset),
            ("lr_twice", "lr is applied twice"),
        ]
    b1, b2 = hp["betas"]
    first = (1 - b1) / math.sqrt(1 - b2)
    out = [
        (
            "no_bias",
            f"the first step is {first:.3g}x torch's = (1-beta1)/sqrt(1-beta2) with betas={hp['betas']}: "
            "bias correction is missing (m_hat = m/(1-beta1**t), v_hat = v/(1-beta2**t))",
        ),
        (
            "no_bias1",
            f"the first step is {1 - b1:.3g}x torch's = 1-beta1: m is not bias-corrected (m_hat = m/(1-beta1**t))",
        ),
        (
            "no_bias2",
            f"the first step is {1 / math.sqrt(1 - b2):.3g}x torch's = 1/sqrt(1-beta2): v is not bias-corrected "
            "(v_hat = v/(1-beta2**t))",
        ),
        ("eps_inside", "eps is inside the square root: torch divides by sqrt(v_hat) + eps"),
        (
            "eps_early",
            "eps is added to sqrt(v) before bias correction (Kingma's efficient form with plain eps): torch "
            "divides by sqrt(v)/sqrt(1-beta2**t) + eps",
        ),
        ("no_sqrt", "the square root of v_hat is missing"),
        ("reset", reset + "; every step then moves by lr*sign(g)"),
        ("t_fixed", "the step count t is not incremented: bias correction uses t=1 at every step"),
        ("t_per_tensor", "t is incremented once per parameter tensor instead of once per step"),
        ("betas_swapped", "beta1 and beta2 are swapped"),
        ("lr_twice", "lr is applied twice"),
    ]
    if kind == "adamw":
        out += [
            (
                "coupled",
                "weight decay is coupled (wd*p added to the gradient: Adam + L2); AdamW decays the weights "
                "directly: p -= lr*weight_decay*p, outside the adaptive step",
            ),
            ("decay_no_lr", "the decay misses the lr factor: p -= lr*weight_decay*p, not weight_decay*p"),
            ("decay_after", "the decay is applied after the Adam step; torch decays p before it"),
            ("no_decay", "weight_decay is ignored"),
        ]
    return out
