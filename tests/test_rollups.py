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


OF_PARTS = """ruleset "hoc-ky-nam" { total 12 }

fact so_sang_kien "Số sáng kiến trong quý": count

section I "CHUYÊN MÔN" max 10 {
    criterion I.1 "Chuyên môn." max 10 { score assessed }
}

bonus section II "THƯỞNG" max 2 {
    criterion II.1 "1đ/sáng kiến, tối đa 2đ/quý, 3đ/học kỳ, 5đ/năm." max 2 { score so_sang_kien }
}

rollup nam "Cả năm" {
    of hoc_ky_1, hoc_ky_2
    cap II.1 5
}

rollup hoc_ky_1 "Học kỳ I" {
    periods "Quý I", "Quý II"
    cap II.1 3
}

rollup hoc_ky_2 "Học kỳ II" {
    periods "Quý III", "Quý IV"
    cap II.1 3
}
"""
YEAR = {"Quý I": {"I.1": 9, "so_sang_kien": 2}, "Quý II": {"I.1": 8, "so_sang_kien": 3},
        "Quý III": {"I.1": 7, "so_sang_kien": 2}, "quý iv": {"I.1": 10, "so_sang_kien": 2}}


def test_a_rollup_of_rollups_combines_their_results_then_caps_again() -> None:
    rs = tr.loads(OF_PARTS, source="of.thidua")
    year = rs.evaluate_periods(YEAR, rollup="nam")
    # II.1 per quarter: 2, 3 cut to the quarter's max 2, 2, 2.
    # hoc_ky_1: 2 + 2 = 4 > 3: 3 (shares 2, 1); hoc_ky_2: 2 + 2 = 4 > 3: 3.
    # nam: 3 + 3 = 6 > 5: 5; hoc_ky_1 keeps 3 (2 left), hoc_ky_2 keeps 2 of its 3, 1 cut.
    assert dict(year["II.1"].periods) == {"hoc_ky_1": D(3), "hoc_ky_2": D(3)}
    assert (year["II.1"].score, year["II.1"].cut) == (D(5), D(1))
    assert dict(year["II.1"].shares) == {"hoc_ky_1": D(3), "hoc_ky_2": D(2)}
    # I.1: (9 + 8) + (7 + 10) = 34; total 34 + 5
    assert (year["I.1"].score, year.total) == (D(34), D(39))
    assert year.counted == ("Quý I", "Quý II", "Quý III", "Quý IV")
    assert list(year.periods) == ["Quý I", "Quý II", "Quý III", "Quý IV"]
    half = rs.evaluate_periods({k: v for k, v in YEAR.items() if k in ("Quý I", "Quý II")}, rollup="hoc_ky_1")
    assert dict(half["II.1"].shares) == {"Quý I": D(2), "Quý II": D(1)}  # 2 of 3, then 1 of the 1 left


def test_a_rollup_of_rollups_reports_each_parts_problems() -> None:
    rs = tr.loads(OF_PARTS, source="of.thidua")
    with pytest.raises(tr.FactsError) as info:
        rs.evaluate_periods({"Quý I": YEAR["Quý I"], "Quý V": {}}, rollup="nam")
    assert [(p.fact, p.message) for p in info.value.problems] == [
        ("period Quý V", 'not a period of the rollup; did you mean "Quý IV"?'),
        ("hoc_ky_1: period Quý II", "missing (the rollup says a missing period is an error)"),
        ("hoc_ky_2: period Quý III", "missing (the rollup says a missing period is an error)"),
        ("hoc_ky_2: period Quý IV", "missing (the rollup says a missing period is an error)")]


