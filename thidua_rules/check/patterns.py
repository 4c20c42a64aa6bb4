"""Sets of values a tier-table row matches, for the checker's gap, overlap and order checks."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import attrs

from ..language.intervals import INF, NEG_INF
from ..numbers import plain

Bound = tuple[Decimal, bool]  # value, closed


@attrs.frozen
class Span1:
    """One interval of a number line; integral sets use closed integer ends."""

    low: Decimal
    low_closed: bool
    high: Decimal
    high_closed: bool

    def empty(self) -> bool:
        if self.low > self.high or self.low == INF or self.high == NEG_INF:
            return True  # a point at infinity is no value
        return self.low == self.high and not (self.low_closed and self.high_closed)


def _ceil(value: Decimal) -> Decimal:
    return value if not value.is_finite() else value.to_integral_value(rounding=ROUND_CEILING)


def _floor(value: Decimal) -> Decimal:
    return value if not value.is_finite() else value.to_integral_value(rounding=ROUND_FLOOR)


@attrs.frozen
class NumberSet:
    """A union of intervals; ``integral`` sets hold whole numbers only."""

    parts: tuple[Span1, ...]
    integral: bool

    @classmethod
    def interval(
        cls, low: Decimal, low_closed: bool, high: Decimal, high_closed: bool, integral: bool
    ) -> NumberSet:
        if integral:
            low = _ceil(low) if low_closed else _floor(low) + 1
            high = _floor(high) if high_closed else _ceil(high) - 1
            low_closed = high_closed = True
        part = Span1(low, low_closed, high, high_closed)
        return cls(() if part.empty() else (part,), integral)

    @classmethod
    def everything(cls, low: Decimal, high: Decimal, integral: bool) -> NumberSet:
        return cls.interval(low, True, high, True, integral)

    def empty(self) -> bool:
        return not self.parts

    def intersect(self, other: NumberSet) -> NumberSet:
        out = []
        for a in self.parts:
            for b in other.parts:
                low, low_closed = max((a.low, a.low_closed), (b.low, b.low_closed), key=_low_key)
                high, high_closed = min((a.high, a.high_closed), (b.high, b.high_closed), key=_high_key)
                part = Span1(low, low_closed, high, high_closed)
                if not part.empty():
                    out.append(part)
        return NumberSet(tuple(out), self.integral)

    def complement(self) -> NumberSet:
        out: list[NumberSet] = []
        cursor: Bound = (NEG_INF, True)
        for part in sorted(self.parts, key=lambda p: _low_key((p.low, p.low_closed))):
            out.append(NumberSet.interval(cursor[0], cursor[1], part.low, not part.low_closed, self.integral))
            cursor = (part.high, not part.high_closed)
        out.append(NumberSet.interval(cursor[0], cursor[1], INF, True, self.integral))
        return NumberSet.union_all(out, self.integral)

    def minus(self, other: NumberSet) -> NumberSet:
        return self.intersect(other.complement())

    def union(self, other: NumberSet) -> NumberSet:
        return NumberSet(self.parts + other.parts, self.integral)

    @staticmethod
    def union_all(sets: Iterable[NumberSet], integral: bool) -> NumberSet:
        parts: tuple[Span1, ...] = ()
        for s in sets:
            parts += s.parts
        return NumberSet(parts, integral)

    def describe(self) -> str:
        """Every part in words, e.g. ``from 11 to 20, 31 and above``, ``above 50 up to 60``."""
        parts = sorted(self.parts, key=lambda p: _low_key((p.low, p.low_closed)))
        return ", ".join(_describe(part) for part in parts)


def _describe(part: Span1) -> str:
    low, high = plain(part.low), plain(part.high)
    if part.low == part.high:
        return low
    if not part.high.is_finite() and not part.low.is_finite():
        return "every value"
    if not part.high.is_finite():
        return f"{low} and above" if part.low_closed else f"above {low}"
    if not part.low.is_finite():
        return f"{high} and below" if part.high_closed else f"below {high}"
    start = f"from {low}" if part.low_closed else f"above {low}"
    end = f"to {high}" if part.high_closed else f"to below {high}"
    if not part.low_closed and part.high_closed:
        end = f"up to {high}"
    return f"{start} {end}"



def _low_key(bound: Bound) -> tuple[Decimal, int]:
    return bound[0], 0 if bound[1] else 1


def _high_key(bound: Bound) -> tuple[Decimal, int]:
    return bound[0], 1 if bound[1] else 0


def compare_set(op: str, value: Decimal, integral: bool) -> NumberSet:
    """The numbers ``x`` with ``x op value``."""
    if op == "<":
        return NumberSet.interval(NEG_INF, True, value, False, integral)
    if op == "<=":
        return NumberSet.interval(NEG_INF, True, value, True, integral)
    if op == ">":
        return NumberSet.interval(value, False, INF, True, integral)
    if op == ">=":
        return NumberSet.interval(value, True, INF, True, integral)
    point = NumberSet.interval(value, True, value, True, integral)
    if op == "=":
        return point
    return point.complement()
