"""``extends``: a ruleset as changes to a base, checked as a whole, errors pointing at the file
and line that caused them, and provenance on every row. Scores are worked out by hand from the
base's rules (arithmetic in the comments)."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

import thidua_rules as tr

REPO = Path(__file__).resolve().parent.parent
CUM4 = REPO / "rulesets" / "cum4-2023.thidua"


def child(tmp_path: Path, body: str, *, header: str = "", name: str = "child.thidua",
          base: str = "cum4-2023") -> Path:
    path = tmp_path / name
    path.write_text(f'ruleset "con" {{\n    extends "{base}"\n{header}}}\n{body}', encoding="utf-8")
    return path


def errors(path: Path) -> list[tr.Diagnostic]:
    with pytest.raises(tr.RulesetError) as caught:
        tr.load(path)
    return [d for d in caught.value.diagnostics if d.severity == "error"]


def test_an_empty_extension_is_its_base_under_a_new_id(tmp_path: Path) -> None:
    rs = tr.load(child(tmp_path, ""))
    base = tr.rulesets.load("cum4-2023")
    assert rs.id == "con"
    assert rs.header.year == 2023 and rs.total == D(100)
    assert list(rs.criteria) == list(base.criteria)
    assert not tr.diff(base, rs).changes[1:]  # the id alone differs
    assert [c.code for c in tr.diff(base, rs).changes] == ["id"]


def test_overrides_remove_move_add_and_the_header(tmp_path: Path) -> None:
    path = child(tmp_path, '''
fact so_moi "Số mới": count default 0
override criterion I.2 "Tên mới của I.2" max 12 {
    score 3 * so_van_ban_tham_muu
}
override section I max 32
remove I.3
move I.4 after I.1
add criterion I.5 "Dòng mới" max 5 in I {
    score min(so_moi, max)
}
''', header="    year 2024\n    total 102\n")
    rs = tr.load(path)
    assert rs.header.year == 2024 and rs.total == D(102)
    assert rs.header.title == tr.rulesets.load("cum4-2023").title  # not overridden: the base's
    assert rs.groups["I"].children == ("I.1", "I.4", "I.2", "I.5")
    assert rs.groups["I"].max == D(32)
    assert rs.criteria["I.2"].title == "Tên mới của I.2" and rs.criteria["I.2"].max == D(12)
    assert "I.3" not in rs.criteria
    # Provenance: I.2 defined by the base, overridden on line 8 of the child; I.5 defined by the child.
    assert rs.criteria["I.2"].defined_in == "cum4-2023.thidua"
    assert rs.criteria["I.2"].overridden_by == (f"{path}:8:1",)
    assert rs.criteria["I.5"].defined_in == str(path) and rs.criteria["I.5"].overridden_by == ()
    assert rs.criteria["I.1"].overridden_by == ()
    unit = tr.read_unit(REPO / "examples" / "cum4-2023" / "thai-nguyen.json")
    facts = dict(unit.rounds["appraised"]["facts"])  # type: ignore[index]
    del facts["I.3"]
    facts["so_moi"] = 9
    res = rs.evaluate(facts)
    assert res["I.2"].score == D(12)  # 3 × 7 = 21, capped at the new max 12
    assert res["I.5"].score == D(5)  # min(9, 5)
    assert res["I"].score == D(32)  # 5 + 10 + 12 + 5 (I.1 judged 5, I.4 2 × 6 = 12 capped at 10)
    # 98.5 (tests/test_golden_cum4.py) − I 29.5 + I 32 = 101
    assert res.total == D(101)


def test_a_check_error_after_merging_points_at_the_file_that_caused_it(tmp_path: Path) -> None:
    path = child(tmp_path, "override criterion I.2 {\n    score 2 * so_van_ban_khong_co\n}\n")
    (error,) = errors(path)
    assert error.span is not None and error.span.source.name == str(path)
    assert (error.span.line, error.span.column) == (5, 15)
    assert error.message == 'unknown fact or derived value "so_van_ban_khong_co"'
    assert "5 |     score 2 * so_van_ban_khong_co" in error.render()
    # A sum broken by a change in the child is reported at the base's line that declares the total.
    (error,) = errors(child(tmp_path, "override criterion I.2 max 12\noverride section I max 32\n", name="b.thidua"))
    assert error.span is not None and error.span.source.name == "cum4-2023.thidua"
    assert "add up to 102, not the declared total 100" in error.message


def test_unknown_codes_are_reported_with_a_suggestion(tmp_path: Path) -> None:
    path = child(tmp_path, "remove I.33\nmove II.4 after II.99\noverride criterion IV.22 max 3\n")
    got = [(d.message, d.hint, d.span.line if d.span else None) for d in errors(path)]
    assert got == [
        ('no row, group or section "I.33" in the base', 'did you mean "I.3"?', 4),
        ('no row, group or section "II.99" in the base', 'did you mean "II.5"?', 5),
        ('no row, group or section "IV.22" in the base', 'did you mean "IV.2"?', 6),
    ]


def test_wrong_kinds_places_and_duplicates_are_errors(tmp_path: Path) -> None:
    path = child(tmp_path, '''override section I.2 max 3
add criterion I.2 "Lặp" max 1 in I {
    score 1
}
section II "Lặp" max 1 {
    criterion II.9 "x" max 1 {
        score 1
    }
}
add criterion X.1 "Ngoài mục" max 1 after I {
    score 1
}
move I into I.1
''')
    got = [(d.message, d.hint) for d in errors(path)]
    assert got == [
        ('the base already has "II"', "write override section II to change it"),
        ('"I.2" is a criterion, not a section', "write override criterion I.2"),
        ('the base already has "I.2"', "write override … I.2 to change it"),
        ('"X.1" would stand outside every section', "write in I, or place it after a row inside a section"),
        ('"I" cannot go inside itself', None),
    ]


def test_missing_base_cycle_and_changes_without_a_base(tmp_path: Path) -> None:
    (error,) = errors(child(tmp_path, "", base="cum4-2032"))
    assert error.message == 'no shipped ruleset "cum4-2032" to extend'
    assert error.hint == 'did you mean "cum4-2023"?; or give a path ending in ".thidua"'
    assert error.span is not None and (error.span.line, error.span.column) == (2, 5)
    (error,) = errors(child(tmp_path, "", base="khong-co.thidua", name="c.thidua"))
    assert error.message.startswith('cannot read the base "khong-co.thidua"')
    a = child(tmp_path, "", base="b.thidua", name="a.thidua")
    child(tmp_path, "", base="a.thidua", name="b.thidua")
    (error,) = errors(a)
    assert error.message == "a cycle of extends: a.thidua → b.thidua → a.thidua"
    (error,) = errors(child(tmp_path, "", base="self.thidua", name="self.thidua"))
    assert error.message == "a cycle of extends: self.thidua → self.thidua"
    with pytest.raises(tr.RulesetError) as caught:
        tr.loads('ruleset "x" { total 1 }\nremove I.1\n')
    assert caught.value.diagnostics[0].message == '"remove" changes a base ruleset, but this one extends none'


def test_a_base_by_path_is_read_relative_to_the_extending_file(tmp_path: Path) -> None:
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "goc.thidua").write_text(
        'ruleset "goc" { total 5 }\nfact a "a": count\nsection I max 5 {\n'
        '    criterion I.1 "Một" max 5 {\n        score min(a, max)\n    }\n}\n', encoding="utf-8")
    rs = tr.load(child(tmp_path, "override criterion I.1 {\n    score min(2 * a, max)\n}\n", base="base/goc.thidua"))
    assert rs.evaluate({"a": 2})["I.1"].score == D(4)  # min(2 × 2, 5)
    assert rs.criteria["I.1"].defined_in == str(tmp_path / "base" / "goc.thidua")


def test_an_extension_pickles_and_formats(tmp_path: Path) -> None:
    import pickle

    path = child(tmp_path, "remove I.3\noverride section I max 25\n", header="    total 95\n")
    rs = tr.load(path)
    again = pickle.loads(pickle.dumps(rs))
    assert list(again.criteria) == list(rs.criteria)
    text = path.read_text(encoding="utf-8")
    assert tr.format_ruleset(tr.format_ruleset(text)) == tr.format_ruleset(text)


def test_the_ruleset_json_shows_provenance(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from thidua_rules import cli

    path = child(tmp_path, "override criterion I.2 max 12\noverride section I max 32\n", header="    total 102\n")
    rows = {row["code"]: row for row in tr.load(path).to_dict()["rows"]}
    assert rows["I.2"]["defined_in"] == "cum4-2023.thidua"
    assert rows["I.2"]["overridden_by"] == [f"{path}:5:1"]  # line 5: the first line after the header
    assert rows["I"]["overridden_by"] == [f"{path}:6:1"]
    assert rows["I.2"]["max"] == "12" and rows["I.1"]["overridden_by"] == []
    assert cli.main(["show", str(path)]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["total"] == "102" and [r["code"] for r in shown["rows"]][:3] == ["I", "I.1", "I.2"]


def test_new_from_a_path_extends_it_relative_to_the_new_file(tmp_path: Path) -> None:
    (tmp_path / "nam-2025").mkdir()
    out = tmp_path / "nam-2025" / "goc-2025.thidua"
    base = tmp_path / "goc-2024.thidua"
    base.write_text('ruleset "goc-2024" {\n    title "Bảng năm 2024"\n    year 2024\n    total 5\n}\n'
                    'section I max 5 {\n    criterion I.1 "Một" max 5 {\n        score assessed\n    }\n}\n',
                    encoding="utf-8")
    text = tr.scaffold(str(base), 2025, output=str(out))
    assert 'extends "../goc-2024.thidua"' in text
    assert 'title "Bảng năm 2025"' in text and 'ruleset "goc-2025"' in text
    out.write_text(text, encoding="utf-8")
    rs = tr.load(out)
    assert (rs.id, rs.header.year, list(rs.criteria)) == ("goc-2025", 2025, ["I.1"])
    with pytest.raises(tr.OptionError):
        tr.scaffold(str(base), 20250)


def test_results_and_explanations_of_an_extension_say_where_each_row_came_from(tmp_path: Path) -> None:
    path = child(tmp_path, "override criterion I.2 max 12\noverride section I max 32\n", header="    total 102\n")
    rs = tr.load(path)
    unit = tr.read_unit(REPO / "examples" / "cum4-2023" / "thai-nguyen.json")
    facts = unit.rounds["appraised"]["facts"]  # type: ignore[index]
    for traced in (True, False):
        node = rs.evaluate(facts, trace=traced)["I.2"]
        assert (node.defined_in, node.overridden_by) == ("cum4-2023.thidua", (f"{path}:5:1",))
        data = node.to_dict()
        assert (data["defined_in"], data["overridden_by"]) == ("cum4-2023.thidua", [f"{path}:5:1"])
        assert f"(defined in cum4-2023.thidua; overridden by {path}:5:1)" in node.explain().splitlines()[0]
    assert rs.evaluate(facts)["I.1"].explain().splitlines()[0].endswith("(defined in cum4-2023.thidua)")
    # A ruleset that extends nothing says nothing of it: its JSON and explanations are as before.
    plain = tr.rulesets.load("cum4-2023").evaluate(facts)["I.2"]
    assert plain.defined_in is None and "defined_in" not in plain.to_dict()
    assert "defined in" not in plain.explain()
