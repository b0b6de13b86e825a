"""M13 variant: a relay without a coordinator. The catalog role takes the task, works on it, and asks its peers.

Written apart from the reference on purpose: no router role (the first worker is the relay head and
sends the result itself), roles as one class with a `head` flag, a JSON-mode worker loop (every
observation a tool message with a JSON envelope), `re.finditer` + `raw_decode` to find the action,
ids "msg-001", ..., and deliveries on a single-thread executor whose future is waited with a timeout.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import re
from collections import deque
from collections.abc import Mapping
from typing import Any

from llmpath.agents import Tool
from llmpath.agents.protocol import SYSTEM, USER, Message, Protocol, ProtocolError, Rule, Run

HEAD = "catalog"
PEERS = ("warehouse", "finance", "logistics")
ROLES = (HEAD, *PEERS)
PROTOCOL = Protocol(ROLES, [
    Rule(USER, "task", HEAD),
    *(Rule(HEAD, "request", peer) for peer in PEERS),
    *(Rule(peer, "reply", HEAD) for peer in PEERS),
    Rule(SYSTEM, "timeout", HEAD),
    Rule(HEAD, "result", USER),
    Rule(SYSTEM, "failure", USER),
])
_OPEN = re.compile(r"\{")
_DEC = json.JSONDecoder()
_CHECKS = {"string": lambda v: isinstance(v, str), "boolean": lambda v: isinstance(v, bool),
           "integer": lambda v: type(v) is int, "number": lambda v: type(v) in (int, float)}


def action_of(reply: str) -> dict | None:
    for match in _OPEN.finditer(reply):
        try:
            value, _ = _DEC.raw_decode(reply, match.start())
        except ValueError:
            continue
        if isinstance(value, dict) and ("tool" in value or "answer" in value):
            return value
    return None


class Peer:
    """A role of the roster; the head also takes the task, relays its peers' work, and sends the result."""

    def __init__(self, name: str, model: Any, tools: list[Tool], role_steps: int, holders: Mapping[str, str]) -> None:
        self.name, self.model, self.role_steps = name, model, role_steps
        self.tools = {t.name: t for t in tools}
        self.holders = holders
        self.system = json.dumps({"role": name, "tools": [t.spec() for t in tools],
                                  "format": 'reply {"tool": ..., "arguments": {...}} or {"answer": ...}'})
        self.task: Message | None = None
        self.found: list[str] = []

    def handle(self, message: Message) -> list[Message]:
        if message.kind == "request":
            return [Message("", self.name, message.sender, "reply", self.loop(message.content["task"],
                                                                              message.content.get("context") or []),
                            message.id)]
        if message.kind == "task":
            self.task, self.found = message, []
            return [self.next(self.loop(message.content, []), self.name)]
        if message.kind == "timeout":
            return [self.finish(None, message.content.get("error"), message.content.get("role"))]
        if message.kind == "reply":
            return [self.next(message.content, message.sender)]
        return []

    def next(self, outcome: Mapping[str, Any], by: str) -> Message:
        """What the head does with an outcome: the result, or a request to the holder of the needed tool."""
        if outcome.get("answer") is None:
            return self.finish(None, f"{by}: {outcome.get('error')}", by)
        needs = outcome.get("needs")
        if not needs:
            return self.finish(outcome["answer"], None, None)
        self.found.append(outcome["answer"])
        peer = self.holders.get(needs)
        if peer is None or peer == self.name:
            return self.finish(None, f"{by} needs {needs}, which no peer holds", by)
        assert self.task is not None
        return Message("", self.name, peer, "request", {"task": self.task.content, "context": list(self.found)})

    def finish(self, answer: str | None, error: str | None, role: str | None) -> Message:
        assert self.task is not None
        return Message("", self.name, USER, "result", {"answer": answer, "error": error, "role": role}, self.task.id)

    def loop(self, task: str, context: list[str]) -> dict[str, Any]:
        convo = [{"role": "system", "content": self.system}, {"role": "user", "content": task}]
        convo.extend({"role": "user", "content": c} for c in context)
        for _ in range(self.role_steps):
            try:
                reply = self.model(convo)
            except Exception as exc:  # this role has no answer
                return {"answer": None, "error": f"{type(exc).__name__} from the model: {exc}"}
            convo.append({"role": "assistant", "content": reply})
            act = action_of(reply) if isinstance(reply, str) else None
            if act is not None and "tool" not in act:
                needs = act.get("needs")
                return {"answer": str(act["answer"]), "needs": needs if isinstance(needs, str) else None}
            convo.append({"role": "tool", "content": json.dumps(self.envelope(act))})
        return {"answer": None, "error": "ran out of model calls"}

    def envelope(self, act: dict | None) -> dict[str, Any]:
        if act is None:
            return {"ok": False, "error": "no action found: reply with a JSON object with 'tool' or 'answer'"}
        tool = self.tools.get(act["tool"]) if isinstance(act["tool"], str) else None
        if tool is None:
            return {"ok": False, "error": f"unknown tool {act['tool']!r}; yours: {sorted(self.tools)}"}
        args = act.get("arguments", {})
        if not isinstance(args, dict):
            return {"ok": False, "error": "arguments must be an object"}
        bad = [n for n in tool.required if n not in args]
        bad += [n for n, v in args.items() if n not in tool.properties or not _CHECKS[tool.properties[n]["type"]](v)
                or v not in tool.properties[n].get("enum", [v])]
        if bad:
            return {"ok": False, "error": f"bad arguments for {tool.name}: {', '.join(bad)}"}
        try:
            return {"ok": True, "output": tool.function(**args)}
        except Exception as exc:  # the model reads what the tool raised
            return {"ok": False, "error": f"{tool.name} raised {type(exc).__name__}: {exc}"}


