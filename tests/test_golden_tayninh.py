"""Golden tests for the Tây Ninh provincial People's Committee office scheme (vpubnd-tayninh-2023).

Every expected number below was worked out by hand from the source document
(tests/seeds/002_31b901bde85a30a0.txt) and the assumptions the ruleset records for its gaps,
never copied from the engine's output. The unit files are illustrative data
(examples/vpubnd-tayninh-2023/*.json), not real results.

Rules used (document, ruleset assumption in brackets):
  A = 900 standard points, B = 100 bonus points, total = A + B (1.000).
  A.I (250): criterion 3 has 100; criteria 1 and 2 carry no points in the text
      [assumed: each judged 0..150, their sum capped at the remaining 150].
  A.III.1 (20): "Không thực hiện không tính điểm" [done → 20, not done → 0].
  A.IV.4 (20): minus 10 per verified complaint, never below 0.
  Every other row is judged by the council in [0, max]; self scores "không vượt quá số điểm
  tối đa quy định" — a self score above the max is flagged and counted as the max.
  Awards: 1 Cờ thi đua xuất sắc to the highest total, 2 Bằng khen to the next two, only for
  units with no disciplined staff and a party cell rated "hoàn thành tốt" or better.
"""

from __future__ import annotations

import copy
from decimal import Decimal as D
from pathlib import Path

import pytest

import thidua_rules as tr
from thidua_rules.cli import main
from thidua_rules.io.units import read_unit

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "vpubnd-tayninh-2023"
RS = tr.load(REPO / "rulesets/vpubnd-tayninh-2023.thidua")

KT = "Phòng Kinh tế"
TH = "Phòng Tổng hợp"
KG = "Phòng Khoa giáo – Văn xã"
HC = "Phòng Hành chính – Tổ chức"
NC = "Phòng Nội chính – Ngoại vụ"
TT = "Trung tâm Phục vụ hành chính công"
BT = "Ban Tiếp công dân"

FILES = {
    KT: "kinh-te.json",
    TH: "tong-hop.json",
    KG: "khoa-giao-van-xa.json",
    HC: "hanh-chinh-to-chuc.json",
    NC: "noi-chinh-ngoai-vu.json",
    TT: "trung-tam-phuc-vu-hcc.json",
    BT: "ban-tiep-cong-dan.json",
}

REASON_DISCIPLINE = "Trong năm có công chức, viên chức, người lao động bị kỷ luật"
REASON_PARTY_CELL = "Chi bộ không được đánh giá, xếp loại Hoàn thành tốt nhiệm vụ trở lên"

# ---------------------------------------------------------------- expected final (appraised) scores
# One dict per unit: every criterion, the A.I.1-2 group, each section, standard, bonus, total.

