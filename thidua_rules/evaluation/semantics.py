"""The scoring semantics, each rule written once: a criterion's score from its raw value and
max, its bonus and deduction columns, a group's from its parts and cap (summed, the best one or
the one that applies), the bounds any node may declare, a unit's max by variant, the sums per
section kind.

A node carries four columns: its own points (``main``: the standard part of a standard row, the
points of a bonus or deduction row), the bonus and the deductions of its rows' own columns, and
the adjustment its bounds (or its parts' bounds) made. Its score is their signed sum,
``main + bonus - deduction + adjustment``. A group's max cuts its ``main`` column only, so a
row's bonus can take its section and the total above their standard.

The traced closures call these functions; the generated fast path binds them by name. The two
evaluators then differ only in how they dispatch, never in what a score is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from ..numbers import ARITHMETIC, ZERO

#: A node's columns: main, bonus, deduction, adjustment.
Columns = tuple[Decimal, Decimal, Decimal, Decimal]


def criterion_score(raw: Decimal, top: Decimal | None, floor: Decimal | None = ZERO) -> Decimal:
    """A criterion's points: its raw value raised to ``floor`` (0 unless the row declares its own
    bound: ``signed`` or ``at least``) and cut at this unit's max (None: an open row)."""
    score = raw if floor is None or raw > floor else floor
    return top if top is not None and score > top else score


def criterion_note(raw: Decimal, top: Decimal | None, floor: Decimal | None = ZERO) -> str:
    """What ``criterion_score`` did to ``raw``, for the trace (empty when nothing)."""
    low = raw if floor is None else max(raw, floor)
    if top is not None and low > top:
        return f"capped at max {top}"
    return f"raised to {floor}" if floor is not None and raw < floor else ""


def column_score(raw: Decimal, cap: Decimal | None) -> Decimal:
    """A row's bonus or deduction column: never below 0, cut at its own cap."""
    value = raw if raw > ZERO else ZERO
    return cap if cap is not None and value > cap else value


def column_note(raw: Decimal, cap: Decimal | None) -> str:
    if cap is not None and raw > cap:
        return f"capped at {cap}"
    return "raised to 0" if raw < 0 else ""


def bounded(value: Decimal, low: Decimal | None, high: Decimal | None) -> Decimal:
    """A node's score kept within its declared bounds (``at least``, ``at most``)."""
    if low is not None and value < low:
        return low
    return high if high is not None and value > high else value


def bound_note(value: Decimal, low: Decimal | None, high: Decimal | None) -> str:
    if low is not None and value < low:
        return f"raised to its floor {low}"
    return f"cut to its ceiling {high}" if high is not None and value > high else ""


def bounded_columns(columns: Columns, low: Decimal | None, high: Decimal | None) -> tuple[Decimal, Columns]:
    """A node's score from its columns, kept within its bounds, and the columns after it.

    A bound on a node with no bonus or deduction cuts its own points; on one with them it acts
    on the net, and what it changed is the adjustment (shown apart from the standard part)."""
    main, bonus, deduction, adjustment = columns
    score = net(main, bonus, deduction, adjustment)
    if low is None and high is None:
        return score, columns
    kept = bounded(score, low, high)
    if bonus or deduction:
        adjustment += kept - score
    else:
        main += kept - score
    return kept, (main, bonus, deduction, adjustment)


def net(main: Decimal, bonus: Decimal, deduction: Decimal, adjustment: Decimal) -> Decimal:
    """A node's score from its columns."""
    return ARITHMETIC.add(ARITHMETIC.subtract(ARITHMETIC.add(main, bonus), deduction), adjustment)


def read_max(value: Decimal) -> Decimal:
    """A max read from a unit's facts (``max (…)``): never below 0."""
    return value if value > ZERO else ZERO


def unit_max(top: Decimal | None, by: Mapping[str, Decimal] | None, variant: object) -> Decimal | None:
    """A node's max for one unit: its variant's (``max by``) or the one max."""
    return top if by is None else by[str(variant)]


def group_limit(cap: Decimal | None, top: Decimal | None) -> Decimal | None:
    """What a group's sum is cut at: the smaller of its cap and this unit's max."""
    if cap is None:
        return top
    return cap if top is None else min(cap, top)


def group_score(raw: Decimal, limit: Decimal | None) -> Decimal:
    """A group's score: the sum of its counted parts, cut at its limit."""
    return limit if limit is not None and raw > limit else raw


def group_note(raw: Decimal, limit: Decimal | None) -> str:
    """What ``group_score`` did to the sum, for the trace."""
    return f"capped at {limit}" if limit is not None and raw > limit else ""


def group_applicable_max(parts: Decimal, limit: Decimal | None, opened: bool = False) -> Decimal:
    """The points a group could give this unit: its counted parts' maxima, cut at its limit; its
    limit itself when one of those parts is open (no max: it could fill the limit alone)."""
    if limit is None:
        return parts
    return limit if opened else min(parts, limit)


def best_part(scores: Iterable[Decimal]) -> int:
    """Which part a ``best`` group counts: the highest score, the first of equal ones."""
    best, chosen = None, -1
    for index, score in enumerate(scores):
        if best is None or score > best:
            best, chosen = score, index
    return chosen


def sum_columns(parts: Iterable[Columns]) -> Columns:
    """The columns of a group before its cap and bounds: each column summed over its parts."""
    main = bonus = deduction = adjustment = ZERO
    for m, b, d, a in parts:
        main, bonus, deduction, adjustment = main + m, bonus + b, deduction + d, adjustment + a
    return main, bonus, deduction, adjustment


#: A section's outcome for the totals: its kind, its score (None: not applicable), its applicable
#: max, and its columns (None when it has no row columns and no bounds: the score is its main).
SectionOutcome = tuple[str, Decimal | None, Decimal, Columns | None]


def totals(
    sections: Iterable[SectionOutcome], low: Decimal | None = None, high: Decimal | None = None
) -> tuple[Decimal, Decimal, Decimal, Decimal, Decimal]:
    """Standard, bonus and deduction sums, the adjustment made by bounds (the sections' and the
    total's own, ``low``/``high``), and the unit's applicable max (deductions add no max).

    A bonus or deduction section adds its score, bounds included, to its column; a standard
    section its standard part to ``standard``, its rows' columns to ``bonus`` and ``deductions``,
    and what its bounds changed to the adjustment."""
    sums = {"standard": ZERO, "bonus": ZERO, "deduction": ZERO}
    adjustment = ZERO
    applicable_max = ZERO
    for kind, score, top, columns in sections:
        if score is None:
            continue
        if kind != "deduction":
            applicable_max += top
        if columns is None or kind != "standard":
            sums[kind] += score
            continue
        main, bonus, deduction, adjust = columns
        sums["standard"] += main
        sums["bonus"] += bonus
        sums["deduction"] += deduction
        adjustment += adjust
    if low is not None or high is not None:
        total = net(sums["standard"], sums["bonus"], sums["deduction"], adjustment)
        adjustment += bounded(total, low, high) - total
    return sums["standard"], sums["bonus"], sums["deduction"], adjustment, applicable_max
