"""Cohort aggregates (max, min, mean, sum, count, rank) on hand-computed cases.

The ruleset is examples/shapes/cohort.thidua (plainly illustrative, not any agency's document):
  A.1 = 8 × ty_le / cohort max(ty_le) (0 when the whole cohort is at 0)
  A.2 = 0 without an initiative, else by cohort rank(so_sang_kien): 1 → 4, 2 → 2, otherwise 1
  A.3 = 4 when ty_le ≥ cohort mean(ty_le)
  A.4 = 4 × so_sang_kien / cohort sum(so_sang_kien) (0 when the cohort has none)
  D.1 = 1 deducted from the lowest rate, when the cohort has at least 3 units
"""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

import thidua_rules as tr

SHAPES = Path(__file__).resolve().parent.parent / "examples" / "shapes"
TEXT = (SHAPES / "cohort.thidua").read_text(encoding="utf-8")


def cohort(replace: tuple[tuple[str, str], ...] = ()) -> tr.Ruleset:
    text = TEXT
    for old, new in replace:
        assert old in text, old
        text = text.replace(old, new)
    return tr.loads(text, source="cohort.thidua")


def unit(rate: object, initiatives: int) -> dict[str, object]:
    return {"ty_le": rate, "so_sang_kien": initiatives}


FOUR = {"P": unit(90, 2), "Q": unit(60, 2), "R": unit(45, 0), "S": unit(75, 1)}
# max(ty_le) = 90 (P); min = 45 (R); mean = (90 + 60 + 45 + 75) / 4 = 270 / 4 = 67.5 (exact)
# sum(so_sang_kien) = 2 + 2 + 0 + 1 = 5; count = 4; rank(so_sang_kien): P 1, Q 1 (tied), S 3, R 4


def test_the_aggregates_each_unit_sees() -> None:
    rs = cohort()
    assert set(rs.cohorts) == {"max(ty_le)", "min(ty_le)", "mean(ty_le)", "sum(so_sang_kien)",
                               "rank(so_sang_kien)", "count"}
    res = rs.evaluate_cohort(FOUR)
    q = dict(res["Q"].cohort)
    assert q["max(ty_le)"] == (D(90), "set by P")
    assert q["min(ty_le)"] == (D(45), "set by R")
    assert q["mean(ty_le)"] == (D("67.5"), "mean of 4 unit(s)")
    assert q["sum(so_sang_kien)"] == (D(5), "sum over 4 unit(s)")
    assert q["count"] == (D(4), "4 unit(s) in the cohort")
    assert q["rank(so_sang_kien)"] == (D(1), "position 1 of 4, tied with P")  # ties share the better place
    assert res["S"].cohort["rank(so_sang_kien)"] == (D(3), "position 3 of 4")  # two units above it
    assert res["R"].cohort["rank(so_sang_kien)"] == (D(4), "position 4 of 4")


def test_four_units() -> None:
    res = cohort().evaluate_cohort(FOUR)
    p, q, r, s = (res[u] for u in "PQRS")
    # P: 8 × 90 / 90 = 8; rank 1 → 4; 90 ≥ 67.5 → 4; 4 × 2 / 5 = 1.6; not the lowest → 0
    assert [p[c].score for c in ("A.1", "A.2", "A.3", "A.4", "D.1")] == [D(8), D(4), D(4), D("1.6"), D(0)]
    assert p.total == D("17.6")  # 8 + 4 + 4 + 1.6
    # Q: 8 × 60 / 90 = 480 / 90 = 5.333… → 5.33; tied rank 1 → 4; 60 < 67.5 → 0; 1.6
    assert [q[c].score for c in ("A.1", "A.2", "A.3", "A.4")] == [D("5.33"), D(4), D(0), D("1.6")]
    assert q.total == D("10.93")  # 5.33 + 4 + 0 + 1.6
    # R: 8 × 45 / 90 = 4; no initiative → 0; 45 < 67.5 → 0; 4 × 0 / 5 = 0; lowest of 4 units → −1
    assert [r[c].score for c in ("A.1", "A.2", "A.3", "A.4", "D.1")] == [D(4), D(0), D(0), D(0), D(1)]
    assert (r.standard, r.deductions, r.total) == (D(4), D(1), D(3))
    # S: 8 × 75 / 90 = 600 / 90 = 6.666… → 6.67; rank 3 → otherwise 1; 75 ≥ 67.5 → 4; 4 × 1 / 5 = 0.8
    assert [s[c].score for c in ("A.1", "A.2", "A.3", "A.4")] == [D("6.67"), D(1), D(4), D("0.8")]
    assert s.total == D("12.47")  # 6.67 + 1 + 4 + 0.8


