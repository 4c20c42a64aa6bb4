"""Classification beyond fixed bands (issue 13, item 14), by hand and by law.

Illustrative ruleset, not any agency's: A.1 judged (max 100). ``xep_loai`` bands the total, with a
threshold for "Xuất sắc" that depends on a fact (special-task units 90, others 80); ``nop`` is a
classification by conditions only; ``quy`` has a requirement that holds ``onward``.
"""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import thidua_rules as tr

TEXT = """ruleset "xep-loai-dieu-kien" { total 100 }

fact dac_thu "Đơn vị có nhiệm vụ đặc thù": boolean
fact nop_bao_cao "Nộp báo cáo": boolean
fact so_tre "Số báo cáo trễ": count
fact so_nhac_nho "Số lần nhắc nhở": count
fact so_ky_luat "Số người bị kỷ luật": count

section A "NHIỆM VỤ" max 100 {
    criterion A.1 "Nhiệm vụ." max 100 { score assessed }
}

classify xep_loai by total {
    >= 80: "Xuất sắc"
    >= 60: "Tốt"
    otherwise: "Đạt"
    require total >= (if dac_thu then 90 else 80) else at most "Tốt" "chưa đạt ngưỡng"
}

classify nop "Chế độ báo cáo" {
    if so_tre = 0: "Tốt"
    if so_tre <= 2: "Khá"
    require nop_bao_cao else unclassified "không nộp báo cáo"
    require so_nhac_nho = 0 else lower "bị nhắc nhở"
}

classify quy by total {
    >= 90: "Xuất sắc"
    >= 70: "Tốt"
    otherwise: "Đạt"
    require so_ky_luat = 0 else lower "có người bị kỷ luật" onward
    require so_nhac_nho = 0 else at most "Tốt" "bị nhắc nhở"
}
"""

RS = tr.loads(TEXT, source="xep-loai-dieu-kien.thidua")


def unit(a1: str | int, **facts: Any) -> dict[str, Any]:
    return {"A.1": D(str(a1)), **facts}


def levels(classes: Any) -> dict[str, str | None]:
    return {u.unit: u.level for u in classes.units}


def test_a_threshold_that_depends_on_a_fact() -> None:
    units = {
        "S90": unit(90, dac_thu=True),        # special: 90 >= 90, stays Xuất sắc
        "S8999": unit("89.99", dac_thu=True),  # special: 89.99 < 90 -> at most Tốt
        "O80": unit(80, dac_thu=False),       # other: 80 >= 80, Xuất sắc
        "O7999": unit("79.99", dac_thu=False),  # 79.99 < 80: band Tốt already; requirement fails, no move
    }
    c = RS.classify("xep_loai", units)
    assert levels(c) == {"S90": "Xuất sắc", "S8999": "Tốt", "O80": "Xuất sắc", "O7999": "Tốt"}
    assert c["S8999"].band == "Xuất sắc"
    assert c["S8999"].reasons == ("Xuất sắc by its number", "at most Tốt: chưa đạt ngưỡng")
    assert c["O7999"].reasons == ("Tốt by its number",)


def test_bands_by_conditions_first_that_holds_and_none_at_all() -> None:
    units = {
        "A": unit(50, so_tre=0, nop_bao_cao=True, so_nhac_nho=0),  # 0 = 0: Tốt
        "B": unit(40, so_tre=2, nop_bao_cao=True, so_nhac_nho=1),  # 2 != 0, 2 <= 2: Khá; reminded: lower, Khá is last
        "C": unit(30, so_tre=3, nop_bao_cao=True, so_nhac_nho=0),  # 3 != 0, 3 > 2, no otherwise: not classified
    }
    c = RS.classify("nop", units)
    assert c.levels == ("Tốt", "Khá")
    assert [(u.unit, u.band, u.level) for u in c.units] == [("A", "Tốt", "Tốt"), ("B", "Khá", "Khá"), ("C", "", None)]
    assert c["B"].reasons == ("Khá by its conditions", "already the lowest level, Khá: bị nhắc nhở")
    assert c["C"].reasons == ("not classified: none of the bands' conditions holds",)


