"""docs/huong-dan.md §6 done as written: every cell the guide types (its tables after
``<!-- gõ: FROM → TO -->``) typed with openpyxl, every command of its sessions (``<!-- phiên xlsx
-->``) run in order, every output line compared. The ruleset and tong-hop.json are §1's."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from thidua_rules.cli import main

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "huong-dan.md"

openpyxl = pytest.importorskip("openpyxl")


def _steps(text: str) -> list[tuple[str, object]]:
    """The section's typed tables and sessions, in the document's order."""
    section = text[text.index("## 6. "):]
    found = re.finditer(
        r"<!-- gõ: (?P<src>\S+) → (?P<dst>\S+) -->\n(?P<table>(?:\|[^\n]*\|\n)+)"
        r"|<!-- phiên xlsx -->\n```text\n(?P<session>.*?)\n```",
        section, re.S)
    steps: list[tuple[str, object]] = []
    for m in found:
        if m.group("session") is not None:
            steps.append(("run", m.group("session")))
            continue
        rows = [[c.strip() for c in line.strip("|").split("|")] for line in m.group("table").splitlines()[2:]]
        steps.append(("type", (m.group("src"), m.group("dst"), [(r[0], r[1]) for r in rows])))
    return steps


def _value(text: str) -> object:
    """A cell as a person types it: a whole number is a number, anything else text (7,5 included:
    the reader takes a decimal comma)."""
    return int(text) if re.fullmatch(r"\d+", text) else text.replace("↵", "\n")


def _session(text: str) -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("$ "):
            out.append((line[2:], []))
        else:
            out[-1][1].append(line.rstrip())
    return out


def test_the_guides_xlsx_walk_through_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    text = GUIDE.read_text(encoding="utf-8")
    ruleset = re.search(r"```thidua\n(.*?)```", text, re.S)
    files = re.search(r"```json\n(.*?)```", text, re.S)
    assert ruleset and files
    (tmp_path / "vi-du-phong.thidua").write_text(ruleset.group(1), encoding="utf-8")
    tong_hop = json.loads(files.group(1))["cli"]["files"]["tong-hop.json"]
    (tmp_path / "tong-hop.json").write_text(json.dumps(tong_hop, ensure_ascii=False), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    steps = _steps(text)
    assert [kind for kind, _ in steps] == ["run", "type", "run", "type", "run"]
    commands = 0
    for kind, body in steps:
        if kind == "type":
            src, dst, cells = body  # type: ignore[misc]
            wb = openpyxl.load_workbook(src)
            for cell, typed in cells:
                wb.active[cell] = _value(typed)
            wb.save(dst)
            continue
        for command, wanted in _session(str(body)):
            words = shlex.split(command)
            assert words[0] == "thidua"
            capsys.readouterr()
            status = main(words[1:])
            out, err = capsys.readouterr()
            assert status == 0, (command, err)
            assert [ln.rstrip() for ln in out.rstrip("\n").splitlines()] == wanted or (not wanted and out == ""), \
                (command, out)
            commands += 1
    assert commands == 7
    # the standings workbook of the last command: the positions sheet, then a form per unit
    wb = openpyxl.load_workbook(tmp_path / "bang-xep-hang.xlsx")
    ws = wb.worksheets[0]
    assert [ws.cell(r, c).value for r in (5, 6) for c in (1, 2, 3)] == [1, "Phòng Kế hoạch", 24.5,
                                                                        2, "Phòng Tổng hợp", 15]
    assert [s.title for s in wb.worksheets] == ["Xếp hạng", "Phòng Kế hoạch", "Phòng Tổng hợp"]
