"""Categories (issue 13, item 9): names with aliases and no order, compared with = and in."""

from __future__ import annotations

import unicodedata
from decimal import Decimal as D

import pytest

import thidua_rules as tr
from thidua_rules.testing import assert_ruleset_invariants

CLUSTERS = '''ruleset "t" { total 10 }
category cum "Cụm thi đua" { "Cụm 1" | "cụm I", "Cụm 2" | "cụm II", "Cụm 3" }
category cap_hoc "Cấp học" { "Mầm non", "Tiểu học", "Trung học cơ sở" | "THCS" }
fact cum_thi_dua "Cụm thi đua của đơn vị": cum
fact cap "Cấp học của trường": cap_hoc
section I max 10 {
    criterion I.1 "Đơn vị Cụm 1, Cụm 3: 6đ; Cụm 2: 4đ." max 6 {
        score if cum_thi_dua in ("cụm i", "Cụm 3") then 6 else 4
    }
    criterion I.2 "Không phải Cụm 2: 4đ." max 4 {
        score if cum_thi_dua != "Cụm II" then 4 else 0
    }
}
'''


def test_names_compare_folded_and_by_alias() -> None:
    rs = tr.loads(CLUSTERS)
    nfd = unicodedata.normalize("NFD", "CỤM I")  # another encoding of the accents, other case
    for given, one, two in [("Cụm 1", 6, 4), (nfd, 6, 4), ("cụm II", 4, 0), ("  cụm 3 ", 6, 4)]:
        # Cụm 1 (cụm I) and Cụm 3 are in the list: 6; Cụm 2 is not: 4. I.2: 4 unless Cụm 2.
        for trace in (True, False):
            res = rs.evaluate({"cum_thi_dua": given}, trace=trace)
            assert (res["I.1"].score, res["I.2"].score) == (D(one), D(two)), given
    assert rs.evaluate({"cum_thi_dua": nfd}).facts["cum_thi_dua"] == "Cụm 1"  # the canonical name


def test_a_category_fact_is_public_with_its_names() -> None:
    spec = tr.loads(CLUSTERS).facts["cum_thi_dua"]
    assert spec.kind == "category" and spec.category == "cum"
    assert spec.levels == ("Cụm 1", "Cụm 2", "Cụm 3")
    assert ("cụm i", "Cụm 1") in spec.spellings and ("cụm ii", "Cụm 2") in spec.spellings


def test_a_fact_only_grouping_units_does_not_warn() -> None:
    rs = tr.loads(CLUSTERS)
    assert rs.warnings == ()  # "cap" is read by no rule: it groups units in reports
    assert rs.facts["cap"].required is False


@pytest.mark.parametrize("trace", [True, False])
def test_a_name_not_in_the_category_is_refused_in_words(trace: bool) -> None:
    with pytest.raises(tr.FactsError) as caught:
        tr.loads(CLUSTERS).evaluate({"cum_thi_dua": "Cụm 4", "cap": 2}, trace=trace)
    problems = [(p.fact, p.message) for p in caught.value.problems]
    assert problems[0][0] == "cum_thi_dua" and problems[0][1].startswith('"Cụm 4" is not a name of category cum')
    assert problems[1] == ("cap", "expected a name of category cap_hoc, got 2")


@pytest.mark.parametrize(("rule", "message"), [
    ('if cum_thi_dua > "Cụm 1" then 1 else 0',
     'the names of category "cum" have no order: ">" cannot compare them'),
    ('if cum_thi_dua = "Cụm 9" then 1 else 0', '"Cụm 9" is not a name of category "cum"'),
    ('if cum_thi_dua in ("Cụm 1", "Tiểu học") then 1 else 0', '"Tiểu học" is not a name of category "cum"'),
    ("if cum_thi_dua = cap then 1 else 0", 'cannot compare a name of category "cum" with a name of category "cap_hoc"'),
    ("if cum_thi_dua = 1 then 1 else 0", 'cannot compare a name of category "cum" with a number'),
    ('table cum_thi_dua { "Cụm 1": 1  otherwise: 0 }', "a table needs a number, a level or true/false"),
])
def test_a_category_is_compared_only_for_equality(rule: str, message: str) -> None:
    text = CLUSTERS.replace('score if cum_thi_dua != "Cụm II" then 4 else 0', f"score {rule}")
    with pytest.raises(tr.RulesetError) as caught:
        tr.loads(text)
    errors = [d for d in caught.value.diagnostics if d.severity == "error"]
    assert errors[0].message.startswith(message), errors[0].message
    if ">" in rule:
        assert errors[0].hint is not None and "declare a scale" in errors[0].hint


