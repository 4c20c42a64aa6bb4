"""Named rankings and rankings within groups (issue 13, item 12), by hand and by law.

Illustrative ruleset, not any agency's: I.1 judged (max 10), II.1 judged (max 20) only for a unit
with a one-stop desk; units belong to a cluster (cụm, a scale fact) and to a variant.
"""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import thidua_rules as tr

TEXT = """ruleset "xep-hang-nhom" {
    total 30
    variants by loai
}

scale cum_thi_dua { "Cụm 1" > "Cụm 2" > "Cụm 3" }
scale loai_don_vi { "Sở" > "Huyện" }

fact cum "Cụm thi đua": cum_thi_dua
fact loai "Loại đơn vị": loai_don_vi
fact co_mot_cua "Có Bộ phận Một cửa": boolean
fact so_vi_pham "Số vi phạm": count

section I "CHUYÊN MÔN" max 10 {
    criterion I.1 "Chuyên môn." max 10 { score assessed }
}

section II "MỘT CỬA" max 20 {
    applicable if co_mot_cua
    criterion II.1 "Một cửa." max 20 { score assessed }
}

ranking {
    by highest total
    then by lowest so_vi_pham
}

ranking "tất cả" {
    by highest total
    then by lowest so_vi_pham
}

ranking "Theo cụm" within cum {
    by highest total
    then by lowest so_vi_pham
}

ranking "theo loại" within variant {
    by highest percentage
}
"""

RS = tr.loads(TEXT, source="xep-hang-nhom.thidua")
LEVELS = ("Cụm 1", "Cụm 2", "Cụm 3")


def unit(cum: str, i1: str | int, ii1: str | int | None = None, vi_pham: int = 0, loai: str = "Sở") -> dict[str, Any]:
    facts: dict[str, Any] = {"cum": cum, "loai": loai, "co_mot_cua": ii1 is not None, "I.1": D(str(i1)),
                             "so_vi_pham": vi_pham}
    if ii1 is not None:
        facts["II.1"] = D(str(ii1))
    return facts


UNITS = {
    "A": unit("Cụm 1", 8, 12),           # 8 + 12 = 20
    "B": unit("Cụm 2", 9, 11),           # 9 + 11 = 20: equal total with A
    "C": unit("cụm 1", 10, 10, 1),       # 20, but one breach: after A and B on the second key
    "D": unit("Cụm 2", 7, loai="Huyện"), # 7 of 10 = 70 %
    "E": unit("Cụm 1", 5, 10),           # 15
    "F": unit("Cụm 2", 9, 11),           # 20, 0 breaches: equal with B on every key
}


def placed(ranking: Any) -> list[tuple[str, str | None, int]]:
    return [(e.unit, e.group, e.position) for e in ranking]


def test_default_ranking_is_unchanged_by_named_ones() -> None:
    s = RS.rank(UNITS)
    # Totals 20 (A, B, F; 0 breaches), 20 (C, 1 breach), 15 (E), 7 (D).
    assert [(e.unit, e.position) for e in s] == [("A", 1), ("B", 1), ("F", 1), ("C", 4), ("E", 5), ("D", 6)]
    assert s.ties == (("A", "B", "F"),)
    assert list(s.rankings) == ["tất cả", "Theo cụm", "theo loại"]


