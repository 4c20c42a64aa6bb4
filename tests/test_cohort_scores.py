"""Cohort aggregates of other units' scores, over the units a condition picks, computed in the
order the checker derives, with the cycles it refuses (issue 13, item 15), by hand and by law.

Illustrative rulesets, not any agency's.
"""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import thidua_rules as tr

SUPERIOR = """ruleset "cap-tren" { total 103 }

scale cap_don_vi { "cấp trên" > "trực thuộc" }

fact cap "Cấp của đơn vị": cap_don_vi

section A "KẾT QUẢ" max 100 {
    criterion A.1 "Kết quả." max 100 { score assessed }
}

bonus section B "ĐIỂM THƯỞNG" max 3 {
    applicable if cap = "cấp trên"
    criterion B.1 "Cộng 3đ nếu mọi đơn vị trực thuộc đạt từ 70 điểm." max 3 {
        score if cohort min(score(A) where cap = "trực thuộc") >= 70 then 3 else 0
    }
}

ranking {
    by highest total
}
"""

CHAIN = """ruleset "chuoi" { total 20 }

fact nhom "Nhóm": count

section A "A" max 10 {
    criterion A.1 "A.1" max 10 { score assessed }
}

section B "B" max 5 {
    criterion B.1 "B.1" max 5 { score if cohort min(score(A) where nhom = 1) >= 5 then 5 else 0 }
}

section C "C" max 5 {
    criterion C.1 "C.1" max 5 { score if cohort max(score(B) where nhom = 2) >= 5 then 5 else 1 }
}
"""

RS = tr.loads(SUPERIOR, source="cap-tren.thidua")
CH = tr.loads(CHAIN, source="chuoi.thidua")


def units(*subordinates: str | int, superior: str | int = 90) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {"Sở": {"cap": "cấp trên", "A.1": D(str(superior))}}
    for i, score in enumerate(subordinates, 1):
        out[f"P{i}"] = {"cap": "trực thuộc", "A.1": D(str(score))}
    return out


def test_a_superior_unit_reads_the_lowest_score_of_its_subordinates() -> None:
    got = RS.evaluate_cohort(units(80, 70, 95))
    # subordinates' A: 80, 70, 95: min 70 >= 70: Sở 90 + 3 = 93; the offices have no B.
    assert {u: r.total for u, r in got.items()} == {"Sở": D(93), "P1": D(80), "P2": D(70), "P3": D(95)}
    assert got["P1"]["B.1"].score is None
    assert got["Sở"].cohort['min(score(A) where cap = "trực thuộc")'] == (D(70), "set by P2")
    got = RS.evaluate_cohort(units(80, "69.99", superior=50))
    # min 69.99 < 70: no bonus; and the Sở's own 50 never counts (it is not "trực thuộc")
    assert got["Sở"].total == D(50)


def test_no_subordinate_at_all_gives_the_aggregate_nobody_sets() -> None:
    got = RS.evaluate_cohort(units())
    # no unit takes part: the aggregate is 0 ("no unit of the cohort takes part"), 0 < 70: no bonus
    assert got["Sở"].total == D(90)
    assert got["Sở"].cohort['min(score(A) where cap = "trực thuộc")'] == (D(0), "no unit of the cohort takes part")


def test_aggregates_are_computed_in_the_order_the_units_allow() -> None:
    assert dict(CH.evaluator.program.cohort_scores) == {
        "min(score(A) where nhom = 1)": (frozenset({"A.1"}), frozenset()),
        "max(score(B) where nhom = 2)": (frozenset({"B.1"}), frozenset())}
    got = CH.evaluate_cohort({"X": {"nhom": 1, "A.1": 6}, "Y": {"nhom": 1, "A.1": 5}, "Z": {"nhom": 2, "A.1": 1}})
    # level 0: A of group 1 is 6, 5: min 5 >= 5, so every B.1 = 5.
    # level 1: B of group 2 (Z) is 5 — known only after level 0 — so every C.1 = 5, not 1.
    assert {u: (r["B"].score, r["C"].score, r.total) for u, r in got.items()} == {
        "X": (D(5), D(5), D(16)), "Y": (D(5), D(5), D(15)), "Z": (D(5), D(5), D(11))}
    got = CH.evaluate_cohort({"X": {"nhom": 1, "A.1": 4}, "Z": {"nhom": 2, "A.1": 9}})
    # min 4 < 5: B.1 = 0 for both; max B of group 2 = 0 < 5: C.1 = 1; X 4 + 0 + 1, Z 9 + 0 + 1
    assert {u: r.total for u, r in got.items()} == {"X": D(5), "Z": D(10)}


