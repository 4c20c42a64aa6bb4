"""Property-testing toolkit for rulesets (needs the ``test`` extra: hypothesis and pytest).

Prove in a few lines that a ruleset cannot produce an impossible score::

    from thidua_rules.testing import assert_ruleset_invariants
    def test_my_ruleset():
        assert_ruleset_invariants(thidua_rules.load("my.thidua"), max_examples=200)
"""

from __future__ import annotations

try:
    import hypothesis  # noqa: F401 - the toolkit is built on it
except ImportError:  # pragma: no cover - the test extra is installed in the suite
    from ..errors import ExtraNeededError

    raise ExtraNeededError(
        "thidua_rules.testing needs hypothesis: install the test extra, pip install 'thidua_rules[test]'"
    ) from None

import functools
import math
import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from ..errors import FactsError, OptionError
from ..evaluation.result import NodeResult, Result
from ..io.cases import cases as ruleset_tests
from ..model import FactSpec
from ..numbers import exact, plain
from ..ruleset import Ruleset

__all__ = [
    "InvariantError",
    "assert_ruleset_invariants",
    "check_invariants",
    "check_submission_invariants",
    "facts",
    "invalid_facts",
    "ruleset_tests",
    "value_of",
]

#: The upper end used for facts a ruleset leaves unbounded.
OPEN_COUNT = 60
OPEN_NUMBER = Decimal(1000)


class InvariantError(AssertionError):
    """A scoring invariant does not hold; the message names the node and the numbers."""


def _boundaries(rs: Ruleset, low: Decimal, high: Decimal) -> list[Decimal]:
    near = {c + d for c in rs.constants for d in (-1, 0, 1)} | {low, high}
    return sorted(v for v in near if low <= v <= high)


def value_of(rs: Ruleset, spec: FactSpec) -> st.SearchStrategy[Any]:
    """Valid values of one fact, with the ruleset's boundary values drawn often."""
    if spec.kind == "boolean":
        return st.booleans()
    if spec.kind in ("scale", "category"):
        def spellings(level: str) -> st.SearchStrategy[str]:
            nfd = unicodedata.normalize("NFD", level)
            return st.sampled_from([level, level.upper(), nfd, nfd.title(), f"  {level} "])
        return st.sampled_from(spec.levels).flatmap(spellings)
    if spec.kind == "assessed":
        top = spec.high if spec.high is not None else Decimal(10)
        halves = int(top * 2)
        return st.one_of(
            st.sampled_from([Decimal(0), top]),
            st.integers(0, halves).map(lambda h: Decimal(h) / 2),
        )
    integral = spec.kind in ("count", "rank")
    default_high = Decimal(OPEN_COUNT) if integral else OPEN_NUMBER
    low = spec.low if spec.low is not None else -default_high
    high = spec.high if spec.high is not None else max(default_high, low + default_high)
    if spec.allowed or spec.step is not None:
        return _shaped(rs, spec, low, high)
    edges = _boundaries(rs, low, high)
    if integral:
        edges = [e for e in edges if e == e.to_integral_value()]
        body: st.SearchStrategy[Any] = st.integers(int(low), int(high))
        return st.one_of(st.sampled_from(edges), body) if edges else body
    body = st.decimals(low, high, places=2, allow_nan=False, allow_infinity=False)
    return st.one_of(st.sampled_from(edges), body) if edges else body


def _times(step: Decimal, k: int) -> Decimal:
    return Decimal(k) * step


def _shaped(rs: Ruleset, spec: FactSpec, low: Decimal, high: Decimal) -> st.SearchStrategy[Any]:
    """Valid values of a fact whose range has holes (``0 | 2..5``) or whose values go by a step."""
    parts = [(max(lo, low) if lo is not None else low, min(hi, high) if hi is not None else high)
             for lo, hi in (spec.allowed or ((low, high),))]
    parts = [(lo, hi) for lo, hi in parts if lo <= hi]
    step = spec.step
    choices: list[st.SearchStrategy[Any]] = []
    for lo, hi in parts:
        if step is not None:
            first, last = math.ceil(lo / step), math.floor(hi / step)
            if first <= last:
                choices.append(st.integers(first, last).map(functools.partial(_times, step)))
        elif spec.integral:
            choices.append(st.integers(math.ceil(lo), math.floor(hi)).map(Decimal))
        else:
            choices.append(st.decimals(lo, hi, places=2, allow_nan=False, allow_infinity=False))

    def fits(value: Decimal) -> bool:
        inside = any(lo <= value <= hi for lo, hi in parts)
        return inside and (step is None or value % step == 0) and (not spec.integral or value % 1 == 0)

    edges = [e for e in _boundaries(rs, low, high) + [p for part in parts for p in part] if fits(e)]
    if edges:
        choices.append(st.sampled_from(sorted(set(edges))))
    if not choices:  # no value fits: what the checker let through cannot be given
        return st.just(low)
    return st.one_of(choices)


