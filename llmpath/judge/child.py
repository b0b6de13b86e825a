"""The sandboxed child: ``python -m llmpath.judge.child REQUEST.json RESULT_FD``.

Runs each job's probe against the learner's code and sends one frame per event on RESULT_FD:
``{"type": "start", "job": id, "out": offset}`` then ``{"type": "result", "job": id, ...}``.
It decides nothing: verdicts run in llmpath's process. Whatever the learner's code raises
(``SystemExit`` and ``KeyboardInterrupt`` included) is reported as an error record.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
import traceback
from pathlib import Path


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


def _out_offset() -> int:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    try:
        return os.lseek(1, 0, os.SEEK_CUR)
    except OSError:
        return -1


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


def _error_record(exc: BaseException, milestone: str, milestone_dir: Path) -> dict:
    from llmpath.judge.text import strip_terminal_codes

    record = _classify(exc, milestone, milestone_dir)
    call = getattr(exc, "_llmpath_call", None)
    if call and record["kind"] in ("exception", "crash", "memory"):
        record["message"] += f" (in the call {call})"
    record["message"] = strip_terminal_codes(record["message"])
    record["traceback"] = [strip_terminal_codes(line) for line in record["traceback"]]
    return record


def _classify(exc: BaseException, milestone: str, milestone_dir: Path) -> dict:
    from llmpath.validators.api import ContractError

    frames = _learner_frames(exc, milestone_dir)
    message = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, SyntaxError) and exc.filename and _mine(exc.filename, milestone_dir):
        return _syntax_record(exc, frames, milestone_dir)
    if isinstance(exc, ContractError):
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


def main(argv: list[str]) -> None:
    request = json.loads(Path(argv[0]).read_text())
    fd = int(argv[1])
    _set_memory_limit(int(request["memory_mb"]))
    _stack_on_request(request.get("stack_file"))

    from llmpath.judge import codec
    from llmpath.judge.wire import write_frame
    from llmpath.validators.api import ProbeContext
    from llmpath.validators.registry import resolve

    milestone = request["milestone"]
    milestone_dir = Path(request["milestone_dir"])
    workspace = Path(request["workspace"])
    os.chdir(milestone_dir)
    sys.path[:0] = [str(milestone_dir), str(workspace)]  # learner siblings; instructors' validators

    def send(obj: dict) -> None:
        write_frame(fd, json.dumps(obj).encode("utf-8"))

    for job in request["jobs"]:
        send({"type": "start", "job": job["id"], "out": _out_offset()})
        started = time.perf_counter()
        record: dict = {"type": "result", "job": job["id"]}
        try:
            check = resolve(job["validator"])
            assert check.probe is not None
            ctx = ProbeContext(milestone, milestone_dir, workspace, job["params"], int(job["seed"]),
                               _reporter(send, job["id"]))
            value = check.probe(ctx)
            try:
                payload = codec.encode(value).decode("utf-8")
                record.update(ok=True, value=payload)
            except (codec.CodecError, RecursionError) as exc:
                record.update(ok=False, error={"kind": "bad_output", "message": str(exc), "traceback": []})
        except BaseException as exc:  # noqa: BLE001 - the learner's code may raise anything
            record.update(ok=False, error=_error_record(exc, milestone, milestone_dir))
        record.update(elapsed=time.perf_counter() - started, out=_out_offset())
        try:
            send(record)
        except BaseException:  # noqa: BLE001 - e.g. the learner closed our fd
            os._exit(70)
    os._exit(0)  # skip the learner's atexit handlers and lingering threads


if __name__ == "__main__":
    main(sys.argv[1:])
