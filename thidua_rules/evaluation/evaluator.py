"""One unit's evaluation: facts validated, the traced closures or the generated fast path run,
the Result built. The object every many-unit feature (submissions, cohorts, ranking,
classification, periods, batches) takes; the public ``Ruleset`` is a thin façade over it.
"""

from __future__ import annotations

from collections.abc import ItemsView, Iterator, Mapping, ValuesView
from decimal import Decimal, localcontext
from typing import Any, NamedTuple, Protocol, TypeVar

import attrs

from ..check import check
from ..errors import Diagnostic, EvaluationError, FactProblem, FactsError, OptionError
from ..language.extends import expand
from ..language.parser import parse
from ..language.transformer import to_nodes
from ..model import Award, CheckedRuleset, Derived, FactSpec, Group, Header, Round
from ..model import Criterion as CriterionSpec
from ..model import Rollup as RollupSpec
from ..numbers import ARITHMETIC, RANGES_CONTEXT, ZERO, exact, tidy
from ..source import Source
from ..text import suggest
from . import fastpath, scaled, traced, validation
from .compiler import CNode, Compiler, Program
from .fastpath import Outcome
from .result import EMPTY, FrozenMap, NodeResult, Result, Step, Value
from .runtime import CohortNeeded, Ctx, MissingFact, NotScored, number_of, validate
from .semantics import (
    Columns,
    best_part,
    bound_note,
    bounded_columns,
    column_note,
    column_score,
    criterion_note,
    criterion_score,
    group_applicable_max,
    group_limit,
    group_note,
    group_score,
    net,
    sum_columns,
    totals,
)


class Run(NamedTuple):
    """One evaluation: the result (None on any problem), the walk, the bad facts, the missing ones."""

    result: Result | None
    walk: Walk
    invalid: list[FactProblem]
    missing: list[FactProblem]


