"""Every message a unit's file or the command's user can cause, through the command line:
Vietnamese by default, English with --lang en, never a traceback, always exit status 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from thidua_rules.cli import main

RULESET = """\
ruleset "vi-du-loi" {
    total 20
    rounds self "Điểm tự chấm", appraised "Điểm thẩm định"
}

fact so_van_ban "Số văn bản": count
fact dat_chuan "Đạt chuẩn văn hóa": boolean
fact hang "Xếp hạng": rank 1..63

section I "THAM MƯU" max 20 {
    criterion I.1 "Mỗi văn bản: 2đ." max 10 { score 2 * so_van_ban }
    criterion I.2 "Đạt chuẩn: 5đ." max 5 { score if dat_chuan then 5 else 0 }
    criterion I.3 "Top 10: 5đ." max 5 { score table hang { <= 10: 5  otherwise: 0 } }
}
"""

GOOD = {"so_van_ban": 3, "dat_chuan": True, "hang": 4}


def _unit(**facts: object) -> str:
    return json.dumps({"unit": "Phòng A", "ruleset": "vi-du-loi.thidua", "facts": {**GOOD, **facts}},
                      ensure_ascii=False)


#: name, file text, command (after "thidua"), the Vietnamese words (a round by its label), the English words
CASES = [
    ("json syntax", "x.json", '{"unit": "A", "facts": {"so_van_ban": 3,}}', ["score", "x.json"],
     'x.json: không phải JSON hợp lệ, dòng 1, cột 41: cần tên khóa trong ngoặc kép',
     "x.json: not valid JSON: Expecting property name enclosed in double quotes (line 1, column 41)"),
    ("toml syntax", "x.toml", 'unit = "A"\n[facts\nso_van_ban = 3\n', ["score", "x.toml"],
     'x.toml: không phải TOML hợp lệ, dòng 2, cột 7: thiếu "]" ở cuối tên bảng',
     "x.toml: not valid TOML: Expected ']' at the end of a table declaration (line 2, column 7)"),
    ("no such ruleset", "x.json", json.dumps({"unit": "A", "ruleset": "cum4-2024", "facts": {}}), ["score", "x.json"],
     'lỗi: không có bộ tiêu chí có sẵn mang tên "cum4-2024"; có phải là "cum4-2023"?',
     'error: no shipped ruleset "cum4-2024"; did you mean "cum4-2023"?'),
    ("another ruleset", "x.json", json.dumps({"unit": "A", "ruleset": "cum4-2023", "facts": GOOD}),
     ["score", "x.json", "--ruleset", "vi-du-loi.thidua"],
     'x.json: tệp này dành cho bộ tiêu chí "cum4-2023", không phải "vi-du-loi"',
     'x.json: the file is for the ruleset "cum4-2023", not "vi-du-loi"'),
    ("no ruleset named", "x.json", json.dumps({"unit": "A", "facts": GOOD}), ["score", "x.json"],
     'x.json: tệp không ghi bộ tiêu chí: thêm "ruleset": "…" hoặc dùng --ruleset',
     'x.json: the file names no ruleset: add "ruleset": "…" or give --ruleset'),
    ("unknown fact", "x.json", _unit(so_vb=1), ["score", "x.json"],
     'Điểm thẩm định: so_vb: bộ tiêu chí không có số liệu này; có phải là "so_van_ban"?',
     'appraised: so_vb: unknown fact; did you mean "so_van_ban"?'),
    ("unknown key", "x.json", json.dumps({"unit": "A", "ruleset": "vi-du-loi.thidua", "fact": GOOD}),
     ["score", "x.json"], 'x.json: fact: khóa không hợp lệ; có phải là "facts"?',
     'x.json: fact: unknown key; did you mean "facts"?'),
    ("wrong key type", "x.json", json.dumps({"unit": "A", "ruleset": "vi-du-loi.thidua", "facts": [1]}),
     ["score", "x.json"],
     "x.json: facts: phải là một đối tượng (object) gồm tên các số liệu và giá trị, không phải một danh sách (list)",
     "x.json: facts: must be an object of fact names to values, not a list"),
    ("unknown round", "x.json", json.dumps({"unit": "A", "ruleset": "vi-du-loi.thidua",
                                            "rounds": {"tu_cham": {"facts": GOOD}}}), ["score", "x.json"],
     "round tu_cham: không có vòng chấm này; các vòng: self, appraised",
     "round tu_cham: unknown round; rounds: self, appraised"),
    # a boolean where a number belongs is said as what it is, not as "nhận được 'có'"
    ("boolean for a count", "x.json", _unit(so_van_ban=True), ["score", "x.json"],
     "Điểm thẩm định: so_van_ban: cần một số, nhận được giá trị đúng/sai (true)",
     "appraised: so_van_ban: expected a number, got the boolean true"),
    ("text for a boolean", "x.json", _unit(dat_chuan="có"), ["score", "x.json"],
     'Điểm thẩm định: dat_chuan: cần true hoặc false (viết không có ngoặc kép), nhận được chữ "có"',
     'appraised: dat_chuan: expected true or false (written without quotes), got the text "có"'),
    ("number for a boolean", "x.json", _unit(dat_chuan=1), ["score", "x.json"],
     "Điểm thẩm định: dat_chuan: cần true hoặc false (viết không có ngoặc kép), nhận được số 1",
     "appraised: dat_chuan: expected true or false (written without quotes), got the number 1"),
    ("text for a count", "x.json", _unit(so_van_ban="6"), ["score", "x.json"],
     'Điểm thẩm định: so_van_ban: cần một số (viết không có ngoặc kép), nhận được chữ "6"',
     'appraised: so_van_ban: expected a number (written without quotes), got the text "6"'),
    ("list for a count", "x.json", _unit(so_van_ban=[6]), ["score", "x.json"],
     "Điểm thẩm định: so_van_ban: cần một số, nhận được một danh sách (list)",
     "appraised: so_van_ban: expected a number, got a list"),
    ("empty cell", "x.json", _unit(hang=None), ["score", "x.json"],
     "Điểm thẩm định: hang: chưa điền (null): cần một số", "appraised: hang: expected a number, got NoneType"),
    ("out of bounds", "x.json", _unit(hang=70), ["score", "x.json"],
     "Điểm thẩm định: hang: 70 lớn hơn giá trị cao nhất cho phép 63",
     "appraised: hang: 70 is above the highest allowed value 63"),
    ("unknown claim code", "x.json", json.dumps({"unit": "A", "ruleset": "vi-du-loi.thidua", "facts": GOOD,
                                                 "claims": {"IX.9": 1}}), ["score", "x.json"],
     "Điểm thẩm định: điểm ghi cho IX.9: không có tiêu chí mang mã này",
     "appraised: claim IX.9: unknown criterion code"),
    ("unknown code to explain", "x.json", _unit(), ["explain", "x.json", "I.9"],
     'không có tiêu chí, nhóm hay mục mang mã "I.9"; có phải là "I.3"?',
     'no criterion, group or section "I.9"; did you mean "I.3"?'),
    ("missing file", "x.json", _unit(), ["score", "khong-co.json"],
     "khong-co.json: không đọc được: không có tệp hay thư mục này",
     "khong-co.json: cannot read: No such file or directory"),
    ("xlsx without -o", "x.json", _unit(), ["score", "x.json", "--format", "xlsx"],
     "phiếu xlsx được ghi ra tệp: thêm -o TỆP.xlsx", "the xlsx form is written to a file: give -o FILE.xlsx"),
    ("not a workbook", "x.xlsx", "not a workbook", ["score", "x.xlsx"],
     "x.xlsx: không phải bảng tính .xlsx (BadZipFile)", "x.xlsx: not an .xlsx workbook: BadZipFile"),
    ("csv: empty name", "d.csv", "Đơn vị,so_van_ban,dat_chuan,hang\n,3,có,4\n", ["rank", "vi-du-loi.thidua", "d.csv"],
     "d.csv:2: cột A: chưa ghi tên đơn vị", "d.csv:2: column A: the unit's name is empty"),
    ("csv: bad cells", "d.csv", "Đơn vị,so_van_ban,dat_chuan,hang\nB,abc,có lẽ,0\n",
     ["rank", "vi-du-loi.thidua", "d.csv"],
     'd.csv:2: cột B (so_van_ban): "abc" không phải là số', 'd.csv:2: column B (so_van_ban): "abc" is not a number'),
    ("csv: empty file", "d.csv", "", ["rank", "vi-du-loi.thidua", "d.csv"],
     "d.csv: tệp trống", "d.csv: the file is empty"),
    ("csv: unknown column", "d.csv", "Đơn vị,so_van_ban,dat_chuan,hang,xyz\nB,3,có,4,1\n",
     ["rank", "vi-du-loi.thidua", "d.csv"],
     "d.csv:1: cột E (xyz): bộ tiêu chí không có số liệu này", "d.csv:1: column E (xyz): unknown fact"),
]


@pytest.mark.parametrize(("name", "file", "text", "argv", "vi", "en"), CASES, ids=[c[0] for c in CASES])
def test_each_bad_input_is_said_in_vietnamese_and_in_english(
        name: str, file: str, text: str, argv: list[str], vi: str, en: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "vi-du-loi.thidua").write_text(RULESET, encoding="utf-8")
    (tmp_path / file).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for lang, words in (("vi", vi), ("en", en)):
        capsys.readouterr()
        status = main([*argv, *(["--lang", "en"] if lang == "en" else [])])
        out, err = capsys.readouterr()
        assert status == 1 and out == "", (name, lang, out)
        assert words in err, (name, lang, err)
        assert "Traceback" not in err
    # the Vietnamese head line is Vietnamese too
    main(argv)
    head = capsys.readouterr().err.splitlines()[0]
    assert any(w in head for w in ("lỗi trong", "không có tiêu chí", "phiếu xlsx")), head


def test_a_bad_xlsx_cell_in_both_languages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    (tmp_path / "vi-du-loi.thidua").write_text(RULESET, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["template", "vi-du-loi.thidua", "--format", "xlsx", "-o", "m.xlsx"]) == 0
    wb = openpyxl.load_workbook("m.xlsx")
    ws = wb.active
    head = next(c.row for c in ws["A"] if c.value == "Mã số liệu")
    row = next(c.row for c in ws["A"] if c.value == "dat_chuan" and c.row > head)
    ws.cell(row, 4, "có lẽ")
    wb.save("m.xlsx")
    capsys.readouterr()
    assert main(["score", "m.xlsx"]) == 1
    assert f'!D{row} (dat_chuan): cần "có" hoặc "không", nhận được "có lẽ"' in capsys.readouterr().err
    assert main(["score", "m.xlsx", "--lang", "en"]) == 1
    assert f'!D{row} (dat_chuan): expected "có" or "không", got "có lẽ"' in capsys.readouterr().err


def test_a_huge_number_is_said_in_vietnamese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "vi-du-loi.thidua").write_text(RULESET, encoding="utf-8")
    (tmp_path / "x.json").write_text(_unit().replace('"so_van_ban": 3', '"so_van_ban": 1e308'), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    assert main(["score", "x.json"]) == 1
    # 1e308: a 1 and 308 zeros, 309 digits before the point
    assert ("so_van_ban: một số có 309 chữ số trước dấu thập phân vượt giới hạn (tối đa 15 chữ số trước dấu "
            "thập phân, 10 chữ số sau)") in capsys.readouterr().err
