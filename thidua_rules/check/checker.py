"""Syntax nodes to a checked ruleset: names, types, sums and tables, all problems collected.

Each pass is a plain function over one ``Checker`` state, run in the order of ``PASSES``.
The checker never evaluates a rule; it only reads the nodes and records what the compiler needs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import assert_never

import attrs

from ..errors import Diagnostic, RulesetError, Severity
from ..language import nodes as n
from ..language.builtins import AGGREGATES, FUNCTIONS, rounding_step
from ..language.intervals import INF, Interval
from ..model import DECLARABLE_KINDS, Award, Criterion, Derived, FactSpec, Group, Header, Round
from ..numbers import EXACT, PLACES_LIMIT, plain, quantum
from ..source import Span, fold
from ..text import suggest
from .patterns import NumberSet, compare_set

#: How a criterion's final score is chosen among the rounds that scored it (or a round's name).
FINAL_RULES = ("last", "highest", "lowest")


@attrs.frozen
class Type:
    """The type of an expression: number, bool, level (of one scale) or text."""

    kind: str
    scale: str | None = None

    def __str__(self) -> str:
        if self.kind == "level":
            return f'a level of scale "{self.scale}"'
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
class Scale:
    name: str
    label: str | None
    levels: tuple[str, ...]  # best first
    keys: dict[str, str]  # folded spelling -> canonical level

    def rank(self, level: str) -> int:
        """Higher is better: the worst level is 0."""
        return len(self.levels) - 1 - self.levels.index(level)


@attrs.frozen
class Rollup:
    """A declared roll-up of period sheets: periods, how totals combine, missing periods, caps."""

    title: str | None
    periods: tuple[str, ...]
    combine: str = "sum"
    missing: str = "error"
    caps: tuple[tuple[str, Decimal], ...] = ()


@attrs.frozen
class Scope:
    """Where an expression sits: which names and keywords it may use."""

    where: str  # "criterion", "let", "applicable", "ranking", "award", "cohort"
    criterion: Criterion | None = None
    conditional: bool = False
    guards: frozenset[str] = frozenset()  # expressions an enclosing "if" compared with 0


class Checker:
    """The state the passes share; ``run`` applies them in order."""

    def __init__(self, tree: n.RulesetDecl) -> None:
        self.tree = tree
        self.diagnostics: list[Diagnostic] = []
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
        self.max_by: dict[str, dict[str, Decimal]] = {}
        self.rollup: Rollup | None = None
        self.classifications: list[tuple[n.ClassifyDecl, tuple[str, ...]]] = []
        self.variant_scale: Scale | None = None
        self.duplicated_in: set[str] = set()

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

    @property
    def failed(self) -> bool:
        return any(d.severity == "error" for d in self.diagnostics)

    def run(self) -> Checker:
        for check in PASSES:
            check(self)
        return self

    def check_number(self, value: Decimal, span: Span) -> None:
        exponent = value.as_tuple().exponent
        # adjusted() and the exponent need no arithmetic, so a million-digit literal is cheap.
        if value.adjusted() >= 15 or (isinstance(exponent, int) and -exponent > PLACES_LIMIT):
            self.error(
                f"number {value} is out of range",
                span,
                f"numbers have at most 15 digits before the point and {PLACES_LIMIT} after it",
            )


# ================================================================ pass 1: header


def check_header(c: Checker) -> None:
    h = c.tree.header
    values: dict[str, object] = {}
    notes: list[str] = []
    assumptions: list[str] = []
    for item in h.items:
        if isinstance(item, n.Annotation):
            if item.kind == "note":
                notes.append(item.text)
            elif item.kind == "assume":
                assumptions.append(item.text)
            elif item.kind == "allow_gap":
                c.gap_allowed[""] = item.text
            continue
        if item.kind in values:
            c.error(f'"{item.kind}" is given twice in the ruleset header', item.span)
            continue
        values[item.kind] = item.values
    if not h.id.strip():
        c.error("the ruleset id is empty", h.span)
    fields: dict[str, object] = {"notes": tuple(notes), "assumptions": tuple(assumptions)}
    if "title" in values:
        fields["title"] = values["title"][0]  # type: ignore[index]
    if "document" in values:
        parts: dict[str, str] = {}
        for part, text, span in values["document"]:  # type: ignore[attr-defined]
            if part in parts:
                c.error(f"the document's {part} is given twice", span)
            parts[part] = text
        if "dated" in parts:
            try:
                date.fromisoformat(parts["dated"])
            except ValueError:
                c.error(f'"{parts["dated"]}" is not a valid date', h.span)
        fields.update(document=parts.get("number"), dated=parts.get("dated"), issuer=parts.get("issuer"))
    if "year" in values:
        year = values["year"][0]  # type: ignore[index]
        if not 1900 <= year <= 2200:
            c.error(f"year {plain(year)} is out of range 1900..2200", _item_span(h, "year"))
        else:
            fields["year"] = int(year)
    if "total" in values:
        fields["total"] = values["total"][0]  # type: ignore[index]
        total_item = next(i for i in h.items if isinstance(i, n.HeaderItem) and i.kind == "total")
        c.check_number(fields["total"], total_item.span)  # type: ignore[arg-type]
    if "rounding" in values:
        places = values["rounding"][0]  # type: ignore[index]
        if not 0 <= places <= PLACES_LIMIT:
            c.error(f"rounding {plain(places)} is out of range 0..{PLACES_LIMIT}", _item_span(h, "rounding"))
        else:
            fields["rounding"] = int(places)
    c.header = Header(id=h.id, **fields)  # type: ignore[arg-type]
    rounds_item = next(
        (i for i in h.items if isinstance(i, n.HeaderItem) and i.kind == "rounds"), None
    )
    if rounds_item is None:
        c.rounds = (Round("self", "Điểm tự chấm"), Round("appraised", "Điểm thẩm định"))
        c.final_round = "appraised"
        return
    declared, final_value = rounds_item.values
    final = str(final_value) if final_value is not None else None
    seen: dict[str, Span] = {}
    for r in declared:  # type: ignore[attr-defined]
        if r.name in seen:
            c.error(f'round "{r.name}" is declared twice', r.span)
        seen[r.name] = r.span
    c.rounds = tuple(Round(r.name, r.label) for r in declared)  # type: ignore[attr-defined]
    if final is not None and final not in seen and final not in FINAL_RULES:
        c.error(
            f'unknown final round "{final}"', rounds_item.span,
            suggest(final, [*seen, *FINAL_RULES]) or "final is last, highest, lowest or a round's name",
        )
    c.final_round = final if final is not None else c.rounds[-1].name


def _item_span(h: n.Header, kind: str) -> Span:
    return next((i.span for i in h.items if isinstance(i, n.HeaderItem) and i.kind == kind), h.span)


# ================================================================ pass 2: scales, facts, lets


def _declare(c: Checker, name: str, span: Span, taken: dict[str, Span]) -> bool:
    if name in taken:
        first = taken[name]
        c.error(f'"{name}" is declared twice (first at line {first.line})', span)
        return False
    taken[name] = span
    return True


def check_declarations(c: Checker) -> None:
    names: dict[str, Span] = {}
    scale_names: dict[str, Span] = {}
    for decl in c.tree.decls:
        if isinstance(decl, n.ScaleDecl) and _declare(c, decl.name, decl.span, scale_names):
            _scale(c, decl)
    for decl in c.tree.decls:
        if isinstance(decl, n.FactDecl) and _declare(c, decl.name, decl.span, names):
            _fact(c, decl)
        elif isinstance(decl, n.LetDecl) and _declare(c, decl.name, decl.span, names):
            c.lets[decl.name] = decl


def _scale(c: Checker, decl: n.ScaleDecl) -> None:
    keys: dict[str, str] = {}
    levels: list[str] = []
    for level in decl.levels:
        for spelling in level.names:
            key = fold(spelling)
            if not key:
                c.error("a scale level cannot be empty", level.span)
            elif key in keys:
                c.error(
                    f'level "{spelling}" appears twice in scale "{decl.name}"',
                    level.span,
                    "levels are compared without regard to case, accents' encoding or spacing",
                )
            keys[key] = level.names[0]
        levels.append(level.names[0])
    if len(levels) < 2:
        c.error(f'scale "{decl.name}" needs at least two levels', decl.span)
    c.scales[decl.name] = Scale(decl.name, decl.label, tuple(levels), keys)


def _literal_default(
    c: Checker, decl: n.FactDecl, option: n.FactOption, kind: str, scale: Scale | None
) -> Decimal | bool | str | None:
    value = option.value
    if isinstance(value, n.Number) and kind in ("count", "number", "percent", "rank"):
        c.check_number(value.value, value.span)
        return value.value
    if isinstance(value, n.Bool) and kind == "boolean":
        return value.value
    if isinstance(value, n.String) and scale is not None:
        level = scale.keys.get(fold(value.value))
        if level is None:
            c.error(
                f'default "{value.value}" is not a level of scale "{scale.name}"',
                value.span,
                suggest(value.value, scale.levels),
            )
        return level
    c.error(f'the default of fact "{decl.name}" does not fit its kind {kind}', option.span)
    return None


def _fact(c: Checker, decl: n.FactDecl) -> None:
    scale = c.scales.get(decl.type_name)
    if decl.type_name not in DECLARABLE_KINDS and scale is None:
        c.error(
            f'unknown fact kind "{decl.type_name}"',
            decl.type_span,
            suggest(decl.type_name, [*DECLARABLE_KINDS, *c.scales]),
        )
        c.broken.add(decl.name)  # its uses are not reported again as unknown names
        return
    kind = "scale" if scale is not None else decl.type_name
    low, high = decl.low, decl.high
    if decl.has_range:
        if kind in ("boolean", "scale"):
            c.error(f"a {kind} fact has no numeric bounds", decl.type_span)
        for bound in (low, high):
            if bound is not None:
                c.check_number(bound, decl.span)
        if low is not None and high is not None and low > high:
            c.error(f"bounds {low}..{high} are empty", decl.span)
    natural = {"count": Decimal(0), "rank": Decimal(1), "percent": Decimal(0)}.get(kind)
    if natural is not None:
        if low is not None and low < natural:
            c.error(f"a {kind} cannot be below {natural}", decl.span)
        low = natural if low is None else max(low, natural)
    if kind == "percent":
        if high is not None and high > 100:
            c.error("a percent cannot be above 100", decl.span)
        high = Decimal(100) if high is None else min(high, Decimal(100))
    default: Decimal | bool | str | None = None
    optional = False
    monotone = None
    appraised_only = False
    for option in decl.options:
        if option.kind == "default":
            default = _literal_default(c, decl, option, kind, scale)
            if isinstance(default, Decimal) and (
                (low is not None and default < low) or (high is not None and default > high)
            ):
                c.error(f'the default {default} of fact "{decl.name}" is outside its bounds', option.span)
        elif option.kind == "optional":
            optional = True
        elif option.kind == "monotone":
            if kind == "boolean" or kind == "scale":
                c.error("monotone applies to numeric facts only", option.span)
            monotone = option.value
        elif option.kind == "appraised_only":
            appraised_only = True
    c.facts[decl.name] = FactSpec(
        name=decl.name, kind=kind, label=decl.label,  # type: ignore[arg-type]
        low=low, high=high,
        levels=scale.levels if scale else (), scale=scale.name if scale else None,
        spellings=tuple(sorted(scale.keys.items())) if scale else (),
        default=default, required=default is None and not optional,
        monotone=monotone, appraised_only=appraised_only, span=decl.span,  # type: ignore[arg-type]
    )


# ================================================================ pass 3: the tree of sections


def _limits(c: Checker, limits: tuple[n.Limit, ...], code: str) -> tuple[Decimal | None, Decimal | None]:
    found: dict[str, Decimal] = {}
    for limit in limits:
        if limit.kind in found:
            c.error(f'"{limit.kind}" is given twice', limit.span)
        c.check_number(limit.value, limit.span)
        found[limit.kind] = limit.value
        if limit.by:
            c.max_by[code] = _by_variant(c, limit.by, limit.span, "max")
    return found.get("max"), found.get("cap")


def _by_variant(
    c: Checker, values: tuple[tuple[str, Decimal, Span], ...], span: Span, what: str
) -> dict[str, Decimal]:
    """``{ "xã": 10, "huyện": 8 }`` resolved to the variant scale's levels, every level once."""
    scale = c.variant_scale
    if scale is None:
        c.error(f'"{what} by" needs the header to say which fact picks the variant', span,
                'add "variants by FACT" to the ruleset header')
        return {}
    out: dict[str, Decimal] = {}
    for text, value, where in values:
        c.check_number(value, where)
        level = scale.keys.get(fold(text))
        if level is None:
            c.error(f'"{text}" is not a variant (a level of scale "{scale.name}")', where,
                    suggest(text, scale.levels))
        elif level in out:
            c.error(f'variant "{level}" is given twice', where)
        else:
            out[level] = value
    for level in scale.levels:
        if level not in out:
            c.error(f'no {what} for variant "{level}"', span)
    return out


