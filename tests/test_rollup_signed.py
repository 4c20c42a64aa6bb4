"""A cap over the periods on a signed row (issue 13, item 13 with item 1), by hand and by law.

A period's share of a capped node is what it adds to the running total counted at most the cap:
``share_k = min(cap, R_k) − min(cap, R_(k−1))``, ``R_k`` the sum of the periods' values up to
``k``. The groups above show, in each period, their score less what was cut under them.

The sheet: ``I.1`` is signed, +2 per commendation and −3 per justified complaint, at most 6 a
quarter and ``cap I.1 5`` over the year; ``I.2`` is 1 per activity, at most 4 a quarter, uncapped.
"""

from __future__ import annotations

import functools
from decimal import Decimal as D
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import thidua_rules as tr
from thidua_rules.forms.explain import sentence

QUARTERS = ("Quý I", "Quý II", "Quý III", "Quý IV")
SIGNED = """ruleset "diem-co-dau-theo-quy" { total 10 }

fact so_bieu_duong "Số lượt được biểu dương trong quý": count
fact so_don_thu "Số đơn thư phản ánh đúng trong quý": count
fact so_hoat_dong "Số hoạt động trong quý": count

section I "CÔNG TÁC DÂN VẬN" max 10 {
    criterion I.1 "+2 đ mỗi lượt biểu dương, −3 đ mỗi đơn thư; tối đa 6 đ/quý, 5 đ/năm." max 6 signed {
        score 2 * so_bieu_duong - 3 * so_don_thu
    }
    criterion I.2 "1 đ mỗi hoạt động; tối đa 4 đ/quý." max 4 {
        score so_hoat_dong
    }
}

rollup "Cả năm" {
    periods "Quý I", "Quý II", "Quý III", "Quý IV"
    missing skip
    cap I.1 5
}
"""


@functools.cache
def signed(cap: str = "5", limit: str = "") -> tr.Ruleset:
    """The sheet with ``cap I.1 {cap}`` over the year and, with ``limit``, a cap on section I a quarter."""
    text = SIGNED.replace("cap I.1 5", f"cap I.1 {cap}")
    if limit:
        text = text.replace('"CÔNG TÁC DÂN VẬN" max 10 {', f'"CÔNG TÁC DÂN VẬN" max 10 cap {limit} {{')
    return tr.loads(text, source=f"signed-{cap}-{limit}.thidua")


def known(value: D | None) -> D:
    assert value is not None
    return value


def quarter(praised: int, complaints: int, activities: int) -> dict[str, object]:
    return {"so_bieu_duong": praised, "so_don_thu": complaints, "so_hoat_dong": activities}


def year(*quarters: dict[str, object]) -> dict[str, dict[str, object]]:
    return dict(zip(QUARTERS, quarters, strict=False))


def by_quarter(*values: int) -> dict[str, D]:
    return {q: D(v) for q, v in zip(QUARTERS, values, strict=True)}


def test_a_negative_period_after_the_cap_is_reached_comes_off_the_points_above_it() -> None:
    # I.1 per quarter: 2×2 − 0 = 4, 2×3 − 3×1 = 3, 2×2 − 3×2 = −2, 2×2 − 3×1 = 1; I.2: 2, 1, 3, 0.
    rolled = signed().evaluate_periods(year(quarter(2, 0, 2), quarter(3, 1, 1), quarter(2, 2, 3), quarter(2, 1, 0)))
    row = rolled["I.1"]
    assert dict(row.periods) == by_quarter(4, 3, -2, 1)
    # 4 + 3 − 2 + 1 = 6 > 5: 5, cut 1. Running 4, 7, 5, 6, counted at most 5: 4, 5, 5, 5,
    # so shares 4, 5 − 4 = 1, 5 − 5 = 0, 5 − 5 = 0: they add up to 5.
    assert (row.score, row.cut) == (D(5), D(1))
    assert dict(row.shares) == by_quarter(4, 1, 0, 0)
    assert [s.note for s in row.trace if s.rule == "share"] == [
        "Quý I: 4 of the 5 left of the cap 5",
        "Quý II: 1 of the 1 left of the cap 5; 2 cut",
        "Quý III: -2, first off the 2 above the cap 5; 0 counted",  # 7 − 5 = 2 above; 7 − 2 = 5
        "Quý IV: 0 of the 0 left of the cap 5; 1 cut"]
    # Section I per quarter: 4 + 2 = 6, 3 + 1 = 4, −2 + 3 = 1, 1 + 0 = 1. Less what was cut under
    # it (raw − share of I.1): 0, 3 − 1 = 2, −2 − 0 = −2 (the cap gave 2 back), 1 − 0 = 1:
    # 6, 2, 3, 0 = the rows' shares 4 + 2, 1 + 1, 0 + 3, 0 + 0. Year: 11 = 5 + 6 (I.2 2+1+3+0).
    # Was: I.1's shares 4, 1, −2, 1 (4, not 5), and I 10.
    assert dict(rolled["I"].shares) == by_quarter(6, 2, 3, 0)
    assert (rolled["I"].score, rolled["I.2"].score, rolled.total) == (D(11), D(6), D(11))


