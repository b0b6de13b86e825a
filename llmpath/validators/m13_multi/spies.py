"""Spies for the M13 probes (child side): roles, models and tools that record what the learner's system did.

They only record; the verdicts decide. Everything is grouped per *task run* (``Recorder.begin``).
A spy stops a runaway system by raising `Runaway`, a BaseException (``except Exception`` in the
learner's code does not swallow it), after too many deliveries or model calls in one task run.

* ``SpyRole`` wraps each role the learner's ``build_roles`` made (or a fault role of the judge): it
  records every message delivered to it, and may inject messages through ``system.send`` (``inject``).
* ``SpyModel`` wraps each role's ``RoleModel``: per role it splits the calls into *model runs* (a
  call whose conversation does not extend the previous call of that role on that thread, with the
  reply appended verbatim, starts a new run) and keeps the replies, what was fed back after each, the
  system message and how the first conversation began. ``jitter`` adds a seeded delay to each call
  (latency must not matter).
* ``spy_tool`` records each execution with the model call that preceded it on the same thread
  (role, model run, turn): the evidence for "tools are used by the role that holds them".
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from llmpath.agents import Tool
from llmpath.validators.m12_agent.spies import extends, jsonable, message_pairs

DELIVERY_CAP = 400  # deliveries in one task run before the spy stops the system (max_messages is at most 200)
CALL_CAP = 600  # model calls in one task run (role_steps 8 x a few dozen requests at most)
MAX_MESSAGES = 300  # a conversation this long is no single request's: the spy answers STOPPED instead of the model
STOPPED = '{"answer": "stopped by llmpath: this conversation holds more than 300 messages"}'


OBSERVED = 400  # characters of each observation kept (the names an error must hold come first in any sane text)


class Runaway(BaseException):
    """The system kept delivering messages or calling models far beyond its bounds."""


def plain_message(message: Any) -> dict[str, Any]:
    """A message as plain data (``{"__repr__": ...}`` for something that is not a protocol Message)."""
    from llmpath.agents.protocol import Message

    if isinstance(message, Message):  # field by field: dataclasses.asdict deep-copies, too slow for thousands
        return {"id": jsonable(message.id), "sender": jsonable(message.sender),
                "recipient": jsonable(message.recipient), "kind": jsonable(message.kind),
                "content": jsonable(message.content), "in_reply_to": jsonable(message.in_reply_to)}
    return {"__repr__": f"{type(message).__name__}: {message!r}"[:300]}


class Recorder:
    """What the spies of one system saw, per task run. Thread-safe: systems may deliver from threads."""

    def __init__(self, jitter: int | None = None, jitter_ms: float = 2.0) -> None:
        self.lock = threading.Lock()
        self.local = threading.local()
        self.runs: list[dict[str, Any]] = []
        self.jitter = jitter
        self.jitter_ms = jitter_ms
        self.open: dict[tuple[str, int], dict[str, Any]] = {}  # (role, thread) -> its current model run
        self.begin()

    def begin(self) -> dict[str, Any]:
        """Open a new task run; what the spies see from now on belongs to it."""
        with self.lock:
            self.runs.append({"deliveries": [], "models": {}, "tools": [], "calls": 0, "runaway": None})
            self.open = {}
            return self.runs[-1]

    @property
    def current(self) -> dict[str, Any]:
        return self.runs[-1]

    def stop(self, why: str) -> None:
        self.current["runaway"] = self.current["runaway"] or why
        raise Runaway(why)

    def delay(self, *parts: object) -> None:
        """Sleep a seeded 0..jitter_ms ms (only when jitter is set): a model call's latency."""
        if self.jitter is None:
            return
        digest = hashlib.blake2b(repr((self.jitter, *parts)).encode(), digest_size=8).digest()
        time.sleep(int.from_bytes(digest, "big") % 1000 / 1000 * self.jitter_ms / 1000)