@pytest.mark.parametrize(("old", "new", "message"), [
    ("    of hoc_ky_1, hoc_ky_2\n", "    of hoc_ky_1, hoc_ky_3\n",
     'unknown rollup "hoc_ky_3"; did you mean "hoc_ky_2"?'),
    ("    of hoc_ky_1, hoc_ky_2\n", "    of hoc_ky_1, nam\n", "rollups are made of each other in a cycle: nam -> nam"),
    ('    periods "Quý III", "Quý IV"\n', '    periods "Quý II", "Quý IV"\n',
     'period "Quý II" is in both hoc_ky_1 and hoc_ky_2'),
    ("    of hoc_ky_1, hoc_ky_2\n", '    of hoc_ky_1, hoc_ky_2\n    periods "T1"\n',
     "a rollup lists its periods or the rollups it is made of (of …), not both"),
    ("    of hoc_ky_1, hoc_ky_2\n", "    of hoc_ky_1, hoc_ky_2\n    missing zero\n",
     'a rollup of rollups takes its missing periods from them: drop "missing"'),
])
def test_bad_rollups_of_rollups_are_refused(old: str, new: str, message: str) -> None:
    with pytest.raises(tr.RulesetError) as info:
        tr.loads(OF_PARTS.replace(old, new), source="of.thidua")
    text = str(info.value)
    assert message in text and "of.thidua:" in text and "^" in text, text


def test_a_cycle_through_two_rollups_is_refused() -> None:
    text = OF_PARTS.replace('    periods "Quý III", "Quý IV"\n', "    of nam\n")
    with pytest.raises(tr.RulesetError) as info:
        tr.loads(text, source="of.thidua")
    assert "rollups are made of each other in a cycle: nam -> hoc_ky_2 -> nam" in str(info.value)


def test_printer_round_trip_of_a_rollup_of_rollups() -> None:
    once = tr.format_ruleset(OF_PARTS)
    assert "    of hoc_ky_1, hoc_ky_2\n" in once
    assert tr.format_ruleset(once) == once
    assert tr.loads(once, source="again.thidua").evaluate_periods(YEAR, rollup="nam").total == D(39)


@pytest.mark.parametrize("rollup", [None, "nam"])
def test_periods_that_are_not_a_mapping_are_refused(rollup: str | None) -> None:
    # Was: evaluate_periods(None) raised AttributeError (found by an input fuzz run).
    rs = tr.loads(OF_PARTS.replace("rollup nam ", "rollup "), source="of.thidua") if rollup is None else \
        tr.loads(OF_PARTS, source="of.thidua")
    with pytest.raises(tr.FactsError) as info:
        rs.evaluate_periods(None, rollup=rollup)  # type: ignore[arg-type]
    assert [(p.fact, p.message) for p in info.value.problems] == [
        ("(periods)", "expected a mapping of period names to facts")]


GROUP_LIMIT = """ruleset "gioi-han-nhom" { total 2 }

fact a "Số việc a": count
fact b "Số việc b": count

section I "I" max 2 {
    group I.1 "Nhóm, tối đa 2đ/tháng" cap 2 {
        criterion I.1.a "1đ/việc a; tối đa 2đ cả kỳ" max 2 { score a }
        criterion I.1.b "1đ/việc b" max 2 { score b }
    }
}

rollup {
    periods "T1", "T2"
    cap I.1.a 2
}
"""


def test_a_cap_under_a_group_limit_is_not_taken_twice() -> None:
    # Was: the group lost the 2 points the cap cut from I.1.a although its own limit had already
    # cut them in T2: I.1 came out 2 instead of 4.
    rolled = tr.loads(GROUP_LIMIT, source="g.thidua").evaluate_periods({"T1": {"a": 2, "b": 2}, "T2": {"a": 2, "b": 2}})
    # Each month: a 2 + b 2 = 4, the group cut to 2. I.1.a over the term: 2 + 2 = 4 > 2: T1 keeps 2, T2 0.
    assert dict(rolled["I.1.a"].shares) == {"T1": D(2), "T2": D(0)}
    # I.1 in T2: at most the items' shares 0 + 2 = 2, and its own 2: 2. So 2 + 2 = 4.
    assert dict(rolled["I.1"].shares) == {"T1": D(2), "T2": D(2)}
    assert (rolled["I.1"].score, rolled["I"].score, rolled.total) == (D(4), D(4), D(4))
