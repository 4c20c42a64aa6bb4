"""The public ruleset: load, inspect, evaluate."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal, localcontext

from .check.checker import Checker
from .check.checker import Rollup as RollupSpec
from .errors import Diagnostic, EvaluationError, FactProblem, FactsError, OptionError, RulesetError
from .evaluation import fastpath
from .evaluation.compiler import CNode, Compiler, Program
from .evaluation.result import EMPTY, FrozenMap, NodeResult, Result, Step, Value
from .evaluation.runtime import CohortNeeded, Ctx, MissingFact, validate
from .language.nodes import Assessed, Number, walk
from .language.parser import parse
from .language.transformer import to_nodes
from .model import Award, Criterion, Derived, FactSpec, Group, Header, Round
from .numbers import ARITHMETIC
from .reports.classify import Classification
from .reports.ranking import Standings, rank
from .reports.rollup import Rollup
from .reports.submission import Submission, evaluate_submission
from .source import Source, nfc

ZERO = Decimal(0)


class Ruleset:
    """A checked, compiled ruleset: immutable, thread-safe, evaluated once per unit."""

    def __init__(self, checked: Checker, source: Source) -> None:
        self.source = source
        self.header: Header = checked.header
        self.warnings: tuple[Diagnostic, ...] = tuple(
            d for d in checked.diagnostics if d.severity == "warning"
        )
        facts = dict(checked.facts)
        for code, crit in checked.criteria.items():
            if code in checked.rules and _uses_assessed(checked, code):
                facts[code] = FactSpec(
                    name=code, kind="assessed", label=f"Điểm chấm tiêu chí {code}: {crit.title}",
                    low=ZERO, high=crit.max, required=code in checked.unconditional_assessed,
                    criterion=code, span=crit.span,
                )
        self.facts: Mapping[str, FactSpec] = FrozenMap(facts)
        self.derived: Mapping[str, Derived] = FrozenMap(dict(checked.derived))
        self.criteria: Mapping[str, Criterion] = FrozenMap(dict(checked.criteria))
        self.groups: Mapping[str, Group] = FrozenMap(dict(checked.groups))
        self.sections: tuple[str, ...] = tuple(checked.roots)
        self.rounds: tuple[Round, ...] = checked.rounds
        self.final_round: str | None = checked.final_round
        self.awards: tuple[Award, ...] = tuple(a for a, _ in checked.awards)
        self.ranking: tuple[tuple[str, str], ...] = tuple(
            (o.direction, o.expr.span.text()) for o in checked.ranking
        )
        self._program: Program = Compiler(checked, self.facts).program()
        self._rollup: RollupSpec | None = checked.rollup
        self._fast = fastpath.build(checked, self._program)
        self._order: tuple[str, ...] = tuple(_preorder(self._program.roots))
        self._info = {
            node.code: (node.title, node.kind, node.is_criterion, node.assumptions,
                        tuple(child.code for child in node.children))
            for node in _all_nodes(self._program.roots)
        }
        self._required = tuple(
            name for name, spec in self.facts.items() if spec.required and spec.kind != "assessed"
        )
        #: Every number written in the rules: the boundaries property tests should reach.
        self.constants: frozenset[Decimal] = frozenset(_constants(checked))

    # ------------------------------------------------------------ identity
    @property
    def id(self) -> str:
        return self.header.id

    @property
    def title(self) -> str | None:
        return self.header.title

    @property
    def total(self) -> Decimal | None:
        return self.header.total

    def __repr__(self) -> str:
        return f"<Ruleset {self.id!r}: {len(self.criteria)} criteria, total {self.total}>"

    def __reduce__(self) -> tuple[Callable[..., Ruleset], tuple[str, str]]:
        """Pickles as its source text; unpickling parses, checks and compiles it again."""
        return (_from_source, (self.source.text, self.source.name))

    def evaluate_many(
        self,
        units: Iterable[Mapping[str, object]],
        *,
        trace: bool = False,
        processes: int | None = None,
        batch: int = 512,
    ) -> Iterator[Result]:
        """Score units one after another, streaming: memory does not grow with their number.

        ``processes`` > 1 spreads each batch of ``batch`` units over that many processes
        (results keep the input's order). A bad unit raises its ``FactsError`` when reached.
        """
        if processes is not None and (not isinstance(processes, int) or processes < 1):
            raise OptionError(f"Expected a positive int for processes, got {processes!r}")
        if not isinstance(batch, int) or batch < 1:
            raise OptionError(f"Expected a positive int for batch, got {batch!r}")
        if not processes or processes == 1:
            for unit in units:
                yield self.evaluate(unit, trace=trace)
            return
        from .reports.parallel import evaluate_parallel

        yield from evaluate_parallel(self, units, trace=trace, processes=processes, batch=batch)

    # ------------------------------------------------------------ evaluation
    @property
    def cohorts(self) -> tuple[str, ...]:
        """The cohort aggregates the rules read (``max(ty_le)``, ``count``…), by key."""
        return tuple(self._program.cohorts)

    def evaluate(
        self,
        facts: Mapping[str, object],
        *,
        trace: bool = True,
        cohort: Mapping[str, object] | None = None,
    ) -> Result:
        """Score one unit from its facts; raise ``FactsError`` listing every bad or missing fact.

        A ruleset whose rules read cohort aggregates is scored with ``evaluate_cohort``, or
        here with each aggregate's value given in ``cohort`` (key as in ``rs.cohorts``).
        """
        given = _given_cohort(self, cohort) if cohort is not None else None
        return self._evaluate(facts, trace=trace, cohort=given)

    def evaluate_cohort(
        self, units: Mapping[str, Mapping[str, object]], *, trace: bool = True
    ) -> Mapping[str, Result]:
        """Score units together: cohort aggregates first, then every unit (name -> Result)."""
        from .reports.cohort import evaluate_cohort

        return evaluate_cohort(self, units, trace=trace)

    def _evaluate(
        self,
        facts: Mapping[str, object],
        *,
        trace: bool,
        cohort: Mapping[str, tuple[Decimal, str]] | None,
        unit: str | None = None,
        overrides: Mapping[str, tuple[NodeResult, Step]] | None = None,
    ) -> Result:
        result, _walk, invalid, missing = self._run(facts, trace=trace, cohort=cohort, overrides=overrides)
        if invalid or missing:
            raise FactsError(invalid + missing, unit=unit)
        assert result is not None
        return result

    def _run(
        self,
        facts: Mapping[str, object],
        *,
        trace: bool,
        cohort: Mapping[str, tuple[Decimal, str]] | None,
        overrides: Mapping[str, tuple[NodeResult, Step]] | None = None,
    ) -> tuple[Result | None, _Walk, list[FactProblem], list[FactProblem]]:
        """Evaluate: the result (None on any problem), the walk, bad facts, missing facts."""
        values, defaults, problems = validate(self.facts, facts)
        if not trace and overrides is None and not problems and self._fast is not None:
            fast = self._fast_result(values, cohort)
            if fast is not None:
                return fast, _Walk(Ctx(values, defaults, False)), [], []
        ctx = Ctx(values, defaults, trace)
        ctx.cohort = cohort
        walk = _Walk(ctx, overrides)
        try:
            roots = [walk.node(root) for root in self._program.roots]
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
        missing += [_missing(m, self.facts) for name, m in walk.missing.items() if name not in bad]
        problems += walk.invalid
        if problems or missing:
            return None, walk, problems, missing
        sums = {"standard": ZERO, "bonus": ZERO, "deduction": ZERO}
        applicable_max = ZERO
        for root, result in zip(self._program.roots, roots, strict=True):
            assert result is not None
            if result.score is not None:
                sums[root.kind] += result.score
                if root.kind != "deduction":
                    applicable_max += result.applicable_max
        return Result(
            ruleset=self.id, nodes=FrozenMap(walk.out), sections=self.sections,
            standard=sums["standard"], bonus=sums["bonus"], deductions=sums["deduction"],
            applicable_max=applicable_max, facts=FrozenMap(values),
            cohort=FrozenMap(cohort) if cohort else EMPTY, places=self.header.rounding,
        ), walk, [], []


    def _fast_result(
        self, values: dict[str, Value], cohort: Mapping[str, tuple[Decimal, str]] | None
    ) -> Result | None:
        """The generated path's result, or None to let the traced path find the problem."""
        assert self._fast is not None
        if any(name not in values for name in self._required):
            return None
        try:
            with localcontext(ARITHMETIC):
                out = self._fast(values, cohort)
        except fastpath._Fallback:
            return None
        sums = {"standard": ZERO, "bonus": ZERO, "deduction": ZERO}
        applicable_max = ZERO
        for root in self._program.roots:
            score, _raw, _top, root_max, _counted = out[root.code]
            if score is not None:
                sums[root.kind] += score
                if root.kind != "deduction":
                    applicable_max += root_max
        return Result(
            ruleset=self.id, nodes=_LazyNodes(out, self._info, self._order), sections=self.sections,
            standard=sums["standard"], bonus=sums["bonus"], deductions=sums["deduction"],
            applicable_max=applicable_max, facts=FrozenMap.owning(values),
            cohort=FrozenMap(cohort) if cohort else EMPTY, places=self.header.rounding,
        )

    def evaluate_submission(
        self, rounds: Mapping[str, object], *, unit: str | None = None, trace: bool = True
    ) -> Submission:
        """Score a unit's rounds (``{"self": facts, "appraised": facts}``) side by side.

        A round is a mapping of facts, or ``{"facts": …, "claims": {code: score}}`` when the unit
        also wrote its scores on the form. Judged scores and claims above a max are flagged.
        """
        return evaluate_submission(self, rounds, unit=unit, trace=trace)

    def evaluate_periods(
        self, periods: Mapping[str, Mapping[str, object]], *, trace: bool = True
    ) -> Rollup:
        """Score each period sheet and roll them up as the ruleset's ``rollup`` declares."""
        from .reports.rollup import evaluate_periods

        return evaluate_periods(self, periods, trace=trace)

    def classify(self, name: str, units: Mapping[str, object]) -> Classification:
        """Classify units by the ruleset's ``classify name``: bands, conditions, quotas."""
        from .reports.classify import classify

        return classify(self, name, units)

    def rank(self, units: Mapping[str, object]) -> Standings:
        """Rank units (name -> facts, Result or Submission) and give the declared awards."""
        return rank(self, units)


def _preorder(nodes: tuple[CNode, ...]) -> list[str]:
    out: list[str] = []
    for node in nodes:
        out.append(node.code)
        out += _preorder(node.children)
    return out


def _all_nodes(nodes: tuple[CNode, ...]) -> list[CNode]:
    out: list[CNode] = []
    for node in nodes:
        out.append(node)
        out += _all_nodes(node.children)
    return out


class _LazyNodes(Mapping[str, NodeResult]):
    """The nodes of an untraced result, each built when first read (most callers read few)."""

    __slots__ = ("_info", "_made", "_order", "_out")

    def __init__(
        self, out: dict[str, fastpath.Outcome], info: Mapping[str, tuple], order: tuple[str, ...]  # type: ignore[type-arg]
    ) -> None:
        self._out = out
        self._info = info
        self._order = order
        self._made: dict[str, NodeResult] = {}

    def __getitem__(self, code: str) -> NodeResult:
        made = self._made.get(code)
        if made is not None:
            return made
        score, raw, top, applicable_max, counted = self._out[code]
        title, kind, is_criterion, assumptions, children = self._info[code]
        if counted:
            assumptions = _merge(assumptions, [self[child] for child in counted])
        made = NodeResult(
            code=code, title=title, kind=kind, is_criterion=is_criterion, score=score, max=top,
            applicable_max=applicable_max, raw=raw, inputs=EMPTY, trace=(),
            assumptions=assumptions, children=children,
        )
        self._made[code] = made
        return made

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)

    def __reduce__(self) -> tuple[type[FrozenMap[str, NodeResult]], tuple[dict[str, NodeResult]]]:
        return (FrozenMap, ({code: self[code] for code in self._order},))