def check_variants(c: Checker) -> None:
    """The header's ``variants by FACT``: a scale fact whose levels are the kinds of unit."""
    h = c.tree.header
    item = next((i for i in h.items if isinstance(i, n.HeaderItem) and i.kind == "variants"), None)
    total_by = next((i for i in h.items if isinstance(i, n.HeaderItem) and i.kind == "total_by"), None)
    if item is not None:
        name = str(item.values[0])
        spec = c.facts.get(name)
        if spec is None or spec.scale is None:
            c.error(f'variants need a fact of a scale; "{name}" is not one', item.span,
                    suggest(name, [f for f, s in c.facts.items() if s.scale]))
        else:
            c.variant_scale = c.scales[spec.scale]
            c.header = attrs.evolve(c.header, variants=name)
    if total_by is not None:
        values = tuple(total_by.values)
        by = _by_variant(c, values, total_by.span, "total")  # type: ignore[arg-type]
        if by:
            c.header = attrs.evolve(c.header, total_by=tuple(by.items()), total=max(by.values()))


def _claim_code(c: Checker, code: str, span: Span) -> bool:
    key = fold(code)
    if key in c.codes:
        c.error(f'code "{code}" is used twice (first at line {c.codes[key].line})', span)
        return False
    c.codes[key] = span
    return True


