"""The last step: the passes' state to the frozen ``CheckedRuleset`` evaluation reads.

What the type pass learned of an expression (the level a string names, the scale two levels
are compared on) is written onto the expression itself, so nothing downstream looks it up in a
table keyed by node identity.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, TypeVar, assert_never, cast

import attrs

from ..language import nodes as n
from ..model import CheckedRuleset, Classify, FactSpec, Formula, Let, RankingSpec
from ..numbers import ZERO
from .state import Checker

K = TypeVar("K")
V = TypeVar("V")
E = TypeVar("E")


def _frozen(mapping: Mapping[K, V]) -> Mapping[K, V]:
    return MappingProxyType(dict(mapping))


_FIELDS: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(field.name for field in attrs.fields(cls))
    return names


class _Resolver:
    """Rebuilds expressions with the checker's findings on them (shared parts rebuilt once)."""

    def __init__(self, c: Checker) -> None:
        self.c = c
        self.done: dict[int, Any] = {}

    def __call__(self, node: E) -> E:
        key = id(node)
        made = self.done.get(key)
        if made is None:
            made = self.done[key] = self._rebuild(node)
        return made  # type: ignore[no-any-return]

    def _scale(self, *exprs: object) -> str | None:
        for expr in exprs:
            found = self.c.types.get(id(expr))
            if found is not None and found.kind == "level":
                return found.scale
        return None

    def _rebuild(self, node: Any) -> Any:
        # A node whose parts and findings are all unchanged is kept as it is (nodes are frozen):
        # most nodes of a large ruleset (numbers, names, plain sums) need no copy.
        changes: dict[str, Any] = {}
        for name in _field_names(type(node)):
            value = getattr(node, name)
            if isinstance(value, n.NODE_TYPES):
                made = self(value)
                if made is not value:
                    changes[name] = made
            elif isinstance(value, tuple) and any(isinstance(item, n.NODE_TYPES) for item in value):
                items = tuple(self(item) if isinstance(item, n.NODE_TYPES) else item for item in value)
                if any(new is not old for new, old in zip(items, value, strict=True)):
                    changes[name] = items
        if isinstance(node, n.EXPR_TYPES):
            for name, found in self._resolved(cast(n.Expr, node)).items():
                if getattr(node, name) != found:
                    changes[name] = found
        return attrs.evolve(node, **changes) if changes else node

    def _resolved(self, expr: n.Expr) -> dict[str, Any]:
        """What the checks learned of ``expr`` that evaluation needs, as the fields to set."""
        match expr:
            case n.String():
                level = self.c.levels.get(id(expr))
                return {"level": level} if level is not None else {}
            case n.Compare():
                return {"scale": self._scale(expr.left, expr.right)}
            case n.Table():
                return {"scale": self._scale(expr.subject)}
            case (
                n.Number() | n.Bool() | n.Ref() | n.Assessed() | n.SelfMax() | n.TotalRef() | n.ScoreRef()
                | n.PercentageRef() | n.ClassRef() | n.Cohort() | n.Neg() | n.Binary() | n.Logic() | n.Not() | n.If()
                | n.Call()
            ):
                return {}  # nothing resolved beyond its parts
            case _:
                assert_never(expr)


def build(c: Checker) -> CheckedRuleset:
    """The frozen model of a ruleset whose passes found no error."""
    resolve = _Resolver(c)
    rules = {code: resolve(expr) for code, expr in c.rules.items()}
    applicability = {code: resolve(expr) for code, expr in c.applicability.items()}
    lets = {name: Let(name, c.lets[name].label, resolve(c.lets[name].expr)) for name in c.let_order}
    facts = dict(c.facts)
    for name, code in c.judged_by.items():  # assessed as NAME: that fact is the judged score
        crit = c.criteria[code]
        spec = facts[name]
        high = crit.max if spec.high is None or crit.max is None else min(spec.high, crit.max)
        low = ZERO if spec.low is None else max(spec.low, ZERO)
        facts[name] = attrs.evolve(spec, criterion=code, low=low, high=high)
    for code, crit in c.criteria.items():
        if code in rules and any(isinstance(node, n.Assessed) and node.name is None for node in n.walk(rules[code])):
            facts[code] = FactSpec(
                name=code, kind="assessed", label=f"Điểm chấm tiêu chí {code}: {crit.title}",
                low=ZERO, high=crit.max, required=code in c.unconditional_assessed,
                criterion=code, span=crit.span,
            )
    columns = {code: _frozen({kind: resolve(col) for kind, col in cols.items()}) for code, cols in c.columns.items()}
    max_exprs = {code: resolve(expr) for code, expr in c.max_exprs.items()}
    formulas = {
        name: Formula(name, decl.label, tuple(p for p, _ in c.formula_params[name]),
                      tuple(t.scale or t.kind if t.kind in ("level", "category")
                            else {"bool": "boolean"}.get(t.kind, t.kind) for _, t in c.formula_params[name]),
                      resolve(decl.expr), decl.span)
        for name, decl in c.formulas.items()
    }
    read = [*rules.values(), *applicability.values(), *(let.expr for let in lets.values()),
            *(col.expr for cols in columns.values() for col in cols.values()), *max_exprs.values(),
            *(formula.expr for formula in formulas.values())]
    constants = frozenset(node.value for root in read for node in n.walk(root) if isinstance(node, n.Number))
    classifications = tuple(
        Classify(decl.name, decl.title, resolve(decl.subject) if decl.subject is not None else None,
                 tuple(resolve(row) for row in decl.rows), tuple(resolve(rule) for rule in decl.rules), labels,
                 decl.span, tuple(resolve(when) for when in decl.whens))
        for decl, labels in c.classifications
    )
    return CheckedRuleset(
        header=c.header,
        warnings=tuple(d for d in c.diagnostics if d.severity == "warning"),
        facts=_frozen(facts),
        lets=_frozen(lets),
        derived=_frozen(c.derived),
        criteria=_frozen(c.criteria),
        groups=_frozen(c.groups),
        roots=tuple(c.roots),
        rules=_frozen(rules),
        columns=_frozen(columns),
        max_exprs=_frozen(max_exprs),
        order=tuple(c.order) or tuple(c.roots),
        applicability=_frozen(applicability),
        scales=_frozen(c.scales),
        max_by=_frozen({code: _frozen(by) for code, by in c.max_by.items()}),
        rounds=c.rounds,
        final_round=c.final_round,
        awards=tuple((award, tuple(resolve(r) for r in decl.requirements)) for award, decl in c.awards),
        ranking=tuple(resolve(order) for order in c.ranking),
        cohorts=_frozen({key: resolve(node) for key, node in c.cohorts.items()}),
        cohort_users=_frozen({key: frozenset(users) for key, users in c.cohort_users.items()}),
        rollup=c.rollup,
        classifications=classifications,
        constants=constants,
        rankings=tuple(RankingSpec(name, within, tuple(resolve(o) for o in orders))
                       for name, within, orders in c.named_rankings),
        rollups=_frozen(c.rollups),
        cohort_scores=_frozen(c.cohort_scores),
        cohort_levels=_frozen(c.cohort_levels),
        class_cohorts=_frozen(c.class_cohorts),
        formulas=_frozen(formulas),
        categories=_frozen(c.categories),
    )


