"""Applicability, unit variants, scoring rounds and composed rule shapes, on hand-computed cases.

The rulesets are examples/shapes/*.thidua (plainly illustrative, not any agency's document).
Every expected value is computed by hand; the arithmetic is in the comment next to it.
"""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

import thidua_rules as tr

SHAPES = Path(__file__).resolve().parent.parent / "examples" / "shapes"


def shape(name: str, replace: tuple[tuple[str, str], ...] = ()) -> tr.Ruleset:
    """Load examples/shapes/NAME.thidua, with textual edits (each must apply)."""
    text = (SHAPES / f"{name}.thidua").read_text(encoding="utf-8")
    for old, new in replace:
        assert old in text, f"edit target not found: {old!r}"
        text = text.replace(old, new)
    return tr.loads(text, source=f"{name}.thidua")


def messages(name: str, replace: tuple[tuple[str, str], ...]) -> list[str]:
    with pytest.raises(tr.RulesetError) as info:
        shape(name, replace)
    return [d.message for d in info.value.diagnostics if d.severity == "error"]


def test_every_example_is_marked_illustrative_and_loads_without_warnings() -> None:
    files = sorted(SHAPES.glob("*.thidua"))
    names = {f.stem for f in files}
    assert {"applicability", "cohort", "variants", "rounds", "periods", "classify", "composition"} <= names
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# Ví dụ minh họa — illustrative, not any agency's document."), path.name
        rs = tr.load(path)
        assert rs.warnings == (), (path.name, rs.warnings)


# ================================================================ applicability

FULL = {
    "co_mot_cua": True, "tong_ho_so": 8, "so_dung_han": 6, "A.2": 3,
    "co_du_an": True, "ty_le_giai_ngan": 95, "B.2": 2, "so_vi_pham": 1,
}


def test_everything_applies() -> None:
    res = shape("applicability").evaluate(FULL)
    assert res["A.1"].score == D("4.5")  # 6 × 6 / 8 = 36 / 8 = 4.5 (exact)
    assert res["A"].score == D("7.5")  # 4.5 + 3
    assert res["B.1"].score == D(6)  # 95 ≥ 95: 6 (band boundary, first row)
    assert res["B.G"].score == D(8)  # 6 + 2
    assert res["B"].score == D(8)
    assert res["C.1"].score == D(5)  # 10 − 5 × 1
    assert res.total == D("20.5")  # 7.5 + 8 + 5
    assert res.applicable_max == D(30)  # 10 + 10 + 10: everything applies
    assert res.percentage == D("68.33")  # 20.5 / 30 × 100 = 68.333… → 68.33 (half up, 2 places)


def test_a_criterion_that_does_not_apply_leaves_the_applicable_max() -> None:
    unit = {"co_mot_cua": True, "tong_ho_so": 0, "A.2": 4, "co_du_an": False}
    res = shape("applicability").evaluate(unit)  # so_dung_han, ty_le_giai_ngan, B.2, so_vi_pham not needed
    assert res["A.1"].score is None  # no files: A.1 does not apply (and 6 × … / 0 is never computed)
    assert res["A.1"].applicable_max == D(0)
    assert (res["A"].score, res["A"].applicable_max) == (D(4), D(4))  # only A.2 (max 4) counts
    assert res["B.G"].score is None and res["B.1"].score is None and res["B.2"].score is None
    assert res["B"].score is None  # its only item, the group B.G, does not apply
    assert res["C"].score is None  # C.1 applies only with a project
    assert (res.total, res.applicable_max) == (D(4), D(4))
    assert res.percentage == D("100.00")  # 4 / 4 × 100


