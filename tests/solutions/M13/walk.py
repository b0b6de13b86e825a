"""M13 in the real-roadmap walk: lay out the reference system and log the evaluation m13.report recomputes."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

REFERENCE = Path(__file__).resolve().parent / "reference"
RUN = {"seed": 1, "n_tasks": 100, "k": 2, "role_steps": 8}


def lay_out(ws: Path) -> None:
    """Copy the reference solution into ``ws/milestones/M13/``."""
    target = ws / "milestones" / "M13"
    target.mkdir(parents=True, exist_ok=True)
    for path in REFERENCE.iterdir():
        if path.is_file():
            shutil.copyfile(path, target / path.name)


def document(ws: Path, log: Callable[..., None]) -> None:
    """Measure the laid-out system with llmpath.agents.team.evaluate_team and log the figures with their run."""
    from llmpath.agents import cooperative_suite, evaluate_team

    spec = importlib.util.spec_from_file_location("_m13_walk_system", ws / "milestones" / "M13" / "multi_agent.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(spec.name, None)
    steps = RUN["role_steps"]
    report = evaluate_team(lambda models, tools: module.System(module.build_roles(models, tools, role_steps=steps),
                                                               module.PROTOCOL),
                           cooperative_suite(RUN["seed"], RUN["n_tasks"]), k=RUN["k"], role_steps=steps)
    log("experiment", "-m", "M13", "--objective", "success rate of the multi-agent system under RoleModels",
        "--setup", f"evaluate_team(System, cooperative_suite(seed={RUN['seed']}, n={RUN['n_tasks']}), k={RUN['k']})",
        "--metric", f"success_rate={report.success:.4f}", "--metric", f"pass_k={report.pass_k:.4f}",
        *(arg for key, value in RUN.items() for arg in ("--metric", f"{key}={value}")),
        "--notes", str(report))
