"""Period sheets (months, quarters) rolled up to a semester or year, with cross-period caps."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import attrs

from ..errors import EvaluationError, FactProblem, FactsError, OptionError
from ..evaluation.result import EMPTY, FrozenMap, NodeResult, Result, Step, UnknownCodeError, jsonable
from ..model import Rollup as RollupSpec
from ..numbers import ARITHMETIC, divide, exact
from ..source import fold, nfc

if TYPE_CHECKING:
    from ..evaluation.evaluator import Evaluator

ZERO = Decimal(0)


@attrs.frozen
class RolledNode:
    """A node over the periods: each period's score, the roll-up, and where a cap bit."""

    code: str
    title: str | None
    kind: str
    periods: Mapping[str, Decimal | None]
    score: Decimal | None
    cut: Decimal
    trace: tuple[Step, ...]
    #: With ``combine sum``: each period's own share of the roll-up, after what caps over the
    #: periods cut from it in the period they were reached; the shares add up to ``score``.
    shares: Mapping[str, Decimal | None] = attrs.field(factory=dict)

    @exact
    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "title": self.title, "kind": self.kind,
                "periods": {k: jsonable(v) for k, v in self.periods.items()},
                "shares": {k: jsonable(v) for k, v in self.shares.items()},
                "score": jsonable(self.score), "cut": jsonable(self.cut),
                "trace": [s.to_dict() for s in self.trace]}


@attrs.frozen
class Rollup:
    """Period results and their roll-up; ``total = standard + bonus − deductions``."""

    periods: Mapping[str, Result]
    nodes: Mapping[str, RolledNode]
    standard: Decimal
    bonus: Decimal
    deductions: Decimal
    counted: tuple[str, ...]
    #: The roll-up as one unit's result (what ``rank`` and ``classify`` read): the rolled-up
    #: scores and totals, the periods' facts (a later period's value of a fact wins), and as
    #: applicable max the sum (or mean) of the periods' applicable maxima.
    result: Result | None = attrs.field(default=None, eq=False, repr=False)
    #: The roll-up's name (None: the ruleset's unnamed rollup).
    name: str | None = None

    @property
    def total(self) -> Decimal:
        return ARITHMETIC.subtract(ARITHMETIC.add(self.standard, self.bonus), self.deductions)

    def __getitem__(self, code: str) -> RolledNode:
        for key, node in self.nodes.items():
            if isinstance(code, str) and fold(key) == fold(code):
                return node
        raise UnknownCodeError(str(code), self.nodes)

    @exact
    def to_dict(self) -> dict[str, Any]:
        return {"total": jsonable(self.total), "standard": jsonable(self.standard),
                "bonus": jsonable(self.bonus), "deductions": jsonable(self.deductions),
                "counted": list(self.counted),
                "nodes": {k: v.to_dict() for k, v in self.nodes.items()},
                "periods": {k: v.to_dict() for k, v in self.periods.items()}}


def _spec(ev: Evaluator, name: str | None) -> RollupSpec:
    """The roll-up ``name`` names; without a name the unnamed one (or the only one declared)."""
    if name is None:
        if ev.rollup is not None:
            return ev.rollup
        if len(ev.rollups) == 1:
            return next(iter(ev.rollups.values()))
        if not ev.rollups:
            raise EvaluationError("the ruleset declares no rollup of periods")
        raise EvaluationError("the ruleset declares several rollups; name one with rollup=…: "
                              + ", ".join(ev.rollups))
    if not isinstance(name, str):
        raise OptionError(f"Expected the name of a rollup (text) for rollup, got {name!r}")
    for key, spec in ev.rollups.items():
        if fold(key) == fold(name):
            return spec
    from ..text import suggest

    hint = suggest(name, ev.rollups) or ("the ruleset declares: " + ", ".join(ev.rollups) if ev.rollups
                                         else "the ruleset declares no named rollup")
    raise EvaluationError(f'no rollup "{name}"; {hint}')


def _below(first: Result, code: str) -> list[str]:
    """Every node under ``code``, in the sheet's order."""
    out: list[str] = []
    for child in first[code].children:
        out += [child, *_below(first, child)]
    return out


