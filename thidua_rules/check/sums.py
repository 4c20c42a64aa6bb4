"""Pass 5: the sums of maxima: items to their group, sections to the total, per variant."""

from __future__ import annotations

from decimal import Decimal, localcontext
from typing import assert_never

from ..language import nodes as n
from ..model import Group, Scale, has_no_max
from ..numbers import COMPARE, EXACT, plain
from ..source import Span
from .state import Checker


def _static_truth(c: Checker, expr: n.Expr, fact: str, level: str) -> bool | None:
    """A condition's value when it reads the variant fact only; None when facts decide."""
    match expr:
        case n.Bool():
            return expr.value
        case n.Not():
            inner = _static_truth(c, expr.operand, fact, level)
            return None if inner is None else not inner
        case n.Logic():
            left = _static_truth(c, expr.left, fact, level)
            right = _static_truth(c, expr.right, fact, level)
            if expr.op == "and":
                return False if False in (left, right) else None if None in (left, right) else True
            return True if True in (left, right) else None if None in (left, right) else False
        case n.Compare():
            if c.variant_scale is None:
                return None
            sides = [(expr.left, expr.right, expr.op), (expr.right, expr.left, FLIP[expr.op])]
            for ref, other, op in sides:
                if isinstance(ref, n.Ref) and ref.name == fact and isinstance(other, n.String):
                    target = c.levels.get(id(other))
                    if target is None:
                        return None
                    scale = c.variant_scale
                    return bool(COMPARE[op](scale.rank(level), scale.rank(target)))
            return None
        case (
            n.Number() | n.String() | n.Ref() | n.Assessed() | n.SelfMax() | n.TotalRef() | n.ScoreRef()
            | n.PercentageRef() | n.ClassRef() | n.Cohort() | n.Neg() | n.Binary() | n.If() | n.Call() | n.Table()
        ):
            return None  # its value depends on the facts (or it is no condition at all)
        case _:
            assert_never(expr)


FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "=", "!=": "!="}


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
                parts = [m for m in (node_max(x) for x in _counted(c, group)) if m is not None]
                explicit = [x for x in (group.cap, group.max if group.code in _explicit_max(c) else None)
                            if x is not None]
                value = min(explicit) if explicit else _combine(group, parts)
            maxima[code] = value
            return value

        for code, group in c.groups.items():
            if group.kind == "deduction" or code in c.duplicated_in or code not in _explicit_max(c):
                continue
            top = node_max(code)
            if top is None:
                continue
            if any(_is_open(c, x) for x in _counted(c, group)):
                continue
            parts = [m for m in (node_max(x) for x in _counted(c, group)) if m is not None]
            total = _combine(group, parts)
            if total != top and (code, level) not in reported:
                reported.add((code, level))
                _sum_problem(
                    c, code,
                    f'for "{level}", the items of "{code}" add up to {plain(total)}, not its max {plain(top)}',
                    c.limit_spans.get(code, group.span),
                )
        roots = [r for r in c.roots if r in c.groups and c.groups[r].kind != "deduction" and not _is_open(c, r)]
        found = sum((m for m in (node_max(r) for r in roots) if m is not None), Decimal(0))
        declared = dict(c.header.total_by).get(level, c.header.total)
        if declared is not None and found != declared:
            _sum_problem(
                c, "", f'for "{level}", the sections add up to {plain(found)}, not the declared total '
                f"{plain(declared)}", c.tree.header.span,
            )


def _counted(c: Checker, group: Group) -> list[str]:
    """The parts whose maxima make the group's: the rows shown but not counted left out."""
    return [x for x in group.children if c.counted(x)]


def _combine(group: Group, maxima: list[Decimal]) -> Decimal:
    """The parts' maxima made into the group's: summed, or the largest for a group that
    counts one part (``best``, ``either``)."""
    if group.choose != "sum":
        return max(maxima, default=Decimal(0))
    return sum(maxima, Decimal(0))


def _is_open(c: Checker, code: str) -> bool:
    """Whether a node's maximum is no fixed number, so that no sum can be checked against it:
    it has no max (``model.has_no_max``, the one definition), or it is or adds a row whose max
    is read per unit (``max (…)``) and has no limit of its own."""
    if has_no_max(code, c.criteria, c.groups):
        return True
    if code in c.criteria:
        return c.criteria[code].max_rule is not None
    group = c.groups.get(code)
    if group is None or group.cap is not None or (group.max is not None and code in _explicit_max(c)):
        return False
    return any(_is_open(c, x) for x in _counted(c, group))


def _explicit_max(c: Checker) -> set[str]:
    """Groups whose max was written (``max N`` or ``max by``), not derived from their items."""
    return {code for code, decl in c.decls_of.items()
            if code in c.groups and any(isinstance(limit, n.Limit) and limit.kind == "max" for limit in decl.limits)}


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
        if group.max is None or any(_is_open(c, x) for x in _counted(c, group)):
            continue  # an open part: the group's max is its own, nothing to add up
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
    roots = [g for g in roots if not _is_open(c, g.code)]  # an open section adds no max
    if any(g.max is None for g in roots):
        return  # a row without a max is already reported
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
    maxima = []
    for child in _counted(c, group):
        value = c.criteria[child].max if child in c.criteria else c.groups[child].max if child in c.groups else None
        if value is None:
            return None
        maxima.append(value)
    return _combine(group, maxima)


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


def _changed_by(c: Checker, code: str) -> list[str]:
    """Where an extending ruleset changed a group's sum: its overrides, its parts' overrides, and
    the parts another file added (``file:line:col``), for a sum problem to point at its cause."""
    group = c.groups.get(code)
    nodes = [group] if group is not None else [c.groups[r] for r in c.roots if r in c.groups]
    found: list[str] = []
    for node in nodes:
        found += node.overridden_by
        for child in node.children:
            part = c.criteria.get(child) or c.groups.get(child)
            if part is None:
                continue
            found += part.overridden_by
            if part.defined_in != node.defined_in and part.span is not None:
                found.append(part.span.where)
    return list(dict.fromkeys(found))


def _sum_problem(c: Checker, code: str, message: str, span: Span | None) -> None:
    changed = _changed_by(c, code)
    if changed:
        message += f" (changed at {', '.join(changed)})"
    if code in c.gap_allowed:
        c.warn(message + f" (acknowledged: {c.gap_allowed[code]})", span)
    else:
        c.error(message, span, 'if the document has this gap, acknowledge it with: allow gap "reason"')
