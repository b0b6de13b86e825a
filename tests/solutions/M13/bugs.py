# ruff: noqa: E501 - each patch quotes whole source lines of the reference, which are up to 120 characters long
"""Classic multi-agent bugs as one-place patches on tests/solutions/M13/reference/multi_agent.py (or a variant).

``CHECKS`` names the validators that must catch each bug (the tests run only those, in-process).
``SOURCE`` names the solution a bug patches when it is not the reference. ``SILENT`` lists bugs whose
success rate stays within the margin of the optimum (the rate alone cannot see them); ``LOUD`` maps
bugs that m13.success fails on the rate alone to the words its diagnosis must hold.
"""

from tests.judgeutil import Bug

SEND = '''        self.check(message)
        if len(self.transcript) >= self.max_messages:
            raise OverflowError(f"message bound ({self.max_messages}) reached")
        stamped = dataclasses.replace(message, id=f"m{len(self.transcript) + 1}")
        self.transcript.append(stamped)
        self.queue.append(stamped)
'''
TIME_OUT_OPEN = '''                for request in list(self.open.values()):  # nobody can answer these any more
                    self.time_out(request, f"{request.recipient} never replied")'''
INVALID = '''            return f"Error: invalid call to {tool.name}: " + "; ".join(problems) + "."'''
ROUTE = '''        content = {"task": self.task.content, "context": list(self.found)}
        return Message("", COORDINATOR, role, "request", content)'''
RESULT = '''        if needs is None:
            return [self.result(content["answer"], None, None)]'''
ERROR_REPLY = '''        if content.get("error") or content.get("answer") is None:
            return [self.result(None, f"{message.sender}: {content.get('error') or 'no answer'}", message.sender)]'''

BUGS = [
    # the protocol: checked too late, or the system's own messages break it
    Bug("protocol_checked_at_delivery", SEND, SEND.replace("        self.check(message)\n", ""),
        expect="send accepted a message the protocol forbids"),
    Bug("recorded_before_check", SEND, SEND.replace("        self.check(message)\n", "") + "        self.check(message)\n",
        expect="checked after the message was queued"),
    Bug("broadcast_forbidden", ROUTE, ROUTE.replace("COORDINATOR, role,", 'COORDINATOR, "*",'),
        expect="broadcast the protocol forbids"),
    # requests and replies
    Bug("reply_copies_in_reply_to", '''        return [Message("", self.name, message.sender, "reply", reply, message.id)]''',
        '''        return [Message("", self.name, message.sender, "reply", reply, message.in_reply_to)]''',
        expect="in_reply_to points at the wrong message"),
    Bug("result_answers_the_reply", '''        return [self.result(content["answer"], None, None)]''',
        '''        return [Message("", COORDINATOR, USER, "result", {"answer": content["answer"]}, message.id)]''',
        expect="in_reply_to points at the wrong message"),
    Bug("requests_never_closed", '''        elif stamped.kind in ("reply", "timeout"):
            self.open.pop(stamped.in_reply_to or "", None)''', '''        elif stamped.kind == "timeout":
            self.open.pop(stamped.in_reply_to or "", None)''', expect="answered twice"),
    Bug("silent_role_not_timed_out", TIME_OUT_OPEN, '''                self.fail(last, f"{last} never replied")''',
        expect="a request was left open"),
    Bug("no_message_bound", '''        if len(self.transcript) >= self.max_messages:''', '''        if False:''',
        expect="unbounded ping-pong"),
    Bug("message_bound_off_by_one", '''        if len(self.transcript) >= self.max_messages:''',
        '''        if len(self.transcript) > self.max_messages:''', expect="message bound is not enforced exactly"),
    Bug("retries_failed_role", ERROR_REPLY, '''        if content.get("error") or content.get("answer") is None:
            self.asked.discard((message.sender, tuple(self.found)))
            return [self.request(message.sender)]''', expect="asked again and again"),
    # faults
    Bug("timeout_never_fires", '''        if not delivery.done.wait(self.timeout_s):''', '''        if not delivery.done.wait():''',
        expect="a timeout that never fires"),
    Bug("deadlock_on_crash", '''            except Exception as exc:  # a crash of the role: reported by the system, never raised
                delivery.error = exc
            delivery.done.set()''', '''                delivery.done.set()
            except Exception as exc:  # a crash of the role: reported by the system, never raised
                delivery.error = exc''', expect="a deadlock when a role crashes"),
    Bug("waits_for_silent_role", TIME_OUT_OPEN, '''                while not self.queue:  # the reply must come eventually
                    __import__("time").sleep(0.01)''', expect="a silent role is waited for forever"),
    # determinism
    Bug("uuid_ids", '''        stamped = dataclasses.replace(message, id=f"m{len(self.transcript) + 1}")''',
        '''        stamped = dataclasses.replace(message, id=__import__("uuid").uuid4().hex[:8])''',
        expect="ids differ between runs"),
    Bug("entry_role_from_a_set", '''    return [Coordinator(holders, WORKERS[0]), *workers]''',
        '''    return [Coordinator(holders, next(iter(set(WORKERS)))), *workers]''', expect="set iteration"),
    Bug("transcript_kept_between_runs", '''        self.transcript, self.queue, self.open, self.task_id = [], collections.deque(), {}, None''',
        '''        self.queue, self.open, self.task_id = collections.deque(), {}, None''',
        expect="state leaks between runs"),
    Bug("replies_in_completion_order", '''        for name, future in futures:  # collected in roster order, whatever finished first
            try:''', '''        order = {id(f): n for n, f in futures}
        futures = [(order[id(f)], f) for f in cf.as_completed([f for _, f in futures], timeout=None)]
        for name, future in futures:
            try:''', expect="depends on timing (threads)", file="multi_agent.py"),
    # roles and tools
    Bug("every_role_gets_every_tool", '''    workers = [Worker(role, models[role], list(tools[role]), role_steps) for role in WORKERS]''',
        '''    everything = [t for role in WORKERS for t in tools[role]]
    workers = [Worker(role, models[role], everything, role_steps) for role in WORKERS]''',
        expect="uses another role's tools"),
    # the success rate
    Bug("context_not_forwarded", ROUTE, ROUTE.replace('"context": list(self.found)', '"context": []'),
        expect="missing from the context"),
    Bug("vague_errors", INVALID, '''            return "Error: invalid call."''', expect="does not name the bad tool or argument"),
    Bug("errors_swallowed", INVALID, '''            return ""''', expect="does not name the bad tool or argument"),
    Bug("answer_composed", RESULT, '''        if needs is None:
            return [self.result(" ".join([*self.found, content["answer"]]), None, None)]''',
        expect="no role's model answered"),
    Bug("conversation_kept_across_requests", '''        messages = [{"role": "system", "content": self.system}, {"role": "user", "content": task}]''',
        '''        messages = self.__dict__.setdefault("history", [{"role": "system", "content": self.system}])
        messages.append({"role": "user", "content": task})''', expect="fresh conversation"),
]

