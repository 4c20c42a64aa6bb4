"""The widened score model: signed and open rows, a row's own bonus and deduction columns, bounds
on any node and on the total, rules reading other nodes, rows not counted, either/best groups and
a max read from the facts. Expected values are computed by hand, the arithmetic beside them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import thidua_rules as tr
from thidua_rules.testing import check_invariants, facts

D = Decimal

# Every construct at once: a signed row, an open bonus row, a row with both columns, a bounded
# section, a best group, an either group, a row not counted, a row reading another section's
# score, a max read from a fact, and bounds on the total.
ALL = """
ruleset "mo-hinh-diem" {
    total 30
    total at least 0 at most 32
}

fact so_khen "Số lượt được khen": count 0..20
fact so_phan_anh "Số phản ánh đúng": count 0..20
fact so_som "Số báo cáo sớm": count 0..20
fact so_tre "Số báo cáo trễ": count 0..20
fact so_giai "Số giải cấp tỉnh": count 0..20
fact so_nhiem_vu "Số nhiệm vụ được giao": count 0..5
fact so_hoan_thanh "Số nhiệm vụ hoàn thành": count 0..20
fact co_tru_so "Có trụ sở riêng": boolean
fact ty_le "Tỷ lệ theo dõi": percent

section I "MỤC I" max 20 at least 0 {
    criterion I.1 "+2 đ mỗi lượt khen, −3 đ mỗi phản ánh." max 6 signed {
        score 2 * so_khen - 3 * so_phan_anh
    }
    criterion I.2 "Báo cáo: chuẩn 4 đ; thưởng 0,5 đ mỗi báo cáo sớm (tối đa 1 đ); trừ 1 đ mỗi báo cáo trễ." max 4 {
        score 4
        bonus 0.5 * so_som max 1
        deduction so_tre max 3
    }
    group I.3 "Lấy mức cao nhất." max 5 best {
        criterion I.3a "Nhiệm vụ." max (so_nhiem_vu) {
            score so_hoan_thanh
        }
        criterion I.3b "Khen." max 5 {
            score so_khen
        }
    }
    group I.4 "Theo trụ sở." max 5 either {
        criterion I.4a "Có trụ sở." max 5 {
            applicable if co_tru_so
            score 5
        }
        criterion I.4b "Không có trụ sở." max 3 {
            score 3
        }
    }
    criterion I.5 "Theo dõi, không tính." max 10 not counted {
        score ty_le / 10
    }
}

section II "MỤC II" max 10 {
    criterion II.1 "3 đ nếu mục I đạt từ 10 đ, thêm 1 đ mỗi phản ánh được giải quyết." max 10 {
        score (if score(I) >= 10 then 3 else 0) + 7
    }
}

