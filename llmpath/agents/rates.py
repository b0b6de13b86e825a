"""The documented imperfections of `SimulatedModel` and how often they happen (exact fractions).

When the model means to call the tool of the next step of a task (a *fresh* attempt), one draw
decides what it writes:

====================  =======  ==================================================================
imperfection          default  what the reply holds
====================  =======  ==================================================================
answer_without_tool   0.05     a final answer with a made-up value, without calling the tool
wrong_name            0.05     a call to a tool name that does not exist (``get_stock``)
string_for_int        0.08     the tool's first integer argument as a string (``"3"``); a tool
                               without integer arguments gets a correct call instead
missing_argument      0.05     a call without one of the required arguments
wrong_tool            0.04     a call to another existing tool, with this step's arguments (they
                               never fit that tool's schema)
(correct call)        rest     0.73, or 0.81 for a tool without integer arguments
====================  =======  ==================================================================

After a flawed call the next reply corrects it with a probability set by the observation the agent
fed back (see `llmpath.agents.reading` for the mechanical definitions): ``fix_after_clear`` 0.60
after an error that names the bad tool or argument, ``fix_after_vague`` 0.25 after an error that
does not, ``fix_after_none`` 0.05 when no error came back. **A failed correction repeats the same
flawed call** (same tool, same arguments; only the wrapping format is drawn again).

Formats are drawn independently for every reply (they change nothing for a correct parser): bare
JSON 0.30, pretty-printed 0.15, in a code fence 0.20, in prose 0.20, in prose beside brace groups that
are not JSON 0.15; the arguments of a call come in a shuffled order with probability 0.25.
"""

from __future__ import annotations

import dataclasses
import functools
from fractions import Fraction as F

from llmpath.agents.draws import RESOLUTION

FLAWS: tuple[str, ...] = ("wrong_name", "string_for_int", "missing_argument", "wrong_tool")
FORMATS: tuple[str, ...] = ("bare", "pretty", "fence", "prose", "braces")
FEEDBACK: tuple[str, ...] = ("clear", "vague", "none")


@dataclasses.dataclass(frozen=True)
class Rates:
    """Probabilities of the simulated model's behaviours (see the module docstring). All are Fractions."""

    answer_without_tool: F = F(5, 100)
    wrong_name: F = F(5, 100)
    string_for_int: F = F(8, 100)
    missing_argument: F = F(5, 100)
    wrong_tool: F = F(4, 100)
    fix_after_clear: F = F(60, 100)
    fix_after_vague: F = F(25, 100)
    fix_after_none: F = F(5, 100)
    formats: tuple[F, ...] = (F(30, 100), F(15, 100), F(20, 100), F(20, 100), F(15, 100))
    shuffle_arguments: F = F(25, 100)

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            values = getattr(self, field.name)
            for value in values if isinstance(values, tuple) else (values,):
                if not isinstance(value, F) or not 0 <= value <= 1 or (value * RESOLUTION).denominator != 1:
                    raise ValueError(f"Rates.{field.name}: {value!r} must be a Fraction in [0, 1], "
                                     f"a multiple of 1/{RESOLUTION}")
        if self.answer_without_tool + sum(self.flaw(name) for name in FLAWS) > 1:
            raise ValueError("Rates: the imperfections of a fresh call add up to more than 1")
        if len(self.formats) != len(FORMATS) or sum(self.formats) != 1:
            raise ValueError(f"Rates.formats: one rate per format {FORMATS}, adding up to 1")

    def flaw(self, name: str) -> F:
        """The rate of one flaw of a fresh call, by name (see FLAWS)."""
        return getattr(self, name)

    def fix(self, feedback: str) -> F:
        """The probability that a flawed call is corrected after ``feedback`` ("clear", "vague", "none")."""
        return {"clear": self.fix_after_clear, "vague": self.fix_after_vague, "none": self.fix_after_none}[feedback]

    def fresh(self, has_integer: bool) -> dict[str, F]:
        """The outcome distribution of a fresh call: answer_without_tool, each flaw, and "correct"."""
        out = {"answer_without_tool": self.answer_without_tool}
        for name in FLAWS:
            out[name] = self.flaw(name) if (name != "string_for_int" or has_integer) else F(0)
        out["correct"] = 1 - sum(out.values())
        return out


@functools.lru_cache(maxsize=64)
def cutoffs(rates: Rates) -> dict[str, tuple[tuple[str, int], ...]]:
    """Each distribution as (outcome, count out of RESOLUTION) pairs, for integer draws (computed once)."""
    def table(items: dict[str, F]) -> tuple[tuple[str, int], ...]:
        return tuple((name, int(rate * RESOLUTION)) for name, rate in items.items())

    return {
        "fresh_int": table(rates.fresh(True)),
        "fresh_no_int": table(rates.fresh(False)),
        "fix": table({name: rates.fix(name) for name in FEEDBACK}),
        "formats": table(dict(zip(FORMATS, rates.formats, strict=True))),
        "shuffle": table({"shuffle": rates.shuffle_arguments}),
    }


def choose(u: int, table: tuple[tuple[str, int], ...]) -> str:
    """The outcome a draw ``u`` in [0, RESOLUTION) picks from ``table`` (cumulative counts)."""
    for name, count in table:
        u -= count
        if u < 0:
            return name
    return table[-1][0]


DEFAULT_RATES = Rates()
PERFECT = Rates(F(0), F(0), F(0), F(0), F(0), F(1), F(1), F(1))
