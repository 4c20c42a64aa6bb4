"""Syntax nodes: frozen, slotted, each with the span it was read from.

The transformer builds these from the parse tree and judges nothing; the checker reads them.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, Never, NoReturn, assert_never

import attrs

from ..source import Span

# ---------------------------------------------------------------- expressions


@attrs.frozen
class Number:
    value: Decimal
    span: Span


@attrs.frozen
class String:
    value: str
    span: Span
    #: The canonical level it names, when the checks resolved it against a scale.
    level: str | None = None


@attrs.frozen
class Bool:
    value: bool
    span: Span


@attrs.frozen
class Ref:
    """A fact or derived value by name."""

    name: str
    span: Span


@attrs.frozen
class Assessed:
    """The judged score entered for the enclosing criterion (``assessed as NAME``: under ``name``)."""

    span: Span
    #: The fact the judged score is given as, when not under the criterion's code.
    name: str | None = None


@attrs.frozen
class SelfMax:
    """The enclosing criterion's max points."""

    span: Span


@attrs.frozen
class TotalRef:
    """A unit's grand total (in ranking orders)."""

    span: Span


@attrs.frozen
class ScoreRef:
    """The score of a criterion, group or section by code (in ranking and awards)."""

    code: str
    span: Span


@attrs.frozen
class PercentageRef:
    """A unit's total as a percentage of its applicable max (in ranking and classification)."""

    span: Span


@attrs.frozen
class ClassRef:
    """``class(NAME)``: the level a unit gets in the classification NAME, read only inside a
    cohort aggregate (``cohort count(class(xep_loai) < "khá" where …)``; issue 13, item 15)."""

    name: str
    span: Span


@attrs.frozen
class Cohort:
    """An aggregate over the units scored together: ``cohort max(x)``, ``cohort count``…"""

    func: str
    arg: Expr | None
    span: Span
    #: ``where CONDITION``: the units the aggregate is taken over (issue 13).
    where: Expr | None = None

    @property
    def key(self) -> str:
        """How the aggregate is named when its value is given by the caller: ``max(ty_le)``."""
        if self.arg is None:
            return self.func
        where = f" where {' '.join(self.where.span.text().split())}" if self.where is not None else ""
        return f"{self.func}({' '.join(self.arg.span.text().split())}{where})"


@attrs.frozen
class Neg:
    operand: Expr
    span: Span


@attrs.frozen
class Binary:
    """Arithmetic: ``op`` is one of ``+ - * /``."""

    op: str
    left: Expr
    right: Expr
    span: Span


@attrs.frozen
class Compare:
    op: str
    left: Expr
    right: Expr
    span: Span
    #: The scale whose order compares the operands, when the checks found them levels.
    scale: str | None = None


@attrs.frozen
class Logic:
    """``and`` / ``or`` of two conditions."""

    op: str
    left: Expr
    right: Expr
    span: Span


@attrs.frozen
class Not:
    operand: Expr
    span: Span


@attrs.frozen
class If:
    cond: Expr
    then: Expr
    otherwise: Expr
    span: Span


@attrs.frozen
class Call:
    func: str
    args: tuple[Expr, ...]
    span: Span


@attrs.frozen
class PCompare:
    """Row pattern ``<= 10``: the subject compared with a value."""

    op: str
    value: Number | String | Bool
    span: Span


@attrs.frozen
class PRange:
    """Row pattern ``11..20`` (both ends included; either may be open)."""

    low: Number | None
    high: Number | None
    span: Span


@attrs.frozen
class PEqual:
    value: Number | String | Bool
    span: Span


@attrs.frozen
class POtherwise:
    span: Span


Pattern = PCompare | PRange | PEqual | POtherwise


@attrs.frozen
class Row:
    pattern: Pattern
    value: Expr
    span: Span


@attrs.frozen
class Table:
    """A tier table: the first row whose pattern matches the subject gives the value."""

    subject: Expr
    rows: tuple[Row, ...]
    span: Span
    #: The scale of the subject, when the checks found it a level.
    scale: str | None = None


