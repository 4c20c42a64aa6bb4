"""Ranking units by their totals with declared tie-breaks, and giving awards to eligible units."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from ..errors import FactProblem, FactsError, UnknownUnitError
from ..evaluation.compiler import Fn, NoPercentage
from ..evaluation.result import SCHEMA_VERSION, FrozenMap, Result, jsonable
from ..evaluation.runtime import Ctx, MissingFact
from ..numbers import exact
from .cohort import Levels, evaluate_cohort, same_units
from .rollup import Rollup
from .submission import Submission

if TYPE_CHECKING:
    from ..evaluation.evaluator import Evaluator


#: Why a rule that reads the percentage cannot be met by a unit to which nothing applies.
NO_PERCENTAGE = "no percentage: nothing in the sheet applies to it"


@attrs.frozen
class Standing:
    """One unit's place: position (tied units share it), total, sort keys, award and notes."""

    unit: str
    position: int
    total: Decimal
    keys: tuple[Decimal, ...]
    award: str | None
    award_title: str | None
    tied_with: tuple[str, ...]
    notes: tuple[str, ...]

    @exact
    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit, "position": self.position, "total": jsonable(self.total),
            "keys": [jsonable(k) for k in self.keys], "award": self.award,
            "award_title": self.award_title, "tied_with": list(self.tied_with),
            "notes": list(self.notes),
        }


@attrs.frozen
class PassedOver:
    """A unit an award skipped, and the reasons (the requirements it failed)."""

    unit: str
    award: str
    reasons: tuple[str, ...]


E = TypeVar("E", "Standing", "Placed")


def _entry(entries: tuple[E, ...], unit: str) -> E:
    """A unit's entry in a ranking, or ``UnknownUnitError`` with a suggestion."""
    for entry in entries:
        if entry.unit == unit:
            return entry
    raise UnknownUnitError(unit, [e.unit for e in entries])


class _Entries:
    """A ranking read as its entries, best first."""

    __slots__ = ()
    entries: tuple[Any, ...]

    def __iter__(self) -> Any:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


@attrs.frozen
class Standings(_Entries):
    """The ranking of a cohort of units and the awards given.

    ``ties`` lists groups still tied after every declared tie-break; ``contested`` the units
    tied at an award's boundary, which the ruleset cannot separate (the award's remaining
    places stay open, ``unfilled``); ``passed_over`` the ineligible units an award skipped.
    """

    entries: tuple[Standing, ...]
    ties: tuple[tuple[str, ...], ...]
    awards: Mapping[str, tuple[str, ...]]
    passed_over: tuple[PassedOver, ...]
    contested: Mapping[str, tuple[str, ...]]
    unfilled: Mapping[str, int]
    reserved: Mapping[str, tuple[tuple[str, ...], int]] = attrs.field(factory=dict)
    #: Each unit's result, as ranked.
    results: Mapping[str, Result] = attrs.field(factory=dict, repr=False)
    #: The ruleset's named rankings (``ranking "theo cụm" within cum { … }``), by name.
    rankings: Mapping[str, Ranking] = attrs.field(factory=dict)

    def __hash__(self) -> int:
        return hash((self.entries, self.ties))

    def __getitem__(self, unit: str) -> Standing:
        return _entry(self.entries, unit)

    @exact
    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "standings": [e.to_dict() for e in self.entries],
            "ties": [list(t) for t in self.ties],
            "awards": {k: list(v) for k, v in self.awards.items()},
            "passed_over": [
                {"unit": p.unit, "award": p.award, "reasons": list(p.reasons)} for p in self.passed_over
            ],
            "contested": {k: list(v) for k, v in self.contested.items()},
            "unfilled": dict(self.unfilled),
            "reserved": {k: {"units": list(u), "places": n} for k, (u, n) in self.reserved.items()},
            "rankings": {k: v.to_dict() for k, v in self.rankings.items()},
        }


def _result_of(ev: Evaluator, unit: str, value: object, problems: list[FactProblem]) -> Result | None:
    if isinstance(value, Result):
        return value
    if isinstance(value, Submission):
        return value.final
    if isinstance(value, Rollup) and value.result is not None:
        return value.result  # a roll-up of periods ranks by its rolled-up scores
    if not isinstance(value, Mapping):
        problems.append(FactProblem(unit, "expected the unit's facts, a Result, a Submission or a Rollup"))
        return None
    try:
        return ev.evaluate(value, trace=False)
    except FactsError as error:
        problems.extend(FactProblem(f"{unit}: {p.fact}", p.message) for p in error.problems)
        return None


