"""m13.protocol: every message conforms to the declared protocol; forbidden messages are refused before sending.

1. On a fresh system, llmpath calls ``send`` with messages your ``PROTOCOL`` forbids (derived from it:
   a broadcast it does not allow, a message in a direction it does not allow, an unknown kind, a
   sender that is no role, a reply to no open request, a reply without in_reply_to, a request whose
   content does not fit its kind): each must raise ``ProtocolError``.
2. The sample (one task of each shape) then runs on that same system: no injected message may ever
   reach a role or a transcript, and every message of every transcript must pass ``PROTOCOL.check``.
3. A pure worker is replaced by a *rogue* role that answers its request with a message the protocol
   forbids it: the message must never be delivered nor recorded, and the run must fail naming the rogue.
"""

from __future__ import annotations

from typing import Any

from llmpath.validators.api import ProbeContext, Verdict, VerdictContext
from llmpath.validators.m13_multi.forbidden import marked
from llmpath.validators.m13_multi.records import line, nonconforming, outcome, run_problem, transcript

DIAGNOSES = {
    "accepted": "send accepted a message the protocol forbids: check the protocol in send, before the message is "
                "queued or delivered (is it checked only at delivery?)",
    "wrong_error": "send must refuse with llmpath.agents.protocol.ProtocolError (a ValueError with a clear message)",
    "leaked": "a refused message still reached a role or the transcript: the protocol is checked after the message "
              "was queued or delivered; check first, then record and queue",
    "broadcast": "a broadcast the protocol forbids: send to the one role concerned, or declare Rule(sender, kind, '*')",
    "nonconforming": "the system sends messages its own PROTOCOL does not allow: fix the message or the protocol",
    "own": "the system's own roles send messages its PROTOCOL refuses: fix the message (or declare the rule)",
    "rogue": "a role's forbidden message must be refused before delivery and end the run with a failure naming it",
    "permissive": "the protocol forbids nothing to this role: declare only the messages your design needs",
    "run": "the system must run the sample before its messages can be judged",
}


def probe(ctx: ProbeContext) -> dict:
    from llmpath.agents.protocol import ProtocolError
    from llmpath.validators.m13_multi import forbidden
    from llmpath.validators.m13_multi.harness import Setup, build, load, run_task
    from llmpath.validators.m13_multi.params import SampleParams
    from llmpath.validators.m13_multi.suites import sample_suite

    p = SampleParams.model_validate(ctx.params)
    contract = load(ctx)
    suite = sample_suite("protocol", ctx.seed, p.per_shape)
    setup = Setup(suite, max_messages=p.max_messages, timeout_s=p.timeout_s)
    system, _, rec = build(contract, setup)
    injected = []
    for i, injection in enumerate(forbidden.injections(contract.roles, contract.rules(), ctx.seed)):
        try:
            system.send(forbidden.build(injection, i))
            injected.append({"outcome": "accepted"})
        except ProtocolError as exc:
            injected.append({"outcome": "refused", "error": str(exc)[:300]})
        except Exception as exc:  # noqa: BLE001 - the wrong exception is a finding
            injected.append({"outcome": "wrong_error", "error": f"{type(exc).__name__}: {exc}"[:300]})
    sample = [run_task(system, task.text, rec) for task in suite.tasks]
    return {"roles": list(contract.roles), "rules": contract.rules(), "injected": injected, "sample": sample,
            "rogue": _rogue(contract, setup, sample)}


def _rogue(contract: Any, setup: Any, sample: list[dict]) -> dict[str, Any]:
    import dataclasses

    from llmpath.validators.m13_multi.faults import Rogue
    from llmpath.validators.m13_multi.forbidden import rogue_fields
    from llmpath.validators.m13_multi.scenes import first_chain, last_requested, pure_workers, replaced

    chain = first_chain(setup.suite)
    role = last_requested(sample[chain], pure_workers(sample))
    if role is None:
        return {"role": None}
    fields = rogue_fields(contract.roles, contract.rules(), role)
    if fields is None:
        return {"role": role, "fields": None}
    rogue = Rogue(role, *fields)
    record = replaced(contract, dataclasses.replace(setup, substitute={role: rogue}), setup.suite.tasks[chain].text)
    return {"role": role, "fields": list(fields[:2]), "record": record}


