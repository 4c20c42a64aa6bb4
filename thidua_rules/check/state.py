"""The state the passes share: the types and scopes of expressions, and the Checker."""

from __future__ import annotations

from decimal import Decimal

import attrs

from ..errors import Diagnostic, Severity
from ..language import nodes as n
from ..language.intervals import Interval
from ..model import Award, Category, Criterion, Derived, FactSpec, Group, Header, Rollup, Round, Scale
from ..numbers import PLACES_LIMIT
from ..source import Span

#: How a criterion's final score is chosen among the rounds that scored it (or a round's name).
FINAL_RULES = ("last", "highest", "lowest")


@attrs.frozen
class Type:
    """The type of an expression: number, bool, level (of one scale) or text."""

    kind: str
    scale: str | None = None

    def __str__(self) -> str:
        if self.kind == "level" and self.scale is not None and self.scale.startswith("class "):
            return f'a level of classification "{self.scale[6:]}"'
        if self.kind == "level":
            return f'a level of scale "{self.scale}"'
        if self.kind == "category":
            return f'a name of category "{self.scale}"'
        return {"number": "a number", "bool": "true/false", "text": "a text"}[self.kind]


NUMBER = Type("number")
BOOL = Type("bool")
TEXT = Type("text")
UNKNOWN = Type("unknown")


@attrs.frozen
class Info:
    """What the checker learned of an expression: its type and, for numbers, its range."""

    type: Type
    range: Interval = attrs.field(factory=Interval)


@attrs.frozen
class Scope:
    """Where an expression sits: which names and keywords it may use."""

    where: str  # "criterion", "let", "applicable", "ranking", "award", "cohort"
    criterion: Criterion | None = None
    conditional: bool = False
    guards: frozenset[str] = frozenset()  # expressions an enclosing "if" compared with 0
    #: In a formula's body ("formula"): each parameter's type and range.
    params: tuple[tuple[str, Info], ...] = ()


