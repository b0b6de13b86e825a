"""Entry point and the single error boundary: expected errors -> message + exit code; bugs -> 3.

With ``--json`` anywhere on the command line, every error is also one JSON document on stdout
(``{"schema": 1, "error": {"kind", "message", "hint", "missing", "exit_code"}}``), so that a script
reading stdout never has to parse a human message. Ctrl-C prints "interrupted" and exits 130.
"""

from __future__ import annotations

import sys


def _click():  # noqa: ANN202 - the click module
    """typer >= 0.22 vendors click as ``typer._click``; older typers depend on click itself."""
    try:
        from typer import _click as click
    except ImportError:
        import click
    return click


def _tolerant_streams() -> None:
    """Text that cannot be encoded (lone surrogates from oddly encoded arguments, kept exact in the logs)
    is printed as a backslash escape instead of crashing the command."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):
                pass


def _json_error(argv: list[str], kind: str, message: str, code: int, hint: str | None = None,
                missing: list[str] | None = None) -> None:
    """The error as a JSON document on stdout, when the command was asked for JSON."""
    if "--json" not in argv:
        return
    from llmpath.cli.output_json import print_json

    print_json(
        {
            "schema": 1,
            "error": {"kind": kind, "message": message, "hint": hint, "missing": missing or [], "exit_code": code},
        }
    )


def main(argv: list[str] | None = None) -> int:
    import typer

    _tolerant_streams()

    click = _click()

    from llmpath.errors import EXIT_INTERRUPTED, EXIT_USAGE, GateError, LlmpathError

    args = list(sys.argv[1:] if argv is None else argv)
    try:
        from llmpath.cli.app import app

        rc = int(app(args=args, standalone_mode=False, prog_name="llmpath") or 0)
        if rc == EXIT_INTERRUPTED:  # typer turns Ctrl-C inside a command into a silent exit code 130
            from llmpath.cli import output

            output.stderr.print("interrupted")
            _json_error(args, "interrupted", "interrupted", EXIT_INTERRUPTED)
        return rc
    except SystemExit as exc:  # typer.Exit inside click's non-standalone mode surfaces as int return or SystemExit
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    except typer.Exit as exc:
        return int(getattr(exc, "exit_code", getattr(exc, "code", 0)) or 0)
    except (typer.Abort, KeyboardInterrupt):  # click turns Ctrl-C (and Ctrl-D) inside a prompt into Abort
        from llmpath.cli import output

        output.stderr.print("interrupted")
        _json_error(args, "interrupted", "interrupted", EXIT_INTERRUPTED)
        return EXIT_INTERRUPTED
    except click.ClickException as exc:
        code = EXIT_USAGE if exc.exit_code == 2 else exc.exit_code
        exc.show()
        _json_error(args, "usage", exc.format_message(), code)
        return code
    except LlmpathError as exc:
        from llmpath.cli import output

        missing = exc.missing if isinstance(exc, GateError) else None
        output.error(exc.message, exc.hint, missing)
        _json_error(args, type(exc).__name__, exc.message, exc.exit_code, exc.hint, missing)
        return exc.exit_code
    except Exception:  # noqa: BLE001 - anything else is a bug in llmpath
        return _internal_error(args)


def _internal_error(args: list[str]) -> int:
    import traceback

    from llmpath.errors import EXIT_INTERNAL

    text = traceback.format_exc()
    try:
        where = f"The details are in {_crash_log(text)}."
    except OSError:
        where = text
    sys.stderr.write(
        "llmpath crashed: this is a bug in llmpath, not in your code.\n"
        f"{where}\nPlease report it with that file at https://github.com/llmpath/llmpath/issues\n"
    )
    _json_error(args, "internal", f"llmpath crashed: this is a bug in llmpath. {where}", EXIT_INTERNAL)
    return EXIT_INTERNAL


def _crash_log(text: str) -> str:
    """Write ``text`` to a new file with a unique name (never through a link someone left in /tmp)."""
    import os
    import tempfile

    fd, path = tempfile.mkstemp(prefix="llmpath-crash-", suffix=".log")  # O_CREAT | O_EXCL, mode 0600
    with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as handle:
        handle.write(text)
    return path


def drop_implicit_path() -> None:
    """Never import from the workspace, as ``python -P`` does: drop the entry Python puts first on
    ``sys.path`` (the current directory under ``python -m llmpath``, the script's folder for the console
    script) and every other spelling of the current directory ("" included: an empty PYTHONPATH entry
    means it). llmpath itself is already imported, and its own modules load through its package path."""
    import os

    here = os.getcwd()  # the kernel's answer: links already resolved
    script = os.path.dirname(os.path.abspath(sys.argv[0])) if sys.argv and sys.argv[0] else None
    if sys.path and not getattr(sys.flags, "safe_path", False) and os.path.abspath(sys.path[0] or ".") == script:
        del sys.path[0]
    sys.path[:] = [p for p in sys.path if p and os.path.abspath(p) != here]


def run() -> None:
    """The console script: ``status`` takes the instant path when it can (see llmpath.cli.fast)."""
    drop_implicit_path()
    _tolerant_streams()
    args = sys.argv[1:]
    if args and args[0] == "status":
        try:
            from llmpath.cli.fast import fast_status

            code = fast_status(args[1:])
        except KeyboardInterrupt:
            sys.stderr.write("interrupted\n")
            sys.exit(130)
        except Exception:  # the full path will report it properly
            code = None
        if code is not None:
            sys.exit(code)
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # a second Ctrl-C while the first was being reported
        sys.stderr.write("interrupted\n")
        sys.exit(130)


if __name__ == "__main__":
    run()
