"""M14 capstone entry point: see spiral/ and DESIGN.md."""

from spiral.experiment import compare


def evaluate(seed: int) -> dict[str, float]:
    return compare(seed)