class Checker:
    """The state the passes share; ``run`` applies them in order."""

    def __init__(self, tree: n.RulesetDecl) -> None:
        self.tree = tree
        self.diagnostics: list[Diagnostic] = []
        #: Facts' and derived values' names by their folded form, first declared first, with the
        #: counts they were made from (check/tree.py builds it once instead of once a criterion).
        self.names_by_fold: tuple[tuple[int, int], dict[str, str]] | None = None
        self.header = Header(id=tree.header.id)
        self.rounds: tuple[Round, ...] = ()
        self.final_round: str | None = None
        self.scales: dict[str, Scale] = {}
        self.facts: dict[str, FactSpec] = {}
        self.lets: dict[str, n.LetDecl] = {}
        self.let_info: dict[str, Info] = {}
        self.let_order: list[str] = []
        self.derived: dict[str, Derived] = {}
        self.criteria: dict[str, Criterion] = {}
        self.groups: dict[str, Group] = {}
        self.roots: list[str] = []
        self.rules: dict[str, n.Expr] = {}
        self.applicability: dict[str, n.Expr] = {}
        self.types: dict[int, Type] = {}
        self.levels: dict[int, str] = {}
        self.ranking: list[n.Order] = []
        #: The named rankings: (name, the grouping fact or None, the keys).
        self.named_rankings: list[tuple[str, str | None, tuple[n.Order, ...]]] = []
        self.awards: list[tuple[Award, n.AwardDecl]] = []
        self.codes: dict[str, Span] = {}
        self.decls_of: dict[str, n.CriterionDecl | n.GroupDecl] = {}
        self.unconditional_assessed: set[str] = set()
        self.gap_allowed: dict[str, str] = {}
        self.limit_spans: dict[str, Span] = {}
        self.broken: set[str] = set()
        self.cohorts: dict[str, n.Cohort] = {}
        #: Where each aggregate is read: criterion codes, or None when outside any criterion.
        self.cohort_users: dict[str, set[str | None]] = {}
        #: The aggregates of units' scores: the criteria their value and their ``where`` read.
        self.cohort_scores: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
        #: The aggregates of units' levels (``class(NAME)`` inside them): the classifications read.
        self.cohort_levels: dict[str, tuple[str, ...]] = {}
        #: Each classification those read: the cohort aggregates its own rules read.
        self.class_cohorts: dict[str, frozenset[str]] = {}
        self.max_by: dict[str, dict[str, Decimal]] = {}
        self.columns: dict[str, dict[str, n.Column]] = {}
        self.max_exprs: dict[str, n.Expr] = {}
        #: The top-level sections in the order they are scored (after those their rules read).
        self.order: list[str] = []
        #: ``score(X)`` read in a criterion's rules: (reading criterion, node read, where).
        self.score_reads: list[tuple[str, str, Span]] = []
        self.rollup: Rollup | None = None
        #: The named roll-ups (``rollup hoc_ky_1 "Học kỳ I" { … }``), by name.
        self.rollups: dict[str, Rollup] = {}
        self.classifications: list[tuple[n.ClassifyDecl, tuple[str, ...]]] = []
        self.variant_scale: Scale | None = None
        self.duplicated_in: set[str] = set()
        #: Formulas declared (without a cycle), and each one's parameter types.
        self.formulas: dict[str, n.FormulaDecl] = {}
        self.formula_params: dict[str, tuple[tuple[str, Type], ...]] = {}
        self.formula_info: dict[str, Info] = {}
        #: How many more nodes of formulas' bodies calls may re-read for their own ranges.
        self.formula_budget = 200_000
        #: Local derived values: the name written -> where each is declared (its qualified name).
        self.local_lets: dict[str, list[str]] = {}
        #: Categories: names without order (``Type("category", name)`` for their facts).
        self.categories: dict[str, Category] = {}
        #: ``assessed as NAME``: the fact NAME -> the criterion whose judged score it is.
        self.judged_by: dict[str, str] = {}

    # ------------------------------------------------------------ reporting
    def report(
        self, severity: Severity, message: str, span: Span | None, hint: str | None = None
    ) -> None:
        self.diagnostics.append(Diagnostic(severity, message, span, hint))

    def error(self, message: str, span: Span | None, hint: str | None = None) -> None:
        self.report("error", message, span, hint)

    def warn(self, message: str, span: Span | None, hint: str | None = None) -> None:
        self.report("warning", message, span, hint)

    def parent_of(self, code: str | None) -> str | None:
        if code in self.criteria:
            return self.criteria[code].parent
        if code in self.groups:
            return self.groups[code].parent
        return None

    def counted(self, code: str) -> bool:
        """Whether a node's parent adds it (False for ``not counted``; True for a code not built)."""
        node = self.criteria.get(code) or self.groups.get(code)
        return node is None or node.counted

    @property
    def failed(self) -> bool:
        return any(d.severity == "error" for d in self.diagnostics)

    def check_number(self, value: Decimal, span: Span) -> None:
        exponent = value.as_tuple().exponent
        # adjusted() and the exponent need no arithmetic, so a million-digit literal is cheap.
        if value.adjusted() >= 15 or (isinstance(exponent, int) and -exponent > PLACES_LIMIT):
            self.error(
                f"number {value} is out of range",
                span,
                f"numbers have at most 15 digits before the point and {PLACES_LIMIT} after it",
            )



def refs(expr: n.Expr) -> set[str]:
    """Every name ``expr`` reads (a judged score given as a fact, ``assessed as NAME``, included)."""
    return {node.name for node in n.walk(expr) if isinstance(node, n.Ref | n.Assessed) and node.name is not None}


def unconditional(expr: n.Expr) -> set[str]:
    """Names read whatever the facts."""
    found: set[str] = set()
    stack = [expr]
    while stack:
        part = stack.pop()
        if isinstance(part, n.Ref) or (isinstance(part, n.Assessed) and part.name is not None):
            assert part.name is not None
            found.add(part.name)
        stack.extend(n.always(part))
    return found


def under_condition(c: Checker, code: str | None) -> bool:
    """Whether ``code`` or one of its ancestors has an ``applicable if``."""
    while code is not None:
        if code in c.applicability:
            return True
        code = c.parent_of(code)
    return False


def reaches_assessed(expr: n.Expr) -> bool:
    """Whether ``assessed`` is read whatever the facts (not only under a condition)."""
    return isinstance(expr, n.Assessed) or any(reaches_assessed(part) for part in n.always(expr))