bonus section III "THƯỞNG" {
    criterion III.1 "+1 đ mỗi giải cấp tỉnh." max open {
        score so_giai
    }
}
"""

UNIT = {"so_khen": 4, "so_phan_anh": 1, "so_som": 3, "so_tre": 5, "so_giai": 2, "so_nhiem_vu": 3,
        "so_hoan_thanh": 4, "co_tru_so": False, "ty_le": 70}


@pytest.fixture(scope="module")
def rs() -> tr.Ruleset:
    return tr.loads(ALL, source="mo-hinh-diem.thidua")


@pytest.mark.parametrize("trace", [True, False])
def test_every_construct_by_hand(rs: tr.Ruleset, trace: bool) -> None:
    res = rs.evaluate(UNIT, trace=trace)
    # I.1: 2 × 4 − 3 × 1 = 5 (signed, under its max 6)
    assert res["I.1"].score == D(5)
    # I.2: standard 4; bonus 0.5 × 3 = 1.5 cut at 1; deduction 5 cut at 3; 4 + 1 − 3 = 2
    assert (res["I.2"].standard, res["I.2"].bonus, res["I.2"].deduction, res["I.2"].score) == (D(4), D(1), D(3), D(2))
    # I.3: I.3a max = so_nhiem_vu = 3, 4 cut at 3; I.3b 4; best 4 (I.3b)
    assert res["I.3a"].score == D(3) and res["I.3a"].max == D(3)
    assert res["I.3"].score == D(4) and res["I.3b"].counted and not res["I.3a"].counted
    # I.4: I.4a does not apply, I.4b 3
    assert res["I.4a"].score is None and res["I.4"].score == D(3) and res["I.4b"].counted
    # I.5: 70 / 10 = 7, shown, not counted
    assert res["I.5"].score == D(7) and not res["I.5"].counted
    # I: standard 5 + 4 + 4 + 3 = 16, bonus 1, deduction 3: 16 + 1 − 3 = 14
    assert (res["I"].standard, res["I"].bonus, res["I"].deduction, res["I"].score) == (D(16), D(1), D(3), D(14))
    # II.1: score(I) = 14 ≥ 10: 3 + 7 = 10
    assert res["II.1"].score == D(10)
    # III.1: 2 (open)
    assert res["III"].score == D(2)
    # standard 16 + 10 = 26; bonus 1 + 2 = 3; deductions 3; 26 + 3 − 3 = 26 (within [0, 32])
    assert (res.standard, res.bonus, res.deductions, res.adjustment, res.total) == (D(26), D(3), D(3), D(0), D(26))
    # applicable max: I.1 6 + I.2 4 + I.3 max(3, 5) = 5 + I.4b 3 (cut at 5) = 18, II 10; III open: 28
    assert res.applicable_max == D(28)


def test_bounds_on_a_section_and_the_total(rs: tr.Ruleset) -> None:
    low = {**UNIT, "so_khen": 0, "so_phan_anh": 6, "so_som": 0, "so_tre": 9, "so_hoan_thanh": 0, "so_giai": 0}
    res = rs.evaluate(low)
    # I.1: −18; I.2: 4 − 3 = 1; I.3: best of 0, 0 = 0 (I.3a, the first); I.4: 3
    # I: standard −18 + 4 + 0 + 3 = −11, deduction 3: −14, raised to 0 (adjustment +14)
    assert res["I.1"].score == D(-18)
    assert res["I"].score == D(0) and res["I"].adjustment == D(14)
    assert res["I.3a"].counted and not res["I.3b"].counted
    # II.1: score(I) = 0 < 10: 0 + 7 = 7; total: standard −11 + 7 = −4, deductions 3, adjustment 14: 7
    assert res["II.1"].score == D(7) and res.total == D(7)
    high = {**UNIT, "so_giai": 20}
    # 26 − 2 + 20 = 26 + 18: bonus 1 + 20 = 21; 26 + 21 − 3 = 44, cut at 32 (adjustment −12)
    res = rs.evaluate(high)
    assert (res.bonus, res.total, res.adjustment) == (D(21), D(32), D(-12))


def test_a_signed_group_adds_its_parts_as_they_are() -> None:
    rs = tr.loads("""
ruleset "cong-co-dau" { total 10 }
fact a "A": count
section I "I" max 10 {
    criterion I.1 "x" max 5 signed { score 2 - a }
    criterion I.2 "y" max 5 at least -1 { score 3 - a }
}
""")
    res = rs.evaluate({"a": 5})
    # I.1: 2 − 5 = −3; I.2: 3 − 5 = −2 raised to −1; I = −3 + −1 = −4
    assert (res["I.1"].score, res["I.2"].score, res["I"].score, res.total) == (D(-3), D(-1), D(-4), D(-4))
    # the row's floor is its "at least": the cut step raises −2 to it (no bound step after it:
    # a row without columns has nothing else for its "at least" to do)
    assert [s.rule for s in res["I.2"].trace if s.rule in ("cap", "bound")] == ["cap"]
    cut = next(s for s in res["I.2"].trace if s.rule == "cap")
    assert (cut.rule, cut.operands, cut.value, cut.note) == ("cap", (D(-2), D(-1), D(5)), D(-1), "raised to -1")


def test_either_with_nothing_applying_does_not_apply() -> None:
    rs = tr.loads("""
