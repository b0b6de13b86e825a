"""Names for the classic agent bugs, from the signature of what went wrong."""

from __future__ import annotations

from collections.abc import Callable, Sequence

GREEDY = ("the JSON seems to be found by a greedy regex (\\{.*\\}) that spans from the first '{' to the last '}': "
          "with another brace group in the reply it takes both; decode at each '{' with json.JSONDecoder().raw_decode")
POSITIONAL = ("arguments are passed positionally (function(*arguments.values())): they land in the wrong parameters "
              "when the model writes them in another order; call tool.function(**arguments)")
OUTPUT_LOST = "the tool's output is not appended to the conversation: the model cannot answer without reading it"
SWALLOWED = "the error is swallowed: nothing went back to the model, so it never learns what went wrong"
VAGUE = ("the error fed back does not name the bad tool or argument: the model fixes its call 60% of the time after "
         "a clear error, 25% after a vague one")
BEFORE_VALIDATION = ("the tool is called before the arguments are validated (the error came back, but the tool had "
                     "already run): validate first, then call")
BOOL_IS_INT = ("true/false passed for an integer or number: bool is a subclass of int in Python, but JSON Schema's "
               "integer and number exclude booleans (check isinstance(v, bool) first)")
NO_VALIDATION = "the arguments are not validated against the tool's JSON Schema before the tool runs"

Problems = Sequence[tuple[str, str]]  # (case label, diagnosis key)


def _has(problems: Problems, label: str | None = None, key: str | None = None) -> bool:
    return any((label is None or lab == label) and (key is None or k == key) for lab, k in problems)


def _only_bool(problems: Problems) -> bool:
    unvalidated = {lab for lab, k in problems if k == "not_validated"}
    return bool(unvalidated) and unvalidated <= {"true where an integer is required", "true where a number is required"}


_RULES: list[tuple[Callable[[Problems], bool], str]] = [
    (lambda p: _has(p, key="called_before_validation"), BEFORE_VALIDATION),
    (lambda p: _has(p, key="ran_twice"), "a valid call ran more than once (once before validation, then again?): "
     "validate, then run the tool exactly once"),
    (lambda p: _has(p, key="bad_result"), "run() must return a Result(answer, calls, error) (from llmpath.agents)"),
    (lambda p: not _has(p, "bare JSON") and (_has(p, "a ```json code fence", "not_found")
                                             or _has(p, "prose before the JSON", "not_found")),
     "the whole reply is decoded with json.loads: find the JSON object inside prose and code fences"),
    (lambda p: _has(p, "a brace group after the JSON", "not_found") and not _has(p, "bare JSON"), GREEDY),
    (lambda p: _has(p, "bare JSON", "not_found") and _has(p, "pretty-printed JSON", "not_found"),
     "no tool call is found even in bare JSON: a non-greedy regex (\\{.*?\\}) stops at the first '}', inside the "
     "nested arguments object; decode JSON with json.JSONDecoder().raw_decode at each '{'"),
    (lambda p: _has(p, "a JSON object that is not an action before the call", "not_found"),
     "the first JSON object is taken even without a \"tool\" or \"answer\" key; the action is the first object "
     "that has one"),
    (lambda p: _has(p, "brace groups before the JSON", "not_found"),
     "parsing gives up at the first '{' that does not decode: try the next '{'"),
    (lambda p: _has(p, "a string argument with an unbalanced brace"),
     "braces are counted inside JSON strings: decode the object with json instead of counting braces"),
    (lambda p: _has(p, key="positional") or _has(p, "arguments in an order unlike the schema's", "wrong_arguments"),
     POSITIONAL),
    (lambda p: _has(p, "an integer where the schema says number", "not_found"),
     "an integer was refused where the schema says number: in JSON Schema every integer is a number"),
    (lambda p: _has(p, key="wrong_arguments"), "the tool did not receive the model's arguments unchanged (coerced "
     "or converted?): run it with exactly the arguments the model wrote, or reject them"),
    (lambda p: _has(p, "an optional argument left out", "not_found"),
     "an optional argument (not in \"required\") was treated as required"),
    (lambda p: _has(p, key="coerced"), "invalid arguments were changed and run (coerced, e.g. \"7\" -> 7): an "
     "agent may not fix the model's arguments; feed back a clear error and let the model fix them"),
    (lambda p: _has(p, key="called_before_validation"), BEFORE_VALIDATION),
    (_only_bool, BOOL_IS_INT),
    (lambda p: _has(p, "an unexpected extra argument", "not_validated")
     and sum(k == "not_validated" for _, k in p) == 1,
     "an unexpected argument reached the tool: refuse arguments not in properties (additionalProperties is false)"),
    (lambda p: _has(p, "a value outside the enum", "not_validated") and sum(k == "not_validated" for _, k in p) == 1,
     "a value outside the schema's enum reached the tool"),
    (lambda p: _has(p, "an unknown tool name", "not_validated"),
     "a tool ran for a name that does not exist (guessing the intended tool is not an allowed action)"),
    (lambda p: _has(p, key="not_validated"), NO_VALIDATION),
    (lambda p: _has(p, key="raised"), "run() raised instead of returning a Result: errors must go back to the model "
     "as observations, never out of run()"),
    (lambda p: _has(p, key="no_retry"), "the run ends at an invalid reply: append an error observation and call "
     "the model again (it gets up to max_steps replies)"),
    (lambda p: _has(p, key="swallowed"), SWALLOWED),
    (lambda p: _has(p, key="vague"), VAGUE),
    (lambda p: _has(p, key="output_lost"), OUTPUT_LOST),
    (lambda p: _has(p, key="answer_ran_tool"), "a final answer was treated as a tool call"),
    (lambda p: _has(p, key="answer_text"), "run() must return the model's answer text (the value of \"answer\"), "
     "not the raw reply"),
    (lambda p: _has(p, key="not_found"), "some valid tool calls were not found in the reply"),
]