Expr = (
    Number | String | Bool | Ref | Assessed | SelfMax | TotalRef | ScoreRef | PercentageRef | ClassRef | Cohort
    | Neg | Binary | Compare | Logic | Not | If | Call | Table
)

# ---------------------------------------------------------------- declarations


@attrs.frozen
class Annotation:
    """``note`` or ``assume`` text, or ``evidence``/``verifier``/``allow gap``/``allow unreachable``."""

    kind: str
    text: str
    span: Span


@attrs.frozen
class ScoreStmt:
    expr: Expr
    span: Span


@attrs.frozen
class Applicable:
    condition: Expr
    span: Span


@attrs.frozen
class Limit:
    """``max N`` (children must add up to N) or ``cap N`` (the sum is cut at N)."""

    kind: str
    value: Decimal
    span: Span
    #: ``max by { "xã": 10 … }``: one value per variant of the unit (``value`` is the largest).
    by: tuple[tuple[str, Decimal, Span], ...] = ()


@attrs.frozen
class Bound:
    """``at least N`` / ``at most N``: the node's score is kept within them (``side`` is
    ``least`` or ``most``); on the header's ``total``, the unit's total."""

    side: str
    value: Decimal
    span: Span


@attrs.frozen
class Flag:
    """A word that changes how a node counts: ``open`` (``max open``: no max), ``signed`` (no
    floor at 0), ``not counted`` (shown, not added to its parent), ``best`` / ``either`` (a group
    counts its best part / the first part that applies)."""

    name: str
    span: Span


@attrs.frozen
class MaxExpr:
    """``max (expr)``: a row's max read from the unit's facts."""

    expr: Expr
    span: Span


#: What may follow a node's code and title.
NodeLimit = Limit | Bound | Flag | MaxExpr


@attrs.frozen
class Column:
    """A row's own ``bonus`` or ``deduction`` column: its rule and its cap."""

    kind: str
    expr: Expr
    cap: Decimal | None
    span: Span


@attrs.frozen
class CriterionDecl:
    code: str
    code_span: Span
    title: str
    limits: tuple[NodeLimit, ...]
    items: tuple[Annotation | ScoreStmt | Applicable | Column | LetDecl, ...]
    span: Span
    #: Where a ruleset that ``extends`` this one changed it (``override``, in order).
    overrides: tuple[Span, ...] = attrs.field(default=(), eq=False)


@attrs.frozen
class GroupDecl:
    """A section (``is_section``) or a group: a node whose score is its children's sum."""

    is_section: bool
    kind: str | None
    code: str
    code_span: Span
    title: str | None
    limits: tuple[NodeLimit, ...]
    items: tuple[GroupDecl | CriterionDecl | Annotation | Applicable | LetDecl, ...]
    span: Span
    #: Where a ruleset that ``extends`` this one changed it (``override``, in order).
    overrides: tuple[Span, ...] = attrs.field(default=(), eq=False)


@attrs.frozen
class Level:
    names: tuple[str, ...]
    span: Span


@attrs.frozen
class ScaleDecl:
    name: str
    label: str | None
    levels: tuple[Level, ...]
    span: Span


@attrs.frozen
class CategoryDecl:
    """``category name "label" { "Cụm 1" | "cụm I", "Cụm 2" }``: names with aliases, no order."""

    name: str
    label: str | None
    names: tuple[Level, ...]
    span: Span


@attrs.frozen
class FactDecl:
    name: str
    label: str
    type_name: str
    type_span: Span
    low: Decimal | None
    high: Decimal | None
    has_range: bool
    options: tuple[FactOption, ...]
    span: Span
    #: A range of several parts (``0 | 2..5``): each part's ends (a single value as both ends);
    #: ``low`` and ``high`` are then the lowest and highest of them. Empty for one part.
    parts: tuple[tuple[Decimal | None, Decimal | None], ...] = ()


@attrs.frozen
class FactOption:
    """``default V``, ``optional``, ``appraised only``, ``monotone increasing|decreasing`` or ``step N``."""

    kind: str
    value: Number | String | Bool | str | None
    span: Span


