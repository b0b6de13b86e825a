"""How instant is `llmpath status`? Prints its wall time as a ratio to a bare `python -c pass`.

Usage: python bench/startup.py [--runs N] [--workspace DIR]
Median of N runs (default 15) of each command, run alternately. Also asserts that status, log list
and a no-rerun `unlock` import neither torch nor numpy (checked via -X importtime). Goal: <= 4x.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

HEAVY = ("torch", "numpy", "git")


def timed(cmd: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def imported_modules(args: list[str], cwd: Path) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "llmpath", *args], cwd=cwd, capture_output=True, text=True
    )
    names = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--workspace", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args()
    ws = args.workspace
    for command in (["status"], ["status", "--json"], ["log", "list"]):
        heavy = imported_modules(command, ws) & set(HEAVY)
        label = "llmpath " + " ".join(command)
        print(f"{label:28s} heavy imports: {sorted(heavy) or 'none'}")
        if {"torch", "numpy"} & heavy:
            raise SystemExit(f"FAIL: {label} imports {sorted(heavy)}")
    base, status = [], []
    for _ in range(args.runs):
        base.append(timed([sys.executable, "-c", "pass"], ws))
        status.append(timed([sys.executable, "-m", "llmpath", "status"], ws))
    b, s = statistics.median(base), statistics.median(status)
    print(f"python -c pass   median {b * 1000:7.1f} ms  ({args.runs} runs)")
    print(f"llmpath status   median {s * 1000:7.1f} ms")
    print(f"ratio            {s / b:7.2f}x   (goal <= 4.0x)")


if __name__ == "__main__":
    main()