def test_after_unclassified_later_requirements_are_not_read() -> None:
    # D hands in no report: unclassified; so_nhac_nho, read only by the next requirement, is not given.
    c = RS.classify("nop", {"D": unit(70, so_tre=0, nop_bao_cao=False)})
    assert c["D"].level is None
    assert c["D"].reasons == ("Tốt by its conditions", "not classified: không nộp báo cáo")
    # A unit still classified when it reaches that requirement must give the fact.
    with pytest.raises(tr.FactsError) as info:
        RS.classify("nop", {"E": unit(70, so_tre=0, nop_bao_cao=True)})
    assert [(p.fact, p.message) for p in info.value.problems] == [
        ("E: so_nhac_nho", "missing; the classification needs it")]


def test_evaluate_never_demands_a_fact_only_classifications_read() -> None:
    assert RS.evaluate({"A.1": 75}).total == D(75)
    assert RS.evaluate({"A.1": 75}, trace=False).total == D(75)
    assert not any(RS.facts[f].required for f in ("dac_thu", "nop_bao_cao", "so_tre", "so_nhac_nho", "so_ky_luat"))
    with pytest.raises(tr.FactsError) as info:
        RS.classify("xep_loai", {"F": {"A.1": 75}})
    assert [(p.fact, p.message) for p in info.value.problems] == [
        ("F: dac_thu", "missing; the classification needs it")]


QUARTERS = {
    # Q1: G 95 Xuất sắc; H 75 Tốt.
    "Q1": {"G": unit(95, so_ky_luat=0, so_nhac_nho=0), "H": unit(75, so_ky_luat=0, so_nhac_nho=0)},
    # Q2: G 95, one disciplined: one level lower, Tốt (onward from Q2); H 75, reminded: at most Tốt, no move.
    "Q2": {"G": unit(95, so_ky_luat=1, so_nhac_nho=0), "H": unit(75, so_ky_luat=0, so_nhac_nho=1)},
    # Q3: G 92, no one disciplined now, but onward since Q2: Tốt; H 91: the reminder was not onward, Xuất sắc.
    # G gives no so_ky_luat in Q3: a failed onward requirement is not read again.
    "Q3": {"G": unit(92, so_nhac_nho=0), "H": unit(91, so_ky_luat=0, so_nhac_nho=0)},
}


def test_an_onward_requirement_lowers_every_later_period() -> None:
    got = RS.classify_periods("quy", QUARTERS)
    assert list(got) == ["Q1", "Q2", "Q3"]
    assert {p: levels(c) for p, c in got.items()} == {
        "Q1": {"G": "Xuất sắc", "H": "Tốt"},
        "Q2": {"G": "Tốt", "H": "Tốt"},
        "Q3": {"G": "Tốt", "H": "Xuất sắc"},
    }
    assert got["Q3"]["G"].reasons == ("Xuất sắc by its number", "one level lower, Tốt: có người bị kỷ luật (since Q2)")
    # Each period alone knows nothing of the others: Q3 by itself gives G Xuất sắc (92 >= 90) —
    # and refuses G, which gives no so_ky_luat there.
    with pytest.raises(tr.FactsError) as info:
        RS.classify("quy", QUARTERS["Q3"])
    assert [p.fact for p in info.value.problems] == ["G: so_ky_luat"]


def test_onward_follows_a_unit_whatever_the_spelling_of_its_name() -> None:
    quarters = {"Q1": {"Phòng Kinh tế": unit(95, so_ky_luat=1, so_nhac_nho=0)},
                "Q2": {"phòng  kinh tế": unit(95, so_ky_luat=0, so_nhac_nho=0)}}
    got = RS.classify_periods("quy", quarters)
    # Q1: 95 Xuất sắc, disciplined: Tốt. Q2: the same unit (case and spacing aside): still Tốt.
    assert [levels(c) for c in got.values()] == [{"Phòng Kinh tế": "Tốt"}, {"phòng  kinh tế": "Tốt"}]


