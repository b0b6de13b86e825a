"""`SimulatedModel`: a deterministic stand-in for a chat LLM whose imperfections happen at known rates.

``model = SimulatedModel(seed, suite, run=0)``, then ``reply = model(messages)``. The model finds the
task in the conversation, plans the task's tool calls, and at each turn writes one action in the
documented reply format (`llmpath.agents.messages`):

* it calls the tool of the next step of the plan; after the output of that call has been fed back
  (see `llmpath.agents.reading` for what counts), it moves on to the next step; when every step's
  output has been fed back it answers, and its answer holds the last output. **It can only state the
  answer if the tool's output was fed back to it**: a call whose output never comes back is made
  again (a fresh attempt) on the next turn;
* a fresh attempt goes wrong at the rates of `llmpath.agents.rates` (a made-up answer without a
  tool, an unknown tool name, a string for an integer, a missing argument, the wrong tool); after a
  flawed call the next reply corrects it with a probability set by the error observation (clear,
  vague, none) and otherwise repeats the same flawed call;
* a task that needs no tool is answered at once; a tool whose name is not in a system message cannot
  be called: the model answers that it has no tool for the task.

**Randomness is keyed on the conversation's meaning**: every draw is a hash of (seed, run, task,
the classes of the observations so far), where the number of classes is the turn. Rewording an
error, re-sending the same conversation, or editing earlier messages cannot re-roll a draw, and two
agents that feed back observations of the same classes see exactly the same replies.

Roles (multi-agent systems): a model knows only the tools named in its own system message, so one
``SimulatedModel`` per role, each given its role's tools in its system prompt, plays that role.
Subclasses may override ``on_unknown_tool`` (what a role says about a step it holds no tool for),
``decide`` (the action of a turn), ``start_state`` (where a conversation starts, e.g. from outputs
another role handed over) and ``origin`` (extra parts of every draw's key, e.g. the role) without
touching the reading or the keyed draws; `llmpath.agents.roles.RoleModel` does exactly that.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from llmpath.agents import draws
from llmpath.agents.rates import DEFAULT_RATES, FLAWS, Rates, choose, cutoffs
from llmpath.agents.reading import Reading, classify, read_conversation
from llmpath.agents.render import render
from llmpath.agents.tasks import Outcome, Suite, Task
from llmpath.agents.toolbox import CATALOG, ToolDef


@dataclasses.dataclass(frozen=True)
class Action:
    """What the model means to do in one turn (rendered into text by `render`)."""

    kind: str  # call | flawed | answer | made_up | no_tool | no_task | handoff (llmpath.agents.roles)
    tool: str | None = None
    arguments: tuple[tuple[str, Any], ...] = ()
    flaw: str | None = None
    offending: tuple[str, ...] = ()  # what a clear error observation names
    text: str | None = None  # the answer's text


@dataclasses.dataclass(frozen=True)
class State:
    """Where the model stands in a task: steps whose output it has read, and a flawed call to fix."""

    progress: int = 0
    pending: tuple[Action, str] | None = None  # (the flawed call, the class of the feedback it got)


class SimulatedModel:
    """A chat model ``model(messages) -> str`` with documented, seeded imperfections.

    ``seed``: keys every draw. ``suite``: the tasks it can recognise (``task_suite(...)``). ``run``:
    which run of the suite (tool outputs and draws differ per run). ``rates``: how often each
    imperfection happens (`llmpath.agents.rates`; ``PERFECT`` never errs).
    """

    def __init__(self, seed: int, suite: Suite, run: int = 0, rates: Rates = DEFAULT_RATES) -> None:
        self.seed = seed
        self.suite = suite
        self.run = run
        self.rates = rates
        self._outcomes: dict[str, Outcome] = {}
        self._memo: dict[tuple[Any, ...], Action] = {}
        self._known: dict[str, frozenset[str]] = {}
        self._table = cutoffs(rates)
        self._fix = dict(self._table["fix"])

    def __call__(self, messages: Sequence[Mapping[str, Any]]) -> str:
        reading = self.read(messages)
        action, history = self.replay(reading)
        origin = self.origin(reading, self.start_state(reading)) if reading.task is not None else ()
        return render(action, self._key(reading.task, history, "render", origin), self._table)

    def replay(self, reading: Reading) -> tuple[Action, tuple[str, ...]]:
        """This turn's action and the classes of the observations before it."""
        steps, action = self.trace(reading)
        return action, tuple(cls for _, cls in steps)

    def trace(self, reading: Reading) -> tuple[list[tuple[Action, str]], Action]:
        """What the model meant at each past turn with the class of the observation it got, and its next action.

        This is how the judge explains a run: ``[(Action("flawed", flaw="missing_argument", ...), "vague"), ...]``.
        """
        task = reading.task
        if task is None:
            return [], Action("no_task", text="I cannot tell which task this is: send the task as a user message.")
        state = self.start_state(reading)
        origin = self.origin(reading, state)
        history: tuple[str, ...] = ()
        steps = []
        for turn in reading.turns:
            action = self._decided(task, reading.known, state, history, origin)
            cls = classify(action.kind, turn.observation, self._token(task, state), action.offending)
            steps.append((action, cls))
            state = _transition(state, action, cls)
            history += (cls,)
        return steps, self._decided(task, reading.known, state, history, origin)

    def read(self, messages: Sequence[Mapping[str, Any]]) -> Reading:
        """The conversation as this model reads it (`llmpath.agents.reading`)."""
        return read_conversation(messages, self.suite, CATALOG, self._known)

    def outcome(self, task: Task) -> Outcome:
        """The correct arguments, outputs and answer of ``task`` in this model's run."""
        found = self._outcomes.get(task.id)
        if found is None:
            found = self._outcomes[task.id] = self.suite.outcome(task, self.run)
        return found

    def decide(self, task: Task, known: frozenset[str], state: State, key: str) -> Action:
        """The action of one turn in ``state``; every random choice is a draw on ``key``."""
        outcome = self.outcome(task)
        if state.progress == len(task.steps):
            return Action("answer", text=outcome.answer)
        step = task.steps[state.progress]
        if step.tool not in known:
            return self.on_unknown_tool(task, step.tool)
        correct = Action("call", step.tool, tuple(outcome.arguments[state.progress].items()))
        table = self._table
        if state.pending is not None:
            flawed, feedback = state.pending
            return correct if draws.uniform(draws.key(key, "fix")) < self._fix[feedback] else flawed
        definition = CATALOG[step.tool]
        kind = choose(draws.uniform(key), table["fresh_int" if definition.integer_arguments else "fresh_no_int"])
        if kind == "correct":
            return correct
        if kind == "answer_without_tool":
            return Action("made_up", text=_made_up(task, outcome, key))
        return _flawed(kind, definition, correct, draws.key(key, "detail"))

    def on_unknown_tool(self, task: Task, tool: str) -> Action:
        """The reply when the next step needs a tool this model was not told about."""
        return Action("no_tool", text="I have no tool that can do this.")

    def start_state(self, reading: Reading) -> State:
        """Where the model stands before its first reply (a fresh task: nothing done yet)."""
        return State()

    def origin(self, reading: Reading, start: State) -> tuple[Any, ...]:
        """Extra parts of every draw's key for this conversation (none: M12's keys are (seed, run, task, history))."""
        return ()

    def _decided(self, task: Task, known: frozenset[str], state: State, history: tuple[str, ...],
                 origin: tuple[Any, ...] = ()) -> Action:
        memo = (task.id, known, origin, history)
        action = self._memo.get(memo)
        if action is None:
            action = self._memo[memo] = self.decide(task, known, state, self._key(task, history, "act", origin))
        return action

    def _key(self, task: Task | None, history: tuple[str, ...], purpose: str, origin: tuple[Any, ...] = ()) -> str:
        # origin () keeps the key of a plain SimulatedModel exactly (seed, run, task, history, purpose)
        return draws.key(self.seed, self.run, task.id if task else None, *origin, history, purpose)

    def _token(self, task: Task, state: State) -> str:
        outcome = self.outcome(task)
        return outcome.outputs[state.progress] if state.progress < len(task.steps) else outcome.token


