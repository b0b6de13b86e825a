"""m13.determinism: the same seed gives the identical transcript, whatever the timing, the process or the run.

The sample (one task of each shape) runs five times with the same seed, and every transcript
(ids, order, contents) must equal the first:

* ``again``: the same tasks a second time on the same system (state must not leak between runs);
* ``latency``: a fresh system whose models answer after different (seeded) delays;
* ``hash seed 2`` and ``hash seed 8``: fresh processes with those ``PYTHONHASHSEED``s (the order of a
  ``set`` of strings changes with it; llmpath's sandbox pins it, your own runs do not).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from llmpath.validators.api import ProbeContext, Verdict, VerdictContext
from llmpath.validators.m13_multi.records import line, run_problem

# two hash seeds that order the roster's names differently from each other (catalog first, finance first), so
# that at least one of them differs from this process's order, whatever it is
HASH_SEEDS = (2, 8)
VARIANTS = ("again", "latency", *(f"hash seed {h}" for h in HASH_SEEDS))
DIAGNOSES = {
    "ids": "message ids differ between runs with the same seed: number them with a counter reset per run "
           "(not uuid4, time, id() or hash())",
    "again": "the second run of the same task differs: state leaks between runs (a counter, a queue or a role's "
             "memory not reset in run())",
    "timing": "the order of messages depends on timing (threads): deliver one message at a time, in the order sent, "
              "and record replies in that order, not as threads finish",
    "hash": "the order of messages depends on set iteration (it changes with PYTHONHASHSEED): iterate over lists or "
            "dicts in a fixed order, or sort",
    "content": "message contents differ between runs with the same seed: they depend on time, randomness or "
               "object identity",
    "run": "the system must run the sample before its transcripts can be compared",
}


def _transcripts(ctx: ProbeContext, per_shape: int, jitter: int, passes: int = 1) -> list[Any]:
    from llmpath.validators.m13_multi.harness import Setup, build, load, run_task
    from llmpath.validators.m13_multi.suites import sample_suite

    contract = load(ctx)
    suite = sample_suite("determinism", ctx.seed, per_shape)
    system, _, rec = build(contract, Setup(suite, jitter=jitter))
    out = []
    for _ in range(passes):
        for task in suite.tasks:
            record = run_task(system, task.text, rec)
            out.append(record["run"])
    return out


def _spawn(ctx: ProbeContext, per_shape: int, hash_seed: int, folder: Path) -> tuple[subprocess.Popen, Path]:
    path = folder / f"transcripts-{hash_seed}.json"
    folders = [str(ctx.milestone_dir.resolve()), str(ctx.workspace.resolve())]
    args = json.dumps([*folders, ctx.seed, per_shape, 10 + hash_seed, str(path)])
    code = "import sys; from llmpath.validators.m13_multi.determinism_check import child; child(sys.argv[1])"
    env = dict(os.environ, PYTHONHASHSEED=str(hash_seed))
    proc = subprocess.Popen([sys.executable, "-c", code, args], env=env, cwd=str(ctx.milestone_dir.resolve()),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return proc, path


def child(args: str) -> None:
    """In a fresh process: run the sample and write its transcripts to a file."""
    milestone_dir, workspace, seed, per_shape, jitter, path = json.loads(args)
    sys.path[:0] = [milestone_dir]
    ctx = ProbeContext("M13", Path(milestone_dir), Path(workspace), {}, seed)
    Path(path).write_text(json.dumps(_transcripts(ctx, per_shape, jitter)))


def probe(ctx: ProbeContext) -> dict:
    from llmpath.validators.m13_multi.params import SampleParams

    p = SampleParams.model_validate(ctx.params)
    with tempfile.TemporaryDirectory() as tmp:
        procs = [_spawn(ctx, p.per_shape, h, Path(tmp)) for h in HASH_SEEDS]  # they run while this process works
        first = _transcripts(ctx, p.per_shape, jitter=1, passes=2)
        half = len(first) // 2
        out: dict[str, Any] = {"first": first[:half], "again": first[half:],
                               "latency": _transcripts(ctx, p.per_shape, jitter=2)}
        for h, (proc, path) in zip(HASH_SEEDS, procs, strict=True):
            try:
                _, err = proc.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                err = b"no result within 60 s"
            out[f"hash seed {h}"] = json.loads(path.read_text()) if path.exists() else {
                "failed": err.decode("utf-8", "replace")[-600:]}
    return out


def verdict(raw: dict, ctx: VerdictContext) -> Verdict:
    from llmpath.validators.m13_multi.suites import sample_suite

    suite = sample_suite("determinism", ctx.seed, ctx.params.per_shape)
    first = raw.get("first")
    setup = f"{len(suite.tasks)} sample tasks, seed {suite.seed}, run 5 times"
    if not isinstance(first, list) or len(first) != len(suite.tasks):
        return Verdict.failed("m13.determinism: the probe returned no record per task", setup)
    for task, run in zip(suite.tasks, first, strict=True):
        problem = run_problem({"run": run})
        if problem is not None:
            return Verdict.failed(f"task {task.id}: {problem[0]}", setup, diagnosis=DIAGNOSES["run"])
    for variant in VARIANTS:
        other = raw.get(variant)
        if not isinstance(other, list) or len(other) != len(first):
            why = other.get("failed") if isinstance(other, dict) else "no transcripts"
            return Verdict.failed(f"the {variant} runs gave no transcripts: {why}", setup, diagnosis=DIAGNOSES["run"])
        for task, a, b in zip(suite.tasks, first, other, strict=True):
            found = _difference(a.get("transcript") or [], (b or {}).get("transcript") or [], variant)
            if found is not None:
                what, key = found
                return Verdict.failed(f"task {task.id}: the {variant} run's transcript differs from the first",
                                      setup, f"task: {task.text}", *what, diagnosis=DIAGNOSES[key])
    n = sum(len(r.get("transcript") or []) for r in first)
    return Verdict.passed(f"all 5 runs of the {len(suite.tasks)} tasks gave identical transcripts ({n} messages each "
                          "time): again on the same system, with other latencies, and under two other hash seeds",
                          setup, metrics={"messages": float(n)})


def _strip(message: Any) -> str:
    if not isinstance(message, dict):
        return json.dumps(message, sort_keys=True, default=str)
    return json.dumps({k: v for k, v in message.items() if k not in ("id", "in_reply_to")}, sort_keys=True)


def _difference(a: list, b: list, variant: str) -> tuple[list[str], str] | None:
    if a == b:
        return None
    i = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    shown = [f"message {i + 1} first:  {line(a[i]) if i < len(a) else '(none)'}",
             f"message {i + 1} {variant}: {line(b[i]) if i < len(b) else '(none)'}"]
    hashed = variant.startswith("hash")
    if [_strip(m) for m in a] == [_strip(m) for m in b]:
        key = "ids"
    elif sorted(map(_strip, a)) == sorted(map(_strip, b)):  # the same messages in another order
        key = "hash" if hashed else "timing"
    else:
        key = "again" if variant == "again" else "hash" if hashed else "content"
    return shown, key
