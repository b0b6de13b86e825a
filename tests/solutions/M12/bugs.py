# ruff: noqa: E501 - each patch quotes whole source lines of the reference, which are up to 120 characters long
"""Classic agent bugs as one-place patches on tests/solutions/M12/reference/agent.py.

``CHECKS`` names the validators that must catch each bug (the tests run only those, in-process).
``SILENT`` lists bugs whose success rate stays within the margin of the optimum (the rate alone cannot
see them; the deterministic checks catch them); ``LOUD`` lists bugs the success gate alone fails.
"""

from tests.judgeutil import Bug

FIND = '''    decoder = _DECODER
    start = reply.find("{")
    while start != -1:
        try:
            obj, _ = decoder.raw_decode(reply, start)
        except json.JSONDecodeError:
            obj = None
        if isinstance(obj, dict) and ("tool" in obj or "answer" in obj):
            return obj
        start = reply.find("{", start + 1)
    return None'''


def _regex(pattern: str) -> str:
    return f'''    import re

    match = re.search(r"{pattern}", reply, re.S)
    if match is None:
        return None
    try:
        obj = json.loads(match.group(0))
    except json.JSONDecodeError:
        return None
    return obj if isinstance(obj, dict) else None'''


LOOP = "        for _ in range(self.max_steps):"
RUN_TOOL = '''        try:
            output = tool.function(**arguments)
        except Exception as exc:  # the tool's failure is the model's to read
            calls.append(ToolCall(tool.name, dict(arguments), None, f"{type(exc).__name__}: {exc}"))
            return f"Error: {tool.name} raised {type(exc).__name__}: {exc}"'''
CALL_MODEL = '''            try:
                reply = self.model(messages)
            except Exception as exc:  # a failing model ends the run with a failure result, never a crash
                return Result(None, calls, f"the model raised {type(exc).__name__}: {exc}")'''
NO_ACTION = '''                messages.append({"role": "user", "content": 'Error: no action found. Reply with one JSON object, '
                                 '{"tool": NAME, "arguments": {...}} or {"answer": TEXT}.'})
                continue'''
INT = "        return isinstance(value, int) and not isinstance(value, bool)"
NUMBER = "        return isinstance(value, (int, float)) and not isinstance(value, bool)"
INVALID = '''            return f"Error: invalid call to {tool.name}: " + "; ".join(problems) + "."'''
MESSAGES = '''        messages = [{"role": "system", "content": self.system}, {"role": "user", "content": task}]'''

