"""M12 in the real-roadmap walk: lay out the reference agent and log the evaluation m12.report recomputes."""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Callable
from pathlib import Path

REFERENCE = Path(__file__).resolve().parent / "reference"
RUN = {"seed": 1, "n_tasks": 100, "k": 2, "max_steps": 8}


def lay_out(ws: Path) -> None:
    """Copy the reference solution into ``ws/milestones/M12/``."""
    target = ws / "milestones" / "M12"
    target.mkdir(parents=True, exist_ok=True)
    for path in REFERENCE.iterdir():
        if path.is_file():
            shutil.copyfile(path, target / path.name)


def document(ws: Path, log: Callable[..., None]) -> None:
    """Measure the laid-out agent with llmpath.agents.evaluate and log the figures with the run that made them."""
    from llmpath.agents import evaluate, task_suite

    spec = importlib.util.spec_from_file_location("_m12_walk_agent", ws / "milestones" / "M12" / "agent.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    report = evaluate(lambda model, tools: module.Agent(model, tools, max_steps=RUN["max_steps"]),
                      task_suite(RUN["seed"], RUN["n_tasks"]), k=RUN["k"], max_steps=RUN["max_steps"])
    log("experiment", "-m", "M12", "--objective", "success rate of the agent under SimulatedModel",
        "--setup", f"evaluate(Agent, task_suite(seed={RUN['seed']}, n={RUN['n_tasks']}), k={RUN['k']})",
        "--metric", f"success_rate={report.success:.4f}", "--metric", f"pass_k={report.pass_k:.4f}",
        *(arg for key, value in RUN.items() for arg in ("--metric", f"{key}={value}")),
        "--notes", str(report))