def test_a_negative_period_before_the_cap_is_reached_counts_in_full() -> None:
    # I.1: 2×3 − 3 = 3, 2×2 − 3×2 = −2, 2×3 = 6, 2×2 − 3 = 1; I.2: 1 each quarter.
    rolled = signed().evaluate_periods(year(quarter(3, 1, 1), quarter(2, 2, 1), quarter(3, 0, 1), quarter(2, 1, 1)))
    row = rolled["I.1"]
    # 3 − 2 + 6 + 1 = 8 > 5: 5, cut 3. Running 3, 1, 7, 8, counted 3, 1, 5, 5: shares 3, −2, 4, 0.
    assert (row.score, row.cut) == (D(5), D(3))
    assert dict(row.shares) == by_quarter(3, -2, 4, 0)
    assert [s.note for s in row.trace if s.rule == "share"] == [
        "Quý I: 3 of the 5 left of the cap 5",
        "Quý II: -2, in full; 4 left of the cap 5",  # 5 − 1 = 4 left after it
        "Quý III: 4 of the 4 left of the cap 5; 2 cut",
        "Quý IV: 0 of the 0 left of the cap 5; 1 cut"]
    # I: 3 + 1, −2 + 1, 4 + 1, 0 + 1 = 4, −1, 5, 1; year 9 = 5 + 4.
    assert dict(rolled["I"].shares) == by_quarter(4, -1, 5, 1)
    assert (rolled["I"].score, rolled.total) == (D(9), D(9))


def test_a_negative_period_larger_than_the_points_above_the_cap_has_a_negative_share() -> None:
    # I.1: 4, 3, 2×1 − 3×2 = −4, 1. Running 4, 7, 3, 4: under the cap 5 at the end, so no cut.
    rolled = signed().evaluate_periods(year(quarter(2, 0, 0), quarter(3, 1, 0), quarter(1, 2, 0), quarter(2, 1, 0)))
    row = rolled["I.1"]
    # Counted 4, 5, 3, 4: shares 4, 1, −2, 1 = 4 = the sum 4 + 3 − 4 + 1.
    assert (row.score, row.cut) == (D(4), D(0))
    assert dict(row.shares) == by_quarter(4, 1, -2, 1)
    assert [s.note for s in row.trace if s.rule == "share"][2] == (
        "Quý III: -4, first off the 2 above the cap 5; -2 counted")  # −4 + 2 = −2
    assert dict(rolled["I"].shares) == by_quarter(4, 1, -2, 1)  # I.2 is 0 every quarter


