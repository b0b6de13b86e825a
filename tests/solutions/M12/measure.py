"""Measure the M12 reference, variants and every bug of the bank under the real checks (the README's tables).

    python tests/solutions/M12/measure.py            # about a minute on 2 cores

For each agent: the m12.success figures at the default size (500 tasks x 4 runs, seed 0) and its
status, and the status of the check each bug is named for. In-process, as tests/judgeutil does it.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from tests.judgeutil import judge_in_process, lay_out  # noqa: E402
from tests.solutions.M12.bugs import BUGS, CHECKS  # noqa: E402

HERE = Path(__file__).resolve().parent


def _row(name: str, folder: Path, named: list[str]) -> str:
    started = time.perf_counter()
    success = judge_in_process(folder, ["m12.success"])[0]
    seconds = time.perf_counter() - started
    others = judge_in_process(folder, [c for c in named if c != "m12.success"]) if named else []
    m = success.metrics
    inside = "yes" if abs(m.get("success_rate", -1) - m.get("optimum", 0)) <= m.get("margin", 0) else "no"
    caught = ", ".join(f"{r.validator} {r.status}" for r in others) or "-"
    return (f"| {name} | {m.get('success_rate', float('nan')):.4f} | {m.get('pass_k', float('nan')):.4f} | {inside} | "
            f"{success.status} | {caught} | {seconds:.1f} s |")


def main() -> None:
    print("| agent | success | pass^4 | within margin | m12.success | named check | time |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        agents = [("reference", HERE / "reference", None)] + [
            (f"variant {p.name}", p, None) for p in sorted((HERE / "variants").iterdir()) if p.is_dir()]
        for i, (name, source, _) in enumerate(agents):
            print(_row(name, lay_out(Path(tmp) / f"a{i}", "M12", source), []), flush=True)
        for i, bug in enumerate(BUGS):
            folder = lay_out(Path(tmp) / f"b{i}", "M12", HERE / "reference", bug, main_file="agent.py")
            print(_row(bug.name, folder, CHECKS[bug.name]), flush=True)


if __name__ == "__main__":
    main()