@exact
def evaluate_periods(
    ev: Evaluator, periods: Mapping[str, Mapping[str, object]], *, trace: bool = True, rollup: str | None = None
) -> Rollup:
    """Score each period's facts with the sheet, then roll the periods up as declared."""
    spec = _spec(ev, rollup)
    if not isinstance(periods, Mapping):
        raise FactsError([FactProblem("(periods)", "expected a mapping of period names to facts")])
    if spec.parts:
        return _of_parts(ev, spec, periods, trace=trace)
    problems: list[FactProblem] = []
    by_key = {fold(p): p for p in spec.periods}
    given: dict[str, Mapping[str, object]] = {}
    for key, facts in periods.items():
        period = by_key.get(fold(nfc(str(key))))
        if period is None:
            from ..text import suggest

            hint = suggest(str(key), spec.periods) or "periods: " + ", ".join(spec.periods)
            problems.append(FactProblem(f"period {key}", f"not a period of the rollup; {hint}"))
        else:
            given[period] = facts
    absent = [p for p in spec.periods if p not in given]
    if absent and spec.missing == "error":
        problems += [FactProblem(f"period {p}", "missing (the rollup says a missing period is an error)")
                     for p in absent]
    results: dict[str, Result] = {}
    for period in spec.periods:
        if period in given:
            try:
                results[period] = ev.evaluate(given[period], trace=trace)
            except FactsError as error:
                problems += [FactProblem(f"{period}: {p.fact}", p.message) for p in error.problems]
    if problems:
        raise FactsError(problems)
    counted = [p for p in spec.periods if p in results or spec.missing == "zero"]
    first = next(iter(results.values()), None)
    if first is None:
        raise FactsError([FactProblem("(periods)", "no period was given")])

    def score_in(period: str, code: str) -> Decimal | None:
        return results[period][code].score if period in results else ZERO

    def counted_in(period: str, code: str) -> bool:
        return period not in results or results[period][code].counted

    return _combine(ev, spec, first, counted, score_in, counted_in, results, tuple(counted),
                    sum((r.applicable_max for r in results.values()), ZERO), trace)


def _of_parts(ev: Evaluator, spec: RollupSpec, periods: Mapping[str, Mapping[str, object]], *,
              trace: bool) -> Rollup:
    """A rollup of rollups: each part rolls up its own periods, then the parts are combined as
    periods are (sum or mean, then this rollup's caps, each part's share shown)."""
    problems: list[FactProblem] = []
    owner = {fold(p): part for part in spec.parts for p in ev.rollups[part].periods}
    split: dict[str, dict[str, Mapping[str, object]]] = {part: {} for part in spec.parts}
    for key, facts in periods.items():
        part = owner.get(fold(nfc(str(key))))
        if part is None:
            from ..text import suggest

            hint = suggest(str(key), spec.periods) or "periods: " + ", ".join(spec.periods)
            problems.append(FactProblem(f"period {key}", f"not a period of the rollup; {hint}"))
        else:
            split[part][key] = facts
    parts: dict[str, Rollup] = {}
    for part in spec.parts:
        try:
            parts[part] = evaluate_periods(ev, split[part], trace=trace, rollup=part)
        except FactsError as error:
            problems += [FactProblem(f"{part}: {p.fact}", p.message) for p in error.problems]
    if problems:
        raise FactsError(problems)
    results = {period: result for part in parts.values() for period, result in part.periods.items()}
    first = next(iter(results.values()))

    def score_in(part: str, code: str) -> Decimal | None:
        return parts[part][code].score

    def counted_in(part: str, code: str) -> bool:
        """Whether a node entered its parent in the part: in any of the part's periods."""
        return any(result[code].counted for result in parts[part].periods.values())

    counted = tuple(p for part in parts.values() for p in part.counted)
    applicable = sum((part.result.applicable_max for part in parts.values() if part.result is not None), ZERO)
    return _combine(ev, spec, first, list(spec.parts), score_in, counted_in, results, counted, applicable,
                    trace)