ruleset "khong-ap-dung" { total 10 }
fact a "A": boolean
section I "I" max 10 {
    criterion I.0 "z" max 5 { score 5 }
    group I.1 "g" max 5 either {
        criterion I.1a "x" max 5 { applicable if a  score 5 }
        criterion I.1b "y" max 5 { applicable if not a  score 4 }
    }
}
""")
    res = rs.evaluate({"a": True})
    assert (res["I.1"].score, res["I"].score) == (D(5), D(10))  # 5 + 5
    res = rs.evaluate({"a": False})
    assert (res["I.1"].score, res["I"].score) == (D(4), D(9))  # 5 + 4


@pytest.mark.parametrize(("body", "message"), [
    ('    criterion I.1 "x" max 5 best { score 1 }\n', '"best" does not apply to a criterion'),
    ('    criterion I.1 "x" max 5 signed at least 0 { score 1 }\n', '"signed" and "at least" both say'),
    ('    criterion I.1 "x" max 5 at least 6 { score 1 }\n', '"at least 6" is above the max 5'),
    ('    criterion I.1 "x" max 5 at least 2 at most 1 { score 1 }\n', '"at least 2" is above "at most 1"'),
    ('    criterion I.1 "x" max 5 { score 1  standard 2 }\n', "a row's standard part is its score rule"),
    ('    criterion I.1 "x" max 5 { score 1  bonus 1  bonus 2 }\n', 'more than one bonus column'),
    ('    criterion I.1 "x" max 5 { score 1  bonus assessed }\n', "computed from facts, not judged"),
    ('    criterion I.1 "x" max 5 { score score(I.1) }\n', '"I.1" reads its own score'),
    ('    criterion I.1 "x" max 5 { score score(I) }\n', '"I.1" reads the score of "I", which holds it'),
    ('    criterion I.1 "x" max 5 { score score(I.2) }\n    criterion I.2 "y" max 0 { score 0 }\n',
     '"I.1" reads "I.2", which is scored after it in the same section'),
    ('    criterion I.1 "x" max 5 { score score(I.9) }\n', 'unknown code "I.9"'),
    ('    criterion I.1 "x" max 5 { score if true then 5 else -1 }\n', '"I.1" gives -1 here'),
])
def test_mistakes_are_refused_with_a_message(body: str, message: str) -> None:
    text = f'ruleset "loi" {{ total 5 }}\nsection I "I" max 5 {{\n{body}}}\n'
    with pytest.raises(tr.RulesetError) as info:
        tr.loads(text)
    assert message in str(info.value)


def test_columns_only_on_rows_of_a_standard_section() -> None:
    text = """
ruleset "cot" { total 5 }
section I "I" max 5 { criterion I.1 "x" max 5 { score 5 } }
deduction section II "Trừ" { criterion II.1 "y" { score 1  bonus 1 } }
"""
    with pytest.raises(tr.RulesetError, match="a row of a deduction section has no bonus column"):
        tr.loads(text)


def test_the_printer_round_trips_every_new_form(rs: tr.Ruleset) -> None:
    printed = tr.format_ruleset(ALL)
    again = tr.loads(printed)
    assert tr.format_ruleset(printed) == printed
    for unit in (UNIT, {**UNIT, "so_phan_anh": 9, "co_tru_so": True}):
        assert again.evaluate(unit).to_dict()["nodes"] == rs.evaluate(unit).to_dict()["nodes"]


def test_the_shipped_rulesets_are_unchanged_by_the_model() -> None:
    # No shipped row or section uses a new form: every node has no columns, so their results
    # are what the golden tests compute by hand (tests/test_golden_*.py).
    for name in ("cum4-2023", "vpubnd-tayninh-2023"):
        shipped = tr.rulesets.load(name)
        assert all(c.floor == 0 and c.counted and c.bonus is None and c.deduction is None
                   for c in shipped.criteria.values())
        assert all(g.choose == "sum" and g.low is None and g.high is None for g in shipped.groups.values())


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_laws_hold_for_any_unit(rs: tr.Ruleset, data: st.DataObject) -> None:
    """Signed sums stay additive, bounds hold, a best group equals its best part, the untraced
    path equals the traced one (check_invariants checks each of them)."""
    unit = data.draw(facts(rs))
    res = check_invariants(rs, unit)
    best = max(res[c].score for c in ("I.3a", "I.3b"))  # type: ignore[type-var]
    assert res["I.3"].score == min(best, D(5))
    assert D(0) <= res.total <= D(32)


def test_the_new_steps_read_as_sentences_in_both_languages(rs: tr.Ruleset) -> None:
    res = rs.evaluate(UNIT)
    vi = tr.explain(rs, res, "I.2")
    # I.2: bonus 0.5 × 3 = 1.5 above its cap 1; deduction 5 above its cap 3; 4 + 1 − 3 = 2
    assert "điểm thưởng: 1,5 đ vượt mức tối đa 1 đ, tính 1 đ" in vi
    assert "điểm trừ: 5 đ vượt mức tối đa 3 đ, tính 3 đ" in vi
    assert "điểm chuẩn 4 + điểm thưởng 1 − điểm trừ 3 = 2 đ" in vi
    en = tr.explain(rs, res, "I.2", lang="en")
    assert "standard 4 + bonus 1 − deduction 3 = 2 pts" in en
    # I.3: I.3a 3, I.3b 4: the best is I.3b
    assert "tính I.3b (mức cao nhất): 4 đ; không tính I.3a" in tr.explain(rs, res, "I.3")
    assert "counts I.4b (the one that applies): 3 pts" in tr.explain(rs, res, "I.4", lang="en")
    # II.1 reads I: 14
    assert "điểm của I: 14 đ" in tr.explain(rs, res, "II.1")
    low = rs.evaluate({**UNIT, "so_khen": 0, "so_phan_anh": 6, "so_som": 0, "so_tre": 9, "so_hoan_thanh": 0})
    # I: −11 + 0 − 3 = −14, below the floor 0
    assert "-14 đ thấp hơn mức sàn 0 đ, tính 0 đ" in tr.explain(rs, low, "I")


def test_the_form_shows_a_row_s_three_columns_and_what_is_not_counted(rs: tr.Ruleset) -> None:
    sub = rs.evaluate_submission({"appraised": UNIT}, unit="Đơn vị A")
    form = tr.render(rs, sub)
    # I.2: standard 4, bonus 1, deduction 3 (see test_every_construct_by_hand)
    assert "chuẩn 4 đ + thưởng 1 đ − trừ 3 đ" in form
    # I: standard 16, bonus 1, deduction 3
    assert "chuẩn 16 đ + thưởng 1 đ − trừ 3 đ" in form
    # I.3a (not the best) and I.5 (not counted) are shown, marked
    assert form.count("không tính vào tổng của mục trên") == 2
    en = tr.render(rs, sub, lang="en")
    assert "standard 4 pts + bonus 1 pt − deduction 3 pts" in en


@pytest.mark.parametrize("trace", [True, False])
def test_an_open_row_under_a_limit_can_fill_the_limit(trace: bool) -> None:
    rs = tr.loads("""
