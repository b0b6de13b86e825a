"""A correct variant: each Value stores its op name and operands; derivatives live in one table;
backward walks a DFS post-order built without recursion. grad_fn_trace likewise."""

import math

# op -> function(out, *operands, arg) returning the local derivative wrt each operand
RULES = {
    "+": lambda out, a, b, arg: (1.0, 1.0),
    "*": lambda out, a, b, arg: (b.data, a.data),
    "/": lambda out, a, b, arg: (1.0 / b.data, -a.data / b.data**2),
    "**": lambda out, a, arg: (arg * a.data ** (arg - 1),),
    "relu": lambda out, a, arg: (1.0 if a.data > 0 else 0.0,),
    "tanh": lambda out, a, arg: (1.0 - out.data**2,),
    "exp": lambda out, a, arg: (out.data,),
    "log": lambda out, a, arg: (1.0 / a.data,),
}


def _v(x):
    return x if isinstance(x, Value) else Value(x)


class Value:
    def __init__(self, data, _children=(), _op="", _arg=None):
        self.data = data
        self.grad = 0
        self._operands = tuple(_children)
        self._prev = set(_children)
        self._op = _op
        self._arg = _arg

    def __add__(self, o):
        o = _v(o)
        return Value(self.data + o.data, (self, o), "+")

    def __mul__(self, o):
        o = _v(o)
        return Value(self.data * o.data, (self, o), "*")

    def __truediv__(self, o):
        o = _v(o)
        return Value(self.data / o.data, (self, o), "/")

    def __pow__(self, k):
        return Value(self.data**k, (self,), "**", k)

    def relu(self):
        return Value(max(0.0, self.data), (self,), "relu")

    def tanh(self):
        return Value(math.tanh(self.data), (self,), "tanh")

    def exp(self):
        return Value(math.exp(self.data), (self,), "exp")

    def log(self):
        return Value(math.log(self.data), (self,), "log")

    def __neg__(self):
        return self * -1

    def __sub__(self, o):
        return self + -_v(o)

    __radd__ = __add__
    __rmul__ = __mul__

    def __rsub__(self, o):
        return _v(o) + -self

    def __rtruediv__(self, o):
        return _v(o) / self

    def backward(self):
        order, done, stack = [], set(), [self]
        while stack:
            node = stack[-1]
            pending = [c for c in node._operands if c not in done]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            if node not in done:
                done.add(node)
                order.append(node)
        self.grad = 1
        for node in reversed(order):
            if node._op:
                locals_ = RULES[node._op](node, *node._operands, node._arg)
                for child, local in zip(node._operands, locals_):
                    child.grad += local * node.grad


def grad_fn_trace(loss):
    order, done, stack = [], set(), [loss.grad_fn]
    while stack:
        node = stack[-1]
        pending = [c for c, _ in node.next_functions if c is not None and c not in done]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        if node not in done:
            done.add(node)
            order.append(node)
    return [type(n).__name__ for n in reversed(order)]
