"""Pass 8: the classifications: bands, conditions and quotas."""

from __future__ import annotations

from ..language import nodes as n
from ..source import Span
from ..text import suggest
from .declarations import declare_once
from .state import BOOL, NUMBER, UNKNOWN, Checker, Scope
from .types import expect, infer


def check_classify(c: Checker) -> None:
    """Bands over a number (or by conditions), their requirements and quotas."""
    names: dict[str, Span] = {}
    for decl in c.tree.decls:
        if not isinstance(decl, n.ClassifyDecl):
            continue
        declare_once(c, decl.name, decl.span, names)
        labels: list[str] = []
        for when in decl.whens:
            expect(c, infer(c, when.condition, Scope("award")), BOOL, when.condition, "a band's condition")
            if when.level.value not in labels:
                labels.append(when.level.value)
        for row in decl.rows:
            if not isinstance(row.value, n.String):
                c.error("a band names its level in quotes", row.value.span)
            elif row.value.value not in labels:
                labels.append(row.value.value)
        if decl.subject is not None:
            for when in decl.whens:
                c.error('a band by condition ("if …:") is for a classification without "by"', when.span,
                        'drop "by …", or write the band as a row such as >= 90: "level"')
            _bands_over_a_number(c, decl, decl.subject)
        else:
            _bands_by_conditions(c, decl)
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


def _bands_over_a_number(c: Checker, decl: n.ClassifyDecl, subject: n.Expr) -> None:
    """``by NUMBER { ROW: "level" … }``: a tier table whose values are the levels."""
    infer(c, n.Table(subject, decl.rows, decl.span), Scope("award"))
    found = c.types.get(id(subject))
    if found is not None and found not in (NUMBER, UNKNOWN):
        c.error(f"bands are over a number, not {found}", subject.span)


def _bands_by_conditions(c: Checker, decl: n.ClassifyDecl) -> None:
    """No ``by``: ``if C: "level"`` bands, the first that holds decides, then at most one
    ``otherwise: "level"``, last; a unit no band takes is not classified."""
    for row in decl.rows:
        if not isinstance(row.pattern, n.POtherwise):
            c.error('without "by", a band is "if CONDITION: level" or "otherwise: level"', row.span,
                    'classify over a number with: classify NAME by total { … }')
    others = [row for row in decl.rows if isinstance(row.pattern, n.POtherwise)]
    for extra in others[1:]:
        c.error("a classification has one otherwise band at most", extra.span)
    last_when = max(((w.span.line, w.span.column) for w in decl.whens), default=None)
    for row in others[:1]:
        if last_when is not None and (row.span.line, row.span.column) < last_when:
            c.error('"otherwise" is the last band', row.span)
