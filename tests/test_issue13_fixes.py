"""Issue 13, "Fixes found by writing real tables": one test per fix, expected values by hand."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from conftest import REPO

import thidua_rules as tr
from thidua_rules.testing import InvariantError, assert_ruleset_invariants, check_invariants

HEAD = 'ruleset "t" { total 50 }\n'


def _error(text: str) -> tr.Diagnostic:
    with pytest.raises(tr.RulesetError) as caught:
        tr.loads(text)
    (first, *_rest) = caught.value.diagnostics
    return first


# ---------------------------------------------------------------- API misuse: library errors only


def test_a_cohort_that_is_not_a_mapping_is_an_option_error() -> None:
    rs = tr.load(REPO / "examples/shapes/cohort.thidua")
    with pytest.raises(tr.OptionError, match="Expected a mapping"):
        rs.evaluate({"ty_le": 50, "so_sang_kien": 1}, cohort=[1, 2])  # type: ignore[arg-type]


def test_classify_with_no_name_is_a_library_error() -> None:
    rs = tr.load(REPO / "examples/shapes/classify.thidua")
    with pytest.raises(tr.ThiduaError, match='no classification "None"'):
        rs.classify(None, {})  # type: ignore[arg-type]


def test_a_classification_iterates_over_its_units_in_ranking_order() -> None:
    rs = tr.load(REPO / "examples/shapes/classify.thidua")
    base = {"co_du_an": False, "co_can_bo_bi_ky_luat": False, "hoan_thanh_chi_tieu": True,
            "co_don_thu_keo_dai": False}
    units = {"X": {**base, "A.1": 50}, "Y": {**base, "A.1": 58}}
    found = rs.classify("xep_loai", units)
    # Y: 58 of the 60 that apply (A.2 does not) = 58 >= 50: "Khá"; X: 50: "Khá"; Y ranks first.
    assert [entry.unit for entry in found] == ["Y", "X"]
    assert len(found) == 2
    assert found["X"] is list(found)[1]


# ---------------------------------------------------------------- the toolkit and cohorts


def test_the_toolkit_generates_cohorts_for_rules_that_read_other_units() -> None:
    rs = tr.load(REPO / "examples/shapes/cohort.thidua")
    assert rs.cohorts  # before the fix: EvaluationError "the rules read the cohort aggregate …"
    assert_ruleset_invariants(rs, max_examples=15)


def test_check_invariants_takes_the_cohort_a_unit_saw() -> None:
    rs = tr.load(REPO / "examples/shapes/cohort.thidua")
    cohort = {"max(ty_le)": 80, "rank(so_sang_kien)": 2, "mean(ty_le)": 50, "sum(so_sang_kien)": 4, "count": 3,
              "min(ty_le)": 40}
    res = check_invariants(rs, {"ty_le": 40, "so_sang_kien": 2}, cohort=cohort)
    # A.1 = 8 × 40 / 80 = 4; A.2 rank 2: 2; A.3 40 < 50: 0; A.4 = 4 × 2 / 4 = 2; D.1: 3 units and
    # 40 = the min: 1. Total 4 + 2 + 0 + 2 - 1 = 7.
    assert res.total == D(7)


def test_a_cohort_ruleset_breaking_an_invariant_is_caught() -> None:
    text = (REPO / "examples/shapes/cohort.thidua").read_text(encoding="utf-8")
    # Plant a monotone lie: ty_le declared increasing while A.3 falls as it rises.
    planted = text.replace('ty_le "Tỷ lệ hồ sơ giải quyết đúng hạn (%)": percent',
                           'ty_le "Tỷ lệ hồ sơ giải quyết đúng hạn (%)": percent monotone increasing')
    planted = planted.replace("score if ty_le >= cohort mean(ty_le) then 4 else 0",
                              "score if ty_le >= cohort mean(ty_le) then 0 else 4")
    assert planted != text
    with pytest.raises(InvariantError, match="monotone increasing"):
        assert_ruleset_invariants(tr.loads(planted), max_examples=60)


# ---------------------------------------------------------------- the checker's messages


def test_a_code_equal_to_a_fact_name_in_another_case_is_refused() -> None:
    found = _error(HEAD + 'fact tc1 "A": count\nsection I max 50 {\n'
                   '    criterion TC1 "t" max 50 { score assessed + tc1 * 0 }\n}\n')
    assert found.message == 'code "TC1" is also the name of a fact or derived value ("tc1", in another case)'
    assert found.span is not None and (found.span.line, found.span.column) == (4, 15)


def test_an_if_inside_a_difference_is_told_to_go_in_parentheses() -> None:
    found = _error(HEAD + 'fact a "A": boolean\nsection I max 50 {\n'
                   '    criterion I.1 "t" max 50 { score max - if a then 1 else 0 }\n}\n')
    assert found.message.startswith("syntax error")
    assert found.hint == ('an "if … then … else …" after a sum or product must be in parentheses: '
                          "… - (if a then 1 else 0)")


@pytest.mark.parametrize(("rule", "hint"), [
    ("2 * if a then 1 else 0", 'after a sum or product must be in parentheses: … * (if a then 1 else 0)'),
    ("if 3 < if a then 1 else 0 then 1 else 0",
     'after a comparison must be in parentheses: … < (if a then 1 else 0)'),
    ("if a and if a then true else false then 1 else 0",
     'after "and" must be in parentheses: … and (if a then 1 else 0)'),
])
def test_the_if_hint_names_what_the_if_follows(rule: str, hint: str) -> None:
    found = _error(HEAD + 'fact a "A": boolean\nsection I max 50 {\n'
                   f'    criterion I.1 "t" max 50 {{ score {rule} }}\n}}\n')
    assert found.hint is not None and found.hint.endswith(hint), found.hint


def test_an_if_where_a_condition_starts_is_not_given_that_hint() -> None:
    # "(if …)" and "min(if …, …)" are valid; a stray word after "then" is another mistake.
    found = _error(HEAD + 'fact a "A": boolean\nsection I max 50 {\n'
                   '    criterion I.1 "t" max 50 { score (if a then 1 else 0) 2 }\n}\n')
    assert found.hint is None or "parentheses" not in found.hint


def test_a_score_read_in_a_rule_names_every_place_scores_can_be_read() -> None:
    # a rule may read another row's score (docs/language.md §10.10); a derived value may not
    found = _error(HEAD + 'let d = score(I.1)\nsection I max 50 {\n    criterion I.1 "t" max 25 { score assessed }\n'
                   '    criterion I.2 "t" max 25 { score d }\n}\n')
    assert found.message == ("a unit's scores can only be read in ranking, award and classification rules, "
                             "a criterion's rules")


def test_a_decimal_comma_is_told_the_language_writes_a_point() -> None:
    found = _error(HEAD + 'section I max 1,5 {\n    criterion I.1 "t" max 1.5 { score assessed }\n}\n')
    assert found.hint == "the language writes a decimal point: 1.5, not 1,5"


# ---------------------------------------------------------------- traces and totals


LET_TWICE = HEAD + '''fact a "A": count
let d "gấp đôi" = a * 2
section I max 50 {
    criterion I.1 "t" max 50 {
        score d + d
            + 1
    }
}
'''


def test_a_let_read_twice_in_one_rule_shows_its_working_once() -> None:
    res = tr.loads(LET_TWICE).evaluate({"a": 3})["I.1"]
    rules = [step.rule for step in res.trace]
    # fact a = 3, a * 2 = 6, derived d = 6 (working once), derived d = 6 (named), 6 + 6 = 12,
    # 12 + 1 = 13, cap 13 within [0, 50].
    assert rules == ["fact", "*", "derived", "derived", "+", "+", "cap"]
    assert res.score == D(13)


def test_a_let_keeps_its_working_in_each_rule_that_reads_it() -> None:
    text = LET_TWICE.replace("total 50", "total 100").replace(
        "}\n}\n", "}\n    criterion I.2 \"u\" max 50 { score d }\n}\n"
    ).replace("section I max 50", "section I max 100")
    res = tr.loads(text).evaluate({"a": 3})
    assert [step.rule for step in res["I.2"].trace] == ["fact", "*", "derived", "cap"]  # d = 3 × 2 = 6


def test_explain_shows_every_line_of_a_multi_line_rule() -> None:
    res = tr.loads(LET_TWICE).evaluate({"a": 3})["I.1"]
    last_sum = [step for step in res.trace if step.rule == "+"][-1]
    assert " ".join(last_sum.expr.split()) == "d + d + 1"
    table = HEAD + 'fact r "R": rank\nsection I max 50 {\n    criterion I.1 "t" max 50 {\n' \
        '        score table r {\n            <= 10: 50\n            otherwise: 20\n        }\n    }\n}\n'
    shown = tr.loads(table).evaluate({"r": 12})["I.1"].explain()
    # r = 12 > 10: row 2 (otherwise) gives 20.
    assert "table r { <= 10: 50 otherwise: 20 } with 12: row 2: otherwise → 20" in shown


def test_totals_come_back_in_one_form_whatever_the_trailing_zeros() -> None:
    text = 'ruleset "t" { total 1000 }\nsection A max 1000 {\n' \
        '    criterion A.1 "a" max 900 { score assessed }\n    criterion A.2 "b" max 100 { score assessed }\n}\n'
    res = tr.loads(text).evaluate({"A.1": D("900.00"), "A.2": D("45.0")})
    # 900.00 + 45.0 = 945.00 as Decimal arithmetic keeps it; the total reads 945.
    assert str(res.total) == "945" and str(res.standard) == "945"
    res = tr.loads(text).evaluate({"A.1": D("100"), "A.2": D("3.50")})
    assert str(res.total) == "103.5"  # 100 + 3.50
    fast = tr.loads(text).evaluate({"A.1": D("100"), "A.2": D("3.50")}, trace=False)
    assert str(fast.total) == "103.5" and res.to_dict()["total"] == "103.5"
