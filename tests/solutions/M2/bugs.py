"""Classic M2 bugs, each a one-place patch on reference/mlp.py.

Bugs named ``train_*`` break only ``train``; the tests judge the others on the gradient and
stability checks alone (training would only repeat what the gradients already show).
"""

from tests.judgeutil import Bug

BUGS = [
    Bug("grads_not_divided_by_n", "        dh /= n\n", "", expect="missing division by N"),
    Bug(
        "loss_summed",
        "        loss = -log_probs[rows, y].mean()",
        "        loss = -log_probs[rows, y].sum()",
        expect="the loss is N=3 times too large",
    ),
    Bug(
        "softmax_without_max_subtraction",
        "        shifted = logits - logits.max(axis=1, keepdims=True)",
        "        shifted = logits",
        expect="softmax without max-subtraction",
    ),
    Bug(
        "log_of_probabilities",
        "        loss = -log_probs[rows, y].mean()",
        "        probs = np.exp(log_probs)\n        loss = -np.log(probs[rows, y]).mean()",
        expect="log(0)",
    ),
    Bug(
        "clipped_probabilities",
        "        loss = -log_probs[rows, y].mean()",
        "        probs = np.clip(np.exp(log_probs), 1e-12, 1.0)\n        loss = -np.log(probs[rows, y]).mean()",
        expect="clipped probabilities",
    ),
    Bug(
        "relu_not_backpropagated",
        "            return dact * (h > 0)",
        "            return dact",
        expect="forgetting to backprop through the activation",
    ),
    Bug(
        "relu_mask_inverted",
        "            return dact * (h > 0)",
        "            return dact * (h < 0)",
        expect="relu derivative wrong at negatives",
    ),
    Bug(
        "relu_times_value",
        "            return dact * (h > 0)",
        "            return dact * np.maximum(h, 0.0)",
        expect="instead of the 0/1 mask",
    ),
    Bug("tanh_one_minus_t", "        return dact * (1.0 - t**2)", "        return dact * (1.0 - t)", expect="1 - tanh(h) instead"),
    Bug(
        "tanh_derivative_on_preactivation",
        "        return dact * (1.0 - t**2)",
        "        return dact * (1.0 - h**2)",
        expect="computed on the pre-activation",
    ),
    Bug(
        "bias_grad_wrong_axis",
        "            grads[f\"b{i}\"] = dh.sum(axis=0)",
        "            grads[f\"b{i}\"] = dh.sum(axis=1)",
        expect="summed over the wrong axis",
    ),
    Bug(
        "weight_grad_transposed",
        "            grads[f\"W{i}\"] = a.T @ dh",
        "            grads[f\"W{i}\"] = dh.T @ a",
        expect="transposed weight grad",
    ),
    Bug(
        "bias_grad_missing",
        "            grads[f\"b{i}\"] = dh.sum(axis=0)",
        "            grads[f\"b{i}\"] = np.zeros(dh.shape[1])",
        expect="bias gradient is missing",
    ),
    Bug("softmax_grad_without_onehot", "        dh[rows, y] -= 1.0\n", "", expect="misses the -1 at the true class"),
    Bug(
        "no_hidden_activation",
        "            a = self._act(h) if i < self.n_layers else h  # the last layer gives the logits",
        "            a = h",
        expect="the hidden activation is missing",
    ),
    Bug(
        "activation_ignored",
        "        if self.activation == \"relu\":\n            return np.maximum(h, 0.0)",
        "        if True:\n            return np.maximum(h, 0.0)",
        expect="`activation` is ignored",
    ),
    Bug(
        "params_copied_at_init",
        "        return self._forward(X)[0]",
        "        if not hasattr(self, \"_frozen\"):\n            self._frozen = {k: v.copy() for k, v in self.params.items()}\n"
        "        saved, self.params = self.params, self._frozen\n        try:\n            return self._forward(X)[0]\n"
        "        finally:\n            self.params = saved",
        expect="forward does not read model.params",
    ),
    Bug("train_gradient_ascent", "            model.params[name] -= lr * grad", "            model.params[name] += lr * grad", expect="lr sign"),
    Bug(
        "train_updates_a_copy",
        "            model.params[name] -= lr * grad",
        "            p = model.params[name]\n            p = p - lr * grad",
        expect="not updating model.params",
    ),
    Bug("train_one_step", "    for _ in range(epochs):", "    for _ in range(min(epochs, 20)):", expect="expected one per epoch"),
]