def test_a_section_that_does_not_apply_needs_none_of_its_facts() -> None:
    unit = {"co_mot_cua": False, "co_du_an": True, "ty_le_giai_ngan": 80, "B.2": 4, "so_vi_pham": 0}
    res = shape("applicability").evaluate(unit)  # no tong_ho_so, so_dung_han, A.2
    assert res["A"].score is None and res["A.1"].score is None and res["A.2"].score is None
    assert res["B.1"].score == D(3)  # 80 ≥ 80: 3 (band boundary, second row)
    assert res["B"].score == D(7)  # 3 + 4
    assert res["C.1"].score == D(10)  # 10 − 5 × 0
    assert (res.total, res.applicable_max) == (D(17), D(20))  # 7 + 10 of 10 + 10
    assert res.percentage == D("85.00")  # 17 / 20 × 100
    a = res["A"]
    assert a.trace[-1].rule == "not applicable" and a.trace[-1].note == "applicable if … is false"
    assert [s.note for s in res["A.2"].trace] == ["A does not apply"]


def test_a_unit_for_which_nothing_applies() -> None:
    res = shape("applicability").evaluate({"co_mot_cua": False, "co_du_an": False})
    assert all(node.score is None for node in res)
    assert (res.total, res.applicable_max) == (D(0), D(0))
    assert res.percentage is None  # 0 of 0: no percentage, not a division by zero
    assert res.to_dict()["percentage"] is None


def test_just_below_a_band_boundary() -> None:
    res = shape("applicability").evaluate({**FULL, "ty_le_giai_ngan": D("79.99")})
    assert res["B.1"].score == D(0)  # 79.99 < 80: otherwise row, 0
    res = shape("applicability").evaluate({**FULL, "ty_le_giai_ngan": D("94.99")})
    assert res["B.1"].score == D(3)  # 80 ≤ 94.99 < 95: 3


def test_declared_rounding_of_the_rate() -> None:
    res = shape("applicability").evaluate({**FULL, "tong_ho_so": 7, "so_dung_han": 2})
    assert res["A.1"].score == D("1.71")  # 6 × 2 / 7 = 12 / 7 = 1.714… → 1.71
    div = next(s for s in res["A.1"].trace if s.rule == "/")
    assert "rounded half up to 2 decimal places" in div.note


def test_a_fact_the_applicability_needs_is_reported_missing() -> None:
    with pytest.raises(tr.FactsError) as info:
        shape("applicability").evaluate({"co_mot_cua": True, "co_du_an": False, "A.2": 1})
    assert [p.fact for p in info.value.problems] == ["tong_ho_so"]  # A.1's "applicable if" reads it


def test_checker_catches_an_unguarded_division_and_a_bad_condition() -> None:
    found = messages("applicability", (("        applicable if tong_ho_so > 0\n", ""),))
    assert found == ['division by "tong_ho_so", which can be 0']
    found = messages("applicability", (("applicable if co_du_an\n        score max", "applicable if so_vi_pham\n"
                                        "        score max"),))
    assert found == ["an applicability condition must be true/false, not a number"]
    found = messages("applicability", (("applicable if co_mot_cua\n", "applicable if co_mot_cua\n"
                                        "    applicable if co_du_an\n"),))
    assert found == ['"A" has more than one "applicable if"']


def test_judged_score_under_a_conditional_section_is_not_required() -> None:
    rs = shape("applicability")
    assert rs.facts["tong_ho_so"].required is False  # fact read under A's condition: not required
    assert rs.facts["A.2"].required is False  # A.2 is needed only when A applies
    assert rs.facts["B.2"].required is False  # B.2 is needed only when the group B.G applies


# ================================================================ unit variants

XA = {"cap_don_vi": "xã", "so_van_ban": 7, "A.2": 12, "A.3": 4, "C.1": 8}
HUYEN = {"cap_don_vi": "Huyện", "so_van_ban": 7, "A.2": 12, "A.4": 5, "co_khu_cong_nghiep": False,
         "B.2": 6, "C.1": 8}


