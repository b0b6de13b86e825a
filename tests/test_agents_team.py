"""llmpath.agents for multi-agent systems: the protocol, RoleModel, cooperative suites, and the exact team optimum.

The optimum is checked twice: by exact arithmetic on small cases (products of M12's chain values,
worked out by hand from the rates), and by systems whose roles feed back clear or vague errors
reaching the optimum computed for their feedback within Monte Carlo error.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction as F

import pytest

from llmpath.agents import (
    CATALOG,
    PERFECT,
    ROSTER,
    WORKERS,
    Protocol,
    ProtocolError,
    RoleModel,
    Rule,
    Step,
    Task,
    cooperative_suite,
    evaluate_team,
    holder,
    role_models,
    segments,
    task_optimum,
    team_optimum,
    team_task_optimum,
)
from llmpath.agents.protocol import Message, content_problem, show_transcript
from llmpath.agents.reading import names_word
from llmpath.validators.m12_agent.reference import parse_action
from tests.judgeutil import SOLUTIONS, load_file

# the M13 reference: a system that follows the allowed actions
reference = load_file(SOLUTIONS / "M13" / "reference" / "multi_agent.py", "multi_agent")

P_OK_INT, P_FLAW_INT = F(73, 100), F(22, 100)  # a tool with an integer argument (stock)
P_OK, P_FLAW = F(81, 100), F(14, 100)  # find_sku: string_for_int becomes a correct call
C = F(6, 10)


def _task(*tools: str) -> Task:
    args = {"find_sku": (("item", "oak hinge"),), "stock": (("sku", "x"), ("warehouse", 3)),
            "price": (("sku", "x"), ("quantity", 4)), "exchange_rate": (("currency", "USD"),)}
    return Task("t", "chain", "q", tuple(Step(t, args[t]) for t in tools), "{0}")


# ---------------------------------------------------------------------------------------------
# the optimum, by hand


def test_team_optimum_by_hand() -> None:
    chain = _task("find_sku", "stock")
    assert [role for role, _ in segments(chain)] == ["catalog", "warehouse"]
    # each role has its own step budget: two calls (a call and the handoff or answer) per role suffice
    assert team_task_optimum(chain, 2) == P_OK * P_OK_INT
    assert team_task_optimum(chain, 3) == (P_OK + P_FLAW * C) * (P_OK_INT + P_FLAW_INT * C)
    assert team_task_optimum(chain, 8) == task_optimum(_task("find_sku"), 8) * task_optimum(_task("stock"), 8)
    assert team_task_optimum(chain, 8) > task_optimum(chain, 8)  # one M12 agent has 8 calls for both steps
    assert team_task_optimum(chain, 3, feedback="vague") == (P_OK + P_FLAW / 4) * (P_OK_INT + P_FLAW_INT / 4)
    none = Task("n", "no_tool", "q", (), "{0}", "5")
    assert team_task_optimum(none, 1) == 1 and team_task_optimum(none, 0) == 0
    # consecutive steps of one role are one segment: finance holds both price and exchange_rate
    both = _task("price", "exchange_rate")
    assert segments(both) == (("finance", both.steps),) and team_task_optimum(both, 5) == task_optimum(both, 5)


def test_team_optimum_of_a_suite_is_the_mean_and_pass_k_the_mean_of_powers() -> None:
    suite = cooperative_suite(5, 120)
    best = team_optimum(suite)
    assert best.success == sum(team_task_optimum(t) for t in suite.tasks) / len(suite.tasks)
    assert best.pass_k(4) == sum(team_task_optimum(t) ** 4 for t in suite.tasks) / len(suite.tasks)
    assert best.pass_k(4) > best.success ** 4


def test_cooperative_suites_are_mostly_chains_across_two_roles() -> None:
    suite = cooperative_suite(2, 400)
    kinds = [t.kind for t in suite.tasks]
    assert 0.5 < kinds.count("chain") / 400 < 0.7 and {"single", "raises", "no_tool"} <= set(kinds)
    for task in suite.tasks:
        if task.kind == "chain":
            assert len({holder(t) for t in task.tools}) == 2  # no role alone can solve it


# ---------------------------------------------------------------------------------------------
# the optimum, reached by systems within Monte Carlo error


class VagueWorker(reference.Worker):
    def observe(self, action):
        text = super().observe(action)
        return "Error: that call was invalid." if text.startswith(("Error: unknown", "Error: invalid")) else text


@pytest.mark.parametrize("feedback", ["clear", "vague"])
def test_systems_reach_the_optimum_of_their_feedback(monkeypatch, feedback: str) -> None:
    if feedback == "vague":
        monkeypatch.setattr(reference, "Worker", VagueWorker)
    suite, k = cooperative_suite(13, 250), 2
    report = evaluate_team(lambda models, tools: reference.System(reference.build_roles(models, tools),
                                                                  reference.PROTOCOL), suite, k=k)
    p = [team_task_optimum(t, feedback=feedback) for t in suite.tasks]
    expected = float(sum(p) / len(p))
    sigma = math.sqrt(float(sum(x * (1 - x) for x in p)) * k) / (len(p) * k)
    assert abs(report.success - expected) <= 4 * sigma, (report.success, expected, sigma)
    assert not report.errors


# ---------------------------------------------------------------------------------------------
# RoleModel


def _conversation(role: str, task: str, *context: str) -> list[dict]:
    spec = "\n".join(json.dumps(CATALOG[t].tool(0, 0).spec()) for t in ROSTER[role])
    return [{"role": "system", "content": f"Tools:\n{spec}"}, {"role": "user", "content": task},
            *({"role": "user", "content": c} for c in context)]


def test_a_role_hands_off_what_it_cannot_do_and_the_next_starts_from_the_context() -> None:
    suite = cooperative_suite(4, 60)
    chain = next(t for t in suite.tasks if t.tools == ("find_sku", "stock"))
    outcome = suite.outcome(chain, 0)
    models = role_models(suite, 0, PERFECT)
    # warehouse first: it cannot start (find_sku is catalog's), and says so without any draw
    first = parse_action(models["warehouse"](_conversation("warehouse", chain.text)))
    assert first["needs"] == "find_sku" and "So far" not in first["answer"]
    # catalog calls find_sku, reads its output, then hands off naming stock and the SKU it found
    convo = _conversation("catalog", chain.text)
    call = parse_action(models["catalog"](convo))
    assert call["tool"] == "find_sku"
    convo += [{"role": "assistant", "content": json.dumps(call)}, {"role": "tool", "content": outcome.outputs[0]}]
    handoff = parse_action(models["catalog"](convo))
    assert handoff["needs"] == "stock" and outcome.outputs[0] in handoff["answer"]
    # warehouse with that answer as context starts at step 2 and answers with both outputs
    convo = _conversation("warehouse", chain.text, handoff["answer"])
    call = parse_action(models["warehouse"](convo))
    assert call == {"tool": "stock", "arguments": outcome.arguments[1]}
    convo += [{"role": "assistant", "content": json.dumps(call)}, {"role": "tool", "content": outcome.outputs[1]}]
    assert parse_action(models["warehouse"](convo)) == {"answer": outcome.answer}


def test_roles_draw_independently_and_asking_again_replays() -> None:
    suite = cooperative_suite(6, 80)
    single = [t for t in suite.tasks if t.tools == ("stock",) or t.tools == ("find_sku",)][0]
    a = RoleModel(suite.seed, suite, "catalog", 0)
    b = RoleModel(suite.seed, suite, "catalog", 0)
    convo = _conversation("catalog", single.text)
    assert a(convo) == b(convo) == a(list(convo))  # meaning-keyed: the same request replays the same reply
    keys = {RoleModel(suite.seed, suite, role, 0)._key(single, (), "act", (role, 0)) for role in WORKERS}
    assert len(keys) == len(WORKERS)  # each role draws on its own keys
    assert a._key(single, (), "act") == RoleModel.__mro__[1](suite.seed, suite, 0)._key(single, (), "act")


def test_no_tool_description_names_another_tool() -> None:
    """A model knows every tool its system message names, so a role told only its own tools knows only those."""
    for name, definition in CATALOG.items():
        spec = json.dumps(definition.tool(0, 0).spec())
        assert [t for t in CATALOG if t != name and names_word(spec, t)] == [], name


# ---------------------------------------------------------------------------------------------
# the protocol


ROLES = ("coordinator", "catalog")
PROTOCOL = Protocol(ROLES, [Rule("user", "task", "coordinator"), ("coordinator", "request", "catalog"),
                            ("catalog", "reply", "coordinator"), ("coordinator", "result", "user")])


@pytest.mark.parametrize("rule", [("catalog", "task", "coordinator"), ("user", "request", "catalog"),
                                  ("catalog", "timeout", "coordinator"), ("catalog", "result", "coordinator"),
                                  ("catalog", "request", "catalog"), ("catalog", "reply", "*"),
                                  ("coordinator", "gossip", "catalog"), ("nobody", "request", "catalog")])
def test_protocol_refuses_rules_that_contradict_the_kinds(rule) -> None:
    with pytest.raises(ValueError):
        Protocol(ROLES, [rule])


def test_protocol_checks_direction_reply_links_and_contents() -> None:
    ok = Message("m2", "coordinator", "catalog", "request", {"task": "t", "context": []})
    PROTOCOL.check(ok)
    bad = [
        Message("m3", "coordinator", "*", "request", {"task": "t"}),  # a broadcast nobody allowed
        Message("m3", "catalog", "user", "result", {"answer": "42"}, "m1"),  # the wrong role answers the user
        Message("m3", "catalog", "coordinator", "reply", {"answer": "x"}),  # no in_reply_to
        Message("m3", "coordinator", "catalog", "request", "look it up"),  # content of the wrong shape
        Message("m3", "coordinator", "catalog", "request", {"task": "t", "extra": 1}),
    ]
    for message in bad:
        assert not PROTOCOL.allows(message)
        with pytest.raises(ProtocolError):
            PROTOCOL.check(message)
    with pytest.raises(ProtocolError, match="may send: request to catalog; result to user"):
        PROTOCOL.check(bad[0])
    assert content_problem("reply", {"answer": None, "needs": "stock"}) is None
    assert "m2 coordinator -> catalog request" in show_transcript([ok])
    with pytest.raises(ValueError):
        Protocol(("user",), [])