def test_ranking_within_clusters_by_hand() -> None:
    r = RS.rank(UNITS).rankings["Theo cụm"]
    # Cụm 1: A 20/0, C 20/1 ("cụm 1" is Cụm 1), E 15 -> A 1, C 2, E 3.
    # Cụm 2: B 20/0 and F 20/0 tied -> both 1, in the order given; D 7 -> 3. No unit in Cụm 3.
    assert placed(r) == [("A", "Cụm 1", 1), ("C", "Cụm 1", 2), ("E", "Cụm 1", 3),
                         ("B", "Cụm 2", 1), ("F", "Cụm 2", 1), ("D", "Cụm 2", 3)]
    assert dict(r.groups) == {"Cụm 1": ("A", "C", "E"), "Cụm 2": ("B", "F", "D")}
    assert r.ties == (("B", "F"),)
    assert r["F"].tied_with == ("B",)
    assert r["F"].notes == ("still tied with B after every tie-break",)
    assert r["C"].notes == ("equal total with A; separated by the tie-breaks: lowest so_vi_pham",)
    assert r["A"].keys == (D(20), D(0))
    assert r.to_dict()["groups"] == {"Cụm 1": ["A", "C", "E"], "Cụm 2": ["B", "F", "D"]}


def test_ranking_within_the_variant_by_exact_percentage() -> None:
    units = {
        "X": unit("Cụm 1", 10, 10),             # 20 of 30 = 66.666… %
        "Y": unit("Cụm 1", "6.667"),            # 6.667 of 10 = 66.67 % exactly
        "Z": unit("Cụm 2", 6, loai="Huyện"),    # 60 %
    }
    r = RS.rank(units).rankings["theo loại"]
    # Both X and Y display 66.67 %, but 66.67 > 66.666…: Y first, no tie.
    assert RS.evaluate(units["X"]).percentage == RS.evaluate(units["Y"]).percentage == D("66.67")
    assert placed(r) == [("Y", "Sở", 1), ("X", "Sở", 2), ("Z", "Huyện", 1)]
    assert r.ties == ()
    assert r["X"].keys[0] == D("66." + "6" * 57 + "7")  # 2000 / 30 to 60 significant digits, not 66.67


def test_a_unit_without_the_grouping_fact_is_refused() -> None:
    text = TEXT.replace('fact cum "Cụm thi đua": cum_thi_dua', 'fact cum "Cụm thi đua": cum_thi_dua optional')
    rs = tr.loads(text, source="x.thidua")
    facts = unit("Cụm 1", 5)
    del facts["cum"]
    with pytest.raises(tr.FactsError) as info:
        rs.rank({"A": unit("Cụm 1", 6), "B": facts})
    assert [(p.fact, p.message) for p in info.value.problems] == [
        ("B: cum", 'missing; the ranking "Theo cụm" groups the units by it')]


@pytest.mark.parametrize(("old", "new", "message"), [
    ('ranking "theo loại" within variant', 'ranking "Theo  Cụm" within variant',
     'ranking "Theo  Cụm" is declared twice'),
    ("within cum {", "within cm {", 'unknown fact "cm" to rank within; did you mean "cum"?'),
    ("within cum {", "within co_mot_cua {",
     'a ranking is within the levels of a fact, and "co_mot_cua" is boolean, which has none'),
    ('ranking "tất cả" {', "ranking {", "a ruleset has one ranking at most"),
])
def test_bad_named_rankings_are_refused_with_a_position(old: str, new: str, message: str) -> None:
    with pytest.raises(tr.RulesetError) as info:
        tr.loads(TEXT.replace(old, new), source="x.thidua")
    text = str(info.value)
    assert message in text and "x.thidua:" in text and "^" in text, text


def test_printer_round_trip_keeps_names_and_groups() -> None:
    once = tr.format_ruleset(TEXT)
    assert 'ranking "Theo cụm" within cum {' in once and 'ranking "theo loại" within variant {' in once
    assert tr.format_ruleset(once) == once
    again = tr.loads(once, source="again.thidua")
    assert placed(again.rank(UNITS).rankings["Theo cụm"]) == placed(RS.rank(UNITS).rankings["Theo cụm"])


UNIT = st.tuples(st.sampled_from(LEVELS), st.integers(0, 10), st.one_of(st.none(), st.integers(0, 20)),
                 st.integers(0, 2))
COHORT = st.dictionaries(st.sampled_from([f"U{i}" for i in range(9)]), UNIT, min_size=1, max_size=9)