def test_the_trace_shows_each_aggregate_and_who_set_it() -> None:
    res = cohort().evaluate_cohort(FOUR)
    steps = [s for s in res["Q"]["A.1"].trace if s.rule == "cohort"]
    assert {(s.expr, s.value, s.note) for s in steps} == {("cohort max(ty_le)", D(90), "set by P")}
    rank = next(s for s in res["Q"]["A.2"].trace if s.rule == "cohort")
    assert (rank.expr, rank.value, rank.note) == ("cohort rank(so_sang_kien)", D(1), "position 1 of 4, tied with P")
    low = next(s for s in res["R"]["D.1"].trace if s.rule == "cohort" and "min" in s.expr)
    assert (low.value, low.note) == (D(45), "set by R")


def test_a_cohort_of_one() -> None:
    res = cohort().evaluate_cohort({"P": unit(90, 2)})["P"]
    # max = min = mean = 90, sum = 2, count 1, rank 1:
    # A.1 = 8 × 90 / 90 = 8; A.2 = 4; A.3 = 4 (90 ≥ 90); A.4 = 4 × 2 / 2 = 4; D.1: count 1 < 3 → 0
    assert [res[c].score for c in ("A.1", "A.2", "A.3", "A.4", "D.1")] == [D(8), D(4), D(4), D(4), D(0)]
    assert res.total == D(20)
    assert res.cohort["count"] == (D(1), "1 unit(s) in the cohort")
    assert res.cohort["rank(so_sang_kien)"] == (D(1), "position 1 of 1")


def test_every_unit_at_zero_takes_the_declared_case() -> None:
    res = cohort().evaluate_cohort({"X": unit(0, 0), "Y": unit(0, 0)})
    for name in "XY":
        r = res[name]
        assert r["A.1"].score == D(0)  # cohort max(ty_le) = 0: the declared 0, no division
        assert r["A.4"].score == D(0)  # cohort sum(so_sang_kien) = 0: the declared 0
        assert r["A.2"].score == D(0)  # no initiative
        assert r["A.3"].score == D(4)  # 0 ≥ mean 0
        assert r["D.1"].score == D(0)  # count 2 < 3
        assert r.total == D(4)
    assert not any(s.rule == "/" for s in res["X"]["A.1"].trace)
    assert res["X"].cohort["max(ty_le)"] == (D(0), "set by X, Y")


def test_all_tied_on_rank() -> None:
    res = cohort().evaluate_cohort({"X": unit(50, 3), "Y": unit(70, 3), "Z": unit(60, 3)})
    # all 3 initiatives: all rank 1 → 4 each; sum 9 → 4 × 3 / 9 = 12 / 9 = 1.333… → 1.33 each
    for name in "XYZ":
        assert (res[name]["A.2"].score, res[name]["A.4"].score) == (D(4), D("1.33"))
    assert res["X"].cohort["rank(so_sang_kien)"] == (D(1), "position 1 of 3, tied with Y, Z")
    # lowest rate X (50) of 3 units → D.1 = 1; A.1 = 8 × 50 / 70 = 400 / 70 = 5.714… → 5.71
    assert (res["X"]["A.1"].score, res["X"]["D.1"].score) == (D("5.71"), D(1))
    # mean (50 + 70 + 60) / 3 = 60: X 50 < 60 → 0; Z 60 ≥ 60 → 4 (boundary); Y → 4
    assert [res[u]["A.3"].score for u in "XYZ"] == [D(0), D(4), D(4)]


