"""Exact numbers: the library's own decimal context, its limits, the one division rule, the
rounding modes and comparisons the language names, and a Decimal written as plain text.

Every computation of the library runs in ``ARITHMETIC`` (never the caller's context).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from decimal import (
    MAX_EMAX,
    MAX_PREC,
    MIN_EMIN,
    ROUND_CEILING,
    ROUND_FLOOR,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from fractions import Fraction
from typing import Any, ParamSpec, TypeVar

from .errors import OptionError

#: Exact arithmetic for every rule: 60 significant digits, half-up where rounding is declared.
ARITHMETIC = Context(prec=60, rounding=ROUND_HALF_UP, traps=[InvalidOperation, DivisionByZero, Overflow])
#: Largest magnitude of a number in a ruleset or a fact (15 digits before the point).
NUMBER_LIMIT = Decimal("1e15")
#: Most decimal places of a number in a ruleset or a fact.
PLACES_LIMIT = 10
ZERO = Decimal(0)
#: Exact addition and comparison of numbers of any size (the checker's sums of maxima).
EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[InvalidOperation])
#: The context of the checker's range analysis: wide enough for any product of bounded numbers.
RANGES_CONTEXT = Context(prec=200, Emax=10**6, Emin=-(10**6))

#: The rounding mode of each rounding function of the language.
ROUNDING: dict[str, str] = {"round": ROUND_HALF_UP, "floor": ROUND_FLOOR, "ceil": ROUND_CEILING}

#: The comparisons of the language (``=`` included) as Python functions.
COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}


P = ParamSpec("P")
R = TypeVar("R")


def exact(function: Callable[P, R]) -> Callable[P, R]:
    """Run ``function`` in the library's own context, whatever the caller's (precision,
    rounding, traps such as ``Inexact``): the same facts always give the same numbers."""

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with localcontext(ARITHMETIC):
            return function(*args, **kwargs)

    return run


def quantum(places: int) -> Decimal:
    """The step of ``places`` decimal places: 0.01 for 2."""
    return Decimal(1).scaleb(-places)


def divide(a: Decimal, b: Decimal, places: int) -> tuple[Decimal, bool]:
    """``a / b`` exactly when the quotient terminates, else rounded half up to ``places``.

    The second value says whether it was rounded. ``b`` must not be 0. Every division of the
    library (``/`` in rules, cohort and period means) follows this one rule.
    """
    value = ARITHMETIC.divide(a, b)
    if Fraction(value) * Fraction(b) == Fraction(a):
        return value, False
    return value.quantize(quantum(places), rounding=ROUND_HALF_UP, context=ARITHMETIC), True


def plain(value: Decimal) -> str:
    """A Decimal as plain text, without an exponent or trailing zeros: ``29.5``, ``0``, ``-3``.

    Exact whatever its size and whatever the caller's decimal context.
    """
    if not isinstance(value, Decimal):
        if not isinstance(value, int) or isinstance(value, bool):
            raise OptionError(f"Expected a Decimal or an int to write as a number, got {value!r}")
        value = Decimal(value)
    if not value.is_finite():
        return str(value)
    if not value:
        return "0"
    digits = max(len(value.as_tuple().digits), 1)
    return format(value.normalize(Context(prec=digits, Emax=MAX_EMAX, Emin=MIN_EMIN)), "f")


def tidy(value: Decimal) -> Decimal:
    """``value`` without trailing zeros and without an exponent: ``945.0`` is ``945``, ``103.50``
    is ``103.5`` (equal values, one form), so every total of a ruleset reads the same way."""
    if not value.is_finite():
        return value
    if not value:
        return Decimal(0)
    if value == value.to_integral_value(context=ARITHMETIC):
        return value.quantize(Decimal(1), context=ARITHMETIC)
    return value.normalize(ARITHMETIC)
