"""Writing an action as reply text, in the formats of `llmpath.agents.rates` (drawn per reply).

* ``bare``: ``{"tool": "stock", "arguments": {"sku": "SKU-40417", "warehouse": 3}}``
* ``pretty``: the same JSON indented over several lines
* ``fence``: the pretty JSON in a Markdown code fence (```` ```json ```` or plain ```` ``` ````)
* ``prose``: a sentence before or after the JSON
* ``braces``: prose beside brace groups that are not actions: ``{units}`` after the JSON (a greedy
  regex from the first ``{`` to the last ``}`` spans both), ``{look up the code}`` before it, or a
  JSON object without "tool"/"answer" (``{"thought": ...}``) before it

A handoff (a role of a multi-agent system that holds no tool for the next step, `llmpath.agents.roles`)
is an answer with one more key: ``{"answer": "...", "needs": "stock"}``, in the same formats.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from llmpath.agents import draws
from llmpath.agents.rates import choose

_LEADS_CALL = ("I'll look that up.", "Let me call a tool for this.", "Calling the tool now:", "First I need some data.")
_LEADS_ANSWER = ("I have what I need.", "Here is my final answer:", "Done.", "Based on the tool output:")
_TRAILS = ("I'll wait for the result.", "That should settle it.", "Let me know if anything is unclear.")
_BEFORE = ("Plan: {look up the record} then {report it}.", "Steps: {call} -> {read the output} -> {answer}.")
_AFTER = ("I will report the figure as {value}.", "Expected shape of the result: {code}.")


def render(action: Any, k: str, table: Mapping[str, Any]) -> str:
    """The reply text of ``action`` (an `Action`), its format drawn on key ``k`` (``table``: ``cutoffs(rates)``)."""
    if action.kind in ("call", "flawed"):
        arguments = list(action.arguments)
        if len(arguments) > 1 and draws.uniform(draws.key(k, "shuffle")) < table["shuffle"][0][1]:
            order = draws.shuffled(draws.key(k, "order"), range(len(arguments)))
            if order == list(range(len(arguments))):
                order = order[::-1]  # a shuffle that keeps the order is no shuffle: reverse it
            arguments = [arguments[i] for i in order]
        obj: dict[str, Any] = {"tool": action.tool, "arguments": dict(arguments)}
        leads = _LEADS_CALL
    else:
        obj = {"answer": action.text}
        if action.kind == "handoff":  # a role that cannot take the next step names the tool it needs
            obj["needs"] = action.tool
        leads = _LEADS_ANSWER
    style = choose(draws.uniform(draws.key(k, "format")), table["formats"])
    if style in ("pretty", "fence"):
        pretty = json.dumps(obj, ensure_ascii=False, indent=2)
        if style == "pretty":
            return pretty
        return f"```{draws.pick(draws.key(k, 'tag'), ('json', ''))}\n{pretty}\n```"
    bare = json.dumps(obj, ensure_ascii=False)
    if style == "bare":
        return bare
    if style == "prose":
        if draws.uniform(draws.key(k, "where"), 2):
            return f"{draws.pick(draws.key(k, 'lead'), leads)}\n{bare}"
        return f"{bare}\n{draws.pick(draws.key(k, 'trail'), _TRAILS)}"
    where = draws.uniform(draws.key(k, "where"), 3)
    if where == 0:
        return f"{bare}\n{draws.pick(draws.key(k, 'after'), _AFTER)}"
    if where == 1:
        return f"{draws.pick(draws.key(k, 'before'), _BEFORE)}\n{bare}"
    return f'{{"thought": "one step at a time"}}\n{bare}'

