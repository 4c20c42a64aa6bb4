"""Cohort aggregates of other units' levels (issue 13, item 15): ``class(NAME)`` inside an
aggregate, ``cohort count(CONDITION)``, the order they are computed in and the cycles refused.
Expected values by hand, with the arithmetic in comments.

Illustrative rulesets, not any agency's.
"""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import thidua_rules as tr
from thidua_rules.language.parser import parse
from thidua_rules.language.printer import print_ruleset
from thidua_rules.language.transformer import to_nodes
from thidua_rules.source import Source

SUPERIOR = """ruleset "cap-tren-xep-loai" { total 103 }

scale cap_don_vi { "cấp trên" > "trực thuộc" }

fact cap "Cấp của đơn vị": cap_don_vi
fact nop_bao_cao "Nộp báo cáo tổng kết đúng hạn": boolean

section A "KẾT QUẢ" max 100 {
    criterion A.1 "Kết quả." max 100 { score assessed }
}

bonus section B "ĐIỂM THƯỞNG" max 3 {
    applicable if cap = "cấp trên"
    criterion B.1 "Cộng 2 đ nếu mọi đơn vị trực thuộc xếp loại Khá trở lên, thêm 1 đ nếu có đơn vị Xuất sắc." max 3 {
        score (if cohort count(class(xep_loai) < "Khá" where cap = "trực thuộc") = 0 then 2 else 0)
            + (if cohort count(class(xep_loai) = "Xuất sắc" where cap = "trực thuộc") >= 1 then 1 else 0)
    }
}

classify xep_loai "Xếp loại" by total {
    >= 90: "Xuất sắc"
    >= 70: "Khá"
    otherwise: "Trung bình"
    require nop_bao_cao else unclassified "Không nộp báo cáo"
}
"""

BELOW = 'count(class(xep_loai) < "Khá" where cap = "trực thuộc")'
BEST = 'count(class(xep_loai) = "Xuất sắc" where cap = "trực thuộc")'


def unit(cap: str, score: object, report: bool = True) -> dict[str, object]:
    return {"cap": cap, "A.1": score, "nop_bao_cao": report}


def test_every_subordinate_good_and_one_excellent_gives_three() -> None:
    rs = tr.loads(SUPERIOR)
    results = rs.evaluate_cohort({"Sở": unit("cấp trên", 80), "P1": unit("trực thuộc", 75),
                                  "P2": unit("trực thuộc", 90)})
    # P1 75 >= 70: Khá; P2 90 >= 90: Xuất sắc. None below Khá (count 0): 2; one Xuất sắc
    # (count 1 >= 1): 1. B.1 = 2 + 1 = 3; the Sở: 80 + 3 = 83.
    assert results["Sở"].cohort[BELOW] == (D(0), "0 of 2 unit(s)")
    assert results["Sở"].cohort[BEST] == (D(1), "1 of 2 unit(s)")
    assert results["Sở"]["B.1"].score == D(3)
    assert results["Sở"].total == D(83)
    assert results["P1"]["B.1"].score is None and results["P1"].total == D(75)


def test_an_unclassified_subordinate_is_below_every_level() -> None:
    rs = tr.loads(SUPERIOR)
    results = rs.evaluate_cohort({"Sở": unit("cấp trên", 80), "P1": unit("trực thuộc", 95, report=False),
                                  "P2": unit("trực thuộc", 70)})
    # P1 95 would be Xuất sắc but gave no report: not classified, below Khá (count 1): no 2;
    # and not Xuất sắc: P2 70 is Khá, so no Xuất sắc either (count 0): no 1. B.1 = 0, total 80.
    assert results["Sở"].cohort[BELOW][0] == D(1)
    assert results["Sở"].cohort[BEST][0] == D(0)
    assert results["Sở"].total == D(80)


def test_one_subordinate_below_good_takes_the_two_points() -> None:
    rs = tr.loads(SUPERIOR)
    results = rs.evaluate_cohort({"Sở": unit("cấp trên", 80), "P1": unit("trực thuộc", 69.5),
                                  "P2": unit("trực thuộc", 91)})
    # P1 69.5 < 70: Trung bình (count below Khá 1: no 2); P2 91: Xuất sắc (1). 80 + 0 + 1 = 81.
    assert results["Sở"]["B.1"].score == D(1)
    assert results["Sở"].total == D(81)


def test_ranking_and_classifying_read_the_same_levels() -> None:
    rs = tr.loads(SUPERIOR)
    units = {"Sở": unit("cấp trên", 88), "P1": unit("trực thuộc", 75), "P2": unit("trực thuộc", 92)}
    # The Sở: 88 + 3 = 91 (no subordinate below Khá, P2 Xuất sắc): ranked after P2's 92.
    assert [(e.unit, e.total) for e in rs.rank(units)] == [("P2", D(92)), ("Sở", D(91)), ("P1", D(75))]
    classes = rs.classify("xep_loai", units)
    assert [(e.unit, e.level) for e in classes] == [("P2", "Xuất sắc"), ("Sở", "Xuất sắc"), ("P1", "Khá")]


def test_the_fast_path_gives_what_the_traced_path_gives() -> None:
    rs = tr.loads(SUPERIOR)
    units = {"Sở": unit("cấp trên", 88), "P1": unit("trực thuộc", 75), "P2": unit("trực thuộc", 92)}
    fast, traced = rs.evaluate_cohort(units, trace=False), rs.evaluate_cohort(units, trace=True)
    assert {u: r.to_dict()["total"] for u, r in fast.items()} == {u: r.to_dict()["total"] for u, r in traced.items()}
    assert traced["Sở"]["B.1"].trace and fast["Sở"]["B.1"].score == traced["Sở"]["B.1"].score == D(3)


