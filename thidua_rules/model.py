"""The checked ruleset's public parts: fact specs, criteria, groups and the header."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

import attrs

from .source import Span

FactKind = Literal["count", "number", "percent", "rank", "boolean", "scale", "assessed"]
SectionKind = Literal["standard", "bonus", "deduction"]

#: The fact kinds a ruleset can declare (``assessed`` facts come from ``score assessed``).
DECLARABLE_KINDS: tuple[str, ...] = ("count", "number", "percent", "rank", "boolean")


@attrs.frozen
class FactSpec:
    """What one input of a unit must be: kind, label, bounds, levels, default, required."""

    name: str
    kind: FactKind
    label: str
    low: Decimal | None = None
    high: Decimal | None = None
    levels: tuple[str, ...] = ()
    spellings: tuple[tuple[str, str], ...] = ()  # every accepted spelling -> its level
    scale: str | None = None
    default: Decimal | bool | str | None = None
    required: bool = True
    monotone: Literal["increasing", "decreasing"] | None = None
    appraised_only: bool = False
    criterion: str | None = None
    span: Span | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def integral(self) -> bool:
        """Whether values are whole numbers (counts and ranks)."""
        return self.kind in ("count", "rank")


@attrs.frozen
class Derived:
    """A value computed from facts by the ruleset (``let``), never supplied by the caller."""

    name: str
    label: str | None
    rule: str
    span: Span | None = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen
class Criterion:
    """One row of the sheet: code, verbatim title, max and the rule that scores it."""

    code: str
    title: str
    kind: SectionKind
    max: Decimal | None
    rule: str
    parent: str | None
    evidence: tuple[str, ...] = ()
    verifiers: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = ()
    applicable: str | None = None
    span: Span | None = attrs.field(default=None, eq=False, repr=False)
    #: Maxima per variant of unit (``max by {…}``); ``max`` is then the largest of them.
    max_by: tuple[tuple[str, Decimal], ...] = ()


@attrs.frozen
class Group:
    """A section or a group of rows: its score is the sum of its children, cut at its cap."""

    code: str
    title: str | None
    kind: SectionKind
    is_section: bool
    max: Decimal | None
    cap: Decimal | None
    children: tuple[str, ...]
    parent: str | None
    notes: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = ()
    applicable: str | None = None
    span: Span | None = attrs.field(default=None, eq=False, repr=False)
    max_by: tuple[tuple[str, Decimal], ...] = ()


@attrs.frozen
class Round:
    """A named scoring round (self assessment, appraisal, …)."""

    name: str
    label: str


@attrs.frozen
class Award:
    """An award given to the best eligible units, in ranking order."""

    name: str
    title: str
    count: int
    requirements: tuple[tuple[str, str], ...]


@attrs.frozen
class Header:
    """The ruleset's identity: id, title, issuing document, year and declared total."""

    id: str
    title: str | None = None
    document: str | None = None
    dated: str | None = None
    issuer: str | None = None
    year: int | None = None
    total: Decimal | None = None
    rounding: int = 2
    #: The fact whose level picks a unit's variant (``variants by loai_don_vi``), if any.
    variants: str | None = None
    total_by: tuple[tuple[str, Decimal], ...] = ()
    notes: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = ()