def test_share_steps_read_as_sentences_for_the_council() -> None:
    rolled = signed().evaluate_periods(year(quarter(2, 0, 2), quarter(3, 1, 1), quarter(2, 2, 3), quarter(2, 1, 0)))
    steps = [s for s in rolled["I.1"].trace if s.rule == "share"]
    assert [sentence(s, "vi") for s in steps] == [
        "Quý I: tính 4 đ trong 5 đ còn lại của mức tối đa 5 đ qua các kỳ",
        "Quý II: tính 1 đ trong 1 đ còn lại của mức tối đa 5 đ qua các kỳ; không tính 2 đ",
        "Quý III: -2 đ, trừ trước vào 2 đ vượt mức tối đa 5 đ qua các kỳ; tính 0 đ",
        "Quý IV: tính 0 đ trong 0 đ còn lại của mức tối đa 5 đ qua các kỳ; không tính 1 đ"]
    assert sentence(steps[2], "en") == (
        "Quý III: -2 pts, first off the 2 pts above the cap 5 pts over the periods; 0 pts counted")
    before = signed().evaluate_periods(year(quarter(3, 1, 1), quarter(2, 2, 1)))
    negative = [s for s in before["I.1"].trace if s.rule == "share"][1]
    # Quý II: −2 while 3 of the 5 were used: counted whole, 5 − 1 = 4 left after it.
    assert sentence(negative, "vi") == "Quý II: -2 đ, tính đủ; còn lại 4 đ của mức tối đa 5 đ qua các kỳ"
    assert sentence(negative, "en") == "Quý II: -2 pts, counted in full; 4 pts left of the cap 5 pts over the periods"
    half = tr.Step("share", "I.1", (D("1.5"), D(4), D(5)), D(1), "T1: 1 of the 1 left of the cap 5; 0.5 cut")
    assert sentence(half, "vi") == "T1: tính 1 đ trong 1 đ còn lại của mức tối đa 5 đ qua các kỳ; không tính 0,5 đ"


FLOORED = """ruleset "san-va-tran" { total 10 }

fact x "Số lượt biểu dương": count
fact y "Số đơn thư": count
fact z "Số hoạt động": count

section I "I (tối đa 6 đ/tháng, không dưới 0)" max 10 cap 6 at least 0 {
    criterion I.1 "+2 đ mỗi lượt, −3 đ mỗi đơn thư" max 6 signed { score 2 * x - 3 * y }
    criterion I.2 "1 đ mỗi hoạt động" max 4 { score z }
}

rollup {
    periods "T1", "T2", "T3"
    cap I.1 4
}
"""


def test_a_group_limit_and_floor_over_a_capped_signed_row() -> None:
    rs = tr.loads(FLOORED, source="floored.thidua")
    rolled = rs.evaluate_periods({"T1": {"x": 2, "y": 0, "z": 4}, "T2": {"x": 1, "y": 0, "z": 0},
                                  "T3": {"x": 0, "y": 1, "z": 2}})
    # I.1: 4, 2, −3. Running 4, 6, 3, counted at most 4: 4, 4, 3: shares 4, 0, −1 (= min(4, 3) = 3).
    assert dict(rolled["I.1"].shares) == {"T1": D(4), "T2": D(0), "T3": D(-1)}
    assert rolled["I.1"].score == D(3)
    # I per month: T1 4 + 4 = 8 cut to its cap 6: the limit had cut 2, so the shares 4 + 4 = 8 lose
    # nothing more: min(6, 8) = 6. T2 2 + 0 = 2, no limit acting: the shares 0 + 0 = 0.
    # T3 −3 + 2 = −1 raised to its floor 0; the cap gives back 2 (share −1 of −3): −1 + 2 = 1 ≥ 0,
    # so max(0, 1) = 1. Year 6 + 0 + 1 = 7 (I.2 4 + 0 + 2 = 6).
    # Was: I.1's shares 4, 0, −3 (1, not 3) and I 6, 0, −1 (5), below its own floor in T3.
    assert dict(rolled["I"].shares) == {"T1": D(6), "T2": D(0), "T3": D(1)}
    assert rolled["I"].score == rolled.total == D(7)


SHOWN = """ruleset "theo-doi-theo-thang" { total 6 }

fact so_bai "Số bài viết": count
fact ty_le "Tỷ lệ hồ sơ trực tuyến (%)": percent

section I "I" max 6 {
    criterion I.1 "2 đ mỗi bài viết; tối đa 6 đ/tháng, 4 đ cả kỳ" max 6 { score 2 * so_bai }
    criterion I.2 "Chỉ tiêu theo dõi, không tính vào tổng" max 4 not counted { score ty_le / 25 }
}

rollup {
    periods "T1", "T2"
    cap I.1 4
}
"""


def test_a_row_that_is_not_counted_does_not_hide_the_cut_from_its_section() -> None:
    rs = tr.loads(SHOWN, source="shown.thidua")
    rolled = rs.evaluate_periods({"T1": {"so_bai": 1, "ty_le": 100}, "T2": {"so_bai": 2, "ty_le": 100}})
    # I.1: 2, 4 = 6 > 4: shares 2, 2 (2 cut in T2). I.2 = 100 / 25 = 4 each month, not counted.
    assert dict(rolled["I.1"].shares) == {"T1": D(2), "T2": D(2)}
    # I per month is I.1 alone: 2, 4; less the cut: 2, 2; year 4.
    # Was: I kept min(4, 2 + 4) = 4 in T2, the not-counted row's share hiding the cut: 6.
    assert dict(rolled["I"].shares) == {"T1": D(2), "T2": D(2)}
    assert rolled["I"].score == rolled.total == D(4)


