"""Pass 3: the tree of sections, groups and criteria: codes, limits, variants, applicability."""

from __future__ import annotations

from decimal import Decimal

import attrs

from ..language import nodes as n
from ..model import Criterion, Group
from ..source import Span, fold
from ..text import suggest
from .state import Checker


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
        defined_in=decl.span.source.name, overridden_by=tuple(s.where for s in decl.overrides),
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
        defined_in=decl.span.source.name, overridden_by=tuple(s.where for s in decl.overrides),
    )
