"""m4.grad_fn_trace: the learner's listing of torch's backward graph, judged against the real graph."""

from __future__ import annotations

from collections import Counter
from typing import Any

from llmpath.validators.api import BadOutput, ProbeContext, Verdict, VerdictContext
from llmpath.validators.m4_autograd.ops import FILE


def models(torch: Any, seed: int) -> list[tuple[str, Any]]:
    """Three small models and their losses (graph structure does not depend on the values)."""
    F = torch.nn.functional
    g = torch.Generator().manual_seed(seed)

    def r(*shape: int, grad: bool = False) -> Any:
        return torch.randn(*shape, generator=g, dtype=torch.float64, requires_grad=grad)

    x, y = r(6, 4), r(6, 3)
    W1, b1, W2, b2 = r(8, 4, grad=True), r(8, grad=True), r(3, 8, grad=True), r(3, grad=True)
    mlp = F.mse_loss(F.linear(torch.relu(F.linear(x, W1, b1)), W2, b2), y)
    x2, t = r(10, 5), (r(10) > 0).double()
    w, b = r(5, grad=True), r(1, grad=True)
    prob = torch.sigmoid(x2 @ w + b)  # used twice below: reachable by a short and a long path
    logreg = -(t * torch.log(prob) + (1 - t) * torch.log(1 - prob)).mean()
    x3, W = r(5, 4), r(4, 4, grad=True)
    h = torch.tanh(x3 @ W)
    shared = (h + torch.tanh(h @ W)).pow(2).mean()  # W used twice, h reused through a skip
    return [
        ("MLP 4-8-3 with ReLU and MSE loss", mlp),
        ("logistic regression with a hand-written cross-entropy", logreg),
        ("a tanh layer whose weight is used twice, with a skip connection", shared),
    ]


def _probe_trace(ctx: ProbeContext) -> dict:
    import torch

    module = ctx.load(FILE)
    fn = ctx.get(module, "grad_fn_trace")
    out = []
    for _name, loss in models(torch, ctx.seed):
        got = fn(loss)
        out.append(list(got) if isinstance(got, (list, tuple)) else got)
    return {"traces": out}


def graph(loss: Any) -> tuple[list[Any], dict[Any, list[Any]]]:
    """Every node reachable from loss.grad_fn, and each node's consumers (the nodes that list it)."""
    nodes, consumers, stack = [loss.grad_fn], {loss.grad_fn: []}, [loss.grad_fn]
    while stack:
        node = stack.pop()
        for child, _ in node.next_functions:
            if child is None:
                continue
            if child not in consumers:
                consumers[child] = []
                nodes.append(child)
                stack.append(child)
            if node not in consumers[child]:
                consumers[child].append(node)
    return nodes, consumers


def topological_match(names: list[str], nodes: list[Any], consumers: dict[Any, list[Any]]) -> tuple[bool, int]:
    """Can the nodes be put in the order ``names`` so that each follows all of its consumers?

    Names repeat (two ``AccumulateGrad``), so this searches the assignments (memoized on the set of
    nodes placed; the graphs are small). Returns (possible, the longest prefix that can be placed).
    """
    index = {n: i for i, n in enumerate(nodes)}
    need = [sum(1 << index[c] for c in consumers[n]) for n in nodes]
    kind = [type(n).__name__ for n in nodes]
    failed: set[int] = set()
    best = [0]

    def place(done: int, pos: int) -> bool:
        best[0] = max(best[0], pos)
        if pos == len(names):
            return True
        if done in failed:
            return False
        for i in range(len(nodes)):
            if not done >> i & 1 and kind[i] == names[pos] and need[i] & done == need[i]:
                if place(done | 1 << i, pos + 1):
                    return True
        failed.add(done)
        return False

    return place(0, 0), best[0]


def judge_trace(name: str, got: Any, loss: Any) -> tuple[str, str | None] | None:
    nodes, consumers = graph(loss)
    real = Counter(type(n).__name__ for n in nodes)
    root = type(loss.grad_fn).__name__
    if not isinstance(got, list) or not all(isinstance(s, str) for s in got):
        return f"{name}: grad_fn_trace returned {type(got).__name__}, expected a list of str", None
    have = Counter(got)
    if have != real:
        missing, extra = real - have, have - real
        parts = []
        if missing:
            parts.append("missing " + ", ".join(f"{k} x{v}" for k, v in sorted(missing.items())))
        if extra:
            parts.append("not in the graph " + ", ".join(f"{k} x{v}" for k, v in sorted(extra.items())))
        msg = f"{name}: the names differ from the real graph's ({len(nodes)} nodes): {'; '.join(parts)}"
        if any("::" in k for k in extra):
            return msg, "use type(node).__name__: node.name() gives 'torch::autograd::AccumulateGrad'"
        if missing.get("AccumulateGrad") and not have.get("AccumulateGrad"):
            return msg, "AccumulateGrad nodes are missing: each leaf that requires grad has one, and it is a node too"
        if not missing and set(extra) <= set(real):
            return (
                msg,
                "nodes are listed more than once: a node reachable by several paths appears once (keep a visited set)",
            )
        return msg, None
    if got[0] != root:
        ok_rev, _ = topological_match(got[::-1], nodes, consumers)
        diag = "the order is reversed (leaves first): list loss.grad_fn first" if ok_rev else None
        return f"{name}: the trace starts with {got[0]}, expected loss.grad_fn ({root})", diag
    ok, placed = topological_match(got, nodes, consumers)
    if ok:
        return None
    return (
        f"{name}: not a topological order: {got[placed]} at position {placed} comes before some node that lists "
        f"it in next_functions (order: {', '.join(got)})",
        "a node was listed before all of its consumers: BFS or DFS pre-order breaks when a node is reachable by "
        "a short and a long path; use a topological sort (reverse of a DFS post-order, or Kahn's algorithm)",
    )


def verdict_trace(raw: dict, ctx: VerdictContext) -> Verdict:
    import torch

    traces = raw.get("traces")
    built = models(torch, ctx.seed)
    if not isinstance(traces, list) or len(traces) != len(built):
        raise BadOutput("the probe returned no trace for some model")
    failures = [f for (name, loss), got in zip(built, traces) if (f := judge_trace(name, got, loss)) is not None]
    if not failures:
        return Verdict.passed(
            f"grad_fn_trace lists every node once in a topological order on {len(built)} models "
            f"({', '.join(n for n, _ in built)})"
        )
    return Verdict.failed(
        f"grad_fn_trace is wrong on {len(failures)} of {len(built)} models",
        *(f[0] for f in failures),
        diagnosis=next((f[1] for f in failures if f[1]), None),
    )
