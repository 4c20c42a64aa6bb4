"""Judged values with shape (issue 13, item 10): ``assessed as NAME``, ``step``, ranges with holes."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import thidua_rules as tr
from thidua_rules.testing import assert_ruleset_invariants

JUDGED = '''ruleset "t" { total 10 }
fact diem_tu_cham "Điểm tự chấm tiêu chí I.1 (0, hoặc từ 2 đến 5 đ, theo bước 0,25 đ)": number 0 | 2..5 step 0.25
fact diem_ho_so "Điểm hồ sơ": number 0..5 step 0.5
section I max 10 {
    criterion I.1 "Tổ tư vấn chấm: 0, hoặc từ 2 đến 5 đ." max 5 { score assessed as diem_tu_cham }
    criterion I.2 "Hồ sơ: theo bước 0,5 đ." max 5 { score assessed as diem_ho_so }
}
'''


def _problems(rs: tr.Ruleset, facts: dict[str, Any], *, trace: bool = True) -> list[tuple[str, str]]:
    with pytest.raises(tr.FactsError) as caught:
        rs.evaluate(facts, trace=trace)
    return [(p.fact, p.message) for p in caught.value.problems]


def test_a_judged_score_under_a_fact_name_scores_its_criterion() -> None:
    rs = tr.loads(JUDGED)
    res = rs.evaluate({"diem_tu_cham": D("2.75"), "diem_ho_so": D("3.5")})
    assert (res["I.1"].score, res["I.2"].score, res.total) == (D("2.75"), D("3.5"), D("6.25"))  # 2.75 + 3.5
    assert res["I.1"].trace[0].expr == "assessed as diem_tu_cham"
    assert res["I.1"].inputs == {"diem_tu_cham": D("2.75")}
    assert rs.facts["diem_tu_cham"].criterion == "I.1" and "I.1" not in rs.facts  # not asked under the code


@pytest.mark.parametrize("trace", [True, False])  # the wording validator, and the generated one first
@pytest.mark.parametrize(("value", "message"), [
    (1, "1 is not an allowed value: the values are 0, or from 2 to 5"),
    (D("1.99"), "1.99 is not an allowed value: the values are 0, or from 2 to 5"),
    # 2.3 = 9 × 0.25 + 0.05: between 9 × 0.25 = 2.25 and 10 × 0.25 = 2.5
    (D("2.3"), "2.3 is not a multiple of the step 0.25; the nearest allowed values are 2.25 and 2.5"),
    (D("5.25"), "the judged score 5.25 is above the max 5 of I.1"),
    (-1, "-1 is below the lowest allowed value 0"),
])
def test_a_value_that_breaks_the_shape_is_refused_in_words(trace: bool, value: object, message: str) -> None:
    rs = tr.loads(JUDGED)
    assert _problems(rs, {"diem_tu_cham": value, "diem_ho_so": 1}, trace=trace) == [("diem_tu_cham", message)]


@pytest.mark.parametrize("value", [0, 2, D("2.25"), D("4.75"), 5, D("5.00")])
def test_values_that_fit_the_shape_are_taken(value: object) -> None:
    res = tr.loads(JUDGED).evaluate({"diem_tu_cham": value, "diem_ho_so": 0}, trace=False)
    assert res["I.1"].score == D(str(value))


def test_every_problem_is_listed_at_once() -> None:
    found = _problems(tr.loads(JUDGED), {"diem_tu_cham": 1, "diem_ho_so": D("0.2")})
    assert found == [
        ("diem_tu_cham", "1 is not an allowed value: the values are 0, or from 2 to 5"),
        ("diem_ho_so", "0.2 is not a multiple of the step 0.5; the nearest allowed values are 0 and 0.5"),
    ]


@given(st.decimals(min_value=-2, max_value=7, places=2, allow_nan=False, allow_infinity=False))
def test_the_generated_validator_takes_exactly_what_the_wording_one_takes(value: D) -> None:
    rs = tr.loads(JUDGED)
    # By hand: 0, or 2 <= v <= 5, on a multiple of 0.25.
    fits = (value == 0 or D(2) <= value <= D(5)) and value % D("0.25") == 0
    for trace in (False, True):
        try:
            got = rs.evaluate({"diem_tu_cham": value, "diem_ho_so": 0}, trace=trace)["I.1"].score
        except tr.FactsError:
            got = None
        assert (got == value) if fits else (got is None)


@pytest.mark.parametrize(("decl", "rule", "message"), [
    ('fact d "D": number 0..5', "assessed as e", 'unknown fact "e" for the judged score of "I.1"'),
    ('fact d "D": boolean', "assessed as d", 'the judged score "d" must be a number fact, not a boolean'),
    ('fact d "D": number 0..5 step 0', "assessed as d", "a step must be above 0"),
    ('fact d "D": count step 0.5', "assessed as d", "a count is a whole number: its step must be whole, not 0.5"),
    ('fact d "D": boolean step 1', "1", "a step applies to numeric facts only"),
    ('fact d "D": number 0 | 0..5', "assessed as d", 'the parts of the range of "d" overlap'),
    ('fact d "D": number 3..2 | 4', "assessed as d", 'the part 3..2 of the range of "d" is empty'),
    ('fact d "D": number 0 | 2..5 default 1', "assessed as d", 'the default 1 of fact "d" is not one of its allowed'),
])
def test_a_badly_shaped_fact_is_refused(decl: str, rule: str, message: str) -> None:
    text = f'ruleset "t" {{ total 5 }}\n{decl}\nsection I max 5 {{ criterion I.1 "t" max 5 {{ score {rule} }} }}\n'
    with pytest.raises(tr.RulesetError) as caught:
        tr.loads(text)
    errors = [d for d in caught.value.diagnostics if d.severity == "error"]
    assert errors[0].message.startswith(message), errors[0].message
    at_the_rule = message.startswith(("unknown fact", "the judged score"))
    assert errors[0].span is not None and errors[0].span.line == (3 if at_the_rule else 2)


def test_one_fact_is_the_judged_score_of_one_criterion() -> None:
    text = 'ruleset "t" { total 10 }\nfact d "D": number 0..5\nsection I max 10 {\n' \
        '    criterion I.1 "a" max 5 { score assessed as d }\n    criterion I.2 "b" max 5 { score assessed as d }\n}\n'
    with pytest.raises(tr.RulesetError, match=r'fact "d" is already the judged score of "I\.1"'):
        tr.loads(text)


def test_shapes_survive_the_printer() -> None:
    printed = tr.format_ruleset(JUDGED)
    assert "number 0 | 2..5 step 0.25" in printed and "assessed as diem_tu_cham" in printed
    assert tr.format_ruleset(printed) == printed


def test_the_toolkit_draws_only_values_that_fit() -> None:
    assert_ruleset_invariants(tr.loads(JUDGED), max_examples=40)


def test_a_submission_flags_a_judged_fact_above_its_max_as_any_judged_score() -> None:
    sub = tr.loads(JUDGED).evaluate_submission({
        "self": {"diem_tu_cham": 6, "diem_ho_so": 1},  # 6 > the max 5 of I.1: counted as 5
        "appraised": {"diem_tu_cham": D("4.5"), "diem_ho_so": 1},
    })
    assert sub.flags == ("I.1: self: judged score 6 is above the max 5 "
                         "(không vượt quá số điểm tối đa quy định); counted as 5",)
    assert sub.rounds["self"].total == D(6)  # 5 + 1
    assert sub.total == D("5.5")  # the appraised round: 4.5 + 1


def test_the_nearest_steps_are_named_below_zero_too() -> None:
    rs = tr.loads('ruleset "t" { total 5 }\nfact d "D": number -5..5 step 0.25\n'
                  'section I max 5 { criterion I.1 "t" max 5 { score d + 5 allow unreachable "x" } }\n')
    # -2.3 lies between -10 × 0.25 = -2.5 and -9 × 0.25 = -2.25
    assert _problems(rs, {"d": D("-2.3")}) == [
        ("d", "-2.3 is not a multiple of the step 0.25; the nearest allowed values are -2.5 and -2.25")]