def check_tree(c: Checker) -> None:
    for decl in c.tree.decls:
        if isinstance(decl, n.GroupDecl):
            if not decl.is_section:
                c.error("a group must sit inside a section", decl.span)
            kind = decl.kind or "standard"
            if _claim_code(c, decl.code, decl.code_span):
                c.roots.append(decl.code)
                _group(c, decl, kind, None, (), None)


def _group(
    c: Checker,
    decl: n.GroupDecl,
    kind: str,
    parent: str | None,
    inherited: tuple[str, ...],
    inherited_cap: Decimal | None,
) -> None:
    if decl.kind is not None and decl.kind != kind:
        c.error(
            f'section "{decl.code}" is declared {decl.kind} inside a {kind} section',
            decl.span,
            "only a top-level section chooses standard, bonus or deduction",
        )
    max_, cap = _limits(c, decl.limits, decl.code)
    if decl.limits:
        c.limit_spans[decl.code] = decl.limits[0].span
    if cap is not None and max_ is not None and cap > max_:
        c.warn(f'the cap {cap} of "{decl.code}" exceeds its max {max_} and can never bite', decl.span)
    notes = tuple(a.text for a in decl.items if isinstance(a, n.Annotation) and a.kind == "note")
    assumptions = tuple(a.text for a in decl.items if isinstance(a, n.Annotation) and a.kind == "assume")
    for a in decl.items:
        if isinstance(a, n.Annotation) and a.kind == "allow_gap":
            c.gap_allowed[decl.code] = a.text
    children: list[str] = []
    applicable = [a for a in decl.items if isinstance(a, n.Applicable)]
    _applicable(c, decl.code, applicable)
    own_cap = cap if cap is not None else inherited_cap
    for item in decl.items:
        if not isinstance(item, n.GroupDecl | n.CriterionDecl):
            continue
        if not _claim_code(c, item.code, item.code_span):
            c.duplicated_in.add(decl.code)  # its sum would be wrong for a reason already reported
        elif isinstance(item, n.GroupDecl):
            children.append(item.code)
            _group(c, item, kind, decl.code, inherited + assumptions, own_cap if cap is None else cap)
        else:
            children.append(item.code)
            _criterion(c, item, kind, decl.code, inherited + assumptions, own_cap)
    if not children:
        c.error(f'"{decl.code}" holds no criteria', decl.span)
    if max_ is None and cap is None and kind != "deduction":
        maxima = [c.criteria[x].max if x in c.criteria else c.groups[x].max if x in c.groups else None
                  for x in children]
        if all(m is not None for m in maxima):
            max_ = sum((m for m in maxima if m is not None), Decimal(0))
    c.decls_of[decl.code] = decl
    c.groups[decl.code] = Group(
        code=decl.code, title=decl.title, kind=kind, is_section=decl.is_section,  # type: ignore[arg-type]
        max=max_ if max_ is not None else cap, cap=cap, children=tuple(children), parent=parent,
        notes=notes, assumptions=assumptions,
        applicable=applicable[0].condition.span.text() if applicable else None, span=decl.span,
        max_by=tuple(c.max_by.get(decl.code, {}).items()),
    )


def _applicable(c: Checker, code: str, items: list[n.Applicable]) -> None:
    for extra in items[1:]:
        c.error(f'"{code}" has more than one "applicable if"', extra.span)
    if items:
        c.applicability[code] = items[0].condition


def _criterion(
    c: Checker,
    decl: n.CriterionDecl,
    kind: str,
    parent: str,
    inherited: tuple[str, ...],
    inherited_cap: Decimal | None,
) -> None:
    if decl.code in c.facts or decl.code in c.lets:
        c.error(f'code "{decl.code}" is also the name of a fact or derived value', decl.code_span,
                "a judged score is given under the criterion's code, so the two must differ")
    max_, cap = _limits(c, decl.limits, decl.code)
    if cap is not None:
        c.error("a criterion has a max, not a cap", decl.span, 'write "max N"')
    if max_ is None and kind != "deduction":
        if inherited_cap is None:
            c.error(f'criterion "{decl.code}" has no max', decl.code_span, 'add "max N" after its title')
        max_ = inherited_cap
    texts: dict[str, list[str]] = {}
    scores = [i for i in decl.items if isinstance(i, n.ScoreStmt)]
    for item in decl.items:
        if isinstance(item, n.Annotation):
            texts.setdefault(item.kind, []).append(item.text)
    for extra in scores[1:]:
        c.error(f'criterion "{decl.code}" has more than one score rule', extra.span)
    if not scores:
        c.error(
            f'criterion "{decl.code}" has no score rule',
            decl.code_span,
            'add "score assessed" for a judged score, or a rule',
        )
    else:
        c.rules[decl.code] = scores[0].expr
    _applicable(c, decl.code, [i for i in decl.items if isinstance(i, n.Applicable)])
    c.decls_of[decl.code] = decl
    c.criteria[decl.code] = Criterion(
        code=decl.code, title=decl.title, kind=kind, max=max_,  # type: ignore[arg-type]
        rule=scores[0].expr.span.text() if scores else "",
        parent=parent,
        evidence=tuple(texts.get("evidence", ())), verifiers=tuple(texts.get("verifier", ())),
        notes=tuple(texts.get("note", ())),
        assumptions=inherited + tuple(texts.get("assume", ())),
        applicable=c.applicability[decl.code].span.text() if decl.code in c.applicability else None,
        span=decl.span, max_by=tuple(c.max_by.get(decl.code, {}).items()),
    )


# ================================================================ pass 4: types and ranges


def check_types(c: Checker) -> None:
    _order_lets(c)
    for name in c.let_order:
        decl = c.lets[name]
        info = infer(c, decl.expr, Scope("let"))
        c.let_info[name] = info
        c.derived[name] = Derived(name, decl.label, decl.expr.span.text(), decl.span)
    for expr in c.applicability.values():
        _expect(c, infer(c, expr, Scope("applicable")), BOOL, expr, "an applicability condition")
    for code, expr in c.rules.items():
        criterion = c.criteria[code]
        guards: frozenset[str] = frozenset()
        node: str | None = code
        while node is not None:  # "applicable if x > 0" on it or an ancestor guards "/ x"
            if node in c.applicability:
                guards |= _zero_tests(c.applicability[node])
            node = c.parent_of(node)
        errors_before = sum(d.severity == "error" for d in c.diagnostics)
        info = infer(c, expr, Scope("criterion", criterion, guards=guards))
        clean = sum(d.severity == "error" for d in c.diagnostics) == errors_before
        if _expect(c, info, NUMBER, expr, "a score rule") and clean:
            _check_reach(c, criterion, info.range)
        if not _under_condition(c, code) and _reaches_assessed(expr):
            c.unconditional_assessed.add(code)


#: How long a chain of derived values reading each other may be (evaluation recurses along it).
MAX_LET_CHAIN = 100


