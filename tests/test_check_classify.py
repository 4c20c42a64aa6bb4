"""check_classify on its own: the bands, requirements and quotas of each classification.

``run`` parses a tiny ruleset, runs the passes before ``check_classify`` in ``PASSES``, then
``check_classify``, and returns the state with the diagnostics that pass alone reported.
"""

from __future__ import annotations

from decimal import Decimal

from conftest import reported, run_pass

from thidua_rules import Diagnostic
from thidua_rules.check.classify import check_classify
from thidua_rules.check.state import Checker

#: Lines 1 to 8; a classification under test starts on line 9.
SHEET = (
    'ruleset "t" { total 10 }\n'
    'fact k "k": count\n'
    'fact b "b": boolean\n'
    'section A "Mục A" max 10 {\n'
    '    criterion A.1 "x" max 10 {\n'
    "        score if b then min(k, 10) else 0\n"
    "    }\n"
    "}\n"
)


def run(decls: str) -> tuple[Checker, list[Diagnostic]]:
    """SHEET then ``decls``: the state after check_classify, and what it reported."""
    return run_pass(check_classify, SHEET + decls)


def classify(*lines: str, by: str = "total") -> str:
    return f'classify xl "Xếp loại" by {by} {{\n' + "".join(f"    {line}\n" for line in lines) + "}\n"


#: Bands best first: 9 and up, 5 and up, otherwise.
BANDS = ('>= 9: "xuất sắc"', '>= 5: "tốt"', 'otherwise: "đạt"')


def test_the_levels_are_the_bands_in_order_of_first_appearance() -> None:
    c, found = run(classify('>= 9: "xuất sắc"', '>= 5: "tốt"', '>= 3: "tốt"', 'otherwise: "đạt"'))
    assert found == []
    ((decl, labels),) = c.classifications
    assert (decl.name, decl.title, labels) == ("xl", "Xếp loại", ("xuất sắc", "tốt", "đạt"))


def test_requirements_and_quotas_are_kept_in_order() -> None:
    rules = (
        'require k = 0 else lower "kỷ luật"',
        'require b else at most "tốt" "chậm"',
        'require b else unclassified "không nộp"',
        'quota "xuất sắc" 20 %',
        'quota "tốt" 2',
    )
    c, found = run(classify(*BANDS, *rules))
    assert found == []
    ((decl, _),) = c.classifications
    assert [(r.kind, r.level, r.amount, r.percent, r.reason) for r in decl.rules] == [
        ("lower", None, None, False, "kỷ luật"),
        ("at_most", "tốt", None, False, "chậm"),
        ("unclassified", None, None, False, "không nộp"),
        ("quota", "xuất sắc", Decimal(20), True, ""),
        ("quota", "tốt", Decimal(2), False, ""),
    ]


def test_bands_by_percentage_and_several_classifications() -> None:
    text = classify(*BANDS) + 'classify muc by percentage {\n    >= 90: "A"\n    otherwise: "B"\n}\n'
    c, found = run(text)
    assert found == []
    assert [(decl.name, labels) for decl, labels in c.classifications] == [
        ("xl", ("xuất sắc", "tốt", "đạt")), ("muc", ("A", "B")),
    ]


def test_a_band_names_its_level_in_quotes() -> None:
    _, found = run(classify(">= 9: 1", 'otherwise: "đạt"'))
    assert found[0].message == "a band names its level in quotes"
    assert found[0].span is not None and found[0].span.text() == "1"


def test_bands_are_over_a_number() -> None:
    _, found = run(classify('true: "a"', 'otherwise: "đạt"', by="b"))
    assert reported(found) == [("error", "bands are over a number, not true/false")]


def test_a_rule_naming_a_level_that_is_no_band() -> None:
    _, found = run(classify(*BANDS, 'quota "xuat sac" 1'))
    assert reported(found) == [("error", '"xuat sac" is not a band of "xl"')]
    assert found[0].hint == 'did you mean "xuất sắc"?'


def test_quotas_and_conditions_out_of_shape() -> None:
    message = "a quota is a whole number of units, or a percentage from 0 to 100"
    for quota in ('quota "tốt" 120 %', 'quota "tốt" 1.5'):
        _, found = run(classify(*BANDS, quota))
        assert reported(found) == [("error", message)], quota
    _, found = run(classify(*BANDS, 'require k else lower "x"'))
    assert reported(found) == [("error", "a condition must be true/false, not a number")]


def test_bands_must_cover_every_value_and_names_are_unique() -> None:
    _, found = run(classify('>= 9: "xuất sắc"'))
    assert reported(found) == [("error", "the table has no otherwise row, and no row matches below 9")]
    _, found = run(classify(*BANDS) + classify(*BANDS))  # the first is on line 9
    assert reported(found) == [("error", '"xl" is declared twice (first at line 9)')]


def test_a_clean_classification_reports_nothing() -> None:
    c, found = run(classify(*BANDS, 'require b else lower "x"', 'quota "xuất sắc" 1'))
    assert found == []
    assert c.diagnostics == []
