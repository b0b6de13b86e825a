"""The sandboxed child: started by llmpath as ``python -c BOOT REQUEST.json RESULT_FD COMMAND_FD``.

llmpath drives it: the child says ``{"type": "ready"}`` on RESULT_FD, then runs exactly the job
llmpath names on COMMAND_FD (``{"type": "run", "job": id, "nonce": n}``) and answers with one
``{"type": "result", "job": id, "nonce": n, ...}``. The deadline is llmpath's, started when it sends
the order. It decides nothing: verdicts run in llmpath's process. Whatever the learner's code raises
(``SystemExit`` and ``KeyboardInterrupt`` included) is reported as an error record, and a probe whose
learner code reached llmpath's internals is reported as such (see ``llmpath.judge.guard``).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
import traceback
from pathlib import Path
from typing import Any


def _set_memory_limit(memory_mb: int) -> None:
    # RLIMIT_AS is the backstop behind the parent's RSS polling: it bounds *virtual* memory, and
    # torch alone maps ~0.7 GB virtual, so give 3 GB of headroom over the RSS cap.
    limit = (memory_mb + 3072) * 1024 * 1024
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):  # not permitted on this platform: the parent's poller still acts
        pass


def _mine(filename: str, milestone_dir: Path) -> bool:
    # "<frozen importlib._bootstrap>" is no file: relative to the learner's folder it would look like one
    root = str(milestone_dir.resolve()) + os.sep
    return os.path.isfile(filename) and os.path.abspath(filename).startswith(root)


def _learner_frames(exc: BaseException, milestone_dir: Path) -> list[str]:
    """The traceback cut to frames in the learner's own files."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if _mine(f.filename, milestone_dir)]
    lines = []
    for f in frames[-12:]:
        rel = os.path.relpath(f.filename, milestone_dir.parent.parent)
        lines.append(f'  File "{rel}", line {f.lineno}, in {f.name}')
        if f.line:
            lines.append(f"    {f.line}")
    return lines


def _syntax_record(exc: SyntaxError, frames: list[str], milestone_dir: Path) -> dict:
    """A syntax error as Python shows it: the learner's file, the line, the source and a caret."""
    rel = os.path.relpath(str(exc.filename), milestone_dir.parent.parent)
    exc.filename = rel
    shown = [ln.rstrip("\n") for part in traceback.format_exception_only(type(exc), exc) for ln in part.splitlines()]
    return {"kind": "syntax", "message": f"{type(exc).__name__}: {exc.msg} ({rel}, line {exc.lineno})",
            "traceback": frames + shown}


def _error_record(exc: BaseException, milestone: str, milestone_dir: Path, contract_error: type) -> dict:
    from llmpath.judge.text import strip_terminal_codes

    record = _classify(exc, milestone, milestone_dir, contract_error)
    call = getattr(exc, "_llmpath_call", None)
    if call and record["kind"] in ("exception", "crash", "memory"):
        record["message"] += f" (in the call {call})"
    record["message"] = strip_terminal_codes(record["message"])
    record["traceback"] = [strip_terminal_codes(line) for line in record["traceback"]]
    return record


def _classify(exc: BaseException, milestone: str, milestone_dir: Path, contract_error: type) -> dict:
    frames = _learner_frames(exc, milestone_dir)
    message = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, SyntaxError) and exc.filename and _mine(exc.filename, milestone_dir):
        return _syntax_record(exc, frames, milestone_dir)
    if isinstance(exc, contract_error):
        return {"kind": "contract", "message": str(exc), "traceback": []}
    if isinstance(exc, NotImplementedError):
        tb = traceback.extract_tb(exc.__traceback__)
        func = tb[-1].name if tb else "?"
        text = f"{milestone}: `{func}` is not implemented yet"
        if str(exc):
            text += f" ({exc})"
        return {"kind": "not_implemented", "message": text, "traceback": frames}
    if isinstance(exc, MemoryError):
        return {"kind": "memory", "message": "ran out of memory (MemoryError)", "traceback": frames}
    if isinstance(exc, SystemExit):
        return {"kind": "exit", "message": f"the code called sys.exit({exc.code!r})", "traceback": frames}
    if isinstance(exc, KeyboardInterrupt):
        return {"kind": "crash", "message": "the code raised KeyboardInterrupt", "traceback": frames}
    if isinstance(exc, RecursionError):
        return {"kind": "crash", "message": f"{message} (unbounded recursion?)", "traceback": frames}
    return {"kind": "exception", "message": message, "traceback": frames}


