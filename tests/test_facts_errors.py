"""Facts validated against their specs: one FactsError listing every bad or missing fact.

Uses the shipped ruleset rulesets/cum4-2023.thidua and a complete valid set of facts for it,
then breaks one fact at a time, and finally many at once. Every expected score is worked
out by hand in a comment from the rules in the .thidua file.
"""

from __future__ import annotations

import math
import unicodedata
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

import thidua_rules as tr

REPO = Path(__file__).resolve().parent.parent
CUM4 = REPO / "rulesets" / "cum4-2023.thidua"

PARSE_NUMBER_HINT = (
    "read spreadsheet cells with thidua_rules.parse_number (it accepts a decimal comma such as \"2,5\")"
)


@pytest.fixture(scope="module")
def rs() -> tr.Ruleset:
    return tr.load(CUM4)


def valid_facts() -> dict[str, object]:
    """A complete, valid unit for cum4-2023 (a new dict each time)."""
    return {
        "so_van_ban_tham_muu": 3,
        "so_chuong_trinh": 6,
        "so_vi_pham_bao_chi": 1,
        "so_vi_pham_mxh": 0,
        "hang_dti": 15,
        "hang_dti_ky_truoc": 22,
        "dan_chu_tot": True,
        "xep_loai_dang": "hoàn thành tốt",
        "xep_loai_doan": "xuất sắc",
        "van_hoa_dat_chuan": True,
        "thi_dua_tot": True,
        "co_dien_hinh": False,
        "so_dn_vi_pham": 0,
        "hang_cchc": 7,
        "co_sang_kien": False,
        "so_khien_trach": 1,
        "so_canh_cao": 0,
        "so_vang_hoi_nghi": 0,
        "so_sai_thanh_phan": 1,
        # judged scores of the "score assessed" criteria
        "I.1": 4,
        "I.3": Decimal("4.5"),
        "II.3": 5,
        "IV.2": 2,
        "V.1": 3,
        "V.2": 5,
        "V.3": 1,
    }


# Worked by hand from cum4-2023.thidua with valid_facts():
#   I   : I.1 4 + I.2 min(2*3=6, 10)=6 + I.3 4.5 + I.4 min(2*6=12, 10)=10      = 24.5
#   II  : II.1 10-5*1=5 + II.2 (mxh=0 -> max) 5 + II.3 5
#         + II.4 (rank 15: <=10 no, <=20 yes) 8 + II.5 (dn=0 -> max) 5          = 28
#   III : III.1 2 + III.2 ("hoàn thành tốt") 2 + III.3 ("xuất sắc") 3 + III.4 2 = 9
#   IV  : IV.1 3+0=3 + IV.2 2 + IV.3 (rank 7: <=5 no, <=10 yes) 2              = 7
#   V   : 3 + 5 + 1                                                            = 9
#   standard = 24.5 + 28 + 9 + 7 + 9 = 77.5
#   bonus VI : VI.1 0 + VI.2 (22 - 15 = 7 >= 5) 3 = 3
#   deductions VII : VII.1 5*1 + 10*0 = 5; VII.2 5*0 + 2*1 = 2 -> 7
#   total = 77.5 + 3 - 7 = 73.5
VALID_TOTAL = Decimal("73.5")


def facts_error(rs: tr.Ruleset, facts: dict[str, object]) -> tr.FactsError:
    with pytest.raises(tr.FactsError) as info:
        rs.evaluate(facts)
    return info.value


def with_(**changes: object) -> dict[str, object]:
    facts = valid_facts()
    facts.update(changes)
    return facts


def without(*names: str) -> dict[str, object]:
    facts = valid_facts()
    for name in names:
        del facts[name]
    return facts


def one_problem(rs: tr.Ruleset, facts: dict[str, object]) -> tr.FactProblem:
    err = facts_error(rs, facts)
    assert len(err.problems) == 1, err.problems
    (problem,) = err.problems
    assert str(err) == f"1 problem(s) with the facts\n  {problem.fact}: {problem.message}"
    return problem