EXPECTED: dict[str, dict[str, D]] = {
    KT: {
        "A.I.1": D("90"), "A.I.2": D("80"),
        "A.I.1-2": D("150"),  # 90 + 80 = 170 > 150 → capped at the shared 150
        "A.I.3": D("95"),
        "A.I": D("245"),  # 150 + 95
        "A.II.1": D("30"), "A.II.2": D("20"), "A.II.3": D("30"), "A.II.4": D("20"),
        "A.II": D("100"),  # 30 + 20 + 30 + 20
        "A.III.1": D("20"),  # done → full 20
        "A.III.2": D("40"), "A.III.3": D("38"),
        "A.III": D("98"),  # 20 + 40 + 38
        "A.IV.1": D("36"), "A.IV.2": D("20"), "A.IV.3": D("20"),
        "A.IV.4": D("20"),  # 20 − 10 × 0
        "A.IV": D("96"),  # 36 + 20 + 20 + 20
        "A.V.1": D("20"), "A.V.2": D("15"), "A.V.3": D("15"), "A.V.4": D("50"),
        "A.V": D("100"),  # 20 + 15 + 15 + 50
        "A.VI.1": D("20"), "A.VI.2": D("20"), "A.VI.3": D("20"), "A.VI.4": D("18"), "A.VI.5": D("20"),
        "A.VI": D("98"),  # 20 + 20 + 20 + 18 + 20
        "A.VII.1": D("50"), "A.VII": D("50"),
        "A.VIII": D("98"),
        "A": D("885"),  # 245 + 100 + 98 + 96 + 100 + 98 + 50 + 98
        "B.1": D("35"), "B.2": D("30"), "B.3": D("30"),
        "B": D("95"),  # 35 + 30 + 30
        "standard": D("885"), "bonus": D("95"),
        "total": D("980"),  # 885 + 95
    },
    TH: {
        "A.I.1": D("85"), "A.I.2": D("75"),
        "A.I.1-2": D("150"),  # 85 + 75 = 160 > 150 → 150
        "A.I.3": D("90"),
        "A.I": D("240"),  # 150 + 90
        "A.II.1": D("28.5"), "A.II.2": D("20"), "A.II.3": D("30"), "A.II.4": D("18"),
        "A.II": D("96.5"),  # 28.5 + 20 + 30 + 18
        "A.III.1": D("20"), "A.III.2": D("38"), "A.III.3": D("40"),
        "A.III": D("98"),  # 20 + 38 + 40
        "A.IV.1": D("40"), "A.IV.2": D("20"), "A.IV.3": D("18"),
        "A.IV.4": D("20"),  # 20 − 10 × 0
        "A.IV": D("98"),  # 40 + 20 + 18 + 20
        "A.V.1": D("18"), "A.V.2": D("15"), "A.V.3": D("12"), "A.V.4": D("48"),
        "A.V": D("93"),  # 18 + 15 + 12 + 48
        "A.VI.1": D("20"), "A.VI.2": D("18"), "A.VI.3": D("20"), "A.VI.4": D("16"), "A.VI.5": D("18"),
        "A.VI": D("92"),  # 20 + 18 + 20 + 16 + 18
        "A.VII.1": D("45"), "A.VII": D("45"),
        "A.VIII": D("95"),
        "A": D("857.5"),  # 240 + 96.5 + 98 + 98 + 93 + 92 + 45 + 95
        "B.1": D("40"), "B.2": D("30"), "B.3": D("25"),
        "B": D("95"),  # 40 + 30 + 25
        "standard": D("857.5"), "bonus": D("95"),
        "total": D("952.5"),  # 857.5 + 95
    },
    KG: {
        "A.I.1": D("80"), "A.I.2": D("70"),
        "A.I.1-2": D("150"),  # 80 + 70 = 150 exactly: at the cap, nothing cut
        "A.I.3": D("92"),
        "A.I": D("242"),  # 150 + 92
        "A.II.1": D("30"), "A.II.2": D("20"), "A.II.3": D("30"), "A.II.4": D("20"),
        "A.II": D("100"),
        "A.III.1": D("20"), "A.III.2": D("40"), "A.III.3": D("38"),
        "A.III": D("98"),  # 20 + 40 + 38
        "A.IV.1": D("40"), "A.IV.2": D("20"), "A.IV.3": D("20"),
        "A.IV.4": D("20"),  # 20 − 10 × 0
        "A.IV": D("100"),
        "A.V.1": D("20"), "A.V.2": D("15"), "A.V.3": D("15"), "A.V.4": D("45"),
        "A.V": D("95"),  # 20 + 15 + 15 + 45
        "A.VI.1": D("20"), "A.VI.2": D("20"), "A.VI.3": D("20"), "A.VI.4": D("18"), "A.VI.5": D("18"),
        "A.VI": D("96"),  # 20 + 20 + 20 + 18 + 18
        "A.VII.1": D("48"), "A.VII": D("48"),
        "A.VIII": D("96"),
        "A": D("875"),  # 242 + 100 + 98 + 100 + 95 + 96 + 48 + 96
        "B.1": D("20"), "B.2": D("25"), "B.3": D("25"),
        "B": D("70"),  # 20 + 25 + 25
        "standard": D("875"), "bonus": D("70"),
        "total": D("945"),  # 875 + 70
    },
    HC: {
        "A.I.1": D("70"), "A.I.2": D("60"),
        "A.I.1-2": D("130"),  # 70 + 60 = 130 ≤ 150: below the cap, kept
        "A.I.3": D("95"),
        "A.I": D("225"),  # 130 + 95
        "A.II.1": D("27.5"), "A.II.2": D("20"), "A.II.3": D("30"), "A.II.4": D("20"),
        "A.II": D("97.5"),  # 27.5 + 20 + 30 + 20
        "A.III.1": D("20"), "A.III.2": D("40"), "A.III.3": D("40"),
        "A.III": D("100"),
        "A.IV.1": D("40"), "A.IV.2": D("20"), "A.IV.3": D("20"),
        "A.IV.4": D("10"),  # 20 − 10 × 1 verified complaint
        "A.IV": D("90"),  # 40 + 20 + 20 + 10
        "A.V.1": D("20"), "A.V.2": D("15"), "A.V.3": D("15"), "A.V.4": D("50"),
        "A.V": D("100"),
        "A.VI.1": D("20"), "A.VI.2": D("20"), "A.VI.3": D("20"), "A.VI.4": D("20"), "A.VI.5": D("20"),
        "A.VI": D("100"),
        "A.VII.1": D("50"), "A.VII": D("50"),
        "A.VIII": D("100"),
        "A": D("862.5"),  # 225 + 97.5 + 100 + 90 + 100 + 100 + 50 + 100
        "B.1": D("30"), "B.2": D("25"), "B.3": D("20"),
        "B": D("75"),  # 30 + 25 + 20
        "standard": D("862.5"), "bonus": D("75"),
        "total": D("937.5"),  # 862.5 + 75  (tied with Nội chính – Ngoại vụ)
    },
    NC: {
        "A.I.1": D("88"), "A.I.2": D("77"),
        "A.I.1-2": D("150"),  # 88 + 77 = 165 > 150 → 150
        "A.I.3": D("90"),
        "A.I": D("240"),  # 150 + 90
        "A.II.1": D("29"), "A.II.2": D("19.5"), "A.II.3": D("30"), "A.II.4": D("20"),
        "A.II": D("98.5"),  # 29 + 19.5 + 30 + 20
        "A.III.1": D("0"),  # not done → "không tính điểm"
        "A.III.2": D("38"), "A.III.3": D("40"),
        "A.III": D("78"),  # 0 + 38 + 40
        "A.IV.1": D("38"), "A.IV.2": D("20"), "A.IV.3": D("20"),
        "A.IV.4": D("20"),  # 20 − 10 × 0
        "A.IV": D("98"),  # 38 + 20 + 20 + 20
        "A.V.1": D("20"), "A.V.2": D("14"), "A.V.3": D("15"), "A.V.4": D("48"),
        "A.V": D("97"),  # 20 + 14 + 15 + 48
        "A.VI.1": D("20"), "A.VI.2": D("20"), "A.VI.3": D("18"), "A.VI.4": D("20"), "A.VI.5": D("20"),
        "A.VI": D("98"),  # 20 + 20 + 18 + 20 + 20
        "A.VII.1": D("50"), "A.VII": D("50"),
        "A.VIII": D("98"),
        "A": D("857.5"),  # 240 + 98.5 + 78 + 98 + 97 + 98 + 50 + 98
        "B.1": D("35"), "B.2": D("25"), "B.3": D("20"),
        "B": D("80"),  # 35 + 25 + 20
        "standard": D("857.5"), "bonus": D("80"),
        "total": D("937.5"),  # 857.5 + 80  (tied with Hành chính – Tổ chức)
    },
    TT: {
        "A.I.1": D("60"), "A.I.2": D("50"),
        "A.I.1-2": D("110"),  # 60 + 50 = 110 ≤ 150
        "A.I.3": D("85"),
        "A.I": D("195"),  # 110 + 85
        "A.II.1": D("25"), "A.II.2": D("18"), "A.II.3": D("30"), "A.II.4": D("20"),
        "A.II": D("93"),  # 25 + 18 + 30 + 20
        "A.III.1": D("20"), "A.III.2": D("35"), "A.III.3": D("36"),
        "A.III": D("91"),  # 20 + 35 + 36
        "A.IV.1": D("36"), "A.IV.2": D("18"), "A.IV.3": D("18"),
        "A.IV.4": D("0"),  # 20 − 10 × 3 = −10 → floored at 0
        "A.IV": D("72"),  # 36 + 18 + 18 + 0
        "A.V.1": D("18"), "A.V.2": D("12"), "A.V.3": D("14"), "A.V.4": D("45"),
        "A.V": D("89"),  # 18 + 12 + 14 + 45
        "A.VI.1": D("20"), "A.VI.2": D("18"), "A.VI.3": D("16"), "A.VI.4": D("15"), "A.VI.5": D("17"),
        "A.VI": D("86"),  # 20 + 18 + 16 + 15 + 17
        "A.VII.1": D("40"), "A.VII": D("40"),
        "A.VIII": D("90"),
        "A": D("756"),  # 195 + 93 + 91 + 72 + 89 + 86 + 40 + 90
        "B.1": D("30"), "B.2": D("20"), "B.3": D("20"),
        "B": D("70"),  # 30 + 20 + 20
        "standard": D("756"), "bonus": D("70"),
        "total": D("826"),  # 756 + 70
    },
    BT: {
        "A.I.1": D("75"), "A.I.2": D("70"),
        "A.I.1-2": D("145"),  # 75 + 70 = 145 ≤ 150
        "A.I.3": D("88"),
        "A.I": D("233"),  # 145 + 88
        "A.II.1": D("28"), "A.II.2": D("18"), "A.II.3": D("30"), "A.II.4": D("18"),
        "A.II": D("94"),  # 28 + 18 + 30 + 18
        "A.III.1": D("20"), "A.III.2": D("36"), "A.III.3": D("38"),
        "A.III": D("94"),  # 20 + 36 + 38
        "A.IV.1": D("38"), "A.IV.2": D("18"), "A.IV.3": D("20"),
        "A.IV.4": D("20"),  # 20 − 10 × 0
        "A.IV": D("96"),  # 38 + 18 + 20 + 20
        "A.V.1": D("18"), "A.V.2": D("13"), "A.V.3": D("14"), "A.V.4": D("44"),
        "A.V": D("89"),  # 18 + 13 + 14 + 44
        "A.VI.1": D("18"), "A.VI.2": D("18"), "A.VI.3": D("18"), "A.VI.4": D("16"), "A.VI.5": D("16"),
        "A.VI": D("86"),  # 18 + 18 + 18 + 16 + 16
        "A.VII.1": D("50"), "A.VII": D("50"),
        "A.VIII": D("92"),
        "A": D("834"),  # 233 + 94 + 94 + 96 + 89 + 86 + 50 + 92
        "B.1": D("30"), "B.2": D("25"), "B.3": D("25"),
        "B": D("80"),  # 30 + 25 + 25
        "standard": D("834"), "bonus": D("80"),
        "total": D("914"),  # 834 + 80
    },
}

