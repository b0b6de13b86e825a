"""``llmpath ci init``: a GitHub Actions workflow that runs ``llmpath verify`` on every push.

CI is how a class scales past one machine; GitHub Actions is the engine and llmpath only writes
its workflow. Two flavours: ``.github/workflows/llmpath.yml`` (a JUnit report, uploaded and
published, and a summary on the run's page) and, with ``--classroom``,
``.github/workflows/classroom.yml`` (GitHub Classroom's autograding: a point per verified milestone).

llmpath is installed in CI from the place this llmpath came from (a git commit when it can tell),
never from the learner's checkout: the judge must not be something the learner's repository holds.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shlex
from collections.abc import Sequence
from pathlib import Path

from llmpath.commands.context import Context
from llmpath.errors import UsageError
from llmpath.templates import template_root
from llmpath.workspace import history, roadmap_identity

WORKFLOWS = ".github/workflows"
_UNSAFE = re.compile(r"[\"'`$\\\n\r]")


@dataclasses.dataclass(frozen=True)
class CiReport:
    path: Path
    rel: str  # relative to the repository's top (what to `git add`)
    install: str
    pins: tuple[str, ...]
    warnings: tuple[str, ...]


def ci_init(
    ctx: Context,
    *,
    force: bool = False,
    install: str | None = None,
    classroom: bool = False,
    python: str = "3.12",
    pins: Sequence[str] = (),
) -> CiReport:
    """Write the workflow at the top of the workspace's repository; refuses to overwrite without ``force``."""
    warnings: list[str] = []
    repo = history.open_repo(ctx.root)
    if repo is None:
        top, workdir = ctx.root, "."
        warnings.append("this workspace is not a git repository yet: `git init` here before pushing it")
    else:
        top, workdir = repo.top, repo.prefix.rstrip("/") or "."
    name = "classroom.yml" if classroom else "llmpath.yml"
    path = top / WORKFLOWS / name
    rel = f"{WORKFLOWS}/{name}"
    if path.exists() and not force:
        raise UsageError(f"{path} exists already; llmpath never overwrites it", hint="pass --force to replace it")
    if not re.fullmatch(r"3\.[0-9]{1,2}", python):
        raise UsageError(f"--python {python!r} is not a Python version like 3.12")
    spec = install if install is not None else _default_install(warnings)
    if not spec.strip() or _UNSAFE.search(spec):
        raise UsageError(f"--install {spec!r} must be a pip requirement without quotes, `$` or backslashes")
    accepted = _pins(ctx, pins)
    if _holds_llmpath(top):
        warnings.append(
            "this repository holds llmpath's own source: CI installs the judge from the place above, never from "
            "this checkout, so edits to llmpath/ here change nothing there"
        )
    args = "".join(f" --roadmap-sha256 {p}" for p in accepted)
    values = {"@PYTHON@": python, "@INSTALL@": spec.strip(), "@WORKDIR@": json.dumps(workdir), "@ARGS@": args}
    if classroom:
        text = _classroom(ctx, workdir, values)
    else:
        report = "llmpath-report.xml" if workdir == "." else f"{workdir}/llmpath-report.xml"
        text = _fill((template_root() / "ci" / "verify.yml").read_text(encoding="utf-8"), values | {
            "@REPORT@": json.dumps(report)
        })
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return CiReport(path, rel, spec.strip(), accepted, tuple(warnings))


def _fill(text: str, values: dict[str, str]) -> str:
    for marker, value in values.items():
        text = text.replace(marker, value)
    return text


def _pins(ctx: Context, pins: Sequence[str]) -> tuple[str, ...]:
    """The sha256s the workflow accepts: those given, or the workspace's roadmap when it is not the built-in."""
    if pins:
        return tuple(dict.fromkeys(_check_pin(p) for p in pins))
    sha = roadmap_identity.sha256(ctx.workspace.roadmap_path.read_bytes())
    return () if sha == roadmap_identity.builtin_sha256() else (sha,)


def _check_pin(value: str) -> str:
    pin = value.strip().lower()
    if not roadmap_identity.SHA256.match(pin):
        raise UsageError(f"--roadmap-sha256 {value!r} is not a sha256 (64 hexadecimal digits)")
    return pin


def _classroom(ctx: Context, workdir: str, values: dict[str, str]) -> str:
    """Classroom's autograding: one command-grader step per milestone, then the reporter over them all."""
    where = "" if workdir == "." else f" --workspace {shlex.quote(workdir)}"
    steps, env, ids = [], [], []
    for m in ctx.roadmap.milestones():
        sid = m.id.lower()
        name = json.dumps(f"{m.id} {m.title}")
        command = json.dumps(f"llmpath verify{where} --milestone {m.id}{values['@ARGS@']}")
        steps.append(
            f"      - name: {name}\n"
            f"        id: {sid}\n"
            "        uses: classroom-resources/autograding-command-grader@v1\n"
            "        with:\n"
            f"          test-name: {name}\n"
            '          setup-command: ""\n'
            f"          command: {command}\n"
            "          timeout: 20\n"
            "          max-score: 1\n"
        )
        env.append(f'          {m.id}_RESULTS: "${{{{steps.{sid}.outputs.result}}}}"\n')
        ids.append(sid)
    text = (template_root() / "ci" / "classroom.yml").read_text(encoding="utf-8")
    return _fill(
        text,
        values | {"@GRADERS@\n": "".join(steps), "@REPORTER_ENV@\n": "".join(env), "@RUNNERS@": ",".join(ids)},
    )


def _default_install(warnings: list[str]) -> str:
    """The pip requirement for the llmpath running now: a git commit or URL when pip recorded one."""
    from importlib import metadata

    import llmpath

    dists = list(metadata.distributions(name="llmpath"))
    version = dists[0].version if dists else "0"
    # pip records where it installed from (PEP 610); a stray llmpath.egg-info beside a checkout has no record
    raw = next((text for d in dists if (text := d.read_text("direct_url.json"))), None)
    info = json.loads(raw) if raw else {}
    url = str(info.get("url", ""))
    vcs = info.get("vcs_info") or {}
    if vcs.get("vcs") == "git" and vcs.get("commit_id"):
        return f"llmpath @ git+{url}@{vcs['commit_id']}"
    if url.startswith("https://"):
        return f"llmpath @ {url}"
    source = Path(llmpath.__file__).resolve().parent.parent
    found = _checkout_source(source)
    if found:
        return found
    warnings.append(
        f"llmpath runs here from {url or source}, which CI cannot reach: the workflow installs "
        f"llmpath=={version} from the package index; pass --install 'git+https://…/llmpath@<tag>' to pin your "
        "course's llmpath"
    )
    return f"llmpath=={version}"


def _checkout_source(folder: Path) -> str | None:
    """``llmpath @ git+<origin>@<HEAD>`` for a clean git checkout whose origin is reachable over https."""
    repo = history.open_repo(folder)
    if repo is None or repo.prefix or not _holds_llmpath(repo.top):  # e.g. a venv inside the learner's repo
        return None
    try:
        origin = repo.run("remote", "get-url", "origin").decode().strip()
    except history.GitFailed:
        return None
    head = repo.head()
    if not head or not origin.startswith("https://") or _UNSAFE.search(origin):
        return None
    return f"llmpath @ git+{origin}@{head}"


def _holds_llmpath(top: Path) -> bool:
    try:
        text = (top / "pyproject.toml").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return re.search(r'^name\s*=\s*"llmpath"', text, re.M) is not None
