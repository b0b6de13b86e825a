"""What the judge measures on a checkpoint: m9.pretrain's bits per byte and m9.samples' grammatical rate.

    python tests/solutions/M9/measure.py /tmp/run/checkpoint.pt [--seeds 4]

Lays the checkpoint next to reference/*.py in a temporary workspace and runs both checks in this
process for judge seeds 0..seeds-1 (how the tables of tests/solutions/M9/README.md were made).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from tests.judgeutil import judge_in_process, lay_out  # noqa: E402
from tests.solutions.M9.walk import REFERENCE, siblings  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("checkpoint", type=Path)
    ap.add_argument("--seeds", type=int, default=4)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = lay_out(Path(tmp), "M9", REFERENCE)
        shutil.copyfile(args.checkpoint, folder / "checkpoint.pt")
        with siblings(folder):
            for seed in range(args.seeds):
                res = {r.validator: r for r in judge_in_process(folder, ["m9.pretrain", "m9.samples"], seed=seed)}
                pre, sam = res["m9.pretrain"], res["m9.samples"]
                print(
                    f"seed {seed}: {pre.metrics.get('bits_per_byte', float('nan')):.4f} bits/byte "
                    f"(± {pre.metrics.get('bits_per_byte_stderr', float('nan')):.4f}) [{pre.status}]   "
                    f"{sam.metrics.get('grammatical_fraction', float('nan')):.1%} of "
                    f"{sam.metrics.get('sentences', 0):.0f} sentences grammatical [{sam.status}]",
                    flush=True,
                )


if __name__ == "__main__":
    main()