class Evaluator:
    """A checked ruleset compiled for evaluation: immutable, thread-safe, one unit per call."""

    def __init__(self, checked: CheckedRuleset, source: Source) -> None:
        self.source = source
        self.model = checked
        self.header: Header = checked.header
        self.facts: Mapping[str, FactSpec] = FrozenMap(dict(checked.facts))
        self.derived: Mapping[str, Derived] = FrozenMap(dict(checked.derived))
        self.criteria: Mapping[str, CriterionSpec] = FrozenMap(dict(checked.criteria))
        self.groups: Mapping[str, Group] = FrozenMap(dict(checked.groups))
        self.sections: tuple[str, ...] = checked.roots
        self.rounds: tuple[Round, ...] = checked.rounds
        self.final_round: str | None = checked.final_round
        self.awards: tuple[Award, ...] = tuple(a for a, _ in checked.awards)
        self.ranking: tuple[tuple[str, str], ...] = tuple(
            (o.direction, o.expr.span.text()) for o in checked.ranking
        )
        self.warnings: tuple[Diagnostic, ...] = checked.warnings
        self.program: Program = Compiler(checked).program()
        self.rollup: RollupSpec | None = checked.rollup
        #: The named roll-ups, by name.
        self.rollups: Mapping[str, RollupSpec] = FrozenMap(dict(checked.rollups))
        #: The generated untraced evaluator (every ruleset gets one).
        self.fast = fastpath.build(checked, self.program)
        #: The generated facts validator (the common valid case; ``validate`` explains the rest).
        self.quick = validation.build(self.facts, checked.header.id)
        #: The fused validate-and-score function over scaled integers (evaluation/scaled.py), the
        #: scale of its totals and the unit's applicable max; None when the ruleset needs Decimals.
        self.scaled: scaled.ScaledFn | None = None
        built = scaled.build(checked, self.program)
        if built is not None:
            self.scaled, self._scale, max_ = built
            self._scaled_max = tidy(max_)
        self._decimals: dict[int, Decimal] = {}
        #: The nodes variant of the scaled function and each node's fixed fields (``NodePlan``),
        #: made when a node of a scaled result is first read; None when there is none.
        self._plan: NodePlan | bool | None = self.scaled is not None
        #: The generated traced evaluator's rules (evaluation/traced.py), made likewise.
        self._traced: traced.TracedFn | bool | None = self.scaled is not None
        nodes = [node for root in self.program.roots for node in root.walk()]
        self._order: tuple[str, ...] = tuple(node.code for node in nodes)
        self._info = {
            node.code: (node.title, node.kind, node.is_criterion, node.assumptions,
                        tuple(child.code for child in node.children), node.defined_in, node.overridden_by)
            for node in nodes
        }
        self._parents = {child.code: node.code for node in nodes for child in node.children}
        by_code = {root.code: root for root in self.program.roots}
        self._scoring_order = tuple(by_code[code] for code in checked.order)
        self._in_sheet_order = checked.order == checked.roots
        self._required = tuple(
            name for name, spec in self.facts.items() if spec.required and spec.kind != "assessed"
        )
        #: Every number written in the rules: the boundaries property tests should reach.
        self.constants: frozenset[Decimal] = checked.constants

    @property
    def id(self) -> str:
        return self.header.id

    @property
    def cohorts(self) -> tuple[str, ...]:
        """The cohort aggregates the rules read (``max(ty_le)``, ``count``…), by key."""
        return tuple(self.program.cohorts)

    def evaluate(
        self,
        facts: Mapping[str, object],
        *,
        trace: bool = True,
        cohort: Mapping[str, tuple[Decimal, str]] | None = None,
        unit: str | None = None,
        overrides: Mapping[str, tuple[NodeResult, Step]] | None = None,
    ) -> Result:
        """Score one unit; raise ``FactsError`` listing every bad or missing fact."""
        if self.scaled is not None and cohort is None and overrides is None:
            got = self.scaled(facts)  # None: anything not plainly valid, left to the paths below
            if got is not None:
                return self.scaled_result(got, facts, trace)
        result, _walk, invalid, missing = self.run(facts, trace=trace, cohort=cohort, overrides=overrides)
        if invalid or missing:
            raise FactsError(invalid + missing, unit=unit)
        assert result is not None
        return result

    def scaled_result(self, totals: tuple[int, int, int], facts: Mapping[str, object], trace: bool) -> Result:
        """The Result of the scaled path's totals; its nodes and facts are made when first read
        (``Later``): untraced, from the nodes variant's values (``scaled_nodes_result``); traced,
        by the generated traced evaluator (``traced_scaled_result``: the walk's own Steps, inputs
        and assumptions). Either falls back to the Decimal path (the traced walk when tracing)
        for a ruleset or unit it leaves, so each node keeps exactly the values it has there (the
        cheap trace: evaluate records the unit's facts; Steps cost only when a trace is read)."""
        standard, bonus, deductions = totals
        later = Later(self, dict(facts), trace)
        decimal, made = self._decimals.get, self._decimal
        # ``is None``, not ``or``: a cached Decimal 0 is falsy (most units have no deductions)
        s, b, d = decimal(standard), decimal(bonus), decimal(deductions)
        return Result.made(
            self.header.id, Deferred(later, True), self.sections, made(standard) if s is None else s,
            made(bonus) if b is None else b, made(deductions) if d is None else d,
            self._scaled_max, Deferred(later, False), EMPTY, self.header.rounding, ZERO,
        )

    def node_plan(self) -> NodePlan | None:
        """The scaled path's nodes variant with each node's fixed fields, made on first use (most
        callers of ``trace=False`` read totals only, and a load stays as quick); None: no variant."""
        plan = self._plan
        if plan is True:
            nodes = scaled.build_nodes(self.model, self.program)
            plan = self._plan = NodePlan(self, nodes) if nodes is not None else None
        return plan if isinstance(plan, NodePlan) else None

    def scaled_nodes_result(self, facts: Mapping[str, object]) -> Result | None:
        """The untraced Result of ``facts`` with every node's score and raw value from the
        nodes variant (no Decimal path run); None when there is none or it leaves the unit."""
        plan = self.node_plan()
        if plan is None:
            return None
        flat = plan.nodes.fn(facts)
        if flat is None:
            return None
        decimal = self._decimals.get
        standard, bonus, deductions = flat[0], flat[1], flat[2]
        return Result.made(
            self.header.id, ScaledNodes(flat, plan), self.sections, decimal(standard) or self._decimal(standard),
            decimal(bonus) or self._decimal(bonus), decimal(deductions) or self._decimal(deductions),
            self._scaled_max, Validated(self, facts), EMPTY, self.header.rounding, ZERO,
        )

    @exact
    def traced_scaled_result(self, facts: Mapping[str, object]) -> Result | None:
        """The traced Result of ``facts`` from the generated traced evaluator (evaluation/traced.py):
        the traced walk's Steps, inputs and nodes, made without the walk; None when there is no
        such evaluator or it leaves the unit to the walk."""
        plan = self.node_plan()
        fn = self._traced
        if fn is True:
            fn = self._traced = traced.build(self.model, self.program, plan.fixed, self._order) if plan else None
        if not callable(fn):  # None or False: no traced evaluator
            return None
        values, defaults, problems, _complete = self.validate(facts)
        if problems:
            return None
        try:
            nodes = fn(values, defaults)
        except (KeyError, TypeError, ArithmeticError, traced.Fallback):
            return None  # a missing fact, no row of a table: the walk words it
        standard, bonus, deductions, adjustment, applicable_max = totals(
            ((root.kind, nodes[root.code].score, nodes[root.code].applicable_max, None) for root in self.program.roots),
            self.header.total_low, self.header.total_high,
        )
        return Result(
            ruleset=self.id, nodes=FrozenMap.owning(nodes), sections=self.sections, standard=standard, bonus=bonus,
            deductions=deductions, applicable_max=applicable_max, facts=FrozenMap(values), cohort=EMPTY,
            places=self.header.rounding, adjustment=adjustment,
        )

    def _decimal(self, value: int) -> Decimal:
        """The Decimal of a scaled total, kept for the next unit (a few thousand distinct ones)."""
        made = scaled.to_decimal(value, self._scale)
        if len(self._decimals) < 4096:
            self._decimals[value] = made
        return made

    @exact
    def given_cohort(self, cohort: Mapping[str, object]) -> dict[str, tuple[Decimal, str]]:
        """Aggregate values given by the caller, checked: known keys, exact numbers."""
        if not isinstance(cohort, Mapping):
            raise OptionError(f"Expected a mapping of aggregate keys to values for cohort, got {cohort!r}")
        return _given_cohort(self.cohorts, cohort)

    def __reduce__(self) -> tuple[Any, tuple[str, str]]:
        """Pickles as its source text; unpickling parses, checks and compiles it again."""
        return (compile_source, (self.source.text, self.source.name))

    @exact
    def validate(
        self, facts: Mapping[str, object]
    ) -> tuple[dict[str, Value], frozenset[str], list[FactProblem], bool]:
        """A unit's values, the names given defaults, the problems, and whether every required
        fact is known present: the generated validator for the plainly valid case, else the one
        that words each problem."""
        quick = self.quick(facts)
        if quick is not None:
            return quick[0], quick[1], [], True
        values, defaults, problems = validate(self.facts, facts)
        return values, defaults, problems, False

    @exact
    def run(
        self,
        facts: Mapping[str, object],
        *,
        trace: bool,
        cohort: Mapping[str, tuple[Decimal, str]] | None,
        overrides: Mapping[str, tuple[NodeResult, Step]] | None = None,
    ) -> Run:
        """Evaluate: the result (None on any problem), the walk, bad facts, missing facts."""
        values, defaults, problems, complete = self.validate(facts)
        if not trace and overrides is None and not problems:
            fast = self.fast_result(values, cohort, complete=complete)
            if fast is not None:
                return Run(fast, Walk(Ctx(values, defaults, False)), [], [])
        ctx = Ctx(values, defaults, trace)
        ctx.cohort = cohort
        walk = Walk(ctx, overrides)
        ctx.result = walk.out  # what ``score(X)`` in a rule reads: the nodes scored so far
        try:
            scored = {root.code: walk.node(root) for root in self._scoring_order}
            roots = [scored[root.code] for root in self.program.roots]
        except CohortNeeded as error:
            needed = ", ".join(self.cohorts)
            raise EvaluationError(
                f"the rules read the cohort aggregate {error.key!r} (all: {needed}); score the units "
                "together with evaluate_cohort(units), or give every aggregate's value in cohort={…}"
            ) from None
        bad = {p.fact for p in problems}
        missing: list[FactProblem] = []
        for name, spec in self.facts.items():
            if spec.required and spec.kind != "assessed" and name not in values and name not in bad:
                bad.add(name)
                label = f" ({spec.label})" if spec.label else ""
                missing.append(FactProblem(name, f"missing{label}"))
        missing += [missing_problem(m, self.facts) for name, m in walk.missing.items() if name not in bad]
        problems += walk.invalid
        if problems or missing:
            return Run(None, walk, problems, missing)
        standard, bonus, deductions, adjustment, applicable_max = totals(
            ((root.kind, result.score, result.applicable_max, result.columns)
             for root, result in zip(self.program.roots, roots, strict=True) if result is not None),
            self.header.total_low, self.header.total_high,
        )
        nodes = walk.out if self._in_sheet_order else {code: walk.out[code] for code in self._order}
        return Run(Result(
            ruleset=self.id, nodes=FrozenMap(nodes), sections=self.sections,
            standard=standard, bonus=bonus, deductions=deductions,
            applicable_max=applicable_max, facts=FrozenMap(values),
            cohort=FrozenMap(cohort) if cohort else EMPTY, places=self.header.rounding,
            adjustment=adjustment,
        ), walk, [], [])


    def fast_result(
        self, values: dict[str, Value], cohort: Mapping[str, tuple[Decimal, str]] | None, *, complete: bool = False
    ) -> Result | None:
        """The generated path's result, or None to let the traced path find the problem.

        ``complete``: the values are known to hold every required fact (the quick validator's).
        """
        if not complete and any(name not in values for name in self._required):
            return None
        out = self.fast_outcomes(values, cohort)
        if out is None:
            return None
        return self.result_of(out, values, cohort)

    @exact
    def compact(self, facts: Mapping[str, object]) -> str | None:
        """A unit's totals on the generated path as one short text (standard, bonus, deductions,
        adjustment, applicable max: what a worker process sends back, ``expand`` rebuilds the
        Result); None when the unit needs the traced path (a problem to word, a fallback)."""
        if self.scaled is not None:
            got = self.scaled(facts)
            if got is not None:
                k = self._scale
                return " ".join([*(str(scaled.to_decimal(v, k)) for v in got), "0", str(self._scaled_max)])
        values, _defaults, problems, complete = self.validate(facts)
        if problems or (not complete and any(name not in values for name in self._required)):
            return None
        out = self.fast_outcomes(values, None)
        if out is None:
            return None
        return " ".join(str(v) for v in self.totals_of(out))

    def expand(self, text: str, facts: Mapping[str, object]) -> Result:
        """The Result of ``compact``'s text for ``facts``: equal to ``evaluate(facts, trace=False)``.
        Its nodes and facts are scored again here when first read (most batch callers read none)."""
        standard, bonus, deductions, adjustment, applicable_max = map(Decimal, text.split())
        later = Later(self, dict(facts))
        return Result(
            ruleset=self.id, nodes=Deferred(later, True), sections=self.sections, standard=standard,
            bonus=bonus, deductions=deductions, applicable_max=applicable_max, facts=Deferred(later, False),
            cohort=EMPTY, places=self.header.rounding, adjustment=adjustment,
        )

    def totals_of(self, out: dict[str, Outcome]) -> tuple[Decimal, Decimal, Decimal, Decimal, Decimal]:
        """Standard, bonus, deductions, adjustment and applicable max of the generated path's outcomes."""
        return totals(
            ((root.kind, out[root.code][0], out[root.code][3], out[root.code][5]) for root in self.program.roots),
            self.header.total_low, self.header.total_high,
        )

    def fast_outcomes(
        self, values: dict[str, Value], cohort: Mapping[str, tuple[Decimal, str]] | None
    ) -> dict[str, Outcome] | None:
        """The generated path's outcome per node (what a worker process sends back), or None."""
        try:
            return self.fast(values, cohort)  # in the library's context: run() is exact
        except fastpath.Fallback:
            return None

    def result_of(
        self, out: dict[str, Outcome], values: dict[str, Value], cohort: Mapping[str, tuple[Decimal, str]] | None
    ) -> Result:
        """The untraced Result of the generated path's outcomes; its nodes are built when read."""
        standard, bonus, deductions, adjustment, applicable_max = self.totals_of(out)
        return Result(
            ruleset=self.id, nodes=LazyNodes(out, self._info, self._order, self._parents),
            sections=self.sections, standard=standard, bonus=bonus, deductions=deductions,
            applicable_max=applicable_max, facts=FrozenMap.owning(values),
            cohort=FrozenMap(cohort) if cohort else EMPTY, places=self.header.rounding,
            adjustment=adjustment,
        )


