"""Train the leaky model with the reference training script (this folder's model.py comes first).

    python tests/solutions/M9/leaky/train.py --out tests/solutions/M9/leaky --vocab 300 --steps 800 --d 48 \
        --layers 2 --heads 2 --block 32 --eval-every 200 --lr 5e-3
        (49 s of CPU; test split 0.069 bits/byte, far below the entropy floor 0.304)
"""

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "reference")]  # model.py from here; bpe.py, pretrain.py from there
runpy.run_path(str(HERE.parent / "reference" / "train.py"), run_name="__main__")
