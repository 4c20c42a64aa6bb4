"""Classification of units into bands, with conditions besides the number, and quotas."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from decimal import ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import EvaluationError, FactProblem, FactsError, UnknownUnitError
from ..evaluation.compiler import NoPercentage
from ..evaluation.result import FrozenMap, Result, jsonable
from ..evaluation.runtime import MissingFact
from ..numbers import exact
from ..source import fold

if TYPE_CHECKING:
    from ..evaluation.compiler import ClassPlan
    from ..evaluation.evaluator import Evaluator


@attrs.frozen
class UnitClass:
    """One unit's class: the band its number falls in, the level it gets, and why."""

    unit: str
    total: Decimal
    band: str
    level: str | None  # None: not classified
    reasons: tuple[str, ...]

    @exact
    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "total": jsonable(self.total), "band": self.band,
                "level": self.level, "reasons": list(self.reasons)}


@attrs.frozen
class Classification:
    """Every unit's class (in ranking order), and the units tied at a quota's boundary."""

    name: str
    title: str | None
    levels: tuple[str, ...]
    units: tuple[UnitClass, ...]
    quota_ties: Mapping[str, tuple[str, ...]]

    def __getitem__(self, unit: str) -> UnitClass:
        for entry in self.units:
            if entry.unit == unit:
                return entry
        raise UnknownUnitError(unit, [e.unit for e in self.units])

    def __iter__(self) -> Iterator[UnitClass]:
        """The units' classes in ranking order (``for entry in classification``)."""
        return iter(self.units)

    def __len__(self) -> int:
        return len(self.units)

    @exact
    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "levels": list(self.levels),
                "units": [u.to_dict() for u in self.units],
                "quota_ties": {k: list(v) for k, v in self.quota_ties.items()}}


def _plan(ev: Evaluator, name: str) -> ClassPlan:
    plan = ev.program.classes.get(name)
    if plan is None:
        from ..text import suggest

        hint = suggest(str(name), ev.program.classes) or "the ruleset declares: " + ", ".join(ev.program.classes)
        raise EvaluationError(f'no classification "{name}"; {hint}')
    return plan


@exact
def classify(ev: Evaluator, name: str, units: Mapping[str, object]) -> Classification:
    """Classify units (name -> facts, Result or Submission) by the ruleset's ``classify name``."""
    return _classify(ev, _plan(ev, name), units, {}, None)


@exact
def classify_periods(
    ev: Evaluator, name: str, periods: Mapping[str, Mapping[str, object]]
) -> Mapping[str, Classification]:
    """Classify the units of each period, in the order given; a requirement written ``onward``
    that a unit fails in one period counts as failed for it in every later period."""
    plan = _plan(ev, name)
    if not isinstance(periods, Mapping) or not periods:
        raise FactsError([FactProblem("(periods)", "expected a non-empty mapping of periods to units")])
    failed: dict[str, dict[int, str]] = {}  # unit -> onward rule index -> the period it failed in
    out: dict[str, Classification] = {}
    problems: list[FactProblem] = []
    for period, units in periods.items():
        try:
            out[str(period)] = _classify(ev, plan, units, failed, str(period))
        except FactsError as error:
            problems += [FactProblem(f"{period}: {p.fact}", p.message) for p in error.problems]
    if problems:
        raise FactsError(problems)
    return FrozenMap(out)


def levels_in(ev: Evaluator, name: str, results: Mapping[str, object]) -> Mapping[str, str | None]:
    """Each unit's level (None: not classified) in classification ``name``: what ``class(name)``
    reads in a cohort aggregate (reports.cohort calls it with the units' results)."""
    return {entry.unit: entry.level for entry in _classify(ev, _plan(ev, name), results, {}, None)}


