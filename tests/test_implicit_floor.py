"""Issue 13, item 1: whether a row stops at 0 is declared, never implicit. A row whose rule can
go below 0 and that says neither ``signed`` nor ``at least`` is warned about; ``at least 0`` on
a row without columns is exactly the default floor (same scores, same trace, the scaled path)."""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

import thidua_rules as tr
from thidua_rules.language.intervals import Interval


def _ruleset(fact: str, row: str, rule: str) -> tr.Ruleset:
    return tr.loads(f'ruleset "san" {{ total 10 }}\n{fact}\n'
                    f'section I "I" max 10 {{\n    criterion I.1 "x" {row} {{ score {rule} }}\n}}\n')


def _floor_warnings(rs: tr.Ruleset) -> list[str]:
    return [w.message for w in rs.warnings if "below 0" in w.message]


def test_a_row_that_can_go_below_0_is_warned_about() -> None:
    # 10 − 5 × 3 = −5 at most violations (the count's bound 0..3): the floor would act unsaid.
    rs = _ruleset('fact n "n": count 0..3', "max 10", "max - 5 * n")
    assert _floor_warnings(rs) == ['the rule of "I.1" can be below 0 (down to -5), and a row is raised to 0 '
                                   "unless it says so"]
    assert 'write "at least 0" after the max of "I.1"' in str(rs.warnings[0].hint)
    # An unbounded count: no lowest value to name, still below 0.
    rs = _ruleset('fact n "n": count', "max 10", "max - 5 * n")
    assert _floor_warnings(rs) == ['the rule of "I.1" can be below 0, and a row is raised to 0 unless it says so']


def test_declared_floors_and_rules_that_cannot_go_below_0_are_not() -> None:
    for fact, row, rule in [
        ('fact n "n": count', "max 10 at least 0", "max - 5 * n"),
        ('fact n "n": count', "max 10 signed", "max - 5 * n"),
        ('fact n "n": count 0..2', "max 10", "max - 5 * n"),  # 10 − 5 × 2 = 0: never below
        # a quotient of two counts is never negative (division by 0 is guarded, never a value)
        ('fact n "n": count\nfact m "m": count', "max 10", "if m = 0 then max else 10 * n / m"),
    ]:
        assert _floor_warnings(_ruleset(fact, row, rule)) == [], (row, rule)


def test_at_least_0_on_a_plain_row_is_the_default_floor() -> None:
    plain = _ruleset('fact n "n": count', "max 10 signed", "max - 5 * n")  # for contrast: no floor
    default = tr.loads(_ruleset('fact n "n": count', "max 10", "max - 5 * n").source.text)
    declared = _ruleset('fact n "n": count', "max 10 at least 0", "max - 5 * n")
    assert declared.evaluator.scaled is not None and default.evaluator.scaled is not None
    for n in range(5):
        # 10 − 5n: 10, 5, 0, then −5 and −10 raised to 0 (signed keeps them)
        expected = max(D(10) - 5 * n, D(0))
        assert declared.evaluate({"n": n})["I.1"].score == default.evaluate({"n": n})["I.1"].score == expected
        assert plain.evaluate({"n": n})["I.1"].score == D(10) - 5 * n
        assert declared.evaluate({"n": n})["I.1"].trace == default.evaluate({"n": n})["I.1"].trace
    step = declared.evaluate({"n": 3})["I.1"].trace[-1]
    assert (step.rule, step.value, step.note) == ("cap", D(0), "raised to 0")


_SIDE = st.decimals(min_value=-50, max_value=50, places=1, allow_nan=False, allow_infinity=False)


@given(_SIDE, _SIDE, _SIDE, _SIDE, st.booleans())
def test_a_quotient_stays_in_its_interval(a: D, b: D, c: D, d: D, positive: bool) -> None:
    # Law: for x in [a, b] and y ≠ 0 in a divisor interval on one side of 0 (touching 0 at most),
    # x / y lies in the interval the range analysis gives.
    low, high = min(a, b), max(a, b)
    span = (D(0), abs(c) + abs(d) + 1) if positive else (-(abs(c) + abs(d) + 1), D(0))
    got = Interval(low, high) / Interval(*span)
    for x in (low, high, (low + high) / 2):
        for y in (span[1] if positive else span[0], abs(c) + D("0.1") if positive else -abs(c) - D("0.1")):
            assert got.low <= x / y <= got.high


def test_at_least_stays_a_bound_where_the_units_max_can_be_below_it() -> None:
    # max (k) at least 2: a unit with k = 1 has max 1; the row is cut to 1, then its "at least 2"
    # raises it to 2 (the bound acts after the cap, as on every node), k = 5 and n = 1: 5 − 1 = 4.
    rs = tr.loads('ruleset "m" { total 10 }\nfact k "k": count\nfact n "n": count\n'
                  'section I "I" max 10 { criterion I.1 "x" max (k) at least 2 { score max - n } }\n')
    for facts, expected in (({"k": 1, "n": 0}, D(2)), ({"k": 5, "n": 9}, D(2)), ({"k": 5, "n": 1}, D(4))):
        assert rs.evaluate(facts)["I.1"].score == rs.evaluate(facts, trace=False)["I.1"].score == expected