# How llmpath starts the child: ``python -c BOOT REQUEST.json RESULT_FD COMMAND_FD``. Like ``python -P``,
# the first thing it does is drop the current directory (the learner's milestone folder) from
# ``sys.path``, in every spelling ("" included: an empty PYTHONPATH entry means it too); then it takes
# llmpath's own ``sys.path`` from the request, so that no file in the workspace can stand in for a
# module llmpath or its probes import.
BOOT = (
    "import sys, os; here = os.path.realpath(os.getcwd()); "
    "sys.path[:] = [p for p in sys.path if p and os.path.realpath(p) != here]; import json; "
    "sys.path[:] = json.load(open(sys.argv[1], encoding='utf-8'))['sys_path']; "
    "from llmpath.judge.child import main; main(sys.argv[1:])"
)


def _stack_on_request(path: str | None) -> None:
    """Dump every thread's stack to ``path`` when the parent asks (before it stops a hung job)."""
    import faulthandler
    import signal

    if not path or not hasattr(signal, "SIGUSR1"):
        return
    handle = open(path, "w", encoding="utf-8")  # kept open: the handler writes to it for the life of the child
    faulthandler.register(signal.SIGUSR1, file=handle, all_threads=True)


def _reporter(send, job_id: str):  # noqa: ANN001, ANN202 - send: the frame writer of main
    """What a probe says it is doing, for the parent's progress display.

    A new stage is always sent; a counter within one stage ("batch 3/16") at most every 0.1 s.
    """
    last = {"at": 0.0, "stage": ""}

    def report(text: str) -> None:
        now, stage = time.perf_counter(), "".join(c for c in str(text) if not c.isdigit())
        if stage != last["stage"] or now - last["at"] >= 0.1:
            last.update(at=now, stage=stage)
            send({"type": "progress", "job": job_id, "text": str(text)[:200]})

    return report


def _prepare(request: dict) -> tuple[dict, Any]:
    """Resolve every job's probe before any learner code runs (a swapped registry changes nothing)."""
    from llmpath.validators.registry import resolve

    probes = {}
    for job in request["jobs"]:
        check = resolve(job["validator"], root=Path(request["workspace"]))
        assert check.probe is not None
        probes[job["id"]] = check.probe
    from llmpath.validators.api import ContractError, ProbeContext

    return probes, (ContractError, ProbeContext)


def _run_job(
    job: dict, probe: Any, context: Any, milestone: str, milestone_dir: Path, workspace: Path, report: Any
) -> dict:
    """The probe's raw value (encoded) or its error record; never raises."""
    from llmpath.judge import codec

    contract_error, probe_context = context
    try:
        ctx = probe_context(milestone, milestone_dir, workspace, job["params"], int(job["seed"]), report)
        value = probe(ctx)
        try:
            return {"ok": True, "value": codec.encode(value).decode("utf-8")}
        except (codec.CodecError, RecursionError) as exc:
            return {"ok": False, "error": {"kind": "bad_output", "message": str(exc), "traceback": []}}
    except BaseException as exc:  # noqa: BLE001 - the learner's code may raise anything
        return {"ok": False, "error": _error_record(exc, milestone, milestone_dir, contract_error)}


def main(argv: list[str]) -> None:
    request = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    result_fd, command_fd = int(argv[1]), int(argv[2])
    _set_memory_limit(int(request["memory_mb"]))
    _stack_on_request(request.get("stack_file"))

    from llmpath.judge import guard
    from llmpath.judge.wire import read_frame, write_frame

    milestone = request["milestone"]
    milestone_dir = Path(request["milestone_dir"])
    workspace = Path(request["workspace"])
    jobs = {job["id"]: job for job in request["jobs"]}
    probes, context = _prepare(request)
    watcher = guard.install()  # from here on, the learner's code sees only llmpath's public modules
    os.chdir(milestone_dir)
    # The learner's sibling modules (M7's train.py imports model.py), after every installed module: a
    # numpy.py in the milestone folder cannot stand in for the numpy llmpath's probes use.
    sys.path.append(str(milestone_dir))

    def send(obj: dict) -> None:
        try:
            write_frame(result_fd, json.dumps(obj).encode("utf-8"))
        except BaseException:  # noqa: BLE001 - e.g. the learner closed our fd
            os._exit(70)

    send({"type": "ready"})
    while True:
        command = read_frame(command_fd)
        if command is None:
            os._exit(0)
        order = json.loads(command)
        if order.get("type") != "run" or order.get("job") not in jobs:
            os._exit(0)  # "exit", or anything llmpath did not mean: stop, skipping the learner's atexit
        job = jobs[order["job"]]
        record = _run_job(job, probes[job["id"]], context, milestone, milestone_dir, workspace,
                          _reporter(send, job["id"]))
        if record.get("ok") and (found := watcher.findings()):
            record = {"ok": False, "error": {"kind": "reference", "traceback": [],
                                            "message": f"{guard.REFUSAL} ({', '.join(found[:3])}): write your "
                                            "own; only llmpath.datasets and llmpath.agents are yours to import"}}
        _flush()
        send({"type": "result", "job": job["id"], "nonce": order.get("nonce"), **record})


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


if __name__ == "__main__":
    main(sys.argv[1:])
