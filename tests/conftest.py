import os
import sys
from pathlib import Path

# The judge's child imports instructors' validators (tests.toy_validators) from the workspace or
# from PYTHONPATH; make the repository root importable for both processes.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ["PYTHONPATH"] = str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")
