"""Pass 6: the ranking orders and the awards with their requirements."""

from __future__ import annotations

from decimal import Decimal

from ..language import nodes as n
from ..model import Award
from ..numbers import plain
from ..source import Span
from .declarations import declare_once
from .state import BOOL, NUMBER, Checker, Scope
from .types import expect, infer


def check_ranking(c: Checker) -> None:
    rankings = [d for d in c.tree.decls if isinstance(d, n.RankingDecl)]
    for extra in rankings[1:]:
        c.error("a ruleset has one ranking at most", extra.span)
    if rankings:
        for order in rankings[0].orders:
            expect(c, infer(c, order.expr, Scope("ranking")), NUMBER, order.expr, "a ranking key")
        c.ranking = list(rankings[0].orders)
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