# ================================================================ the valid unit


def test_the_shipped_ruleset_loads_without_warnings(rs: tr.Ruleset) -> None:
    assert rs.warnings == ()


def test_valid_facts_evaluate(rs: tr.Ruleset) -> None:
    result = rs.evaluate(valid_facts())
    assert result.standard == Decimal("77.5")  # 24.5 + 28 + 9 + 7 + 9
    assert result.bonus == 3  # VI.2: 22 - 15 = 7 >= 5
    assert result.deductions == 7  # 5*1 + 2*1
    assert result.total == VALID_TOTAL  # 77.5 + 3 - 7
    assert result["I.4"].score == 10  # 2 * 6 = 12, capped at max 10
    assert result["II.1"].score == 5  # 10 - 5 * 1


# ================================================================ unknown and missing names


def test_unknown_fact_with_suggestion(rs: tr.Ruleset) -> None:
    problem = one_problem(rs, with_(so_van_ban=3))
    assert problem == tr.FactProblem("so_van_ban", 'unknown fact; did you mean "so_van_ban_tham_muu"?')


def test_unknown_fact_is_not_silently_dropped(rs: tr.Ruleset) -> None:
    problem = one_problem(rs, with_(khong_ton_tai=1))
    assert problem == tr.FactProblem("khong_ton_tai", "unknown fact")


def test_misspelt_criterion_code(rs: tr.Ruleset) -> None:
    facts = without("I.3")
    facts["I.33"] = 4
    err = facts_error(rs, facts)
    assert {p.fact: p.message for p in err.problems} == {
        "I.33": 'unknown fact; did you mean "I.3"?',
        "I.3": "missing: the judged score of criterion I.3 (0 to 5)",
    }


def test_missing_required_fact(rs: tr.Ruleset) -> None:
    problem = one_problem(rs, without("so_van_ban_tham_muu"))
    assert problem == tr.FactProblem(
        "so_van_ban_tham_muu", "missing (Số văn bản tham mưu được ban hành (I.2))"
    )


def test_missing_assessed_score(rs: tr.Ruleset) -> None:
    problem = one_problem(rs, without("I.1"))
    assert problem == tr.FactProblem("I.1", "missing: the judged score of criterion I.1 (0 to 5)")


def test_assessed_score_needed_only_when_its_condition_asks(rs: tr.Ruleset) -> None:
    # II.2: if so_vi_pham_mxh = 0 then max else assessed
    assert rs.evaluate(valid_facts()).total == VALID_TOTAL  # no "II.2" given, none needed
    problem = one_problem(rs, with_(so_vi_pham_mxh=2))
    assert problem == tr.FactProblem("II.2", "missing: the judged score of criterion II.2 (0 to 5)")
    # with II.2 = 3: II = 5 + 3 + 5 + 8 + 5 = 26 (was 28), so total = 73.5 - 2 = 71.5
    assert rs.evaluate(with_(so_vi_pham_mxh=2, **{"II.2": 3})).total == Decimal("71.5")


def test_two_missing_facts_of_one_rule_are_both_listed(rs: tr.Ruleset) -> None:
    # VII.1 = 5 * so_khien_trach + 10 * so_canh_cao: evaluation would stop at the first
    err = facts_error(rs, without("so_khien_trach", "so_canh_cao"))
    assert {p.fact: p.message for p in err.problems} == {
        "so_khien_trach": "missing (Số người bị kỷ luật khiển trách)",
        "so_canh_cao": "missing (Số người bị kỷ luật cảnh cáo trở lên)",
    }


def test_missing_fact_read_only_through_a_let(rs: tr.Ruleset) -> None:
    # hang_dti_ky_truoc is read only by let tang_hang_dti (used by VI.2)
    problem = one_problem(rs, without("hang_dti_ky_truoc"))
    assert problem == tr.FactProblem(
        "hang_dti_ky_truoc", "missing (Xếp hạng Chỉ số Chuyển đổi số cấp tỉnh của năm trước đó)"
    )


