"""Several roll-ups in one ruleset, each period's share of a cap over the periods, and ranking
and classifying roll-ups (issue 13, item 13), by hand and by law.

The sheet is examples/shapes/periods.thidua (illustrative): A.1 = 2 × articles (max 6), A.2 judged
(max 4, only in a month with articles), bonus B.1 = initiatives (max 2), deduction D.1 =
violations. Besides its unnamed term roll-up (T1–T3, caps A.1 ≤ 15, B.1 ≤ 3), two named ones are
added here: ``quy_1`` (T1–T3, cap B.1 ≤ 2) and ``sau_thang`` (T1–T6, caps A.1 ≤ 20, B.1 ≤ 4).
"""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import thidua_rules as tr

SHAPES = Path(__file__).resolve().parent.parent / "examples" / "shapes"
NAMED = """
rollup quy_1 "Quý I" {
    periods "T1", "T2", "T3"
    cap B.1 2
}

rollup sau_thang "Sáu tháng" {
    periods "T1", "T2", "T3", "T4", "T5", "T6"
    missing skip
    cap A.1 20
    cap B.1 4
}

ranking {
    by highest total
}

award giay_khen "Giấy khen" count 1 {
    require so_vi_pham = 0 else "Có vi phạm nội quy"
}

classify xep_loai "Xếp loại học kỳ" by total {
    >= 27: "Xuất sắc"
    otherwise: "Tốt"
    require so_vi_pham = 0 else lower "Có vi phạm nội quy"
}
"""
TEXT = (SHAPES / "periods.thidua").read_text(encoding="utf-8") + NAMED
RS = tr.loads(TEXT, source="periods-named.thidua")


def month(articles: int, judged: object | None, initiatives: int, violations: int) -> dict[str, object]:
    facts: dict[str, object] = {"so_bai_viet": articles, "so_sang_kien": initiatives, "so_vi_pham": violations}
    if judged is not None:
        facts["A.2"] = judged
    return facts


TERM = {
    "T1": month(3, 4, 2, 0),  # A.1 = 6, A.2 = 4, A = 10; B.1 = 2; D.1 = 0; total 12
    "T2": month(3, 3, 1, 1),  # A.1 = 6, A.2 = 3, A = 9;  B.1 = 1; D.1 = 1; total 9
    "T3": month(2, 4, 2, 0),  # A.1 = 4, A.2 = 4, A = 8;  B.1 = 2; D.1 = 0; total 10
}


def test_the_unnamed_rollup_is_unchanged_and_named_ones_are_chosen_by_name() -> None:
    default = RS.evaluate_periods(TERM)
    # The term (unchanged): B.1 2 + 1 + 2 = 5, cut to 3; total 28 (tests/test_periods.py).
    assert (default.name, default["B.1"].score, default.total) == (None, D(3), D(28))
    quarter = RS.evaluate_periods(TERM, rollup="Quy_1")  # names fold as unit names do
    # quy_1: B.1 5, cut to 2 (cut 3); A.1 6 + 6 + 4 = 16, no cap here; A 27; D 1: 27 + 2 − 1 = 28
    assert quarter.name == "quy_1"
    assert (quarter["B.1"].score, quarter["B.1"].cut, quarter["A.1"].score, quarter.total) == (
        D(2), D(3), D(16), D(28))


def test_shares_cut_the_period_in_which_a_cap_is_reached() -> None:
    rolled = RS.evaluate_periods(TERM, rollup="quy_1")
    # B.1 cap 2: T1 keeps 2 (0 left), T2 0 of its 1, T3 0 of its 2: 3 cut
    assert dict(rolled["B.1"].shares) == {"T1": D(2), "T2": D(0), "T3": D(0)}
    assert [(s.value, s.note) for s in rolled["B.1"].trace if s.rule == "share"] == [
        (D(2), "T1: 2 of the 2 left of the cap 2"),
        (D(0), "T2: 0 of the 0 left of the cap 2; 1 cut"),
        (D(0), "T3: 0 of the 0 left of the cap 2; 2 cut")]
    # Section B above it: its period scores 2, 1, 2 less what was cut under it in each period.
    assert dict(rolled["B"].shares) == {"T1": D(2), "T2": D(0), "T3": D(0)}
    # A.1 is not capped in quy_1: its shares are its own scores 6, 6, 4; A 10, 9, 8.
    assert dict(rolled["A.1"].shares) == {"T1": D(6), "T2": D(6), "T3": D(4)}
    assert dict(rolled["A"].shares) == {"T1": D(10), "T2": D(9), "T3": D(8)}


def test_shares_of_a_node_that_does_not_apply_and_of_skipped_periods() -> None:
    months = {**TERM, "T2": month(0, None, 1, 1), "T5": month(3, 2, 2, 0)}  # T4 and T6 not given: skipped
    rolled = RS.evaluate_periods(months, rollup="sau_thang")
    assert rolled.counted == ("T1", "T2", "T3", "T5")
    # A.2 does not apply in T2 (no article): None; 4 + 4 + 2 = 10
    assert dict(rolled["A.2"].shares) == {"T1": D(4), "T2": None, "T3": D(4), "T5": D(2)}
    # A.1: 6 + 0 + 4 + 6 = 16 ≤ 20; B.1: 2 + 1 + 2 + 2 = 7 > 4: T1 2 (2 left), T2 1 (1 left), T3 1 of 2, T5 0
    assert dict(rolled["B.1"].shares) == {"T1": D(2), "T2": D(1), "T3": D(1), "T5": D(0)}
    assert rolled["B.1"].score == sum(v for v in rolled["B.1"].shares.values() if v is not None) == D(4)
    # A: T1 10, T2 0 (nothing applies but A.1 = 0), T3 8, T5 8 (6 + 2); total 26 + 4 − 1
    assert rolled.total == D(29)