def test_an_inexact_mean_is_rounded_as_declared() -> None:
    res = cohort().evaluate_cohort({"X": unit(10, 0), "Y": unit(10, 0), "Z": unit(11, 0)})
    # mean = 31 / 3 = 10.333… → 10.33 (rounding 2): X, Y 10 < 10.33 → 0; Z 11 → 4
    assert res["Z"].cohort["mean(ty_le)"] == (D("10.33"), "mean of 3 unit(s), rounded half up to 2 decimal places")
    assert [res[u]["A.3"].score for u in "XYZ"] == [D(0), D(0), D(4)]


def test_evaluate_alone_needs_the_aggregates() -> None:
    rs = cohort()
    with pytest.raises(tr.EvaluationError, match="evaluate_cohort"):
        rs.evaluate(unit(60, 2))
    given = {"max(ty_le)": 90, "min(ty_le)": 45, "mean(ty_le)": D("67.5"), "sum(so_sang_kien)": 5,
             "rank(so_sang_kien)": 1, "count": 4}
    res = rs.evaluate(unit(60, 2), cohort=given)
    assert res.total == D("10.93")  # the same as Q in the cohort of four
    step = next(s for s in res["A.1"].trace if s.rule == "cohort")
    assert step.note == "given by the caller"
    with pytest.raises(tr.FactsError) as info:
        rs.evaluate(unit(60, 2), cohort={**given, "maxx(ty_le)": 1})
    assert [p.fact for p in info.value.problems] == ["cohort maxx(ty_le)"]


def test_ranking_uses_the_cohort() -> None:
    standings = cohort().rank(FOUR)
    assert [(e.unit, e.position, e.total) for e in standings] == [
        ("P", 1, D("17.6")), ("S", 2, D("12.47")), ("Q", 3, D("10.93")), ("R", 4, D(3))]


def test_problems_of_every_unit_are_reported_together() -> None:
    with pytest.raises(tr.FactsError) as info:
        cohort().evaluate_cohort({"X": {"ty_le": 50}, "Y": {"ty_le": 101, "so_sang_kien": 1}})
    assert {p.fact for p in info.value.problems} == {"X: so_sang_kien", "Y: ty_le"}
    assert "Y: ty_le: 101 is above the highest allowed value 100" in str(info.value)
    with pytest.raises(tr.FactsError):
        cohort().evaluate_cohort({})


def test_one_defect_per_unit_gives_one_problem_each() -> None:
    with pytest.raises(tr.FactsError) as info:
        cohort().evaluate_cohort({"X": {"ty_le": 50}, "Y": {"ty_le": 101, "so_sang_kien": 1}})
    # as rs.evaluate does for one unit: one problem per bad fact (the engine gives 6 here)
    assert sorted(p.fact for p in info.value.problems) == ["X: so_sang_kien", "Y: ty_le"]
    assert not any("missing" in p.message for p in info.value.problems if p.fact == "Y: ty_le")


def test_checker_requires_a_guarded_division_by_an_aggregate() -> None:
    bad = (("if cohort max(ty_le) = 0 then 0 else 8 * ty_le / cohort max(ty_le)", "8 * ty_le / cohort max(ty_le)"),)
    with pytest.raises(tr.RulesetError) as info:
        cohort(bad)
    assert [d.message for d in info.value.diagnostics] == ['division by "cohort max(ty_le)", which can be 0']
    # dividing by the count needs no guard: a cohort has at least one unit
    ok = cohort((("4 * so_sang_kien / cohort sum(so_sang_kien)", "4 * so_sang_kien / cohort count"),))
    assert ok.evaluate_cohort(FOUR)["P"]["A.4"].score == D(2)  # 4 × 2 / 4


def test_checker_rejects_unknown_and_nested_aggregates() -> None:
    with pytest.raises(tr.RulesetError) as info:
        cohort((("cohort mean(ty_le)", "cohort average(ty_le)"),))
    assert 'unknown cohort aggregate "average"' in str(info.value)
    with pytest.raises(tr.RulesetError) as info:
        cohort((("cohort mean(ty_le)", "cohort mean(cohort max(ty_le))"),))
    assert "a cohort aggregate cannot sit inside another" in str(info.value)