def build_roles(models: Mapping[str, Any], tools: Mapping[str, list[Tool]], role_steps: int = 8) -> list[Any]:
    holders = {t.name: r for r in ROLES for t in tools[r]}
    return [Peer(r, models[r], list(tools[r]), role_steps, holders) for r in ROLES]


class System:
    """A FIFO of messages; each delivery runs on a one-thread executor and is waited for at most timeout_s."""

    def __init__(self, roles: list[Any], protocol: Protocol = PROTOCOL, max_messages: int = 40,
                 timeout_s: float = 5.0) -> None:
        self.by_name = {r.name: r for r in roles}
        self.protocol, self.max_messages, self.timeout_s = protocol, max_messages, timeout_s
        self.executor = cf.ThreadPoolExecutor(max_workers=1)
        self.sent: list[Message] = []
        self.fifo: deque[Message] = deque()
        self.unanswered: dict[str, Message] = {}

    def admissible(self, m: Message) -> None:
        self.protocol.check(m)
        if m.kind == "reply" or m.kind == "timeout":
            req = self.unanswered.get(m.in_reply_to or "")
            if req is None or m.recipient != req.sender or (m.kind == "reply" and m.sender != req.recipient):
                raise ProtocolError(f"{m.kind} {m.sender} -> {m.recipient} answers no open request of theirs")
        if m.kind in ("result", "failure") and (not self.sent or m.in_reply_to != self.sent[0].id):
            raise ProtocolError("results answer the task")

    def send(self, message: Message) -> Message:
        self.admissible(message)
        if len(self.sent) + 1 > self.max_messages:
            raise OverflowError(f"message bound ({self.max_messages}) reached")
        m = Message(f"msg-{len(self.sent) + 1:03d}", message.sender, message.recipient, message.kind,
                    message.content, message.in_reply_to)
        self.sent.append(m)
        self.fifo.append(m)
        if m.kind == "request":
            self.unanswered[m.id] = m
        elif m.kind in ("reply", "timeout"):
            del self.unanswered[m.in_reply_to or ""]
        return m

    def run(self, task: str) -> Run:
        self.sent, self.fifo, self.unanswered = [], deque(), {}
        try:
            self.send(Message("", USER, HEAD, "task", task))
            while self.fifo or self.unanswered:
                if not self.fifo:
                    for req in list(self.unanswered.values()):
                        self.time_out(req, f"{req.recipient} sent no reply")
                    continue
                m = self.fifo.popleft()
                if m.recipient == USER:
                    c = m.content
                    return Run(c.get("answer"), list(self.sent), c.get("error"), c.get("role"))
                failed = self.deliver(m)
                if failed is not None:
                    return failed
            return self.fail(HEAD, f"{HEAD} stopped without a result")
        except OverflowError as exc:
            return Run(None, list(self.sent), str(exc), None)

    def deliver(self, m: Message) -> Run | None:
        role = m.recipient
        future = self.executor.submit(self.by_name[role].handle, m)
        try:
            out = list(future.result(timeout=self.timeout_s) or [])
            for o in out:
                if o.sender != role:
                    raise ProtocolError(f"{role} impersonates {o.sender}")
                self.admissible(o)
        except cf.TimeoutError:
            self.executor = cf.ThreadPoolExecutor(max_workers=1)
            return self.broken(m, f"{role} gave no answer in {self.timeout_s} s")
        except ProtocolError as exc:
            return self.broken(m, f"{role} broke the protocol: {exc}")
        except Exception as exc:  # the role crashed
            return self.broken(m, f"{role} crashed ({type(exc).__name__}: {exc})")
        for o in out:
            self.send(o)
        return None

    def broken(self, m: Message, error: str) -> Run | None:
        if m.id in self.unanswered:
            self.time_out(m, error)
            return None
        return self.fail(m.recipient, error)

    def time_out(self, req: Message, error: str) -> None:
        self.send(Message("", SYSTEM, req.sender, "timeout", {"role": req.recipient, "error": error}, req.id))

    def fail(self, role: str, error: str) -> Run:
        self.send(Message("", SYSTEM, USER, "failure", {"role": role, "error": error}, self.sent[0].id))
        return Run(None, list(self.sent), error, role)
