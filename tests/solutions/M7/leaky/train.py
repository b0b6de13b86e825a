"""Train the leaky model with the reference training script (this folder's model.py comes first).

    python tests/solutions/M7/leaky/train.py --out tests/solutions/M7/leaky --steps 400 --d 48 --layers 2 \
        --heads 2 --block 32 --threads 1 --eval-every 100 --lr 5e-3      (18 s; val loss 0.06 < floor 0.21)
"""

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
runpy.run_path(str(HERE.parent / "reference" / "train.py"), run_name="__main__")
