"""Helpers for proving validators: lay a solution into a temp workspace, judge it, read the verdicts.

Bug banks are written as patches on a reference solution (``Bug(find, replace)``) so that each
bug is one visible change; ``apply_bug`` insists the snippet occurs exactly once.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path

from llmpath.judge.run import CheckResult, CheckSpec, run_checks
from llmpath.validators.registry import builtin_checks

SOLUTIONS = Path(__file__).parent / "solutions"


@dataclasses.dataclass(frozen=True)
class Bug:
    """A classic bug as a patch on the reference solution.

    ``expect`` is a substring (case-insensitive) that the failing results' messages must contain:
    the named diagnosis. ``None`` means the bug must fail but no diagnosis is promised.
    """

    name: str
    find: str
    replace: str
    expect: str | None = None
    file: str | None = None  # default: the milestone's main file
    status: str = "failed"  # what at least one check must report ("failed", or "error" for crashes)


def apply_bug(source: str, bug: Bug) -> str:
    count = source.count(bug.find)
    assert count == 1, f"bug {bug.name!r}: snippet occurs {count} times in the reference, expected once"
    return source.replace(bug.find, bug.replace)


def lay_out(
    tmp_path: Path, milestone: str, source_dir: Path, bug: Bug | None = None, main_file: str | None = None
) -> Path:
    """Copy ``source_dir`` into ``tmp_path/milestones/<milestone>`` (patched by ``bug``); return the folder."""
    workspace = tmp_path / "ws"
    milestone_dir = workspace / "milestones" / milestone
    if milestone_dir.exists():
        shutil.rmtree(milestone_dir)
    shutil.copytree(source_dir, milestone_dir, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (workspace / "roadmap.yaml").touch()
    if bug is not None:
        target = milestone_dir / (bug.file or main_file or "")
        assert target.is_file(), f"bug {bug.name!r}: no file {target}"
        target.write_text(apply_bug(target.read_text(), bug))
    return milestone_dir


def judge(
    milestone_dir: Path,
    validators: Sequence[str] | None = None,
    *,
    seed: int = 0,
    params: dict[str, dict] | None = None,
) -> list[CheckResult]:
    """Run the given validators (default: every built-in one of this milestone) on the folder."""
    milestone = milestone_dir.name
    if validators is None:
        prefix = milestone.lower() + "."
        validators = [name for name in builtin_checks() if name.startswith(prefix)]
    specs = [
        CheckSpec(f"{name}#0", name, name, dict((params or {}).get(name, {})), seed=seed) for name in validators
    ]
    return run_checks(milestone, milestone_dir, milestone_dir.parent.parent, specs)


def text(results: Iterable[CheckResult]) -> str:
    """Everything a learner would read about the results, as one string (for assertions)."""
    parts = []
    for r in results:
        parts += [f"[{r.status}] {r.validator}: {r.summary}", *r.details]
        if r.diagnosis:
            parts.append(f"likely bug: {r.diagnosis}")
    return "\n".join(parts)


def statuses(results: Iterable[CheckResult]) -> dict[str, str]:
    return {r.validator: r.status for r in results}


def judge_in_process(
    milestone_dir: Path,
    validators: Sequence[str],
    *,
    seed: int = 0,
    params: dict[str, dict] | None = None,
) -> list[CheckResult]:
    """Run probes and verdicts in THIS process, without the sandboxed child: for large bug banks.

    A child costs ~1 s (interpreter + torch import), which dominates a bank of cheap bugs. The
    sandbox path is proven by judging the reference, variants and stub with ``judge``; this runs
    the same probe (its result round-tripped through the wire codec) and the same verdict. Use it
    only for code that cannot hang or crash the interpreter. Learner exceptions become ``error``
    results; the torch thread count is restored after each probe.
    """
    import sys
    import warnings

    from llmpath.judge import codec
    from llmpath.validators.api import BadOutput, ProbeContext, Verdict, VerdictContext
    from llmpath.validators.registry import resolve

    milestone = milestone_dir.name
    workspace = milestone_dir.parent.parent
    results = []
    for name in validators:
        check = resolve(name)
        p = dict((params or {}).get(name, {}))
        torch = sys.modules.get("torch")
        threads = torch.get_num_threads() if torch is not None else None
        try:
            with warnings.catch_warnings():  # the learner's warnings go to the child's output in the judge
                warnings.simplefilter("ignore")
                probed = (
                    {}
                    if check.probe is None
                    else check.probe(ProbeContext(milestone, milestone_dir, workspace, p, seed))
                )
            raw = codec.decode(codec.encode(probed))
        except Exception as exc:  # the learner's code raised: the judge reports an error
            kind = "not implemented" if isinstance(exc, NotImplementedError) else type(exc).__name__
            results.append(CheckResult(f"{name}#0", name, name, "error", f"{kind}: {exc}", seed=seed))
            continue
        finally:
            torch = sys.modules.get("torch")
            if torch is not None and threads is not None:
                torch.set_num_threads(threads)
        ctx = VerdictContext(milestone, milestone_dir, workspace, check.params.model_validate(p), seed)
        try:
            verdict = check.verdict(raw if isinstance(raw, dict) else {"value": raw}, ctx)
        except BadOutput as exc:
            verdict = Verdict.failed(f"{check.description}: the returned value cannot be judged", str(exc))
        results.append(
            CheckResult(
                f"{name}#0", name, name, verdict.status, verdict.summary, tuple(verdict.details),
                verdict.diagnosis, dict(verdict.metrics), seed=seed,
            )
        )
    return results


def save_as_from_cuda(obj, path: Path) -> None:
    """``torch.save`` as a GPU run writes it: every storage tagged with the location "cuda:0".

    torch.save records each tensor's device; registering a tagger first in torch's list makes the
    file ask for a GPU, so plain ``torch.load`` (without ``map_location``) refuses it on a CPU machine.
    """
    import torch
    import torch.serialization as ser

    def cuda_tag(storage):
        return "cuda:0" if storage.device.type == "cpu" else None

    ser.register_package(-100, cuda_tag, lambda obj, location: None)  # first in line: tags every CPU storage
    try:
        torch.save(obj, path)
    finally:  # torch has no unregister: take our entry out of its list again
        ser._package_registry[:] = [entry for entry in ser._package_registry if entry[1] is not cuda_tag]



def load_file(path: Path, name: str, *, search: Path | None = None):
    """Import the Python file ``path`` as a module called ``name``, as ``import`` would, and hand it back.

    The module is in ``sys.modules`` only while its code runs (dataclasses look their module up there),
    so importing a solution leaves nothing behind. ``search``: a folder put first on ``sys.path`` meanwhile,
    for a solution whose file imports its siblings (``from model import GPT``).
    """
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    previous = sys.modules.get(name)
    sys.modules[name] = module
    if search is not None:
        sys.path.insert(0, str(search))
    try:
        spec.loader.exec_module(module)
    finally:
        if search is not None:
            sys.path.remove(str(search))
        if previous is None:
            sys.modules.pop(name, None)
        else:
            sys.modules[name] = previous
    return module


def heavy_imports_of_probes(milestone_dir: Path, probes: dict[str, dict]) -> list[str]:
    """Run the named checks' probes (with their params) in a fresh interpreter on ``milestone_dir``;
    return which of torch and numpy that interpreter then holds (the agent milestones must need neither)."""
    import json
    import subprocess
    import sys

    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from llmpath.validators.api import ProbeContext\n"
        "from llmpath.validators.registry import resolve\n"
        "folder, probes = Path(sys.argv[1]), json.loads(sys.argv[2])\n"
        "for name, params in probes.items():\n"
        "    resolve(name).probe(ProbeContext(folder.name, folder, folder.parent.parent, params, 0))\n"
        "print(json.dumps(sorted(m for m in ('torch', 'numpy') if m in sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(milestone_dir), json.dumps(probes)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