def test_the_value_may_be_given_by_the_caller() -> None:
    rs = tr.loads(SUPERIOR)
    # count below Khá given 0: 2; count Xuất sắc given 0: 0. 80 + 2 = 82; the classification-only
    # fact nop_bao_cao is not asked for.
    r = rs.evaluate({"cap": "cấp trên", "A.1": 80}, cohort={BELOW: 0, BEST: 0})
    assert r.total == D(82)


def test_count_of_a_condition_over_facts() -> None:
    rs = tr.loads("""ruleset "dem" { total 5 }

fact so_vi_pham "Số vi phạm": count

section I "KỶ LUẬT" max 5 {
    criterion I.1 "5 đ nếu không quá một nửa số đơn vị có vi phạm." max 5 {
        score if 2 * cohort count(so_vi_pham > 0) <= cohort count then 5 else 0
    }
}
""")
    results = rs.evaluate_cohort({"A": {"so_vi_pham": 0}, "B": {"so_vi_pham": 2}, "C": {"so_vi_pham": 0}})
    # 1 of the 3 units has breaches: 2 × 1 = 2 <= 3: 5 for every unit.
    assert results["A"].cohort["count(so_vi_pham > 0)"] == (D(1), "1 of 3 unit(s)")
    assert results["B"].total == D(5)
    results = rs.evaluate_cohort({"A": {"so_vi_pham": 1}, "B": {"so_vi_pham": 2}, "C": {"so_vi_pham": 0}})
    # 2 of 3: 2 × 2 = 4 > 3: 0.
    assert results["C"].total == D(0)


def diagnostics(source: str) -> list[tr.Diagnostic]:
    with pytest.raises(tr.RulesetError) as caught:
        tr.loads(source, source="lv.thidua")
    return [d for d in caught.value.diagnostics if d.severity == "error"]


def test_without_where_the_reader_is_in_its_own_units_levels() -> None:
    source = SUPERIOR.replace(' where cap = "trực thuộc") = 0', ") = 0")
    [error] = diagnostics(source)
    assert error.message == (
        'criterion B.1 reads the cohort aggregate count(class(xep_loai) < "Khá"), which takes in the levels '
        "of classification xep_loai, which read the score of B.1 itself")
    line = source.splitlines().index(next(x for x in source.splitlines() if '< "Khá")' in x)) + 1
    assert (error.span.line, error.span.column) == (line, 19)  # "        score (if " is 18 wide
    assert "lv.thidua:" in error.render() and "^^^" in error.render()


@pytest.mark.parametrize(("old", "new", "message"), [
    ('if cohort count(class(xep_loai) < "Khá" where cap = "trực thuộc") = 0', 'if class(xep_loai) = "Khá"',
     "class(…) reads the units' levels, inside a cohort aggregate only"),
    ('count(class(xep_loai) < "Khá"', 'count(class(xep_loaj) < "Khá"', 'no classification "xep_loaj"'),
    ('class(xep_loai) < "Khá"', 'class(xep_loai) < "Kha gioi"',
     '"Kha gioi" is not a level of classification "xep_loai"'),
    ('count(class(xep_loai) < "Khá"', 'count(class(xep_loai)', 'what a cohort count counts (a condition) must be'),
])
def test_mistakes_are_refused_with_their_place(old: str, new: str, message: str) -> None:
    [error] = diagnostics(SUPERIOR.replace(old, new, 1))
    assert error.message.startswith(message)
    assert error.span is not None and error.span.line == 15


def test_a_quota_ranks_every_unit_so_the_superior_reading_it_is_a_cycle() -> None:
    rs = tr.loads(SUPERIOR.replace('otherwise: "Trung bình"', 'otherwise: "Trung bình"\n    quota "Xuất sắc" 1'))
    with pytest.raises(tr.FactsError) as caught:
        rs.evaluate_cohort({"Sở": unit("cấp trên", 80), "P1": unit("trực thuộc", 75), "P2": unit("trực thuộc", 92)})
    [problem] = caught.value.problems
    assert problem.fact == "Sở: B.1"
    assert ("reads the levels of classification xep_loai, which take in Sở (a quota ranks every unit given)"
            in problem.message)


def test_the_printer_reads_back_what_it_wrote() -> None:
    source = Source("lv.thidua", SUPERIOR)
    printed = print_ruleset(to_nodes(parse(source), source))
    assert 'cohort count(class(xep_loai) < "Khá" where cap = "trực thuộc")' in printed
    again = Source("printed.thidua", printed)
    assert print_ruleset(to_nodes(parse(again), again)) == printed


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 200).map(lambda x: D(x) / 2), st.booleans()), min_size=1, max_size=5),
       st.integers(0, 200).map(lambda x: D(x) / 2))
def test_the_bonus_follows_the_subordinates_levels(subs: list[tuple[D, bool]], own: D) -> None:
    # The law: 2 points exactly when no subordinate is unclassified or below 70, 1 more exactly
    # when one has 90 or more and gave its report; the Sở's own score is 'own' + B.1.
    rs = tr.loads(SUPERIOR)
    units: dict[str, Any] = {"Sở": unit("cấp trên", own)}
    units.update({f"P{i}": unit("trực thuộc", score, report) for i, (score, report) in enumerate(subs)})
    good = all(report and score >= 70 for score, report in subs)
    excellent = any(report and score >= 90 for score, report in subs)
    expected = (2 if good else 0) + (1 if excellent else 0)
    assert rs.evaluate_cohort(units, trace=False)["Sở"].total == own + expected