def test_a_commune() -> None:
    res = shape("variants").evaluate(XA)  # no B.1, B.2, co_khu_cong_nghiep: B is for districts only
    assert (res["A.1"].raw, res["A.1"].score, res["A.1"].max) == (D(14), D(10), D(10))  # 2 × 7 = 14 → max 10
    assert res["A.1"].trace[-1].note == "capped at max 10"  # the commune's max, shown in the trace
    assert res["A.4"].score is None  # districts only
    assert res["A"].score == D(26)  # 10 + 12 + 4
    assert res["B"].score is None and res["B.1"].score is None
    assert res.total == D(34)  # 26 + 8
    assert res.applicable_max == D(40)  # A: 10 + 15 + 5 = 30; C: 10; = the commune's total 40
    assert res.percentage == D("85.00")  # 34 / 40 × 100


def test_a_district() -> None:
    res = shape("variants").evaluate(HUYEN)
    assert (res["A.1"].score, res["A.1"].max) == (D(14), D(20))  # 2 × 7 = 14 ≤ the district's max 20
    assert res["A.3"].score is None  # communes only
    assert res["A"].score == D(31)  # 14 + 12 + 5
    assert res["B.1"].score == D(10)  # no industrial zone: max, 10
    assert res["B"].score == D(16)  # 10 + 6
    assert res.total == D(55)  # 31 + 16 + 8
    assert res.applicable_max == D(70)  # 20 + 15 + 5 + 20 + 10 = the district's total 70
    assert res.percentage == D("78.57")  # 55 / 70 × 100 = 78.571… → 78.57


def test_a_district_with_an_industrial_zone_needs_the_judged_score() -> None:
    with pytest.raises(tr.FactsError) as info:
        shape("variants").evaluate({**HUYEN, "co_khu_cong_nghiep": True})
    assert [p.fact for p in info.value.problems] == ["B.1"]


def test_variant_sums_are_checked_per_variant() -> None:
    # A.2 max 16: commune 10 + 16 + 5 = 31 ≠ 30; district 20 + 16 + 5 = 41 ≠ 40.
    found = messages("variants", (("max 15 {", "max 16 {"),))
    assert sorted(found) == ['for "huyện", the items of "A" add up to 41, not its max 40',
                             'for "xã", the items of "A" add up to 31, not its max 30']
    # District total 75: 40 + 20 + 10 = 70 ≠ 75; the commune (30 + 10 = 40) is right.
    found = messages("variants", (('"huyện": 70 }', '"huyện": 75 }'),))
    assert found == ['for "huyện", the sections add up to 70, not the declared total 75']
    # A.3 for every unit: the district's A becomes 20 + 15 + 5 + 5 = 45 ≠ 40; the commune is unchanged.
    found = messages("variants", (('applicable if cap_don_vi = "xã"\n', ""),))
    assert found == ['for "huyện", the items of "A" add up to 45, not its max 40']
    found = messages("variants", (('max by { "xã": 10, "huyện": 20 }', 'max by { "xã": 10, "huyen": 20 }'),))
    assert found == ['"huyen" is not a variant (a level of scale "cap")', 'no max for variant "huyện"']


# ================================================================ scoring rounds

ROUNDS: dict[str, Any] = {
    "self": {"so_van_ban": 6, "A.2": 6, "A.3": 4},   # A.1 = 2 × 6 = 12 → 10; A.2 = 6; A.3 = 4 (20)
    "first": {"so_van_ban": 4, "A.2": 5, "A.3": 2},  # A.1 = 2 × 4 = 8;  A.2 = 5; A.3 = 2 (15)
    "second": {"A.3": 3},                            # partial: only A.3 = 3
}


def rounds(final: str) -> tr.Ruleset:
    return shape("rounds", (("final last", f"final {final}"),))


def finals(sub: Any) -> dict[str, tuple[D, str]]:
    return {row.code: (row.final, row.decided_by) for row in sub.rows if row.is_criterion}


