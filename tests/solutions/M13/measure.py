"""The bug bank's table for the README: each bug's success rate and pass^4 at the judged size, and its named check.

Usage: python tests/solutions/M13/measure.py [BUG ...]   (seed 0, m13.success at its defaults: 400 tasks x 4)
"""

from __future__ import annotations

import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))
warnings.simplefilter("ignore")

from tests.judgeutil import SOLUTIONS, judge_in_process, lay_out  # noqa: E402
from tests.solutions.M13.bugs import BUGS, CHECKS, SOURCE  # noqa: E402

SMALL = {"m13.faults": {"timeout_s": 0.3, "deadline_s": 1.5}, "m13.replies": {"timeout_s": 0.5}}


def row(name: str, folder: Path, named: list[str]) -> str:
    success = judge_in_process(folder, ["m13.success"])[0]
    m = success.metrics
    inside = "yes" if abs(m.get("success_rate", 0) - m.get("optimum", 0)) <= m.get("margin", 0) else "no"
    verdict = success.status if success.status == "passed" or not m.get("rule_breaks") else "failed (rules)"
    others = [r for r in judge_in_process(folder, [c for c in named if c != "m13.success"], params=SMALL)]
    named_status = ", ".join(f"{r.validator} {r.status}" for r in others) or f"m13.success {success.status}"
    return (f"| {name} | {m.get('success_rate', float('nan')):.4f} | {m.get('pass_k', float('nan')):.4f} | "
            f"{inside} | {verdict} | {named_status} |")


def main() -> None:
    wanted = set(sys.argv[1:])
    print("| bug | success | pass^4 | within margin | m13.success | named check |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        if not wanted:
            variants = sorted((SOLUTIONS / "M13" / "variants").iterdir())
            for source in ["reference", *(f"variants/{p.name}" for p in variants)]:
                folder = lay_out(Path(tmp) / source.replace("/", "_"), "M13", SOLUTIONS / "M13" / source)
                print(row(f"({source})", folder, []), flush=True)
        for bug in BUGS:
            if wanted and bug.name not in wanted:
                continue
            source = SOLUTIONS / "M13" / SOURCE.get(bug.name, "reference")
            folder = lay_out(Path(tmp) / bug.name, "M13", source, bug, main_file="multi_agent.py")
            print(row(bug.name, folder, CHECKS[bug.name]), flush=True)


if __name__ == "__main__":
    main()