@pytest.mark.parametrize(("decl", "message"), [
    ('category c { "A" }', 'category "c" needs at least two names'),
    ('category c { "A", "a" }', 'name "a" appears twice in category "c"'),
    ('category count { "A", "B" }', '"count" is a word of the language and cannot name a category'),
])
def test_a_bad_category_is_refused(decl: str, message: str) -> None:
    text = f'ruleset "t" {{ total 1 }}\n{decl}\nsection I max 1 {{ criterion I.1 "t" max 1 {{ score 1 }} }}\n'
    with pytest.raises(tr.RulesetError) as caught:
        tr.loads(text)
    assert caught.value.diagnostics[0].message.startswith(message)


VARIANTS = '''ruleset "t" {
    total by { "Xã": 10, "Phường": 8 }
    variants by loai
}
category loai_don_vi "Loại đơn vị" { "Xã" | "xa", "Phường" | "phuong" }
fact loai "Loại đơn vị": loai_don_vi
fact so_vb "Số văn bản": count
section I max by { "Xã": 10, "Phường": 8 } {
    criterion I.1 "Mỗi văn bản 2đ (xã tối đa 10đ, phường 8đ)." max by { "xa": 10, "phuong": 8 } {
        score 2 * so_vb
    }
}
'''


def test_a_category_picks_the_variant_of_a_unit() -> None:
    rs = tr.loads(VARIANTS)
    assert rs.warnings == ()
    # 2 × 5 = 10: a xã keeps 10 of its max 10, a phường is cut at its max 8.
    assert rs.evaluate({"loai": "XÃ", "so_vb": 5}).total == D(10)
    assert rs.evaluate({"loai": "phuong", "so_vb": 5}).total == D(8)
    assert rs.evaluate({"loai": "Phường", "so_vb": 5}, trace=False).total == D(8)


def test_categories_survive_the_printer() -> None:
    printed = tr.format_ruleset(CLUSTERS)
    assert '"Cụm 1" | "cụm I",' in printed and tr.format_ruleset(printed) == printed
    # "in" reads as the comparisons it means, and stays so through the printer
    assert 'cum_thi_dua = "cụm i" or cum_thi_dua = "Cụm 3"' in printed
    assert tr.loads(printed).evaluate({"cum_thi_dua": "Cụm 3"}).total == D(10)  # 6 + 4


def test_the_toolkit_draws_names_in_every_spelling() -> None:
    assert_ruleset_invariants(tr.loads(CLUSTERS), max_examples=30)


def test_a_ranking_within_a_category_ranks_each_name_apart() -> None:
    rs = tr.loads(
        'ruleset "xep-hang-theo-cap" { total 10 }\n'
        'category cap_hoc "Cấp học" { "Tiểu học", "Trung học cơ sở" | "THCS" }\n'
        'fact cap "Cấp học": cap_hoc\nfact so_sang_kien "Số sáng kiến": count\n'
        'section I "I" max 10 { criterion I.1 "2 đ mỗi sáng kiến" max 10 { score 2 * so_sang_kien } }\n'
        'ranking "Theo cấp học" within cap { by highest total }\n'
    )
    units = {"A": {"cap": "Tiểu học", "so_sang_kien": 2}, "B": {"cap": "thcs", "so_sang_kien": 4},
             "C": {"cap": "TIỂU HỌC", "so_sang_kien": 3}, "D": {"cap": "Trung học cơ sở", "so_sang_kien": 1}}
    r = rs.rank(units).rankings["Theo cấp học"]
    # Tiểu học (A, C, any spelling): C 2 × 3 = 6 before A 2 × 2 = 4. THCS (B by its alias, D):
    # B 2 × 4 = 8 before D 2 × 1 = 2. Each name has its own positions 1, 2.
    assert dict(r.groups) == {"Tiểu học": ("C", "A"), "Trung học cơ sở": ("B", "D")}
    assert [(u, r[u].position) for u in "ABCD"] == [("A", 2), ("B", 1), ("C", 1), ("D", 2)]