ruleset "mo-trong-tran" { total 10 }
fact n "Số giải": count
section I "I" max 10 {
    criterion I.1 "a" max 5 { score assessed }
    group I.2 "g" cap 5 {
        criterion I.2.1 "b" max open { score n }
    }
}
""")
    res = rs.evaluate({"I.1": 5, "n": 30}, trace=trace)
    # I.2: 30 cut at its cap 5; it could give 5 (its open row could fill it): I = 10 of 5 + 5
    assert (res["I.2"].score, res["I"].score, res.applicable_max, res.percentage) == (D(5), D(10), D(10), D(100))


def test_a_row_that_does_not_apply_needs_no_max_from_the_facts() -> None:
    rs = tr.loads("""
ruleset "khong-can-toi-da" { total 10 }
fact b "Có áp dụng": boolean
fact n "Số nhiệm vụ": count optional
section I "I" max 10 {
    criterion I.1 "a" max (n) { applicable if b  score 1 }
    criterion I.2 "c" max 10 { score assessed }
}
""")
    for trace in (True, False):
        res = rs.evaluate({"b": False, "I.2": 3}, trace=trace)
        assert (res["I.1"].score, res.total) == (None, D(3))  # I.1 does not apply: 3


def test_a_max_read_from_a_division_loads_and_a_total_floor_above_the_total_is_refused() -> None:
    rs = tr.loads("""
ruleset "chia" { total 10 }
fact n "n": count 0..5
section I "I" max 10 {
    criterion I.1 "a" max (n / 3) { score 1 }
    criterion I.2 "b" max 10 { score assessed }
}
""")
    # n = 4: max 4 / 3 = 1.33 (rounding 2); 1 is under it
    assert rs.evaluate({"n": 4, "I.2": 2})["I.1"].max == D("1.33")
    with pytest.raises(tr.RulesetError, match=r'"at least 20" is above the declared total 10'):
        tr.loads('ruleset "san" { total 10 total at least 20 }\n'
                 'section I "I" max 10 { criterion I.1 "a" max 10 { score assessed } }\n')


def test_the_form_adds_the_adjustment_of_the_total_s_bounds() -> None:
    rs = tr.loads("""
ruleset "tong-gioi-han" {
    total 100
    total at most 100
}
fact so_giai "Số giải": count
section I "I" max 100 { criterion I.1 "a" max 100 { score assessed } }
bonus section II "Thưởng" { criterion II.1 "b" max open { score 2 * so_giai } }
""")
    form = tr.render(rs, rs.evaluate_submission({"appraised": {"I.1": 95, "so_giai": 4}}))
    # 95 + 8 = 103, cut to 100: adjustment −3
    assert "100 = điểm chuẩn 95 + điểm cộng 8 − điểm trừ 0 + điều chỉnh theo giới hạn -3" in form


def test_a_rule_reading_a_section_that_lacks_a_fact_reports_the_fact_only() -> None:
    rs = tr.loads("""