def test_classify_periods_refuses_bad_input_with_the_period() -> None:
    with pytest.raises(tr.FactsError) as info:
        RS.classify_periods("quy", {"Q1": {"G": {"A.1": 101, "so_ky_luat": 0, "so_nhac_nho": 0}}})
    assert [p.fact for p in info.value.problems] == ["Q1: G: A.1"]
    with pytest.raises(tr.FactsError):
        RS.classify_periods("quy", {})
    with pytest.raises(tr.EvaluationError, match='no classification "qyu"; did you mean "quy"'):
        RS.classify_periods("qyu", QUARTERS)


KHA = '    if so_tre <= 2: "Khá"\n'


@pytest.mark.parametrize(("old", "new", "message"), [
    (KHA, '    otherwise: "Khá"\n    if so_tre <= 2: "Trung bình"\n', '"otherwise" is the last band'),
    (KHA, '    >= 2: "Khá"\n', 'without "by", a band is "if CONDITION: level" or "otherwise: level"'),
    ('    if so_tre = 0: "Tốt"\n', '    if so_tre: "Tốt"\n', "a band's condition must be true/false, not a number"),
    ('    >= 60: "Tốt"\n', '    if dac_thu: "Tốt"\n',
     'a band by condition ("if …:") is for a classification without "by"'),
    (KHA, '    otherwise: "Khá"\n    otherwise: "Đạt"\n', "a classification has one otherwise band at most"),
])
def test_bad_condition_bands_are_refused_with_a_position(old: str, new: str, message: str) -> None:
    assert old in TEXT
    with pytest.raises(tr.RulesetError) as info:
        tr.loads(TEXT.replace(old, new, 1), source="x.thidua")
    text = str(info.value)
    assert message in text and "x.thidua:" in text and "^" in text, text


def test_printer_round_trip_of_condition_bands_and_onward() -> None:
    once = tr.format_ruleset(TEXT)
    assert 'classify nop "Chế độ báo cáo" {' in once and '    if so_tre = 0: "Tốt",' in once
    assert 'else lower "có người bị kỷ luật" onward' in once
    assert tr.format_ruleset(once) == once
    again = tr.loads(once, source="again.thidua")
    assert {p: levels(c) for p, c in again.classify_periods("quy", QUARTERS).items()} == {
        p: levels(c) for p, c in RS.classify_periods("quy", QUARTERS).items()}


PERIOD = st.dictionaries(st.sampled_from(["G", "H", "K"]),
                         st.tuples(st.integers(0, 100), st.integers(0, 1), st.integers(0, 1)), min_size=1)
RANK = {"Xuất sắc": 0, "Tốt": 1, "Đạt": 2}
PLAIN = tr.loads(TEXT.replace(" onward\n", "\n"), source="plain.thidua")


@given(st.lists(PERIOD, min_size=1, max_size=4))
def test_onward_never_raises_a_class_and_one_period_is_classify(drawn: Any) -> None:
    periods = {f"P{i}": {u: unit(a1, so_ky_luat=k, so_nhac_nho=r) for u, (a1, k, r) in p.items()}
               for i, p in enumerate(drawn)}
    with_onward = RS.classify_periods("quy", periods)
    without = PLAIN.classify_periods("quy", periods)
    for period, classes in with_onward.items():
        for entry in classes.units:
            worse_or_equal = RANK[str(entry.level)] >= RANK[str(without[period][entry.unit].level)]
            assert worse_or_equal, (period, entry)
    first = next(iter(periods))
    assert levels(with_onward[first]) == levels(RS.classify("quy", periods[first]))
