"""Classic autograd bugs as one-place patches on ``reference/autograd.py``.

Bugs whose name starts with ``trace_`` break ``grad_fn_trace`` (judged by m4.grad_fn_trace); the
others break ``Value`` (judged by m4.value).
"""

from tests.judgeutil import Bug

BUGS = [
    Bug(
        "grad_overwritten",
        "            self.grad += out.grad\n            other.grad += out.grad\n",
        "            self.grad = out.grad\n            other.grad = out.grad\n",
        expect="gradients are overwritten where a value is used twice",
    ),
    Bug(
        "grad_overwritten_in_mul",
        "            self.grad += other.data * out.grad\n",
        "            self.grad = other.data * out.grad\n",
        expect="gradients are overwritten",
    ),
    Bug("grad_starts_at_one", "        self.grad = 0.0\n", "        self.grad = 1.0\n", expect="gradients must start at 0"),
    Bug("root_not_seeded", "        self.grad = 1.0\n        for node", "        for node", expect="the root is not seeded"),
    Bug(
        "div_derivative_sign",
        "other.grad += -self.data / other.data**2 * out.grad",
        "other.grad += self.data / other.data**2 * out.grad",
        expect="d(a / b)/db is wrong",
    ),
    Bug(
        "topo_not_reversed",
        "        for node in reversed(order):\n            node._backward()",
        "        for node in order:\n            node._backward()",
        expect="backward runs nodes before their consumers",
    ),
    Bug(
        "topo_is_bfs",
        "        order, seen = [], set()\n\n        def visit(node):\n            if node in seen:\n                return\n"
        "            seen.add(node)\n            for child in node._prev:\n                visit(child)\n"
        "            order.append(node)\n\n        visit(self)\n",
        "        order, seen, queue = [self], {self}, [self]\n        while queue:\n            node = queue.pop(0)\n"
        "            for child in node._prev:\n                if child not in seen:\n"
        "                    seen.add(child)\n                    order.append(child)\n"
        "                    queue.append(child)\n        order.reverse()\n",
        expect="the topological order is wrong",
    ),
    Bug(
        "relu_passes_negative",
        "self.grad += (1.0 if self.data > 0 else 0.0) * out.grad",
        "self.grad += out.grad",
        expect="relu passes gradient where its input is negative",
    ),
    Bug("rsub_swapped", "return Value._lift(other) - self", "return self - Value._lift(other)", expect="__rsub__ has its operands swapped"),
    Bug("rtruediv_swapped", "return Value._lift(other) / self", "return self / Value._lift(other)", expect="__rtruediv__ has its operands swapped"),
    Bug(
        "pow_missing_exponent",
        "self.grad += exponent * self.data ** (exponent - 1) * out.grad",
        "self.grad += self.data ** (exponent - 1) * out.grad",
        expect="pow's derivative is missing the exponent",
    ),
    Bug("tanh_derivative", "self.grad += (1 - t * t) * out.grad", "self.grad += (1 - t) * out.grad", expect="1 - tanh(a)**2"),
    Bug("exp_ignores_out_grad", "self.grad += e * out.grad", "self.grad += e", expect="ignores out.grad"),
    Bug("log_derivative", "self.grad += out.grad / self.data", "self.grad += out.grad * self.data", expect="d(a.log())/da is wrong"),
    Bug("neg_is_identity", "return self * -1.0", "return self * 1.0", expect="__neg__"),
    Bug(
        "mul_derivative_swapped",
        "self.grad += other.data * out.grad",
        "self.grad += self.data * out.grad",
        expect="d(a * b)/da is wrong",
    ),
    # grad_fn_trace
    Bug(
        "trace_bfs",
        "    post, seen = [], set()\n\n    def visit(node):\n        if node in seen:\n            return\n"
        "        seen.add(node)\n        for child, _ in node.next_functions:\n            if child is not None:\n"
        "                visit(child)\n        post.append(node)\n\n    visit(loss.grad_fn)\n"
        "    return [type(node).__name__ for node in reversed(post)]",
        "    order, seen, queue = [loss.grad_fn], {loss.grad_fn}, [loss.grad_fn]\n    while queue:\n"
        "        node = queue.pop(0)\n        for child, _ in node.next_functions:\n"
        "            if child is not None and child not in seen:\n                seen.add(child)\n"
        "                order.append(child)\n                queue.append(child)\n"
        "    return [type(node).__name__ for node in order]",
        expect="use a topological sort",
    ),
    Bug(
        "trace_preorder",
        "        seen.add(node)\n        for child, _ in node.next_functions:\n            if child is not None:\n"
        "                visit(child)\n        post.append(node)\n\n    visit(loss.grad_fn)\n"
        "    return [type(node).__name__ for node in reversed(post)]",
        "        seen.add(node)\n        post.append(node)\n        for child, _ in node.next_functions:\n"
        "            if child is not None:\n                visit(child)\n\n    visit(loss.grad_fn)\n"
        "    return [type(node).__name__ for node in post]",
        expect="a node was listed before all of its consumers",
    ),
    Bug(
        "trace_no_visited_set",
        "    def visit(node):\n        if node in seen:\n            return\n",
        "    def visit(node):\n",
        expect="listed more than once",
    ),
    Bug(
        "trace_skips_accumulate_grad",
        "        post.append(node)\n",
        "        if type(node).__name__ != 'AccumulateGrad':\n            post.append(node)\n",
        expect="AccumulateGrad nodes are missing",
    ),
    Bug(
        "trace_node_name",
        "return [type(node).__name__ for node in reversed(post)]",
        "return [node.name() for node in reversed(post)]",
        expect="type(node).__name__",
    ),
    Bug(
        "trace_leaves_first",
        "return [type(node).__name__ for node in reversed(post)]",
        "return [type(node).__name__ for node in post]",
        expect="the order is reversed",
    ),
]
