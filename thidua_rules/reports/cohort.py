"""Scoring units together: the cohort aggregates first, then each unit with their values."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..errors import FactProblem, FactsError
from ..evaluation.result import FrozenMap, Result
from ..evaluation.runtime import Ctx, MissingFact
from ..language.builtins import AGGREGATES
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


def evaluate_cohort(
    ev: Evaluator, units: Mapping[str, Mapping[str, object]], *, trace: bool = True
) -> Mapping[str, Result]:
    """Aggregates first, then each unit's result; one FactsError listing each problem once.

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
    scored = program.cohort_levels
    for key in program.cohorts:
        if key not in scored:
            _aggregate(ev, key, contexts, views, report)
    if problems:
        raise FactsError(list(problems.values()))
    if scored:
        # Aggregates of units' scores, level by level: score every unit with what is known (an
        # aggregate not yet known reads 0, and nothing scored from it is read at this level),
        # then compute the aggregates of this level from those scores.
        for level in range(max(scored.values()) + 1):
            pending = [key for key, at in scored.items() if at == level]
            for unit in views:
                for key in scored:
                    views[unit].setdefault(key, (Decimal(0), "not yet known"))
            scored_units = _score(ev, units, views, report)
            if problems:
                raise FactsError(list(problems.values()))
            ranked = {unit: _result_context(result) for unit, result in scored_units.items()}
            for key in pending:
                _aggregate(ev, key, ranked, views, report)
            if problems:
                raise FactsError(list(problems.values()))
    results = _score(ev, units, views, report, trace=trace)
    if problems:
        raise FactsError(list(problems.values()))
    return FrozenMap(results)


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
        assert isinstance(value, Decimal)
        per_unit[unit] = value
    if per_unit:
        shared = AGGREGATES[func].run(per_unit, ev.header.rounding)
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