def _transition(state: State, action: Action, cls: str) -> State:
    if action.kind in ("call", "flawed") and cls == "result":
        return State(state.progress + 1, None)
    if action.kind == "flawed":
        return State(state.progress, (action, cls))
    return State(state.progress, None)


def _flawed(kind: str, definition: ToolDef, correct: Action, k: str) -> Action:
    assert kind in FLAWS, kind
    args = dict(correct.arguments)
    if kind == "wrong_name":
        return Action("flawed", definition.hallucinated, correct.arguments, kind, (definition.hallucinated,))
    if kind == "string_for_int":
        name = definition.integer_arguments[0]
        args[name] = str(args[name])
        return Action("flawed", definition.name, tuple(args.items()), kind, (name,))
    if kind == "missing_argument":
        name = draws.pick(k, definition.parameters["required"])
        del args[name]
        return Action("flawed", definition.name, tuple(args.items()), kind, (name,))
    sibling = CATALOG[definition.sibling].parameters
    # the wrong tool is a bad tool: an error that names it is clear (a role that does not hold it can only say
    # "unknown tool"), and so is one that names an argument that does not fit it
    offending = [definition.sibling, *(n for n in args if n not in sibling["properties"])]
    offending += [n for n in sibling["required"] if n not in args]
    return Action("flawed", definition.sibling, correct.arguments, kind, tuple(offending))


def _made_up(task: Task, outcome: Outcome, k: str) -> str:
    """A plausible answer with made-up values of the same shape as the real outputs."""
    fake = []
    for i, real in enumerate(outcome.outputs):
        prefix, _, digits = real.rpartition("-") if "-" in real else ("", "", real)
        value = real
        while value == real:
            number = draws.integer(draws.key(k, "made_up", i, value), 10 ** (len(digits) - 1), 10 ** len(digits) - 1)
            value = f"{prefix}-{number}" if prefix else str(number)
        fake.append(value)
    return task.template.format(*fake)