def _order_lets(c: Checker) -> None:
    """Order derived values so each comes after those it reads; report cycles and long chains.

    Iterative, so a chain of thousands of ``let`` cannot exhaust the stack.
    """
    state: dict[str, int] = {}
    depth: dict[str, int] = {}
    for start in c.lets:
        if start in state:
            continue
        path: list[str] = [start]
        pending: list[list[str]] = [sorted(r for r in _refs(c.lets[start].expr) if r in c.lets)]
        state[start] = 1
        while path:
            if pending[-1]:
                ref = pending[-1].pop()
                if state.get(ref) == 1:
                    cycle = " -> ".join([*path[path.index(ref):], ref])
                    c.error(f"derived values depend on each other in a cycle: {cycle}", c.lets[ref].span)
                elif ref not in state:
                    state[ref] = 1
                    path.append(ref)
                    pending.append(sorted(r for r in _refs(c.lets[ref].expr) if r in c.lets))
                continue
            name = path.pop()
            pending.pop()
            state[name] = 2
            reads = [r for r in _refs(c.lets[name].expr) if r in c.lets]
            depth[name] = 1 + max((depth.get(r, 0) for r in reads), default=0)
            if depth[name] > MAX_LET_CHAIN:
                c.error(f"derived values read each other more than {MAX_LET_CHAIN} deep", c.lets[name].span,
                        "compute the chain in fewer steps")
                c.broken.add(name)
            c.let_order.append(name)

def _refs(expr: n.Expr) -> set[str]:
    """Every name ``expr`` reads."""
    return {node.name for node in n.walk(expr) if isinstance(node, n.Ref)}


def _unconditional(expr: n.Expr) -> set[str]:
    """Names read whatever the facts."""
    found: set[str] = set()
    stack = [expr]
    while stack:
        part = stack.pop()
        if isinstance(part, n.Ref):
            found.add(part.name)
        stack.extend(n.always(part))
    return found


def check_required(c: Checker) -> None:
    """A fact is required when it has no default, is not optional, and some rule always reads it."""
    roots: list[n.Expr] = [
        expr for code, expr in c.rules.items() if not _under_condition(c, code)
    ]
    roots += [expr for code, expr in c.applicability.items() if not _under_condition(c, c.parent_of(code))]
    roots += [o.expr for o in c.ranking]
    roots += [r.condition for _, decl in c.awards for r in decl.requirements]
    roots += [r.condition for decl, _ in c.classifications for r in decl.rules if r.condition is not None]
    always: set[str] = set()
    for expr in roots:
        always |= _unconditional(expr)
    pending = [name for name in always if name in c.lets]
    while pending:
        name = pending.pop()
        for ref in _unconditional(c.lets[name].expr):
            if ref not in always:
                always.add(ref)
                if ref in c.lets:
                    pending.append(ref)
    used: set[str] = set()
    for expr in [*c.rules.values(), *c.applicability.values(), *(o.expr for o in c.ranking),
                 *(r.condition for _, d in c.awards for r in d.requirements),
                 *(r.condition for d, _ in c.classifications for r in d.rules if r.condition is not None),
                 *(d.expr for d in c.lets.values())]:
        used |= _refs(expr)
    if c.header.variants is not None:
        used.add(c.header.variants)  # it picks each unit's maxima
    for name, spec in c.facts.items():
        if name not in used:
            c.warn(f'fact "{name}" is never used', spec.span)
        required = spec.default is None and spec.required and name in always
        if required != spec.required:
            c.facts[name] = attrs.evolve(spec, required=required)


def _under_condition(c: Checker, code: str | None) -> bool:
    """Whether ``code`` or one of its ancestors has an ``applicable if``."""
    while code is not None:
        if code in c.applicability:
            return True
        code = c.parent_of(code)
    return False


def _reaches_assessed(expr: n.Expr) -> bool:
    """Whether ``assessed`` is read whatever the facts (not only under a condition)."""
    return isinstance(expr, n.Assessed) or any(_reaches_assessed(part) for part in n.always(expr))


def _expect(c: Checker, info: Info, wanted: Type, expr: n.Expr, what: str) -> bool:
    if info.type == UNKNOWN:
        return False
    if info.type != wanted:
        c.error(f"{what} must be {wanted}, not {info.type}", expr.span)
        return False
    return True


def _check_reach(c: Checker, criterion: Criterion, raw: Interval) -> None:
    if criterion.max is None or criterion.kind == "deduction":
        return
    decl = c.decls_of[criterion.code]
    allowed = any(isinstance(i, n.Annotation) and i.kind == "allow_unreachable" for i in decl.items)
    exceed = any(isinstance(i, n.Annotation) and i.kind == "allow_exceed" for i in decl.items)
    if raw.high < criterion.max and not allowed:
        c.warn(
            f'the best case of "{criterion.code}" is {plain(raw.high)}, below its max {plain(criterion.max)}',
            c.rules[criterion.code].span,
            'if the document says so, acknowledge it with: allow unreachable "reason"',
        )
    elif raw.high.is_finite() and raw.high > criterion.max and not exceed:
        c.warn(
            f'the best case of "{criterion.code}" is {plain(raw.high)}, above its max '
            f"{plain(criterion.max)}: the cap will cut it",
            c.rules[criterion.code].span,
            'if the document caps it on purpose, acknowledge it with: allow exceed "reason"',
        )



def _record(c: Checker, expr: n.Expr, info: Info) -> Info:
    c.types[id(expr)] = info.type
    return info


def infer(c: Checker, expr: n.Expr, scope: Scope) -> Info:
    """Type and range of ``expr``; reports every problem found inside it."""
    return _record(c, expr, _infer(c, expr, scope))