def test_missing_optional_fact_read_through_a_let_names_the_criterion() -> None:
    text = (
        'ruleset "t" {\n    total 10\n}\n'
        'fact n "Số lần": count optional\n'
        "let d = 2 * n\n"
        'section A "A" max 10 {\n    criterion A.1 "a" max 10 {\n        score min(d, 10)\n    }\n}\n'
    )
    small = tr.loads(text, source="t.thidua")
    err = facts_error(small, {})
    (problem,) = err.problems
    assert problem.fact == "n"
    assert "None" not in problem.message, problem.message
    assert "A.1" in problem.message


def test_criterion_codes_match_without_case(rs: tr.Ruleset) -> None:
    facts = without("I.1")
    facts["i.1"] = 4
    assert rs.evaluate(facts).total == VALID_TOTAL  # same score as "I.1": 4


def test_same_fact_given_twice(rs: tr.Ruleset) -> None:
    problem = one_problem(rs, with_(**{"i.1": 4}))
    assert problem == tr.FactProblem("i.1", 'given twice (also as "I.1")')


def test_non_text_fact_name(rs: tr.Ruleset) -> None:
    facts: dict[object, object] = dict(valid_facts())
    facts[7] = 1
    problem = one_problem(rs, facts)  # type: ignore[arg-type]
    assert problem == tr.FactProblem("7", "a fact name must be text")


def test_facts_must_be_a_mapping(rs: tr.Ruleset) -> None:
    err = facts_error(rs, [("so_van_ban_tham_muu", 3)])  # type: ignore[arg-type]
    assert err.problems[0] == tr.FactProblem(
        "(facts)", "expected a mapping of fact names to values, got list"
    )


# ================================================================ wrong types and values


@pytest.mark.parametrize(
    ("fact", "value", "message"),
    [
        ("so_van_ban_tham_muu", True, "expected a number, got True (true/false)"),
        ("so_van_ban_tham_muu", False, "expected a number, got False (true/false)"),
        ("so_van_ban_tham_muu", "2,5", f'expected a number, got the text "2,5"; {PARSE_NUMBER_HINT}'),
        ("so_van_ban_tham_muu", "3", f'expected a number, got the text "3"; {PARSE_NUMBER_HINT}'),
        ("hang_dti", "15", f'expected a number, got the text "15"; {PARSE_NUMBER_HINT}'),
        ("so_van_ban_tham_muu", math.nan, "expected a finite number, got nan"),
        ("so_van_ban_tham_muu", math.inf, "expected a finite number, got inf"),
        ("so_van_ban_tham_muu", -math.inf, "expected a finite number, got -inf"),
        ("I.1", Decimal("NaN"), "expected a finite number, got NaN"),
        ("I.1", Decimal("Infinity"), "expected a finite number, got Infinity"),
        ("so_van_ban_tham_muu", -1, "a count cannot be negative, got -1"),
        ("so_van_ban_tham_muu", 2.5, "expected a whole number for a count, got 2.5"),
        ("so_van_ban_tham_muu", None, "expected a number, got NoneType"),
        ("hang_dti", 0, "a rank starts at 1, got 0"),
        ("hang_dti", -3, "a rank starts at 1, got -3"),
        ("hang_dti", 64, "64 is above the highest allowed value 63"),
        ("hang_dti", Decimal("7.5"), "expected a whole number for a rank, got 7.5"),
        ("I.1", 6, "the assessed score 6 is above the max 5 of I.1"),
        ("I.1", Decimal("5.5"), "the assessed score 5.5 is above the max 5 of I.1"),
        ("I.1", -1, "-1 is below the lowest allowed value 0"),
        ("I.1", Fraction(1, 3), "1/3 has no exact decimal value; round it first"),
        ("I.1", Decimal("1E+20"), "1E+20 is out of range (at most 15 digits before the point, 10 after)"),
        ("dan_chu_tot", 1, "expected true or false, got 1"),
        ("dan_chu_tot", "true", "expected true or false, got 'true'"),
        ("dan_chu_tot", None, "expected true or false, got None"),
        ("xep_loai_dang", 2, "expected a level of scale xep_loai, got 2"),
        (
            "xep_loai_dang", "hoàn thành tôt",
            '"hoàn thành tôt" is not a level of scale xep_loai; did you mean "hoàn thành tốt"?',
        ),
        (
            "xep_loai_dang", "tốt lắm",
            '"tốt lắm" is not a level of scale xep_loai; levels: "xuất sắc", "hoàn thành tốt", '
            '"hoàn thành", "không hoàn thành"',
        ),
    ],
)
def test_wrong_value(rs: tr.Ruleset, fact: str, value: object, message: str) -> None:
    problem = one_problem(rs, with_(**{fact: value}))
    assert problem == tr.FactProblem(fact, message)


