"""Pass 3: the tree of sections, groups and criteria: codes, limits, variants, applicability."""

from __future__ import annotations

from decimal import Decimal

import attrs

from ..language import nodes as n
from ..model import Criterion, Group, Scale
from ..source import Span, fold
from ..text import suggest
from .state import Checker


@attrs.define
class _Limits:
    """What follows a node's title: its max and cap, bounds, flags, a max read from facts."""

    max: Decimal | None = None
    cap: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    flags: dict[str, Span] = attrs.Factory(dict)
    max_expr: n.Expr | None = None
    spans: dict[str, Span] = attrs.Factory(dict)


#: The flags each kind of node may carry.
_GROUP_FLAGS = ("open", "not counted", "best", "either")
_CRITERION_FLAGS = ("open", "signed", "not counted")


def _limits(c: Checker, limits: tuple[n.NodeLimit, ...], code: str, *, criterion: bool) -> _Limits:
    out = _Limits()
    allowed = _CRITERION_FLAGS if criterion else _GROUP_FLAGS
    for limit in limits:
        key = (
            limit.kind if isinstance(limit, n.Limit) else f"at {limit.side}" if isinstance(limit, n.Bound)
            else "max" if isinstance(limit, n.MaxExpr) or (isinstance(limit, n.Flag) and limit.name == "open")
            else limit.name
        )
        if key in out.spans:
            c.error(f'"{key}" is given twice', limit.span)
            continue
        out.spans[key] = limit.span
        match limit:
            case n.Limit():
                c.check_number(limit.value, limit.span)
                if limit.kind == "max":
                    out.max = limit.value
                else:
                    out.cap = limit.value
                if limit.by:
                    c.max_by[code] = _by_variant(c, limit.by, limit.span, "max")
            case n.Bound():
                c.check_number(limit.value, limit.span)
                if limit.side == "least":
                    out.low = limit.value
                else:
                    out.high = limit.value
            case n.Flag():
                if limit.name not in allowed:
                    what = "a criterion" if criterion else "a section or group"
                    hint = {"best": "only a group chooses among its parts", "either": "only a group chooses "
                            "among its parts", "signed": "a group adds its parts as they are: only a row is "
                            "raised to 0"}.get(limit.name)
                    c.error(f'"{limit.name}" does not apply to {what}', limit.span, hint)
                out.flags[limit.name] = limit.span
            case n.MaxExpr():
                if not criterion:
                    c.error("only a criterion reads its max from the facts", limit.span,
                            "give the section a number, or leave its max to its items")
                out.max_expr = limit.expr
            case _:
                n.unhandled(limit)
    if out.low is not None and out.high is not None and out.low > out.high:
        c.error(f'"at least {out.low}" is above "at most {out.high}"', out.spans["at least"])
    if out.low is not None and out.max is not None and out.low > out.max:
        c.error(f'"at least {out.low}" is above the max {out.max} of "{code}"', out.spans["at least"])
    if "signed" in out.flags and out.low is not None:
        c.error('"signed" and "at least" both say where the row stops going down', out.flags["signed"],
                'keep one: "signed" (no floor) or "at least N"')
    if "best" in out.flags and "either" in out.flags:
        c.error('a group counts either its best part or the one that applies, not both', out.flags["either"])
    return out


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
        if spec is None or (spec.scale is None and spec.category is None):
            c.error(f'variants need a fact of a scale or a category; "{name}" is not one', item.span,
                    suggest(name, [f for f, s in c.facts.items() if s.scale or s.category]))
        else:
            if spec.scale is not None:
                c.variant_scale = c.scales[spec.scale]
            else:  # a category's names, in no order: variants compare them with = and != only
                names = c.categories[spec.category or ""]
                c.variant_scale = Scale(names.name, names.label, names.levels, names.keys)
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
    limits = _limits(c, decl.limits, decl.code, criterion=False)
    max_, cap = limits.max, limits.cap
    if decl.limits:
        c.limit_spans[decl.code] = decl.limits[0].span
    if parent is None and "not counted" in limits.flags:
        c.error("a section is always counted in the total", limits.flags["not counted"],
                'write "not counted" on the rows or groups the total leaves out')
    if "open" in limits.flags and (max_ is not None or cap is not None):
        c.warn(f'"{decl.code}" is "max open" and limited too: the limit applies', limits.flags["open"])
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
    choose = "best" if "best" in limits.flags else "either" if "either" in limits.flags else "sum"
    if max_ is None and cap is None and kind != "deduction" and "open" not in limits.flags:
        counted = [x for x in children if c.counted(x)]
        maxima = [c.criteria[x].max if x in c.criteria else c.groups[x].max if x in c.groups else None
                  for x in counted]
        if counted and all(m is not None for m in maxima):
            known = [m for m in maxima if m is not None]
            max_ = max(known) if choose != "sum" else sum(known, Decimal(0))
    c.decls_of[decl.code] = decl
    c.groups[decl.code] = Group(
        code=decl.code, title=decl.title, kind=kind, is_section=decl.is_section,  # type: ignore[arg-type]
        max=max_ if max_ is not None else cap, cap=cap, children=tuple(children), parent=parent,
        notes=notes, assumptions=assumptions,
        applicable=applicable[0].condition.span.code() if applicable else None, span=decl.span,
        max_by=tuple(c.max_by.get(decl.code, {}).items()),
        low=limits.low, high=limits.high, counted="not counted" not in limits.flags,
        choose=choose,  # type: ignore[arg-type]
        declared_open="open" in limits.flags,
        defined_in=decl.span.source.name, overridden_by=tuple(s.where for s in decl.overrides),
    )