def _infer(c: Checker, expr: n.Expr, scope: Scope) -> Info:
    match expr:
        case n.Number():
            c.check_number(expr.value, expr.span)
            return Info(NUMBER, Interval.point(expr.value))
        case n.Bool():
            return Info(BOOL)
        case n.String():
            return Info(TEXT)
        case n.Ref():
            return _infer_ref(c, expr, scope)
        case n.Assessed() | n.SelfMax():
            word = "assessed" if isinstance(expr, n.Assessed) else "max"
            if scope.where != "criterion" or scope.criterion is None:
                c.error(f'"{word}" can only be used in a criterion\'s score rule', expr.span)
                return Info(UNKNOWN)
            top = scope.criterion.max
            if top is None:
                c.error(f'"{word}" needs the criterion to have a max', expr.span)
                return Info(UNKNOWN)
            if isinstance(expr, n.SelfMax):
                return Info(NUMBER, Interval.point(top))
            return Info(NUMBER, Interval(Decimal(0), top))
        case n.PercentageRef():
            if scope.where not in ("ranking", "award"):
                c.error('"percentage" can only be read in ranking and award rules', expr.span)
                return Info(UNKNOWN)
            return Info(NUMBER, Interval(Decimal(0), Decimal(100)))
        case n.Cohort():
            return _infer_cohort(c, expr, scope)
        case n.TotalRef() | n.ScoreRef():
            if scope.where not in ("ranking", "award"):
                c.error("a unit's scores can only be read in ranking and award rules", expr.span)
                return Info(UNKNOWN)
            if isinstance(expr, n.ScoreRef) and fold(expr.code) not in c.codes:
                c.error(f'unknown code "{expr.code}"', expr.span, suggest(expr.code, [*c.criteria, *c.groups]))
                return Info(UNKNOWN)
            return Info(NUMBER)
        case n.Neg():
            info = infer(c, expr.operand, scope)
            if _arith_operand(c, info, expr.operand, "-"):
                return Info(NUMBER, -info.range)
            return Info(UNKNOWN)
        case n.Binary():
            left, right = infer(c, expr.left, scope), infer(c, expr.right, scope)
            ok = _arith_operand(c, left, expr.left, expr.op) & _arith_operand(c, right, expr.right, expr.op)
            if not ok:
                return Info(UNKNOWN)
            ops: dict[str, Callable[[Interval, Interval], Interval]] = {
                "+": Interval.__add__, "-": Interval.__sub__, "*": Interval.__mul__,
                "/": Interval.__truediv__,
            }
            if expr.op == "/" and right.range.low == right.range.high == 0:
                c.error("division by zero", expr.span)
            elif expr.op == "/" and right.range.low <= 0 <= right.range.high \
                    and _text(expr.right) not in scope.guards:
                divisor = _text(expr.right)
                c.error(
                    f'division by "{divisor}", which can be 0',
                    expr.right.span,
                    f"say what scores then: if {divisor} = 0 then … else …",
                )
            result = ops[expr.op](left.range, right.range)
            if expr.op == "/" and not _terminates(expr.right):
                # an inexact quotient is rounded: its value may lie a quantum outside the exact range
                quantum = Decimal(1).scaleb(-c.header.rounding)
                result = Interval(result.low - quantum, result.high + quantum)
            return Info(NUMBER, result)
        case n.Compare():
            return _infer_compare(c, expr, scope)
        case n.Logic() | n.Not():
            operands = [expr.operand] if isinstance(expr, n.Not) else [expr.left, expr.right]
            word = "not" if isinstance(expr, n.Not) else expr.op
            for operand in operands:
                info = infer(c, operand, scope)
                if info.type not in (BOOL, UNKNOWN):
                    c.error(f'"{word}" needs true/false, not {info.type}', operand.span)
            return Info(BOOL)
        case n.If():
            cond = infer(c, expr.cond, scope)
            _expect(c, cond, BOOL, expr.cond, "the condition of an if")
            then = attrs.evolve(scope, conditional=True, guards=scope.guards | _zero_tests(expr.cond, True))
            other = attrs.evolve(scope, conditional=True, guards=scope.guards | _zero_tests(expr.cond, False))
            branches = [(expr.then, infer(c, expr.then, then)), (expr.otherwise, infer(c, expr.otherwise, other))]
            return _join(c, branches, "the branches of an if")
        case n.Call():
            return _infer_call(c, expr, scope)
        case n.Table():
            return _infer_table(c, expr, scope)
        case _:
            assert_never(expr)


def _terminates(divisor: n.Expr) -> bool:
    """Whether dividing by ``divisor`` always gives a terminating decimal (a constant 2^a·5^b…)."""
    if not isinstance(divisor, n.Number) or divisor.value == 0:
        return False
    denominator = (Fraction(1) / Fraction(divisor.value)).denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    return denominator == 1


def _text(expr: n.Expr) -> str:
    return " ".join(expr.span.text().split())


def _zero_tests(cond: n.Expr, holds: bool = True) -> frozenset[str]:
    """Expressions known to be non-zero where ``cond`` is ``holds``: the divisors it guards.

    ``x != 0``, ``x > 0`` and ``x < 0`` guard the then-branch; ``x = 0``, ``x >= 0`` and
    ``x <= 0`` guard the else-branch; ``and``, ``or`` and ``not`` combine these as logic does.
    """
    if isinstance(cond, n.Not):
        return _zero_tests(cond.operand, not holds)
    if isinstance(cond, n.Logic):
        left, right = _zero_tests(cond.left, holds), _zero_tests(cond.right, holds)
        # both true (and / not-or): either guard holds; one of them (or / not-and): both must
        return left | right if (cond.op == "and") == holds else left & right
    if isinstance(cond, n.Compare):
        for side, other, op in ((cond.left, cond.right, cond.op), (cond.right, cond.left, _FLIP[cond.op])):
            if isinstance(other, n.Number) and other.value == 0:
                nonzero_when_true = op in ("!=", ">", "<")
                if nonzero_when_true == holds:
                    return frozenset({_text(side)})
    return frozenset()


def _infer_cohort(c: Checker, expr: n.Cohort, scope: Scope) -> Info:
    aggregate = AGGREGATES.get(expr.func)
    if aggregate is None:
        c.error(f'unknown cohort aggregate "{expr.func}"', expr.span, suggest(expr.func, AGGREGATES))
        return Info(UNKNOWN)
    if scope.where == "cohort":
        c.error("a cohort aggregate cannot sit inside another", expr.span)
        return Info(UNKNOWN)
    user = scope.criterion.code if scope.where == "criterion" and scope.criterion is not None else None
    c.cohort_users.setdefault(expr.key, set()).add(user)
    if not aggregate.takes_value:
        c.cohorts.setdefault(expr.key, expr)
        return Info(NUMBER, aggregate.range(Interval()))
    assert expr.arg is not None
    inner = infer(c, expr.arg, Scope("cohort"))
    if not _expect(c, inner, NUMBER, expr.arg, "what a cohort aggregates"):
        return Info(UNKNOWN)
    c.cohorts.setdefault(expr.key, expr)
    return Info(NUMBER, aggregate.range(inner.range))


def _infer_ref(c: Checker, expr: n.Ref, scope: Scope) -> Info:
    if expr.name in c.facts:
        spec = c.facts[expr.name]
        if spec.kind == "boolean":
            return Info(BOOL)
        if spec.kind == "scale":
            return Info(Type("level", spec.scale))
        low = spec.low if spec.low is not None else Interval().low
        high = spec.high if spec.high is not None else INF
        return Info(NUMBER, Interval(low, high, spec.integral))
    if expr.name in c.lets:
        if expr.name in c.let_info:
            return c.let_info[expr.name]
        return Info(UNKNOWN)  # a cycle, reported once by _order_lets
    if expr.name in c.broken:
        return Info(UNKNOWN)
    candidates = [*c.facts, *c.lets]
    hint = suggest(expr.name, candidates)
    what = "fact or derived value"
    if expr.name in c.scales:
        hint = f'"{expr.name}" is a scale; compare a fact of that scale with one of its levels'
    c.error(f'unknown {what} "{expr.name}"', expr.span, hint)
    return Info(UNKNOWN)


def _arith_operand(c: Checker, info: Info, expr: n.Expr, op: str) -> bool:
    if info.type == NUMBER:
        return True
    if info.type != UNKNOWN:
        c.error(f'"{op}" needs numbers, not {info.type}', expr.span)
    return False


def _resolve_level(c: Checker, expr: n.Expr, scale_name: str) -> bool:
    """Resolve a text literal as a level of ``scale_name``; report it if it is none."""
    if not isinstance(expr, n.String):
        c.error(f'a level of scale "{scale_name}" is compared with a level name in quotes, '
                "not with a computed text", expr.span)
        return False
    scale = c.scales[scale_name]
    level = scale.keys.get(fold(expr.value))
    if level is None:
        c.error(
            f'"{expr.value}" is not a level of scale "{scale_name}"',
            expr.span,
            suggest(expr.value, scale.levels) or "levels: " + ", ".join(f'"{lv}"' for lv in scale.levels),
        )
        return False
    c.levels[id(expr)] = level
    c.types[id(expr)] = Type("level", scale_name)
    return True