def parse_diagnosis(problems: Problems) -> str | None:
    """The likely bug behind the mishandled parse cases (the first rule that matches)."""
    for matches, message in _RULES:
        if matches(problems):
            return message
    return None


_OUTPUTS: dict[str, str] = {
    "raised": "run() raised instead of returning a Result: a tool's exception must go back to the model",
    "bad_result": "run() must return a Result(answer, calls, error) (from llmpath.agents)",
    "no_model": "run() never called the model",
    "leak": "state leaks between runs: a second run starts from the first one's messages (a list kept on self "
            "and never reset?); build the conversation inside run()",
    "no_tools": "the system message must describe every tool by name (the model only calls tools it was told about)",
    "history": "the conversation must only grow: each model call gets the previous messages, the model's reply "
               "verbatim as an assistant message, then the observations",
    "exception_lost": "a tool's exception never reached the model: feed back its type and message as an observation",
    "output_lost": OUTPUT_LOST,
    "no_answer": "the run ended without an answer although the model gave one (or the loop stopped too early)",
    "answer_without_model": "the run answered although the model did not (the answer must be the model's)",
    "raw_reply": "run() must return the model's answer text (the value of \"answer\"), not the raw reply",
    "first_output": "the answer is the first tool result: a chain's second call needs it, and the answer is the "
                    "model's final answer",
    "wrong_answer": "run() must return exactly the model's final answer",
    "trace_length": "the trace must hold one ToolCall per tool execution (not per model reply, and not only the last)",
    "trace_tool": "the trace names the wrong tool",
    "trace_arguments": "the trace's arguments are not those the tool ran with",
    "trace_error": "a tool that raised must be recorded with error=\"Type: message\"",
    "trace_request": "the trace records the request (the arguments) instead of the tool's result",
    "trace_result": "the trace's result is not the value the tool returned (recorded as text, or another call's?)",
}


def outputs_diagnosis(keys: Sequence[str]) -> str | None:
    """The likely bug behind the failed runs of m12.outputs (the most specific signature: the table's order)."""
    return next((message for key, message in _OUTPUTS.items() if key in keys), None)


_ROBUST: dict[str, str] = {
    "runaway": "the loop has no step limit: stop after max_steps model calls",
    "off_by_one": "max_steps is off by one: run() must make exactly max_steps model calls when the model never "
                  "answers (for step in range(max_steps): ...)",
    "default_steps": "the default max_steps must be 8 (Agent(model, tools, max_steps=8))",
    "steps": "the number of model calls does not follow max_steps",
    "not_a_failure": "when max_steps runs out, return Result(answer=None, calls, error='max_steps (N) reached ...'), "
                     "not the last tool output",
    "raised_garbage": "a reply without a JSON action crashed run(): catch the parse failure and feed an error back",
    "raised_never_stops": "run() raised when the step limit was reached: return a failure Result instead",
    "raised_raises": "the model's exception escaped run(): catch it and return Result(None, calls, error=...)",
    "raised_raises_later": "the model's exception escaped run(): catch it and return Result(None, calls, error=...)",
    "raised_answers": "run() raised on an immediate answer",
    "raised_tool_raises": "a tool's exception escaped run(): catch it and feed 'Type: message' back to the model",
    "bad_result": "run() must return a Result(answer, calls, error) (from llmpath.agents)",
    "model_error": "when the model raises, return answer=None with an error that names its exception",
    "trace_length": "the trace must hold exactly the tool executions that happened",
    "answers": "an answer given without a tool must be returned as it is, after one model call",
    "exception_lost": "a tool's exception never reached the model: feed back its type and message as an observation",
    "trace_error": "a tool that raised must be recorded with error=\"Type: message\", and the run must go on",
    "garbage_ran": "a tool ran for a reply that held no valid action",
    "swallowed": SWALLOWED,
}


def robust_diagnosis(keys: Sequence[str]) -> str | None:
    """The likely bug behind the mishandled fault scenarios (the first in the table's order)."""
    for key in _ROBUST:
        if key in keys:
            return _ROBUST[key]
    return None
