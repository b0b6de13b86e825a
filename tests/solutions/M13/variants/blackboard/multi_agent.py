"""M13 variant: a blackboard. A board broadcasts each round to every worker; the facts found so far live on the board.

Written apart from the reference on purpose: broadcast requests (a Rule to "*"), a round of replies
collected per broadcast, a ReAct-style worker loop with observations as user messages, a hand-written
brace scanner, ids "b-1", "b-2", ..., deliveries of a broadcast run concurrently on a thread pool and
are collected in roster order (never in completion order), with one deadline per round.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
from collections.abc import Mapping
from typing import Any

from llmpath.agents import Tool
from llmpath.agents.protocol import BROADCAST, SYSTEM, USER, Message, Protocol, ProtocolError, Rule, Run

BOARD = "board"
WORKERS = ("catalog", "warehouse", "finance", "logistics")
ROLES = (BOARD, *WORKERS)
PROTOCOL = Protocol(ROLES, [
    Rule(USER, "task", BOARD),
    Rule(BOARD, "request", BROADCAST),
    *(Rule(w, "reply", BOARD) for w in WORKERS),
    Rule(SYSTEM, "timeout", BOARD),
    Rule(BOARD, "result", USER),
    Rule(SYSTEM, "failure", USER),
])


def scan(text: str) -> dict | None:
    """The first balanced {...} that decodes to an object with "tool" or "answer" (strings and escapes respected)."""
    for start, ch in enumerate(text):
        if ch != "{":
            continue
        depth, in_string, escaped = 0, False, False
        for end in range(start, len(text)):
            c = text[end]
            if in_string:
                escaped, in_string = (False, in_string) if escaped else (c == "\\", c != '"')
            elif c == '"':
                in_string = True
            elif c in "{}":
                depth += 1 if c == "{" else -1
                if depth == 0:
                    try:
                        obj = json.loads(text[start:end + 1])
                    except ValueError:
                        obj = None
                    if isinstance(obj, dict) and ({"tool", "answer"} & obj.keys()):
                        return obj
                    break
    return None


def problems_with(tool: Tool, arguments: object) -> list[str]:
    if not isinstance(arguments, dict):
        return ["arguments must be an object"]
    kinds = {"string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,)}
    out = [f"'{n}' is missing" for n in tool.required if n not in arguments]
    for name, value in arguments.items():
        spec = tool.properties.get(name)
        if spec is None:
            out.append(f"'{name}' is not an argument of {tool.name}")
        elif not isinstance(value, kinds[spec["type"]]) or (isinstance(value, bool) and spec["type"] != "boolean"):
            out.append(f"'{name}' must be a {spec['type']}")
        elif value not in spec.get("enum", [value]):
            out.append(f"'{name}' must be one of {spec['enum']}")
    return out


class Worker:
    """Answers every broadcast with one ReAct-style run of its model over its own tools."""

    def __init__(self, name: str, model: Any, tools: list[Tool], role_steps: int) -> None:
        self.name, self.model, self.role_steps = name, model, role_steps
        self.tools = {t.name: t for t in tools}
        specs = "\n".join(json.dumps(t.spec()) for t in tools)
        self.prompt = f"Role {name}. Answer with one JSON action per reply: a tool call or an answer.\n{specs}"

    def handle(self, message: Message) -> list[Message]:
        if message.kind != "request":
            return []
        return [Message("", self.name, message.sender, "reply", self.work(message.content), message.id)]

    def work(self, content: Mapping[str, Any]) -> dict[str, Any]:
        history = [{"role": "system", "content": self.prompt}, {"role": "user", "content": content["task"]}]
        history += [{"role": "user", "content": fact} for fact in content.get("context") or []]
        steps = 0
        while steps < self.role_steps:
            steps += 1
            try:
                text = self.model(history)
            except Exception as exc:  # the model failed: this role has no answer
                return {"error": f"model failure: {type(exc).__name__}: {exc}"}
            history.append({"role": "assistant", "content": text})
            action = scan(text) if isinstance(text, str) else None
            if action is not None and "tool" not in action:
                needs = action.get("needs")
                return {"answer": str(action["answer"]), "needs": needs if isinstance(needs, str) else None}
            history.append({"role": "user", "content": "Observation: " + self.act(action)})
        return {"error": f"no answer after {self.role_steps} model calls"}

    def act(self, action: dict | None) -> str:
        if action is None:
            return "error: the reply holds no JSON action with 'tool' or 'answer'"
        tool = self.tools.get(action["tool"]) if isinstance(action["tool"], str) else None
        if tool is None:
            return f"error: {json.dumps(action['tool'])} is not one of your tools ({', '.join(self.tools)})"
        args = action.get("arguments", {})
        wrong = problems_with(tool, args)
        if wrong:
            return f"error: invalid arguments for {tool.name}: {'; '.join(wrong)}"
        try:
            return json.dumps(tool.function(**args))
        except Exception as exc:  # the model reads the tool's exception
            return f"error: {tool.name} raised {type(exc).__name__}: {exc}"


class Board:
    """Keeps the task and the facts found so far; broadcasts a round, then takes the reply of the role that acted."""

    name = BOARD

    def __init__(self, holders: Mapping[str, str]) -> None:
        self.holders = dict(holders)
        self.task: Message | None = None
        self.facts: list[str] = []
        self.round: dict[str, Mapping[str, Any]] = {}

    def handle(self, message: Message) -> list[Message]:
        if message.kind == "task":
            self.task, self.facts = message, []
            return [self.broadcast()]
        content = message.content
        sender = content.get("role") if message.kind == "timeout" else message.sender
        self.round[str(sender)] = {"error": content.get("error")} if message.kind == "timeout" else content
        if len(self.round) < len(WORKERS):
            return []
        return [self.decide()]

    def broadcast(self) -> Message:
        assert self.task is not None
        self.round = {}
        return Message("", BOARD, BROADCAST, "request", {"task": self.task.content, "context": list(self.facts)})

    def decide(self) -> Message:
        replies = [(w, self.round[w]) for w in WORKERS]
        for role, reply in replies:
            if reply.get("error") or reply.get("answer") is None:
                return self.result(None, f"{role}: {reply.get('error') or 'no answer'}", role)
        wanted = [r["needs"] for _, r in replies if r.get("needs")]
        if len(wanted) < len(replies):  # somebody answered: the holder of the needed tool, or everyone (no tool)
            needed = max(wanted, key=wanted.count) if wanted else None
            role = self.holders.get(needed, "") if needed else next(w for w, r in replies if not r.get("needs"))
            reply = self.round.get(role) or {}
            if not reply.get("needs"):
                return self.result(reply.get("answer"), None if reply.get("answer") else "no answer", None)
        else:
            needed = max(wanted, key=wanted.count)
            role = self.holders.get(needed, "")
        reply = self.round.get(role)
        if reply is None:
            return self.result(None, f"nobody holds {needed}", None)
        self.facts.append(str(reply["answer"]))
        return self.broadcast()

    def result(self, answer: str | None, error: str | None, role: str | None) -> Message:
        assert self.task is not None
        return Message("", BOARD, USER, "result", {"answer": answer, "error": error, "role": role}, self.task.id)


def build_roles(models: Mapping[str, Any], tools: Mapping[str, list[Tool]], role_steps: int = 8) -> list[Any]:
    holders = {t.name: w for w in WORKERS for t in tools[w]}
    return [Board(holders), *(Worker(w, models[w], list(tools[w]), role_steps) for w in WORKERS)]


class System:
    """One message at a time; a broadcast is delivered to all its recipients at once, their answers kept in order."""

    def __init__(self, roles: list[Any], protocol: Protocol = PROTOCOL, max_messages: int = 40,
                 timeout_s: float = 5.0) -> None:
        self.roles = {r.name: r for r in roles}
        self.protocol, self.max_messages, self.timeout_s = protocol, max_messages, timeout_s
        self.pool = cf.ThreadPoolExecutor(max_workers=len(self.roles))
        self.log: list[Message] = []
        self.pending: list[Message] = []
        self.waiting: dict[str, set[str]] = {}  # request id -> the roles that still owe it an answer
        self.task: Message | None = None

    def validate(self, m: Message) -> None:
        self.protocol.check(m)
        if m.kind in ("reply", "timeout"):
            owed = self.waiting.get(m.in_reply_to or "", set())
            party = m.sender if m.kind == "reply" else m.content.get("role")
            if party not in owed:
                raise ProtocolError(f"{m.kind} to {m.in_reply_to} from {party}: no such open request")
        if m.kind in ("result", "failure") and (self.task is None or m.in_reply_to != self.task.id):
            raise ProtocolError(f"a {m.kind} must answer the task")

    def send(self, message: Message) -> Message:
        self.validate(message)
        if len(self.log) == self.max_messages:
            raise OverflowError(f"message bound ({self.max_messages}) reached")
        m = Message(f"b-{len(self.log) + 1}", message.sender, message.recipient, message.kind, message.content,
                    message.in_reply_to)
        self.log.append(m)
        self.pending.append(m)
        if m.kind == "request":
            self.waiting[m.id] = {m.recipient} if m.recipient != BROADCAST else set(self.roles) - {m.sender}
        elif m.kind == "reply":
            self.waiting[m.in_reply_to or ""].discard(m.sender)
        elif m.kind == "timeout":
            self.waiting[m.in_reply_to or ""].discard(m.content["role"])
        return m

    def run(self, task: str) -> Run:
        self.log, self.pending, self.waiting, self.task = [], [], {}, None
        try:
            self.task = self.send(Message("", USER, BOARD, "task", task))
            while self.pending or any(self.waiting.values()):
                if not self.pending:  # nothing in flight: whoever still owes an answer never will
                    for rid, owed in list(self.waiting.items()):
                        request = next(m for m in self.log if m.id == rid)
                        for role in sorted(owed):
                            self.send(Message("", SYSTEM, request.sender, "timeout",
                                              {"role": role, "error": f"{role} never replied"}, rid))
                    continue
                m = self.pending.pop(0)
                if m.recipient == USER:
                    return Run(m.content.get("answer"), list(self.log), m.content.get("error"), m.content.get("role"))
                self.dispatch(m)
            return self.end(BOARD, "the board sent nothing")
        except OverflowError as exc:
            return Run(None, list(self.log), str(exc))
        except _Ended as ended:
            return ended.run

    def dispatch(self, m: Message) -> None:
        names = [n for n in self.roles if n != m.sender] if m.recipient == BROADCAST else [m.recipient]
        futures = [(n, self.pool.submit(self.roles[n].handle, m)) for n in names]
        outs: list[tuple[str, list[Message] | None, str]] = []
        for name, future in futures:  # collected in roster order, whatever finished first
            try:
                outs.append((name, list(future.result(timeout=self.timeout_s) or []), ""))
            except cf.TimeoutError:
                self.pool = cf.ThreadPoolExecutor(max_workers=len(self.roles))  # leave the hung thread behind
                outs.append((name, None, f"{name} did not answer within {self.timeout_s} s"))
            except Exception as exc:  # the role crashed
                outs.append((name, None, f"{name} crashed: {type(exc).__name__}: {exc}"))
        for name, out, error in outs:
            try:
                for o in out or []:
                    if o.sender != name:
                        raise ProtocolError(f"{name} sent a message as {o.sender}")
                    self.validate(o)
            except ProtocolError as exc:
                out, error = None, f"{name} broke the protocol: {exc}"
            if out is None and m.kind == "request":
                self.send(Message("", SYSTEM, m.sender, "timeout", {"role": name, "error": error}, m.id))
            elif out is None:
                raise _Ended(self.end(name, error))
            for o in out or []:
                self.send(o)

    def end(self, role: str, error: str) -> Run:
        assert self.task is not None
        self.send(Message("", SYSTEM, USER, "failure", {"role": role, "error": error}, self.task.id))
        return Run(None, list(self.log), error, role)


class _Ended(Exception):
    def __init__(self, run: Run) -> None:
        super().__init__(run.error)
        self.run = run
