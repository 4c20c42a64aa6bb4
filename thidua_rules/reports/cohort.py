"""Scoring units together: the cohort aggregates first, then each unit with their values."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..errors import EvaluationError, FactProblem, FactsError
from ..evaluation.compiler import class_key
from ..evaluation.result import FrozenMap, Result
from ..evaluation.runtime import CohortNeeded, Ctx, MissingFact
from ..language.builtins import aggregate_of
from ..model import UNCLASSIFIED
from ..numbers import exact
from ..source import fold

if TYPE_CHECKING:
    from ..evaluation.evaluator import Evaluator


@exact
def same_units(units: Mapping[Any, object]) -> list[FactProblem]:
    """Units named twice: names equal as text, or apart only in case, spacing or Unicode form."""
    problems: list[FactProblem] = []
    seen: dict[str, str] = {}
    for unit in units:
        key = fold(str(unit))
        if key in seen:
            problems.append(FactProblem(str(unit), f'the same unit as "{seen[key]}" (names are compared without '
                                        "regard to case, spacing or Unicode form); a unit is counted once"))
        seen.setdefault(key, str(unit))
    return problems


#: Each unit's level (None: not classified) in a classification, from the units' results:
#: ``reports.classify.levels_in`` for the evaluator, passed down by the callers (classify ranks,
#: and ranking scores cohorts, so this module cannot import it).
Levels = Callable[[str, Mapping[str, Result]], Mapping[str, "str | None"]]


def evaluate_cohort(
    ev: Evaluator, units: Mapping[str, Mapping[str, object]], *, trace: bool = True, levels: Levels | None = None,
) -> Mapping[str, Result]:
    """Aggregates first, then each unit's result; one FactsError listing each problem once.
    ``levels`` classifies the units for the aggregates that read their levels (``class(…)``).

    An aggregate read inside a criterion is taken over the units that criterion applies to:
    a unit it does not apply to neither needs the fact nor sets the value for the others.
    """
    if not isinstance(units, Mapping) or not units:
        raise FactsError([FactProblem("(units)", "expected a non-empty mapping of unit names to facts")])
    duplicates = same_units(units)
    if duplicates:
        raise FactsError(duplicates)
    problems: dict[str, FactProblem] = {}

    def report(problem: FactProblem) -> None:
        problems.setdefault(problem.fact, problem)  # one problem per bad fact, as evaluate gives

    contexts: dict[str, Ctx] = {}
    for unit, facts in units.items():
        values, defaults, found, _complete = ev.validate(facts)
        for p in found:
            report(FactProblem(f"{unit}: {p.fact}", p.message))
        if not found:
            contexts[str(unit)] = Ctx(values, defaults, trace=False)
    program = ev.program
    views: dict[str, dict[str, tuple[Decimal, str]]] = {str(unit): {} for unit in units}
    scored = program.cohort_scores
    for unit, ctx in contexts.items():
        ctx.cohort = views[unit]  # the aggregates known so far, for the conditions that read them
    _aggregate_facts(ev, [key for key in program.cohorts if key not in scored], contexts, views, report)
    if problems:
        raise FactsError(list(problems.values()))
    if scored:
        _aggregate_scores(ev, units, views, report, problems, levels)
    results = _score(ev, units, views, report, trace=trace)
    if problems:
        raise FactsError(list(problems.values()))
    return FrozenMap(results)


def _aggregate_facts(ev: Evaluator, keys: list[str], contexts: Mapping[str, Ctx],
                     views: dict[str, dict[str, tuple[Decimal, str]]], report: Any) -> None:
    """The aggregates of facts, each once those it needs are known: an aggregate read in a
    criterion is over the units the criterion applies to, and whether it applies may read another
    aggregate (``applicable if so_vb >= cohort mean(so_vb)``), over every unit, computed first."""
    pending = keys
    while pending:
        waiting = []
        for key in pending:
            try:
                _aggregate(ev, key, contexts, views, report)
            except CohortNeeded:
                waiting.append(key)
        if len(waiting) == len(pending):
            raise EvaluationError(f"the cohort aggregates {', '.join(waiting)} cannot be computed: the units "
                                  "each takes in depend on another of them")
        pending = waiting


def _aggregate_scores(ev: Evaluator, units: Mapping[str, Mapping[str, object]],
                      views: dict[str, dict[str, tuple[Decimal, str]]], report: Any,
                      problems: Mapping[str, FactProblem], levels: Levels | None) -> None:
    """The aggregates of units' scores, as soon as the units allow: score every unit with what
    is known (an aggregate not yet known reads 0), then compute each aggregate none of whose
    units' scores read (through a criterion that applies to the unit) an aggregate not yet
    known; repeat. When none can be computed, the units make a cycle: one problem says which."""
    program = ev.program
    readers: dict[str, set[str]] = {}
    for key in program.cohort_scores:
        for user in program.cohort_users.get(key, frozenset()):
            if user is not None:
                readers.setdefault(user, set()).add(key)
    known: set[str] = set()
    while True:
        for unit in views:
            for key in program.cohort_scores:
                if key not in known:
                    views[unit][key] = (Decimal(0), "not yet known")
        results = _score(ev, units, views, report)
        if problems:
            raise FactsError(list(problems.values()))
        contexts = {unit: _result_context(result) for unit, result in results.items()}
        before = set(known)
        blocked: dict[str, tuple[str, str, str]] = {}
        classes: dict[str, Mapping[str, str]] = {}  # classification -> each unit's level, this round
        for key, (value_reads, where_reads) in program.cohort_scores.items():
            if key in known:
                continue
            reason = _blocked(ev, key, value_reads, where_reads, results, contexts, readers, before)
            if reason is None:
                names = ev.model.cohort_levels.get(key, ())
                waiting = sorted(inner for name in names for inner in ev.model.class_cohorts.get(name, ())
                                 if inner in program.cohort_scores and inner not in before)
                if waiting:  # the classification itself reads an aggregate of scores not yet known
                    blocked[key] = (next(iter(results)), f"classification {names[0]}", waiting[0])
                    continue
                for name in names:
                    if name not in classes:
                        classes[name] = _levels(levels, name, results, report)
                seen = {unit: _with_levels(ctx, unit, names, classes) for unit, ctx in contexts.items()}
                _aggregate(ev, key, seen, views, report)
                known.add(key)
            else:
                blocked[key] = reason
        if problems:
            raise FactsError(list(problems.values()))
        if not blocked:
            return
        if known == before:
            key, (unit, criterion, inner) = next(iter(blocked.items()))
            names = ev.model.cohort_levels.get(key, ())
            takes = f"it takes in {unit}"
            if names:  # through the levels: name the classification, and its quota if it has one
                quota = any(rule[0] == "quota" for name in names for rule in program.classes[name].rules)
                takes = (f"it reads the levels of classification {', '.join(names)}, which take in {unit}"
                         + (" (a quota ranks every unit given)" if quota else ""))
            raise FactsError([FactProblem(
                f"{unit}: {criterion}",
                f"the cohort aggregate {key} cannot be computed: {takes}, whose {criterion} reads "
                f"the cohort aggregate {inner}, which cannot be computed before it (a cycle among the "
                "units given); pick the units with where … so that no unit both takes part and reads it")])


def _blocked(ev: Evaluator, key: str, value_reads: frozenset[str], where_reads: frozenset[str],
             results: Mapping[str, Result], contexts: Mapping[str, Ctx], readers: Mapping[str, set[str]],
             known: set[str]) -> tuple[str, str, str] | None:
    """Why ``key`` cannot be computed yet: a unit, a criterion applying to it whose score the
    aggregate reads, and the unknown aggregate that criterion reads; None when it can be."""
    program = ev.program
    where = program.cohort_where.get(key)
    users = program.cohort_users.get(key, frozenset({None}))
    for unit, result in results.items():
        ctx = contexts[unit]
        try:
            takes_part = where(ctx) if where is not None else _takes_part(users, program.chains, ctx)
        except MissingFact:
            takes_part = True  # reported when the aggregate is computed
        # a unit's membership is read from its scores too: every unit counts then
        reads = (value_reads if takes_part else frozenset()) | where_reads
        for criterion in sorted(reads):
            if result[criterion].score is None:
                continue  # the criterion does not apply to this unit
            for inner in sorted(readers.get(criterion, ())):
                if inner not in known:
                    return unit, criterion, inner
    return None


def _score(ev: Evaluator, units: Mapping[str, Mapping[str, object]],
           views: Mapping[str, Mapping[str, tuple[Decimal, str]]], report: Any, *, trace: bool = False,
           ) -> dict[str, Result]:
    """Every unit's result with the aggregates as ``views`` gives them; problems reported."""
    results: dict[str, Result] = {}
    for unit, facts in units.items():
        try:
            results[str(unit)] = ev.evaluate(facts, trace=trace, cohort=views[str(unit)], unit=str(unit))
        except FactsError as error:
            for p in error.problems:
                report(FactProblem(f"{unit}: {p.fact}", p.message))
    return results