# Self-round ("self", Điểm tự đánh giá) totals, as differences from the appraised round.
EXPECTED_SELF_TOTAL = {
    KT: D("987"),  # A.I.3 100 (not 95) +5, A.VIII 100 (not 98) +2: 980 + 5 + 2
    TH: D("962"),  # A.I.3 95 (+5); A.II.1 self 35 counted as max 30 (+1.5 over 28.5); A.V.3 15 (+3): 952.5 + 9.5
    KG: D("955"),  # B.1 30 (not 20): 945 + 10
    HC: D("957.5"),  # A.I.1 80 → 80 + 60 = 140 (+10); no complaint counted → A.IV.4 20 (+10): 937.5 + 20
    NC: D("957.5"),  # A.III.1 claimed done → 20 (+20): 937.5 + 20
    TT: D("831"),  # A.VII.1 45 (not 40): 826 + 5
    BT: D("914"),  # same as appraised
}

CODES = [code for code in EXPECTED[KT] if code not in ("standard", "bonus", "total")]


def _submission(unit: str):  # type: ignore[no-untyped-def]
    u = read_unit(EXAMPLES / FILES[unit])
    return RS.evaluate_submission(u.rounds, unit=u.unit)


SUBS = {unit: _submission(unit) for unit in FILES}


# ---------------------------------------------------------------- the files themselves