def _combine(
    ev: Evaluator, spec: RollupSpec, first: Result, counted: list[str],
    score_in: Callable[[str, str], Decimal | None], counted_in: Callable[[str, str], bool],
    results: Mapping[str, Result],
    periods_counted: tuple[str, ...], applicable: Decimal, trace: bool,
) -> Rollup:
    """Roll ``counted`` (periods, or the parts of a rollup of rollups) up, node by node."""
    caps = dict(spec.caps)
    places = ev.header.rounding
    nodes: dict[str, RolledNode] = {}
    divisor = Decimal(len(counted))
    cut_below: dict[str, Decimal] = {}  # what caps took from a node and everything under it

    def own_shares(code: str, per: Mapping[str, Decimal | None]) -> dict[str, Decimal | None]:
        """combine sum: a group's score in each period less what caps over the periods cut from
        its counted items in that period (``_kept``)."""
        children = first[code].children
        out: dict[str, Decimal | None] = {}
        for period, score in per.items():
            parts: list[tuple[Decimal, Decimal]] = []
            for child in children:
                own, share = nodes[child].periods[period], nodes[child].shares[period]
                if own is not None and share is not None and counted_in(period, child):
                    parts.append((own, share))
            out[period] = _kept(score, parts)
        return out

    def roll(code: str) -> None:
        """Bottom-up: children first, so a group subtracts what their caps took, then is capped."""
        node = first[code]
        for child in node.children:
            roll(child)
        per = {p: score_in(p, code) for p in counted}
        scores = [s for s in per.values() if s is not None]
        steps = [Step("period", code, (), per[p], p) for p in counted] if trace else []
        rolled: Decimal | None = None
        adjusted = own_shares(code, per) if spec.combine == "sum" else per
        if spec.combine == "sum":
            taken = sum(scores, ZERO) - sum((v for v in adjusted.values() if v is not None), ZERO)
        else:
            taken = sum((cut_below.get(child, ZERO) for child in node.children), ZERO)
        if scores:
            rolled = sum(scores, ZERO)
            if spec.combine == "mean":
                # Every node is divided by the same number of periods, so a group stays the sum
                # of its items; a period where the item did not apply adds nothing to it.
                rolled, rounded = divide(rolled, divisor, places)
                note = f"mean of {len(counted)} period(s)"
                if rounded:
                    note += f", rounded half up to {places} decimal places"
                steps.append(Step("mean", code, tuple(scores), rolled, note))
            else:
                steps.append(Step("sum", code, tuple(scores), rolled, " + ".join(counted)))
            if taken:
                capped = [c for c in _below(first, code) if c in caps and nodes[c].cut]
                steps.append(Step("cut", code, (rolled, taken), rolled - taken,
                                  f"{', '.join(capped)} capped over the periods"))
                rolled -= taken
        cut = ZERO
        if rolled is not None and code in caps and rolled > caps[code]:
            cut = rolled - caps[code]
            steps.append(Step("cap", code, (rolled, ZERO, caps[code]), caps[code],
                              f"at most {caps[code]} over the periods, however many earned it"))
            rolled = caps[code]
        cut_below[code] = taken + cut
        shares: dict[str, Decimal | None] = {}
        if spec.combine == "sum":
            shares = _shares(code, adjusted, caps.get(code), steps, trace)
        nodes[code] = RolledNode(code, node.title, node.kind, FrozenMap(per), rolled, cut, tuple(steps),
                                 FrozenMap(shares))

    for code in ev.sections:
        roll(code)
    nodes = {node.code: nodes[node.code] for node in first}  # the sheet's order
    sums = {"standard": ZERO, "bonus": ZERO, "deduction": ZERO}
    for code in ev.sections:
        section = nodes[code]
        if section.score is not None:
            sums[section.kind] += section.score
    if spec.combine == "mean" and counted:
        applicable = divide(applicable, divisor, places)[0]
    merged: dict[str, object] = {}
    for period in spec.periods:
        if period in results:
            merged.update(results[period].facts)
    as_result = Result(
        ruleset=first.ruleset, sections=first.sections, standard=sums["standard"], bonus=sums["bonus"],
        deductions=sums["deduction"], applicable_max=applicable, facts=FrozenMap(merged),  # type: ignore[arg-type]
        places=places,
        nodes=FrozenMap({code: NodeResult(
            code=code, title=node.title, kind=node.kind, is_criterion=first[code].is_criterion,
            score=node.score, max=None, applicable_max=ZERO, raw=node.score, inputs=EMPTY, trace=node.trace,
            children=first[code].children) for code, node in nodes.items()}),
    )
    return Rollup(FrozenMap(dict(results)), FrozenMap(nodes), sums["standard"], sums["bonus"],
                  sums["deduction"], periods_counted, as_result, spec.name)