def _levels(levels: Levels | None, name: str, results: Mapping[str, Result], report: Any) -> Mapping[str, str]:
    """Every unit's level in classification ``name``, classified from the results as they stand
    (the aggregates a level reads are known: ``_blocked`` saw to it); problems reported."""
    if levels is None:  # every public entry point passes reports.classify.levels_in
        raise EvaluationError(f"the rules read the units' levels in classification {name}: score them "
                              "together with rs.evaluate_cohort(units) or rs.rank(units)")
    try:
        found = levels(name, results)
    except FactsError as error:
        for p in error.problems:
            report(FactProblem(p.fact, f"{p.message} (the cohort aggregates of class({name}) read it)"))
        return {}
    return {unit: level if level is not None else UNCLASSIFIED for unit, level in found.items()}


def _with_levels(ctx: Ctx, unit: str, names: tuple[str, ...], classes: Mapping[str, Mapping[str, str]]) -> Ctx:
    """A unit's context with its level in each classification an aggregate reads (``class(…)``)."""
    if not names:
        return ctx
    values = dict(ctx.values)
    for name in names:
        if unit in classes.get(name, {}):
            values[class_key(name)] = classes[name][unit]
    out = Ctx(values, frozenset(), trace=False)
    out.result, out.cohort = ctx.result, ctx.cohort
    return out