class LazyNodes(Mapping[str, NodeResult]):
    """The nodes of an untraced result, each built when first read (most callers read few)."""

    __slots__ = ("_info", "_made", "_order", "_out", "_parents")

    def __init__(
        self, out: dict[str, Outcome], info: Mapping[str, tuple], order: tuple[str, ...],  # type: ignore[type-arg]
        parents: Mapping[str, str],
    ) -> None:
        self._out = out
        self._info = info
        self._order = order
        self._parents = parents
        self._made: dict[str, NodeResult] = {}

    def __getitem__(self, code: str) -> NodeResult:
        made = self._made.get(code)
        if made is not None:
            return made
        score, raw, top, applicable_max, counted, columns = self._out[code]
        title, kind, is_criterion, assumptions, children, defined_in, overridden_by = self._info[code]
        if counted:
            assumptions = merge_assumptions(assumptions, [self[child] for child in counted])
        parent = self._parents.get(code)
        made = NodeResult(
            code=code, title=title, kind=kind, is_criterion=is_criterion, score=score, max=top,
            applicable_max=applicable_max, raw=raw, inputs=EMPTY, trace=(),
            assumptions=assumptions, children=children, defined_in=defined_in, overridden_by=overridden_by,
            counted=score is not None and (parent is None or code in self._out[parent][4]),
            columns=columns,
        )
        self._made[code] = made
        return made

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)

    def __reduce__(self) -> tuple[type[FrozenMap[str, NodeResult]], tuple[dict[str, NodeResult]]]:
        return (FrozenMap, ({code: self[code] for code in self._order},))


