"""Unit variants in one ruleset: rows for one kind only, maxima and totals by kind."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

import thidua_rules as tr

TEXT = '''
ruleset "v" {
    variants by cap_don_vi
    total by { "xã": 30, "huyện": 50 }
}
scale cap { "huyện" > "xã" }
fact cap_don_vi "Cấp đơn vị": cap
fact n "Số văn bản": count
section A "A" max by { "xã": 30, "huyện": 50 } {
    criterion A.1 "2 điểm/văn bản" max by { "xã": 10, "huyện": 20 } { score 2 * n }
    criterion A.2 "chấm" max 20 { score assessed }
    criterion A.3 "chỉ cấp huyện" max 10 { applicable if cap_don_vi = "huyện"  score max }
}
'''


def test_a_commune_and_a_district_scored_by_one_ruleset() -> None:
    rs = tr.loads(TEXT)
    xa = rs.evaluate({"cap_don_vi": "xã", "n": 7, "A.2": 15})
    # xã: A.1 = 2 × 7 = 14, capped at its max 10; A.2 = 15; A.3 does not apply: 10 + 15 = 25 of 30
    assert (xa["A.1"].score, xa["A.1"].max) == (D(10), D(10))
    assert xa["A.3"].score is None
    assert (xa.total, xa.applicable_max, xa.percentage) == (D(25), D(30), D("83.33"))  # 25/30 = 83.33 %
    huyen = rs.evaluate({"cap_don_vi": "Huyện", "n": 7, "A.2": 15})
    # huyện: A.1 = 14 (max 20); A.2 = 15; A.3 = max = 10: 14 + 15 + 10 = 39 of 50 = 78 %
    assert (huyen["A.1"].score, huyen["A.1"].max) == (D(14), D(20))
    assert (huyen.total, huyen.applicable_max, huyen.percentage) == (D(39), D(50), D("78.00"))


def test_sums_are_checked_per_variant() -> None:
    bad = TEXT.replace('max by { "xã": 30, "huyện": 50 } {', 'max by { "xã": 30, "huyện": 55 } {')
    with pytest.raises(tr.RulesetError) as info:
        tr.loads(bad, source="v.thidua")
    messages = [d.message for d in info.value.diagnostics]
    # huyện: 20 + 20 + 10 = 50, not 55; and the sections (55) no longer match the total (50)
    assert messages == [
        'for "huyện", the items of "A" add up to 50, not its max 55',
        'for "huyện", the sections add up to 55, not the declared total 50',
    ]


def test_variant_maxima_need_the_variant_fact_and_every_level() -> None:
    with pytest.raises(tr.RulesetError) as info:
        tr.loads(TEXT.replace('    variants by cap_don_vi\n', ''))
    assert '"total by" needs the header to say which fact picks the variant' in str(info.value)
    with pytest.raises(tr.RulesetError) as info:
        tr.loads(TEXT.replace('max by { "xã": 10, "huyện": 20 }', 'max by { "xa": 10 }'))
    text = str(info.value)
    assert '"xa" is not a variant (a level of scale "cap"); did you mean "xã"?' in text
    assert 'no max for variant "huyện"' in text


def test_a_judged_score_above_its_variant_max_is_a_facts_error() -> None:
    rs = tr.loads(TEXT.replace('"chấm" max 20', '"chấm" max by { "xã": 20, "huyện": 20 }'))
    rs2 = tr.loads(TEXT.replace('score 2 * n }', 'score assessed }'))
    with pytest.raises(tr.FactsError) as info:
        rs2.evaluate({"cap_don_vi": "xã", "n": 0, "A.1": 15, "A.2": 3})  # 15 > the commune's max 10
    assert [p.fact for p in info.value.problems] == ["A.1"]
    assert rs2.evaluate({"cap_don_vi": "huyện", "n": 0, "A.1": 15, "A.2": 3})["A.1"].score == D(15)
    assert rs.evaluate({"cap_don_vi": "xã", "n": 1, "A.2": 20}).total == D(22)  # 2 + 20
