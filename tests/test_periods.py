"""Period sheets rolled up (sum, mean), missing periods, cross-period caps, on hand-computed cases.

The ruleset is examples/shapes/periods.thidua (plainly illustrative, not any agency's document):
a monthly sheet A.1 = 2 × articles (max 6), A.2 judged (max 4, only in a month with articles),
bonus B.1 = initiatives (max 2), deduction D.1 = violations; rolled up over "T1", "T2", "T3"
with the caps A.1 ≤ 15 and B.1 ≤ 3 over the term.
"""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest

import thidua_rules as tr

SHAPES = Path(__file__).resolve().parent.parent / "examples" / "shapes"
TEXT = (SHAPES / "periods.thidua").read_text(encoding="utf-8")


def periods(*edits: tuple[str, str]) -> tr.Ruleset:
    text = TEXT
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    return tr.loads(text, source="periods.thidua")


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


def scores(rolled: object) -> dict[str, D | None]:
    return {code: node.score for code, node in rolled.nodes.items()}  # type: ignore[attr-defined]


def test_sum_with_cross_period_caps_cutting_the_section_and_the_total() -> None:
    rolled = periods().evaluate_periods(TERM)
    assert [rolled.periods[p].total for p in ("T1", "T2", "T3")] == [D(12), D(9), D(10)]
    # A.1: 6 + 6 + 4 = 16 > 15 → 15, cut 1; A.2: 4 + 3 + 4 = 11; A: 10 + 9 + 8 = 27 − 1 = 26
    # B.1: 2 + 1 + 2 = 5 > 3 → 3, cut 2; B: 5 − 2 = 3; D: 0 + 1 + 0 = 1
    assert scores(rolled) == {"A": D(26), "A.1": D(15), "A.2": D(11), "B": D(3), "B.1": D(3), "D": D(1),
                              "D.1": D(1)}
    assert (rolled["A.1"].cut, rolled["B.1"].cut, rolled["A"].cut) == (D(1), D(2), D(0))
    assert (rolled.standard, rolled.bonus, rolled.deductions) == (D(26), D(3), D(1))
    assert rolled.total == D(28)  # 26 + 3 − 1 = (12 + 9 + 10) − 1 − 2
    assert rolled.counted == ("T1", "T2", "T3")
    assert dict(rolled["A.1"].periods) == {"T1": D(6), "T2": D(6), "T3": D(4)}


def test_the_trace_of_a_capped_item_and_its_section() -> None:
    rolled = periods().evaluate_periods(TERM)
    steps = [(s.rule, s.value, s.note) for s in rolled["A.1"].trace]
    assert steps == [
        ("period", D(6), "T1"), ("period", D(6), "T2"), ("period", D(4), "T3"),
        ("sum", D(16), "T1 + T2 + T3"),
        ("cap", D(15), "at most 15 over the periods, however many earned it"),
        # each month's own share (issue 13): 6 of 15 left, 6 of 15 − 6 = 9, 4 of 9 − 6 = 3 → 3, 1 cut
        ("share", D(6), "T1: 6 of the 15 left of the cap 15"),
        ("share", D(6), "T2: 6 of the 9 left of the cap 15"),
        ("share", D(3), "T3: 3 of the 3 left of the cap 15; 1 cut"),
    ]
    assert dict(rolled["A.1"].shares) == {"T1": D(6), "T2": D(6), "T3": D(3)}  # 6 + 6 + 3 = 15
    last = rolled["A"].trace[-1]
    assert (last.rule, last.operands, last.value, last.note) == ("cut", (D(27), D(1)), D(26),
                                                                 "A.1 capped over the periods")
    assert json.loads(json.dumps(rolled.to_dict()))["total"] == "28"