@pytest.mark.parametrize("unit", list(FILES))
def test_unit_file_header(unit: str) -> None:
    u = read_unit(EXAMPLES / FILES[unit])
    assert u.unit == unit
    assert u.ruleset == "vpubnd-tayninh-2023"
    assert u.illustrative is True
    assert [r.name for r in RS.rounds] == ["self", "appraised"]
    assert list(u.rounds) == ["self", "appraised"]


def test_every_criterion_is_covered() -> None:
    # the expected dicts list every criterion, group and section of the ruleset, nothing more
    result = SUBS[KT].final
    assert sorted(CODES) == sorted(node.code for node in result)


# ---------------------------------------------------------------- per-unit final scores

@pytest.mark.parametrize("unit", list(FILES))
def test_final_round_scores(unit: str) -> None:
    sub = SUBS[unit]
    assert sub.final_round == "appraised"
    res = sub.rounds["appraised"]
    expected = EXPECTED[unit]
    got = {code: res[code].score for code in CODES}
    assert got == {code: expected[code] for code in CODES}
    assert res.standard == expected["standard"]
    assert res.bonus == expected["bonus"]
    assert res.deductions == D("0")  # the scheme has no deduction section
    assert res.total == expected["total"]
    assert sub.total == expected["total"]


@pytest.mark.parametrize("unit", list(FILES))
def test_self_round_totals(unit: str) -> None:
    assert SUBS[unit].rounds["self"].total == EXPECTED_SELF_TOTAL[unit]