def _applicable(c: Checker, code: str, items: list[n.Applicable]) -> None:
    for extra in items[1:]:
        c.error(f'"{code}" has more than one "applicable if"', extra.span)
    if items:
        c.applicability[code] = items[0].condition


def _names_by_fold(c: Checker) -> dict[str, str]:
    """The first fact or derived value (facts first) of each folded name; made once a check."""
    counts = (len(c.facts), len(c.lets))
    if c.names_by_fold is None or c.names_by_fold[0] != counts:
        names: dict[str, str] = {}
        for name in [*c.facts, *c.lets]:
            names.setdefault(fold(name), name)
        c.names_by_fold = (counts, names)
    return c.names_by_fold[1]


def _criterion(
    c: Checker,
    decl: n.CriterionDecl,
    kind: str,
    parent: str,
    inherited: tuple[str, ...],
    inherited_cap: Decimal | None,
) -> None:
    # Codes are matched without regard to case (a unit's file may write "ii.1"), so a fact
    # named "tc1" and a criterion "TC1" would both be asked for under one name.
    same = _names_by_fold(c).get(fold(decl.code))
    if same is not None:
        shown = "" if same == decl.code else f' ("{same}", in another case)'
        c.error(f'code "{decl.code}" is also the name of a fact or derived value{shown}', decl.code_span,
                "a judged score is given under the criterion's code, so the two must differ")
    limits = _limits(c, decl.limits, decl.code, criterion=True)
    max_, cap = limits.max, limits.cap
    if cap is not None:
        c.error("a criterion has a max, not a cap", decl.span, 'write "max N"')
    if limits.max_expr is not None:
        c.max_exprs[decl.code] = limits.max_expr
    elif max_ is None and kind != "deduction" and "open" not in limits.flags:
        if inherited_cap is None:
            c.error(f'criterion "{decl.code}" has no max', decl.code_span,
                    'add "max N" after its title, or "max open" where the document gives none')
        max_ = inherited_cap
    columns: dict[str, n.Column] = {}
    for item in decl.items:
        if not isinstance(item, n.Column):
            continue
        if item.kind == "standard":
            c.error("a row's standard part is its score rule", item.span, 'write "score …"')
        elif kind != "standard":
            c.error(f'a row of a {kind} section has no {item.kind} column of its own', item.span,
                    f"its score is already {'a bonus' if kind == 'bonus' else 'a deduction'}")
        elif item.kind in columns:
            c.error(f'criterion "{decl.code}" has more than one {item.kind} column', item.span)
        else:
            if item.cap is not None:
                c.check_number(item.cap, item.span)
            columns[item.kind] = item
    if columns:
        c.columns[decl.code] = columns
    floor = None if "signed" in limits.flags else limits.low if limits.low is not None else Decimal(0)
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
        rule=scores[0].expr.span.code() if scores else "",
        parent=parent,
        evidence=tuple(texts.get("evidence", ())), verifiers=tuple(texts.get("verifier", ())),
        notes=tuple(texts.get("note", ())),
        assumptions=inherited + tuple(texts.get("assume", ())),
        applicable=c.applicability[decl.code].span.code() if decl.code in c.applicability else None,
        span=decl.span, max_by=tuple(c.max_by.get(decl.code, {}).items()),
        floor=floor, low=limits.low, high=limits.high, counted="not counted" not in limits.flags,
        bonus=(columns["bonus"].expr.span.code(), columns["bonus"].cap) if "bonus" in columns else None,
        deduction=(columns["deduction"].expr.span.code(), columns["deduction"].cap)
        if "deduction" in columns else None,
        max_rule=limits.max_expr.span.code() if limits.max_expr is not None else None,
        defined_in=decl.span.source.name, overridden_by=tuple(s.where for s in decl.overrides),
    )