def test_a_cap_that_is_not_reached_cuts_nothing() -> None:
    rolled = periods().evaluate_periods({**TERM, "T2": month(3, 3, 0, 1)})
    # B.1: 2 + 0 + 2 = 4 > 3 → 3, cut 1
    assert (rolled["B.1"].score, rolled["B.1"].cut) == (D(3), D(1))
    rolled = periods().evaluate_periods({**TERM, "T2": month(3, 3, 0, 1), "T3": month(2, 4, 1, 0)})
    # B.1: 2 + 0 + 1 = 3, not above the cap 3: no cut, no cap step
    assert (rolled["B.1"].score, rolled["B.1"].cut) == (D(3), D(0))
    assert [s.rule for s in rolled["B.1"].trace if s.rule != "share"][-1] == "sum"
    assert dict(rolled["B.1"].shares) == {"T1": D(2), "T2": D(0), "T3": D(1)}  # nothing cut: its own scores


def test_mean() -> None:
    rolled = periods(("combine sum", "combine mean")).evaluate_periods(TERM)
    # A.1 16 / 3 = 5.333… → 5.33 (≤ 15: no cut); A.2 11 / 3 = 3.666… → 3.67; A 27 / 3 = 9
    # B.1 = B 5 / 3 = 1.666… → 1.67; D.1 = D 1 / 3 = 0.333… → 0.33
    assert scores(rolled) == {"A": D(9), "A.1": D("5.33"), "A.2": D("3.67"), "B": D("1.67"), "B.1": D("1.67"),
                              "D": D("0.33"), "D.1": D("0.33")}
    assert rolled.total == D("10.34")  # 9 + 1.67 − 0.33
    mean = next(s for s in rolled["A.1"].trace if s.rule == "mean")
    assert mean.note == "mean of 3 period(s), rounded half up to 2 decimal places"
    exact = next(s for s in rolled["A"].trace if s.rule == "mean")
    assert exact.note == "mean of 3 period(s)"  # 27 / 3 = 9 exactly


def test_a_missing_period_is_an_error_by_default() -> None:
    with pytest.raises(tr.FactsError) as info:
        periods().evaluate_periods({"T1": TERM["T1"], "T2": TERM["T2"]})
    assert [(p.fact, p.message) for p in info.value.problems] == [
        ("period T3", "missing (the rollup says a missing period is an error)")]


def test_missing_zero() -> None:
    two = {"T1": TERM["T1"], "T2": TERM["T2"]}
    rolled = periods(("missing error", "missing zero")).evaluate_periods(two)
    # T3 counts as 0: A.1 6 + 6 + 0 = 12 (≤ 15); A.2 4 + 3 + 0 = 7; A 19; B.1 2 + 1 + 0 = 3 (= cap: no cut); D 1
    assert scores(rolled) == {"A": D(19), "A.1": D(12), "A.2": D(7), "B": D(3), "B.1": D(3), "D": D(1), "D.1": D(1)}
    assert rolled.total == D(21)  # 19 + 3 − 1
    assert rolled.counted == ("T1", "T2", "T3")
    assert dict(rolled["A.1"].periods) == {"T1": D(6), "T2": D(6), "T3": D(0)}
    mean = periods(("missing error", "missing zero"), ("combine sum", "combine mean")).evaluate_periods(two)
    # over 3 periods: A.1 12 / 3 = 4; A.2 7 / 3 = 2.33; A 19 / 3 = 6.33; B.1 3 / 3 = 1; D 1 / 3 = 0.33
    assert scores(mean) == {"A": D("6.33"), "A.1": D(4), "A.2": D("2.33"), "B": D(1), "B.1": D(1), "D": D("0.33"),
                            "D.1": D("0.33")}
    assert mean.total == D(7)  # 6.33 + 1 − 0.33


def test_missing_skip() -> None:
    two = {"T1": TERM["T1"], "T2": TERM["T2"]}
    rolled = periods(("missing error", "missing skip")).evaluate_periods(two)
    # T1 + T2 only: the same sums as "zero" (21), but T3 is not counted at all
    assert rolled.total == D(21)
    assert rolled.counted == ("T1", "T2")
    assert dict(rolled["A.1"].periods) == {"T1": D(6), "T2": D(6)}
    mean = periods(("missing error", "missing skip"), ("combine sum", "combine mean")).evaluate_periods(two)
    # over 2 periods: A.1 12 / 2 = 6; A.2 7 / 2 = 3.5; A 19 / 2 = 9.5; B.1 3 / 2 = 1.5; D 1 / 2 = 0.5
    assert scores(mean) == {"A": D("9.5"), "A.1": D(6), "A.2": D("3.5"), "B": D("1.5"), "B.1": D("1.5"),
                            "D": D("0.5"), "D.1": D("0.5")}
    assert mean.total == D("10.5")  # 9.5 + 1.5 − 0.5
    with pytest.raises(tr.FactsError, match="no period was given"):
        periods(("missing error", "missing skip")).evaluate_periods({})