def result_context(result: Result) -> Ctx:
    ctx = Ctx(result.facts, frozenset(), trace=False)
    ctx.result = result
    ctx.cohort = result.cohort
    return ctx


@exact
def rank(ev: Evaluator, units: Mapping[str, object], *, levels: Levels | None = None) -> Standings:
    """Rank ``units`` (unit name -> facts, Result, Submission or Rollup) and give the ruleset's
    awards; each named ranking is in ``Standings.rankings``. ``levels``: as for ``evaluate_cohort``."""
    if not isinstance(units, Mapping):
        raise FactsError([FactProblem("(units)", "expected a mapping of unit names to facts")])
    problems: list[FactProblem] = []
    problems += same_units(units)
    if problems:
        raise FactsError(problems)
    results: dict[str, Result] = {}
    if ev.cohorts and units and all(isinstance(v, Mapping) for v in units.values()):
        results = dict(evaluate_cohort(ev, units, trace=False, levels=levels))  # type: ignore[arg-type]
    for unit, value in units.items():
        if str(unit) in results:
            continue
        result = _result_of(ev, str(unit), value, problems)
        if result is not None:
            results[str(unit)] = result
    orders = ev.program.ranking or (("highest", lambda ctx: ctx.result.total, "total"),)  # type: ignore[attr-defined]
    keys = _keys(results, orders, "the ranking", problems)
    named: dict[str, tuple[str | None, dict[str, tuple[Any, ...]], dict[str, str | None]]] = {}
    for name, (within, named_orders) in ev.program.rankings.items():
        named[name] = (within, _keys(results, named_orders, f'the ranking "{name}"', problems),
                       _groups(results, within, name, problems))
    if problems:
        raise FactsError(problems)
    ordered, positions, groups, notes = _order(list(keys), keys, orders)
    # The round that appraises: the final round when the ruleset names one, else the last.
    named_round = next((r for r in ev.rounds if r.name == ev.final_round), None)
    appraisal = (named_round or ev.rounds[-1]) if len(ev.rounds) > 1 else None
    pending: dict[str, list[str]] = {unit: [] for unit in ordered}
    for unit, value in units.items():
        if appraisal is not None and isinstance(value, Submission) and appraisal.name not in value.rounds:
            if appraisal.name in value.round_scores:  # given, but for some criteria only
                pending[str(unit)].append(
                    f"chưa thẩm định đủ (appraisal partial): {appraisal.label} scored some criteria only")
                continue
            given = ", ".join(r.label for r in ev.rounds if r.name in value.rounds) or "no complete round"
            pending[str(unit)].append(
                f"chưa thẩm định (not yet appraised): {appraisal.label} is not given, only {given}")
    notes = {unit: pending[unit] + notes[unit] for unit in ordered}
    ties = tuple(tuple(g) for g in groups.values() if len(g) > 1)
    rankings = {
        name: _named(name, within, ev.facts[within].levels if within is not None else (), list(keys),
                     named_keys, of, ev.program.rankings[name][1])
        for name, (within, named_keys, of) in named.items()
    }
    awarded, passed, contested, unfilled, reserved = _awards(ev, ordered, positions, results, notes)
    award_of = {unit: name for name, units_ in awarded.items() for unit in units_}
    titles = {a.name: a.title for a in ev.awards}
    entries = tuple(
        Standing(
            unit=unit, position=positions[unit], total=results[unit].total, keys=keys[unit],
            award=award_of.get(unit), award_title=titles.get(award_of.get(unit, "")),
            tied_with=tuple(u for u in groups[keys[unit]] if u != unit), notes=tuple(notes[unit]),
        )
        for unit in ordered
    )
    return Standings(
        entries, ties, FrozenMap(awarded), tuple(passed),
        FrozenMap(contested), FrozenMap(unfilled), FrozenMap(reserved),
        FrozenMap(results), FrozenMap(rankings),
    )


Orders = tuple[tuple[str, Any, str], ...]


