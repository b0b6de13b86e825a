import os
import sys
from pathlib import Path

import pytest

# The judge's child imports instructors' validators (tests.toy_validators) from the workspace or
# from PYTHONPATH; make the repository root importable for both processes.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ["PYTHONPATH"] = str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")


@pytest.fixture(scope="session")
def verified_workspace(tmp_path_factory):
    """A toy workspace whose M1..M4 were completed with real git (tests/verifyhelp.py); copy it before changing it."""
    from tests.verifyhelp import completed_workspace

    return completed_workspace(tmp_path_factory.mktemp("verified"), upto=4)
