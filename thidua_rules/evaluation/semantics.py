"""The scoring semantics, each rule written once: a criterion's score from its raw value and
max, a group's from its parts and cap, a unit's max by variant, the sums per section kind.

The traced closures call these functions; the generated fast path binds them by name. The two
evaluators then differ only in how they dispatch, never in what a score is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from ..numbers import ZERO


def criterion_score(raw: Decimal, top: Decimal | None) -> Decimal:
    """A criterion's score: its raw value raised to 0 and cut at this unit's max."""
    score = raw if raw > ZERO else ZERO
    return top if top is not None and score > top else score


def criterion_note(raw: Decimal, top: Decimal | None) -> str:
    """What ``criterion_score`` did to ``raw``, for the trace (empty when nothing)."""
    if top is not None and max(raw, ZERO) > top:
        return f"capped at max {top}"
    return "raised to 0" if raw < 0 else ""


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


def group_applicable_max(parts: Decimal, limit: Decimal | None) -> Decimal:
    """The points a group could give this unit: its counted parts' maxima, cut at its limit."""
    return parts if limit is None else min(parts, limit)


#: A section's outcome for the totals: its kind, its score (None: not applicable), its applicable max.
SectionOutcome = tuple[str, Decimal | None, Decimal]


def totals(sections: Iterable[SectionOutcome]) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """Standard, bonus and deduction sums and the unit's applicable max (deductions add no max)."""
    sums = {"standard": ZERO, "bonus": ZERO, "deduction": ZERO}
    applicable_max = ZERO
    for kind, score, top in sections:
        if score is not None:
            sums[kind] += score
            if kind != "deduction":
                applicable_max += top
    return sums["standard"], sums["bonus"], sums["deduction"], applicable_max
