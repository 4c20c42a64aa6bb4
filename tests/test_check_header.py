"""check_header on its own: the header's fields, the rounds, and the header's own mistakes.

Each fixture is a tiny ruleset; ``run`` parses it, runs the passes that come before
``check_header`` in ``PASSES`` (none: it is the first) and then ``check_header``, and returns the
shared state with the diagnostics that pass alone reported.
"""

from __future__ import annotations

from decimal import Decimal

from conftest import reported, run_pass

from thidua_rules import Diagnostic
from thidua_rules.check.header import check_header
from thidua_rules.check.state import Checker
from thidua_rules.model import Round

#: One section worth 10, so a header with "total 10" is otherwise clean.
BODY = 'section A "Mục A" max 10 {\n    criterion A.1 "Tiêu chí" max 10 { score assessed }\n}\n'


def run(text: str) -> tuple[Checker, list[Diagnostic]]:
    """The state after the passes up to check_header, and what check_header reported."""
    return run_pass(check_header, text)


def header(*items: str) -> str:
    """A ruleset whose header holds ``items`` (one a line), then ``BODY``."""
    return 'ruleset "t" {\n' + "".join(f"    {item}\n" for item in items) + "}\n" + BODY


def test_every_field_of_the_header_is_recorded() -> None:
    c, found = run(header(
        'title "Bảng chấm điểm"',
        'document "12/QĐ" dated 2023-07-19 by "Sở X"',
        "year 2023",
        "total 10",
        "rounding 3",
        'note "n1"',
        'note "n2"',
        'assume "a1"',
        'allow gap "bảng gốc thiếu điểm"',
    ))
    assert found == []
    h = c.header
    assert (h.id, h.title, h.year, h.total, h.rounding) == ("t", "Bảng chấm điểm", 2023, Decimal(10), 3)
    assert (h.document, h.dated, h.issuer) == ("12/QĐ", "2023-07-19", "Sở X")
    assert (h.notes, h.assumptions) == (("n1", "n2"), ("a1",))
    assert c.gap_allowed == {"": "bảng gốc thiếu điểm"}  # "" is the whole sheet


def test_without_rounds_the_default_rounds_and_final_round() -> None:
    c, found = run(header("total 10"))
    assert found == []
    assert c.rounds == (Round("self", "Điểm tự chấm"), Round("appraised", "Điểm thẩm định"))
    assert c.final_round == "appraised"
    assert c.header.rounding == 2  # the default
    assert (c.header.title, c.header.document, c.header.year) == (None, None, None)


def test_declared_rounds_and_how_the_final_round_is_chosen() -> None:
    rounds = 'rounds self "Tự chấm", council "Hội đồng"'
    c, _ = run(header("total 10", rounds))
    assert c.rounds == (Round("self", "Tự chấm"), Round("council", "Hội đồng"))
    assert c.final_round == "council"  # no "final": the last round listed
    assert run(header("total 10", rounds + " final self"))[0].final_round == "self"
    assert run(header("total 10", rounds + " final highest"))[0].final_round == "highest"


def test_an_item_given_twice_keeps_the_first() -> None:
    c, found = run(header("total 10", "year 2023", "year 2024"))
    assert reported(found) == [("error", '"year" is given twice in the ruleset header')]
    assert found[0].span is not None and found[0].span.line == 4  # the second "year"
    assert c.header.year == 2023


def test_year_and_rounding_out_of_range_are_left_unset() -> None:
    c, found = run(header("total 10", "year 1800", "rounding 11"))
    assert reported(found) == [
        ("error", "year 1800 is out of range 1900..2200"),
        ("error", "rounding 11 is out of range 0..10"),
    ]
    assert (c.header.year, c.header.rounding) == (None, 2)


def test_document_number_twice_and_a_date_that_does_not_exist() -> None:
    _, found = run(header("total 10", 'document "12/QĐ" "13/QĐ"'))
    assert reported(found) == [("error", "the document's number is given twice")]
    _, found = run(header("total 10", 'document "12/QĐ" dated 2023-02-30'))  # February has no 30th
    assert reported(found) == [("error", '"2023-02-30" is not a valid date')]


def test_a_round_declared_twice_and_an_unknown_final_round() -> None:
    _, found = run(header("total 10", 'rounds self "a", self "b"'))
    assert reported(found) == [("error", 'round "self" is declared twice')]
    _, found = run(header("total 10", 'rounds self "a", appraised "b" final apraised'))
    assert reported(found) == [("error", 'unknown final round "apraised"')]
    assert found[0].hint == 'did you mean "appraised"?'


def test_an_empty_id_and_a_total_out_of_range() -> None:
    _, found = run('ruleset " " {\n    total 10\n}\n' + BODY)
    assert reported(found) == [("error", "the ruleset id is empty")]
    _, found = run(header("total 1000000000000000"))  # 16 digits before the point
    assert reported(found) == [("error", "number 1000000000000000 is out of range")]
    assert found[0].hint == "numbers have at most 15 digits before the point and 10 after it"


def test_a_clean_header_reports_nothing() -> None:
    text = header('title "x"', 'document by "VP"', "year 2023", "total 10", 'rounds self "a", appraised "b"')
    c, found = run(text)
    assert found == []
    assert c.diagnostics == []
    assert c.header.issuer == "VP" and c.header.document is None
