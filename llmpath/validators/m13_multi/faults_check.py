"""m13.faults: a role that crashes, stays silent, hangs, or whose model fails ends the run with a failure naming it.

A two-role chain runs once as it should (flawless models); then, each time on a fresh system, the role that received
its last request is replaced by a role that raises, one that returns nothing, one that blocks far
beyond ``timeout_s`` (released only after the run), or keeps the learner's role but gives it a model
that raises. Each run must return on its own (llmpath waits at most ``max(5 s, 10 x timeout_s)``,
the sandbox's time limit is never the mechanism) with ``Run(answer=None, role=<that role>)``. A crash
is known the moment it happens: its run must end in less than half of ``timeout_s`` (a crash noticed
only when the time limit runs out is a deadlock that the timeout happens to break).
"""

from __future__ import annotations

from typing import Any

from llmpath.validators.api import ProbeContext, Verdict, VerdictContext
from llmpath.validators.m13_multi.records import outcome, run_problem

SCENARIOS = ("crash", "silent", "hang", "model_down")
LABELS = {"crash": "a role whose handle() raises", "silent": "a role that never replies",
          "hang": "a role that blocks far beyond timeout_s", "model_down": "a role whose model raises"}
DIAGNOSES = {
    ("crash", "hung"): "a deadlock when a role crashes: catch the exception of handle() (in its thread too) and "
                       "time out the request it was handling",
    ("silent", "hung"): "a silent role is waited for forever: when nothing is in flight, time out its open request",
    ("hang", "hung"): "a timeout that never fires: wait for each delivery at most timeout_s (e.g. join a thread with "
                      "a timeout), then time out the request and move on",
    ("model_down", "hung"): "a failing model blocks the run: a role whose model raises must reply with an error",
    ("crash", "slow"): "a deadlock when a role crashes, broken only by the timeout: the exception of handle() never "
                       "reaches the waiting system (catch it where the role runs and report it at once)",
    "raised": "a fault of one role escaped run(): catch it, and end the run with a failure result naming the role",
    "looped": "a failed role was asked again and again until max_messages: its error ends the run (re-asking a "
              "meaning-keyed model replays the same failure)",
    "unnamed": "the failure must name the role that failed: Run(answer=None, error=..., role=<that role>)",
}


def probe(ctx: ProbeContext) -> dict:
    import dataclasses
    import threading

    from llmpath.validators.m13_multi import faults
    from llmpath.validators.m13_multi.harness import Setup, load
    from llmpath.validators.m13_multi.params import FaultsParams
    from llmpath.validators.m13_multi.scenes import first_chain, last_requested, pure_workers, replaced
    from llmpath.validators.m13_multi.suites import sample_suite

    p = FaultsParams.model_validate(ctx.params)
    contract = load(ctx)
    suite = sample_suite("faults", ctx.seed)
    text = suite.tasks[first_chain(suite)].text
    from llmpath.agents import PERFECT

    setup = Setup(suite, rates=PERFECT, timeout_s=p.timeout_s)  # flawless models: only the planted fault can fail
    deadline = p.deadline_s or max(5.0, 10 * p.timeout_s)
    healthy = replaced(contract, setup, text, deadline)
    role = last_requested(healthy, pure_workers([healthy]))
    out: dict[str, Any] = {"role": role, "healthy": healthy["run"], "scenarios": {}}
    if role is None:
        return out
    for name in SCENARIOS:
        release = threading.Event()
        substitute = {"crash": faults.Crashing(role), "silent": faults.Silent(role),
                      "hang": faults.Hanging(role, release, p.hang_s)}.get(name)
        models = {role: faults.FailingModel()} if name == "model_down" else {}
        chosen = dataclasses.replace(setup, substitute={role: substitute} if substitute else {}, models=models)
        try:
            record = replaced(contract, chosen, text, deadline)
        finally:
            release.set()  # let a hanging role's thread end
        out["scenarios"][name] = {"run": record["run"], "elapsed": record["elapsed"]}
    return out


def verdict(raw: dict, ctx: VerdictContext) -> Verdict:
    p = ctx.params
    role = raw.get("role")
    setup = f"a two-role chain, timeout_s {p.timeout_s:g}, the role of its last request replaced"
    healthy = {"run": raw.get("healthy") or {}}
    problem = run_problem(healthy)
    if problem is not None:
        return Verdict.failed(f"the chain did not run without faults: {problem[0]}", setup)
    if role is None:
        return Verdict.failed("no role of the roster only received requests in the chain: llmpath cannot replace one",
                              setup, diagnosis="the roles of the roster answer requests (see the contract)")
    found: list[tuple[str, Any]] = []
    scenarios = raw.get("scenarios") or {}
    for name in SCENARIOS:
        record = scenarios.get(name) or {}
        where = f"{role} replaced by {LABELS[name]}" if name != "model_down" else f"{role}'s model raises"
        problem = run_problem(record)
        if problem is not None:
            key = (name, "hung") if problem[1] in ("hung", "runaway") else "raised"
            found.append((f"{where}: {problem[0]}", key))
            continue
        run = outcome(record)
        if run.get("answer") is None and run.get("role") != role and "bound" in str(run.get("error")):
            found.append((f"{where}: the run ended only at the message bound ({run.get('error')})", "looped"))
        elif run.get("answer") is not None or run.get("role") != role:
            found.append((f"{where}: expected Run(answer=None, role={role!r}); got answer {run.get('answer')!r}, "
                          f"role {run.get('role')!r}, error {run.get('error')!r}", "unnamed"))
        elif name == "crash" and float(record.get("elapsed") or 0) >= p.timeout_s / 2:
            found.append((f"{where}: the run took {float(record['elapsed']):.2f} s to notice the crash (timeout_s "
                          f"{p.timeout_s:g})", ("crash", "slow")))
    seconds = {name: float((scenarios.get(name) or {}).get("elapsed") or 0) for name in SCENARIOS}
    metrics = {f"{name}_s": s for name, s in seconds.items()}
    if not found:
        took = ", ".join(f"{LABELS[name].split(' ', 2)[2]}: {s:.2f} s" for name, s in seconds.items())
        return Verdict.passed(f"each fault of {role} ended the run with a failure naming it ({took})", setup,
                              metrics=metrics)
    return Verdict.failed(f"{len(found)} of {len(SCENARIOS)} faults mishandled", setup, *(w for w, _ in found),
                          diagnosis=DIAGNOSES[found[0][1]], metrics=metrics)
