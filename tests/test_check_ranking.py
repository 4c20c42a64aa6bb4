"""check_ranking on its own: the ranking keys and the awards with their requirements.

``run`` parses a tiny ruleset, runs the passes before ``check_ranking`` in ``PASSES``, then
``check_ranking``, and returns the state with the diagnostics that pass alone reported.
"""

from __future__ import annotations

from conftest import reported, run_pass

from thidua_rules import Diagnostic
from thidua_rules.check.ranking import check_ranking
from thidua_rules.check.state import Checker
from thidua_rules.model import Award

#: Lines 1 to 9: a clean sheet with a count k and a level x; the declarations under test follow.
SHEET = (
    'ruleset "t" { total 10 }\n'
    'scale xl { "xuất sắc" > "tốt" > "đạt" }\n'
    'fact k "k": count\n'
    'fact x "x": xl\n'
    'section A "Mục A" max 10 {\n'
    '    criterion A.1 "x" max 10 {\n'
    '        score if x >= "tốt" then min(k, 10) else 0\n'
    "    }\n"
    "}\n"
)


def run(decls: str) -> tuple[Checker, list[Diagnostic]]:
    """SHEET then ``decls``: the state after check_ranking, and what it reported."""
    return run_pass(check_ranking, SHEET + decls)


def test_the_ranking_keys_in_order() -> None:
    c, found = run(
        "ranking {\n    by highest total\n    then by lowest score(A.1)\n    then by highest percentage\n}\n"
    )
    assert found == []
    assert [(o.direction, o.expr.span.text()) for o in c.ranking] == [
        ("highest", "total"), ("lowest", "score(A.1)"), ("highest", "percentage"),
    ]


def test_awards_with_their_requirements() -> None:
    decls = (
        'award co "Cờ thi đua" count 1 {\n'
        '    require k = 0 else "có vi phạm"\n'
        '    require x >= "tốt" else "xếp loại thấp"\n'
        "}\n"
        'award bk "Bằng khen" count 2 {\n}\n'
    )
    c, found = run(decls)
    assert found == []
    assert [award for award, _ in c.awards] == [
        Award("co", "Cờ thi đua", 1, (("k = 0", "có vi phạm"), ('x >= "tốt"', "xếp loại thấp"))),
        Award("bk", "Bằng khen", 2, ()),
    ]
    assert [decl.name for _, decl in c.awards] == ["co", "bk"]  # each with its declaration


def test_one_ranking_at_most() -> None:
    c, found = run("ranking {\n    by highest total\n}\nranking {\n    by lowest total\n}\n")
    assert reported(found) == [("error", "a ruleset has one ranking at most")]
    assert [o.direction for o in c.ranking] == ["highest"]  # the first is kept


def test_keys_are_numbers_and_requirements_true_or_false() -> None:
    _, found = run("ranking {\n    by highest k = 0\n}\n")
    assert reported(found) == [("error", "a ranking key must be a number, not true/false")]
    _, found = run('award co "Cờ" count 1 {\n    require k else "x"\n}\n')
    assert reported(found) == [("error", "an award requirement must be true/false, not a number")]


def test_what_a_ranking_key_cannot_read() -> None:
    _, found = run("ranking {\n    by highest assessed\n}\n")
    assert reported(found) == [("error", "\"assessed\" can only be used in a criterion's score rule")]
    _, found = run("ranking {\n    by highest score(A.2)\n}\n")
    assert reported(found) == [("error", 'unknown code "A.2"')]
    assert found[0].hint == 'did you mean "A.1"?'


def test_an_award_for_no_unit_is_not_recorded() -> None:
    c, found = run('award co "Cờ" count 0 {\n}\n')
    assert reported(found) == [("error", 'award "co" is given to 1 to 1000000 units, not 0')]
    assert c.awards == []


def test_an_award_declared_twice() -> None:
    # the first award is on line 10, just after SHEET
    _, found = run('award co "Cờ" count 1 {\n}\naward co "Cờ 2" count 1 {\n}\n')
    assert reported(found) == [("error", '"co" is declared twice (first at line 10)')]


def test_clean_ranking_and_awards_report_nothing() -> None:
    c, found = run('ranking {\n    by highest total\n}\naward co "Cờ" count 1 {\n    require k = 0 else "x"\n}\n')
    assert found == []
    assert c.diagnostics == []
    assert (len(c.ranking), len(c.awards)) == (1, 1)
