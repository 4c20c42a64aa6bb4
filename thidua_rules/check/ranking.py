"""Pass 6: the ranking orders and the awards with their requirements."""

from __future__ import annotations

from decimal import Decimal

from ..language import nodes as n
from ..model import Award
from ..numbers import plain
from ..source import Span, fold
from ..text import suggest
from .declarations import declare_once
from .state import BOOL, NUMBER, Checker, Scope
from .types import expect, infer


def check_ranking(c: Checker) -> None:
    rankings = [d for d in c.tree.decls if isinstance(d, n.RankingDecl) and d.name is None]
    for extra in rankings[1:]:
        c.error("a ruleset has one ranking at most", extra.span,
                'name the others: ranking "theo cụm" within cum { … }')
    if rankings:
        for order in rankings[0].orders:
            expect(c, infer(c, order.expr, Scope("ranking")), NUMBER, order.expr, "a ranking key")
        c.ranking = list(rankings[0].orders)
    _named_rankings(c)
    names: dict[str, Span] = {}
    for decl in c.tree.decls:
        if not isinstance(decl, n.AwardDecl):
            continue
        declare_once(c, decl.name, decl.span, names)
        if not 1 <= decl.count <= 1_000_000:
            c.error(f'award "{decl.name}" is given to 1 to 1000000 units, not {plain(Decimal(decl.count))}',
                    decl.span)
            continue
        for req in decl.requirements:
            expect(c, infer(c, req.condition, Scope("award")), BOOL, req.condition, "an award requirement")
        award = Award(
            decl.name, decl.title, int(decl.count),
            tuple((r.condition.span.text(), r.reason) for r in decl.requirements),
        )
        c.awards.append((award, decl))


def _named_rankings(c: Checker) -> None:
    """``ranking "name" [within FACT] { … }``: unique names, keys that are numbers, a grouping
    fact with levels (a scale's, or any fact kind that lists its levels)."""
    seen: dict[str, str] = {}
    for decl in c.tree.decls:
        if not isinstance(decl, n.RankingDecl) or decl.name is None:
            continue
        key = fold(decl.name)
        if key in seen:
            c.error(f'ranking "{decl.name}" is declared twice', decl.span)
        seen.setdefault(key, decl.name)
        for order in decl.orders:
            expect(c, infer(c, order.expr, Scope("ranking")), NUMBER, order.expr, "a ranking key")
        within = decl.within
        if within is not None:
            within = _grouping_fact(c, within, decl.within_span or decl.span)
            if within is None:
                continue
        c.named_rankings.append((decl.name, within, decl.orders))


def _grouping_fact(c: Checker, name: str, span: Span) -> str | None:
    """The fact ``within NAME`` groups by: a fact with levels; ``variant`` is the header's."""
    if name not in c.facts and fold(name) == "variant" and c.header.variants is not None:
        name = c.header.variants
    spec = c.facts.get(name)
    if spec is None:
        hint = suggest(name, [*c.facts, *(["variant"] if c.header.variants else [])])
        c.error(f'unknown fact "{name}" to rank within', span, hint)
        return None
    if not spec.levels:
        c.error(f'a ranking is within the levels of a fact, and "{name}" is {spec.kind}, which has none',
                span, "group by a fact of a scale, such as: fact cum \"Cụm\": ten_scale")
        return None
    return name