class NodePlan:
    """What every untraced Result of a scaled ruleset shares: the nodes variant (``scaled.Nodes``)
    and each node's fixed fields. On that path (sum groups, no applicability or variants) only a
    node's score and raw value depend on the unit: its max, applicable max, counted, assumptions
    and children are the traced walk's for every unit, worked out here once as the walk does."""

    __slots__ = ("cache", "fixed", "nodes", "order")

    def __init__(self, ev: Evaluator, nodes: scaled.Nodes) -> None:
        self.nodes = nodes
        self.order = ev._order
        #: code -> (offset in the variant's values, its fixed fields: code, title, kind, criterion,
        #: max, applicable max, assumptions, children, counted, defined in, overridden by);
        #: offset -1: no score, and the node itself in place of its fields.
        self.fixed: dict[str, tuple[int, Any]] = {}
        #: (scaled value, places) -> its Decimal, for the next units (a few thousand distinct).
        self.cache: dict[tuple[int, int], Decimal] = {}
        with localcontext(ARITHMETIC):  # sums of maxima as the walk adds them
            for root in ev.program.roots:
                self.plan(root, True)

    def plan(self, node: CNode, counts: bool) -> tuple[bool, Decimal, tuple[str, ...]]:
        """Fix ``node``'s fields (``counts``: its parent adds it); whether it has a score, its
        applicable max and assumptions (Walk.criterion, Walk.group)."""
        offset = self.nodes.offsets.get(node.code, -1)
        if node.rule is not None:
            scored, top, assumptions = True, node.max if node.max is not None else ZERO, node.assumptions
        else:
            parts = [(child, self.plan(child, child.counted)) for child in node.children]
            counted = [(child, got) for child, got in parts if got[0] and child.counted]
            merged = dict.fromkeys(node.assumptions)
            for _child, got in counted:
                merged.update(dict.fromkeys(got[2]))
            scored, assumptions, top = bool(counted), tuple(merged), ZERO
            if counted:
                top = group_applicable_max(sum((got[1] for _, got in counted), ZERO), group_limit(node.cap, node.max),
                                           any(child.open for child, _ in counted))
        assert scored == (offset >= 0), node.code  # the variant scores exactly these
        fixed = (node.code, node.title, node.kind, node.rule is not None, node.max, top, assumptions,
                 tuple(child.code for child in node.children), scored and counts, node.defined_in,
                 node.overridden_by)
        if not scored:  # a group none of whose parts counts: no score, the same node for every unit
            code, title, kind, is_criterion, most, _top, merged_, children, _counts, defined, over = fixed
            self.fixed[node.code] = (offset, NodeResult(code, title, kind, is_criterion, None, most, ZERO, None,
                                                        EMPTY, (), merged_, children, False, None, defined, over))
        else:
            self.fixed[node.code] = (offset, fixed)
        return scored, top, assumptions

    def value(self, scaled_value: int, written: int) -> Decimal:
        made = self.cache.get((scaled_value, written))
        if made is None:
            made = self.nodes.value(scaled_value, written)
            if len(self.cache) < 4096:
                self.cache[scaled_value, written] = made
        return made