def _infer_compare(c: Checker, expr: n.Compare, scope: Scope) -> Info:
    left, right = infer(c, expr.left, scope), infer(c, expr.right, scope)
    if UNKNOWN in (left.type, right.type):
        return Info(BOOL)
    if left.type == TEXT and right.type.kind == "level":
        _resolve_level(c, expr.left, right.type.scale or "")
    elif right.type == TEXT and left.type.kind == "level":
        _resolve_level(c, expr.right, left.type.scale or "")
    elif left.type != right.type or left.type == TEXT:
        c.error(f"cannot compare {left.type} with {right.type}", expr.span)
    elif left.type == BOOL and expr.op not in ("=", "!="):
        c.error(f'true/false values can only be compared with = or !=, not "{expr.op}"', expr.span)
    return Info(BOOL)


def _join(c: Checker, parts: list[tuple[n.Expr, Info]], what: str) -> Info:
    known = [(e, i) for e, i in parts if i.type != UNKNOWN]
    if not known:
        return Info(UNKNOWN)
    first = known[0][1]
    rng = first.range
    for expr, info in known[1:]:
        if info.type != first.type:
            c.error(f"{what} must all be {first.type}, but this is {info.type}", expr.span)
            return Info(UNKNOWN)
        rng = rng.union(info.range)
    return Info(first.type, rng if first.type == NUMBER else Interval())


def _infer_call(c: Checker, expr: n.Call, scope: Scope) -> Info:
    func = FUNCTIONS.get(expr.func)
    if func is None:
        c.error(f'unknown function "{expr.func}"', expr.span, suggest(expr.func, FUNCTIONS))
        for arg in expr.args:
            infer(c, arg, scope)
        return Info(UNKNOWN)
    infos = [infer(c, arg, scope) for arg in expr.args]
    if not func.fewest <= len(infos) <= func.most:
        c.error(f'"{expr.func}" takes {func.arity} arguments, not {len(infos)}', expr.span)
        return Info(UNKNOWN)
    ok = all([_arith_operand(c, info, arg, expr.func) for info, arg in zip(infos, expr.args, strict=True)])
    if not ok:
        return Info(UNKNOWN)
    ranges = [i.range for i in infos]
    if func.rounding is None:
        return Info(NUMBER, func.range(*ranges))
    if len(expr.args) == 2:
        arg = expr.args[1]
        if not (isinstance(arg, n.Number) and arg.value == arg.value.to_integral_value()
                and 0 <= arg.value <= PLACES_LIMIT):
            c.error(f"the places of {expr.func} must be a whole number from 0 to {PLACES_LIMIT}", arg.span)
            return Info(NUMBER, func.range(ranges[0], quantum(0)))
    return Info(NUMBER, func.range(ranges[0], rounding_step(expr.args)))


# ---------------------------------------------------------------- tier tables


def _row_set_number(
    c: Checker, row: n.Row, domain: Interval
) -> NumberSet | None:
    pattern = row.pattern
    integral = domain.integral
    if isinstance(pattern, n.PCompare | n.PEqual):
        value = pattern.value
        if not isinstance(value, n.Number):
            c.error("this row compares a number with a text or true/false", pattern.span)
            return None
        op = pattern.op if isinstance(pattern, n.PCompare) else "="
        return compare_set(op, value.value, integral)
    if isinstance(pattern, n.PRange):
        for end in (pattern.low, pattern.high):
            if end is not None and not isinstance(end, n.Number):
                c.error("a range row needs numbers at both ends", pattern.span)
                return None
        low = pattern.low.value if pattern.low is not None else Interval().low
        high = pattern.high.value if pattern.high is not None else INF
        if low > high:
            c.error(f"the range {pattern.span.text()} is empty", pattern.span)
        return NumberSet.interval(low, True, high, True, integral)
    return None


def _row_set_finite(
    c: Checker, row: n.Row, subject: Type, universe: list[object]
) -> set[object] | None:
    """Rows over a scale or true/false: the set of values (levels, booleans) they match."""
    pattern = row.pattern
    if isinstance(pattern, n.PRange):
        c.error(f"a range row does not apply to {subject}", pattern.span)
        return None
    assert isinstance(pattern, n.PCompare | n.PEqual)
    op = pattern.op if isinstance(pattern, n.PCompare) else "="
    value = pattern.value
    if subject == BOOL:
        if not isinstance(value, n.Bool) or op not in ("=", "!="):
            c.error("a row over true/false matches true or false", pattern.span)
            return None
        return {x for x in universe if (x == value.value) == (op == "=")}
    assert subject.scale is not None
    if not isinstance(value, n.String):
        c.error(f"a row over {subject} needs a level in quotes", pattern.span)
        return None
    if not _resolve_level(c, value, subject.scale):
        return None
    scale = c.scales[subject.scale]
    mine = scale.rank(c.levels[id(value)])
    tests: dict[str, Callable[[int], bool]] = {
        "=": lambda r: r == mine, "!=": lambda r: r != mine, "<": lambda r: r < mine,
        "<=": lambda r: r <= mine, ">": lambda r: r > mine, ">=": lambda r: r >= mine,
    }
    return {x for x in universe if tests[op](scale.rank(str(x)))}


def _infer_table(c: Checker, expr: n.Table, scope: Scope) -> Info:
    subject = infer(c, expr.subject, scope)
    values = [(row.value, infer(c, row.value, attrs.evolve(scope, conditional=True))) for row in expr.rows]
    if subject.type in (UNKNOWN, TEXT):
        if subject.type == TEXT:
            c.error("a table needs a number, a level or true/false to look up", expr.subject.span)
        return _join(c, values, "the values of a table's rows")
    for before, after in zip(expr.rows, expr.rows[1:], strict=False):
        value = before.value
        if (isinstance(after.pattern, n.PRange) and after.pattern.low is None
                and isinstance(value, n.Binary) and value.op == "-" and isinstance(value.right, n.Number)
                and not before.span.text().rstrip().endswith(",")):
            c.error(
                f'"{value.span.text()}" followed by "{after.pattern.span.text()}" reads as a subtraction',
                before.span,
                "put a comma after a row when the next row starts with a negative number",
            )
    otherwise = [row for row in expr.rows if isinstance(row.pattern, n.POtherwise)]
    for row in otherwise[1:]:
        c.error("a table has one otherwise row at most", row.span)
    if otherwise and otherwise[0] is not expr.rows[-1]:
        c.error("the otherwise row must be the table's last row", otherwise[0].span)
    reachable: list[tuple[n.Expr, Info]] = []
    if subject.type == NUMBER:
        domain = subject.range
        everything = NumberSet.everything(domain.low, domain.high, domain.integral)
        covered = NumberSet((), domain.integral)
        for index, row in enumerate(expr.rows, 1):
            if isinstance(row.pattern, n.POtherwise):
                continue
            matched = _row_set_number(c, row, domain)
            if matched is None:
                continue
            mine = matched.intersect(everything)
            new = mine.minus(covered)
            if new.empty():
                _unreachable(c, expr, row, index, mine)
            else:
                if isinstance(row.pattern, n.PRange | n.PEqual) and not mine.intersect(covered).empty():
                    c.error(
                        f"row {index} overlaps an earlier row ({mine.intersect(covered).describe()})",
                        row.pattern.span,
                        "with first-match rows, give ranges that do not overlap",
                    )
                reachable.append((row.value, values[index - 1][1]))
            covered = covered.union(mine)
        gap = everything.minus(covered)
        _coverage(c, expr, otherwise, gap.empty(), lambda: gap.describe())
    else:
        if subject.type == BOOL:
            universe: list[object] = [True, False]
        else:
            universe = list(c.scales[subject.type.scale or ""].levels)
        seen: set[object] = set()
        for index, row in enumerate(expr.rows, 1):
            if isinstance(row.pattern, n.POtherwise):
                continue
            matched_values = _row_set_finite(c, row, subject.type, universe)
            if matched_values is None:
                continue
            if not matched_values - seen:
                c.error(f"row {index} can never match: earlier rows take all its values", row.pattern.span)
            else:
                reachable.append((row.value, values[index - 1][1]))
            seen |= matched_values
        rest = [x for x in universe if x not in seen]
        _coverage(c, expr, otherwise, not rest, lambda: ", ".join(_show(x) for x in rest))
    if otherwise:
        reachable.append((otherwise[0].value, values[expr.rows.index(otherwise[0])][1]))
    return _join(c, reachable or values, "the values of a table's rows")


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return f'"{value}"'


