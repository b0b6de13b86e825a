"""Tool-using agents on a simulated LLM whose best possible success rate is known exactly.

An agent is the loop around a language model: it sends the conversation, turns the reply into a
validated action, runs tools, feeds results and errors back, and stops. llmpath supplies the model
(``SimulatedModel``), the tools and the tasks, so that the loop can be judged offline and exactly.
Plug in any real chat model for your own experiments: a model is just ``model(messages) -> str``.

    from llmpath.agents import SimulatedModel, task_suite, evaluate

    suite = task_suite(seed=1, n=50)              # tasks: single calls, chains, no tool, tools that raise
    tools = suite.tools(run=0)                    # the shop's Tools, outputs drawn for this run
    model = SimulatedModel(1, suite, run=0)       # model(messages) -> str
    task = suite.tasks[0].text                    # send it unchanged as the user message

The pieces, one module each (their docstrings are the reference):

* `llmpath.agents.tools`: ``Tool(name, description, parameters, function)``; the JSON Schema subset.
* `llmpath.agents.messages`: the message shape ``{"role", "content"}`` and the reply format: one JSON
  action, ``{"tool": NAME, "arguments": {...}}`` or ``{"answer": TEXT}``, found by a documented rule.
* `llmpath.agents.results`: ``Result(answer, calls, error)`` and ``ToolCall(tool, arguments, result, error)``.
* `llmpath.agents.simulated`: ``SimulatedModel(seed, suite, run=0, rates=DEFAULT_RATES)``.
* `llmpath.agents.rates`: its imperfections and their rates; how feedback changes its corrections.
* `llmpath.agents.reading`: how it reads a conversation; what makes an error observation clear.
* `llmpath.agents.tasks`, `llmpath.agents.toolbox`: seeded suites and the shop's tools.
* `llmpath.agents.optimum`: **the allowed agent actions** and the exact optimum for them.
* `llmpath.agents.faults`: scripted models that never stop, return garbage, raise, or skip tools.
* `llmpath.agents.evaluate`: ``evaluate(make_agent, suite, k)``: success and pass^k beside their optima.

**Roles (multi-agent systems).** The pieces are meant to be split: every tool has a group
(``tools_of_group("catalog")``), every task lists the tools its plan needs (``task.tools``), and a
``SimulatedModel`` only calls the tools named in its own system message, so one model per role, each
told about its role's tools, plays that role; a step that needs another role's tool gets the
overridable ``on_unknown_tool`` reply. The randomness stays keyed on each conversation's meaning,
so every rule that makes M12's optimum exact carries over to each role. Three modules build M13 on it:

* `llmpath.agents.protocol`: the *protocol* message ``Message(id, sender, recipient, kind, content,
  in_reply_to)`` (not the chat message above: import it from there), ``Rule``, ``Protocol`` with
  ``check(message)``, ``ProtocolError``, the ``Role`` interface and ``Run``.
* `llmpath.agents.roles`: the ``ROSTER`` of tool-holding roles, ``RoleModel`` (a ``SimulatedModel``
  that starts from what other roles handed over and hands off with ``"needs"``), ``cooperative_suite``.
* `llmpath.agents.team`: **the allowed actions of a system**, its exact optimum (``team_optimum``)
  and ``evaluate_team(make_system, suite, k)``.

    from llmpath.agents.protocol import Message, Protocol, Rule
    from llmpath.agents.roles import cooperative_suite, role_models
    from llmpath.agents.team import evaluate_team
"""

from __future__ import annotations

from llmpath.agents.evaluate import Report, evaluate
from llmpath.agents.faults import GARBAGE, AnswersWithoutTool, Garbage, NeverStops, Raises, Scripted
from llmpath.agents.messages import ROLES, Message, check_messages
from llmpath.agents.optimum import Optimum, best_over_feedback, optimum, task_optimum
from llmpath.agents.protocol import Protocol, ProtocolError, Role, Rule, Run
from llmpath.agents.rates import DEFAULT_RATES, FLAWS, FORMATS, PERFECT, Rates
from llmpath.agents.reading import Reading, Turn, read_conversation
from llmpath.agents.results import Result, ToolCall
from llmpath.agents.roles import ROSTER, TEAM_MIX, WORKERS, RoleModel, cooperative_suite, holder, role_models, segments
from llmpath.agents.simulated import Action, SimulatedModel, State
from llmpath.agents.tasks import (
    KINDS,
    MIX,
    FromStep,
    Outcome,
    Step,
    Suite,
    Task,
    contains_token,
    output_token,
    task_suite,
)
from llmpath.agents.team import evaluate_team, team_optimum, team_task_optimum
from llmpath.agents.toolbox import CATALOG, ToolDef, shop_tools, tools_of_group
from llmpath.agents.tools import Tool

__all__ = [
    "CATALOG", "DEFAULT_RATES", "FLAWS", "FORMATS", "GARBAGE", "KINDS", "MIX", "PERFECT", "ROLES",
    "Action", "AnswersWithoutTool", "FromStep", "Garbage", "Message", "NeverStops", "Optimum", "Outcome",
    "Raises", "Rates", "Reading", "Report", "Result", "Scripted", "SimulatedModel", "State", "Step", "Suite",
    "Task", "Tool", "ToolCall", "ToolDef", "Turn", "best_over_feedback", "check_messages", "contains_token",
    "evaluate", "optimum", "output_token", "read_conversation", "shop_tools", "task_optimum", "task_suite",
    "tools_of_group",
    # multi-agent systems (M13): the protocol's Message lives in llmpath.agents.protocol
    "ROSTER", "TEAM_MIX", "WORKERS", "Protocol", "ProtocolError", "Role", "RoleModel", "Rule", "Run",
    "cooperative_suite", "evaluate_team", "holder", "role_models", "segments", "team_optimum", "team_task_optimum",
    # modules the judge reads as well: how draws are keyed, the reply format, how replies are read
    "draws", "messages", "reading", "protocol", "roles", "team",
]