def _keys(results: Mapping[str, Result], orders: Orders, what: str,
          problems: list[FactProblem]) -> dict[str, tuple[Any, ...]]:
    """Each unit's values of the keys ``orders``; a missing fact is a problem of the unit."""
    keys: dict[str, tuple[Any, ...]] = {}
    for unit, result in results.items():
        ctx = result_context(result)
        try:
            keys[unit] = tuple(_key(fn, ctx) for _, fn, _ in orders)
        except MissingFact as error:
            problems.append(FactProblem(f"{unit}: {error.name}", f"missing; {what} needs it"))
    return keys


def _key(fn: Any, ctx: Ctx) -> Any:
    """A key's value; None (sorted after every value) for a unit that has no percentage."""
    try:
        return fn(ctx)
    except NoPercentage:
        return None


def _groups(results: Mapping[str, Result], within: str | None, name: str,
            problems: list[FactProblem]) -> dict[str, str | None]:
    """Each unit's group: its level of the fact ``within`` (None: the ranking is of all units)."""
    of: dict[str, str | None] = {}
    for unit, result in results.items():
        if within is None:
            of[unit] = None
        elif within in result.facts:
            of[unit] = str(result.facts[within])
        else:
            problems.append(FactProblem(f"{unit}: {within}", f'missing; the ranking "{name}" groups the units by it'))
    return of


def _order(units: list[str], keys: Mapping[str, tuple[Any, ...]], orders: Orders) -> tuple[
    list[str], dict[str, int], dict[tuple[Any, ...], list[str]], dict[str, list[str]]
]:
    """``units`` best first by ``keys``: positions (tied units share one, the next are skipped),
    the groups of equal keys, and each unit's notes on its ties. Ties keep the given order."""

    def sort_key(unit: str) -> tuple[tuple[int, Decimal], ...]:
        # A key with no value (a percentage of nothing applicable) sorts after every value.
        return tuple(
            (1, Decimal(0)) if k is None else (0, -k if d == "highest" else k)
            for (d, _, _), k in zip(orders, keys[unit], strict=True)
        )

    ordered = sorted(units, key=sort_key)
    positions: dict[str, int] = {}
    groups: dict[tuple[Any, ...], list[str]] = {}
    for index, unit in enumerate(ordered, 1):
        group = groups.setdefault(keys[unit], [])
        positions[unit] = positions[group[0]] if group else index
        group.append(unit)
    notes: dict[str, list[str]] = {unit: [] for unit in ordered}
    first_key: dict[Any, list[str]] = {}
    for unit in ordered:
        first_key.setdefault(keys[unit][0], []).append(unit)
    for same in first_key.values():
        if len(same) > 1:
            for unit in same:
                others = [u for u in same if u != unit and keys[u] != keys[unit]]
                if others:
                    notes[unit].append(
                        f"equal {orders[0][2]} with {', '.join(others)}; separated by the tie-breaks: "
                        + ", ".join(f"{d} {text}" for d, _, text in orders[1:])
                    )
    for tied in (g for g in groups.values() if len(g) > 1):
        for unit in tied:
            notes[unit].append(
                "still tied with " + ", ".join(u for u in tied if u != unit)
                + (" after every tie-break" if len(orders) > 1 else " (the ruleset declares no tie-break)")
            )
    return ordered, positions, groups, notes


@attrs.frozen
class Placed:
    """One unit's place in a named ranking: its group (the level it is ranked within; None for
    a ranking of all units), its position in that group, the keys, ties and notes."""

    unit: str
    group: str | None
    position: int
    keys: tuple[Decimal | None, ...]
    tied_with: tuple[str, ...]
    notes: tuple[str, ...]

    @exact
    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "group": self.group, "position": self.position,
                "keys": [jsonable(k) for k in self.keys], "tied_with": list(self.tied_with),
                "notes": list(self.notes)}


@attrs.frozen
class Ranking(_Entries):
    """A named ranking: the units group by group (in the order of the fact's levels), each group
    best first; ``groups`` lists each group's units; ``ties`` the units equal on every key."""

    name: str
    within: str | None
    entries: tuple[Placed, ...]
    groups: Mapping[str | None, tuple[str, ...]]
    ties: tuple[tuple[str, ...], ...]

    def __hash__(self) -> int:
        return hash((self.name, self.entries))

    def __getitem__(self, unit: str) -> Placed:
        return _entry(self.entries, unit)

    @exact
    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "within": self.within, "standings": [e.to_dict() for e in self.entries],
                "groups": {("" if k is None else k): list(v) for k, v in self.groups.items()},
                "ties": [list(t) for t in self.ties]}