def _given_cohort(rs: Ruleset, cohort: Mapping[str, object]) -> dict[str, tuple[Decimal, str]]:
    """Aggregate values given by the caller, checked: known keys, exact numbers."""
    from .evaluation.runtime import _number

    problems = []
    out: dict[str, tuple[Decimal, str]] = {}
    for key, value in cohort.items():
        name = " ".join(str(key).split())
        if name not in rs.cohorts:
            from .text import suggest

            hint = suggest(name, rs.cohorts)
            message = "not an aggregate the rules read" + (f"; {hint}" if hint else "")
            problems.append(FactProblem(f"cohort {key}", message))
            continue
        number = _number(value)
        if isinstance(number, str):
            problems.append(FactProblem(f"cohort {key}", number))
        else:
            out[name] = (number, "given by the caller")
    if problems:
        raise FactsError(problems)
    return out


def _constants(checked: Checker) -> set[Decimal]:
    """Every number written in the rules, the derived values and the applicability tests."""
    roots = [*checked.rules.values(), *checked.applicability.values(), *(d.expr for d in checked.lets.values())]
    return {node.value for root in roots for node in walk(root) if isinstance(node, Number)}


def _uses_assessed(checked: Checker, code: str) -> bool:
    return any(isinstance(node, Assessed) for node in walk(checked.rules[code]))


