"""The checked ruleset: the frozen model the checks produce and evaluation reads.

Its public parts (fact specs, criteria, groups, the header, rounds, awards) are also what a
``Ruleset`` shows; ``CheckedRuleset`` ties them with the resolved expressions."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Literal

import attrs

from .errors import Diagnostic
from .language import nodes as n
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
    #: Provenance: the file that defined the row, and ``file:line:col`` of each override of it
    #: by a ruleset that ``extends`` that file.
    defined_in: str | None = attrs.field(default=None, eq=False)
    overridden_by: tuple[str, ...] = attrs.field(default=(), eq=False)


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
    #: Provenance, as for ``Criterion``.
    defined_in: str | None = attrs.field(default=None, eq=False)
    overridden_by: tuple[str, ...] = attrs.field(default=(), eq=False)


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


@attrs.frozen
class Scale:
    """An ordered scale of levels (``scale xep_loai { "xuất sắc" > "tốt" … }``), best first."""

    name: str
    label: str | None
    levels: tuple[str, ...]  # best first
    keys: Mapping[str, str]  # folded spelling -> canonical level

    def rank(self, level: str) -> int:
        """Higher is better: the worst level is 0."""
        return len(self.levels) - 1 - self.levels.index(level)

    @property
    def ranks(self) -> dict[str, int]:
        """Each level's rank (higher is better), for comparing levels."""
        return {level: self.rank(level) for level in self.levels}


@attrs.frozen
class Rollup:
    """A declared roll-up of period sheets: periods, how totals combine, missing periods, caps."""

    title: str | None
    periods: tuple[str, ...]
    combine: str = "sum"
    missing: str = "error"
    caps: tuple[tuple[str, Decimal], ...] = ()


@attrs.frozen
class Let:
    """A derived value (``let``) with its resolved expression."""

    name: str
    label: str | None
    expr: n.Expr


@attrs.frozen
class Classify:
    """A declared classification: its band table and rules (resolved), its levels best first."""

    name: str
    title: str | None
    subject: n.Expr
    rows: tuple[n.Row, ...]
    rules: tuple[n.ClassRule, ...]
    levels: tuple[str, ...]
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen
class CheckedRuleset:
    """Everything evaluation needs, checked and frozen.

    Expressions are the syntax nodes with what the checks resolved written on them: a string
    naming a level carries its canonical ``level``, a comparison or table over levels its ``scale``.
    """

    header: Header
    warnings: tuple[Diagnostic, ...]
    #: Every input of a unit, the judged scores of ``assessed`` criteria included.
    facts: Mapping[str, FactSpec]
    #: Derived values in evaluation order: each after those it reads.
    lets: Mapping[str, Let]
    derived: Mapping[str, Derived]
    criteria: Mapping[str, Criterion]
    groups: Mapping[str, Group]
    #: The top-level sections, in sheet order.
    roots: tuple[str, ...]
    rules: Mapping[str, n.Expr]
    applicability: Mapping[str, n.Expr]
    scales: Mapping[str, Scale]
    #: Maxima per variant of unit, by code (``max by``).
    max_by: Mapping[str, Mapping[str, Decimal]]
    rounds: tuple[Round, ...]
    final_round: str | None
    awards: tuple[tuple[Award, tuple[n.Requirement, ...]], ...]
    ranking: tuple[n.Order, ...]
    #: Each cohort aggregate by key, and where it is read (criterion codes; None: outside any).
    cohorts: Mapping[str, n.Cohort]
    cohort_users: Mapping[str, frozenset[str | None]]
    rollup: Rollup | None
    classifications: tuple[Classify, ...]
    #: Every number written in the rules: the boundaries property tests should reach.
    constants: frozenset[Decimal]
