"""M13 reference: a central router. A coordinator follows the workers' handoffs; each worker is an M12 agent loop."""

from __future__ import annotations

import collections
import dataclasses
import json
import queue
import threading
from collections.abc import Callable, Mapping
from typing import Any

from llmpath.agents import Tool
from llmpath.agents.protocol import SYSTEM, USER, Message, Protocol, ProtocolError, Run

COORDINATOR = "coordinator"
WORKERS = ("catalog", "warehouse", "finance", "logistics")
ROLES = (COORDINATOR, *WORKERS)
PROTOCOL = Protocol(ROLES, [
    (USER, "task", COORDINATOR),
    *[(COORDINATOR, "request", worker) for worker in WORKERS],
    *[(worker, "reply", COORDINATOR) for worker in WORKERS],
    (SYSTEM, "timeout", COORDINATOR),
    (COORDINATOR, "result", USER),
    (SYSTEM, "failure", USER),
])

PROMPT = (
    "You are the {role} role of a shop's assistant team. Solve the user's task with your tools. Each reply must hold "
    'one JSON object: {{"tool": NAME, "arguments": {{...}}}} to call a tool, or {{"answer": TEXT}} when you are '
    "done. Earlier findings of other roles follow the task.\nYour tools:\n"
)
_DECODER = json.JSONDecoder()


def find_action(reply: str) -> dict[str, Any] | None:
    """The first JSON object in ``reply`` with the key "tool" or "answer" (None if there is none)."""
    start = reply.find("{")
    while start != -1:
        try:
            obj, _ = _DECODER.raw_decode(reply, start)
        except json.JSONDecodeError:
            obj = None
        if isinstance(obj, dict) and ("tool" in obj or "answer" in obj):
            return obj
        start = reply.find("{", start + 1)
    return None


_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
}


def validate(tool: Tool, arguments: Any) -> list[str]:
    """Every way ``arguments`` break ``tool``'s JSON Schema, each naming the argument."""
    if not isinstance(arguments, dict):
        return [f"'arguments' must be a JSON object, not {type(arguments).__name__}"]
    properties = tool.properties
    problems = [f"missing required argument '{name}'" for name in tool.required if name not in arguments]
    for name, value in arguments.items():
        schema = properties.get(name)
        if schema is None:
            problems.append(f"unexpected argument '{name}' (allowed: {', '.join(properties)})")
        elif not _TYPES[schema["type"]](value):
            problems.append(f"argument '{name}' must be of type {schema['type']}, got {json.dumps(value)}")
        elif "enum" in schema and value not in schema["enum"]:
            problems.append(f"argument '{name}' must be one of {schema['enum']}, got {json.dumps(value)}")
    return problems


class Worker:
    """A role with a model and its own tools: each request is one M12 run on a fresh conversation."""

    def __init__(self, name: str, model: Callable[[list[dict]], str], tools: list[Tool], role_steps: int = 8) -> None:
        self.name = name
        self.model = model
        self.tools = {tool.name: tool for tool in tools}
        self.role_steps = role_steps
        self.system = PROMPT.format(role=name) + "\n".join(json.dumps(tool.spec()) for tool in tools)

    def handle(self, message: Message) -> list[Message]:
        if message.kind != "request":
            return []
        content = message.content
        reply = self.solve(content["task"], list(content.get("context") or []))
        return [Message("", self.name, message.sender, "reply", reply, message.id)]

    def solve(self, task: str, context: list[str]) -> dict[str, str | None]:
        """The model's final answer (and the tool it needs, for a handoff), or why there is none."""
        messages = [{"role": "system", "content": self.system}, {"role": "user", "content": task}]
        messages += [{"role": "user", "content": text} for text in context]
        for _ in range(self.role_steps):
            try:
                reply = self.model(messages)
            except Exception as exc:  # a failing model is this role's failure, reported in its reply
                return {"answer": None, "needs": None, "error": f"the model raised {type(exc).__name__}: {exc}"}
            reply = reply if isinstance(reply, str) else str(reply)
            messages.append({"role": "assistant", "content": reply})
            action = find_action(reply)
            if action is None:
                messages.append({"role": "user", "content": 'Error: no action found. Reply with one JSON object, '
                                 '{"tool": NAME, "arguments": {...}} or {"answer": TEXT}.'})
                continue
            if "answer" in action and "tool" not in action:
                needs = action.get("needs")
                return {"answer": str(action["answer"]), "needs": needs if isinstance(needs, str) else None,
                        "error": None}
            messages.append({"role": "tool", "content": self.observe(action)})
        return {"answer": None, "needs": None, "error": f"max_steps ({self.role_steps}) reached without an answer"}

    def observe(self, action: dict[str, Any]) -> str:
        """Validate and run one tool call; the observation for the model (the output, or an error)."""
        name, arguments = action.get("tool"), action.get("arguments", {})
        tool = self.tools.get(name) if isinstance(name, str) else None
        if tool is None:
            return f"Error: unknown tool {json.dumps(name)}. Your tools: {', '.join(self.tools)}."
        problems = validate(tool, arguments)
        if problems:
            return f"Error: invalid call to {tool.name}: " + "; ".join(problems) + "."
        try:
            output = tool.function(**arguments)
        except Exception as exc:  # the tool's failure is the model's to read
            return f"Error: {tool.name} raised {type(exc).__name__}: {exc}"
        return json.dumps(output)


