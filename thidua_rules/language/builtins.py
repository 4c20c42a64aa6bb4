"""The language's built-ins, each defined once: the functions (``min``, ``round`` …) and the
cohort aggregates (``cohort max(x)`` …).

Each entry carries what every stage needs: the checker reads the arity and the range rule, both
evaluators call the one implementation (the generated code binds it by name), and
the fuzzer draws the names from here (the printer writes any call as its name and arguments).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal

import attrs

from ..numbers import ARITHMETIC, RANGES_CONTEXT, ROUNDING, divide, quantum
from .intervals import INF, Interval

#: The most arguments a call of a function taking "at least N" may have.
ANY = 99


@attrs.frozen
class Function:
    """A function of the rule language."""

    name: str
    #: Fewest and most arguments (``most`` is ``ANY`` for "at least ``fewest``").
    fewest: int
    most: int
    #: The implementation on Decimal arguments; a rounding function takes the value and the quantum.
    run: Callable[..., Decimal]
    #: The checker's range rule: the arguments' intervals (a rounding function: the value's and the quantum).
    range: Callable[..., Interval]
    #: The decimal rounding mode when the function rounds to a number of places (its optional 2nd argument).
    rounding: str | None = None

    @property
    def arity(self) -> str:
        """How many arguments, in words: ``2``, ``1 to 2``, ``at least 2``."""
        if self.fewest == self.most:
            return f"{self.fewest}"
        return f"{self.fewest} to {self.most}" if self.most < ANY else f"at least {self.fewest}"


def _rounder(mode: str) -> tuple[Callable[[Decimal, Decimal], Decimal], Callable[[Interval, Decimal], Interval]]:
    def run(x: Decimal, step: Decimal) -> Decimal:
        return x.quantize(step, rounding=mode, context=ARITHMETIC)

    def ranges(x: Interval, step: Decimal) -> Interval:
        def q(end: Decimal) -> Decimal:
            return end.quantize(step, rounding=mode, context=RANGES_CONTEXT) if end.is_finite() else end

        try:
            return Interval(q(x.low), q(x.high))
        except ArithmeticError:  # an end too large to quantize: no bound is known
            return Interval()

    return run, ranges


def _fold(pick: Callable[[Interval, Interval], Interval]) -> Callable[..., Interval]:
    def ranges(first: Interval, *rest: Interval) -> Interval:
        result = first
        for other in rest:
            result = pick(result, other)
        return result

    return ranges


def _abs_range(r: Interval) -> Interval:
    top = max(abs(r.low), abs(r.high))
    bottom = Decimal(0) if r.low <= 0 <= r.high else min(abs(r.low), abs(r.high))
    return Interval(bottom, top, r.integral)


def _clamp(x: Decimal, low: Decimal, high: Decimal) -> Decimal:
    return min(max(x, low), high)


def _clamp_range(x: Interval, lo: Interval, hi: Interval) -> Interval:
    return Interval(min(max(x.low, lo.low), hi.low), min(max(x.high, lo.high), hi.high))  # end by end


def _functions() -> dict[str, Function]:
    rounders = {name: Function(name, 1, 2, *_rounder(mode), mode) for name, mode in ROUNDING.items()}
    table = [
        Function("min", 2, ANY, min, _fold(Interval.min)),
        Function("max", 2, ANY, max, _fold(Interval.max)),
        Function("clamp", 3, 3, _clamp, _clamp_range),
        rounders["round"],
        Function("abs", 1, 1, abs, _abs_range),
        rounders["floor"],
        rounders["ceil"],
    ]
    return {f.name: f for f in table}


#: Every function, by name (the fuzzer draws them in this order).
FUNCTIONS: Mapping[str, Function] = _functions()


def rounding_step(args: Sequence[object]) -> Decimal:
    """The quantum a rounding call rounds to: its second argument's places, 0 without one."""
    places = getattr(args[1], "value", Decimal(0)) if len(args) == 2 else Decimal(0)
    return quantum(int(places))


