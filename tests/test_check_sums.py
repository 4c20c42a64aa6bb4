"""check_sums on its own: the maxima of items add up to their group, the sections to the total.

``run`` parses a tiny ruleset, runs the passes before ``check_sums`` in ``PASSES`` (the tree and
the levels resolved by the type pass, which the per-variant sums read), then ``check_sums``, and
returns the state with the diagnostics that pass alone reported. The pass fills no state of its
own: it only reports.
"""

from __future__ import annotations

from conftest import reported, run_pass

from thidua_rules import Diagnostic
from thidua_rules.check.state import Checker
from thidua_rules.check.sums import check_sums

GAP_HINT = 'if the document has this gap, acknowledge it with: allow gap "reason"'


def run(text: str) -> tuple[Checker, list[Diagnostic]]:
    """The state after the passes up to check_sums, and what check_sums reported."""
    return run_pass(check_sums, text)


def crit(code: str, max_: int) -> str:
    return f'    criterion {code} "x" max {max_} {{ score assessed }}\n'


def sheet(items: str, *, total: int = 10, section_max: int = 10, header_extra: str = "") -> str:
    """A header (line 1 "ruleset", line 2 "total", then ``header_extra``) and section A (max 10)."""
    return (
        f'ruleset "t" {{\n    total {total}\n{header_extra}}}\n'
        + f'section A "Mục A" max {section_max} {{\n{items}}}\n'
    )


def test_items_that_do_not_add_up_to_the_max() -> None:
    text = sheet(crit("A.1", 4) + crit("A.2", 5))  # 4 + 5 = 9, not 10
    _, found = run(text)
    assert reported(found) == [("error", 'the items of "A" add up to 9, not its max 10')]
    assert found[0].hint == GAP_HINT
    assert found[0].span is not None and found[0].span.text() == "max 10"  # the section's limit


def test_allow_gap_turns_it_into_a_warning() -> None:
    text = sheet('    allow gap "bản gốc thiếu 1 điểm"\n' + crit("A.1", 4) + crit("A.2", 5))
    _, found = run(text)
    assert reported(found) == [
        ("warning", 'the items of "A" add up to 9, not its max 10 (acknowledged: bản gốc thiếu 1 điểm)'),
    ]
    assert found[0].hint is None


def test_sections_that_do_not_add_up_to_the_total() -> None:
    _, found = run(sheet(crit("A.1", 8), section_max=8))  # one section of 8, total 10
    assert reported(found) == [("error", "the sections add up to 8, not the declared total 10")]
    assert found[0].span is not None and found[0].span.text() == "total 10"
    _, found = run(sheet(crit("A.1", 8), section_max=8, header_extra='    allow gap "thiếu 2"\n'))
    assert reported(found) == [
        ("warning", "the sections add up to 8, not the declared total 10 (acknowledged: thiếu 2)"),
    ]


def test_no_total() -> None:
    _, found = run('ruleset "t" {\n}\nsection A "A" max 10 {\n' + crit("A.1", 10) + "}\n")
    assert reported(found) == [("error", "the ruleset declares no total")]
    assert found[0].hint == 'add "total N" to the header'


def test_a_cap_larger_than_its_items() -> None:
    # G shares a cap of 8 over items worth 3 + 3 = 6; A counts G as 8: 8 + 2 = 10
    items = '    group G cap 8 {\n' + crit("G.1", 3) + crit("G.2", 3) + "    }\n" + crit("A.2", 2)
    _, found = run(sheet(items))
    assert reported(found) == [("error", 'the items of "G" add up to 6, less than its cap 8')]


def test_bonus_sections_count_and_deduction_sections_do_not() -> None:
    # total 12 = A (10) + bonus B (2); the deduction section D has no max and is left out
    text = (
        sheet(crit("A.1", 10), total=12)
        + 'bonus section B "B" max 2 {\n' + crit("B.1", 2) + "}\n"
        + 'deduction section D "D" {\n    criterion D.1 "d" { score 1 }\n}\n'
    )
    _, found = run(text)
    assert found == []


VARIANTS = '''ruleset "t" {
    variants by cap_don_vi
    total by { "huyện": 50, "xã": 30 }
}
scale cap { "huyện" > "xã" }
fact cap_don_vi "Cấp": cap
fact so "so": count
section A "A" max by { "huyện": 50, "xã": 30 } {
    criterion A.1 "a" max by { "huyện": 20, "xã": 10 } { score assessed }
    criterion A.2 "b" max 20 { score assessed }
    criterion A.3 "c" max 10 at least 0 {
        applicable if cap_don_vi = "huyện"
        score max - 5 * so
    }
}
'''


def test_sums_per_variant_drop_the_rows_of_the_other_variant() -> None:
    # huyện: 20 + 20 + 10 = 50; xã: A.3 does not apply, 10 + 20 = 30
    c, found = run(VARIANTS)
    assert found == []
    assert c.diagnostics == []


def test_a_slip_in_one_variant_names_it() -> None:
    # xã: A.2 typed 15 instead of 20, so 10 + 15 = 25, not 30
    _, found = run(VARIANTS.replace("max 20", 'max by { "huyện": 20, "xã": 15 }'))
    assert reported(found) == [("error", 'for "xã", the items of "A" add up to 25, not its max 30')]
    # xã's total typed 35: the section is worth 30 for xã
    _, found = run(VARIANTS.replace('"xã": 30 }\n}', '"xã": 35 }\n}'))
    assert reported(found) == [("error", 'for "xã", the sections add up to 30, not the declared total 35')]


def test_a_clean_sheet_reports_nothing() -> None:
    # A: group G (max 6 = 2 + 4) + 4 = 10 = the total
    items = '    group G max 6 {\n' + crit("G.1", 2) + crit("G.2", 4) + "    }\n" + crit("A.2", 4)
    c, found = run(sheet(items))
    assert found == []
    assert c.diagnostics == []