@attrs.frozen
class LetDecl:
    name: str
    label: str | None
    expr: Expr
    span: Span


@attrs.frozen
class Param:
    """A parameter of a formula: its name and, when declared, its kind (``boolean``, a scale)."""

    name: str
    type_name: str | None
    span: Span


@attrs.frozen
class FormulaDecl:
    """``formula name "label" (a, b, c) = expr``: a rule written once, called by many rows."""

    name: str
    label: str | None
    params: tuple[Param, ...]
    expr: Expr
    span: Span


@attrs.frozen
class Order:
    direction: str
    expr: Expr
    span: Span


@attrs.frozen
class RankingDecl:
    orders: tuple[Order, ...]
    span: Span
    #: A named ranking (``ranking "theo cụm" within cum { … }``); None: the default ranking.
    name: str | None = None
    #: The fact whose level groups the units (``within cum``), and where it is written.
    within: str | None = None
    within_span: Span | None = attrs.field(default=None, eq=False)


@attrs.frozen
class Requirement:
    condition: Expr
    reason: str
    span: Span


@attrs.frozen
class AwardDecl:
    name: str
    title: str
    count: int
    requirements: tuple[Requirement, ...]
    span: Span


@attrs.frozen
class RollupItem:
    """``periods …``, ``combine sum|mean``, ``missing error|zero|skip`` or ``cap CODE N``."""

    kind: str
    values: tuple[object, ...]
    span: Span


@attrs.frozen
class RollupDecl:
    title: str | None
    items: tuple[RollupItem, ...]
    span: Span
    #: A named roll-up (``rollup hoc_ky_1 "Học kỳ I" { … }``); None: the default one.
    name: str | None = None


@attrs.frozen
class ClassRule:
    """``require C else lower|unclassified "why"``, ``… else at most "level" "why"``, ``quota``."""

    kind: str  # "lower", "unclassified", "at_most", "quota"
    condition: Expr | None
    level: str | None
    amount: Decimal | None
    percent: bool
    reason: str
    span: Span
    #: ``… onward``: once failed in a period, it holds for the unit in every later period.
    onward: bool = False


@attrs.frozen
class ClassWhen:
    """A band by condition: ``if CONDITION: "level"`` (a classification without ``by``)."""

    condition: Expr
    level: String
    span: Span


@attrs.frozen
class ClassifyDecl:
    name: str
    title: str | None
    subject: Expr | None  # None: bands by conditions (``whens``), then an optional otherwise row
    rows: tuple[Row, ...]
    rules: tuple[ClassRule, ...]
    span: Span
    whens: tuple[ClassWhen, ...] = ()


@attrs.frozen
class RoundDecl:
    name: str
    label: str
    span: Span


@attrs.frozen
class HeaderItem:
    """One header statement: ``title``, ``document``, ``year``, ``total``, ``rounds``…"""

    kind: str
    values: tuple[object, ...]
    span: Span


@attrs.frozen
class Header:
    id: str
    items: tuple[HeaderItem | Annotation, ...]
    span: Span


Decl = (
    ScaleDecl | FactDecl | LetDecl | GroupDecl | RankingDecl | AwardDecl | RollupDecl | ClassifyDecl
    | FormulaDecl | CategoryDecl
)


# ---------------------------------------------------------------- extends: changes to a base ruleset


@attrs.frozen
class Placement:
    """Where an added or moved row goes: ``after CODE``, ``before CODE`` or ``in CODE`` (last)."""

    how: str
    code: str
    code_span: Span
    span: Span


@attrs.frozen
class Override:
    """``override criterion|section|group CODE ["title"] [limits] [{ items }]``: what is given
    replaces the base's (the title, each limit of the kinds given, and each kind of item given)."""

    target: str
    kind: str | None
    code: str
    code_span: Span
    title: str | None
    limits: tuple[NodeLimit, ...]
    items: tuple[GroupDecl | CriterionDecl | Annotation | ScoreStmt | Applicable, ...]
    span: Span


