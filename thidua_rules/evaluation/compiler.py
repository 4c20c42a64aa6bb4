"""Checked ruleset to evaluation tree: every expression becomes a closure over a ``Ctx``.

The closures record trace steps only when ``ctx.trace`` is a list, so one compiled tree serves
both the traced and the untraced evaluation.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any, assert_never

import attrs

from ..errors import EvaluationError
from ..language import nodes as n
from ..language.builtins import FUNCTIONS, rounding_step
from ..model import CheckedRuleset, Classify, Criterion, Group, has_no_max, written_name
from ..numbers import ARITHMETIC, COMPARE, divide, plain
from ..source import fold
from .result import Step, Value
from .runtime import CohortNeeded, Ctx, MissingFact, NotScored
from .semantics import group_limit, read_max, unit_max

Fn = Callable[[Ctx], Value]
ZERO = Decimal(0)


def class_ref(name: str) -> Fn:
    """A unit's level in the classification ``name``, as reports.cohort puts it in the values
    (``class_key``) before it computes an aggregate that reads levels."""
    key = class_key(name)

    def level(ctx: Ctx) -> Value:
        try:
            return ctx.values[key]
        except KeyError:
            raise MissingFact(key) from None

    return level


def class_key(name: str) -> str:
    """Where a unit's level in classification ``name`` sits in the values an aggregate reads."""
    return f"class({name})"


