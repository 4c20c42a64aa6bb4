"""The xlsx form read back as a person types it (issue 17): a self-assessment with no
appraisal yet has the council's column (5) "Điểm thẩm định"; whatever is typed in the documented
layout (self scores, counts, levels, yes/no, evidence, the council's scores and facts, the unit's
claims) comes back as the same unit, cell by cell. Every expected score is worked out by hand.
"""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

import thidua_rules as tr
from thidua_rules.cli import main

openpyxl = pytest.importorskip("openpyxl")

RULESET = """\
ruleset "vi-du-phieu" {
    title "Phiếu chấm thử"
    year 2024
    total 30
    rounds self "Điểm tự chấm", appraised "Điểm thẩm định"
    assume "Thứ hạng CCHC lấy theo công bố của tỉnh."
}

scale muc "Mức xếp loại" {
    "xuất sắc" > "hoàn thành tốt" > "hoàn thành"
}

fact so_van_ban "Số văn bản tham mưu": count
fact hang_cchc "Xếp hạng CCHC": rank 1..63
fact dat_chuan "Đạt chuẩn văn hóa": boolean
fact xep_loai "Xếp loại tổ chức Đảng": muc

section I "THAM MƯU" max 20 {
    criterion I.1 "Mỗi văn bản: 2đ." max 10 {
        evidence "TLKC: Văn bản"
        score 2 * so_van_ban
    }
    criterion I.2 "Chất lượng tham mưu." max 10 {
        assume "Hội đồng chấm từ 0 đến 10 điểm."
        score assessed
    }
}

section II "CCHC, VĂN HÓA, ĐẢNG" max 10 {
    criterion II.1 "CCHC Top 10: 4đ; Top 20: 2đ." max 4 {
        score table hang_cchc { <= 10: 4  <= 20: 2  otherwise: 0 }
    }
    criterion II.2 "Đạt chuẩn văn hóa: 3đ." max 3 {
        score if dat_chuan then 3 else 0
    }
    criterion II.3 "Xếp loại Đảng: xuất sắc 3đ, tốt 2đ, hoàn thành 1đ." max 3 {
        score table xep_loai { "xuất sắc": 3, "hoàn thành tốt": 2, "hoàn thành": 1 }
    }
}
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "phieu.thidua").write_text(RULESET, encoding="utf-8")
    return tmp_path


def _row(ws: Any, code: str, after: int = 0) -> int:
    return next(c.row for c in ws["A"] if c.value == code and c.row > after)


def _facts_head(ws: Any) -> int:
    return next(c.row for c in ws["A"] if c.value == "Mã số liệu")


def _typed(ws: Any, cells: dict[tuple[str, int], object]) -> dict[str, object]:
    """Type ``{(row key, column): value}`` into the sheet; a row key is a criterion's code or,
    after "Mã số liệu", a fact's name. Returns {coordinate: value} of what was typed."""
    head = _facts_head(ws)
    typed = {}
    for (key, col), value in cells.items():
        row = _row(ws, key, head) if not key[0].isupper() else _row(ws, key)
        ws.cell(row, col, value)
        typed[ws.cell(row, col).coordinate] = value
    return typed


SELF = {  # column D: (4) điểm tự chấm
    ("I.2", 4): "8,5", ("so_van_ban", 4): 6, ("hang_cchc", 4): 8, ("dat_chuan", 4): "có",
    ("xep_loai", 4): "Xuất Sắc",
}
COUNCIL = {  # column E: (5) điểm thẩm định
    ("I.2", 5): 7.25, ("so_van_ban", 5): 4, ("hang_cchc", 5): 15, ("dat_chuan", 5): "không",
    ("xep_loai", 5): "hoàn thành tốt",
}


