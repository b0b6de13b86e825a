"""Wall time of `llmpath check M#` on the reference solutions, as a ratio to `python -c "import torch"`.

Usage: python bench/check_latency.py [--runs N] [M1 M2 ...]
For each milestone with a reference solution under tests/solutions/M#/reference, lays it into a
temp workspace (with tests/solutions/M#/walk.py when there is one: its files and the experiment
entries its checks read), runs `llmpath check M# --preview` N times (default 3), and prints the
median against the median of `python -c "import torch"` measured in the same run, alternately,
with the load average before and after. Goal: <= 3.0x per milestone.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "tests" / "solutions"
NEEDS = {"M10": ["M9"]}  # milestones whose checks read an earlier milestone's files (M10 fine-tunes M9's model)


def timed(cmd: list[str], cwd: Path) -> tuple[float, int]:
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started, proc.returncode


def workspace_for(tmp: Path, mid: str) -> Path:
    ws = tmp / mid
    subprocess.run([sys.executable, "-m", "llmpath", "init", str(ws)], check=True, stdout=subprocess.DEVNULL)
    for m in [*NEEDS.get(mid, []), mid]:
        target = ws / "milestones" / m
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(SOLUTIONS / m / "reference", target, ignore=shutil.ignore_patterns("__pycache__"))
    walk = SOLUTIONS / mid / "walk.py"
    if walk.is_file():  # the entries the milestone's checks read (m9.report recomputes them)
        sys.path.insert(0, str(ROOT))
        module = importlib.import_module(f"tests.solutions.{mid}.walk")

        def log(*args: str) -> None:
            command = [sys.executable, "-m", "llmpath", "log", *args]
            subprocess.run(command, cwd=ws, check=True, stdout=subprocess.DEVNULL)

        module.lay_out(ws)
        module.document(ws, log)
    return ws


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("milestones", nargs="*")
    args = parser.parse_args()
    wanted = args.milestones or sorted(
        (p.name for p in SOLUTIONS.iterdir() if (p / "reference").is_dir()), key=lambda m: int(m[1:])
    )
    with tempfile.TemporaryDirectory() as tmp:
        rows = []
        for mid in wanted:
            ws = workspace_for(Path(tmp), mid)
            torch_t, check_t = [], []
            for _ in range(args.runs):
                torch_t.append(timed([sys.executable, "-c", "import torch"], ws)[0])
                elapsed, code = timed([sys.executable, "-m", "llmpath", "check", mid, "--preview"], ws)
                check_t.append(elapsed)
            t, c = statistics.median(torch_t), statistics.median(check_t)
            rows.append((mid, t, c, code))
            load = " ".join(f"{x:.2f}" for x in os.getloadavg())
            ratio = f"ratio {c / t:5.2f}x   (exit {code}; load {load})"
            print(f"{mid}: import torch {t:6.2f} s   check {c:6.2f} s   {ratio}", flush=True)
    print("goal: <= 3.0x per milestone (the exit code is 1 where documentation criteria are not logged)")


if __name__ == "__main__":
    main()