def _result_context(result: Result) -> Ctx:
    """A unit's facts and scores, for an aggregate that reads scores."""
    ctx = Ctx(result.facts, frozenset(), trace=False)
    ctx.result = result
    ctx.cohort = result.cohort
    return ctx


def _aggregate(ev: Evaluator, key: str, contexts: Mapping[str, Ctx],
               views: dict[str, dict[str, tuple[Decimal, str]]], report: Any) -> None:
    """One aggregate over the units that take part, written into each unit's view."""
    program = ev.program
    func, arg = program.cohorts[key]
    users = program.cohort_users.get(key, frozenset({None}))
    where = program.cohort_where.get(key)
    per_unit: dict[str, Decimal] = {}
    for unit, ctx in contexts.items():
        try:
            if where is not None:
                if not where(ctx):
                    continue
            elif not _takes_part(users, program.chains, ctx):
                continue
            value = arg(ctx) if arg is not None else Decimal(0)
        except MissingFact as error:
            report(FactProblem(f"{unit}: {error.name}", f"missing; the cohort aggregate {key} needs it"))
            continue
        if isinstance(value, bool):  # cohort count(CONDITION): 1 where it holds
            value = Decimal(int(value))
        assert isinstance(value, Decimal)
        per_unit[unit] = value
    if per_unit:
        shared = aggregate_of(func, arg is not None).run(per_unit, ev.header.rounding)
        fallback = next(iter(shared.values()))
    else:
        shared, fallback = {}, (Decimal(0), "no unit of the cohort takes part")
    for unit in views:
        views[unit][key] = shared.get(unit, fallback)


def _takes_part(users: frozenset[str | None], chains: Mapping[str, tuple[object, ...]], ctx: Ctx) -> bool:
    """Whether a unit counts in an aggregate: read outside criteria, or in one that applies to it."""
    if None in users:
        return True
    return any(all(test(ctx) for test in chains.get(code, ())) for code in users if code is not None)  # type: ignore[operator]