@st.composite
def _facts(draw: st.DrawFn, plan: tuple[tuple[str, bool, st.SearchStrategy[Any]], ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, has_default, values in plan:
        if has_default and draw(st.booleans()):
            continue  # a fact with a default may be left out; any other may be needed
        out[name] = draw(values)
    return out


def facts(rs: Ruleset) -> st.SearchStrategy[dict[str, Any]]:
    """Valid fact sets of one unit for ``rs``, reaching every boundary the rules name."""
    if not isinstance(rs, Ruleset):
        raise OptionError(f"facts() expects a Ruleset, got {type(rs).__name__}")
    # Each fact's strategy is built once, not at every draw (shrinking draws thousands of units).
    return _facts(tuple(
        (name, spec.default is not None, value_of(rs, spec)) for name, spec in rs.facts.items()
    ))


@st.composite
def _invalid(draw: st.DrawFn, rs: Ruleset) -> tuple[dict[str, Any], str]:
    good = draw(facts(rs))
    defects: list[tuple[str, str, Any]] = [("unknown", "khong_co_fact_nay", 1)]
    for name, spec in rs.facts.items():
        if spec.kind == "count":
            defects += [(name, "negative count", -1), (name, "bool for a count", True),
                        (name, "fraction for a count", Decimal("1.5"))]
        elif spec.kind == "rank":
            defects += [(name, "rank 0", 0), (name, "text for a rank", "5")]
        elif spec.kind in ("number", "percent"):
            defects += [(name, "NaN", Decimal("NaN")), (name, "infinity", float("inf")),
                        (name, "decimal comma text", "2,5")]
        elif spec.kind == "boolean":
            defects += [(name, "number for a boolean", 1)]
        elif spec.kind == "scale":
            defects += [(name, "level not on the scale", "không có mức này")]
        elif spec.kind == "category":
            defects += [(name, "name not in the category", "không có tên này")]
        elif spec.kind == "assessed" and spec.high is not None:
            defects += [(name, "judged score above its max", spec.high + 1)]
        if spec.step is not None:
            defects.append((name, "off its step", (spec.low or Decimal(0)) + spec.step / 2))
        for (_, before), (after, _) in zip(spec.allowed, spec.allowed[1:], strict=False):
            if before is not None and after is not None:
                defects.append((name, "in a hole of its range", (before + after) / 2))
    name, _, value = draw(st.sampled_from(defects))
    bad = dict(good)
    bad[name] = value
    return bad, name


def invalid_facts(rs: Ruleset) -> st.SearchStrategy[tuple[dict[str, Any], str]]:
    """Fact sets with exactly one defect, paired with the name of the bad fact."""
    return _invalid(rs)


def _fail(message: str) -> None:
    raise InvariantError(message)


def _main(node: NodeResult) -> Decimal:
    """A node's own points (before its rows' bonus and deduction columns and any adjustment)."""
    assert node.score is not None
    return node.columns[0] if node.columns is not None else node.score


def _within(value: Decimal, low: Decimal | None, high: Decimal | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def _check_result(rs: Ruleset, res: Result) -> None:
    for node in res:
        if node.score is None:
            if any(s.rule == "cap" for s in node.trace):
                _fail(f"{node.code}: not applicable but its trace shows a score")
            continue
        spec = rs.criteria.get(node.code) or rs.groups[node.code]
        if not _within(node.score, spec.low, spec.high):
            _fail(f"{node.code}: score {node.score} outside its bounds [{spec.low}, {spec.high}]")
        main = _main(node)
        top = node.max
        if top is not None and main > top:
            _fail(f"{node.code}: its own points {main} are above its max {top}")
        if not node.trace or node.trace[-1].value != node.score:
            _fail(f"{node.code}: the last trace step {node.trace[-1:]} does not equal the score {node.score}")
        if node.columns is not None:
            main, bonus, deduction, adjustment = node.columns
            if min(bonus, deduction) < 0:
                _fail(f"{node.code}: a bonus or deduction column below 0: {node.columns}")
            if main + bonus - deduction + adjustment != node.score:
                _fail(f"{node.code}: its columns {node.columns} do not add up to its score {node.score}")
        if node.is_criterion:
            criterion = rs.criteria[node.code]
            if criterion.floor is not None and main < min(criterion.floor, top if top is not None else main):
                _fail(f"{node.code}: its own points {main} are below its floor {criterion.floor}")
            continue
        children = [res[c] for c in node.children]
        group = rs.groups[node.code]
        eligible = [c for c in children
                    if c.score is not None and (rs.criteria.get(c.code) or rs.groups[c.code]).counted]
        counted = [c for c in children if c.counted]
        if group.choose == "sum" and [c.code for c in counted] != [c.code for c in eligible]:
            _fail(f"{node.code}: counts {[c.code for c in counted]}, not every applicable counted item")
        if group.choose != "sum":
            if len(counted) != 1:
                _fail(f"{node.code}: a {group.choose} group counts {len(counted)} items, not one")
            elif group.choose == "best" and counted[0].score != max(c.score for c in eligible if c.score is not None):
                _fail(f"{node.code}: a best group counts {counted[0].code}, not its best item")
            elif group.choose == "either" and counted[0].code != eligible[0].code:
                _fail(f"{node.code}: an either group counts {counted[0].code}, not the first that applies")
        parts = sum((_main(c) for c in counted), Decimal(0))
        if node.raw != parts:
            _fail(f"{node.code}: raw {node.raw} is not the sum {parts} of its items")
        limits = [x for x in (group.cap, node.max) if x is not None]
        expected = min([parts, *limits])
        if node.columns is None and node.score != expected:
            _fail(f"{node.code}: score {node.score}, expected min(sum {parts}, cap/max {limits})")
    sums = {"standard": Decimal(0), "bonus": Decimal(0), "deduction": Decimal(0)}
    adjustment = Decimal(0)
    for code in res.sections:
        node = res[code]
        if node.score is None:
            continue
        if node.kind == "standard" and node.columns is not None:
            main, bonus, deduction, adjust = node.columns
            sums["standard"] += main
            sums["bonus"] += bonus
            sums["deduction"] += deduction
            adjustment += adjust
        else:
            sums[node.kind] += node.score
    if (res.standard, res.bonus, res.deductions) != (sums["standard"], sums["bonus"], sums["deduction"]):
        _fail(f"totals per kind {res.standard}/{res.bonus}/{res.deductions} differ from the sections' {sums}")
    if res.total != res.standard + res.bonus - res.deductions + res.adjustment:
        _fail(f"total {res.total} is not standard + bonus − deductions + adjustment")
    if not _within(res.total, rs.header.total_low, rs.header.total_high):
        _fail(f"total {res.total} outside its declared bounds")
    if rs.header.total_low is None and rs.header.total_high is None and res.adjustment != adjustment:
        _fail(f"adjustment {res.adjustment} is not the sections' {adjustment}")
    closed = all(c.max is not None for c in rs.criteria.values() if c.kind == "standard")
    if rs.total is not None and closed and res.standard > rs.total:
        _fail(f"standard {res.standard} exceeds the declared total {rs.total}")


def _check_prose(res: Result) -> None:
    """Every line of a group's explanation that adds parts must add up to what it says."""
    for node in res:
        if node.score is None or not node.trace:
            continue
        prose = node.explain()
        last = prose.splitlines()[-1]
        if plain(node.score) not in last:
            _fail(f"{node.code}: the explanation's last line {last!r} does not show the score {node.score}")
        # Only a sum's line adds parts; the lines of other steps quote rule text, which may hold
        # "=" and "+" of its own. Each sum's parts must add up, and its line must show them so.
        for step in node.trace:
            if step.rule != "sum":
                continue
            parts = [v for v in step.operands if isinstance(v, Decimal)]
            shown = f" = {' + '.join(plain(v) for v in parts) or '0'} = {plain(step.value)}"  # type: ignore[arg-type]
            if sum(parts, Decimal(0)) != step.value or shown not in prose:
                _fail(f"{node.code}: the explanation of the sum {step.expr} ({shown.strip(' =')}) does not add up")


def _scores(res: Result) -> dict[str, Decimal | None]:
    return {node.code: node.score for node in res}


def _bumped(rs: Ruleset, spec: FactSpec, value: Any) -> Any:
    step = Decimal(1) if spec.integral else Decimal("0.5")
    new = Decimal(value) + step
    if spec.high is not None and new > spec.high:
        return None
    return int(new) if spec.integral else new


@exact
def check_invariants(
    rs: Ruleset, unit_facts: Mapping[str, Any], *, cohort: Mapping[str, Any] | None = None
) -> Result:
    """Evaluate ``unit_facts`` and check every scoring invariant; return the traced result.

    Bounds ([0, max] per criterion, caps per group, the declared total), additivity (each group
    is the sum of its items after caps; total = standard + bonus − deductions), trace ends on
    the score, determinism, independence from the order of facts, agreement of the untraced
    path, and each ``monotone`` declaration of a fact. Raises ``InvariantError``.

    ``cohort``: the value of each cohort aggregate the rules read (key as in ``rs.cohorts``),
    for a ruleset that scores a unit against the others (``assert_ruleset_invariants`` takes
    them from the units it scores together).
    """
    res = rs.evaluate(unit_facts, cohort=cohort)
    _check_result(rs, res)
    _check_prose(res)
    again = rs.evaluate(dict(reversed(list(unit_facts.items()))), cohort=cohort)
    if again.to_dict() != res.to_dict():
        _fail("evaluating the same facts in another order gave another result")
    fast = rs.evaluate(unit_facts, trace=False, cohort=cohort)
    if _scores(fast) != _scores(res) or fast.total != res.total:
        _fail("the untraced evaluation disagrees with the traced one")
    for name, spec in rs.facts.items():
        if spec.monotone is None or name not in unit_facts:
            continue
        bumped = _bumped(rs, spec, unit_facts[name])
        if bumped is None:
            continue
        try:
            other = rs.evaluate({**unit_facts, name: bumped}, trace=False, cohort=cohort)
        except FactsError:
            continue
        # Criteria first: the most specific node that moved the wrong way is the one to report.
        ordered = sorted(res, key=lambda node: not node.is_criterion)
        pairs = [(node.code, node.kind, node.score, other[node.code].score) for node in ordered]
        pairs.append(("total", "standard", res.total, other.total))
        for code, kind, before, after in pairs:
            if before is None or after is None:
                continue
            sign = 1 if kind != "deduction" else -1
            worse = (after - before) * sign < 0 if spec.monotone == "increasing" else (after - before) * sign > 0
            if worse:
                _fail(
                    f"{name} is declared monotone {spec.monotone}, but raising it from "
                    f"{unit_facts[name]} to {bumped} moves {code} from {before} to {after}"
                )
    return res


@exact
def check_submission_invariants(
    rs: Ruleset, rounds: Mapping[str, Mapping[str, Any]], *, other: Mapping[str, Any] | None = None
) -> None:
    """Rounds: each final score is one of the rounds' scores; a round depends on its own facts.

    With ``other`` (another fact set for the first round), re-scores and checks that every
    later round's result is unchanged: the appraised result depends on appraised facts only.
    """
    sub = rs.evaluate_submission(rounds)
    for row in sub.rows:
        if not row.is_criterion or row.final is None:
            continue
        given = [v for v in row.scores.values() if v is not None]
        if row.final not in given:
            _fail(f"{row.code}: final score {row.final} is none of the rounds' scores {given}")
        if row.decided_by is None or row.scores.get(row.decided_by) != row.final:
            _fail(f"{row.code}: decided by {row.decided_by!r}, whose score is not the final one")
    if other is not None and len(rounds) > 1:
        first = next(iter(rounds))
        changed = rs.evaluate_submission({**rounds, first: other})
        for name in list(rounds)[1:]:
            if name in sub.rounds and changed.rounds[name].to_dict() != sub.rounds[name].to_dict():
                _fail(f"round {name!r} changed when only round {first!r}'s facts changed")


def assert_ruleset_invariants(rs: Ruleset, *, max_examples: int = 100) -> None:
    """Check ``check_invariants`` on ``max_examples`` generated units; fails with the example."""
    if not isinstance(max_examples, int) or isinstance(max_examples, bool) or max_examples < 1:
        raise OptionError(f"Expected a positive int for max_examples, got {max_examples!r}")

    # No "explain" phase: it re-runs the failing example once per drawn value to say which lines
    # matter, which names lines of this toolkit, not of the ruleset (it took half a minute).
    phases = [phase for phase in settings().phases if phase is not Phase.explain]
    units = facts(rs)

    @settings(max_examples=max_examples, deadline=None, database=None, phases=phases)
    @given(units, units, units)
    def run(unit_facts: dict[str, Any], appraised: dict[str, Any], other: dict[str, Any]) -> None:
        check_invariants(rs, unit_facts)
        if len(rs.rounds) > 1:
            first, second = rs.rounds[0].name, rs.rounds[-1].name
            check_submission_invariants(rs, {first: unit_facts, second: appraised}, other=other)

    @settings(max_examples=max_examples, deadline=None, database=None, phases=phases)
    @given(units, units, units)
    def run_cohort(a: dict[str, Any], b: dict[str, Any], c: dict[str, Any]) -> None:
        # The rules read the other units: score three drawn units together, then check each one
        # alone against the aggregates it saw, and that alone it scores as it did together.
        # (A cohort's rounds are scored round by round over all the units, by evaluate_cohort.)
        units = {"A": a, "B": b, "C": c}
        for unit, together in rs.evaluate_cohort(units).items():
            seen = {key: value for key, (value, _note) in together.cohort.items()}
            alone = check_invariants(rs, units[unit], cohort=seen)
            if _scores(alone) != _scores(together) or alone.total != together.total:
                _fail(f"unit {unit} scores otherwise alone, given the aggregates it saw, than in its cohort")

    # Two tests, not one with a branch: hypothesis derives its examples from the test's code.
    (run_cohort if rs.cohorts else run)()
