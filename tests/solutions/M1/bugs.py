"""Classic M1 bugs, each a one-place patch on reference/logistic_regression.py (or derivation.md)."""

from pathlib import Path

from tests.judgeutil import Bug

_DERIVATION = (Path(__file__).parent / "reference" / "derivation.md").read_text()

MAIN = "logistic_regression.py"

BUGS = [
    Bug(
        "grad_sum_not_mean",
        "    dw = X.T @ err / n\n    db = float(np.sum(err) / n)",
        "    dw = X.T @ err\n    db = float(np.sum(err))",
        expect="missing division by N",
    ),
    Bug("grad_sign_flipped", "    err = sigmoid(z) - y", "    err = y - sigmoid(z)", expect="sign flipped"),
    Bug(
        "naive_sigmoid_overflow",
        "    return np.exp(-np.logaddexp(0.0, -z))",
        "    return np.exp(z) / (1.0 + np.exp(z))",
        expect="naive sigmoid overflowing",
    ),
    Bug(
        "loss_log_of_sigmoid",
        "    loss = float(np.mean(np.logaddexp(0.0, z) - y * z))",
        "    p = sigmoid(z)\n    loss = float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))",
        expect="log(0)",
    ),
    Bug(
        "loss_clipped_probabilities",
        "    loss = float(np.mean(np.logaddexp(0.0, z) - y * z))",
        "    p = np.clip(sigmoid(z), 1e-12, 1 - 1e-12)\n    loss = float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))",
        expect="clipped probabilities",
    ),
    Bug("bias_grad_missing", "    db = float(np.sum(err) / n)", "    db = 0.0", expect="gradient of the bias is missing"),
    Bug("train_gradient_ascent", "        w = w - lr * dw", "        w = w + lr * dw", expect="lr sign"),
    Bug(
        "train_never_updates",
        "        w = w - lr * dw\n        b = b - lr * db",
        "        w_new = w - lr * dw\n        b_new = b - lr * db",
        expect="never updated",
    ),
    Bug(
        "squared_error_gradient",
        "    err = sigmoid(z) - y",
        "    p = sigmoid(z)\n    err = (p - y) * p * (1 - p)",
        expect="squared-error gradient",
    ),
    Bug(
        "loss_log2",
        "    loss = float(np.mean(np.logaddexp(0.0, z) - y * z))",
        "    loss = float(np.mean(np.logaddexp(0.0, z) - y * z)) / np.log(2.0)",
        expect="log base 2",
    ),
    Bug(
        "loss_summed",
        "    loss = float(np.mean(np.logaddexp(0.0, z) - y * z))",
        "    loss = float(np.sum(np.logaddexp(0.0, z) - y * z))",
        expect="loss is N=13 times too large",
    ),
    Bug("logit_instead_of_sigmoid", "    err = sigmoid(z) - y", "    err = z - y", expect="logit z was used"),
    Bug(
        "predict_proba_inverted",
        "    return sigmoid(X @ w + b)",
        "    return sigmoid(-(X @ w + b))",
        expect="predict_proba is wrong",
    ),
    Bug(
        "sigmoid_sign",
        "    return np.exp(-np.logaddexp(0.0, -z))",
        "    return np.exp(-np.logaddexp(0.0, z))",
        expect="sign of z is flipped",
    ),
    Bug(
        "sigmoid_float32",
        "    z = np.asarray(z, dtype=np.float64)",
        "    z = np.asarray(z, dtype=np.float32)",
        expect="float32",
    ),
    Bug("train_too_few_epochs", "    for _ in range(epochs):", "    for _ in range(3):", expect="not converged"),
    Bug(
        "derivation_too_short",
        _DERIVATION[_DERIVATION.index("## The derivative of the sigmoid"):],
        "## The derivative of the sigmoid\n\nTODO\n",
        expect="words of derivation",
        file="derivation.md",
    ),
]