V = TypeVar("V")


class _Made(Mapping[str, V]):
    """A mapping made when first read (``_data``), then read as it; pickles as the values read."""

    __slots__ = ()

    def _data(self) -> Mapping[str, V]:
        raise NotImplementedError

    def values(self) -> ValuesView[V]:
        return self._data().values()

    def items(self) -> ItemsView[str, V]:
        return self._data().items()

    def __getitem__(self, key: str) -> V:
        return self._data()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data())

    def __len__(self) -> int:
        return len(self._data())

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (FrozenMap, (dict(self._data()),))


class Validated(_Made[Value]):
    """A unit's validated facts (``Result.facts``), made when first read: a caller reading the
    nodes of an untraced scaled result does not pay for them. Pickles as the values."""

    __slots__ = ("_ev", "_facts", "_values")

    def __init__(self, ev: Evaluator, facts: Mapping[str, object]) -> None:
        self._ev = ev
        self._facts = facts
        self._values: Mapping[str, Value] | None = None

    def _data(self) -> Mapping[str, Value]:
        if self._values is None:
            self._values = FrozenMap.owning(self._ev.validate(self._facts)[0])
        return self._values


class ScaledNodes(Mapping[str, NodeResult]):
    """The nodes of an untraced scaled Result, each built when first read from the nodes
    variant's values (``NodePlan``): its score and raw value in the Decimal path's form."""

    __slots__ = ("_flat", "_made", "_plan")

    def __init__(self, flat: tuple[int, ...], plan: NodePlan) -> None:
        self._flat = flat
        self._plan = plan
        self._made: dict[str, NodeResult] = {}

    def __getitem__(self, code: str) -> NodeResult:
        made = self._made.get(code)
        if made is None:
            made = self._made[code] = self._node(*self._plan.fixed[code])
        return made

    def _node(self, offset: int, fixed: Any) -> NodeResult:
        if offset < 0:
            return fixed  # type: ignore[no-any-return]  # no score: the node itself
        plan, flat = self._plan, self._flat
        cache = plan.cache
        key, raw_key = (flat[offset], flat[offset + 1]), (flat[offset + 2], flat[offset + 3])
        score, raw = cache.get(key), cache.get(raw_key)
        if score is None:
            score = plan.value(*key)
        if raw is None:
            raw = plan.value(*raw_key)
        code, title, kind, is_criterion, most, top, assumptions, children, counted, defined, over = fixed
        return NodeResult(code, title, kind, is_criterion, score, most, top, raw, EMPTY, (), assumptions,
                          children, counted, None, defined, over)

    def _all(self) -> dict[str, NodeResult]:
        """Every node, built in one pass (``values()``, ``items()``: most readers of one read all)."""
        made = self._made
        if len(made) < len(self._plan.order):
            fixed, node = self._plan.fixed, self._node
            made = self._made = {code: made.get(code) or node(*fixed[code]) for code in self._plan.order}
        return made

    def values(self) -> ValuesView[NodeResult]:
        return self._all().values()

    def items(self) -> ItemsView[str, NodeResult]:
        return self._all().items()

    def __iter__(self) -> Iterator[str]:
        return iter(self._plan.order)

    def __len__(self) -> int:
        return len(self._plan.order)

    def __reduce__(self) -> tuple[type[FrozenMap[str, NodeResult]], tuple[dict[str, NodeResult]]]:
        return (FrozenMap, ({code: self[code] for code in self._plan.order},))