@attrs.frozen
class CNode:
    """A node of the evaluation tree: a criterion (with a rule) or a group (with children)."""

    code: str
    title: str | None
    kind: str
    max: Decimal | None
    cap: Decimal | None
    rule: Fn | None
    applicable: Fn | None
    children: tuple[CNode, ...]
    assumptions: tuple[str, ...]
    #: Maxima per variant of unit, and the fact that picks the variant.
    max_by: Mapping[str, Decimal] | None = None
    variant: str | None = None
    #: What a row's rule is raised to (0 unless ``signed`` or ``at least``), and any node's bounds.
    floor: Decimal | None = ZERO
    low: Decimal | None = None
    high: Decimal | None = None
    #: Whether its parent adds it (``not counted``: shown only).
    counted: bool = True
    #: A group's choice among its parts: ``sum``, ``best`` or ``either``.
    choose: str = "sum"
    #: A row's own bonus and deduction columns: (rule, cap, rule text).
    bonus: tuple[Fn, Decimal | None, str] | None = None
    deduction: tuple[Fn, Decimal | None, str] | None = None
    #: A max read from the unit's facts (``max (…)``).
    max_fn: Fn | None = None
    #: Whether it carries columns (``Result`` shows main, bonus, deduction and adjustment): it has
    #: row columns or bounds, or holds a counted node that does.
    columnar: bool = False
    #: Whether it has no max: an open row, or a group without a limit over a counted open part.
    open: bool = False
    #: Provenance (``NodeResult.defined_in``, ``overridden_by``), set for an extending ruleset.
    defined_in: str | None = None
    overridden_by: tuple[str, ...] = ()

    @property
    def bounded(self) -> bool:
        return self.low is not None or self.high is not None

    def top(self, ctx: Ctx) -> Decimal | None:
        """This unit's max: read from its facts, or its variant's when it depends on the variant."""
        if self.max_fn is not None:
            value = self.max_fn(ctx)
            assert isinstance(value, Decimal)
            return read_max(value)
        if self.max_by is None or self.variant is None:
            return self.max
        try:
            level = ctx.values[self.variant]
        except KeyError:
            raise MissingFact(self.variant, self.code) from None
        return unit_max(self.max, self.max_by, level)

    @property
    def is_criterion(self) -> bool:
        return self.rule is not None

    def limit(self, ctx: Ctx) -> Decimal | None:
        """What a group's sum is cut at: the smaller of its cap and (this unit's) max."""
        return group_limit(self.cap, self.top(ctx))

    def walk(self) -> Iterator[CNode]:
        """This node and every node under it, in sheet order."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))


@attrs.frozen
class Program:
    roots: tuple[CNode, ...]
    ranking: tuple[tuple[str, Fn, str], ...]  # direction, key, source text
    requirements: Mapping[str, tuple[tuple[Fn, str, str], ...]]  # award -> (test, text, reason)
    cohorts: Mapping[str, tuple[str, Fn | None]]  # key -> (aggregate, per-unit value)
    classes: Mapping[str, ClassPlan] = attrs.field(factory=dict)
    #: Where each aggregate is read (criterion codes; None: outside any criterion).
    cohort_users: Mapping[str, frozenset[str | None]] = attrs.field(factory=dict)
    #: Each node's applicability tests, its own and its ancestors'.
    chains: Mapping[str, tuple[Fn, ...]] = attrs.field(factory=dict)
    #: The named rankings: name -> (the grouping fact or None, the keys as ``ranking``).
    rankings: Mapping[str, tuple[str | None, tuple[tuple[str, Fn, str], ...]]] = attrs.field(factory=dict)
    #: Each aggregate's ``where``: the test a unit must pass to take part (issue 13).
    cohort_where: Mapping[str, Fn] = attrs.field(factory=dict)
    #: The aggregates of units' scores: the criteria their value and their ``where`` read.
    cohort_scores: Mapping[str, tuple[frozenset[str], frozenset[str]]] = attrs.field(factory=dict)


@attrs.frozen
class ClassPlan:
    """A compiled classification: the band table, its levels best first, and its rules."""

    name: str
    title: str | None
    bands: Fn
    levels: tuple[str, ...]
    rules: tuple[tuple[str, Fn | None, str | None, Decimal | None, bool, str], ...]
    by_percentage: bool = False
    #: Per rule: whether it is ``onward`` (once failed in a period, failed in every later one).
    onward: tuple[bool, ...] = ()
    #: Whether the bands are over a number (``by …``), not by conditions.
    by_number: bool = True


class NoPercentage(Exception):
    """Raised when a rule reads the percentage of a unit to which nothing applies: it has none.

    Caught by the ranking (the key has no value and sorts last), the awards (the requirement
    fails, with the reason) and the classification (not classified, or the requirement fails)."""


def exact_percentage(ctx: Ctx) -> Value:
    """The unit's total as a percentage of its applicable max, unrounded (``Result.percentage``
    is rounded for display): rankings and bands compare the exact value."""
    result = ctx.result
    applicable_max = result.applicable_max  # type: ignore[attr-defined]
    if applicable_max == 0:
        raise NoPercentage  # None would reach arithmetic and comparisons as a Python error
    return ARITHMETIC.divide(ARITHMETIC.multiply(result.total, 100), applicable_max)  # type: ignore[attr-defined]


class Compiler:
    """Compiles one checked ruleset; reads the checker's types and resolved levels."""

    def __init__(self, checked: CheckedRuleset) -> None:
        self.c = checked
        self.facts = checked.facts
        self.lets: dict[str, Fn] = {}
        self.rounding = Decimal(1).scaleb(-checked.header.rounding)
        self.canonical = {fold(code): code for code in (*checked.criteria, *checked.groups)}
        #: While a formula's body is compiled: the position of each parameter among its arguments.
        self.params: dict[str, int] | None = None
        self.bodies: dict[str, Fn] = {}

    def program(self) -> Program:
        for let in self.c.lets.values():
            self.lets[let.name] = self.expr(let.expr, None)
        roots = tuple(self.node(code) for code in self.c.roots)
        ranking = tuple((o.direction, self.expr(o.expr, None), o.expr.span.code()) for o in self.c.ranking)
        requirements = {
            award.name: tuple(
                (self.expr(r.condition, None), r.condition.span.code(), r.reason) for r in requirements
            )
            for award, requirements in self.c.awards
        }
        cohorts = {
            key: (node.func, self.expr(node.arg, None) if node.arg is not None else None)
            for key, node in self.c.cohorts.items()
        }
        classes = {
            decl.name: ClassPlan(
                decl.name, decl.title, self.bands(decl), decl.levels,
                tuple(
                    (r.kind, self.expr(r.condition, None) if r.condition is not None else None,
                     r.level, r.amount, r.percent, r.reason)
                    for r in decl.rules
                ),
                isinstance(decl.subject, n.PercentageRef),
                tuple(r.onward for r in decl.rules),
                decl.subject is not None,
            )
            for decl in self.c.classifications
        }
        chains: dict[str, tuple[Fn, ...]] = {}

        def chain(node: CNode, above: tuple[Fn, ...]) -> None:
            mine = (*above, node.applicable) if node.applicable is not None else above
            chains[node.code] = mine
            for child in node.children:
                chain(child, mine)

        for root in roots:
            chain(root, ())
        rankings = {
            spec.name: (spec.within, tuple((o.direction, self.expr(o.expr, None), o.expr.span.code())
                                           for o in spec.orders))
            for spec in self.c.rankings
        }
        cohort_where = {key: self.expr(node.where, None) for key, node in self.c.cohorts.items()
                        if node.where is not None}
        return Program(roots, ranking, requirements, cohorts, classes, self.c.cohort_users, chains, rankings,
                       cohort_where, self.c.cohort_scores)

    def bands(self, decl: Classify) -> Fn:
        """A classification's band: the table over its number, or the first band by condition
        that holds (then the otherwise band; ``""`` when no band takes the unit)."""
        if decl.subject is not None:
            return self.expr(n.Table(decl.subject, decl.rows, decl.span), None)
        whens = tuple((self.expr(w.condition, None), w.level.value) for w in decl.whens)
        otherwise = str(decl.rows[0].value.value) if decl.rows and isinstance(decl.rows[0].value, n.String) else ""

        def by_conditions(ctx: Ctx) -> Value:
            for test, level in whens:
                if test(ctx):
                    return level
            return otherwise

        return by_conditions

    def node(self, code: str) -> CNode:
        applicable = self.c.applicability.get(code)
        cond = self.expr(applicable, None) if applicable is not None else None
        max_by = dict(self.c.max_by[code]) if code in self.c.max_by else None
        variant = self.c.header.variants if max_by else None
        if code in self.c.criteria:
            crit = self.c.criteria[code]
            rule = self.expr(self.c.rules[code], code)
            columns = self.c.columns.get(code, {})
            made = {
                kind: (self.expr(col.expr, code), col.cap, col.expr.span.code()) for kind, col in columns.items()
            }
            max_expr = self.c.max_exprs.get(code)
            # A row without columns is raised to its floor (its "at least N") before its max, so
            # that bound has nothing left to do: not kept, the row is a plain one (its trace's
            # "raised to N", the scaled path), exactly as a row with the default floor 0. Kept
            # where this unit's max may be below N (read from the facts, or a variant's): there
            # the bound still acts after the cap.
            plain_max = max_expr is None and max_by is None
            low = None if not made and plain_max and crit.low == crit.floor else crit.low
            return CNode(
                code, crit.title, crit.kind, crit.max, None, rule, cond, (), crit.assumptions, max_by, variant,
                floor=crit.floor, low=low, high=crit.high, counted=crit.counted,
                bonus=made.get("bonus"), deduction=made.get("deduction"),
                max_fn=self.expr(max_expr, code) if max_expr is not None else None,
                columnar=bool(made) or low is not None or crit.high is not None,
                open=has_no_max(code, self.c.criteria, self.c.groups), **self.provenance(crit),
            )
        group = self.c.groups[code]
        children = tuple(self.node(child) for child in group.children)
        columnar = group.low is not None or group.high is not None or any(
            child.columnar and child.counted for child in children)
        return CNode(code, group.title, group.kind, group.max, group.cap, None, cond, children,
                     group.assumptions, max_by, variant, low=group.low, high=group.high,
                     counted=group.counted, choose=group.choose, columnar=columnar,
                     open=has_no_max(code, self.c.criteria, self.c.groups),  # one definition (model)
                     **self.provenance(group))

    def provenance(self, spec: Criterion | Group) -> dict[str, Any]:
        """Where a node was defined and overridden, when the ruleset extends another."""
        if not self.extended:
            return {}
        return {"defined_in": spec.defined_in, "overridden_by": spec.overridden_by}

    @functools.cached_property
    def extended(self) -> bool:
        """Whether the nodes come from more than one file, or any was overridden."""
        specs: list[Criterion | Group] = [*self.c.criteria.values(), *self.c.groups.values()]
        return len({s.defined_in for s in specs}) > 1 or any(s.overridden_by for s in specs)

    # ------------------------------------------------------------ expressions
    def expr(self, e: n.Expr, code: str | None) -> Fn:
        text = e.span.code()
        match e:
            case n.Number() | n.Bool():
                constant: Value = e.value
                return lambda ctx: constant
            case n.String():
                level = e.level if e.level is not None else e.value  # a scale level, or a band's name
                return lambda ctx: level
            case n.Ref():
                if self.params is not None:
                    return self.param(self.params[e.name])
                return self.ref(e.name, code)
            case n.Assessed():
                assert code is not None
                return self.assessed(code, e.name)
            case n.SelfMax():
                assert code is not None
                return self.self_max(code)
            case n.Cohort():
                return self.cohort(e, text)
            case n.PercentageRef():
                return exact_percentage
            case n.TotalRef():
                return lambda ctx: ctx.result.total  # type: ignore[attr-defined]
            case n.ClassRef():  # issue 13 item 15: only in a cohort aggregate (reports.cohort sets it)
                return class_ref(e.name)
            case n.ScoreRef():
                return self.score_ref(e, text)
            case n.Neg():
                return self.neg(e, code, text)
            case n.Binary():
                return self.binary(e, code, text)
            case n.Compare():
                return self.compare(e, code, text)
            case n.Logic():
                return self.logic(e, code, text)
            case n.Not():
                return self.not_(e, code, text)
            case n.If():
                return self.if_(e, code, text)
            case n.Call():
                if e.func in self.c.formulas:
                    return self.formula(e, code, text)
                return self.call(e, code, text)
            case n.Table():
                return self.table(e, code, text)
            case _:
                assert_never(e)

    def score_ref(self, e: n.ScoreRef, text: str) -> Fn:
        """Another node's score: 0 when it does not apply. In a rule the walk's results so far
        (the checker ordered the sections so it is done), in a ranking the unit's result."""
        wanted = self.canonical.get(fold(e.code), e.code)

        def score(ctx: Ctx) -> Value:
            try:
                value = ctx.result[wanted].score  # type: ignore[index]
            except KeyError:  # not scored: a fact it needs is missing (and reported)
                raise NotScored(wanted) from None
            if ctx.trace is not None:
                ctx.trace.append(Step("score", text, (), value, wanted))
            return value if value is not None else ZERO

        return score
    # ------------------------------------------------------------ formulas
    @staticmethod
    def param(index: int) -> Fn:
        return lambda ctx: ctx.frames[-1][index]

    def body(self, name: str) -> Fn:
        """A formula's body, compiled once; its parameters read the innermost frame of arguments."""
        made = self.bodies.get(name)
        if made is None:
            formula = self.c.formulas[name]
            saved, self.params = self.params, {p: i for i, p in enumerate(formula.params)}
            try:
                made = self.bodies[name] = self.expr(formula.expr, None)
            finally:
                self.params = saved
        return made

    def formula(self, e: n.Call, code: str | None, text: str) -> Fn:
        args = [self.expr(a, code) for a in e.args]
        saved, self.params = self.params, None
        body = self.body(e.func)
        self.params = saved
        formula = self.c.formulas[e.func]
        label = f" ({formula.label})" if formula.label else ""

        def call(ctx: Ctx) -> Value:
            xs = tuple(a(ctx) for a in args)
            trace = ctx.trace
            at = len(trace) if trace is not None else 0
            ctx.frames.append(xs)
            try:
                value = body(ctx)
            finally:
                ctx.frames.pop()
            if trace is not None:  # the call's step first, then the working of its body
                shown = ", ".join(f"{p} = {_shown(x)}" for p, x in zip(formula.params, xs, strict=True))
                trace.insert(at, Step("formula", text, xs, value, f"{formula.name}({shown}){label}"))
            return value

        return call

    def self_max(self, code: str) -> Fn:
        if code in self.c.max_exprs:
            read = self.expr(self.c.max_exprs[code], code)

            def read_unit_max(ctx: Ctx) -> Value:
                value = read(ctx)
                assert isinstance(value, Decimal)
                return read_max(value)

            return read_unit_max
        top = self.c.criteria[code].max
        assert top is not None
        if code in self.c.max_by and self.c.header.variants is not None:
            by, variant = self.c.max_by[code], self.c.header.variants

            def variant_max(ctx: Ctx) -> Value:
                try:
                    return by[str(ctx.values[variant])]
                except KeyError:
                    raise MissingFact(variant, code) from None

            return variant_max
        return lambda ctx: top

    def neg(self, e: n.Neg, code: str | None, text: str) -> Fn:
        inner = self.expr(e.operand, code)

        def neg(ctx: Ctx) -> Value:
            operand = inner(ctx)
            assert isinstance(operand, Decimal)
            value = -operand
            if ctx.trace is not None:
                ctx.trace.append(Step("-", text, (), value))
            return value

        return neg

    def not_(self, e: n.Not, code: str | None, text: str) -> Fn:
        operand = self.expr(e.operand, code)

        def not_(ctx: Ctx) -> Value:
            value = not operand(ctx)
            if ctx.trace is not None:
                ctx.trace.append(Step("not", text, (not value,), value))
            return value

        return not_

    def ref(self, name: str, code: str | None) -> Fn:
        if name in self.lets:
            let = self.lets[name]
            label = self.c.lets[name].label or ""
            written = written_name(name)  # a local let is shown by the name its node wrote

            def derived(ctx: Ctx) -> Value:
                cached = ctx.lets.get(name)
                if cached is None:
                    saved_trace, saved_inputs, saved_shown = ctx.trace, ctx.inputs, ctx.shown
                    ctx.trace = [] if saved_trace is not None else None
                    ctx.inputs = {}
                    ctx.shown = (ctx.trace, set())
                    try:
                        value = let(ctx)
                        cached = (value, tuple(ctx.trace or ()), ctx.inputs, frozenset(ctx.shown[1]))
                    except MissingFact as error:
                        raise MissingFact(error.name, error.code or code) from None
                    finally:
                        ctx.trace, ctx.inputs, ctx.shown = saved_trace, saved_inputs, saved_shown
                    ctx.lets[name] = cached
                value, steps, inputs, inside = cached
                if ctx.trace is not None:
                    trace_of, shown = ctx.shown
                    if trace_of is not ctx.trace:  # a new trace (another node): nothing shown yet
                        shown = set()
                        ctx.shown = (ctx.trace, shown)
                    if name not in shown:  # its working once per trace; a second read names it
                        ctx.trace.extend(steps)
                        ctx.inputs.update(inputs)
                        shown.update(inside)
                        shown.add(name)
                    ctx.inputs[written] = value
                    ctx.trace.append(Step("derived", written, (), value, label))
                return value

            return derived
        label = self.facts[name].label

        def fact(ctx: Ctx) -> Value:
            try:
                value = ctx.values[name]
            except KeyError:
                raise MissingFact(name, code) from None
            if ctx.trace is not None:
                ctx.inputs[name] = value
                rule = "default" if name in ctx.defaults else "fact"
                ctx.trace.append(Step(rule, name, (), value, label))
            return value

        return fact

    def cohort(self, e: n.Cohort, text: str) -> Fn:
        key = e.key

        def cohort(ctx: Ctx) -> Value:
            if ctx.cohort is None:
                raise CohortNeeded(key)
            try:
                value, note = ctx.cohort[key]
            except KeyError:
                raise CohortNeeded(key) from None
            if ctx.trace is not None:
                ctx.trace.append(Step("cohort", text, (), value, note))
            return value

        return cohort

    def assessed(self, code: str, name: str | None = None) -> Fn:
        key = name if name is not None else code  # "assessed as NAME": the judged score is that fact
        shown = "assessed" if name is None else f"assessed as {name}"

        def assessed(ctx: Ctx) -> Value:
            try:
                value = ctx.values[key]
            except KeyError:
                raise MissingFact(key, code) from None
            if ctx.trace is not None:
                ctx.inputs[key] = value
                ctx.trace.append(Step("assessed", shown, (), value, f"judged score of {code}"))
            return value

        return assessed

    def binary(self, e: n.Binary, code: str | None, text: str) -> Fn:
        left, right = self.expr(e.left, code), self.expr(e.right, code)
        op = e.op
        where = e.span.where
        places = self.c.header.rounding

        def arith(ctx: Ctx) -> Value:
            a, b = left(ctx), right(ctx)
            assert isinstance(a, Decimal) and isinstance(b, Decimal)
            note = ""
            if op == "+":
                value = ARITHMETIC.add(a, b)
            elif op == "-":
                value = ARITHMETIC.subtract(a, b)
            elif op == "*":
                value = ARITHMETIC.multiply(a, b)
            else:
                if b == 0:
                    raise EvaluationError(f"{where}: division by zero in {text!r} (criterion {code})")
                value, rounded = divide(a, b, places)
                if rounded:  # the quotient does not terminate
                    note = f"rounded half up to {places} decimal places (ruleset rounding)"
            if ctx.trace is not None:
                ctx.trace.append(Step(op, text, (a, b), value, note))
            return value

        return arith

    def compare(self, e: n.Compare, code: str | None, text: str) -> Fn:
        left, right = self.expr(e.left, code), self.expr(e.right, code)
        op = e.op
        if e.scale is not None:
            ranks = self.c.scales[e.scale].ranks
            key: Callable[[Value], object] = lambda v: ranks[v]  # type: ignore[index]  # noqa: E731
        else:
            key = lambda v: v  # noqa: E731
        test = COMPARE[op]

        def compare(ctx: Ctx) -> Value:
            a, b = left(ctx), right(ctx)
            value = test(key(a), key(b))
            if ctx.trace is not None:
                ctx.trace.append(Step("compare", text, (a, b), value, op))
            return value

        return compare

    def logic(self, e: n.Logic, code: str | None, text: str) -> Fn:
        left, right = self.expr(e.left, code), self.expr(e.right, code)
        is_and = e.op == "and"

        def logic(ctx: Ctx) -> Value:
            a = left(ctx)
            if bool(a) != is_and:  # short circuit: false and …, true or …
                value: Value = a
                operands: tuple[Value | None, ...] = (a, None)
            else:
                b = right(ctx)
                value, operands = b, (a, b)
            if ctx.trace is not None:
                ctx.trace.append(Step(e.op, text, operands, value))
            return value

        return logic

    def if_(self, e: n.If, code: str | None, text: str) -> Fn:
        cond = self.expr(e.cond, code)
        then, otherwise = self.expr(e.then, code), self.expr(e.otherwise, code)

        def if_(ctx: Ctx) -> Value:
            chosen = bool(cond(ctx))
            value = then(ctx) if chosen else otherwise(ctx)
            if ctx.trace is not None:
                ctx.trace.append(Step("if", text, (chosen,), value, "then" if chosen else "else"))
            return value

        return if_

    def call(self, e: n.Call, code: str | None, text: str) -> Fn:
        args = [self.expr(a, code) for a in e.args]
        func = FUNCTIONS[e.func]
        impl = func.run
        if func.rounding is not None:
            step = rounding_step(e.args)
            first = args[0]
            note = f"{-step.as_tuple().exponent} decimal places"  # type: ignore[operator]

            def rounder(ctx: Ctx) -> Value:
                x = first(ctx)
                value = impl(x, step)
                if ctx.trace is not None:
                    ctx.trace.append(Step(e.func, text, (x,), value, note))
                return value

            return rounder

        def call(ctx: Ctx) -> Value:
            xs = [a(ctx) for a in args]
            value = impl(*xs)
            if ctx.trace is not None:
                ctx.trace.append(Step(e.func, text, tuple(xs), value))
            return value

        return call

    def table(self, e: n.Table, code: str | None, text: str) -> Fn:
        subject = self.expr(e.subject, code)
        ranks: Mapping[str, int] | None = self.c.scales[e.scale].ranks if e.scale is not None else None
        rows: list[tuple[Callable[[Value], bool], Fn, str]] = []
        for row in e.rows:
            rows.append((self.matcher(row.pattern, ranks), self.expr(row.value, code), row.pattern.span.code()))
        where = e.span.where

        def table(ctx: Ctx) -> Value:
            x = subject(ctx)
            for index, (matches, value_fn, label) in enumerate(rows, 1):
                if matches(x):
                    value = value_fn(ctx)
                    if ctx.trace is not None:
                        ctx.trace.append(Step("table", text, (x,), value, f"row {index}: {label}"))
                    return value
            raise EvaluationError(f"{where}: no row of the table matches {x!r} (criterion {code})")

        return table

    def matcher(self, p: n.Pattern, ranks: Mapping[str, int] | None) -> Callable[[Value], bool]:
        match p:
            case n.POtherwise():
                return lambda x: True
            case n.PRange():
                low = p.low.value if p.low is not None else None
                high = p.high.value if p.high is not None else None
                return lambda x: (low is None or x >= low) and (high is None or x <= high)  # type: ignore[operator]
            case n.PCompare() | n.PEqual():
                test = COMPARE[p.op if isinstance(p, n.PCompare) else "="]
                if isinstance(p.value, n.String):
                    assert ranks is not None
                    assert p.value.level is not None
                    target = ranks[p.value.level]
                    return lambda x: test(ranks[x], target)  # type: ignore[index]  # a level of this scale
                constant = p.value.value
                return lambda x: test(x, constant)
            case _:
                assert_never(p)


def _shown(value: Value) -> str:
    """An argument's value in a formula step's note."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return plain(value)
    return f'"{value}"'
