"""Interval arithmetic over Decimal with infinite ends, for the checker's range analysis."""

from __future__ import annotations

from decimal import Decimal

import attrs

INF = Decimal("Infinity")
NEG_INF = Decimal("-Infinity")
ZERO = Decimal(0)


def _mul(a: Decimal, b: Decimal) -> Decimal:
    if a == 0 or b == 0:
        return ZERO
    return a * b


@attrs.frozen
class Interval:
    """The values an expression can take: ``[low, high]``, ends may be infinite."""

    low: Decimal = NEG_INF
    high: Decimal = INF
    integral: bool = False

    @classmethod
    def point(cls, value: Decimal) -> Interval:
        return cls(value, value, value == value.to_integral_value())

    @property
    def bounded(self) -> bool:
        return self.low.is_finite() and self.high.is_finite()

    def union(self, other: Interval) -> Interval:
        return Interval(
            min(self.low, other.low), max(self.high, other.high), self.integral and other.integral
        )

    def __add__(self, other: Interval) -> Interval:
        return Interval(self.low + other.low, self.high + other.high, self.integral and other.integral)

    def __sub__(self, other: Interval) -> Interval:
        return Interval(self.low - other.high, self.high - other.low, self.integral and other.integral)

    def __neg__(self) -> Interval:
        return Interval(-self.high, -self.low, self.integral)

    def __mul__(self, other: Interval) -> Interval:
        ends = [_mul(a, b) for a in (self.low, self.high) for b in (other.low, other.high)]
        return Interval(min(ends), max(ends), self.integral and other.integral)

    def __truediv__(self, other: Interval) -> Interval:
        if other.low <= 0 <= other.high:
            # Division by exactly 0 never gives a value (the checker asks for a guard; at run
            # time it is an error), so a divisor on one side of 0 keeps the quotient's sign.
            if (other.low >= 0 and other.high > 0) or (other.high <= 0 and other.low < 0):
                same = other.low >= 0
                if self.low >= 0:
                    return Interval(ZERO, INF) if same else Interval(NEG_INF, ZERO)
                if self.high <= 0:
                    return Interval(NEG_INF, ZERO) if same else Interval(ZERO, INF)
            return Interval()
        inverse = Interval(
            Decimal(1) / other.high if other.high.is_finite() else ZERO,
            Decimal(1) / other.low if other.low.is_finite() else ZERO,
        )
        product = self * inverse
        return Interval(product.low, product.high)

    def min(self, other: Interval) -> Interval:
        return Interval(min(self.low, other.low), min(self.high, other.high), self.integral and other.integral)

    def max(self, other: Interval) -> Interval:
        return Interval(max(self.low, other.low), max(self.high, other.high), self.integral and other.integral)
