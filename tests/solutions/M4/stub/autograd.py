"""Fallback starter stub for M4 (used only while the packaged template is missing)."""


class Value:
    def __init__(self, data, _children=(), _op=""):
        self.data = data
        self.grad = 0.0
        self._prev = set(_children)
        self._op = _op

    def __add__(self, other):
        raise NotImplementedError

    def __mul__(self, other):
        raise NotImplementedError

    def backward(self):
        raise NotImplementedError


def grad_fn_trace(loss):
    raise NotImplementedError
