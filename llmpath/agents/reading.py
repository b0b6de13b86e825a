"""How `SimulatedModel` reads a conversation: the task, the tools it knows, and what each turn fed back.

* **The tools it knows**: a tool is known when its name appears, as a word, in a system message.
  Describe every tool there (``tool.spec()`` as JSON is enough).
* **The task**: the first user message that is a task of the suite (its text, whitespace ignored),
  or whose lines include one, or (slower) that contains one.
* **Turns**: after the task message, each assistant message opens a turn; the messages that follow it
  (any role but assistant) up to the next assistant message are that turn's *observation*. Messages
  before the first assistant message add nothing to the turns; their text (the task message's
  included, system messages not) is the conversation's *context*, where a role of a multi-agent
  system reads what other roles handed over (`llmpath.agents.roles`). The model never reads its own
  past replies back: it knows what it said (it recomputes it), so editing them changes nothing.

**An observation is classified mechanically** against what the model's reply of that turn was:

* after a tool call that is correct (right tool, valid arguments): ``result`` when the observation
  contains the step's output token as a whole word (the number, the code such as ``SKU-40417``, or
  for a tool that raised, the ticket ``T-4821`` in its exception message), else ``lost``;
* after a flawed call: ``result`` if it nevertheless contains the output token; else ``clear`` when
  it names (as a whole word) the bad tool name or one of the bad argument names; else ``vague`` when
  it contains an error word (error, invalid, unknown, missing, unexpected, failed, failure, exception, wrong,
  required, must, not allowed); else ``none``;
* after a final answer: ``after_answer`` (the run should have ended).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from llmpath.agents.messages import check_messages
from llmpath.agents.tasks import Suite, Task, contains_token

ERROR_WORDS = re.compile(
    r"(?<![A-Za-z])(errors?|invalid|unknown|missing|unexpected|failed|failure|exception|wrong|required|must|"
    r"not allowed)(?![A-Za-z])",
    re.IGNORECASE,
)
CLASSES: tuple[str, ...] = ("result", "lost", "clear", "vague", "none", "after_answer")


@dataclasses.dataclass(frozen=True)
class Turn:
    """One reply of the model (as the conversation holds it) and the observation fed back after it."""

    reply: str
    observation: str


@dataclasses.dataclass(frozen=True)
class Reading:
    """A conversation as the simulated model reads it."""

    task: Task | None
    known: frozenset[str]  # tool names that appear in a system message
    turns: tuple[Turn, ...]
    context: str = ""  # non-system messages from the task message up to the first assistant message


def names_word(text: str, name: str) -> bool:
    """``name`` appears in ``text`` as a whole word (letters, digits and _ do not continue it)."""
    return contains_token(text, name)


def read_conversation(
    messages: Sequence[Mapping[str, Any]],
    suite: Suite,
    tool_names: Iterable[str],
    known_cache: dict[str, frozenset[str]] | None = None,
) -> Reading:
    """Read ``messages`` (raises TypeError on a malformed conversation, as a chat API would).

    ``known_cache`` (system text -> known tools) saves rescanning the same system prompt on every call.
    """
    messages = check_messages(messages)
    system = "\n".join(m["content"] for m in messages if m["role"] == "system")
    known = known_cache.get(system) if known_cache is not None else None
    if known is None:
        known = frozenset(name for name in tool_names if names_word(system, name))
        if known_cache is not None and len(known_cache) < 1024:
            known_cache[system] = known
    task, start = None, len(messages)
    for i, message in enumerate(messages):
        if message["role"] == "user":
            task = find_task(message["content"], suite)
            if task is not None:
                start = i
                break
    turns: list[list[Any]] = []
    context: list[str] = [messages[start]["content"]] if task is not None else []
    for message in messages[start + 1:]:
        if message["role"] == "assistant":
            turns.append([message["content"], []])
        elif turns:
            turns[-1][1].append(message["content"])
        elif message["role"] != "system":
            context.append(message["content"])
    return Reading(task, known, tuple(Turn(reply, "\n".join(obs)) for reply, obs in turns), "\n".join(context))


def find_task(content: str, suite: Suite) -> Task | None:
    """The task a user message carries: the whole message, one of its lines, or (slow path) a substring."""
    task = suite.task_for(content)
    if task is not None:
        return task
    for line in content.splitlines():
        task = suite.task_for(line)
        if task is not None:
            return task
    return suite.task_within(content)


def classify(kind: str, observation: str, token: str, offending: Sequence[str]) -> str:
    """The class of an observation after a reply of ``kind`` ("call", "flawed" or an answer kind)."""
    if kind == "call":
        return "result" if contains_token(observation, token) else "lost"
    if kind == "flawed":
        if contains_token(observation, token):
            return "result"
        if any(names_word(observation, name) for name in offending):
            return "clear"
        return "vague" if ERROR_WORDS.search(observation) else "none"
    return "after_answer"