# ---------------------------------------------------------------- cohorts and applicability

APPLICABLE = '''
# Ví dụ minh họa — illustrative, not any agency's document.
ruleset "nhom-ap-dung" { total 10 }
fact co_mot_cua "Có bộ phận một cửa": boolean
fact ty_le "Tỷ lệ hồ sơ đúng hạn (%)": percent optional
section A "A" max 10 {
    criterion A.1 "Điểm = 10 × tỷ lệ / tỷ lệ cao nhất của các đơn vị có bộ phận một cửa." max 10 {
        applicable if co_mot_cua
        score if cohort max(ty_le) = 0 then 0 else 10 * ty_le / cohort max(ty_le)
    }
}
'''


def test_a_unit_outside_the_criterion_needs_no_fact_for_its_aggregate() -> None:
    rs = tr.loads(APPLICABLE)
    res = rs.evaluate_cohort({"X": {"co_mot_cua": True, "ty_le": 50}, "Y": {"co_mot_cua": True, "ty_le": 40},
                              "Z": {"co_mot_cua": False}})
    # max over the units it applies to: 50 → X 10 × 50 / 50 = 10, Y 10 × 40 / 50 = 8; Z not applicable
    assert (res["X"].total, res["Y"].total, res["Z"]["A.1"].score) == (D(10), D(8), None)


def test_a_unit_outside_the_criterion_does_not_set_the_aggregate() -> None:
    rs = tr.loads(APPLICABLE)
    res = rs.evaluate_cohort({"X": {"co_mot_cua": True, "ty_le": 50}, "Y": {"co_mot_cua": True, "ty_le": 40},
                              "Z": {"co_mot_cua": False, "ty_le": 100}})
    # Z's 100 must not count: X 10 × 50 / 50 = 10, Y 10 × 40 / 50 = 8 (the engine gives 5 and 4)
    assert (res["X"].total, res["Y"].total) == (D(10), D(8))


def test_a_division_guard_must_exclude_zero_on_the_branch_that_divides() -> None:
    body = 'ruleset "g" {{ total 10 }}\nfact a "a": count\nfact b "b": count\n' \
           'section A "A" max 10 {{ criterion A.1 "x" max 10 {{ {rule} }} }}'
    for ok in ("score if b = 0 then 0 else 10 * a / b", "score if b > 0 then 10 * a / b else 0",
               "score if not (b = 0) then 10 * a / b else 0", "score if a = 0 or b = 0 then 0 else 10 * a / b",
               "applicable if b != 0  score 10 * a / b"):
        tr.loads(body.format(rule=ok))
    # each of these leaves b = 0 possible on the branch that divides
    for bad in ("score if b >= 0 then 10 * a / b else 0", "score if b = 0 then 10 * a / b else 0",
                "score if a = 0 and b = 0 then 0 else 10 * a / b", "applicable if b >= 0  score 10 * a / b"):
        with pytest.raises(tr.RulesetError, match='division by "b", which can be 0'):
            tr.loads(body.format(rule=bad))


def test_a_mean_is_rounded_only_when_it_does_not_terminate() -> None:
    rs = tr.loads('''
ruleset "m" { total 10 rounding 0 }
fact x "x": count
section A "A" max 10 { criterion A.1 "trung bình" max 10 { score cohort mean(x) } }''')
    res = rs.evaluate_cohort({"P": {"x": 1}, "Q": {"x": 2}})
    assert res["P"]["A.1"].score == D("1.5")  # (1 + 2) / 2 = 1.5 terminates: kept, as "/" keeps it
    res = rs.evaluate_cohort({"P": {"x": 1}, "Q": {"x": 1}, "R": {"x": 2}})
    assert res["P"]["A.1"].score == D(1)  # 4 / 3 = 1.33… does not terminate: rounded to 0 places
