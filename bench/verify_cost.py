"""The cost of `llmpath verify` on a workspace that completed M1–M8 with the reference solutions.

Usage: python bench/verify_cost.py [--upto 8] [--runs 1] [--keep DIR]
Lays the reference solutions out milestone by milestone as tests/test_real_roadmap_walk.py does
(documentation logged, work committed, `llmpath unlock next`), then times, as separate processes,
`llmpath verify --junit` (each milestone re-judged at its tag in a temporary folder, a fresh seed)
and `llmpath check --all` (the same criteria on the working tree, no git), and prints both with
their ratio and verify's time per milestone. Takes a few minutes (completing M7 trains nothing, but
its checks sample from the model).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.clihelp import cli, commit_all, init_repo  # noqa: E402
from tests.test_real_roadmap_walk import SOLUTIONS, _document  # noqa: E402


def complete_reference(ws: Path, upto: int) -> None:
    assert cli("init", str(ws)).code == 0
    init_repo(ws)
    for n in range(1, upto + 1):
        mid = f"M{n}"
        for path in (SOLUTIONS / mid / "reference").iterdir():
            if path.is_file():
                shutil.copyfile(path, ws / "milestones" / mid / path.name)
        _document(ws, mid)
        commit_all(ws, f"{mid} done")
        res = cli("unlock", "next", "--json", cwd=ws)
        assert res.code == 0, f"{mid}: {res.err}"
    commit_all(ws, "record")


def timed(args: list[str], ws: Path) -> tuple[float, int, str]:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "llmpath", *args], cwd=ws, capture_output=True, text=True)
    return time.perf_counter() - started, proc.returncode, proc.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--upto", type=int, default=8)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="lay the workspace out here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ws = args.keep or Path(tmp) / "ws"
        started = time.perf_counter()
        complete_reference(ws, args.upto)
        print(f"completed M1..M{args.upto} in {time.perf_counter() - started:.1f} s")
        for _ in range(args.runs):
            v, vcode, out = timed(["verify", "--json", "--junit", str(Path(tmp) / "report.xml")], ws)
            doc = json.loads(out)
            c, ccode, _ = timed(["check", "--all", "--json"], ws)
            per = ", ".join(f"{m['id']} {m['elapsed_s']:.1f} s" for m in doc["milestones"])
            print(
                f"verify: {v:.1f} s (exit {vcode}, {doc['status']}, seed {doc['seed']}; {per}); "
                f"check --all: {c:.1f} s (exit {ccode}); ratio {v / c:.2f}x"
            )


if __name__ == "__main__":
    main()
