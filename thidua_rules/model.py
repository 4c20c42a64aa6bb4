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

FactKind = Literal["count", "number", "percent", "rank", "boolean", "scale", "assessed", "category"]
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
    #: Values go by this step (``step 0.25``: 0, 0.25, 0.5 …), counted from 0.
    step: Decimal | None = None
    #: A range with holes (``0 | 2..5``): the parts a value must fall in, each (low, high), an end
    #: None when open; empty when ``low..high`` is the whole range.
    allowed: tuple[tuple[Decimal | None, Decimal | None], ...] = ()
    #: For a ``category`` fact: the category's name (``levels`` then lists its names, unordered,
    #: and ``spellings`` every accepted spelling, folded, with the name it means).
    category: str | None = None

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
    #: What the rule's value is raised to: 0 unless the row is ``signed`` (None) or declares
    #: ``at least``; ``low``/``high``: the declared bounds of the row's score.
    floor: Decimal | None = Decimal(0)
    low: Decimal | None = None
    high: Decimal | None = None
    #: False for a row shown on the form whose score its parent does not add (``not counted``).
    counted: bool = True
    #: The row's own bonus and deduction columns: (rule text, cap), or None.
    bonus: tuple[str, Decimal | None] | None = None
    deduction: tuple[str, Decimal | None] | None = None
    #: ``max (…)``: the rule text of a max read from the unit's facts (``max`` is then None).
    max_rule: str | None = None

    #: Provenance: the file that defined the row, and ``file:line:col`` of each override of it
    #: by a ruleset that ``extends`` that file.
    defined_in: str | None = attrs.field(default=None, eq=False)
    overridden_by: tuple[str, ...] = attrs.field(default=(), eq=False)

    @property
    def open(self) -> bool:
        """Whether the row has no max (``max open``, or a deduction row without one)."""
        return self.max is None and self.max_rule is None


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
    #: The declared bounds of its score (``at least``, ``at most``).
    low: Decimal | None = None
    high: Decimal | None = None
    counted: bool = True
    #: How its parts make its score: ``sum`` (cut at its max and cap), ``best`` (the best part),
    #: ``either`` (the first part that applies).
    choose: Literal["sum", "best", "either"] = "sum"
    #: Written ``max open``: no max even when every part has one.
    declared_open: bool = False
    #: Provenance, as for ``Criterion``.
    defined_in: str | None = attrs.field(default=None, eq=False)
    overridden_by: tuple[str, ...] = attrs.field(default=(), eq=False)


def has_no_max(code: str, criteria: Mapping[str, Criterion], groups: Mapping[str, Group]) -> bool:
    """Whether a node has no max, the one definition the sums check, evaluation (the unit's
    percentage is "taken over" the bounded part) and ``thidua check`` all use: a row written
    ``max open`` (or a deduction row without a max: deductions are never counted as open), or a
    group with neither a max nor a cap that is written ``max open`` or adds a part with no max.
    A row whose max is read per unit (``max (…)``) has a max: it is not open."""
    if code in criteria:
        row = criteria[code]
        return row.max is None and row.max_rule is None and row.kind != "deduction"
    group = groups.get(code)
    if group is None or group.max is not None or group.cap is not None or group.kind == "deduction":
        return False
    if group.declared_open:
        return True
    for part in group.children:
        node: Criterion | Group | None = criteria.get(part) or groups.get(part)
        if (node is None or node.counted) and has_no_max(part, criteria, groups):
            return True
    return False


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
    #: The declared bounds of the unit's total (``total at least 0 at most 100``).
    total_low: Decimal | None = None
    total_high: Decimal | None = None
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


#: The level ``class(NAME)`` reads for a unit the classification leaves unclassified: below every
#: level, and not a name a rule can write (compare with the last level: ``< "không hoàn thành"``).
UNCLASSIFIED = "(not classified)"


@attrs.frozen
class Category:
    """Names without order (``category cum { "Cụm 1" | "cụm I", "Cụm 2" }``), each with aliases:
    compared with ``=``, ``!=`` and ``in``, used by ``variants by`` and to group units."""

    name: str
    label: str | None
    levels: tuple[str, ...]  # the names, as declared (no order)
    keys: Mapping[str, str]  # folded spelling -> canonical name


@attrs.frozen
class Rollup:
    """A declared roll-up of period sheets: periods, how totals combine, missing periods, caps."""

    title: str | None
    periods: tuple[str, ...]
    combine: str = "sum"
    missing: str = "error"
    caps: tuple[tuple[str, Decimal], ...] = ()
    #: A named roll-up's name (``rollup nam "Cả năm" { … }``); None: the default one.
    name: str | None = None
    #: The named roll-ups it is made of (``of hoc_ky_1, hoc_ky_2``); its periods are theirs.
    parts: tuple[str, ...] = ()


@attrs.frozen
class RankingSpec:
    """A named ranking: its keys, and the fact whose level groups the units (None: all units)."""

    name: str
    within: str | None
    orders: tuple[n.Order, ...]


@attrs.frozen
class Let:
    """A derived value (``let``) with its resolved expression."""

    name: str
    label: str | None
    expr: n.Expr


#: Between a local derived value's name and its node's code in its qualified name (``x@I.1``).
LOCAL = "@"


def written_name(name: str) -> str:
    """A derived value's name as the ruleset writes it (a local one's without its node's code)."""
    return name.split(LOCAL, 1)[0]


@attrs.frozen
class Formula:
    """A named, parameterised rule (``formula dat(ket_qua, chi_tieu, diem) = …``), checked at its
    definition; each parameter's kind is ``number``, ``boolean`` or a scale's name."""

    name: str
    label: str | None
    params: tuple[str, ...]
    kinds: tuple[str, ...]
    expr: n.Expr
    span: Span | None = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen
class Classify:
    """A declared classification: its band table and rules (resolved), its levels best first."""

    name: str
    title: str | None
    subject: n.Expr | None  # None: bands by conditions (``whens``) and an optional otherwise
    rows: tuple[n.Row, ...]
    rules: tuple[n.ClassRule, ...]
    levels: tuple[str, ...]
    span: Span = attrs.field(eq=False, repr=False)
    whens: tuple[n.ClassWhen, ...] = ()


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
    #: Each row's own bonus and deduction columns (by code, then kind).
    columns: Mapping[str, Mapping[str, n.Column]]
    #: Maxima read from the unit's facts (``max (…)``), by code.
    max_exprs: Mapping[str, n.Expr]
    #: The order the top-level sections are scored in: each after those its rules read.
    order: tuple[str, ...]
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
    #: The named rankings (``ranking "theo cụm" within cum { … }``), in declaration order.
    rankings: tuple[RankingSpec, ...] = ()
    #: The named roll-ups, by name, in declaration order (``rollup`` is the unnamed one).
    rollups: Mapping[str, Rollup] = attrs.field(factory=dict)
    #: The cohort aggregates of units' scores: the criteria whose scores their value reads,
    #: and those their ``where`` reads (issue 13).
    cohort_scores: Mapping[str, tuple[frozenset[str], frozenset[str]]] = attrs.field(factory=dict)
    #: The aggregates among those that read the units' levels (``class(NAME)``): the
    #: classifications they read; and each such classification's own cohort aggregates.
    cohort_levels: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    class_cohorts: Mapping[str, frozenset[str]] = attrs.field(factory=dict)
    #: The formulas rules call by name, with their resolved bodies.
    formulas: Mapping[str, Formula] = attrs.field(factory=dict)
    categories: Mapping[str, Category] = attrs.field(factory=dict)