def test_a_superior_unit_reads_the_totals_of_its_subordinates() -> None:
    # The natural wording reads the total: the subordinates' totals do not read the aggregate
    # (B.1 does not apply to them), so it is computed after one scoring of every unit.
    rs = tr.loads(SUPERIOR.replace("min(score(A) where", "min(total where"), source="t.thidua")
    got = rs.evaluate_cohort(units(72, 88, superior=60))
    # subordinates' totals 72 and 88: min 72 >= 70, Sở 60 + 3 = 63
    assert {u: r.total for u, r in got.items()} == {"Sở": D(63), "P1": D(72), "P2": D(88)}
    assert rs.rank(units(72, 88, superior=60))["Sở"].total == D(63)


def test_a_cycle_among_the_units_given_is_reported() -> None:
    # Without "applicable if", B.1 applies to the subordinates too: each takes part in the
    # aggregate of totals and reads it. Refused, naming the first such unit.
    text = SUPERIOR.replace('    applicable if cap = "cấp trên"\n', "").replace("min(score(A) where", "min(total where")
    rs = tr.loads(text, source="c.thidua")
    with pytest.raises(tr.FactsError) as info:
        rs.evaluate_cohort(units(72, 88))
    assert [(p.fact, p.message) for p in info.value.problems] == [(
        "P1: B.1",
        'the cohort aggregate min(total where cap = "trực thuộc") cannot be computed: it takes in P1, whose B.1 '
        'reads the cohort aggregate min(total where cap = "trực thuộc"), which cannot be computed before it (a '
        "cycle among the units given); pick the units with where … so that no unit both takes part and reads it")]
    # With the Sở alone no unit takes part: nothing to wait for.
    assert rs.evaluate_cohort(units())["Sở"].total == D(90)
    # The chain of CHAIN turned on itself: B.1 reads C's scores, C.1 reads B's: refused.
    rs = tr.loads(CHAIN.replace("score(A) where nhom = 1", "score(C) where nhom = 1"), source="d.thidua")
    with pytest.raises(tr.FactsError, match="cannot be computed before it"):
        rs.evaluate_cohort({"X": {"nhom": 1, "A.1": 6}, "Z": {"nhom": 2, "A.1": 1}})


@pytest.mark.parametrize(("text", "old", "new", "message"), [
    (SUPERIOR, 'min(score(A) where cap = "trực thuộc")', "min(total)",
     "criterion B.1 reads the cohort aggregate min(total), which takes in the score of B.1 itself; aggregate a "
     "part of the sheet that does not contain the criterion reading it, or pick the units it is over with where …"),
    (SUPERIOR, 'min(score(A) where cap = "trực thuộc")', "min(score(B))",
     "criterion B.1 reads the cohort aggregate min(score(B)), which takes in the score of B.1 itself"),
    (CHAIN.replace(" where nhom = 2", ""), "score(A) where nhom = 1", "score(C)",
     "criterion C.1 reads the cohort aggregate max(score(B)), which takes in the score of C.1 itself "
     "(max(score(B)) -> min(score(C)) -> max(score(B)))"),
    (SUPERIOR, "ranking {", "let x = cohort max(score(A))\n\nranking {",
     "a cohort aggregate of scores cannot be read in a derived value"),
    (SUPERIOR, 'applicable if cap = "cấp trên"', "applicable if cohort max(score(A)) > 50",
     "a cohort aggregate of scores cannot be read in an applicability condition"),
    (SUPERIOR, 'where cap = "trực thuộc"', "where cap",
     "the units an aggregate is over must be true/false, not a level of scale"),
    (SUPERIOR, "score(A) where", "score(Z) where", 'unknown code "Z"'),
])
def test_bad_aggregates_of_scores_are_refused_with_a_position(text: str, old: str, new: str, message: str) -> None:
    assert old in text
    with pytest.raises(tr.RulesetError) as info:
        tr.loads(text.replace(old, new), source="x.thidua")
    shown = str(info.value)
    assert message in shown and "x.thidua:" in shown and "^" in shown, shown