SOURCE = {"replies_in_completion_order": "variants/blackboard"}

CHECKS = {
    "protocol_checked_at_delivery": ["m13.protocol"],
    "recorded_before_check": ["m13.protocol"],
    "broadcast_forbidden": ["m13.protocol"],
    "reply_copies_in_reply_to": ["m13.replies"],
    "result_answers_the_reply": ["m13.replies"],
    "requests_never_closed": ["m13.replies"],
    "silent_role_not_timed_out": ["m13.replies"],
    "no_message_bound": ["m13.replies"],
    "message_bound_off_by_one": ["m13.replies"],
    "retries_failed_role": ["m13.faults"],
    "timeout_never_fires": ["m13.faults"],
    "deadlock_on_crash": ["m13.faults"],
    "waits_for_silent_role": ["m13.faults"],
    "uuid_ids": ["m13.determinism"],
    "entry_role_from_a_set": ["m13.determinism"],
    "transcript_kept_between_runs": ["m13.determinism"],
    "replies_in_completion_order": ["m13.determinism"],
    "every_role_gets_every_tool": ["m13.roles"],
    "context_not_forwarded": ["m13.success"],
    "vague_errors": ["m13.success"],
    "errors_swallowed": ["m13.success"],
    "answer_composed": ["m13.success"],
    "conversation_kept_across_requests": ["m13.success"],
}

# bugs whose success rate stays within the margin of the optimum at the judged size (measured with measure.py, seed 0)
SILENT = ["protocol_checked_at_delivery", "recorded_before_check", "requests_never_closed", "silent_role_not_timed_out",
          "no_message_bound", "message_bound_off_by_one", "retries_failed_role", "timeout_never_fires",
          "deadlock_on_crash", "waits_for_silent_role", "uuid_ids", "entry_role_from_a_set",
          "replies_in_completion_order", "every_role_gets_every_tool", "answer_composed"]
# bugs m13.success fails on the rate alone, with the words its diagnosis must hold
LOUD = {"errors_swallowed": "swallowed"}