def test_exact_values_are_accepted(rs: tr.Ruleset) -> None:
    # I.3 given as Fraction(9, 2) = 4.5 exactly, hang_dti as 15.0: same unit as valid_facts()
    facts = with_(**{"I.3": Fraction(9, 2), "hang_dti": 15.0})
    assert rs.evaluate(facts).total == VALID_TOTAL


def test_assessed_score_at_its_max_is_accepted(rs: tr.Ruleset) -> None:
    # I.1 = 5 instead of 4: total = 73.5 + 1 = 74.5
    assert rs.evaluate(with_(**{"I.1": 5})).total == Decimal("74.5")


# ================================================================ Vietnamese text in NFC and NFD


@pytest.mark.parametrize(
    "spelling",
    [
        unicodedata.normalize("NFD", "hoàn thành tốt"),
        unicodedata.normalize("NFD", "Hoàn Thành Tốt"),
        "HOÀN THÀNH TỐT",
        "  hoàn   thành tốt ",
        unicodedata.normalize("NFD", "HOÀN THÀNH TỐT NHIỆM VỤ"),
    ],
)
def test_scale_level_in_nfd_or_other_case(rs: tr.Ruleset, spelling: str) -> None:
    # every spelling is the level "hoàn thành tốt": III.2 = 2, as in valid_facts()
    result = rs.evaluate(with_(xep_loai_dang=spelling))
    assert result["III.2"].score == 2
    assert result.total == VALID_TOTAL


def test_nfd_level_changes_the_score(rs: tr.Ruleset) -> None:
    # "không hoàn thành" for the Đảng: III.2 = 0 instead of 2 -> total 73.5 - 2 = 71.5
    nfd = unicodedata.normalize("NFD", "Không Hoàn Thành")
    assert rs.evaluate(with_(xep_loai_dang=nfd)).total == Decimal("71.5")


def test_nfd_misspelt_level_is_reported(rs: tr.Ruleset) -> None:
    nfd = unicodedata.normalize("NFD", "hoàn thành tôt")
    problem = one_problem(rs, with_(xep_loai_dang=nfd))
    assert problem.fact == "xep_loai_dang"
    assert problem.message.endswith('is not a level of scale xep_loai; did you mean "hoàn thành tốt"?')


# ================================================================ parse_number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2,5", Decimal("2.5")),
        ("2.5", Decimal("2.5")),
        ("1.234,5", Decimal("1234.5")),
        ("1,234.5", Decimal("1234.5")),
        ("-2,5", Decimal("-2.5")),
        (" 3 ", Decimal(3)),
        ("1000", Decimal(1000)),
    ],
)
def test_parse_number_reads_spreadsheet_cells(text: str, value: Decimal) -> None:
    assert tr.parse_number(text) == value


@pytest.mark.parametrize("text", ["1.000", "1,000"])
def test_parse_number_rejects_the_ambiguous_thousand(text: str) -> None:
    with pytest.raises(tr.FactsError) as info:
        tr.parse_number(text)
    (problem,) = info.value.problems
    assert problem.message == (
        f'"{text}" is ambiguous: a thousand with a grouping separator, or a number with three '
        "decimals; write it without grouping (1000) or with more or fewer decimals"
    )