BUGS = [
    Bug("greedy_regex", FIND, _regex(r"\{.*\}"), expect="greedy regex"),
    Bug("non_greedy_regex", FIND, _regex(r"\{.*?\}"), expect="non-greedy"),
    Bug("json_loads_whole_reply", FIND, '''    try:
        obj = json.loads(reply)
    except json.JSONDecodeError:
        return None
    return obj if isinstance(obj, dict) else None''', expect="json.loads"),
    Bug("first_json_object", '        if isinstance(obj, dict) and ("tool" in obj or "answer" in obj):\n            return obj',
        "        if isinstance(obj, dict):\n            return obj", expect="first JSON object"),
    Bug("output_not_appended", "        return json.dumps(output)", '        return "The tool ran."',
        expect="not appended to the conversation"),
    Bug("error_swallowed", INVALID, '            return ""', expect="swallowed"),
    Bug("vague_errors", INVALID, '            return "Error: invalid call."', expect="does not name the bad"),
    Bug("max_steps_one_too_many", LOOP, "        for _ in range(self.max_steps + 1):", expect="off by one"),
    Bug("max_steps_one_too_few", LOOP, "        for _ in range(self.max_steps - 1):", expect="off by one"),
    Bug("positional_arguments", "output = tool.function(**arguments)", "output = tool.function(*arguments.values())",
        expect="positionally"),
    Bug("called_before_validation", '''        problems = validate(tool, arguments)
        if problems:''', '''        try:
            tool.function(**arguments)
        except Exception:
            pass
        problems = validate(tool, arguments)
        if problems:''', expect="before the arguments are validated"),
    Bug("no_validation", "        problems = validate(tool, arguments)", "        problems = []",
        expect="not validated"),
    Bug("bool_accepted_as_int", INT, "        return isinstance(value, int)", expect="bool is a subclass of int"),
    Bug("int_refused_for_number", NUMBER, "        return isinstance(value, float)", expect="every integer is a number"),
    Bug("extra_arguments_accepted", '''        if schema is None:
            problems.append(f"unexpected argument '{name}' (allowed: {', '.join(properties)})")
        elif''', '''        if schema is None:
            continue
        elif''', expect="additionalProperties"),
    Bug("strings_coerced", "        problems = validate(tool, arguments)", '''        arguments = {k: int(v) if isinstance(v, str) and v.isdigit() else v for k, v in arguments.items()}
        problems = validate(tool, arguments)''', expect="coerced"),
    Bug("trace_records_request", "        calls.append(ToolCall(tool.name, dict(arguments), output))",
        "        calls.append(ToolCall(tool.name, dict(arguments), dict(arguments)))", expect="records the request"),
    Bug("state_kept_between_runs", MESSAGES, '''        self.history = getattr(self, "history", [{"role": "system", "content": self.system}])
        self.history.append({"role": "user", "content": task})
        messages = self.history''', expect="state leaks between runs"),
    Bug("answers_with_first_tool_result", '                return Result(str(action["answer"]), calls)',
        '                return Result(str(calls[0].result) if calls else str(action["answer"]), calls)',
        expect="first tool result"),
    Bug("tool_exception_escapes", RUN_TOOL, "        output = tool.function(**arguments)",
        expect="exception escaped run()"),
    Bug("model_exception_escapes", CALL_MODEL, "            reply = self.model(messages)",
        expect="model's exception escaped run()"),
    Bug("garbage_crashes", NO_ACTION, '                raise ValueError("no JSON action in the reply")',
        expect="crashed run()"),
    Bug("exhausted_returns_last_output", '        return Result(None, calls, f"max_steps ({self.max_steps}) reached without an answer")',
        '        return Result(str(calls[-1].result) if calls else None, calls, None)', expect="not the last tool output"),
    Bug("tools_not_described", '        self.system = SYSTEM + "\\n".join(json.dumps(tool.spec()) for tool in tools)',
        "        self.system = SYSTEM", expect="describe every tool"),
    Bug("reply_not_appended", '            messages.append({"role": "assistant", "content": reply})\n', "",
        expect="the conversation must only grow"),
    Bug("raw_reply_returned", '                return Result(str(action["answer"]), calls)',
        "                return Result(reply, calls)", expect="not the raw reply"),
    Bug("exception_message_dropped", '            return f"Error: {tool.name} raised {type(exc).__name__}: {exc}"',
        '            return f"Error: {tool.name} failed."', expect="exception never reached the model"),
    Bug("pushes_back_on_answers", '            if "answer" in action and "tool" not in action:\n',
        '            if "answer" in action and "tool" not in action and not calls:\n'
        '                messages.append({"role": "user", "content": "Please check with a tool first."})\n'
        "                continue\n"
        '            if "answer" in action and "tool" not in action:\n', expect="allowed action"),
    Bug("retries_failing_tool", RUN_TOOL, '''        try:
            output = tool.function(**arguments)
        except Exception:
            try:
                output = tool.function(**arguments)
            except Exception as exc:
                calls.append(ToolCall(tool.name, dict(arguments), None, f"{type(exc).__name__}: {exc}"))
                return f"Error: {tool.name} raised {type(exc).__name__}: {exc}"''', expect="allowed action"),
]

# the validators that must catch each bug (only these run for it)
CHECKS = {
    "greedy_regex": ["m12.parse"],
    "non_greedy_regex": ["m12.parse"],
    "json_loads_whole_reply": ["m12.parse"],
    "first_json_object": ["m12.parse"],
    "output_not_appended": ["m12.outputs"],
    "error_swallowed": ["m12.parse"],
    "vague_errors": ["m12.parse"],
    "max_steps_one_too_many": ["m12.robust"],
    "max_steps_one_too_few": ["m12.robust"],
    "positional_arguments": ["m12.parse"],
    "called_before_validation": ["m12.parse"],
    "no_validation": ["m12.parse"],
    "bool_accepted_as_int": ["m12.parse"],
    "int_refused_for_number": ["m12.parse"],
    "extra_arguments_accepted": ["m12.parse"],
    "strings_coerced": ["m12.parse"],
    "trace_records_request": ["m12.outputs"],
    "state_kept_between_runs": ["m12.outputs"],
    "answers_with_first_tool_result": ["m12.outputs"],
    "tool_exception_escapes": ["m12.robust"],
    "model_exception_escapes": ["m12.robust"],
    "garbage_crashes": ["m12.robust"],
    "exhausted_returns_last_output": ["m12.robust"],
    "tools_not_described": ["m12.outputs"],
    "reply_not_appended": ["m12.outputs"],
    "raw_reply_returned": ["m12.outputs"],
    "exception_message_dropped": ["m12.outputs"],
    "pushes_back_on_answers": ["m12.success"],
    "retries_failing_tool": ["m12.success"],
}

# Bugs whose success rate stays within the margin of the optimum (measured for the whole bank by
# measure.py, table in README.md); the tests prove it for these, the cheapest to run:
SILENT = ["max_steps_one_too_few", "trace_records_request", "called_before_validation"]
# Bugs that m12.success alone fails at its default size, with this in its diagnosis (tests prove these):
LOUD = {"vague_errors": "does not name the bad", "error_swallowed": "swallowed", "greedy_regex": "greedy regex",
        "positional_arguments": "positionally"}
