"""Pass 9: which facts are required: no default, not optional, always read by some rule."""

from __future__ import annotations

import attrs

from ..language import nodes as n
from .state import Checker, refs, unconditional, under_condition


def check_required(c: Checker) -> None:
    """A fact is required when it has no default, is not optional, and some rule always reads it."""
    roots: list[n.Expr] = [
        expr for code, expr in c.rules.items() if not under_condition(c, code)
    ]
    roots += [col.expr for code, cols in c.columns.items() if not under_condition(c, code) for col in cols.values()]
    roots += [expr for code, expr in c.max_exprs.items() if not under_condition(c, code)]
    roots += [expr for code, expr in c.applicability.items() if not under_condition(c, c.parent_of(code))]
    roots += [o.expr for o in c.ranking]
    roots += [o.expr for _, _, orders in c.named_rankings for o in orders]
    roots += [r.condition for _, decl in c.awards for r in decl.requirements]
    # Not the classifications': a fact only they read is demanded by classify, never by evaluate.
    always: set[str] = set()
    for expr in roots:
        always |= unconditional(expr)
    pending = [name for name in always if name in c.lets]
    while pending:
        name = pending.pop()
        for ref in unconditional(c.lets[name].expr):
            if ref not in always:
                always.add(ref)
                if ref in c.lets:
                    pending.append(ref)
    used: set[str] = set()
    for expr in [*c.rules.values(), *c.applicability.values(), *(o.expr for o in c.ranking),
                 *(r.condition for _, d in c.awards for r in d.requirements),
                 *(r.condition for d, _ in c.classifications for r in d.rules if r.condition is not None),
                 *(w.condition for d, _ in c.classifications for w in d.whens),
                 *(d.expr for d in c.lets.values()), *c.max_exprs.values(),
                 *(col.expr for cols in c.columns.values() for col in cols.values())]:
        used |= refs(expr)
    for _, within, orders in c.named_rankings:
        used |= {within} if within is not None else set()
        for order in orders:
            used |= refs(order.expr)
    if c.header.variants is not None:
        used.add(c.header.variants)  # it picks each unit's maxima
    for name, spec in c.facts.items():
        if name not in used and spec.kind != "category":  # a category may only group units (reports)
            c.warn(f'fact "{name}" is never used', spec.span)
        required = spec.default is None and spec.required and name in always
        if required != spec.required:
            c.facts[name] = attrs.evolve(spec, required=required)