# ---------------------------------------------------------------- cohort aggregates

#: One unit's view of an aggregate: its value and a note saying which unit set it (or how).
View = tuple[Decimal, str]


@attrs.frozen
class Aggregate:
    """An aggregate over the units scored together: ``cohort max(x)``, ``cohort count`` …"""

    name: str
    #: Whether it aggregates a value (``max(x)``) or counts the units (``count``).
    takes_value: bool
    #: Each unit's view, from each taking-part unit's value and the ruleset's rounding places.
    run: Callable[[Mapping[str, Decimal], int], dict[str, View]]
    #: The checker's range rule: from the aggregated value's interval (``count``: ignored).
    range: Callable[[Interval], Interval]


def _count(values: Mapping[str, Decimal], places: int) -> dict[str, View]:
    return {u: (Decimal(len(values)), f"{len(values)} unit(s) in the cohort") for u in values}


def _extreme(pick: Callable[..., Decimal]) -> Callable[[Mapping[str, Decimal], int], dict[str, View]]:
    def run(values: Mapping[str, Decimal], places: int) -> dict[str, View]:
        best = pick(values.values())
        note = f"set by {', '.join(u for u in values if values[u] == best)}"
        return {u: (best, note) for u in values}

    return run


def _sum(values: Mapping[str, Decimal], places: int) -> dict[str, View]:
    total = sum(values.values(), Decimal(0))
    return {u: (total, f"sum over {len(values)} unit(s)") for u in values}


def _mean(values: Mapping[str, Decimal], places: int) -> dict[str, View]:
    total = sum(values.values(), Decimal(0))
    mean, rounded = divide(total, Decimal(len(values)), places)
    note = f"mean of {len(values)} unit(s)"
    if rounded:
        note += f", rounded half up to {places} decimal places"
    return {u: (mean, note) for u in values}


def _rank(values: Mapping[str, Decimal], places: int) -> dict[str, View]:
    ordered = sorted(values.values(), reverse=True)
    out = {}
    for unit, value in values.items():
        position = ordered.index(value) + 1  # tied units share the better position
        tied = [u for u in values if u != unit and values[u] == value]
        note = f"position {position} of {len(values)}" + (f", tied with {', '.join(tied)}" if tied else "")
        out[unit] = (Decimal(position), note)
    return out


def _positions(inner: Interval) -> Interval:
    return Interval(Decimal(1), INF, True)


def _sum_range(inner: Interval) -> Interval:
    low = -INF if inner.low < 0 else Decimal(0)
    return Interval(low, INF if inner.high > 0 else Decimal(0))


def _same_range(inner: Interval) -> Interval:
    return Interval(inner.low, inner.high)


def _count_true(values: Mapping[str, Decimal], places: int) -> dict[str, View]:
    held = sum(1 for v in values.values() if v)
    return {u: (Decimal(held), f"{held} of {len(values)} unit(s)") for u in values}


#: ``cohort count(CONDITION)``: the units for which the condition holds (each unit's value is 1
#: when it holds, 0 when not), among those the aggregate is over.
COUNT_OF = Aggregate("count", True, _count_true, lambda inner: Interval(Decimal(0), INF, True))


def aggregate_of(func: str, counts_a_condition: bool) -> Aggregate:
    """The aggregate an expression names: ``count`` with a condition is ``COUNT_OF``."""
    return COUNT_OF if func == "count" and counts_a_condition else AGGREGATES[func]


#: Every cohort aggregate, by name.
AGGREGATES: Mapping[str, Aggregate] = {
    a.name: a for a in (
        Aggregate("max", True, _extreme(max), _same_range),
        Aggregate("min", True, _extreme(min), _same_range),
        Aggregate("mean", True, _mean, _same_range),
        Aggregate("sum", True, _sum, _sum_range),
        Aggregate("rank", True, _rank, _positions),
        Aggregate("count", False, _count, _positions),
    )
}