def test_final_last() -> None:
    sub = rounds("last").evaluate_submission(ROUNDS)
    # A.1, A.2: last scored by "first" (8, 5); A.3: by the partial "second" (3); 8 + 5 + 3 = 16
    assert finals(sub) == {"A.1": (D(8), "first"), "A.2": (D(5), "first"), "A.3": (D(3), "second")}
    assert sub.total == D(16)
    assert dict(sub.row("A.1").scores) == {"self": D(10), "first": D(8), "second": None}
    assert sub.row("A.3").difference == D(-1)  # final 3 − self 4
    step = sub.final["A.3"].trace[-1]
    assert (step.rule, step.operands, step.value) == ("final", (D(4), D(2), D(3)), D(3))
    assert step.note == "second: the last round that scored it"
    assert set(sub.rounds) == {"self", "first"}  # the partial round has no complete result


def test_final_highest_and_lowest() -> None:
    high = rounds("highest").evaluate_submission(ROUNDS)
    # A.1 max(10, 8) = 10; A.2 max(6, 5) = 6; A.3 max(4, 2, 3) = 4, all from self: 20
    assert finals(high) == {"A.1": (D(10), "self"), "A.2": (D(6), "self"), "A.3": (D(4), "self")}
    assert high.total == D(20)
    low = rounds("lowest").evaluate_submission(ROUNDS)
    # A.1 min(10, 8) = 8; A.2 min(6, 5) = 5; A.3 min(4, 2, 3) = 2, all from first: 15
    assert finals(low) == {"A.1": (D(8), "first"), "A.2": (D(5), "first"), "A.3": (D(2), "first")}
    assert low.total == D(15)
    assert low.row("A.3").reason == "the lowest score of the rounds that scored it"


def test_final_named_round() -> None:
    first = rounds("first").evaluate_submission(ROUNDS)
    assert first.total == D(15)  # 8 + 5 + 2: the first appraisal decides every criterion
    assert first.row("A.3").reason == "the first round decides"
    second = rounds("second").evaluate_submission(ROUNDS)
    # second scored only A.3 (3); A.1, A.2 fall back to the last round that scored them (first: 8, 5)
    assert finals(second) == {"A.1": (D(8), "first"), "A.2": (D(5), "first"), "A.3": (D(3), "second")}
    assert second.total == D(16)
    assert second.row("A.1").reason == "the last round that scored it (second did not)"
    assert second.row("A.3").reason == "the second round decides"
    only_self = rounds("second").evaluate_submission({"self": ROUNDS["self"]})
    assert only_self.total == D(20)  # one round: it decides everything, 10 + 6 + 4


def test_final_defaults_to_the_last_declared_round() -> None:
    rs = shape("rounds", ((" final last", ""),))
    assert rs.final_round == "second"
    assert rs.evaluate_submission(ROUNDS).total == D(16)  # as "final second" above: 8 + 5 + 3


def test_judged_scores_and_claims_above_the_max_are_flagged() -> None:
    sub = rounds("last").evaluate_submission(
        {"self": {"facts": {"so_van_ban": 6, "A.2": 7, "A.3": 4}, "claims": {"A.1": 12, "A.3": 3}}}
    )
    assert sub.total == D(20)  # A.1 = 10 (12 capped), A.2 = 7 counted as its max 6, A.3 = 4
    assert sub.flags == (
        "A.1: self: claimed 12 is above the max 10 (không vượt quá số điểm tối đa quy định)",
        "A.2: self: judged score 7 is above the max 6 (không vượt quá số điểm tối đa quy định); counted as 6",
        "A.3: self: claimed 3 but the rule gives 4",
    )