def _missing(error: MissingFact, facts: Mapping[str, FactSpec]) -> FactProblem:
    spec = facts.get(error.name)
    if spec is not None and spec.kind == "assessed":
        return FactProblem(
            error.name, f"missing: the judged score of criterion {error.name} (0 to {spec.high})"
        )
    label = f" ({spec.label})" if spec is not None else ""
    return FactProblem(error.name, f"missing{label}; criterion {error.code} needs it")


class _Walk:
    """One evaluation of the tree: results in sheet order, and the facts found missing."""

    def __init__(self, ctx: Ctx, overrides: Mapping[str, tuple[NodeResult, Step]] | None = None) -> None:
        self.ctx = ctx
        self.tracing = ctx.trace is not None
        self.out: dict[str, NodeResult] = {}
        self.missing: dict[str, MissingFact] = {}
        self.invalid: list[FactProblem] = []
        #: Scores decided elsewhere (the final round's choice per criterion), with their step.
        self.overrides = overrides

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
        result = NodeResult(
            code=node.code, title=node.title, kind=node.kind, is_criterion=node.is_criterion,
            score=None, max=node.max, applicable_max=ZERO, raw=None, inputs=EMPTY,
            trace=tuple(trace or ()), assumptions=node.assumptions,
            children=tuple(child.code for child in node.children),
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
        try:
            unit_max = node.top(ctx.values)
        except MissingFact as error:
            self.missing.setdefault(error.name, error)
            return None
        decided = self.overrides.get(node.code) if self.overrides is not None else None
        if applicable and decided is not None:
            chosen, step = decided
            score, raw = chosen.score, chosen.raw
            ctx.inputs = dict(chosen.inputs)
            if ctx.trace is not None:
                ctx.trace.extend(chosen.trace)
                ctx.trace.append(step)
        elif applicable:
            assert node.rule is not None
            try:
                value = node.rule(ctx)
            except MissingFact as error:
                self.missing.setdefault(error.name, error)
                return None
            assert isinstance(value, Decimal)
            raw = value
            score = raw if raw > 0 else ZERO
            note = "raised to 0" if raw < 0 else ""
            top = unit_max
            judged = ctx.values.get(node.code)
            if node.max_by is not None and isinstance(judged, Decimal) and top is not None and judged > top:
                self.invalid.append(FactProblem(
                    node.code, f"the assessed score {judged} is above the max {top} of {node.code} "
                    f"for this kind of unit"))
            if top is not None and score > top:
                score = top
                note = f"capped at max {top}"
            if ctx.trace is not None:
                ctx.trace.append(Step("cap", node.code, (raw, ZERO, top), score, note))
        top = unit_max if unit_max is not None else ZERO
        result = NodeResult(
            code=node.code, title=node.title, kind=node.kind, is_criterion=True, score=score,
            max=unit_max, applicable_max=top if applicable else ZERO, raw=raw,
            inputs=FrozenMap.owning(ctx.inputs), trace=tuple(ctx.trace or ()),
            assumptions=node.assumptions,
        )
        self.out[node.code] = result
        return result

    def group(self, node: CNode, applicable: bool) -> NodeResult | None:
        own_trace = self.ctx.trace
        self.out[node.code] = None  # type: ignore[assignment]  # the section comes before its items
        children = [self.node(child) for child in node.children]
        if any(child is None for child in children):
            del self.out[node.code]
            return None
        try:
            unit_max = node.top(self.ctx.values)
        except MissingFact as error:
            self.missing.setdefault(error.name, error)
            del self.out[node.code]
            return None
        counted = [r for r in children if r is not None and r.score is not None]
        score: Decimal | None = None
        raw: Decimal | None = None
        applicable_max = ZERO
        if applicable and counted:
            raw = sum((r.score for r in counted if r.score is not None), ZERO)
            applicable_max = sum((r.applicable_max for r in counted), ZERO)
            score = raw
            note = ""
            limit = node.limit(self.ctx.values)
            if limit is not None:
                applicable_max = min(applicable_max, limit)
                if raw > limit:
                    score = limit
                    note = f"capped at {limit}"
            if own_trace is not None:
                parts = tuple(r.score for r in counted)
                own_trace.append(Step("sum", node.code, parts, raw, " + ".join(r.code for r in counted)))
                own_trace.append(Step("cap", node.code, (raw, ZERO, limit), score, note))
        elif own_trace is not None and applicable:
            own_trace.append(Step("not applicable", node.code, (), None, "no item applies"))
        result = NodeResult(
            code=node.code, title=node.title, kind=node.kind, is_criterion=False, score=score,
            max=unit_max, applicable_max=applicable_max, raw=raw, inputs=EMPTY,
            trace=tuple(own_trace or ()), assumptions=_merge(node.assumptions, counted),
            children=tuple(child.code for child in node.children),
        )
        self.out[node.code] = result
        return result


def _merge(own: tuple[str, ...], children: list[NodeResult]) -> tuple[str, ...]:
    """A group's assumptions: its own and every one its counted items depend on, once each."""
    merged = dict.fromkeys(own)
    for child in children:
        merged.update(dict.fromkeys(child.assumptions))
    return tuple(merged)


# ---------------------------------------------------------------- loading


def _from_source(text: str, name: str) -> Ruleset:
    return loads(text, source=name)



def loads(text: str, *, source: str = "<string>") -> Ruleset:
    """Parse, check and compile a ruleset given as text; ``source`` names it in messages."""
    if not isinstance(text, str):
        raise RulesetError([Diagnostic("error", f"expected the ruleset as text, got {type(text).__name__}", None)])
    src = Source(source, nfc(text))
    tree = to_nodes(parse(src), src)
    checked = Checker(tree).run()
    if checked.failed:
        raise RulesetError(checked.diagnostics)
    return Ruleset(checked, src)


def load(path: str | os.PathLike[str]) -> Ruleset:
    """Load a ruleset file (UTF-8)."""
    name = os.fspath(path)
    try:
        with open(name, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise RulesetError([Diagnostic("error", f"cannot read {name}: {error.strerror}", None)]) from None
    bom = b"\xef\xbb\xbf"
    body = data[len(bom):] if data.startswith(bom) else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        line = body[: error.start].count(b"\n") + 1
        line_start = body.rfind(b"\n", 0, error.start) + 1
        column = len(body[line_start : error.start].decode("utf-8", errors="replace")) + 1
        src = Source(name, body.decode("utf-8", errors="replace"))
        from .source import Span

        raise RulesetError([Diagnostic(
            "error", "the file is not valid UTF-8", Span(src, line, column, line, column + 1),
            "save it as UTF-8",
        )]) from None
    return loads(text, source=name)

