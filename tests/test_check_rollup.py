"""check_rollup on its own: the roll-up of period sheets (periods, combine, missing, caps).

``run`` parses a tiny ruleset, runs the passes before ``check_rollup`` in ``PASSES`` (the tree,
whose codes a cap names), then ``check_rollup``, and returns the state with the diagnostics that
pass alone reported.
"""

from __future__ import annotations

from decimal import Decimal

from conftest import reported, run_pass

from thidua_rules import Diagnostic
from thidua_rules.check.rollup import check_rollup
from thidua_rules.check.state import Checker
from thidua_rules.model import Rollup

SHEET = (
    'ruleset "t" { total 10 }\n'
    'section A "Mục A" max 10 {\n'
    '    criterion A.1 "x" max 6 { score assessed }\n'
    '    criterion A.2 "y" max 4 { score assessed }\n'
    "}\n"
)


def run_text(decls: str) -> tuple[Checker, list[Diagnostic]]:
    """SHEET then ``decls``: the state after check_rollup, and what it reported."""
    return run_pass(check_rollup, SHEET + decls)


def run(*items: str, title: str = "") -> tuple[Checker, list[Diagnostic]]:
    """SHEET then one rollup holding ``items`` (one a line)."""
    return run_text(f"rollup {title}{{\n" + "".join(f"    {item}\n" for item in items) + "}\n")


def test_every_part_of_the_rollup_is_recorded() -> None:
    c, found = run('periods "Quý I", "Quý II"', "combine mean", "missing skip", 'cap "a.2" 5', title='"Cả năm" ')
    assert found == []
    # the cap's code is matched without case and stored as the sheet spells it
    assert c.rollup == Rollup("Cả năm", ("Quý I", "Quý II"), "mean", "skip", (("A.2", Decimal(5)),))


def test_the_defaults_and_no_rollup() -> None:
    c, found = run('periods "T1", "T2"')
    assert found == []
    assert c.rollup == Rollup(None, ("T1", "T2"), "sum", "error", ())
    c, found = run_text("")
    assert (c.rollup, found) == (None, [])


def test_one_rollup_at_most() -> None:
    c, found = run_text('rollup {\n    periods "T1"\n}\nrollup {\n    periods "T2"\n}\n')
    assert reported(found) == [("error", "a ruleset has one rollup at most")]
    assert c.rollup is not None and c.rollup.periods == ("T1",)


def test_caps_on_unknown_codes_or_twice() -> None:
    _, found = run('periods "T1"', "cap A.9 5")
    assert reported(found) == [("error", 'unknown code "A.9"')]
    assert found[0].hint == 'did you mean "A.2"?'
    _, found = run('periods "T1"', "cap A.1 5", 'cap "a.1" 4')
    assert reported(found) == [("error", '"A.1" has two roll-up caps')]


def test_combine_and_missing_take_known_words() -> None:
    _, found = run('periods "T1"', "combine avg")
    assert reported(found) == [("error", 'combine is sum or mean, not "avg"')]
    _, found = run('periods "T1"', "missing zeros")
    assert reported(found) == [("error", 'missing is error or zero or skip, not "zeros"')]
    assert found[0].hint == 'did you mean "zero"?'


def test_a_period_listed_twice_and_an_item_given_twice() -> None:
    _, found = run('periods "T1", "t1"')  # periods are compared without case
    assert reported(found) == [("error", 'period "t1" is listed twice')]
    _, found = run('periods "T1"', "combine sum", "combine mean")
    assert reported(found) == [("error", '"combine" is given twice in the rollup')]


def test_a_rollup_without_periods() -> None:
    c, found = run("combine sum", title='"Năm" ')
    assert reported(found) == [("error", "the rollup lists no periods")]
    assert found[0].hint == 'add: periods "T1", "T2", …'
    assert c.rollup is not None and c.rollup.periods == ()


def test_a_clean_rollup_reports_nothing() -> None:
    c, found = run('periods "T1", "T2", "T3"', "combine sum", "missing zero", "cap A.1 15")
    assert found == []
    assert c.diagnostics == []