@attrs.frozen
class Remove:
    """``remove CODE``: the row, group or section and everything in it."""

    code: str
    code_span: Span
    span: Span


@attrs.frozen
class Move:
    """``move CODE after|before|in CODE``."""

    code: str
    code_span: Span
    placement: Placement
    span: Span


@attrs.frozen
class Add:
    """``add criterion|group|section … after|before|in CODE { … }``: a new row placed in the tree."""

    node: GroupDecl | CriterionDecl
    placement: Placement
    span: Span


Change = Override | Remove | Move | Add


@attrs.frozen
class RulesetDecl:
    header: Header
    decls: tuple[Decl, ...]
    span: Span
    #: The changes an extending ruleset makes to its base, in order (empty otherwise).
    changes: tuple[Change, ...] = ()


# ---------------------------------------------------------------- traversal

#: The expression classes, read from the ``Expr`` union (for isinstance before an exhaustive match).
EXPR_TYPES: tuple[type, ...] = typing.get_args(Expr)
#: The change classes (``override``, ``remove``, ``move``, ``add``) of an extending ruleset.
CHANGE_TYPES: tuple[type, ...] = typing.get_args(Change)

#: Every syntax node class: what ``children`` looks for among a node's fields.
NODE_TYPES: tuple[type, ...] = tuple(
    cls for cls in list(globals().values())
    if isinstance(cls, type) and attrs.has(cls) and cls.__module__ == __name__
)

#: Per node class, the names of the fields that may hold nodes (a node, a tuple of nodes, or None).
_NODE_FIELDS: dict[type, tuple[str, ...]] = {}


def _node_fields(cls: type) -> tuple[str, ...]:
    names = _NODE_FIELDS.get(cls)
    if names is None:
        skip = {"span", "code_span", "type_span"}
        names = tuple(field.name for field in attrs.fields(cls) if field.name not in skip)
        _NODE_FIELDS[cls] = names
    return names


def children(node: object) -> Iterator[Any]:
    """The nodes directly inside ``node``, in field order, read from its fields (as Jinja2's
    ``iter_child_nodes``): a field holding a node gives it, a tuple gives the nodes in it."""
    for name in _node_fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, NODE_TYPES):
            yield value
        elif isinstance(value, tuple):
            for item in value:
                if isinstance(item, NODE_TYPES):
                    yield item


def walk(node: object) -> Iterator[Any]:
    """``node`` and every node inside it, parents first (iterative: deep nesting is safe)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list(children(current))))


def always(expr: Expr) -> tuple[Expr, ...]:
    """The parts of ``expr`` evaluated whatever the facts: not a branch, a row or a short circuit."""
    match expr:
        case If():
            return (expr.cond,)
        case Table():
            return (expr.subject,)
        case Logic():
            return (expr.left,)
        case (
            Number() | String() | Bool() | Ref() | Assessed() | SelfMax() | TotalRef() | ScoreRef()
            | PercentageRef() | ClassRef() | Cohort() | Neg() | Binary() | Compare() | Not() | Call()
        ):
            return tuple(children(expr))
        case _:
            assert_never(expr)


def written_values(expr: Expr) -> Iterator[tuple[Expr, Decimal]]:
    """Each number written as a value of ``expr``: a tier row's value or an ``if`` branch that is
    a number as written (``-5`` included), with the node that writes it."""
    for node in walk(expr):
        values: list[Expr] = []
        if isinstance(node, Table):
            values = [row.value for row in node.rows]
        elif isinstance(node, If):
            values = [node.then, node.otherwise]
        for value in values:
            if isinstance(value, Number):
                yield value, value.value
            elif isinstance(value, Neg) and isinstance(value.operand, Number):
                yield value, -value.operand.value


def unhandled(node: Never, message: str = "no handling for a {} node") -> NoReturn:
    """The last case of an exhaustive ``match`` over node classes, for a function callers may give
    anything (``message`` names the class): mypy checks that no node class reaches it, as with
    ``assert_never``, and a caller's stray object gets a ``TypeError`` instead of an assertion."""
    raise TypeError(message.format(type(node).__name__))