def test_shared_cap_of_criteria_1_and_2() -> None:
    over = SUBS[KT].final["A.I.1-2"]
    assert over.raw == D("170")  # 90 + 80
    assert over.score == D("150")  # capped at the shared 150
    below = SUBS[HC].final["A.I.1-2"]
    assert below.raw == below.score == D("130")  # 70 + 60, under the cap
    # the individual criteria keep their judged scores; only their sum is cut
    assert (SUBS[KT].final["A.I.1"].score, SUBS[KT].final["A.I.2"].score) == (D("90"), D("80"))


def test_archive_criterion_done_and_not_done() -> None:
    assert SUBS[TH].final["A.III.1"].score == D("20")  # done → 20
    assert SUBS[NC].final["A.III.1"].score == D("0")  # not done → 0
    row = SUBS[NC].row("A.III.1")
    assert dict(row.scores) == {"self": D("20"), "appraised": D("0")}
    assert row.difference == D("-20")  # 0 − 20
    assert dict(row.claims) == {"self": D("20")}  # the self claim matches the self rule: no flag
    assert row.flags == ()


@pytest.mark.parametrize(
    ("unit", "complaints", "raw", "score"),
    [
        (TH, 0, D("20"), D("20")),  # 20 − 10 × 0
        (HC, 1, D("10"), D("10")),  # 20 − 10 × 1
        (TT, 3, D("-10"), D("0")),  # 20 − 10 × 3 = −10 → floored at 0
    ],
)
def test_verified_complaints(unit: str, complaints: int, raw: D, score: D) -> None:
    node = SUBS[unit].final["A.IV.4"]
    assert node.inputs["so_phan_anh_dung"] == complaints
    assert node.raw == raw
    assert node.score == score


def test_bonus_rows() -> None:
    res = SUBS[KG].final
    assert [res[c].score for c in ("B.1", "B.2", "B.3")] == [D("20"), D("25"), D("25")]
    assert res["B"].score == res.bonus == D("70")  # 20 + 25 + 25, counted as bonus, not standard
    assert res.standard == res["A"].score == D("875")
    assert SUBS[KG].rounds["self"]["B.1"].score == D("30")
    assert SUBS[KG].row("B.1").difference == D("-10")  # 20 − 30


# ---------------------------------------------------------------- self score above the max

def test_self_score_above_max_is_flagged_and_counted_as_max() -> None:
    sub = SUBS[TH]
    row = sub.row("A.II.1")
    assert dict(row.scores) == {"self": D("30"), "appraised": D("28.5")}  # 35 counted as the max 30
    assert row.difference == D("-1.5")  # 28.5 − 30
    assert len(row.flags) == 1
    flag = row.flags[0]
    assert "không vượt quá số điểm tối đa quy định" in flag
    assert "35" in flag and "30" in flag
    assert flag.startswith("self:")
    assert sub.flags == (f"A.II.1: {flag}",)  # the only flag of this unit
    # the consistent claims of the self round raise no flag
    assert sub.row("A.III.1").flags == () and sub.row("A.IV.4").flags == ()
    assert dict(sub.row("A.IV.4").claims) == {"self": D("20")}


@pytest.mark.parametrize("unit", [KT, KG, HC, NC, TT, BT])
def test_other_units_have_no_flags(unit: str) -> None:
    assert SUBS[unit].flags == ()


# ---------------------------------------------------------------- assumptions in explanations

@pytest.mark.parametrize("unit", list(FILES))
@pytest.mark.parametrize("code", ["A.I.1", "A.I.2", "A.I.1-2"])
def test_criteria_1_and_2_show_the_150_assumption(unit: str, code: str) -> None:
    for round_name in ("self", "appraised"):
        node = SUBS[unit].rounds[round_name][code]
        assert node.assumptions, f"{code} in {round_name} has no assumption"
        assert any("150" in text for text in node.assumptions)


@pytest.mark.parametrize("code", ["A.I", "A"])
def test_sections_depending_on_the_cap_show_the_assumption(code: str) -> None:
    node = SUBS[KT].final[code]  # KT's A.I = 245 only because 170 was cut to the assumed 150
    assert any("150" in text for text in node.assumptions)