def _named(name: str, within: str | None, levels: tuple[str, ...], units: list[str],
           keys: Mapping[str, tuple[Any, ...]], of: Mapping[str, str | None], orders: Orders) -> Ranking:
    """A named ranking: each group ranked on its own, as ``rank`` ranks all units; the groups in
    the order of the fact's levels (only those some unit has)."""
    present = set(of.values())
    order: list[str | None] = [level for level in levels if level in present] if within is not None else [None]
    members = {level: [u for u in units if of[u] == level] for level in order}
    entries: list[Placed] = []
    ties: list[tuple[str, ...]] = []
    groups: dict[str | None, tuple[str, ...]] = {}
    for level, group in members.items():
        ordered, positions, equal, notes = _order(group, keys, orders)
        groups[level] = tuple(ordered)
        ties += [tuple(g) for g in equal.values() if len(g) > 1]
        entries += [Placed(u, level, positions[u], keys[u], tuple(x for x in equal[keys[u]] if x != u),
                           tuple(notes[u])) for u in ordered]
    return Ranking(name, within, tuple(entries), FrozenMap(groups), tuple(ties))


def _failed(requirements: tuple[tuple[Fn, str, str], ...], result: Result) -> list[str]:
    """The reasons of the requirements ``result``'s unit does not meet (a missing fact fails)."""
    ctx = result_context(result)
    reasons = []
    for test, _text, reason in requirements:
        try:
            ok = bool(test(ctx))
        except MissingFact as error:
            ok, reason = False, f"{reason} (fact {error.name} not given)"
        except NoPercentage:
            ok, reason = False, f"{reason} ({NO_PERCENTAGE})"
        if not ok:
            reasons.append(reason)
    return reasons


def _awards(
    ev: Evaluator,
    ordered: list[str],
    positions: dict[str, int],
    results: dict[str, Result],
    notes: dict[str, list[str]],
) -> tuple[
    dict[str, tuple[str, ...]], list[PassedOver], dict[str, tuple[str, ...]], dict[str, int],
    dict[str, tuple[tuple[str, ...], int]],
]:
    """Give each award, in declaration order, to the best eligible units not yet awarded.

    Units tied at an award's boundary are not separated: the award's places stay open for the
    council, and the tied units that will not get it keep a reserved place in the next award.
    """
    awarded: dict[str, tuple[str, ...]] = {}
    passed: list[PassedOver] = []
    contested: dict[str, tuple[str, ...]] = {}
    unfilled: dict[str, int] = {}
    reserved: dict[str, tuple[tuple[str, ...], int]] = {}
    taken: set[str] = set()
    carry: tuple[tuple[str, ...], int, str] | None = None
    by_position: dict[int, list[str]] = {}
    for unit in ordered:
        by_position.setdefault(positions[unit], []).append(unit)
    for award in ev.awards:
        requirements = ev.program.requirements[award.name]
        given: tuple[str, ...] = ()
        slots = award.count
        if carry is not None:
            units, count, before = carry
            carry = None
            if all(not _failed(requirements, results[u]) for u in units):
                places = min(count, slots)
                reserved[award.name] = (units, places)
                slots -= places
                for unit in units:
                    notes[unit].append(
                        f"{places} place(s) of {award.title} are kept for the unit(s) among "
                        f"{', '.join(units)} not given {before}"
                    )
        for _, group in sorted(by_position.items()):
            if slots == 0:
                break
            eligible = []
            for unit in group:
                if unit in taken:
                    continue
                reasons = _failed(requirements, results[unit])
                if reasons:
                    passed.append(PassedOver(unit, award.name, tuple(reasons)))
                    notes[unit].append(f"not eligible for {award.title}: " + "; ".join(reasons))
                else:
                    eligible.append(unit)
            if len(eligible) <= slots:
                given += tuple(eligible)
                slots -= len(eligible)
            elif eligible:
                contested[award.name] = tuple(eligible)
                taken.update(eligible)
                carry = (tuple(eligible), len(eligible) - slots, award.title)
                for unit in eligible:
                    notes[unit].append(
                        f"tied for the last {slots} place(s) of {award.title} with "
                        + ", ".join(u for u in eligible if u != unit)
                        + "; the ruleset's tie-breaks cannot separate them: the council decides"
                    )
                break
        taken.update(given)
        awarded[award.name] = given
        if slots:
            unfilled[award.name] = slots
    return awarded, passed, contested, unfilled, reserved