ruleset "thieu" { total 12 }
fact x "x": count
section I "I" max 10 { criterion I.1 "a" max 10 { score x } }
bonus section II "II" max 2 { criterion II.1 "b" max 2 { score if score(I) >= 5 then 2 else 0 } }
""")
    for trace in (True, False):
        with pytest.raises(tr.FactsError) as info:
            rs.evaluate({}, trace=trace)
        assert [p.fact for p in info.value.problems] == ["x"]


def test_an_override_keeps_the_modes_it_does_not_restate_and_the_diff_sees_the_model(tmp_path: object) -> None:
    from pathlib import Path
    base = Path(str(tmp_path)) / "goc.thidua"
    base.write_text(ALL, encoding="utf-8")
    child = Path(str(tmp_path)) / "moi.thidua"
    child.write_text('ruleset "moi" {\n    extends "goc.thidua"\n    total 32\n    total at least 0 at most 30\n}\n'
                     'override section I max 22\noverride criterion I.1 max 8\n'
                     'override criterion I.2 {\n    deduction so_tre max 2\n}\n'
                     'override group I.3 at least 1\n', encoding="utf-8")
    old, new = tr.load(str(base)), tr.load(str(child))
    # I.1 keeps "signed" (only its max is restated); I.3 keeps "best"
    assert new.criteria["I.1"].floor is None and new.criteria["I.1"].max == D(8)
    assert new.groups["I.3"].choose == "best" and new.groups["I.3"].low == D(1)
    res = new.evaluate({**UNIT, "so_khen": 0, "so_phan_anh": 1})
    assert res["I.1"].score == D(-3)  # 0 − 3, still signed
    found = {(d.what, d.code, d.before, d.after) for d in tr.diff(old, new).changes}
    assert ("max", "I.1", "6", "8") in found
    assert ("deduction", "I.2", "so_tre max 3", "so_tre max 2") in found
    assert ("bounds", "I.3", None, "at least 1") in found
    assert ("header", "total_high", "32", "30") in found


def test_the_explanation_says_where_an_extended_row_comes_from(tmp_path: object) -> None:
    from pathlib import Path
    (Path(str(tmp_path)) / "goc.thidua").write_text(ALL, encoding="utf-8")
    child = Path(str(tmp_path)) / "moi.thidua"
    change = 'override criterion I.2 {\n    deduction so_tre max 2\n}\n'
    child.write_text('ruleset "moi" { extends "goc.thidua" }\n' + change, encoding="utf-8")
    rs = tr.load(str(child))
    text = tr.explain(rs, rs.evaluate(UNIT), "I.2")
    assert "Định nghĩa tại" in text and "goc.thidua" in text and "sửa tại" in text and "moi.thidua:2:1" in text
    assert "Defined in" in tr.explain(rs, rs.evaluate(UNIT), "I.1", lang="en")


def test_a_sum_broken_by_an_extension_names_the_line_that_broke_it(tmp_path: object) -> None:
    from pathlib import Path
    (Path(str(tmp_path)) / "goc.thidua").write_text(ALL, encoding="utf-8")
    child = Path(str(tmp_path)) / "moi.thidua"
    child.write_text('ruleset "moi" { extends "goc.thidua" }\nadd criterion I.9 "Mới" max 5 in I {\n    score 5\n}\n',
                     encoding="utf-8")
    with pytest.raises(tr.RulesetError) as info:
        tr.load(str(child))
    # I: 6 + 4 + 5 + 5 (the largest of I.3's parts: best) + the new 5 = 25, not 20
    assert 'the items of "I" add up to 25, not its max 20 (changed at ' in str(info.value)
    assert "moi.thidua:2:1" in str(info.value)


def test_a_ruleset_test_failure_quotes_the_step_that_gave_the_row_its_value(tmp_path: object) -> None:
    from pathlib import Path
    folder = Path(str(tmp_path))
    (folder / "mo-hinh.thidua").write_text(ALL, encoding="utf-8")
    facts = ", ".join(f"{k} = {str(v).lower()}" for k, v in UNIT.items())
    (folder / "sai.test.toml").write_text(
        f'ruleset = "mo-hinh.thidua"\n\n[[unit]]\nname = "A"\nfacts = {{ {facts} }}\n'
        '[unit.expect]\n"I.2" = 4\n', encoding="utf-8")
    (failure,) = tr.run_ruleset_tests([str(folder / "sai.test.toml")])
    # I.2 = 4 + 1 − 3 = 2: the net of its columns gave the 2, not its standard part's 4
    assert failure.line().endswith("(first step giving 2: I.2: 4 + 1 − 3 = 2 (standard + bonus − deduction))")