# ---------------------------------------------------------------- ranking and awards

def _standings():  # type: ignore[no-untyped-def]
    return RS.rank({unit: SUBS[unit] for unit in FILES})


def test_full_order_and_positions() -> None:
    st = _standings()
    got = [(e.position, e.unit, e.total) for e in st]
    assert got[:3] == [
        (1, KT, D("980")),
        (2, TH, D("952.5")),
        (3, KG, D("945")),
    ]
    # 937.5 = 937.5: both share position 4, the next is 6
    assert {tuple(x) for x in got[3:5]} == {(4, HC, D("937.5")), (4, NC, D("937.5"))}
    assert got[5:] == [(6, BT, D("914")), (7, TT, D("826"))]


def test_tie_is_reported() -> None:
    st = _standings()
    assert [set(t) for t in st.ties] == [{HC, NC}]
    assert st[HC].tied_with == (NC,)
    assert st[NC].tied_with == (HC,)
    assert any(NC in note for note in st[HC].notes)


def test_awards() -> None:
    st = _standings()
    # the highest total (Kinh tế, 980) is ineligible → the flag goes to the next eligible unit
    assert st.awards["co_thi_dua"] == (TH,)
    assert st[TH].award == "co_thi_dua"
    assert st[TH].award_title == "Cờ thi đua xuất sắc"
    # Khoa giáo – Văn xã (3rd, 945) is ineligible → both units tied at 937.5 get the two Bằng khen
    assert set(st.awards["bang_khen"]) == {HC, NC}
    assert st[HC].award_title == st[NC].award_title == "Bằng khen"
    for unit in (KT, KG, BT, TT):
        assert st[unit].award is None and st[unit].award_title is None
    assert dict(st.contested) == {}
    assert dict(st.unfilled) == {}


def test_passed_over_with_the_rulesets_reasons() -> None:
    st = _standings()
    passed = {(p.unit, p.award): p.reasons for p in st.passed_over}
    assert passed == {
        (KT, "co_thi_dua"): (REASON_DISCIPLINE,),  # 1 staff member disciplined
        (KT, "bang_khen"): (REASON_DISCIPLINE,),
        (KG, "bang_khen"): (REASON_PARTY_CELL,),  # party cell only "hoàn thành nhiệm vụ"
    }
    assert any(REASON_DISCIPLINE in note for note in st[KT].notes)
    assert any(REASON_PARTY_CELL in note for note in st[KG].notes)


def _variant(edits: dict[str, dict[str, object]]) -> dict[str, object]:
    """The cohort with some appraised facts changed (unit → {fact: value})."""
    units: dict[str, object] = {}
    for unit, name in FILES.items():
        u = read_unit(EXAMPLES / name)
        rounds = copy.deepcopy(dict(u.rounds))
        rounds["appraised"]["facts"].update(edits.get(unit, {}))
        units[unit] = RS.evaluate_submission(rounds, unit=unit)
    return units


def test_tie_at_the_bang_khen_boundary_is_contested() -> None:
    # Ban Tiếp công dân raised from 914 to 937.5: B.1 30→40 (+10), A.I.3 88→100 (+12),
    # A.II.4 18→19.5 (+1.5): 914 + 23.5 = 937.5 = Hành chính – Tổ chức = Nội chính – Ngoại vụ.
    # Three eligible units tied at position 4 for the two Bằng khen: the ruleset has no tie-break.
    units = _variant({BT: {"B.1": 40, "A.I.3": 100, "A.II.4": D("19.5")}})
    assert units[BT].total == D("937.5")  # type: ignore[attr-defined]
    st = RS.rank(units)
    assert {e.unit for e in st if e.position == 4} == {HC, NC, BT}
    assert st.awards["co_thi_dua"] == (TH,)
    assert st.awards["bang_khen"] == ()
    assert set(st.contested["bang_khen"]) == {HC, NC, BT}
    assert st.unfilled["bang_khen"] == 2
    assert all(any("council decides" in n for n in st[u].notes) for u in (HC, NC, BT))