class Later:
    """A unit scored again when its nodes or facts are first read (``Evaluator.expand``,
    ``scaled_result``, the batches): from the scaled path's generated variants when they take it,
    else on the Decimal path."""

    __slots__ = ("ev", "facts", "result", "trace")

    def __init__(self, ev: Evaluator, facts: Mapping[str, object], trace: bool = False) -> None:
        self.ev = ev
        self.facts = facts
        self.trace = trace
        self.result: Result | None = None

    def get(self) -> Result:
        if self.result is None:  # the scaled nodes variant's values, or the generated traced evaluator
            self.result = (self.ev.traced_scaled_result(self.facts) if self.trace
                           else self.ev.scaled_nodes_result(self.facts))
        if self.result is None:  # the Decimal path (the traced walk when tracing)
            result, _walk, invalid, missing = self.ev.run(self.facts, trace=self.trace, cohort=None)
            if result is None:  # pragma: no cover - the scaled path accepts only what this does
                raise FactsError(invalid + missing)
            self.result = result
        return self.result


class Scoring(Protocol):
    """A unit's Result, made when first asked for (``Later``, the batches' packed units)."""

    def get(self) -> Result: ...


class Deferred(_Made[Any]):
    """A result's nodes (or facts) from a ``Scoring`` (``Later``, or a batch's packed unit):
    computed on first read, then as the original; pickles as the values read."""

    __slots__ = ("_got", "_later", "_nodes")

    def __init__(self, later: Scoring, nodes: bool) -> None:
        self._later = later
        self._nodes = nodes
        self._got: Mapping[str, Any] | None = None

    def _data(self) -> Mapping[str, Any]:
        got = self._got
        if got is None:
            result = self._later.get()
            got = self._got = result.nodes if self._nodes else result.facts
        return got


def _given_cohort(known: tuple[str, ...], cohort: Mapping[str, object]) -> dict[str, tuple[Decimal, str]]:
    """Aggregate values given by the caller, checked: known keys, exact numbers."""
    problems = []
    out: dict[str, tuple[Decimal, str]] = {}
    for key, value in cohort.items():
        name = " ".join(str(key).split())
        if name not in known:
            hint = suggest(name, known)
            message = "not an aggregate the rules read" + (f"; {hint}" if hint else "")
            problems.append(FactProblem(f"cohort {key}", message))
            continue
        # An aggregate may have every place the library's arithmetic gives it (an exact mean of
        # 10-place values has more): what evaluate_cohort computed is always taken back.
        number = number_of(value, places=ARITHMETIC.prec)
        if isinstance(number, str):
            problems.append(FactProblem(f"cohort {key}", number))
        else:
            out[name] = (number, "given by the caller")
    if problems:
        raise FactsError(problems)
    return out


def missing_problem(error: MissingFact, facts: Mapping[str, FactSpec]) -> FactProblem:
    spec = facts.get(error.name)
    if spec is not None and spec.kind == "assessed":
        return FactProblem(
            error.name, f"missing: the judged score of criterion {error.name} (0 to {spec.high})"
        )
    label = f" ({spec.label})" if spec is not None else ""
    return FactProblem(error.name, f"missing{label}; criterion {error.code} needs it")