def test_an_item_not_applicable_in_one_period() -> None:
    term = {**TERM, "T2": month(0, None, 1, 1)}  # no article in T2: A.2 does not apply, its score not needed
    rolled = periods().evaluate_periods(term)
    assert rolled["A.2"].periods["T2"] is None
    # A.1: 6 + 0 + 4 = 10 (no cut); A.2: 4 + 4 = 8 (T2 adds nothing); A: 10 + 0 + 8 = 18
    assert (rolled["A.1"].score, rolled["A.2"].score, rolled["A"].score) == (D(10), D(8), D(18))
    assert rolled.total == D(20)  # 18 + 3 (B.1 5 → 3) − 1


def test_mean_keeps_a_section_equal_to_the_sum_of_its_items() -> None:
    term = {**TERM, "T2": month(0, None, 1, 1)}
    rolled = periods(("combine sum", "combine mean")).evaluate_periods(term)
    # A.1: (6 + 0 + 4) / 3 = 3.33; A.2: (4 + 4) / 2 = 4 over the months it applied; the engine's A is
    # (10 + 0 + 8) / 3 = 6, not 3.33 + 4 = 7.33
    assert rolled["A"].score == rolled["A.1"].score + rolled["A.2"].score  # type: ignore[operator]


def test_caps_on_a_section_and_on_its_item() -> None:
    rolled = periods(("cap B.1 3", "cap B.1 3\n    cap A 20")).evaluate_periods(TERM)
    # items after their caps: A.1 = 15, A.2 = 11 → A = min(15 + 11, 20) = 20 (the engine: 27 → 20, − 1 = 19)
    assert rolled["A"].score == D(20)
    assert rolled.total == D(22)  # 20 + 3 − 1


def test_period_errors() -> None:
    with pytest.raises(tr.FactsError) as info:
        periods().evaluate_periods({**TERM, "T4": TERM["T1"], "T2": {"so_bai_viet": 1}})
    found = sorted((p.fact, p.message) for p in info.value.problems)
    assert [f for f, _ in found] == ["T2: A.2", "T2: so_sang_kien", "T2: so_vi_pham", "period T4"]
    assert found[-1][1].startswith("not a period of the rollup")
    rolled = periods().evaluate_periods({"t1": TERM["T1"], "T2": TERM["T2"], "T3": TERM["T3"]})
    assert rolled.total == D(28)  # period names are matched without regard to case
    rs = tr.loads(TEXT.split("rollup")[0])
    with pytest.raises(tr.EvaluationError, match="declares no rollup"):
        rs.evaluate_periods(TERM)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("cap B.1 3", "cap B.9 3", 'unknown code "B.9"'),
        ("combine sum", "combine average", 'combine is sum or mean, not "average"'),
        ("missing error", "missing ignore", 'missing is error or zero or skip, not "ignore"'),
        ('"T1", "T2", "T3"', '"T1", "T2", "t1"', 'period "t1" is listed twice'),
        ("cap B.1 3", "cap B.1 3\n    cap A.1 14", '"A.1" has two roll-up caps'),
        ("combine sum", "combine sum\n    combine mean", '"combine" is given twice in the rollup'),
    ],
)
def test_checker_catches_rollup_mistakes(old: str, new: str, message: str) -> None:
    with pytest.raises(tr.RulesetError) as info:
        periods((old, new))
    assert message in [d.message for d in info.value.diagnostics]


def test_one_rollup_at_most_and_it_lists_periods() -> None:
    with pytest.raises(tr.RulesetError, match="one rollup at most"):
        tr.loads(TEXT + '\nrollup "Năm" { periods "Q1" }\n')
    with pytest.raises(tr.RulesetError, match="the rollup lists no periods"):
        periods(('periods "T1", "T2", "T3"\n', ""))
