"""docs/tutorial.md: the illustrative 2024 extension of cum4-2023 (docs/tutorial/), with each kind
of change; its diff checked line by line, its impact on the sample units checked by hand, its
test file passing and a failing one showing the message; every file and output the tutorial shows
is the tool's. Expected figures are worked out by hand from the 2023 figures of
tests/test_golden_cum4.py and the changed rules; the arithmetic is in the comments."""

from __future__ import annotations

import os
import re
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import thidua_rules as tr
from thidua_rules import cli
from thidua_rules.testing import check_invariants, facts, ruleset_tests

REPO = Path(__file__).resolve().parent.parent
TUTORIAL = REPO / "docs" / "tutorial.md"
RULESET = REPO / "docs" / "tutorial" / "cum4-2024-minh-hoa.thidua"
TESTS = REPO / "docs" / "tutorial" / "cum4-2024-minh-hoa.test.toml"
UNITS = [REPO / "examples" / "cum4-2023" / f"{u}.json" for u in ("thai-nguyen", "phu-tho", "yen-bai")]

OLD = tr.rulesets.load("cum4-2023")
NEW = tr.loads(RULESET.read_text(encoding="utf-8"), source="docs/tutorial/cum4-2024-minh-hoa.thidua")


@pytest.fixture(autouse=True)
def at_the_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def blocks(marker: str) -> list[str]:
    """The fenced blocks right after ``<!-- marker … -->`` comments, with the marker's rest."""
    text = TUTORIAL.read_text(encoding="utf-8")
    return re.findall(rf"<!-- {marker}(.*?) -->\n```[^\n]*\n(.*?)\n```", text, re.S)


def test_the_tutorial_shows_the_files_as_they_are() -> None:
    shown = blocks("same as ")
    assert len(shown) == 2
    for name, body in shown:
        assert body == (REPO / name.strip()).read_text(encoding="utf-8").rstrip("\n"), name


def test_the_tutorial_shows_the_outputs_as_they_are(capsys: pytest.CaptureFixture[str]) -> None:
    shown = blocks("output of: thidua ")
    assert len(shown) == 2
    for command, body in shown:
        args = command.split()
        cli.main(args)
        out = capsys.readouterr()
        assert body == f"$ thidua {command.strip()}\n" + (out.out + out.err).rstrip("\n")