@pytest.mark.parametrize("text", ["abc", "", "1.2.3", "1,5,5"])
def test_parse_number_rejects_non_numbers(text: str) -> None:
    with pytest.raises(tr.FactsError) as info:
        tr.parse_number(text)
    assert info.value.problems[0].message == f'"{text}" is not a number'


def test_parse_number_result_is_accepted_as_a_fact(rs: tr.Ruleset) -> None:
    # I.3 = parse_number("4,5") = 4.5, the same as valid_facts(): total 73.5
    assert rs.evaluate(with_(**{"I.3": tr.parse_number("4,5")})).total == VALID_TOTAL


# ================================================================ every problem at once


def test_many_defects_are_all_listed(rs: tr.Ruleset) -> None:
    facts = valid_facts()
    del facts["so_dn_vi_pham"]  # missing (II.5 reads it)
    facts.update(
        {
            "so_van_ban": 3,  # unknown, close to so_van_ban_tham_muu
            "so_chuong_trinh": True,  # a bool for a count
            "so_vi_pham_bao_chi": "2,5",  # a number as text
            "so_vi_pham_mxh": math.nan,  # NaN
            "so_khien_trach": -2,  # a negative count
            "hang_cchc": 0,  # rank 0
            "xep_loai_doan": "xuất sắc lắm",  # not a level of the scale
            "I.1": 7,  # above the max 5 of I.1
            "V.2": math.inf,  # infinity
            "dan_chu_tot": "có",  # text for a boolean
        }
    )
    err = facts_error(rs, facts)
    expected = {
        "so_dn_vi_pham": (
            "missing (Số doanh nghiệp bưu chính, viễn thông vi phạm các quy định của ngành (II.5))"
        ),
        "so_van_ban": 'unknown fact; did you mean "so_van_ban_tham_muu"?',
        "so_chuong_trinh": "expected a number, got True (true/false)",
        "so_vi_pham_bao_chi": f'expected a number, got the text "2,5"; {PARSE_NUMBER_HINT}',
        "so_vi_pham_mxh": "expected a finite number, got nan",
        "so_khien_trach": "a count cannot be negative, got -2",
        "hang_cchc": "a rank starts at 1, got 0",
        "xep_loai_doan": '"xuất sắc lắm" is not a level of scale xep_loai; did you mean "xuất sắc"?',
        "I.1": "the assessed score 7 is above the max 5 of I.1",
        "V.2": "expected a finite number, got inf",
        "dan_chu_tot": "expected true or false, got 'có'",
    }
    got = {p.fact: p.message for p in err.problems}
    assert len(err.problems) == len(got)  # each fact listed once
    assert got == expected
    rendered = str(err)
    assert rendered.splitlines()[0] == f"{len(expected)} problem(s) with the facts"
    for fact, message in expected.items():
        assert f"  {fact}: {message}" in rendered.splitlines()


def test_a_bad_fact_does_not_also_count_as_missing(rs: tr.Ruleset) -> None:
    # hang_dti is read by II.4 and by the let of VI.2; it is bad, not missing
    problem = one_problem(rs, with_(hang_dti="15"))
    assert problem.fact == "hang_dti"
    assert "missing" not in problem.message


def test_vietnamese_fact_names_match_in_nfd() -> None:
    text = (
        'ruleset "t" {\n    total 10\n}\n'
        'fact số_lần "Số lần": count\n'
        'section A "A" max 10 {\n    criterion A.1 "a" max 10 {\n'
        "        score min(2 * số_lần, 10)\n    }\n}\n"
    )
    small = tr.loads(text, source="t.thidua")
    nfd = unicodedata.normalize("NFD", "số_lần")
    assert nfd != "số_lần"
    assert small.evaluate({nfd: 3}).total == 6  # min(2 * 3, 10) = 6
    err = facts_error(small, {unicodedata.normalize("NFD", "số_lân"): 3})
    assert [(unicodedata.normalize("NFC", p.fact), p.message) for p in err.problems] == [
        ("số_lân", 'unknown fact; did you mean "số_lần"?'),
        ("số_lần", "missing (Số lần)"),
    ]