class SpyRole:
    """A role that records each delivery, then lets the wrapped role handle it."""

    def __init__(self, inner: Any, recorder: Recorder, name: str) -> None:
        self._inner = inner
        self._recorder = recorder
        self.name = name
        self.inject: Callable[[Any], None] | None = None  # called with each delivered message before handling

    def __getattr__(self, attr: str) -> Any:  # anything else the system reads comes from the wrapped role
        return getattr(self._inner, attr)

    def handle(self, message: Any) -> Any:
        rec = self._recorder
        with rec.lock:
            deliveries = rec.current["deliveries"]
            deliveries.append({"role": self.name, "message": plain_message(message)})
            over = len(deliveries) > DELIVERY_CAP
        if over:
            rec.stop(f"{len(deliveries)} deliveries in one run")
        if self.inject is not None:
            self.inject(message)
        return self._inner.handle(message)


def _new_run(pairs: list[tuple[Any, Any]] | None) -> dict[str, Any]:
    pairs = pairs or []
    first_reply = next((i for i, (role, _) in enumerate(pairs) if role == "assistant"), len(pairs))
    return {
        "replies": [], "observations": [], "n_calls": 0, "_last": None,
        "system": "\n".join(str(c) for r, c in pairs if r == "system"),
        "continued": first_reply < len(pairs),  # the first call already held assistant messages
        "context": [jsonable(c) for r, c in pairs[:first_reply] if r != "system"],
    }


class SpyModel:
    """Wraps one role's model; records its calls as model runs (see the module docstring)."""

    def __init__(self, inner: Callable[[Any], str], role: str, recorder: Recorder) -> None:
        self.inner = inner
        self.role = role
        self.recorder = recorder

    def __call__(self, messages: Any) -> str:
        rec = self.recorder
        pairs = message_pairs(messages)
        thread = threading.get_ident()
        with rec.lock:
            record = rec.current
            runs = record["models"].setdefault(self.role, [])
            run = rec.open.get((self.role, thread))
            if run is None or not run["replies"] or not extends(run["_last"], run["replies"][-1], pairs):
                run = _new_run(pairs)
                runs.append(run)
                rec.open[(self.role, thread)] = run
            else:  # what the role fed back after its model's previous reply (the reply itself left out)
                added = pairs[len(run["_last"]) + 1:] if pairs is not None else []
                run["observations"].append("\n".join(str(c) for r, c in added if r != "assistant")[:OBSERVED])
            run["_last"] = pairs
            run["n_calls"] += 1
            record["calls"] += 1
            calls = record["calls"]
            rec.local.last = (id(record), self.role, len(runs) - 1, run["n_calls"])
        if calls > CALL_CAP:
            rec.stop(f"{calls} model calls in one run")
        if pairs is not None and len(pairs) > MAX_MESSAGES:  # kept across requests: end it cheaply, the rules see it
            run["replies"].append(STOPPED)
            return STOPPED
        rec.delay(self.role, len(runs), run["n_calls"])
        try:
            reply = self.inner(messages)
        except Exception as exc:
            run["replies"].append({"raised": f"{type(exc).__name__}: {exc}"})
            raise
        run["replies"].append(reply)
        return reply


def spy_tool(tool: Tool, holder: str, recorder: Recorder) -> Tool:
    """``tool`` (held by ``holder``) whose function records each execution and the model call behind it."""
    names = list(tool.parameters["properties"])
    inner = tool.function

    def function(*args: Any, **kwargs: Any) -> Any:
        rec = recorder
        last = getattr(rec.local, "last", None)
        with rec.lock:
            record = rec.current
            by = list(last[1:]) if last is not None and last[0] == id(record) else None
            entry: dict[str, Any] = {"tool": tool.name, "holder": holder, "by": by, "positional": len(args),
                                     "arguments": jsonable(dict(zip(names, args, strict=False)) | kwargs)}
            record["tools"].append(entry)
        try:
            out = inner(*args, **kwargs)
        except Exception as exc:
            entry["raised"] = f"{type(exc).__name__}: {exc}"
            raise
        entry["result"] = jsonable(out)
        return out

    function.__name__ = tool.name
    return Tool(tool.name, tool.description, dict(tool.parameters), function)


def finished(record: Mapping[str, Any]) -> dict[str, Any]:
    """A task run's record as plain data (internal fields dropped)."""
    models = {role: [{k: v for k, v in run.items() if k != "_last"} for run in runs]
              for role, runs in record["models"].items()}
    return {"deliveries": record["deliveries"], "models": models, "tools": record["tools"],
            "runaway": record["runaway"]}