class Walk:
    """One evaluation of the tree: results in sheet order, and the facts found missing."""

    def __init__(self, ctx: Ctx, overrides: Mapping[str, tuple[NodeResult, Step]] | None = None) -> None:
        self.ctx = ctx
        self.tracing = ctx.trace is not None
        self.out: dict[str, NodeResult] = {}
        self.missing: dict[str, MissingFact] = {}
        self.invalid: list[FactProblem] = []
        #: Scores decided elsewhere (the final round's choice per criterion), with their step.
        self.overrides = overrides
        #: The columns of the node ``bound`` last scored.
        self.last: Columns = (ZERO, ZERO, ZERO, ZERO)

    def node(self, node: CNode) -> NodeResult | None:
        """Evaluate ``node``; None when a fact it needs is missing."""
        ctx = self.ctx
        ctx.trace = [] if self.tracing else None
        ctx.inputs = {}
        try:
            applicable = node.applicable is None or bool(node.applicable(ctx))
        except MissingFact as error:
            self.missing.setdefault(error.name, error)
            return None
        if not applicable and ctx.trace is not None:
            ctx.trace.append(Step("not applicable", node.code, (), None, "applicable if … is false"))
        if node.rule is not None:
            return self.criterion(node, applicable)
        if not applicable:
            return self.skip(node, ctx.trace)
        return self.group(node, applicable)

    def skip(self, node: CNode, trace: list[Step] | None) -> NodeResult:
        """A node that does not apply, with everything under it: nothing is evaluated or needed."""
        try:  # this unit's max (its variant's), as for a node that applies
            top = node.top(self.ctx)
        except MissingFact:
            top = node.max
        result = NodeResult(
            code=node.code, title=node.title, kind=node.kind, is_criterion=node.is_criterion,
            score=None, max=top, applicable_max=ZERO, raw=None, inputs=EMPTY,
            trace=tuple(trace or ()), assumptions=node.assumptions,
            children=tuple(child.code for child in node.children), counted=False,
            defined_in=node.defined_in, overridden_by=node.overridden_by,
        )
        self.out[node.code] = result
        for child in node.children:
            self.skip(child, [Step("not applicable", child.code, (), None, f"{node.code} does not apply")]
                      if trace is not None else None)
        return result

    def criterion(self, node: CNode, applicable: bool) -> NodeResult | None:
        ctx = self.ctx
        score: Decimal | None = None
        raw: Decimal | None = None
        columns: Columns | None = None
        try:
            unit_max = node.top(ctx)
        except MissingFact as error:
            if applicable:
                self.missing.setdefault(error.name, error)
                return None
            unit_max = node.max  # a row that does not apply needs no max read from the facts
        decided = self.overrides.get(node.code) if self.overrides is not None else None
        if applicable and decided is not None:
            chosen, step = decided
            score, raw, columns = chosen.score, chosen.raw, chosen.columns
            ctx.inputs = dict(chosen.inputs)
            if ctx.trace is not None:
                ctx.trace.extend(chosen.trace)
                ctx.trace.append(step)
        elif applicable:
            assert node.rule is not None
            try:
                value = node.rule(ctx)
                score, raw, columns = self.row(node, value, unit_max)
            except MissingFact as error:
                self.missing.setdefault(error.name, error)
                return None
            except NotScored:
                return None  # a node it reads lacks a fact, which is reported there
        top = unit_max if unit_max is not None else ZERO
        result = NodeResult(
            code=node.code, title=node.title, kind=node.kind, is_criterion=True, score=score,
            max=unit_max, applicable_max=top if applicable else ZERO, raw=raw,
            inputs=FrozenMap.owning(ctx.inputs), trace=tuple(ctx.trace or ()),
            assumptions=node.assumptions, counted=score is not None, columns=columns,
            defined_in=node.defined_in, overridden_by=node.overridden_by,
        )
        self.out[node.code] = result
        return result

    def row(self, node: CNode, value: Value, top: Decimal | None) -> tuple[Decimal, Decimal, Columns | None]:
        """A row's score, raw value and columns: its rule cut to [floor, max], its own bonus and
        deduction columns each cut to its cap, the whole kept within its bounds."""
        ctx = self.ctx
        assert isinstance(value, Decimal)
        raw = value
        judged = ctx.values.get(node.code)
        if node.max_by is not None and isinstance(judged, Decimal) and top is not None and judged > top:
            self.invalid.append(FactProblem(
                node.code, f"the assessed score {judged} is above the max {top} of {node.code} "
                f"for this kind of unit"))
        main = criterion_score(raw, top, node.floor)
        if ctx.trace is not None:
            ctx.trace.append(Step("cap", node.code, (raw, node.floor, top), main, criterion_note(raw, top, node.floor)))
        if not node.columnar:
            return main, raw, None
        parts = [main, ZERO, ZERO]
        for index, column in ((1, node.bonus), (2, node.deduction)):
            if column is None:
                continue
            rule, cap, _text = column
            got = rule(ctx)
            assert isinstance(got, Decimal)
            parts[index] = column_score(got, cap)
            if ctx.trace is not None:
                word = "bonus" if index == 1 else "deduction"
                ctx.trace.append(Step(word, node.code, (got, ZERO, cap), parts[index], column_note(got, cap)))
        return self.bound(node, (parts[0], parts[1], parts[2], ZERO), ctx.trace), raw, self.last

    def bound(self, node: CNode, columns: Columns, trace: list[Step] | None) -> Decimal:
        """A node's score from its columns, kept within its bounds; the columns in ``self.last``."""
        score, self.last = bounded_columns(columns, node.low, node.high)
        if trace is not None:
            before = net(*columns)
            if node.bonus is not None or node.deduction is not None or any(columns[1:]):
                trace.append(Step("net", node.code, columns, before, "standard + bonus − deduction"))
            if node.bounded:
                trace.append(Step("bound", node.code, (before, node.low, node.high), score,
                                  bound_note(before, node.low, node.high)))
        return score

    def group(self, node: CNode, applicable: bool) -> NodeResult | None:
        own_trace = self.ctx.trace
        self.out[node.code] = None  # type: ignore[assignment]  # the section comes before its items
        children = [self.node(child) for child in node.children]
        if any(child is None for child in children):
            del self.out[node.code]
            return None
        try:
            unit_max = node.top(self.ctx)
        except MissingFact as error:
            self.missing.setdefault(error.name, error)
            del self.out[node.code]
            return None
        counted = [r for r, c in zip(children, node.children, strict=True)
                   if r is not None and r.score is not None and c.counted]
        score: Decimal | None = None
        raw: Decimal | None = None
        columns: Columns | None = None
        applicable_max = ZERO
        if applicable and counted and node.choose != "sum":
            counted, applicable_max = self.choose(node, counted, own_trace)
        elif applicable and counted:
            applicable_max = sum((r.applicable_max for r in counted), ZERO)
        if applicable and counted:
            limit = node.limit(self.ctx)
            opened = {child.code for child in node.children if child.open}
            applicable_max = group_applicable_max(applicable_max, limit, any(r.code in opened for r in counted))
            parts = [r.columns if r.columns is not None else (r.score, ZERO, ZERO, ZERO) for r in counted]
            main_raw, bonus, deduction, adjustment = sum_columns(parts)  # type: ignore[arg-type]
            raw = main_raw
            main = group_score(main_raw, limit)
            if own_trace is not None:
                mains = tuple(p[0] for p in parts)
                own_trace.append(Step("sum", node.code, mains, main_raw, " + ".join(r.code for r in counted)))
                own_trace.append(Step("cap", node.code, (main_raw, None, limit), main, group_note(main_raw, limit)))
            if node.columnar:
                score = self.bound(node, (main, bonus, deduction, adjustment), own_trace)
                columns = self.last
            else:
                score = main
        elif own_trace is not None and applicable:
            own_trace.append(Step("not applicable", node.code, (), None, "no item applies"))
        used = {r.code for r in counted} if applicable else set()
        for child in children:
            assert child is not None
            if child.counted and child.code not in used:
                self.out[child.code] = attrs.evolve(child, counted=False)
        result = NodeResult(
            code=node.code, title=node.title, kind=node.kind, is_criterion=False, score=score,
            max=unit_max, applicable_max=applicable_max, raw=raw, inputs=EMPTY,
            trace=tuple(own_trace or ()), assumptions=merge_assumptions(node.assumptions, counted),
            children=tuple(child.code for child in node.children), counted=score is not None,
            columns=columns, defined_in=node.defined_in, overridden_by=node.overridden_by,
        )
        self.out[node.code] = result
        return result

    def choose(
        self, node: CNode, counted: list[NodeResult], trace: list[Step] | None
    ) -> tuple[list[NodeResult], Decimal]:
        """The one part a ``best`` or ``either`` group counts, and the points it could give."""
        if node.choose == "best":
            scores = [r.score for r in counted if r.score is not None]
            chosen = counted[best_part(scores)]
            top = max(r.applicable_max for r in counted)
            if trace is not None:
                others = ", ".join(r.code for r in counted if r is not chosen)
                note = f"{chosen.code}, the highest" + (f" (not counted: {others})" if others else "")
                trace.append(Step("best", node.code, tuple(scores), chosen.score, note))
            return [chosen], top
        chosen = counted[0]
        if trace is not None:
            later = [r.code for r in counted[1:]]
            note = f"{chosen.code}, the first that applies" + (f" (not counted: {', '.join(later)})" if later else "")
            trace.append(Step("either", node.code, (chosen.score,), chosen.score, note))
        return [chosen], chosen.applicable_max


def merge_assumptions(own: tuple[str, ...], children: list[NodeResult]) -> tuple[str, ...]:
    """A group's assumptions: its own and every one its counted items depend on, once each."""
    merged = dict.fromkeys(own)
    for child in children:
        merged.update(dict.fromkeys(child.assumptions))
    return tuple(merged)


def compile_source(text: str, name: str) -> Evaluator:
    """Parse, check and compile ruleset text (NFC) named ``name``; ``RulesetError`` on any error."""
    src = Source(name, text)
    with localcontext(RANGES_CONTEXT):  # the range analysis in its own context, not the caller's
        checked = check(expand(to_nodes(parse(src), src)))
    return Evaluator(checked, src)
