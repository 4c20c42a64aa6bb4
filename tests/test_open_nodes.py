"""One definition of "has no max" (issue 13, item 2 and the follow-up): the sums check, the
percentage and ``thidua check`` read ``model.has_no_max``; these tests hold the three together.

Illustrative rulesets, not any agency's.
"""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from pathlib import Path

import thidua_rules as tr
from thidua_rules.cli import main

OPEN = """ruleset "khong-gioi-han" { total 10 }

fact so_giai "Số giải thưởng cấp tỉnh": count
fact so_nhiem_vu "Số nhiệm vụ được giao": count 0..5
fact so_hoan_thanh "Số nhiệm vụ hoàn thành": count

section I "CHUYÊN MÔN" max 10 {
    criterion I.1 "Hoàn thành nhiệm vụ." max 10 { score assessed }
}

bonus section II "THƯỞNG" {
    group II.1 "Giải thưởng (không giới hạn)." max open {
        criterion II.1.a "1 đ mỗi giải, tối đa 2 đ." max 2 { score so_giai }
    }
    criterion II.2 "1 đ mỗi giải (không giới hạn)." max open { score so_giai }
}

bonus section III "THEO NHIỆM VỤ" {
    criterion III.1 "1 đ mỗi nhiệm vụ hoàn thành, tối đa số nhiệm vụ được giao." max (so_nhiem_vu) {
        score so_hoan_thanh
    }
}

deduction section D "ĐIỂM TRỪ" {
    criterion D.1 "Trừ 1 đ mỗi lần chậm báo cáo." { score so_giai }
}
"""


def test_the_nodes_with_no_max_are_one_list() -> None:
    rs = tr.loads(OPEN)
    # II.1 is written "max open" (its one row has a max, 2); II.2 has none; II holds both.
    # III.1's max is read per unit: it has one, so neither it nor III is open. D is a deduction.
    assert set(rs.open_nodes) == {"II", "II.1", "II.2"}


def test_the_percentage_leaves_out_what_has_no_max() -> None:
    rs = tr.loads(OPEN)
    r = rs.evaluate({"I.1": 8, "so_giai": 3, "so_nhiem_vu": 4, "so_hoan_thanh": 1})
    # II.1.a: min(3, 2) = 2; II.2: 3; III.1: min(1, 4) = 1; D.1 takes 3 off.
    # total 8 + 2 + 3 + 1 - 3 = 11. Applicable max: I 10, II.1.a 2 (a row with a max, even in
    # a group written "max open"), II.2 nothing (no max), III.1 4 (its max for this unit):
    # 10 + 2 + 4 = 16; 1100 / 16 = 68.75.
    assert str(r.total) == "11"
    assert str(r.applicable_max) == "16"
    assert str(r.percentage) == "68.75"


def test_thidua_check_lists_the_same_nodes(tmp_path: Path) -> None:
    path = tmp_path / "open.thidua"
    path.write_text(OPEN, encoding="utf-8")
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["check", str(path)]) == 0
    assert "không giới hạn (no max): " + ", ".join(tr.loads(OPEN).open_nodes) in out.getvalue()
