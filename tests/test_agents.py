"""llmpath.agents: the simulated model behaves as documented, and its optimum is exact.

The optimum is checked twice: by exact arithmetic on small cases (fractions worked out by hand from
the rates), and by agents that feed back clear, vague or no errors reaching the optimum computed for
their feedback within Monte Carlo error.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from fractions import Fraction as F

import pytest

from llmpath.agents import (
    DEFAULT_RATES,
    GARBAGE,
    PERFECT,
    AnswersWithoutTool,
    Garbage,
    NeverStops,
    Raises,
    Rates,
    Scripted,
    SimulatedModel,
    Step,
    Suite,
    Task,
    Tool,
    best_over_feedback,
    evaluate,
    optimum,
    shop_tools,
    task_optimum,
    task_suite,
    tools_of_group,
)
from llmpath.agents.reading import classify
from llmpath.validators.m12_agent.reference import parse_action
from tests.judgeutil import SOLUTIONS, load_file

# the M12 reference solution: an agent that follows the allowed actions
reference = load_file(SOLUTIONS / "M12" / "reference" / "agent.py", "agent")


def _task(*tools: str) -> Task:
    args = {"find_sku": (("item", "oak hinge"),), "stock": (("sku", "x"), ("warehouse", 3)),
            "exchange_rate": (("currency", "USD"),)}
    return Task("t", "single", "q", tuple(Step(t, args[t]) for t in tools), "{0}")


# ---------------------------------------------------------------------------------------------
# the optimum, by hand on small cases

P_OK_INT, P_FLAW_INT = F(73, 100), F(22, 100)  # a tool with an integer argument: 1 - 0.05 - 0.22
P_OK, P_FLAW = F(81, 100), F(14, 100)  # without one, string_for_int (0.08) becomes a correct call
C = F(6, 10)  # fix_after_clear


def test_optimum_by_hand_single_call() -> None:
    stock = _task("stock")
    assert task_optimum(stock, 1) == 0  # a call and an answer need two model calls
    assert task_optimum(stock, 2) == P_OK_INT
    assert task_optimum(stock, 3) == P_OK_INT + P_FLAW_INT * C
    assert task_optimum(stock, 4) == P_OK_INT + P_FLAW_INT * (C + (1 - C) * C)
    assert task_optimum(_task("find_sku"), 2) == P_OK


def test_optimum_by_hand_chain_and_no_tool() -> None:
    chain = _task("find_sku", "stock")
    assert task_optimum(chain, 2) == 0
    assert task_optimum(chain, 3) == P_OK * P_OK_INT
    assert task_optimum(chain, 4) == P_OK * P_OK_INT + P_OK * P_FLAW_INT * C + P_FLAW * C * P_OK_INT
    none = Task("n", "no_tool", "q", (), "{0}", "5")
    assert task_optimum(none, 0) == 0 and task_optimum(none, 1) == 1


def test_optimum_by_hand_other_feedback() -> None:
    stock = _task("stock")
    assert task_optimum(stock, 3, feedback="vague") == P_OK_INT + P_FLAW_INT * F(1, 4)
    assert task_optimum(stock, 3, feedback="none") == P_OK_INT + P_FLAW_INT * F(1, 20)


@pytest.mark.parametrize("steps", [1, 2, 3, 5, 8, 12])
def test_clear_errors_and_fed_back_outputs_are_the_best_choice(steps: int) -> None:
    for tools in [("stock",), ("find_sku",), ("find_sku", "stock"), ("exchange_rate",)]:
        task = _task(*tools)
        best = best_over_feedback(task, steps)
        assert best == task_optimum(task, steps)
        assert task_optimum(task, steps, feedback="none") <= task_optimum(task, steps, feedback="vague") <= best


def test_pass_k_optimum_is_the_mean_of_powers_not_the_power_of_the_mean() -> None:
    best = optimum(task_suite(3, 200))
    expected = sum(p ** 4 for p in best.per_task) / len(best.per_task)
    assert best.pass_k(4) == expected
    assert best.pass_k(4) > best.success ** 4  # Jensen: the tasks differ (no-tool tasks always succeed)
    assert best.pass_k(1) == best.success


# ---------------------------------------------------------------------------------------------
# the optimum, reached by agents within Monte Carlo error


class VagueAgent(reference.Agent):
    """The reference, but validation errors name nothing (tool exceptions still go back whole)."""

    def _observe(self, action, calls):
        text = super()._observe(action, calls)
        return "Error: that call was invalid." if text.startswith(("Error: unknown", "Error: invalid")) else text


class SilentAgent(reference.Agent):
    """The reference, but no error comes back for an invalid call (only an empty note)."""

    def _observe(self, action, calls):
        text = super()._observe(action, calls)
        return "(no output)" if text.startswith(("Error: unknown", "Error: invalid")) else text


@pytest.mark.parametrize(("cls", "feedback"), [(reference.Agent, "clear"), (VagueAgent, "vague"),
                                               (SilentAgent, "none")])
def test_agents_reach_the_optimum_of_their_feedback(cls, feedback: str) -> None:
    suite, k = task_suite(11, 300), 3
    report = evaluate(lambda model, tools: cls(model, tools, max_steps=8), suite, k=k)
    p = [task_optimum(t, 8, feedback=feedback) for t in suite.tasks]
    expected = float(sum(p) / len(p))
    sigma = math.sqrt(float(sum(x * (1 - x) for x in p)) * k) / (len(p) * k)
    assert abs(report.success - expected) <= 4 * sigma, (report.success, expected, sigma)
    if feedback == "clear":
        assert report.success_optimum == pytest.approx(expected)
        assert not report.errors


def test_imperfection_rates_match_their_documentation() -> None:
    """First replies of many tasks and runs: each imperfection occurs at its documented rate (4 sigma)."""
    suite = task_suite(5, 400)
    counts: dict[str, int] = {}
    n = 0
    for run in range(12):
        model = SimulatedModel(5, suite, run)
        known = frozenset(t.name for t in suite.tools())
        for task in suite.tasks:
            if task.tools and task.tools[0] == "find_sku":  # no integer argument: string_for_int never happens
                action = model.decide(task, known, model_state(), model_key(model, task))
                kind = action.flaw or action.kind
                counts[kind] = counts.get(kind, 0) + 1
                n += 1
    expected = {"made_up": F(5, 100), "wrong_name": F(5, 100), "missing_argument": F(5, 100),
                "wrong_tool": F(4, 100), "call": F(81, 100)}
    for kind, rate in expected.items():
        sigma = math.sqrt(float(rate * (1 - rate)) / n)
        assert abs(counts.get(kind, 0) / n - float(rate)) <= 4 * sigma, (kind, counts, n)
    assert "string_for_int" not in counts


def model_state():
    from llmpath.agents import State

    return State()


def model_key(model: SimulatedModel, task: Task) -> str:
    from llmpath.agents import draws

    return draws.key(model.seed, model.run, task.id, (), "act")


# ---------------------------------------------------------------------------------------------
# the model reads meaning, not text


def _conversation(suite: Suite, task: Task, system: str | None = None) -> list[dict[str, str]]:
    system = system if system is not None else "Tools: " + ", ".join(json.dumps(t.spec()) for t in suite.tools())
    return [{"role": "system", "content": system}, {"role": "user", "content": task.text}]


def _first_flawed(suite: Suite, seed: int) -> tuple[SimulatedModel, Task, list[dict[str, str]], object]:
    """A task whose first reply is a flawed call, with its conversation so far."""
    for run in range(50):
        model = SimulatedModel(seed, suite, run)
        for task in suite.tasks:
            messages = _conversation(suite, task)
            reply = model(messages)
            action, _ = model.replay(model.read(messages))
            if action.kind == "flawed":
                return model, task, [*messages, {"role": "assistant", "content": reply}], action
    raise AssertionError("no flawed first reply found")


def test_rewording_an_error_or_editing_history_cannot_reroll_the_model() -> None:
    suite = task_suite(2, 60)
    model, task, messages, action = _first_flawed(suite, 2)
    name = action.offending[0]
    a = model([*messages, {"role": "tool", "content": f"Error: bad argument '{name}'."}])
    b = model([*messages, {"role": "user", "content": f"Invalid call: {name} is wrong, please fix it."}])
    assert a == b  # both are clear errors: the same class, the same draw, the same reply
    edited = [*messages[:-1], {"role": "assistant", "content": "something else"}]
    assert model([*edited, {"role": "tool", "content": f"Error: {name}"}]) == a
    fresh = SimulatedModel(2, suite, model.run)  # another instance, another process: the same reply
    assert fresh([*messages, {"role": "tool", "content": f"error in {name}"}]) == a


def test_feedback_classes_are_mechanical() -> None:
    offending = ("warehouse",)
    assert classify("flawed", "Error: 'warehouse' must be an integer", "4817", offending) == "clear"
    assert classify("flawed", "warehouse?", "4817", offending) == "clear"
    assert classify("flawed", "Error: invalid call", "4817", offending) == "vague"
    assert classify("flawed", "ok", "4817", offending) == "none"
    assert classify("flawed", "warehouses", "4817", offending) == "none"  # a whole word only
    assert classify("call", "4817", "4817", ()) == "result"
    assert classify("call", "48170", "4817", ()) == "lost"
    assert classify("answer", "anything", "4817", ()) == "after_answer"


def test_the_model_answers_only_after_the_output_came_back() -> None:
    suite = task_suite(4, 40)
    model = SimulatedModel(4, suite, 0, PERFECT)
    task = next(t for t in suite.tasks if t.kind == "single")
    messages = _conversation(suite, task)
    call = model(messages)
    assert parse_action(call)["tool"] == task.steps[0].tool
    lost = model([*messages, {"role": "assistant", "content": call}, {"role": "tool", "content": "done"}])
    assert "tool" in parse_action(lost)  # the output never came back: it calls again
    token = model.outcome(task).token
    answer = model([*messages, {"role": "assistant", "content": call}, {"role": "tool", "content": token}])
    assert parse_action(answer) == {"answer": model.outcome(task).answer}


def test_a_model_only_calls_the_tools_its_system_message_names() -> None:
    suite = task_suite(4, 40)
    chain = next(t for t in suite.tasks if t.kind == "chain")
    catalog = tools_of_group("catalog")
    assert catalog == ("find_sku",)
    role = SimulatedModel(4, suite, 0, PERFECT)  # a role that holds only the catalogue tool
    messages = _conversation(suite, chain, system="You may call find_sku(item).")
    call = role(messages)
    assert parse_action(call)["tool"] == "find_sku"
    sku = role.outcome(chain).outputs[0]
    reply = role([*messages, {"role": "assistant", "content": call}, {"role": "tool", "content": sku}])
    assert parse_action(reply) == {"answer": "I have no tool that can do this."}
    assert "which task" in parse_action(role([{"role": "user", "content": "hello"}]))["answer"]


def test_every_format_parses_to_the_intended_action() -> None:
    from llmpath.validators.m12_agent.explain import shape

    suite = task_suite(6, 80)
    shapes = set()
    for run in range(6):
        model = SimulatedModel(6, suite, run, PERFECT)
        for task in suite.tasks:
            reply = model(_conversation(suite, task))
            action = parse_action(reply)
            if task.steps:
                assert action["tool"] == task.steps[0].tool and action["arguments"] == model.outcome(task).arguments[0]
            else:
                assert action == {"answer": model.outcome(task).answer}
            shapes.add(shape(reply))
    assert shapes == {"code fence", "a non-action JSON object first", "pretty-printed JSON", "bare JSON",
                      "brace groups beside the JSON", "prose around the JSON"}
    assert all(parse_action(g) is None for g in GARBAGE)


def test_messages_are_checked_like_a_chat_api() -> None:
    suite = task_suite(1, 5)
    model = SimulatedModel(1, suite)
    for bad in ("text", [{"role": "robot", "content": "x"}], [{"role": "user", "content": 5}], [3]):
        with pytest.raises(TypeError):
            model(bad)


# ---------------------------------------------------------------------------------------------
# tools, suites, scripted models


def test_tool_outputs_are_drawn_per_run_and_typed_exactly() -> None:
    run0, run1 = {t.name: t for t in shop_tools(9, 0)}, {t.name: t for t in shop_tools(9, 1)}
    assert run0["stock"](sku="SKU-1", warehouse=3) == run0["stock"](sku="SKU-1", warehouse=3)
    assert run0["stock"](sku="SKU-1", warehouse=3) != run1["stock"](sku="SKU-1", warehouse=3)
    assert run0["stock"](sku="SKU-1", warehouse=3) != run0["stock"](sku="SKU-1", warehouse="3")
    with pytest.raises(TypeError, match="warehouse"):
        run0["stock"](sku="SKU-1")
    with pytest.raises(LookupError, match=r"ticket T-\d+"):
        run0["order_status"](order_id=85000)
    assert run0["order_status"](order_id=12345).startswith("shipped")


def test_tool_schemas_outside_the_subset_are_refused() -> None:
    ok = {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"], "additionalProperties": False}
    assert Tool("t", "d", ok, lambda a: a).spec()["name"] == "t"
    for bad in ({"type": "array"}, ok | {"required": ["b"]}, ok | {"properties": {"a": {"type": "list"}}},
                ok | {"additionalProperties": True}):
        with pytest.raises(ValueError):
            Tool("t", "d", bad, lambda a: a)
    with pytest.raises(ValueError):
        Tool("bad name", "d", ok, lambda a: a)


def test_suites_are_seeded_unique_and_mixed() -> None:
    a, b = task_suite(8, 300), task_suite(8, 300)
    assert a == b and task_suite(9, 300) != a
    assert len({t.text for t in a.tasks}) == 300
    kinds = {kind: sum(t.kind == kind for t in a.tasks) for kind in ("single", "chain", "no_tool", "raises")}
    assert all(n >= 25 for n in kinds.values()), kinds
    for task in a.tasks[:50]:
        outcome = a.outcome(task, 2)
        assert outcome.token in outcome.answer


def test_scripted_models() -> None:
    s = Scripted(["a", "b"])
    assert [s([]), s([]), s([])] == ["a", "b", "b"] and len(s.calls) == 3
    n = NeverStops("find_sku", {"item": "x"})
    assert parse_action(n([])) == {"tool": "find_sku", "arguments": {"item": "x"}}
    r = Raises(after=1)
    assert "tool" in parse_action(r([]))
    with pytest.raises(RuntimeError, match="503"):
        r([])
    assert parse_action(AnswersWithoutTool("42")([])) == {"answer": "42"}
    g = Garbage(3)
    assert all(parse_action(g([])) is None for _ in range(20))


def test_rates_are_validated() -> None:
    assert DEFAULT_RATES.fresh(True)["correct"] == P_OK_INT
    with pytest.raises(ValueError):
        Rates(answer_without_tool=F(1, 3))  # not a multiple of 1/1_000_000
    with pytest.raises(ValueError):
        Rates(wrong_name=F(99, 100))  # the fresh-call outcomes would add up to more than 1


def test_the_package_is_pure_python() -> None:
    code = "import sys, llmpath.agents; print(sorted(m for m in ('torch', 'numpy') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr
