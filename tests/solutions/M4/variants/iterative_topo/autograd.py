"""A correct variant: backward closures, an iterative (explicit stack) topological sort, only tanh
among the optional ops, subtraction and division written directly; grad_fn_trace by Kahn's algorithm."""

import math
from collections import deque


class Value:
    def __init__(self, data, _children=(), _op=""):
        self.data = float(data)
        self.grad = 0.0
        self._prev = set(_children)
        self._op = _op
        self._backward = None

    def _make(self, data, children, op, rule):
        out = Value(data, children, op)

        def backward():
            for child, local in rule():
                child.grad += local * out.grad

        out._backward = backward
        return out

    def __add__(self, other):
        o = other if isinstance(other, Value) else Value(other)
        return self._make(self.data + o.data, (self, o), "+", lambda: ((self, 1.0), (o, 1.0)))

    def __sub__(self, other):
        o = other if isinstance(other, Value) else Value(other)
        return self._make(self.data - o.data, (self, o), "-", lambda: ((self, 1.0), (o, -1.0)))

    def __mul__(self, other):
        o = other if isinstance(other, Value) else Value(other)
        return self._make(self.data * o.data, (self, o), "*", lambda: ((self, o.data), (o, self.data)))

    def __truediv__(self, other):
        o = other if isinstance(other, Value) else Value(other)
        return self._make(
            self.data / o.data, (self, o), "/", lambda: ((self, 1.0 / o.data), (o, -self.data / (o.data * o.data)))
        )

    def __pow__(self, k):
        return self._make(self.data**k, (self,), f"**{k}", lambda: ((self, k * self.data ** (k - 1)),))

    def __neg__(self):
        return self._make(-self.data, (self,), "neg", lambda: ((self, -1.0),))

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return Value(other) - self

    def __rtruediv__(self, other):
        return Value(other) / self

    def relu(self):
        return self._make(max(self.data, 0.0), (self,), "relu", lambda: ((self, float(self.data > 0)),))

    def tanh(self):
        t = math.tanh(self.data)
        return self._make(t, (self,), "tanh", lambda: ((self, 1.0 - t**2),))

    def backward(self):
        topo, visited = [], set()
        stack = [(self, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                topo.append(node)
                continue
            if node in visited:
                continue
            visited.add(node)
            stack.append((node, True))
            for child in node._prev:
                if child not in visited:
                    stack.append((child, False))
        for node in topo:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(topo):
            if node._backward is not None:
                node._backward()


def grad_fn_trace(loss):
    nodes, stack = {loss.grad_fn}, [loss.grad_fn]
    indegree = {loss.grad_fn: 0}
    while stack:
        node = stack.pop()
        for child, _ in node.next_functions:
            if child is None:
                continue
            indegree[child] = indegree.get(child, 0) + 1
            if child not in nodes:
                nodes.add(child)
                stack.append(child)
    ready, names = deque([loss.grad_fn]), []
    while ready:
        node = ready.popleft()
        names.append(type(node).__name__)
        for child, _ in node.next_functions:
            if child is None:
                continue
            indegree[child] -= 1
            if indegree[child] == 0:
                ready.append(child)
    return names