class Coordinator:
    """Routes the task: to the first worker, then to the holder of each tool a reply ``needs``; no model."""

    name = COORDINATOR

    def __init__(self, holders: Mapping[str, str], entry: str) -> None:
        self.holders = dict(holders)  # tool -> the role that holds it
        self.entry = entry
        self.task: Message | None = None
        self.found: list[str] = []
        self.asked: set[tuple[str, tuple[str, ...]]] = set()

    def handle(self, message: Message) -> list[Message]:
        if message.kind == "task":
            self.task, self.found, self.asked = message, [], set()
            return [self.request(self.entry)]
        content = message.content
        if message.kind == "timeout":
            return [self.result(None, content.get("error") or "no reply", content.get("role"))]
        if message.kind != "reply":
            return []
        if content.get("error") or content.get("answer") is None:
            return [self.result(None, f"{message.sender}: {content.get('error') or 'no answer'}", message.sender)]
        needs = content.get("needs")
        if needs is None:
            return [self.result(content["answer"], None, None)]
        self.found.append(content["answer"])
        role = self.holders.get(needs)
        if role is None or (role, tuple(self.found)) in self.asked:
            why = "no role holds it" if role is None else "that request was already made"
            return [self.result(None, f"{message.sender} needs {needs}: {why}", message.sender)]
        return [self.request(role)]

    def request(self, role: str) -> Message:
        assert self.task is not None
        self.asked.add((role, tuple(self.found)))
        content = {"task": self.task.content, "context": list(self.found)}
        return Message("", COORDINATOR, role, "request", content)

    def result(self, answer: str | None, error: str | None, role: str | None) -> Message:
        assert self.task is not None
        return Message("", COORDINATOR, USER, "result", {"answer": answer, "error": error, "role": role}, self.task.id)


def build_roles(models: Mapping[str, Any], tools: Mapping[str, list[Tool]], role_steps: int = 8) -> list[Any]:
    """The coordinator and one worker per role of the roster, each with its own model and tools."""
    holders = {tool.name: role for role in WORKERS for tool in tools[role]}
    workers = [Worker(role, models[role], list(tools[role]), role_steps) for role in WORKERS]
    return [Coordinator(holders, WORKERS[0]), *workers]


@dataclasses.dataclass
class _Delivery:
    """What one role did with one message: its messages, or the exception it raised, or nothing yet (hung)."""

    role: Any
    message: Message
    done: threading.Event = dataclasses.field(default_factory=threading.Event)
    out: list[Message] | None = None
    error: BaseException | None = None


class _Courier:
    """A background thread that runs deliveries one at a time; abandoned (and replaced) when a role hangs in it."""

    def __init__(self) -> None:
        self.inbox: queue.SimpleQueue[_Delivery] = queue.SimpleQueue()
        threading.Thread(target=self.loop, name="courier", daemon=True).start()

    def loop(self) -> None:
        while True:
            delivery = self.inbox.get()
            try:
                delivery.out = list(delivery.role.handle(delivery.message) or [])
            except Exception as exc:  # a crash of the role: reported by the system, never raised
                delivery.error = exc
            delivery.done.set()


