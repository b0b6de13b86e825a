"""M4: a scalar autograd engine (micrograd's interface) and a trace of torch's autograd graph.

`llmpath check M4` builds random expressions from Value objects and compares `data` and every
`grad` with torch (float64); then it builds small torch models and calls `grad_fn_trace`.
Optional methods `tanh()`, `exp()` and `log()` are tested only if you define them: add them when
your other methods work.
"""

from __future__ import annotations

from typing import Any


class Value:
    """A scalar that remembers how it was computed.

    data: the float value; grad: d(root)/d(self), 0.0 until backward() runs; _prev: the set of
    Values this one was computed from; _op: the operation's symbol ('+', '*', 'relu', ...).
    """

    def __init__(self, data: float, _children: tuple[Value, ...] = (), _op: str = "") -> None:
        raise NotImplementedError(
            "Value.__init__: store data, grad = 0.0, _prev = set(_children), _op and a _backward function"
        )

    def __add__(self, other: Value | float) -> Value:
        raise NotImplementedError(
            "Value.__add__: self + other (wrap numbers in Value); record how to pass the gradient back"
        )

    def __mul__(self, other: Value | float) -> Value:
        raise NotImplementedError("Value.__mul__: self * other; d(out)/d(self) = other.data")

    def __pow__(self, exponent: float) -> Value:
        raise NotImplementedError("Value.__pow__: self ** exponent for an int or float exponent")

    def relu(self) -> Value:
        raise NotImplementedError("Value.relu: max(0, x); the gradient passes only where x > 0")

    def __neg__(self) -> Value:
        raise NotImplementedError("Value.__neg__: -self (hint: self * -1)")

    def __sub__(self, other: Value | float) -> Value:
        raise NotImplementedError("Value.__sub__: self - other (hint: self + (-other))")

    def __truediv__(self, other: Value | float) -> Value:
        raise NotImplementedError("Value.__truediv__: self / other (hint: self * other ** -1)")

    def __radd__(self, other: float) -> Value:
        raise NotImplementedError("Value.__radd__: other + self, e.g. 1 + v")

    def __rsub__(self, other: float) -> Value:
        raise NotImplementedError("Value.__rsub__: other - self, e.g. 1 - v")

    def __rmul__(self, other: float) -> Value:
        raise NotImplementedError("Value.__rmul__: other * self, e.g. 2 * v")

    def __rtruediv__(self, other: float) -> Value:
        raise NotImplementedError("Value.__rtruediv__: other / self, e.g. 1 / v")

    def backward(self) -> None:
        """Set `grad` on every node of the graph behind self, seeding self.grad = 1."""
        raise NotImplementedError(
            "Value.backward: topologically sort the graph, seed 1.0, call each _backward in reverse"
        )


def grad_fn_trace(loss: Any) -> list[str]:
    """The names of torch's autograd nodes behind `loss` (a torch.Tensor with a grad_fn).

    Start at loss.grad_fn and follow `next_functions` (skipping None); name each node
    type(node).__name__ (e.g. 'MeanBackward0', 'AddmmBackward0', 'AccumulateGrad'). Each node
    appears once, and every node comes before each node in its next_functions.
    """
    raise NotImplementedError(
        "grad_fn_trace: walk loss.grad_fn through next_functions; list node names in topological order"
    )