def _kept(score: Decimal | None, parts: list[tuple[Decimal, Decimal]]) -> Decimal | None:
    """A group's score in one period once what caps over the periods cut from its counted items
    is gone; ``parts`` holds each counted item's (period score, share) in that period.

    What was cut under the group is ``cut = Σ score − Σ share`` (negative where a cap gave a
    period back more than its own points: a negative period under a running total above the
    cap). Where the group's own limit did not act (its score is its items' sum) it is
    ``score − cut = Σ share``, so a section stays the sum of its rows' shares. Where its limit
    cut it down, only what the limit left is lost (``min(score, Σ share)``); where a floor raised
    it, it stays raised unless the shares lift it above (``max(score, Σ share)``)."""
    if score is None or not parts:
        return score
    total = sum((s for s, _ in parts), ZERO)
    shares = sum((k for _, k in parts), ZERO)
    if score < total:
        return min(score, shares)
    return max(score, shares) if score > total else shares


def _shares(code: str, adjusted: Mapping[str, Decimal | None], cap: Decimal | None, steps: list[Step],
            trace: bool) -> dict[str, Decimal | None]:
    """Each period's own share of a node rolled up by sum: its score less what caps below took
    in that period (``adjusted``), then, under a cap over the periods, what it adds to the
    running total counted at most the cap: with ``R`` the running sum of the periods' values
    (``R_0 = 0``), ``share_k = min(cap, R_k) − min(cap, R_(k−1))``. The shares add up to
    ``min(cap, R_n)``, the rolled-up score, and a negative period's share is negative, or
    smaller (down to 0) when the running total was above the cap.

    For values ≥ 0 this is the rule of the cap's running remainder (each period keeps at most
    what the earlier ones left, ``left_k = cap − min(cap, R_k)``): by induction, if
    ``R_(k−1) ≥ cap`` nothing is left and ``min(cap, R_k) − cap = 0``; otherwise
    ``min(v_k, cap − R_(k−1)) = min(cap, R_k) − R_(k−1)``."""
    if cap is None:
        return dict(adjusted)
    shares: dict[str, Decimal | None] = {}
    running = ZERO
    for period, value in adjusted.items():
        if value is None:
            shares[period] = None
            continue
        case = share_case(value, running, cap)
        if trace:
            steps.append(Step("share", code, (value, running, cap), case.share, share_note(period, value, cap, case)))
        shares[period] = case.share
        running += value
    return shares


class ShareCase(NamedTuple):
    """What one period's value does to a running total counted at most a cap (a ``share`` step,
    operands ``(value, before, cap)``), for its wordings: the English note here, the council's
    Vietnamese in forms.explain.

    ``how`` is ``"left"`` (a value ≥ 0: ``share`` of the ``left`` the earlier periods left of
    the cap, ``cut`` the rest), ``"in full"`` (a negative value while the running total was
    within the cap: counted whole, ``left`` left of the cap after it) or ``"above"`` (a negative
    value while the running total was ``above`` the cap by that much: it comes off that first)."""

    how: Literal["left", "in full", "above"]
    share: Decimal
    left: Decimal
    cut: Decimal
    above: Decimal


@exact
def share_case(value: Decimal, before: Decimal, cap: Decimal) -> ShareCase:
    """The case of ``value`` added to the running total ``before``, and its share
    ``min(cap, before + value) − min(cap, before)``."""
    share = min(cap, before + value) - min(cap, before)
    left = cap - min(cap, before)
    if value >= 0:
        return ShareCase("left", share, left, value - share, ZERO)
    if before <= cap:
        return ShareCase("in full", share, left - value, ZERO, ZERO)
    return ShareCase("above", share, ZERO, ZERO, before - cap)


def share_note(period: str, value: Decimal, cap: Decimal, case: ShareCase) -> str:
    """A ``share`` step's note: ``period``, then its case (``share_case``) in English."""
    if case.how == "left":
        return f"{period}: {case.share} of the {case.left} left of the cap {cap}" + (
            f"; {case.cut} cut" if case.cut else "")
    if case.how == "in full":
        return f"{period}: {value}, in full; {case.left} left of the cap {cap}"
    return f"{period}: {value}, first off the {case.above} above the cap {cap}; {case.share} counted"