def _unreachable(c: Checker, expr: n.Table, row: n.Row, index: int, mine: NumberSet) -> None:
    pattern = row.pattern
    if mine.empty():
        c.error(f"row {index} ({pattern.span.text()}) matches no possible value of the subject", pattern.span)
    elif isinstance(pattern, n.PCompare):
        c.error(
            f"row {index} ({pattern.span.text()}) can never match: earlier rows take all its values",
            pattern.span,
            "tier rows are tried in order; put them from the narrowest to the widest",
        )
    else:
        c.error(f"row {index} ({pattern.span.text()}) can never match: earlier rows take all its values", pattern.span)


def _coverage(
    c: Checker, expr: n.Table, otherwise: list[n.Row], full: bool, gap: Callable[[], str]
) -> None:
    if full and otherwise:
        c.warn("the otherwise row can never match: the rows above cover every value", otherwise[0].span)
    elif not full and not otherwise:
        c.error(
            f"the table has no otherwise row, and no row matches {gap()}",
            expr.span,
            'add a last row "otherwise: …"',
        )


# ================================================================ pass 5: sums of maxima


def _static_truth(c: Checker, expr: n.Expr, fact: str, level: str) -> bool | None:
    """A condition's value when it reads the variant fact only; None when facts decide."""
    if isinstance(expr, n.Bool):
        return expr.value
    if isinstance(expr, n.Not):
        inner = _static_truth(c, expr.operand, fact, level)
        return None if inner is None else not inner
    if isinstance(expr, n.Logic):
        left = _static_truth(c, expr.left, fact, level)
        right = _static_truth(c, expr.right, fact, level)
        if expr.op == "and":
            return False if False in (left, right) else None if None in (left, right) else True
        return True if True in (left, right) else None if None in (left, right) else False
    if isinstance(expr, n.Compare) and c.variant_scale is not None:
        sides = [(expr.left, expr.right, expr.op), (expr.right, expr.left, _FLIP[expr.op])]
        for ref, other, op in sides:
            if isinstance(ref, n.Ref) and ref.name == fact and isinstance(other, n.String):
                target = c.levels.get(id(other))
                if target is None:
                    return None
                scale = c.variant_scale
                return bool(_TESTS[op](scale.rank(level), scale.rank(target)))
    return None


_FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "=", "!=": "!="}
_TESTS: dict[str, Callable[[int, int], bool]] = {
    "=": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}


def _check_variant_sums(c: Checker, fact: str, scale: Scale) -> None:
    """Per variant of unit: drop the rows that do not apply to it, then check every sum."""
    reported: set[tuple[str, str]] = set()
    for level in scale.levels:
        maxima: dict[str, Decimal | None] = {}

        def node_max(code: str, level: str = level, maxima: dict[str, Decimal | None] = maxima) -> Decimal | None:
            if code in maxima:
                return maxima[code]
            cond = c.applicability.get(code)
            value: Decimal | None
            if cond is not None and _static_truth(c, cond, fact, level) is False:
                value = None
            elif code in c.max_by and level in c.max_by[code]:
                value = c.max_by[code][level]
            elif code in c.criteria:
                value = c.criteria[code].max
            else:
                group = c.groups[code]
                parts = [m for m in (node_max(x) for x in group.children) if m is not None]
                explicit = [x for x in (group.cap, group.max if group.code in _explicit_max(c) else None)
                            if x is not None]
                value = min(explicit) if explicit else sum(parts, Decimal(0))
            maxima[code] = value
            return value

        for code, group in c.groups.items():
            if group.kind == "deduction" or code in c.duplicated_in or code not in _explicit_max(c):
                continue
            top = node_max(code)
            if top is None:
                continue
            parts = [m for m in (node_max(x) for x in group.children) if m is not None]
            total = sum(parts, Decimal(0))
            if total != top and (code, level) not in reported:
                reported.add((code, level))
                _sum_problem(
                    c, code,
                    f'for "{level}", the items of "{code}" add up to {plain(total)}, not its max {plain(top)}',
                    c.limit_spans.get(code, group.span),
                )
        roots = [r for r in c.roots if r in c.groups and c.groups[r].kind != "deduction"]
        found = sum((m for m in (node_max(r) for r in roots) if m is not None), Decimal(0))
        declared = dict(c.header.total_by).get(level, c.header.total)
        if declared is not None and found != declared:
            _sum_problem(
                c, "", f'for "{level}", the sections add up to {plain(found)}, not the declared total '
                f"{plain(declared)}", c.tree.header.span,
            )


def _explicit_max(c: Checker) -> set[str]:
    """Groups whose max was written (``max N`` or ``max by``), not derived from their items."""
    return {code for code, decl in c.decls_of.items()
            if code in c.groups and any(limit.kind == "max" for limit in decl.limits)}


def check_sums(c: Checker) -> None:
    """Maxima add up: a group's items to its max, the sections to the declared total."""
    with localcontext(EXACT):  # exact for numbers of any size, whatever the caller's context
        _check_sums(c)


