"""Every kind of rule in READING.md, evaluated on hand-computed cases (arithmetic in comments)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

import thidua_rules as tr

HEADER = '''
ruleset "t" { total 20 }
scale xep_loai { "xuất sắc" > "hoàn thành tốt" | "hoàn thành tốt nhiệm vụ" > "hoàn thành" > "không hoàn thành" }
'''


def one(facts_decl: str, rule: str, max_: str = "10", facts: dict[str, object] | None = None,
        extra: str = "") -> tr.NodeResult:
    """A ruleset with one criterion X.1 (and a filler so the section adds up to 20)."""
    filler = 20 - D(max_)
    text = HEADER + facts_decl + extra + f'''
section X "X" max 20 {{
    criterion X.1 "rule under test" max {max_} {{ score {rule} }}
    criterion X.2 "filler" max {filler} {{ score 0 allow unreachable "filler" }}
}}'''
    rs = tr.loads(text, source="t.thidua")
    return rs.evaluate(facts or {})["X.1"]


def test_assessed_score_in_range() -> None:
    node = one("", "assessed", "5", {"X.1": D("3.5")})
    assert node.score == D("3.5")  # the judged 3.5 lies in [0, 5]
    assert node.inputs == {"X.1": D("3.5")}


def test_points_per_unit_capped_at_max() -> None:
    decl = 'fact n "số văn bản": count\n'
    assert one(decl, "2 * n", "10", {"n": 3}).score == D(6)  # 2 × 3 = 6
    node = one(decl, "2 * n", "10", {"n": 7})
    assert node.raw == D(14)  # 2 × 7 = 14
    assert node.score == D(10)  # capped at max 10
    cap = node.trace[-1]
    assert (cap.rule, cap.operands, cap.value, cap.note) == ("cap", (D(14), D(0), D(10)), D(10), "capped at max 10")


def test_start_at_max_minus_per_case_floor_zero() -> None:
    decl = 'fact v "vi phạm": count\n'
    assert one(decl, "max - 5 * v", "10", {"v": 1}).score == D(5)  # 10 − 5 × 1 = 5
    node = one(decl, "max - 5 * v", "10", {"v": 3})
    assert node.raw == D(-5)  # 10 − 5 × 3 = −5
    assert node.score == D(0)  # floor 0
    assert node.trace[-1].note == "raised to 0"


RANK_TABLE = "table r { <= 10: 10  <= 20: 8  <= 30: 6  otherwise: 2 }"


@pytest.mark.parametrize(
    ("rank", "expected"),
    [(1, 10), (10, 10), (11, 8), (20, 8), (21, 6), (30, 6), (31, 2), (63, 2)],
)
def test_rank_tier_table(rank: int, expected: int) -> None:
    # Top10 → 10; Top 20 → 8; Top 30 → 6; above 30 → 2 (Cluster 4, II.4)
    node = one('fact r "hạng": rank 1..63\n', RANK_TABLE, "10", {"r": rank})
    assert node.score == D(expected)


def test_tier_table_trace_names_the_row() -> None:
    node = one('fact r "hạng": rank 1..63\n', RANK_TABLE, "10", {"r": 15})
    table = next(s for s in node.trace if s.rule == "table")
    assert table.operands == (D(15),)
    assert table.note == "row 2: <= 20"


@pytest.mark.parametrize(
    ("level", "expected"),
    [("xuất sắc", 3), ("Hoàn thành tốt nhiệm vụ", 2), ("HOÀN THÀNH", 1), ("không hoàn thành", 0)],
)
def test_scale_level_table(level: str, expected: int) -> None:
    rule = 'table xl { "xuất sắc": 3  "hoàn thành tốt": 2  "hoàn thành": 1  "không hoàn thành": 0 }'
    assert one('fact xl "xếp loại": xep_loai\n', rule, "3", {"xl": level}).score == D(expected)


def test_scale_level_in_nfd_matches() -> None:
    import unicodedata

    nfd = unicodedata.normalize("NFD", "hoàn thành tốt")
    assert nfd != "hoàn thành tốt"
    rule = 'if xl >= "hoàn thành tốt" then 3 else 0'
    assert one('fact xl "xếp loại": xep_loai\n', rule, "3", {"xl": nfd}).score == D(3)
    assert one('fact xl "xếp loại": xep_loai\n', rule, "3", {"xl": "hoàn thành"}).score == D(0)


def test_boolean_points() -> None:
    decl = 'fact ok "thực hiện tốt": boolean\n'
    assert one(decl, "if ok then 2 else 0", "2", {"ok": True}).score == D(2)
    assert one(decl, "if ok then 2 else 0", "2", {"ok": False}).score == D(0)


@pytest.mark.parametrize(
    ("good", "model", "expected"), [(True, True, 5), (True, False, 3), (False, True, 2), (False, False, 0)]
)
def test_additive_parts(good: bool, model: bool, expected: int) -> None:
    # Cluster 4, IV.1: done well 3 + advanced models 2
    decl = 'fact good "tốt": boolean\nfact model "điển hình": boolean\n'
    rule = "(if good then 3 else 0) + (if model then 2 else 0)"
    assert one(decl, rule, "5", {"good": good, "model": model}).score == D(expected)


def test_conditional_no_violation_max_else_assessed() -> None:
    decl = 'fact v "vi phạm": count\n'
    rule = "if v = 0 then max else assessed"
    assert one(decl, rule, "5", {"v": 0}).score == D(5)  # no violation: the max, 5
    assert one(decl, rule, "5", {"v": 2, "X.1": D("2.5")}).score == D("2.5")  # judged 2.5
    # With no violation the judged score is not needed at all.
    rs = tr.loads(HEADER + decl + '''section X "X" max 20 {
        criterion X.1 "c" max 20 { score if v = 0 then max else assessed } }''')
    assert rs.facts["X.1"].required is False
    with pytest.raises(tr.FactsError) as info:
        rs.evaluate({"v": 1})
    assert [p.fact for p in info.value.problems] == ["X.1"]


def test_arithmetic_min_max_clamp_round() -> None:
    decl = 'fact a "a": number 0..100\nfact b "b": number 0..100\n'
    assert one(decl, "min(a, b) + max(a, b) / 2", "20", {"a": 3, "b": 5}).score == D("5.5")  # 3 + 5 / 2 = 5.5
    assert one(decl, "clamp(a - b, 0, 4)", "20", {"a": 9, "b": 2}).score == D(4)  # 9 − 2 = 7 → clamp 4
    assert one(decl, "round(a / 3, 1)", "20", {"a": 10}).score == D("3.3")  # 10 / 3 = 3.33… → 3.3
    assert one(decl, "floor(a / 4)", "20", {"a": 10}).score == D(2)  # 10 / 4 = 2.5 → floor 2
    assert one(decl, "ceil(a / 4)", "20", {"a": 10}).score == D(3)  # 2.5 → ceil 3
    assert one(decl, "abs(a - b)", "20", {"a": 2, "b": 5}).score == D(3)  # |2 − 5| = 3


def test_inexact_division_is_rounded_as_declared() -> None:
    node = one('fact a "a": number 0..100\n', "a / 3", "20", {"a": 10})
    assert node.score == D("3.33")  # 10 / 3 = 3.333…, half up to the default 2 places
    div = next(s for s in node.trace if s.rule == "/")
    assert "rounded half up to 2 decimal places" in div.note


def test_comparisons_and_logic() -> None:
    decl = 'fact a "a": count\nfact ok "ok": boolean\n'
    rule = "if (a >= 2 and not ok) or a = 7 then 4 else 1"
    assert one(decl, rule, "5", {"a": 2, "ok": False}).score == D(4)
    assert one(decl, rule, "5", {"a": 2, "ok": True}).score == D(1)
    assert one(decl, rule, "5", {"a": 7, "ok": True}).score == D(4)


def test_half_points_are_exact() -> None:
    node = one('fact n "n": count\n', "0.5 * n + 0.25", "10", {"n": 3})
    assert node.score == D("1.75")  # 0.5 × 3 + 0.25 = 1.75
    assert isinstance(node.score, D)


def test_derived_value_is_declared_and_traced() -> None:
    decl = 'fact now "hạng năm nay": rank\nfact before "hạng năm trước": rank\nlet rise "số bậc tăng" = before - now\n'
    node = one(decl, "if rise >= 5 then 3 else 0", "3", {"now": 10, "before": 15})
    assert node.score == D(3)  # 15 − 10 = 5 ≥ 5
    assert node.inputs["rise"] == D(5)
    assert [s.rule for s in node.trace][:3] == ["fact", "fact", "-"]
    assert one(decl, "if rise >= 5 then 3 else 0", "3", {"now": 10, "before": 14}).score == D(0)  # 4 < 5


def test_deductions_outside_the_total() -> None:
    rs = tr.loads('''
ruleset "d" { total 10 }
fact kt "khiển trách": count
fact cc "cảnh cáo": count
section A "A" max 10 { criterion A.1 "a" max 10 { score assessed } }
deduction section VII "Điểm trừ" {
    criterion VII.1 "kỷ luật" { score 5 * kt + 10 * cc }
}''')
    res = rs.evaluate({"A.1": 9, "kt": 1, "cc": 2})
    assert res["VII.1"].score == D(25)  # 5 × 1 + 10 × 2 = 25
    assert res.standard == D(9)
    assert res.deductions == D(25)
    assert res.total == D(-16)  # 9 − 25 = −16: deductions are not floored at the total


def test_group_shared_cap_bites_and_shows() -> None:
    rs = tr.loads('''
ruleset "g" { total 250 }
section A "A" max 250 {
    group A.12 "1 + 2" cap 150 {
        criterion A.1 "một" { score assessed }
        criterion A.2 "hai" { score assessed }
    }
    criterion A.3 "ba" max 100 { score assessed }
}''')
    res = rs.evaluate({"A.1": 100, "A.2": 80, "A.3": 50})
    assert res["A.1"].max == D(150)  # inherits the group's cap
    assert res["A.12"].raw == D(180)  # 100 + 80
    assert res["A.12"].score == D(150)  # cut at the shared cap
    assert res["A.12"].trace[-1].note == "capped at 150"
    assert res["A"].score == D(200)  # 150 + 50
    assert res.total == D(200)


def test_not_applicable_leaves_score_and_max() -> None:
    rs = tr.loads('''
ruleset "na" { total 20 }
fact mot_cua "có bộ phận một cửa": boolean
section A "A" max 20 {
    criterion A.1 "một cửa" max 10 { applicable if mot_cua  score assessed }
    criterion A.2 "khác" max 10 { score assessed }
}''')
    res = rs.evaluate({"mot_cua": False, "A.2": 7})  # A.1's judged score is not needed
    assert res["A.1"].score is None
    assert res["A.1"].applicable is False
    assert res["A"].score == D(7)
    assert res["A"].applicable_max == D(10)  # only A.2's 10 applies
    assert res.applicable_max == D(10)


def test_every_number_in_the_total_is_traceable() -> None:
    rs = tr.load(tr.__file__.replace("thidua_rules/__init__.py", "rulesets/cum4-2023.thidua"))
    from thidua_rules.testing import check_invariants

    facts = {
        "I.1": 4, "so_van_ban_tham_muu": 7, "I.3": 5, "so_chuong_trinh": 3, "so_vi_pham_bao_chi": 1,
        "so_vi_pham_mxh": 0, "II.3": 4, "hang_dti": 15, "hang_dti_ky_truoc": 22, "so_dn_vi_pham": 0,
        "dan_chu_tot": True, "xep_loai_dang": "hoàn thành tốt", "xep_loai_doan": "xuất sắc",
        "van_hoa_dat_chuan": False, "thi_dua_tot": True, "co_dien_hinh": False, "IV.2": 2,
        "hang_cchc": 12, "V.1": 3, "V.2": 5, "V.3": 1, "co_sang_kien": False, "so_khien_trach": 1,
        "so_canh_cao": 0, "so_vang_hoi_nghi": 0, "so_sai_thanh_phan": 1,
    }
    res = check_invariants(rs, facts)
    # I: 4 + min(2×7, 10) + 5 + 2×3 = 4 + 10 + 5 + 6 = 25
    # II: (10 − 5×1) + 5 (no violation) + 4 + 8 (rank 15 ≤ 20) + 5 (no business) = 27
    # III: 2 + 2 + 3 + 0 = 7; IV: 3 + 2 + 1 (rank 12 ≤ 15) = 6; V: 3 + 5 + 1 = 9
    # VI: 0 + 3 (22 − 15 = 7 ≥ 5) = 3; VII: 5×1 + 2×1 = 7
    assert (res["I"].score, res["II"].score, res["III"].score) == (D(25), D(27), D(7))
    assert (res["IV"].score, res["V"].score, res["VI"].score, res["VII"].score) == (D(6), D(9), D(3), D(7))
    assert res.standard == D(74)  # 25 + 27 + 7 + 6 + 9
    assert res.total == D(70)  # 74 + 3 − 7
    for node in res.criteria():
        assert node.trace[-1].value == node.score
        for step in node.trace:
            if step.rule in ("fact", "default", "assessed", "derived"):
                assert step.expr in node.inputs or step.expr == "assessed"


def test_to_dict_is_json_with_decimal_strings() -> None:
    import json

    node = one('fact n "n": count\n', "0.5 * n", "10", {"n": 3})
    assert node.to_dict()["score"] == "1.5"
    rs = tr.loads(HEADER + 'fact n "n": count\nsection X "X" max 20 { criterion X.1 "c" max 20 { score n } }')
    text = json.dumps(rs.evaluate({"n": 4}).to_dict())
    assert '"total": "4"' in text
