"""The trusted float64 MLP (forward, softmax cross-entropy, backprop), optionally with one known bug,
and the words that name each bug when the learner's numbers match its simulation."""

from __future__ import annotations

from typing import Any

Activation = str  # "relu" | "tanh"


def param_shapes(sizes: list[int]) -> dict[str, tuple[int, ...]]:
    shapes: dict[str, tuple[int, ...]] = {}
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        shapes[f"W{i}"] = (fan_in, fan_out)
        shapes[f"b{i}"] = (fan_out,)
    return shapes


def mlp_forward(params: dict[str, Any], X: Any, activation: Activation, bug: str | None = None) -> tuple[Any, list]:
    """Logits and the cache [(layer input, pre-activation)], optionally with a known forward bug."""
    import numpy as np

    n_layers = len(params) // 2
    act = (lambda h: np.maximum(h, 0.0)) if activation == "relu" else np.tanh
    if bug == "other_activation":
        act = np.tanh if activation == "relu" else (lambda h: np.maximum(h, 0.0))
    cache = []
    a = X
    for i in range(1, n_layers + 1):
        h = a @ params[f"W{i}"] + (0.0 if bug == "no_bias" else params[f"b{i}"])
        cache.append((a, h))
        last = i == n_layers
        if bug == "no_activation":
            a = h
        elif bug == "activation_on_logits":
            a = act(h)
        else:
            a = h if last else act(h)
    return a, cache


def mlp_loss_and_grads(
    params: dict[str, Any], X: Any, y: Any, activation: Activation, bug: str | None = None
) -> tuple[float, dict[str, Any]]:
    """Mean softmax cross-entropy and its gradients, optionally with one known backprop bug."""
    import numpy as np

    logits, cache = mlp_forward(params, X, activation)
    n = X.shape[0]
    rows = np.arange(n)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = float(-log_probs[rows, y].mean())
    dh = np.exp(log_probs)
    if bug != "no_onehot":
        dh[rows, y] -= 1.0
    dh /= n
    grads: dict[str, Any] = {}
    n_layers = len(params) // 2
    for i in range(n_layers, 0, -1):
        a, _ = cache[i - 1]
        grads[f"W{i}"] = a.T @ dh
        grads[f"b{i}"] = dh.sum(axis=0)
        if i > 1:
            da = dh @ params[f"W{i}"].T
            h = cache[i - 2][1]
            if bug == "no_act_grad":
                dh = da
            elif activation == "relu":
                mask = {"relu_inverted": h < 0, "relu_times_value": np.maximum(h, 0.0),
                        "relu_mask_from_grad": da > 0}.get(bug or "", h > 0)
                dh = da * mask
            else:
                t = np.tanh(h)
                deriv = {"tanh_one_minus_t": 1.0 - t, "tanh_of_pre": 1.0 - h**2,
                         "tanh_t_squared": t**2}.get(bug or "", 1.0 - t**2)
                dh = da * deriv
    return loss, grads


FORWARD_BUGS = {
    "no_activation": (
        "the hidden activation is missing: the network is linear (apply relu/tanh after every hidden layer)"
    ),
    "activation_on_logits": (
        "the activation is applied to the last layer too: the logits must be the raw output of the last "
        "affine layer"
    ),
    "no_bias": "the biases are not added in forward (h = a @ W + b)",
    "other_activation": "the other activation was used: `activation` is ignored (relu and tanh swapped)",
}
BACKPROP_BUGS = {
    "relu": {
        "no_act_grad": "forgetting to backprop through the activation: multiply by relu'(h) = (h > 0)",
        "relu_inverted": "relu derivative wrong at negatives: the mask is (h < 0); it must be (h > 0)",
        "relu_times_value": "the gradient is multiplied by relu(h) instead of the 0/1 mask (h > 0)",
        "relu_mask_from_grad": "the relu mask is taken from the gradient's sign, not from the pre-activation h > 0",
        "no_onehot": "the softmax gradient misses the -1 at the true class: dlogits = (softmax - onehot(y)) / N",
    },
    "tanh": {
        "no_act_grad": "forgetting to backprop through the activation: multiply by tanh'(h) = 1 - tanh(h)**2",
        "tanh_one_minus_t": "tanh derivative 1 - tanh(h) instead of 1 - tanh(h)**2",
        "tanh_of_pre": "tanh derivative computed on the pre-activation (1 - h**2); it is 1 - tanh(h)**2",
        "tanh_t_squared": "tanh derivative tanh(h)**2 instead of 1 - tanh(h)**2",
        "no_onehot": "the softmax gradient misses the -1 at the true class: dlogits = (softmax - onehot(y)) / N",
    },
}