def test_round_errors() -> None:
    with pytest.raises(tr.FactsError) as info:
        rounds("last").evaluate_submission({"self": {"so_van_ban": 1, "A.2": 1, "A.3": 1}, "frist": {"A.2": 2}})
    assert [(p.fact, p.message) for p in info.value.problems] == [
        ("round frist", 'unknown round; did you mean "first"?')]
    with pytest.raises(tr.FactsError) as info:
        rounds("last").evaluate_submission({"self": {"so_van_ban": 1, "A.2": 1}})  # nobody scored A.3
    assert [p.fact for p in info.value.problems] == ["self: A.3"]
    with pytest.raises(tr.RulesetError, match='unknown final round "lowst"'):
        rounds("lowst")
    with pytest.raises(tr.RulesetError, match='round "first" is declared twice'):
        shape("rounds", (('second "Thẩm định lần 2"', 'first "Thẩm định lại"'),))


# ================================================================ composition (nothing new needed)

UNIT: dict[str, Any] = {
    "so_sang_kien": 3, "so_de_tai": 1, "so_lan_cham": 2, "so_sai_sot": 0,
    "so_bieu_duong": 2, "so_phe_binh": 1, "so_ngay_cham": 4, "so_vi_pham": 1,
    "ty_le_dung_han": D("73.4"), "so_can_bo": 60, "hang_dti": 15, "so_giai_thuong": 4, "A.7": D("2.5"),
}


def scores(changes: dict[str, Any], *codes: str) -> tuple[D | None, ...]:
    res = shape("composition").evaluate({**UNIT, **changes})
    return tuple(res[c].score for c in codes)


def test_composition_full_unit() -> None:
    res = shape("composition").evaluate(UNIT)
    # A.1 = max(2, 6 + min(4.5 + 1, 3) − min(2 + 0, 5)) = max(2, 6 + 3 − 2) = 7
    # A.2 = 5 + 2 − 2 × 1 = 5; A.3 = 6 − 0.5 × 4 = 4; A.4 = 1 violation → 5
    # A.5: 73.4 ≥ 70 and 60 ≥ 50 → 6; A.6: 2 × 1 + 1 = 3 → 6; A.7 = max(3, min(4, 5), 2.5) = 4
    # A.8 = round(8 × 73.4 / 100, 1) = round(5.872, 1) = 5.9
    expected = {"A.1": 7, "A.2": 5, "A.3": 4, "A.4": 5, "A.5": 6, "A.6": 6, "A.7": 4, "A.8": D("5.9")}
    assert {c: res[c].score for c in expected} == {c: D(v) for c, v in expected.items()}
    assert res["A"].score == D("42.9")  # 7 + 5 + 4 + 5 + 6 + 6 + 4 + 5.9
    assert (res["B.1"].raw, res["B.1"].score) == (D("4.5"), D(3))  # 1.5 × 3 = 4.5 → its max 3
    assert (res["B"].raw, res["B"].score) == (D(4), D(3))  # 3 + 1 = 4 → the bonus cap 3
    assert res["D"].score == D(2)  # 2 × 1 + 2 × 0
    assert res.total == D("43.9")  # 42.9 + 3 − 2


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"so_sang_kien": 1, "so_de_tai": 0, "so_lan_cham": 0}, D("7.5")),  # 6 + min(1.5, 3) − 0 = 7.5
        ({"so_sang_kien": 9, "so_de_tai": 9, "so_lan_cham": 0}, D(9)),  # 6 + min(22.5, 3) − 0 = 9 = max
        ({"so_lan_cham": 3, "so_sai_sot": 2, "so_sang_kien": 0, "so_de_tai": 0}, D(2)),
        # 6 + 0 − min(3 + 4, 5) = 1, raised to the floor 2
        ({"so_lan_cham": 1, "so_sai_sot": 1, "so_sang_kien": 0, "so_de_tai": 1}, D(4)),  # 6 + 1 − min(3, 5)
    ],
)
def test_base_plus_capped_bonus_minus_capped_deduction_with_floor(changes: dict[str, Any], expected: D) -> None:
    assert scores(changes, "A.1") == (expected,)