def test_new_writes_the_extension_the_tutorial_starts_from(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.chdir(tmp_path)
    assert cli.main(["new", "--from", "cum4-2023", "--year", "2024", "-o", "cum4-2024-minh-hoa.thidua"]) == 0
    assert capsys.readouterr().out == "wrote cum4-2024-minh-hoa.thidua: extends cum4-2023, year 2024\n"
    rs = tr.load("cum4-2024-minh-hoa.thidua")
    assert (rs.id, rs.header.year) == ("cum4-2024-minh-hoa", 2024)
    assert rs.title == "Bảng tiêu chí chấm điểm thi đua Cụm Thi đua số 4 năm 2024"
    assert [c.code for c in tr.diff(OLD, rs).changes] == ["id", "title", "year"]
    assert cli.main(["fmt", "--check", "cum4-2024-minh-hoa.thidua"]) == 0
    assert cli.main(["new", "--from", "cum4-2023", "--year", "2024", "-o", "cum4-2024-minh-hoa.thidua"]) == 1


def test_each_kind_of_change_and_provenance() -> None:
    assert NEW.sections == ("I", "II", "IV", "III", "V", "VI", "VII")  # move IV before III
    assert NEW.groups["I"].children == ("I.1", "I.4", "I.5", "I.2")  # I.3 removed, I.4 moved, I.5 added
    assert NEW.groups["VII"].children == ("VII.1", "VII.2", "VII.3")
    assert NEW.criteria["I.2"].max == D(12)
    assert NEW.groups["V"].title == "CÔNG TÁC KHÁC VÀ CẢI CÁCH HÀNH CHÍNH NỘI BỘ"
    assert (NEW.header.year, NEW.header.document, NEW.header.dated) == (2024, "00/MINH-HOA", "2024-07-01")
    assert NEW.total == D(100)  # 30 + 35 + 10 + 10 + 10 + bonus 5 as in 2023; I: 5 + 10 + 3 + 12 = 30
    assert NEW.criteria["I.2"].defined_in == "cum4-2023.thidua"
    assert NEW.criteria["I.2"].overridden_by == ("docs/tutorial/cum4-2024-minh-hoa.thidua:16:1",)
    assert NEW.criteria["II.4"].overridden_by == ("docs/tutorial/cum4-2024-minh-hoa.thidua:21:1",)
    assert NEW.criteria["I.5"].defined_in == "docs/tutorial/cum4-2024-minh-hoa.thidua"
    assert NEW.criteria["I.1"].overridden_by == ()


def test_the_diff_line_by_line() -> None:
    lines = tr.diff(OLD, NEW).text().splitlines()
    assert lines == [
        "cum4-2023 → cum4-2024-minh-hoa: 17 change(s)",
        "header id: cum4-2023 → cum4-2024-minh-hoa",
        "header title: Bảng tiêu chí chấm điểm thi đua Cụm Thi đua số 4 năm 2023 → "
        "Bảng tiêu chí chấm điểm thi đua Cụm Thi đua số 4 năm 2024 (minh họa)",
        "header document: 1956/CTĐS4-STTTTTN → 00/MINH-HOA",
        "header dated: 2023-07-19 → 2024-07-01",
        "header issuer: Sở Thông tin và Truyền thông tỉnh Thái Nguyên (đơn vị Cụm trưởng) → "
        "Văn bản minh họa, không có thật",
        "header year: 2023 → 2024",
        "removed I.3: Hướng dẫn thực hiện các văn bản quản lý nhà nước thuộc lĩnh vực ngành.",
        "moved I.4: in I, after I.3 → in I, after I.1",
        "added I.5: Tuyên truyền về chuyển đổi số trên báo, đài địa phương (mỗi bài: 1đ; minh họa). "
        "(in I, after I.4)",
        "max I.2: 10 → 12",
        "rule I.2: 2 * so_van_ban_tham_muu → 3 * so_van_ban_tham_muu",
        "rule II.4:",
        "  - table hang_dti {",
        "        <= 10: 10,",
        "        <= 20: 8,",
        "        <= 30: 6,",
        "        otherwise: 2,",
        "    }",
        "  + table hang_dti {",
        "        <= 5: 10,",
        "        <= 15: 8,",
        "        <= 30: 6,",
        "        otherwise: 2,",
        "    }",
        "moved IV: top level, after III → top level, after II",
        "renamed V: CÔNG TÁC KHÁC → CÔNG TÁC KHÁC VÀ CẢI CÁCH HÀNH CHÍNH NỘI BỘ",
        "added VII.3: Gửi báo cáo chậm so với thời hạn: Trừ 01 điểm/lần (minh họa). (in VII, after VII.2)",
        "fact added so_bai_viet: Số bài viết tuyên truyền về chuyển đổi số (I.5, minh họa)",
        "fact added so_bao_cao_cham: Số lần gửi báo cáo chậm (VII.3, minh họa)",
    ]


def test_the_impact_on_the_sample_units_by_hand() -> None:
    units = {tr.read_unit(p).unit: tr.read_unit(p).rounds for p in UNITS}
    effect = tr.impact(OLD, NEW, units)
    got = {u.unit: (u.total_before, u.total_after, u.rank_before, u.rank_after, u.rows) for u in effect.units}
    assert got == {
        # I.2: 2 × 7 = 14 → 10 before, 3 × 7 = 21 → 12 after; I.3 4.5 gone; II.4 rank 3 → 10 both.
        # I: 5 + 10 + 4.5 + 10 = 29.5 → 5 + 10 + 0 + 12 = 27; total 98.5 − 2.5 = 96. First both times.
        "Sở TTTT Thái Nguyên": (D("98.5"), D("96"), 1, 1, (
            ("I", D("29.5"), D("27")), ("I.2", D("10"), D("12")), ("I.3", D("4.5"), None))),
        # I.2: 2 × 4 = 8 → 3 × 4 = 12; I.3 5 gone: I 21 → 20. II.4 rank 10: Top 10 → 10 before,
        # Top 15 → 8 after: II 29.5 → 27.5. Total 74 − 1 − 2 = 71. Tied second with Yên Bái among
        # these three before, second alone after.
        "Sở TTTT Phú Thọ": (D("74"), D("71"), 2, 2, (
            ("I", D("21"), D("20")), ("I.2", D("8"), D("12")), ("II", D("29.5"), D("27.5")),
            ("II.4", D("10"), D("8")), ("I.3", D("5"), None))),
        # I.2: 2 × 2 = 4 → 3 × 2 = 6; I.3 3.5 gone: I 17.5 → 16. II.4 rank 20: Top 20 → 8 before,
        # Top 30 → 6 after. Total 74 − 1.5 − 2 = 70.5: third.
        "Sở TTTT Yên Bái": (D("74"), D("70.5"), 2, 3, (
            ("I", D("17.5"), D("16")), ("I.2", D("4"), D("6")), ("II", D("29.5"), D("27.5")),
            ("II.4", D("8"), D("6")), ("I.3", D("3.5"), None))),
    }


@pytest.mark.parametrize("case", ruleset_tests(TESTS), ids=lambda c: c.id)
def test_the_tutorial_test_file_passes(case: tr.RulesetCase) -> None:
    assert case.run() == []


def test_a_failing_case_shows_the_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wrong = tmp_path / "cum4-2024-minh-hoa.test.toml"
    text = TESTS.read_text(encoding="utf-8").replace('"I.2" = 12       # 3đ × 7', '"I.2" = 14       # 3đ × 7')
    wrong.write_text(text.replace('"cum4-2024-minh-hoa.thidua"', f'"{RULESET}"')
                     .replace("../../examples", str(REPO / "examples")), encoding="utf-8")
    assert cli.main(["test", str(wrong)]) == 1
    out = capsys.readouterr()
    line = (f'{wrong}: unit "Sở TTTT Thái Nguyên": I.2: expected 14, got 12'
            " (first step giving 12: I.2: 21 kept within [0, 12]: 12 (capped at max 12))")
    assert out.out.splitlines() == [line]
    assert out.err == "1 failure(s)\n"
    shown = TUTORIAL.read_text(encoding="utf-8")
    assert line.replace(f"{wrong}", "cum4-2024-minh-hoa.test.toml") + "\n1 failure(s)" in shown


def test_the_error_the_tutorial_shows(tmp_path: Path) -> None:
    text = RULESET.read_text(encoding="utf-8").replace("max 3 after I.4", "max 5 after I.4")
    with pytest.raises(tr.RulesetError) as caught:
        tr.loads(text, source="cum4-2024-minh-hoa.thidua")  # as the tutorial names it
    (error,) = caught.value.diagnostics
    ((_, shown),) = blocks("error with I.5 at max 5")
    assert error.render() == shown


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts(NEW))
def test_the_new_ruleset_keeps_its_laws(unit: dict[str, object]) -> None:
    check_invariants(NEW, unit)