def test_a_unit_without_the_fact_of_where_is_reported() -> None:
    text = SUPERIOR.replace('fact cap "Cấp của đơn vị": cap_don_vi',
                            'fact cap "Cấp của đơn vị": cap_don_vi optional\nfact la_cap_tren "Cấp trên": boolean')
    text = text.replace('applicable if cap = "cấp trên"', "applicable if la_cap_tren")
    rs = tr.loads(text, source="x.thidua")
    with pytest.raises(tr.FactsError) as info:
        rs.evaluate_cohort({"Sở": {"cap": "cấp trên", "la_cap_tren": True, "A.1": 90},
                            "P": {"la_cap_tren": False, "A.1": 80}})
    assert [(p.fact, p.message) for p in info.value.problems] == [
        ("P: cap", 'missing; the cohort aggregate min(score(A) where cap = "trực thuộc") needs it')]


FACTS_WHERE = """ruleset "cap-tren-du-kien" { total 103 }

scale cap_don_vi { "cấp trên" > "trực thuộc" }

fact cap "Cấp của đơn vị": cap_don_vi
fact so_diem "Điểm tự đánh giá": number 0..100

section A "KẾT QUẢ" max 100 {
    criterion A.1 "Kết quả." max 100 { score so_diem }
}

bonus section B "ĐIỂM THƯỞNG" max 3 {
    applicable if cap = "cấp trên"
    criterion B.1 "Cộng 3đ nếu có đơn vị trực thuộc đạt từ 95 điểm." max 3 {
        score if cohort max(so_diem where cap = "trực thuộc") >= 95 then 3 else 0
    }
}
"""


def test_where_picks_the_units_of_an_aggregate_of_facts_too() -> None:
    rs = tr.loads(FACTS_WHERE, source="f.thidua")
    assert rs.evaluator.program.cohort_scores == {}  # facts only: computed before any scoring
    got = rs.evaluate_cohort({"Sở": {"cap": "cấp trên", "so_diem": 99}, "P": {"cap": "trực thuộc", "so_diem": 94}})
    # max over the subordinates only: 94 < 95 (the Sở's 99 does not count): no bonus
    assert got["Sở"].total == D(99)
    got = rs.evaluate_cohort({"Sở": {"cap": "cấp trên", "so_diem": 80}, "P": {"cap": "trực thuộc", "so_diem": 95}})
    assert got["Sở"].total == D(83)  # 95 >= 95: 80 + 3


def test_printer_round_trip_and_keys_with_where() -> None:
    once = tr.format_ruleset(SUPERIOR)
    assert 'cohort min(score(A) where cap = "trực thuộc") >= 70' in once
    assert tr.format_ruleset(once) == once
    assert tr.loads(once, source="again.thidua").cohorts == RS.cohorts == ('min(score(A) where cap = "trực thuộc")',)


SCORES = st.lists(st.integers(0, 100), max_size=5)


@given(SCORES, st.integers(0, 100), st.randoms(use_true_random=False))
def test_traced_equals_untraced_and_order_does_not_matter(subordinates: list[int], superior: int, random: Any) -> None:
    given_units = units(*subordinates, superior=superior)
    traced = RS.evaluate_cohort(given_units)
    fast = RS.evaluate_cohort(given_units, trace=False)
    names = list(given_units)
    random.shuffle(names)
    shuffled = RS.evaluate_cohort({u: given_units[u] for u in names}, trace=False)
    expected = superior + (3 if subordinates and min(subordinates) >= 70 else 0)
    assert traced["Sở"].total == fast["Sở"].total == shuffled["Sở"].total == D(expected)
    for unit in given_units:
        assert traced[unit].total == fast[unit].total == shuffled[unit].total
    standings = RS.rank(given_units)
    again = RS.rank({u: given_units[u] for u in names})
    assert {e.unit: e.position for e in standings} == {e.unit: e.position for e in again}