def test_mean_rollups_have_no_shares() -> None:
    rs = tr.loads(TEXT.replace('    missing skip\n', '    missing skip\n    combine mean\n'), source="m.thidua")
    rolled = rs.evaluate_periods(TERM, rollup="sau_thang")
    assert dict(rolled["B.1"].shares) == {}
    assert rolled["B.1"].score == D("1.67")  # (2 + 1 + 2) / 3 = 1.666… ≤ 4


@pytest.mark.parametrize(("call", "message"), [
    ({"rollup": "quy1"}, 'no rollup "quy1"; did you mean "quy_1"?'),
    ({"rollup": "nam"}, 'no rollup "nam"; the ruleset declares: quy_1, sau_thang'),
])
def test_an_unknown_rollup_is_refused_with_a_suggestion(call: dict[str, Any], message: str) -> None:
    with pytest.raises(tr.EvaluationError) as info:
        RS.evaluate_periods(TERM, **call)
    assert str(info.value) == message


def test_several_named_rollups_and_no_unnamed_one_need_a_name() -> None:
    text = TEXT.replace('rollup "Học kỳ I" {', 'rollup hoc_ky "Học kỳ I" {')
    rs = tr.loads(text, source="x.thidua")
    with pytest.raises(tr.EvaluationError, match="several rollups; name one with rollup=…: hoc_ky, quy_1, sau_thang"):
        rs.evaluate_periods(TERM)
    assert rs.evaluate_periods(TERM, rollup="hoc_ky").total == D(28)
    with pytest.raises(tr.OptionError):
        rs.evaluate_periods(TERM, rollup=3)  # type: ignore[arg-type]


@pytest.mark.parametrize(("old", "new", "message"), [
    ('rollup sau_thang "Sáu tháng" {', 'rollup QUY_1 "Sáu tháng" {', 'rollup "QUY_1" is declared twice'),
    ('rollup quy_1 "Quý I" {', 'rollup "Quý I" {', "a ruleset has one rollup at most"),
    ("    cap B.1 2\n", "    cap B.9 2\n", 'unknown code "B.9"'),
])
def test_bad_rollups_are_refused_with_a_position(old: str, new: str, message: str) -> None:
    with pytest.raises(tr.RulesetError) as info:
        tr.loads(TEXT.replace(old, new), source="x.thidua")
    text = str(info.value)
    assert message in text and "x.thidua:" in text and "^" in text, text


def test_ranking_awards_and_classification_of_rollups() -> None:
    clean = {**TERM, "T2": month(3, 3, 1, 0)}  # T2 without the violation: total 10
    units = {"U": RS.evaluate_periods(TERM), "V": RS.evaluate_periods(clean)}
    # U: 28 (above). V: A 27 − 1 = 26, B 3, D 0: 29.
    standings = RS.rank(units)
    assert [(e.unit, e.position, e.total) for e in standings] == [("V", 1, D(29)), ("U", 2, D(28))]
    # The facts of a roll-up are its periods' facts, a later one winning: U's T3 has so_vi_pham 0,
    # so the award and the classification read 0 — as the documentation says.
    assert standings.awards["giay_khen"] == ("V",)
    assert standings.results["U"].facts["so_vi_pham"] == D(0)
    classes = RS.classify("xep_loai", units)
    assert [(c.unit, c.band, c.level) for c in classes.units] == [("V", "Xuất sắc", "Xuất sắc"),
                                                                   ("U", "Xuất sắc", "Xuất sắc")]


def test_printer_round_trip_of_named_rollups() -> None:
    once = tr.format_ruleset(TEXT)
    assert 'rollup quy_1 "Quý I" {' in once and 'rollup "Học kỳ I" {' in once
    assert tr.format_ruleset(once) == once
    assert tr.loads(once, source="again.thidua").evaluate_periods(TERM, rollup="quy_1").total == D(28)


MONTH = st.builds(month, st.integers(0, 4), st.integers(0, 4), st.integers(0, 3), st.integers(0, 2))


@given(st.dictionaries(st.sampled_from(["T1", "T2", "T3", "T4", "T5", "T6"]), MONTH, min_size=1))
def test_shares_add_up_to_the_rollup_and_traced_equals_untraced(months: dict[str, Any]) -> None:
    traced = RS.evaluate_periods(months, rollup="sau_thang")
    fast = RS.evaluate_periods(months, rollup="sau_thang", trace=False)
    for code, node in traced.nodes.items():
        shares = [v for v in node.shares.values() if v is not None]
        if node.score is not None:
            assert sum(shares, D(0)) == node.score, code
        assert all(v >= 0 for v in shares), code  # a cap never leaves a period below 0 here
        other = fast[code]
        assert (other.score, other.cut, dict(other.shares)) == (node.score, node.cut, dict(node.shares))
    assert traced.total == fast.total
