"""m13.replies: every request is answered or explicitly timed out; in_reply_to is right; runs end within the bound.

Three kinds of run: the sample (one task of each shape, imperfect models), a chain whose second
role is replaced by a silent one (its request must be closed by a ``timeout``), and a ping-pong:
every pure worker replaced by a ``Bouncer`` that hands off to the next one forever, on a system with
``max_messages = bounce_messages``: the run must end there with a failure, never loop on.
"""

from __future__ import annotations

import re
from typing import Any

from llmpath.validators.api import ProbeContext, Verdict, VerdictContext
from llmpath.validators.m13_multi.records import outcome, run_problem, transcript

# how a system's own refusal of a misaddressed answer reads (llmpath's Protocol.check, or the reference's words)
REFUSED = re.compile(r"in_reply_to|open request|answers? the task|answers no ", re.IGNORECASE)
PING_PONG = "unbounded ping-pong: with no message bound two roles can hand a task back and forth forever"
DIAGNOSES = {
    "wrong_reply": "in_reply_to points at the wrong message: a reply names the request it answers (its id) and goes "
                   "back to the role that asked; the result answers the task",
    "unanswered": "a request was left open: when its recipient replies nothing (crashed, silent, too slow), the "
                  "system closes it with an explicit timeout message to the role that asked",
    "twice": "a request was answered twice: reply once, and drop late replies of a role that timed out",
    "ids": "ids must be unique within a run (give each sent message the next number)",
    "start": "the transcript must open with the user's task message",
    "end": "a run ends with exactly one result (or failure) to the user, answering the task, and nothing after it",
    "bound": "the message bound is not enforced exactly: a run holds at most max_messages messages",
}


def probe(ctx: ProbeContext) -> dict:
    from llmpath.validators.m13_multi.faults import Bouncer, Silent
    from llmpath.validators.m13_multi.harness import Setup, load
    from llmpath.validators.m13_multi.params import RepliesParams
    from llmpath.validators.m13_multi.scenes import first_chain, last_requested, pure_workers, replaced, run_sample
    from llmpath.validators.m13_multi.suites import sample_suite

    p = RepliesParams.model_validate(ctx.params)
    contract = load(ctx)
    suite = sample_suite("replies", ctx.seed, p.per_shape)
    setup = Setup(suite, max_messages=p.max_messages, timeout_s=p.timeout_s)
    sample = run_sample(contract, setup)
    pure = pure_workers(sample)
    chain = first_chain(suite)
    out: dict[str, Any] = {"roles": list(contract.roles), "sample": sample, "pure": pure}
    silent = last_requested(sample[chain], pure)
    if silent is not None:
        out["silent"] = {"role": silent, "record": replaced(
            contract, Setup(suite, max_messages=p.max_messages, timeout_s=p.timeout_s,
                            substitute={silent: Silent(silent)}), suite.tasks[chain].text)}
    if len(pure) >= 2:
        from llmpath.agents import ROSTER

        bouncers = {w: Bouncer(w, ROSTER[pure[(i + 1) % len(pure)]][0]) for i, w in enumerate(pure)}
        out["bounce"] = replaced(contract, Setup(suite, max_messages=p.bounce_messages, timeout_s=p.timeout_s,
                                                 substitute=bouncers), suite.tasks[chain].text)
    return out


def verdict(raw: dict, ctx: VerdictContext) -> Verdict:
    from llmpath.validators.m13_multi.suites import sample_suite

    p = ctx.params
    suite = sample_suite("replies", ctx.seed, p.per_shape)
    sample, roles = raw.get("sample"), raw.get("roles") or []
    if not isinstance(sample, list) or len(sample) != len(suite.tasks):
        return Verdict.failed("m13.replies: the probe returned no record per task (the system broke the probe?)")
    found: list[tuple[str, str]] = []  # (where: what, key)
    for task, record in zip(suite.tasks, sample, strict=True):
        found += _judge_run(f"task {task.id} ({task.text})", record, roles, p.max_messages)
    silent = raw.get("silent")
    if isinstance(silent, dict):
        found += _judge_run(f"{silent.get('role')} replaced by a silent role", silent.get("record"), roles,
                            p.max_messages)
    found += _judge_bounce(raw, p.bounce_messages, roles)
    setup = (f"{len(suite.tasks)} sample tasks, a silent role, and a ping-pong of bouncing roles "
             f"(max_messages {p.bounce_messages}), seed {suite.seed}")
    if not found:
        return Verdict.passed("every request was answered or explicitly timed out, every in_reply_to names the "
                              "right message, and every run ended within its message bound", setup,
                              metrics={"runs": float(len(sample) + 2)})
    keys = [key for _, key in found]
    top = max(dict.fromkeys(keys), key=keys.count)
    diagnosis = PING_PONG if top in ("runaway", "hung") else DIAGNOSES.get(top, DIAGNOSES["unanswered"])
    return Verdict.failed(f"{len(found)} problems with requests and replies", setup, *(w for w, _ in found[:8]),
                          diagnosis=diagnosis, metrics={"problems": float(len(found))})


def _judge_run(where: str, record: Any, roles: list[str], bound: int) -> list[tuple[str, str]]:
    from llmpath.validators.m13_multi.pairing import problems

    problem = run_problem(record)
    if problem is not None:
        return [(f"{where}: {problem[0]}", problem[1])]
    messages = transcript(record)
    refused = REFUSED.search(str(outcome(record).get("error") or ""))
    if refused and "silent" not in where:
        return [(f"{where}: the run failed on a refused answer: {outcome(record).get('error')}", "wrong_reply")]
    if len(messages) > bound:
        return [(f"{where}: {len(messages)} messages; max_messages is {bound}", "bound")]
    ended_at_bound = len(messages) == bound and outcome(record).get("answer") is None
    return [(f"{where}: {what}", key) for what, key in problems(messages, roles, ended_at_bound)]


def _judge_bounce(raw: dict, bound: int, roles: list[str]) -> list[tuple[str, str]]:
    record = raw.get("bounce")
    pure = raw.get("pure") or []
    where = f"ping-pong between {', '.join(pure)}"
    if record is None:
        return [(f"only {len(pure)} role(s) of the roster only ever received requests ({pure}): llmpath cannot "
                 "replace two of them to test the message bound", "start")]
    problem = run_problem(record)
    if problem is not None:
        return [(f"{where}: {problem[0]}", problem[1])]
    run, messages = outcome(record), transcript(record)
    if len(messages) > bound:
        return [(f"{where}: the run ended after {len(messages)} messages; max_messages is {bound}", "bound")]
    if run.get("answer") is not None or not run.get("error"):
        return [(f"{where}: the run must end with a failure (answer None, an error); got answer "
                 f"{run.get('answer')!r}, error {run.get('error')!r}", "end")]
    return []