def test_tie_for_the_flag_is_contested() -> None:
    # Kinh tế made eligible (0 disciplined) and Tổng hợp raised from 952.5 to 980:
    # A.I.3 90→100 (+10), A.II.1 28.5→30 (+1.5), A.II.4 18→20 (+2), A.V.3 12→15 (+3),
    # A.VI.4 16→17 (+1), A.VII.1 45→50 (+5), B.3 25→30 (+5): 952.5 + 27.5 = 980 = Kinh tế.
    units = _variant({
        KT: {"so_nguoi_bi_ky_luat": 0},
        TH: {"A.I.3": 100, "A.II.1": 30, "A.II.4": 20, "A.V.3": 15, "A.VI.4": 17, "A.VII.1": 50, "B.3": 30},
    })
    assert units[TH].total == D("980")  # type: ignore[attr-defined]
    st = RS.rank(units)
    assert st[KT].position == st[TH].position == 1
    assert st.awards["co_thi_dua"] == ()
    assert set(st.contested["co_thi_dua"]) == {KT, TH}
    assert st.unfilled["co_thi_dua"] == 1
    # Whichever of Kinh tế and Tổng hợp does not get the flag keeps one of the two Bằng khen.
    assert st.reserved["bang_khen"] == ((KT, TH), 1) or st.reserved["bang_khen"] == ((TH, KT), 1)
    # The other Bằng khen: Khoa giáo (945) is passed over (party cell rated "hoàn thành"), and
    # Hành chính and Nội chính tie at 937.5 for the one remaining place: contested, left open.
    assert set(st.contested["bang_khen"]) == {HC, NC}
    assert st.awards["bang_khen"] == ()
    assert st.unfilled["bang_khen"] == 1
    assert any("kept for the unit(s) among" in n for n in st[KT].notes)


# ---------------------------------------------------------------- the CLI

def test_cli_score_prints_the_form(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", str(EXAMPLES / FILES[TH])]) == 0
    out = capsys.readouterr().out
    assert "Phòng Tổng hợp" in out
    assert "dữ liệu minh họa" in out
    lines = out.splitlines()
    a_ii_1 = next(line for line in lines if line.strip().startswith("A.II.1 "))
    assert a_ii_1.split()[-3:] == ["30", "28,5", "-1,5"]  # self (35 counted as 30), council, difference
    a_i_12 = next(line for line in lines if line.strip().startswith("A.I.1-2 "))
    assert a_i_12.split()[-4:] == ["150", "150", "150", "0"]  # max, self, council, difference
    b = next(line for line in lines if line.startswith("B "))
    # 85 + 75 = 160 in both rounds, above the shared 150: the cap is flagged, not hidden
    assert "! Điểm tự đánh giá: tổng các mục 160 đ vượt mức trần 150 đ, tính 150 đ" in out
    assert b.split()[-3:] == ["95", "95", "0"]
    assert "không vượt quá số điểm tối đa quy định" in out
    assert "952,5 = điểm chuẩn 857,5 + điểm cộng 95" in out  # final total by hand, decimal comma
    assert "Tổng (Điểm tự đánh giá): 962" in out
    assert "tổng hai tiêu chí không vượt quá 150 điểm" in out  # the A.I.1-2 assumption is listed


def test_cli_score_other_unit(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", str(EXAMPLES / FILES[TT])]) == 0
    out = capsys.readouterr().out
    assert "Trung tâm Phục vụ hành chính công" in out
    a_iv_4 = next(line for line in out.splitlines() if line.strip().startswith("A.IV.4 "))
    assert a_iv_4.split()[-4:] == ["20", "0", "0", "0"]  # 3 complaints: 20 − 30 → 0 in both rounds
    assert "826 = điểm chuẩn 756 + điểm cộng 70" in out


def test_cli_rank_lists_the_awards(capsys: pytest.CaptureFixture[str]) -> None:
    paths = [str(EXAMPLES / name) for name in FILES.values()]
    assert main(["rank", "vpubnd-tayninh-2023", *paths]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    flag = next(line for line in lines if TH in line)
    assert "952,5" in flag and "[Cờ thi đua xuất sắc]" in flag
    for unit in (HC, NC):
        line = next(line for line in lines if unit in line and "937,5" in line)
        assert line.lstrip().startswith("4.") and "[Bằng khen]" in line
    top = next(line for line in lines if KT in line)
    assert top.lstrip().startswith("1.") and "980" in top and "[" not in top
    assert REASON_DISCIPLINE in out and REASON_PARTY_CELL in out
    ranked = [line for line in lines if line[:4].strip().endswith(".")]
    assert [line.split(".")[0].strip() for line in ranked] == ["1", "2", "3", "4", "4", "6", "7"]