def facts_of(drawn: dict[str, tuple[str, int, int | None, int]]) -> dict[str, dict[str, Any]]:
    return {name: unit(cum, i1, ii1, v) for name, (cum, i1, ii1, v) in drawn.items()}


@given(COHORT)
def test_a_ranking_within_groups_is_the_overall_ranking_of_each_group(drawn: Any) -> None:
    units = facts_of(drawn)
    within = RS.rank(units).rankings["Theo cụm"]
    for level, members in within.groups.items():
        alone = RS.rank({u: units[u] for u in members}).rankings["tất cả"]
        assert [(e.unit, e.position, e.tied_with) for e in alone] == [
            (within[u].unit, within[u].position, within[u].tied_with) for u in members], level


@given(COHORT, st.randoms(use_true_random=False))
def test_a_units_position_never_depends_on_the_input_order(drawn: Any, random: Any) -> None:
    units = facts_of(drawn)
    names = list(units)
    random.shuffle(names)
    first, second = RS.rank(units), RS.rank({u: units[u] for u in names})
    assert {e.unit: e.position for e in first} == {e.unit: e.position for e in second}
    for name in first.rankings:
        a, b = first.rankings[name], second.rankings[name]
        assert {e.unit: (e.group, e.position) for e in a} == {e.unit: (e.group, e.position) for e in b}
        assert {frozenset(t) for t in a.ties} == {frozenset(t) for t in b.ties}


NOTHING = """ruleset "khong-ap-dung" { total 10 }

fact co_mot_cua "Có Bộ phận Một cửa": boolean

section I "MỘT CỬA" max 10 {
    applicable if co_mot_cua
    criterion I.1 "Một cửa." max 10 { score assessed }
}

ranking {
    by highest percentage / 2
}

ranking "tỷ lệ" {
    by lowest 100 - percentage
}

award giay_khen "Giấy khen" count 2 {
    require percentage >= 50 else "Dưới 50 %"
}

classify muc by percentage / 10 {
    >= 9: "Tốt"
    otherwise: "Đạt"
}

classify dieu_kien {
    otherwise: "Đủ điều kiện"
    require percentage >= 50 else unclassified "Dưới 50 %"
}
"""


def test_a_unit_without_a_percentage_in_keys_awards_and_classes() -> None:
    # Was: a key, requirement or band computing with the percentage of a unit to which nothing
    # applies raised a Python TypeError (None / 2); found by a fuzz run of named rankings.
    rs = tr.loads(NOTHING, source="k.thidua")
    units = {"N": {"co_mot_cua": False}, "Y": {"co_mot_cua": True, "I.1": 9}}
    s = rs.rank(units)
    # Y: 9 of 10 = 90 %: key 45; N: no percentage, its key has no value and sorts last.
    assert [(e.unit, e.position, e.keys) for e in s] == [("Y", 1, (D(45),)), ("N", 2, (None,))]
    assert [(e.unit, e.position) for e in s.rankings["tỷ lệ"]] == [("Y", 1), ("N", 2)]  # 100 − 90 = 10
    assert s.awards["giay_khen"] == ("Y",)
    assert [(p.unit, p.reasons) for p in s.passed_over] == [
        ("N", ("Dưới 50 % (no percentage: nothing in the sheet applies to it)",))]
    c = rs.classify("muc", units)
    assert [(u.unit, u.band, u.level) for u in c.units] == [("Y", "Tốt", "Tốt"), ("N", "", None)]  # 90 / 10 = 9
    assert c["N"].reasons == (
        "not classified: no percentage: nothing in the sheet applies to it, which its band reads",)
    c = rs.classify("dieu_kien", units)
    assert [(u.unit, u.level) for u in c.units] == [("Y", "Đủ điều kiện"), ("N", None)]
    assert c["N"].reasons[-1] == "not classified: Dưới 50 % (no percentage: nothing in the sheet applies to it)"