def test_deduction_section_with_its_own_cap() -> None:
    res = shape("composition").evaluate({**UNIT, "so_lan_cham": 3, "so_sai_sot": 2})
    assert (res["D"].raw, res["D"].score) == (D(7), D(5))  # 3 + 2 × 2 = 7 → the deduction cap 5


@pytest.mark.parametrize(
    ("praised", "blamed", "raw", "score"),
    [(2, 1, 5, 5), (4, 0, 9, 8), (0, 3, -1, 0), (1, 3, 0, 0)],
    # 5 + 2 − 2 = 5; 5 + 4 = 9 → max 8; 5 − 6 = −1 → raised to 0; 5 + 1 − 6 = 0
)
def test_per_occurrence_plus_and_minus(praised: int, blamed: int, raw: int, score: int) -> None:
    res = shape("composition").evaluate({**UNIT, "so_bieu_duong": praised, "so_phe_binh": blamed})
    assert (res["A.2"].raw, res["A.2"].score) == (D(raw), D(score))


@pytest.mark.parametrize(("days", "expected"), [(0, 6), (4, 4), (10, 1), (11, 0), (30, 0)])
def test_deduction_per_day_late_with_cut_off(days: int, expected: int) -> None:
    # 6 − 0; 6 − 0.5 × 4 = 4; 6 − 0.5 × 10 = 1; 11 > 10: not done, 0; 30: 0
    assert scores({"so_ngay_cham": days}, "A.3") == (D(expected),)


@pytest.mark.parametrize(("violations", "expected"), [(0, 6), (1, 5), (2, 3), (3, 0), (7, 0)])
def test_non_linear_lookup_on_a_count(violations: int, expected: int) -> None:
    assert scores({"so_vi_pham": violations}, "A.4") == (D(expected),)


@pytest.mark.parametrize(
    ("rate", "staff", "expected"),
    [("95", 60, 8), ("90", 49, 7), ("89.99", 50, 6), ("70", 10, 4), ("69.99", 100, 0)],
    # ≥ 90 & ≥ 50 → 8; ≥ 90 & < 50 → 7; 70 ≤ 89.99 & ≥ 50 → 6; ≥ 70 & < 50 → 4; < 70 → 0
    # derived: 2 × 2 + 1 = 5 → 8; 2 × 2 + 0 = 4 → 7; 2 × 1 + 1 = 3 → 6; 2 × 1 + 0 = 2 → 4; 2 × 0 + 1 = 1 → 0
)
def test_table_over_two_facts_nested_and_by_derived_band(rate: str, staff: int, expected: int) -> None:
    assert scores({"ty_le_dung_han": D(rate), "so_can_bo": staff}, "A.5", "A.6") == (D(expected), D(expected))


@pytest.mark.parametrize(
    ("rank", "awards", "judged", "expected"),
    [(15, 4, "2.5", "4"), (8, 0, "1", "5"), (40, 0, "4.5", "4.5"), (21, 2, "0", "2")],
    # max(3, 4, 2.5) = 4; max(5, 0, 1) = 5; max(0, 0, 4.5) = 4.5; max(0, 2, 0) = 2
)
def test_best_of_alternatives(rank: int, awards: int, judged: str, expected: str) -> None:
    assert scores({"hang_dti": rank, "so_giai_thuong": awards, "A.7": D(judged)}, "A.7") == (D(expected),)


@pytest.mark.parametrize(
    ("rate", "expected"),
    [("73.4", "5.9"), ("95", "7.6"), ("100", "8"), ("0.6", "0"), ("56.25", "4.5")],
    # 8 × 73.4 / 100 = 5.872 → 5.9; 7.6; 8; 0.048 → 0.0; 8 × 56.25 / 100 = 4.5 → 4.5
)
def test_points_proportional_to_a_rate_with_declared_rounding(rate: str, expected: str) -> None:
    assert scores({"ty_le_dung_han": D(rate)}, "A.8") == (D(expected),)