def _check_sums(c: Checker) -> None:
    if c.header.variants is not None and c.variant_scale is not None:
        _check_variant_sums(c, c.header.variants, c.variant_scale)
        return
    for code, group in c.groups.items():
        if code in c.duplicated_in:
            continue
        if group.kind == "deduction" or (group.cap is not None and group.max == group.cap):
            _cap_check(c, group)
            continue
        if group.max is None:
            continue
        total = _children_max(c, group)
        if total is not None and total != group.max:
            _sum_problem(
                c, code, f'the items of "{code}" add up to {plain(total)}, not its max {plain(group.max)}',
                c.limit_spans.get(code, group.span),
            )
    total = c.header.total
    if total is None:
        c.error("the ruleset declares no total", c.tree.header.span, 'add "total N" to the header')
        return
    roots = [c.groups[r] for r in c.roots if r in c.groups and c.groups[r].kind != "deduction"]
    if any(g.max is None for g in roots):
        for g in roots:
            if g.max is None:
                c.error(f'section "{g.code}" has no max', g.span, 'add "max N" after its title')
        return
    found = sum((g.max for g in roots if g.max is not None), Decimal(0))
    if found != total:
        total_item = next(
            (i for i in c.tree.header.items if isinstance(i, n.HeaderItem) and i.kind == "total"), None
        )
        _sum_problem(
            c, "", f"the sections add up to {plain(found)}, not the declared total {plain(total)}",
            total_item.span if total_item else c.tree.header.span,
        )


def _children_max(c: Checker, group: Group) -> Decimal | None:
    total = Decimal(0)
    for child in group.children:
        value = c.criteria[child].max if child in c.criteria else c.groups[child].max if child in c.groups else None
        if value is None:
            return None
        total += value
    return total


def _cap_check(c: Checker, group: Group) -> None:
    if group.cap is None or group.kind == "deduction":
        return
    total = _children_max(c, group)
    if total is not None and total < group.cap:
        _sum_problem(
            c, group.code,
            f'the items of "{group.code}" add up to {plain(total)}, less than its cap {plain(group.cap)}',
            c.limit_spans.get(group.code, group.span),
        )


def _sum_problem(c: Checker, code: str, message: str, span: Span | None) -> None:
    if code in c.gap_allowed:
        c.warn(message + f" (acknowledged: {c.gap_allowed[code]})", span)
    else:
        c.error(message, span, 'if the document has this gap, acknowledge it with: allow gap "reason"')


# ================================================================ pass 6: ranking and awards


def check_ranking(c: Checker) -> None:
    rankings = [d for d in c.tree.decls if isinstance(d, n.RankingDecl)]
    for extra in rankings[1:]:
        c.error("a ruleset has one ranking at most", extra.span)
    if rankings:
        for order in rankings[0].orders:
            _expect(c, infer(c, order.expr, Scope("ranking")), NUMBER, order.expr, "a ranking key")
        c.ranking = list(rankings[0].orders)
    names: dict[str, Span] = {}
    for decl in c.tree.decls:
        if not isinstance(decl, n.AwardDecl):
            continue
        _declare(c, decl.name, decl.span, names)
        if not 1 <= decl.count <= 1_000_000:
            c.error(f'award "{decl.name}" is given to 1 to 1000000 units, not {plain(Decimal(decl.count))}',
                    decl.span)
            continue
        for req in decl.requirements:
            _expect(c, infer(c, req.condition, Scope("award")), BOOL, req.condition, "an award requirement")
        award = Award(
            decl.name, decl.title, int(decl.count),
            tuple((r.condition.span.text(), r.reason) for r in decl.requirements),
        )
        c.awards.append((award, decl))


def check_rollup(c: Checker) -> None:
    """``rollup { periods …  combine sum|mean  missing error|zero|skip  cap CODE N }``."""
    decls = [d for d in c.tree.decls if isinstance(d, n.RollupDecl)]
    for extra in decls[1:]:
        c.error("a ruleset has one rollup at most", extra.span)
    if not decls:
        return
    decl = decls[0]
    fields: dict[str, object] = {}
    caps: dict[str, Decimal] = {}
    periods: list[str] = []
    for item in decl.items:
        if item.kind == "cap":
            code, value, span = item.values
            assert isinstance(code, str) and isinstance(value, Decimal) and isinstance(span, Span)
            c.check_number(value, span)
            canonical = {fold(x): x for x in [*c.criteria, *c.groups]}
            if fold(code) not in canonical:
                c.error(f'unknown code "{code}"', span, suggest(code, [*c.criteria, *c.groups]))
                continue
            code = canonical[fold(code)]
            if code in caps:
                c.error(f'"{code}" has two roll-up caps', item.span)
            caps[code] = value
            continue
        if item.kind in fields:
            c.error(f'"{item.kind}" is given twice in the rollup', item.span)
        fields[item.kind] = item.values
        if item.kind == "periods":
            seen: set[str] = set()
            for period in item.values:
                assert isinstance(period, str)
                if fold(period) in seen:
                    c.error(f'period "{period}" is listed twice', item.span)
                seen.add(fold(period))
                periods.append(period)
        else:
            allowed = ("sum", "mean") if item.kind == "combine" else ("error", "zero", "skip")
            word = str(item.values[0])
            if word not in allowed:
                c.error(f'{item.kind} is {" or ".join(allowed)}, not "{word}"', item.span, suggest(word, allowed))
    if not periods:
        c.error("the rollup lists no periods", decl.span, 'add: periods "T1", "T2", …')
    combine = fields.get("combine", ("sum",))
    missing = fields.get("missing", ("error",))
    c.rollup = Rollup(
        decl.title, tuple(periods), str(combine[0]), str(missing[0]),  # type: ignore[index]
        tuple(caps.items()),
    )


def check_classify(c: Checker) -> None:
    """Bands over the total or percentage, their conditions and quotas."""
    names: dict[str, Span] = {}
    for decl in c.tree.decls:
        if not isinstance(decl, n.ClassifyDecl):
            continue
        _declare(c, decl.name, decl.span, names)
        labels: list[str] = []
        for row in decl.rows:
            if not isinstance(row.value, n.String):
                c.error("a band names its level in quotes", row.value.span)
            elif row.value.value not in labels:
                labels.append(row.value.value)
        table = n.Table(decl.subject, decl.rows, decl.span)
        info = infer(c, table, Scope("award"))
        subject = c.types.get(id(decl.subject))
        if subject is not None and subject not in (NUMBER, UNKNOWN):
            c.error(f"bands are over a number, not {subject}", decl.subject.span)
        del info
        for rule in decl.rules:
            if rule.condition is not None:
                _expect(c, infer(c, rule.condition, Scope("award")), BOOL, rule.condition, "a condition")
            if rule.level is not None and rule.level not in labels:
                c.error(f'"{rule.level}" is not a band of "{decl.name}"', rule.span, suggest(rule.level, labels))
            if rule.kind == "quota" and rule.amount is not None and (
                rule.amount < 0 or (rule.percent and rule.amount > 100)
                or (not rule.percent and rule.amount != rule.amount.to_integral_value())
            ):
                c.error("a quota is a whole number of units, or a percentage from 0 to 100", rule.span)
        c.classifications.append((decl, tuple(labels)))


PASSES: tuple[Callable[[Checker], None], ...] = (
    check_header,
    check_declarations,
    check_variants,
    check_tree,
    check_types,
    check_sums,
    check_ranking,
    check_rollup,
    check_classify,
    check_required,
)


def check(tree: n.RulesetDecl) -> Checker:
    """Run every pass over ``tree``; ``RulesetError`` with every diagnostic when any is an error."""
    checked = Checker(tree).run()
    if checked.failed:
        raise RulesetError(checked.diagnostics)
    return checked