def test_the_template_has_a_column_per_round_and_reads_back_what_is_typed(folder: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = folder / "mau.xlsx"
    assert run(capsys, "template", str(folder / "phieu.thidua"), "--format", "xlsx", "-o", str(path))[0] == 0
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    assert [ws.cell(7, c).value for c in range(1, 7)] == [
        "STT", "Nội dung tiêu chí", "Điểm tối đa", "Điểm tự chấm", "Điểm thẩm định", "Giải trình / tài liệu kiểm chứng"]
    ws["B4"] = "Phòng Thử"
    _typed(ws, SELF | COUNCIL)
    i1 = _row(ws, "I.1")
    ws.cell(i1, 6, "TLKC: Văn bản\nQuyết định 12/QĐ, 25/QĐ")
    wb.save(path)
    unit = tr.read_form(path)
    assert unit.unit == "Phòng Thử"
    assert unit.rounds == {
        "self": {"facts": {"I.2": D("8.5"), "so_van_ban": D(6), "hang_cchc": D(8), "dat_chuan": True,
                           "xep_loai": "Xuất Sắc"}},
        "appraised": {"facts": {"I.2": D("7.25"), "so_van_ban": D(4), "hang_cchc": D(15), "dat_chuan": False,
                                "xep_loai": "hoàn thành tốt"}},
    }
    assert unit.explanations == {"I.1": "Quyết định 12/QĐ, 25/QĐ"}  # the printed TLKC line is not the unit's
    status, out, _ = run(capsys, "score", str(path), "--format", "json")
    assert status == 0
    data = json.loads(out)
    # self: I.1 min(2 × 6, 10) = 10, I.2 8.5, II.1 rank 8 ≤ 10: 4, II.2 3, II.3 xuất sắc 3 → 28.5
    # council: I.1 2 × 4 = 8, I.2 7.25, II.1 rank 15 ≤ 20: 2, II.2 0, II.3 hoàn thành tốt 2 → 19.25
    assert data["totals"] == {"self": "28.5", "appraised": "19.25"} and data["total"] == "19.25"


def test_a_self_assessment_form_gets_the_councils_column_and_keeps_everything(
        folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (folder / "a.json").write_text(json.dumps({
        "unit": "Phòng A", "ruleset": "phieu.thidua",
        "rounds": {"self": {"facts": {"so_van_ban": 3, "I.2": 11, "hang_cchc": 8, "dat_chuan": True,
                                      "xep_loai": "hoàn thành"}, "claims": {"I.1": 8}}},
        "explanations": {"I.2": "Báo cáo số 7/BC"}}, ensure_ascii=False), encoding="utf-8")
    form = folder / "a.xlsx"
    assert run(capsys, "score", str(folder / "a.json"), "--format", "xlsx", "-o", str(form))[0] == 0
    wb = openpyxl.load_workbook(form)
    ws = wb.active
    assert [ws.cell(7, c).value for c in (4, 5)] == ["Điểm tự chấm", "Điểm thẩm định"]  # not "Điểm cuối cùng"
    i1, i2 = _row(ws, "I.1"), _row(ws, "I.2")
    # the unit's own writing is on its sheet: the claim 8 for I.1 (the rule gives 2 × 3 = 6) and the
    # judged 11 above the max 10 (counted 10), each with its note; the council's column is empty
    assert [ws.cell(i1, c).value for c in (4, 5)] == [8, None]
    assert [ws.cell(i2, c).value for c in (4, 5)] == [11, None]
    assert "đơn vị ghi 8 đ nhưng theo quy tắc được 6 đ" in ws.cell(i1, 7).value
    assert "11 đ vượt điểm tối đa 10 đ" in ws.cell(i2, 7).value
    # I: 6 + 10 = 16 (the counted scores); the council's (5) is empty, below too
    assert [ws.cell(_row(ws, "I"), c).value for c in (4, 5)] == [16, None]
    head = _facts_head(ws)
    assert [ws.cell(head, c).value for c in (4, 5)] == ["Điểm tự chấm", "Điểm thẩm định"]
    # read back untouched: the same unit
    unit = tr.read_form(form)
    assert unit.rounds == {"self": {"facts": {"I.2": D(11), "so_van_ban": D(3), "hang_cchc": D(8), "dat_chuan": True,
                                              "xep_loai": "hoàn thành"}, "claims": {"I.1": D(8)}}}
    assert unit.explanations == {"I.2": "Báo cáo số 7/BC"}
    # the council types its column (5) and the form is read as the appraised round
    before = {c.coordinate: c.value for row in ws.iter_rows() for c in row}
    typed = _typed(ws, COUNCIL)
    wb.save(form)
    unit = tr.read_form(form)
    assert unit.rounds["appraised"] == {"facts": {"I.2": D("7.25"), "so_van_ban": D(4), "hang_cchc": D(15),
                                                  "dat_chuan": False, "xep_loai": "hoàn thành tốt"}}
    assert unit.rounds["self"]["claims"] == {"I.1": D(8)}
    # scored again and written again: every cell typed, and every cell of the unit's, is where it was
    again = folder / "b.xlsx"
    assert run(capsys, "score", str(form), "--format", "xlsx", "-o", str(again))[0] == 0
    ws2 = openpyxl.load_workbook(again).active
    for coordinate, value in typed.items():
        got = ws2[coordinate].value
        assert got == value or str(got).replace(".", ",") == value or str(got) == str(value), coordinate
    for row in ws.iter_rows(min_row=9):
        for c in row:
            if c.column in (1, 2, 3, 4, 6) and c.value is not None and before.get(c.coordinate) is not None:
                assert ws2[c.coordinate].value == c.value, c.coordinate
    # self: I.1 the rule's 2 × 3 = 6 (the claim is only flagged), I.2 min(11, 10) = 10, II.1 rank 8: 4,
    # II.2 3, II.3 hoàn thành 1 → 24; council: I.1 2 × 4 = 8, I.2 7.25, II.1 2, II.2 0, II.3 2 → 19.25
    total = next(c.row for c in ws2["B"] if c.value == "Tổng cộng")
    assert [ws2.cell(total, c).value for c in (4, 5)] == [24, 19.25]


def test_a_council_score_for_a_computed_row_needs_its_facts(folder: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = folder / "mau.xlsx"
    assert run(capsys, "template", str(folder / "phieu.thidua"), "--format", "xlsx", "-o", str(path))[0] == 0
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    _typed(ws, SELF)
    ws.cell(_row(ws, "I.1"), 5, 6)  # the council writes 6 for I.1 but not the count it comes from
    wb.save(path)
    status, out, err = run(capsys, "score", str(path))
    assert status == 1 and out == "" and "Traceback" not in err
    cell = f"!E{_row(ws, 'I.1')} (I.1)"
    assert f"{cell}: tiêu chí I.1 được tính theo số liệu (so_van_ban) mà vòng chấm này chưa ghi" in err


def test_assumptions_stand_beside_their_row_with_its_code(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for lang, row_note, head_note in (
        ("vi", "Giả định (I.2): Hội đồng chấm từ 0 đến 10 điểm.", "Giả định chung: Thứ hạng CCHC lấy theo công bố"),
        ("en", "Assumption (I.2): Hội đồng chấm từ 0 đến 10 điểm.", "General assumptions: Thứ hạng CCHC lấy theo"),
    ):
        path = folder / f"mau-{lang}.xlsx"
        assert run(capsys, "template", str(folder / "phieu.thidua"), "--format", "xlsx", "-o", str(path),
                   "--lang", lang)[0] == 0
        ws = openpyxl.load_workbook(path).active
        assert ws.cell(_row(ws, "I.2"), 7).value == row_note
        # the header's assumption is in the header, above the table (row 6, merged across it)
        assert ws["A6"].value.startswith(head_note) and "A6:G6" in {str(r) for r in ws.merged_cells.ranges}
        texts = [c.value for row in ws.iter_rows(min_row=7) for c in row if isinstance(c.value, str)]
        assert not any("Thứ hạng CCHC lấy theo" in t for t in texts)  # not repeated below


REPO = Path(__file__).resolve().parent.parent
EXAMPLES = sorted([*(REPO / "examples" / "cum4-2023").glob("*.json"),
                   *(REPO / "examples" / "vpubnd-tayninh-2023").glob("*.json")])


def _rounds(rs: tr.Ruleset, rounds: dict[str, Any]) -> dict[str, Any]:
    """A unit's rounds as plain facts and claims per round name ("*": the last round)."""
    out = {}
    for name, block in rounds.items():
        facts = block.get("facts", block) if ("facts" in block or "claims" in block) else block
        claims = block.get("claims", {}) if "facts" in block else {}
        out[rs.rounds[-1].name if name == "*" else name] = (
            {k: (D(v) if isinstance(v, int | D) and not isinstance(v, bool) else v) for k, v in facts.items()},
            {k: D(v) for k, v in claims.items()},
        )
    return out


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_comes_back_from_its_xlsx_form(path: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    form = tmp_path / "form.xlsx"
    assert run(capsys, "score", str(path), "--format", "xlsx", "-o", str(form))[0] == 0
    original = tr.read_unit(path)
    rs = tr.rulesets.load(str(original.ruleset))
    back = tr.read_form(form)
    assert (back.unit, back.illustrative) == (original.unit, original.illustrative)
    was, now = _rounds(rs, dict(original.rounds)), _rounds(rs, dict(back.rounds))
    assert list(now) == list(was)
    judged = {spec.criterion for spec in rs.facts.values() if spec.kind == "assessed"}
    before, after = rs.evaluate_submission(original.rounds), rs.evaluate_submission(back.rounds)
    for name, (facts, claims) in was.items():
        # every fact, level and judged score given comes back as given; a judged row the file left
        # to its rule's default shows the score counted, read back as that same score
        assert {k: v for k, v in now[name][0].items() if k in facts} == facts
        for extra in now[name][0].keys() - facts.keys():
            assert extra in judged and now[name][0][extra] == before.round_scores[name][extra]
        # a claim comes back where it differs from the rule (one equal to it says nothing)
        assert now[name][1] == {c: v for c, v in claims.items() if before.round_scores[name].get(c) != v}
    def rows(sub: tr.Submission) -> list[dict[str, Any]]:  # every score, final, flag; claims as above
        return [{k: v for k, v in row.items() if k != "claims"} for row in sub.to_dict()["rows"]]

    assert rows(after) == rows(before) and after.flags == before.flags
    assert back.explanations == original.explanations
    # the totals rows hold what the JSON says, round by round
    status, out, _ = run(capsys, "score", str(path), "--format", "json")
    assert status == 0
    totals = json.loads(out)["totals"]
    ws = openpyxl.load_workbook(form).active
    heads = {ws.cell(7, c).value: c for c in range(4, 8)}
    row = next(c.row for c in ws["B"] if c.value == "Tổng cộng")
    labels = {r.name: r.label for r in rs.rounds}
    for name, total in totals.items():
        assert D(str(ws.cell(row, heads[labels[name]]).value)) == D(total), name


def test_both_shipped_rulesets_rank_json_follows_the_schema(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((REPO / "docs" / "schema" / "standings.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    for ident in ("cum4-2023", "vpubnd-tayninh-2023"):
        folder = REPO / "examples" / ident
        # one unit comes in as its xlsx form: the standings are those of the JSON files
        first = sorted(folder.glob("*.json"))[0]
        mixed = tmp_path / ident
        mixed.mkdir()
        for path in sorted(folder.glob("*.json"))[1:]:
            (mixed / path.name).write_bytes(path.read_bytes())
        assert run(capsys, "score", str(first), "--format", "xlsx", "-o", str(mixed / "first.xlsx"))[0] == 0
        status, out, _ = run(capsys, "rank", ident, str(folder), "--format", "json")
        status2, out2, _ = run(capsys, "rank", ident, str(mixed), "--format", "json")
        assert status == status2 == 0 and list(validator.iter_errors(json.loads(out))) == []
        positions = [(e["unit"], e["total"], e["position"]) for e in json.loads(out)["standings"]]
        assert sorted(positions) == sorted((e["unit"], e["total"], e["position"])
                                           for e in json.loads(out2)["standings"])