def verdict(raw: dict, ctx: VerdictContext) -> Verdict:
    from llmpath.agents.protocol import Protocol
    from llmpath.validators.m13_multi.forbidden import injections
    from llmpath.validators.m13_multi.suites import sample_suite

    p = ctx.params
    suite = sample_suite("protocol", ctx.seed, p.per_shape)
    roles, rules = raw.get("roles") or [], raw.get("rules") or []
    try:
        protocol = Protocol(roles, [tuple(r) for r in rules])
    except (ValueError, TypeError) as exc:
        return Verdict.failed(f"PROTOCOL cannot be rebuilt from its rules: {exc}")
    expected = injections(roles, rules, ctx.seed)
    injected, sample = raw.get("injected") or [], raw.get("sample")
    if len(injected) != len(expected) or not isinstance(sample, list) or len(sample) != len(suite.tasks):
        return Verdict.failed("m13.protocol: the probe returned no record per injection and task")
    found: list[tuple[str, str]] = []
    for injection, got in zip(expected, injected, strict=True):
        if got.get("outcome") != "refused":
            said = f" ({got['error']})" if got.get("error") else ""
            found.append((f"send({injection.label}) was {got.get('outcome', '?').replace('_', ' ')}{said}",
                          str(got.get("outcome"))))
    for task, record in zip(suite.tasks, sample, strict=True):
        found += _judge_sample(f"task {task.id}", record, protocol)
    found += _judge_rogue(raw.get("rogue") or {}, protocol)
    setup = (f"{len(expected)} forbidden messages sent to a fresh system, {len(suite.tasks)} sample tasks, "
             f"a rogue role; {len(rules)} rules over roles {', '.join(roles)}")
    if not found:
        return Verdict.passed(f"all {len(expected)} forbidden messages were refused by send before anything was "
                              "queued, every message of every run conforms to PROTOCOL, and a rogue role's "
                              "forbidden message ended its run", setup, metrics={"injected": float(len(expected))})
    keys = [key for _, key in found]
    top = max(dict.fromkeys(keys), key=keys.count)
    return Verdict.failed(f"{len(found)} protocol problems", setup, *(w for w, _ in found[:8]),
                          diagnosis=DIAGNOSES.get(top, DIAGNOSES["nonconforming"]),
                          metrics={"problems": float(len(found))})


def _judge_sample(where: str, record: Any, protocol: Any) -> list[tuple[str, str]]:
    found = []
    leaked = [d for d in (record or {}).get("deliveries") or [] if marked(d.get("message"))]
    leaked += [m for m in transcript(record) if marked(m)]
    if leaked:
        found.append((f"{where}: an injected message that send refused came through later: "
                      f"{line(leaked[0].get('message', leaked[0]))}", "leaked"))
    problem = run_problem(record)
    if problem is not None:
        return [*found, (f"{where}: {problem[0]}", "run")]
    error = str(outcome(record).get("error") or "")
    if "protocol" in error.lower():  # healthy roles only: the system refused its own message
        found.append((f"{where}: the run failed because the system's own message was refused: {error[:200]}",
                      "broadcast" if "*" in error else "own"))
    for message, why in nonconforming(transcript(record), protocol)[:2]:
        found.append((f"{where}: {line(message)}: {why}", "broadcast" if message.get("recipient") == "*" else
                      "nonconforming"))
    return found


def _judge_rogue(rogue: dict, protocol: Any) -> list[tuple[str, str]]:
    role = rogue.get("role")
    if role is None:
        return [("no role of the roster only received requests: llmpath cannot plant a rogue role", "run")]
    if rogue.get("fields") is None:
        return [(f"PROTOCOL lets {role} send every message (requests to all, broadcasts, results): "
                 "it refuses nothing", "permissive")]
    record = rogue.get("record")
    recipient, kind = rogue["fields"]
    where = f"{role} replaced by a rogue that sends a {kind} to {recipient}"
    delivered = [d for d in (record or {}).get("deliveries") or [] if marked(d.get("message"))]
    if delivered:
        return [(f"{where}: it was delivered to {delivered[0].get('role')} though the protocol forbids it", "leaked")]
    problem = run_problem(record)
    if problem is not None:
        return [(f"{where}: {problem[0]}", "rogue")]
    if any(marked(m) for m in transcript(record)):
        return [(f"{where}: the forbidden message is in the transcript", "leaked")]
    run = outcome(record)
    if run.get("answer") is not None or run.get("role") != role:
        return [(f"{where}: the run must fail naming {role} (Run.role); got answer {run.get('answer')!r}, role "
                 f"{run.get('role')!r}, error {run.get('error')!r}", "rogue")]
    return []