class System:
    """Delivers one message at a time, in the order they were sent, on a courier thread waited for at most timeout_s."""

    def __init__(self, roles: list[Any], protocol: Protocol = PROTOCOL, max_messages: int = 40,
                 timeout_s: float = 5.0) -> None:
        self.roles = {role.name: role for role in roles}
        unknown = sorted(set(self.roles) - set(protocol.roles))
        if unknown:
            raise ValueError(f"roles {unknown} are not in the protocol's roles {protocol.roles}")
        self.protocol = protocol
        self.max_messages = max_messages
        self.timeout_s = timeout_s
        self.transcript: list[Message] = []
        self.queue: collections.deque[Message] = collections.deque()
        self.open: dict[str, Message] = {}  # request id -> request, until a reply or a timeout closes it
        self.task_id: str | None = None
        self.courier = _Courier()

    def check(self, message: Message) -> None:
        """The protocol's rules, then the conversation's state: replies answer an open request, results the task."""
        self.protocol.check(message)
        if message.kind in ("reply", "timeout"):
            request = self.open.get(message.in_reply_to or "")
            if request is None:
                raise ProtocolError(f"{message.kind} from {message.sender} answers {message.in_reply_to}, "
                                    "which is no open request")
            expected = request.recipient if message.kind == "reply" else SYSTEM
            if message.sender != expected or message.recipient != request.sender:
                raise ProtocolError(f"{message.kind} {message.sender} -> {message.recipient} cannot answer {request}")
        if message.kind in ("result", "failure") and message.in_reply_to != self.task_id:
            raise ProtocolError(f"a {message.kind} answers the task {self.task_id}, not {message.in_reply_to}")

    def send(self, message: Message) -> Message:
        """Check ``message`` (ProtocolError, nothing sent), then give it the next id and queue it."""
        self.check(message)
        if len(self.transcript) >= self.max_messages:
            raise OverflowError(f"message bound ({self.max_messages}) reached")
        stamped = dataclasses.replace(message, id=f"m{len(self.transcript) + 1}")
        self.transcript.append(stamped)
        self.queue.append(stamped)
        if stamped.kind == "request":
            self.open[stamped.id] = stamped
        elif stamped.kind in ("reply", "timeout"):
            self.open.pop(stamped.in_reply_to or "", None)
        return stamped

    def run(self, task: str) -> Run:
        self.transcript, self.queue, self.open, self.task_id = [], collections.deque(), {}, None
        last = COORDINATOR
        try:
            self.task_id = self.send(Message("", USER, COORDINATOR, "task", task)).id
            while True:
                while self.queue:
                    message = self.queue.popleft()
                    if message.recipient == USER:
                        return self.finish(message)
                    last = message.recipient
                    self.deliver(message)
                if not self.open:
                    self.fail(last, f"{last} sent nothing, and no message is on its way")
                for request in list(self.open.values()):  # nobody can answer these any more
                    self.time_out(request, f"{request.recipient} never replied")
        except OverflowError as exc:
            return Run(None, list(self.transcript), str(exc), None)

    def deliver(self, message: Message) -> None:
        name = message.recipient
        delivery = _Delivery(self.roles[name], message)
        self.courier.inbox.put(delivery)
        if not delivery.done.wait(self.timeout_s):  # hung: its messages, if they ever come, stay in `delivery`
            self.courier = _Courier()
            return self.fault(message, f"{name} did not answer within {self.timeout_s} s")
        if delivery.out is None:
            return self.fault(message, f"{name} crashed: {type(delivery.error).__name__}: {delivery.error}")
        try:
            for out in delivery.out:  # send is the one gate: a refused message is this role's fault
                if out.sender != name:
                    raise ProtocolError(f"{name} cannot send a message as {out.sender}")
                self.send(out)
        except ProtocolError as exc:
            return self.fault(message, f"{name} broke the protocol: {exc}")

    def fault(self, message: Message, error: str) -> None:
        """A role failed on ``message``: time out the request it was handling, or end the run."""
        if message.id in self.open:
            self.time_out(message, error)
        else:
            self.fail(message.recipient, error)

    def time_out(self, request: Message, error: str) -> None:
        self.send(Message("", SYSTEM, request.sender, "timeout", {"role": request.recipient, "error": error},
                          request.id))

    def fail(self, role: str, error: str) -> None:
        self.queue.clear()
        self.send(Message("", SYSTEM, USER, "failure", {"role": role, "error": error}, self.task_id))

    def finish(self, message: Message) -> Run:
        content = message.content
        if message.kind == "failure":
            return Run(None, list(self.transcript), content["error"], content.get("role"))
        error = content.get("error")
        return Run(content.get("answer") if error is None else None, list(self.transcript), error, content.get("role"))