def old_rule(values: list[D], cap: D) -> list[D]:
    """The rule before signed rows, for values ≥ 0: each period keeps at most what the earlier
    ones left of the cap."""
    left, out = cap, []
    for value in values:
        kept = min(value, max(left, D(0)))
        left -= kept
        out.append(kept)
    return out


QUARTER = st.builds(quarter, st.integers(0, 4), st.integers(0, 3), st.integers(0, 4))
CAPS = st.sampled_from(["0", "1", "2.5", "5", "8", "12", "30"])


@given(st.dictionaries(st.sampled_from(QUARTERS), QUARTER, min_size=1), CAPS)
def test_shares_add_up_and_a_section_is_its_rows_shares_for_signed_rows(quarters: dict[str, Any], cap: str) -> None:
    rolled = signed(cap).evaluate_periods(quarters)
    for node in rolled.nodes.values():
        assert sum((v for v in node.shares.values() if v is not None), D(0)) == node.score, node.code
    row, other, section = rolled["I.1"], rolled["I.2"], rolled["I"]
    # The law of the cap: the row's roll-up is min(cap, Σ periods) (the sheet's section max 10 never
    # acts: 6 + 4), and the section's share in each period is the sum of its rows' shares.
    assert row.score == min(D(cap), sum((v for v in row.periods.values() if v is not None), D(0)))
    for period, share in section.shares.items():
        assert share == known(row.shares[period]) + known(other.shares[period]), period
    assert section.score == known(row.score) + known(other.score) == rolled.total
    fast = signed(cap).evaluate_periods(quarters, trace=False)
    assert {c: dict(n.shares) for c, n in fast.nodes.items()} == {c: dict(n.shares) for c, n in rolled.nodes.items()}


@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=4), CAPS,
       st.sampled_from(["", "3", "6"]))
def test_for_values_of_at_least_0_the_shares_are_the_old_running_remainder(
    months: list[tuple[int, int]], cap: str, limit: str
) -> None:
    rolled = signed(cap, limit).evaluate_periods(year(*(quarter(p, 0, a) for p, a in months)))
    values = [known(v) for v in rolled["I.1"].periods.values()]
    assert all(v >= 0 for v in values)
    assert list(rolled["I.1"].shares.values()) == old_rule(values, D(cap))
    # The section's shares, its own cap acting or not, are the old min(its score, its items' shares).
    assert list(rolled["I"].shares.values()) == [
        min(known(s), known(k) + known(o)) for s, k, o in zip(
            rolled["I"].periods.values(), rolled["I.1"].shares.values(), rolled["I.2"].shares.values(), strict=True)]


def making(value: int, activities: int = 0) -> dict[str, object]:
    """A quarter whose I.1 is ``value``: the fewest commendations x and complaints y, 2x − 3y."""
    return next(quarter(x, y, activities) for y in range(5) for x in range(5) if 2 * x - 3 * y == value)


@pytest.mark.parametrize(("values", "shares"), [
    ([4, 3, -2, 1], [4, 1, 0, 0]),  # running 4, 7, 5, 6 → counted 4, 5, 5, 5
    ([3, -2, 4], [3, -2, 4]),       # running 3, 1, 5 → counted 3, 1, 5
    ([-3, 6, 2], [-3, 6, 2]),       # running −3, 3, 5: from below 0, still within the cap
    ([6, -6, 6], [5, -5, 5]),       # running 6, 0, 6 → counted 5, 0, 5
])
def test_the_examples_of_the_rule_with_cap_5(values: list[int], shares: list[int]) -> None:
    rolled = signed().evaluate_periods(year(*(making(v) for v in values)))
    assert list(rolled["I.1"].periods.values()) == [D(v) for v in values]
    assert list(rolled["I.1"].shares.values()) == [D(s) for s in shares]
    assert rolled["I.1"].score == min(D(5), D(sum(values)))