def _classify(ev: Evaluator, plan: ClassPlan, units: Mapping[str, object],
              failed: dict[str, dict[int, str]], period: str | None) -> Classification:
    from .ranking import NO_PERCENTAGE, rank, result_context

    standings = rank(ev, units, levels=functools.partial(levels_in, ev))
    results: Mapping[str, Result] = standings.results
    problems: list[FactProblem] = []
    levels = plan.levels
    current: dict[str, int | None] = {}
    bands: dict[str, str] = {}
    reasons: dict[str, list[str]] = {}
    for entry in standings:
        unit = entry.unit
        ctx = result_context(results[unit])
        if plan.by_percentage and results[unit].percentage is None:
            bands[unit], current[unit] = "", None
            reasons[unit] = ["not classified: nothing in the sheet applies to it, so it has no percentage"]
            continue
        try:
            band = str(plan.bands(ctx))
        except MissingFact as error:
            problems.append(FactProblem(f"{unit}: {error.name}", "missing; the classification needs it"))
            continue
        except NoPercentage:
            bands[unit], current[unit] = "", None
            reasons[unit] = [f"not classified: {NO_PERCENTAGE}, which its band reads"]
            continue
        bands[unit] = band
        if not band:
            current[unit] = None
            reasons[unit] = ["not classified: none of the bands' conditions holds"]
            continue
        index: int | None = levels.index(band)
        notes = [f"{band} by its number" if plan.by_number else f"{band} by its conditions"]
        earlier = failed.setdefault(fold(unit), {})  # the same unit however its name is spelled
        for number, (kind, test, level, _amount, _percent, reason) in enumerate(plan.rules):
            if test is None:
                continue
            if index is None:
                break  # once unclassified, the later requirements are not read
            since = earlier.get(number)
            if since is not None:
                ok, reason = False, f"{reason} (since {since})"
            else:
                try:
                    ok = bool(test(ctx))
                except MissingFact as error:
                    problems.append(FactProblem(f"{unit}: {error.name}", "missing; the classification needs it"))
                    continue
                except NoPercentage:
                    ok, reason = False, f"{reason} ({NO_PERCENTAGE})"
                if not ok and period is not None and plan.onward[number]:
                    earlier[number] = period
            if ok:
                continue
            if kind == "unclassified":
                index = None
                notes.append(f"not classified: {reason}")
            elif kind == "lower" and index == len(levels) - 1:
                notes.append(f"already the lowest level, {levels[index]}: {reason}")
            elif kind == "lower":
                index += 1
                notes.append(f"one level lower, {levels[index]}: {reason}")
            elif kind == "at_most" and level is not None and index < levels.index(level):
                index = levels.index(level)
                notes.append(f"at most {level}: {reason}")
        current[unit] = index
        reasons[unit] = notes
    if problems:
        raise FactsError(problems)
    ties: dict[str, tuple[str, ...]] = {}
    count = len(current)
    for kind, _test, level, amount, percent, _reason in plan.rules:
        if kind != "quota" or level is None or amount is None:
            continue
        target = levels.index(level)
        allowed = int((Decimal(count) * amount / 100).to_integral_value(ROUND_FLOOR)) if percent else int(amount)
        holders = [e.unit for e in standings if current.get(e.unit) == target]
        if len(holders) <= allowed:
            continue
        # A tie is judged as the ranking judges it: the same position after every tie-break.
        boundary = standings[holders[allowed - 1]].position if allowed > 0 else None
        tied = [u for u in holders if boundary is not None and standings[u].position == boundary]
        rule = f"quota: at most {allowed} of {count} unit(s) may be {level}" + (f" ({amount} %)" if percent else "")
        if boundary is not None and len([u for u in holders[:allowed] if u in tied]) < len(tied):
            ties[level] = tuple(tied)
            for unit in tied:
                reasons[unit].append(f"{rule}; tied at the boundary with "
                                     f"{', '.join(u for u in tied if u != unit)}: the council decides")
        for unit in holders[allowed:]:
            if unit in tied and level in ties:
                continue
            current[unit] = min(target + 1, len(levels) - 1)
            reasons[unit].append(f"{rule}; lowered to {levels[current[unit] or 0]}")
    entries = tuple(
        UnitClass(
            unit=e.unit, total=results[e.unit].total, band=bands[e.unit],
            level=levels[i] if (i := current[e.unit]) is not None else None,
            # The ranking's note that the unit is not (fully) appraised holds for its class too.
            reasons=tuple(reasons[e.unit]) + tuple(n for n in e.notes if n.startswith("chưa thẩm định")),
        )
        for e in standings
    )
    return Classification(plan.name, plan.title, levels, entries, FrozenMap(ties))
