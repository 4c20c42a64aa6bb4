"""``thidua diff``: the semantic difference of two rulesets and its impact on units. A ruleset's
diff against itself is empty (a property over generated rulesets); the tutorial's diff is checked
line by line in tests/test_tutorial.py."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

from hypothesis import HealthCheck, given, settings

import thidua_rules as tr
from thidua_rules import cli
from thidua_rules.testing import fuzzing

REPO = Path(__file__).resolve().parent.parent

BASE = '''ruleset "a" { total 10 }
fact x "x": count
section I "Mục I" max 10 {
    criterion I.1 "Một" max 4 {
        score min(x, max)
    }
    criterion I.2 "Hai" max 6 {
        score table x {
            <= 1: 6,
            otherwise: 0,
        }
    }
}
'''


@settings(deadline=None, max_examples=15, suppress_health_check=[HealthCheck.too_slow])
@given(fuzzing.rulesets())
def test_a_ruleset_against_itself_has_no_differences(text: str) -> None:
    rs = tr.loads(text)
    assert not tr.diff(rs, tr.loads(text))
    assert tr.diff(rs, rs).text().endswith("no differences")


def test_the_shipped_rulesets_against_themselves() -> None:
    for ident in ("cum4-2023", "vpubnd-tayninh-2023"):
        rs = tr.rulesets.load(ident)
        assert tr.diff(rs, rs).changes == ()


def test_a_row_removed_and_added_with_the_same_title_is_recoded_and_a_table_shown_in_canonical_text() -> None:
    new = BASE.replace("I.2", "I.3").replace("<= 1: 6", "<= 2: 6").replace('"Một" max 4', '"Một!" max 4')
    changes = tr.diff(tr.loads(BASE), tr.loads(new)).changes
    assert [c.line() for c in changes] == [
        "renamed I.1: Một → Một!",
        "recoded I.3: I.2 → I.3",
    ]
    # A recoded row's rule is compared under its new code only when it kept its code: the title
    # says it is the same row, the code tells the unit files apart.
    changed = BASE.replace("<= 1: 6", "<= 2: 6")
    (rule,) = tr.diff(tr.loads(BASE), tr.loads(changed)).changes
    assert rule.line() == (
        "rule I.2:\n  - table x {\n        <= 1: 6,\n        otherwise: 0,\n    }\n"
        "  + table x {\n        <= 2: 6,\n        otherwise: 0,\n    }"
    )


def test_impact_scores_each_unit_under_both(tmp_path: Path, capsys: object) -> None:
    old, new = tmp_path / "old.thidua", tmp_path / "new.thidua"
    old.write_text(BASE, encoding="utf-8")
    new.write_text(BASE.replace("<= 1: 6", "<= 2: 6"), encoding="utf-8")
    for name, x in (("u1", 2), ("u2", 1)):
        (tmp_path / f"{name}.json").write_text(json.dumps(
            {"unit": name, "ruleset": "a", "rounds": {"self": {"x": x}}}), encoding="utf-8")
    units = {"u1": {"self": {"x": 2}}, "u2": {"self": {"x": 1}}}
    effect = tr.impact(tr.loads(BASE), tr.loads(new.read_text(encoding="utf-8")), units)
    # u1: x = 2: I.1 min(2, 4) = 2; I.2 old 0 (2 > 1), new 6 (2 <= 2): 2 → 8, rank 2 → 1
    # u2: x = 1: I.1 1; I.2 6 under both: 7 → 7, rank 1 → 2
    assert effect["u1"].to_dict() == {
        "unit": "u1", "total_before": "2", "total_after": "8", "change": "6", "rank_before": 2,
        "rank_after": 1, "rows": [{"code": "I", "before": "2", "after": "8"},
                                  {"code": "I.2", "before": "0", "after": "6"}],
    }
    assert (effect["u2"].total_before, effect["u2"].total_after, effect["u2"].rows) == (D(7), D(7), ())
    assert cli.main(["diff", str(old), str(new), "--impact", str(tmp_path), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)  # type: ignore[attr-defined]
    assert [u["unit"] for u in data["impact"]["units"]] == ["u1", "u2"]
    assert data["diff"]["changes"][0]["what"] == "rule"
    assert cli.main(["diff", str(old), str(new), "--format", "md", "--lang", "en"]) == 0
    assert "| rule | I.2 | <code>table x {<br>" in capsys.readouterr().out  # type: ignore[attr-defined]
    assert cli.main(["diff", str(old), str(new), "--format", "md"]) == 0  # Vietnamese by default
    assert "| quy tắc | I.2 | <code>table x {<br>" in capsys.readouterr().out  # type: ignore[attr-defined]
    assert cli.main(["diff", str(old), str(new), "--impact", str(tmp_path)]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    # the JSON's numbers and keys are the machine's; the text says the same in Vietnamese
    assert out.splitlines()[-5:] == [
        "ảnh hưởng của a → a đến 2 đơn vị",
        "u1: tổng điểm 2 → 8 (+6), hạng 2 → 1",
        "  I: 2 → 8",
        "  I.2: 0 → 6",
        "u2: tổng điểm 7 → 7 (0), hạng 1 → 2",
    ]


TWO = '''ruleset "b" { total 10 }
fact x "x": count
section I "Mục I" max 6 {
    criterion I.1 "Một" max 6 {
        score min(x, max)
    }
}
section II "Mục II" max 4 {
    criterion I.2 "Hai" max 4 {
        score assessed
    }
}
'''

MOVED = '''ruleset "b" { total 10 }
fact x "x": count
section I "Mục I" max 6 {
    criterion I.1 "Một" max 6 {
        score min(x, max)
    }
}
section II "Mục II" max 2 {
    criterion II.1 "Mới" max 2 {
        score assessed
    }
}
section III "Mục III" max 2 {
    criterion I.2 "Hai" max 2 {
        score assessed
    }
}
'''


def test_a_row_moved_to_another_section() -> None:
    changes = [c.line() for c in tr.diff(tr.loads(TWO), tr.loads(MOVED)).changes]
    assert changes == [
        "max II: 4 → 2",
        "added II.1: Mới (in II, first)",
        "added III: Mục III (top level, after II)",
        "moved I.2: in II, first → in III, first",
        "max I.2: 4 → 2",
    ]


def test_the_diff_in_vietnamese_and_in_english(capsys: object) -> None:
    changes = tr.diff(tr.loads(TWO), tr.loads(MOVED.replace('"b" { total 10 }', '"b" { title "Bảng B" total 10 }')))
    assert tr.render_diff(changes).splitlines() == [
        "b → b: 6 thay đổi",
        "thông tin chung (tên): — → Bảng B",
        "điểm tối đa II: 4 → 2",
        "thêm II.1: Mới (trong II, đầu tiên)",
        "thêm III: Mục III (ở mức ngoài cùng, sau II)",
        "chuyển chỗ I.2: trong II, đầu tiên → trong III, đầu tiên",
        "điểm tối đa I.2: 4 → 2",
    ]
    assert tr.render_diff(changes, lang="en") == changes.text() + "\n"
    same = tr.diff(tr.loads(TWO), tr.loads(TWO))
    assert tr.render_diff(same) == "b → b: không có thay đổi\n"
    assert tr.render_diff(same, format="md").endswith("Không có thay đổi.\n")


def test_the_cli_docs_diff_is_the_real_output(monkeypatch: object, capsys: object) -> None:
    import re

    text = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    shown = re.findall(r"<!-- output of: thidua (.*?) -->\n```text\n(.*?)\n```", text, re.S)
    assert len(shown) == 1
    command, body = shown[0]
    monkeypatch.chdir(REPO)  # type: ignore[attr-defined]
    capsys.readouterr()  # type: ignore[attr-defined]
    assert cli.main(command.split()) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert body == f"$ thidua {command}\n" + out.rstrip("\n")
    # by hand: Thái Nguyên's I.2 2 × 7 = 14 → 10 before, 3 × 7 = 21 → 12 after; I.3's 4,5 gone:
    # 98,5 + 2 − 4,5 = 96
    assert "Sở TTTT Thái Nguyên: tổng điểm 98,5 → 96 (-2,5), hạng 1 → 1" in body.splitlines()
