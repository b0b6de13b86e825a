"""Building the learner's system with spies, and running one task under a deadline (child side).

The contract (``milestones/M13/multi_agent.py``): ``ROLES``, ``PROTOCOL`` (a
``llmpath.agents.protocol.Protocol`` over ROLES), ``build_roles(models, tools, role_steps=8)`` and
``System(roles, protocol, max_messages=40, timeout_s=5.0)`` with ``send(message)`` and ``run(task) -> Run``.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Mapping
from typing import Any

from llmpath.validators.api import ContractError, ProbeContext
from llmpath.validators.m12_agent.spies import jsonable
from llmpath.validators.m13_multi.spies import Recorder, Runaway, SpyModel, SpyRole, finished, plain_message, spy_tool

FILE = "multi_agent.py"
DEADLINE_S = 20.0  # a run that has not returned by then is hung (the system's own timeouts are far shorter)


@dataclasses.dataclass
class Contract:
    roles: tuple[str, ...]
    protocol: Any
    build_roles: Any
    system: Any

    def rules(self) -> list[list[str]]:
        return [[r.sender, r.kind, r.recipient] for r in self.protocol.rules]


def load(ctx: ProbeContext) -> Contract:
    from llmpath.agents import WORKERS, Protocol

    module = ctx.load(FILE)
    roles, protocol = ctx.get(module, "ROLES"), ctx.get(module, "PROTOCOL")
    build_roles, system = ctx.get(module, "build_roles"), ctx.get(module, "System")
    if not isinstance(protocol, Protocol):
        raise ContractError(f"M13: PROTOCOL must be a llmpath.agents.protocol.Protocol, not {type(protocol).__name__}")
    roles = tuple(roles)
    if set(roles) != set(protocol.roles):
        raise ContractError(f"M13: ROLES {roles} and PROTOCOL's roles {protocol.roles} differ")
    missing = [w for w in WORKERS if w not in roles]
    if missing:
        raise ContractError(f"M13: ROLES must include the tool-holding roles {WORKERS}; missing {missing}")
    return Contract(roles, protocol, build_roles, system)


@dataclasses.dataclass
class Setup:
    """How one system under test is made (the judge's knobs)."""

    suite: Any
    run: int = 0
    rates: Any = None  # None: DEFAULT_RATES
    role_steps: int = 8
    max_messages: int = 40
    timeout_s: float = 2.0
    jitter: int | None = None
    substitute: Mapping[str, Any] = dataclasses.field(default_factory=dict)  # role name -> the judge's role
    models: Mapping[str, Any] = dataclasses.field(default_factory=dict)  # role name -> the judge's model


def build(contract: Contract, setup: Setup) -> tuple[Any, dict[str, SpyRole], Recorder]:
    """The learner's system over spied roles, models and tools (raises what build_roles or System raise)."""
    from llmpath.agents import DEFAULT_RATES, WORKERS, RoleModel
    from llmpath.agents.roles import role_tools

    rec = Recorder(jitter=setup.jitter)
    rates = setup.rates or DEFAULT_RATES
    models = {role: SpyModel(setup.models.get(role) or RoleModel(setup.suite.seed, setup.suite, role, setup.run, rates),
                             role, rec) for role in WORKERS}
    tools = {role: [spy_tool(t, role, rec) for t in role_tools(setup.suite, setup.run, role)] for role in WORKERS}
    made = list(contract.build_roles(models, tools, role_steps=setup.role_steps))
    names = [getattr(role, "name", None) for role in made]
    if sorted(map(str, names)) != sorted(contract.roles):
        raise ContractError(f"M13: build_roles made roles named {names}; ROLES declares {list(contract.roles)}")
    spies = {name: SpyRole(setup.substitute.get(name, role), rec, name) for name, role in zip(names, made, strict=True)}
    system = contract.system(list(spies.values()), contract.protocol, max_messages=setup.max_messages,
                             timeout_s=setup.timeout_s)
    return system, spies, rec


def run_task(system: Any, text: str, rec: Recorder, deadline_s: float | None = DEADLINE_S) -> dict[str, Any]:
    """``system.run(text)`` in a thread, as plain data with what the spies saw; a hang is recorded, never waited out.

    ``deadline_s`` None runs it in this thread (cheaper; for the long suite of m13.success, whose
    hangs m13.faults diagnoses: the sandbox's time limit stops them there).
    """
    rec.begin()
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["run"] = system.run(text)
        except NotImplementedError as exc:
            box["not_implemented"] = exc
        except Runaway as exc:
            box["runaway"] = str(exc)
        except BaseException as exc:  # noqa: BLE001 - anything out of run() is a finding
            box["raised"] = f"{type(exc).__name__}: {exc}"[:500]

    started = time.perf_counter()
    thread = threading.Thread(target=work, name="m13-run", daemon=True)
    if deadline_s is None:
        work()
    else:
        thread.start()
        thread.join(deadline_s)
    elapsed = time.perf_counter() - started
    if "not_implemented" in box:
        raise box["not_implemented"]
    record = finished(rec.current)
    if thread.is_alive():
        out: dict[str, Any] = {"hung": deadline_s}
    elif "run" in box:
        out = plain_run(box["run"])
    else:
        out = {key: box[key] for key in ("runaway", "raised") if key in box}
    if record["runaway"]:
        out["runaway"] = record["runaway"]
    return {"run": out, "elapsed": elapsed, **record}


def plain_run(run: Any) -> dict[str, Any]:
    """A Run (answer, transcript, error, role) as plain data."""
    if not all(hasattr(run, attr) for attr in ("answer", "transcript", "error")):
        return {"bad_result": f"{type(run).__name__}: {run!r}"[:300]}
    try:
        transcript = [plain_message(m) for m in list(run.transcript)]
    except TypeError:
        return {"bad_result": f"transcript is {type(run.transcript).__name__}, not a list"}
    return {"answer": jsonable(run.answer), "error": jsonable(run.error), "role": jsonable(getattr(run, "role", None)),
            "transcript": transcript}
