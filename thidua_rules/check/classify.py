"""Pass 8: the classifications: bands, conditions and quotas."""

from __future__ import annotations

from ..language import nodes as n
from ..source import Span
from ..text import suggest
from .declarations import declare_once
from .state import BOOL, NUMBER, UNKNOWN, Checker, Scope
from .types import expect, infer


def check_classify(c: Checker) -> None:
    """Bands over the total or percentage, their conditions and quotas."""
    names: dict[str, Span] = {}
    for decl in c.tree.decls:
        if not isinstance(decl, n.ClassifyDecl):
            continue
        declare_once(c, decl.name, decl.span, names)
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
                expect(c, infer(c, rule.condition, Scope("award")), BOOL, rule.condition, "a condition")
            if rule.level is not None and rule.level not in labels:
                c.error(f'"{rule.level}" is not a band of "{decl.name}"', rule.span, suggest(rule.level, labels))
            if rule.kind == "quota" and rule.amount is not None and (
                rule.amount < 0 or (rule.percent and rule.amount > 100)
                or (not rule.percent and rule.amount != rule.amount.to_integral_value())
            ):
                c.error("a quota is a whole number of units, or a percentage from 0 to 100", rule.span)
        c.classifications.append((decl, tuple(labels)))
