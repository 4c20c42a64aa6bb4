"""The shipped rulesets against the documents they were written from.

The two source documents are copied verbatim into ``tests/seeds/``. This module reads their
tables with its own small parsers (nothing from the engine), and checks that every row of the
source is in the ruleset with its verbatim title and its max, that the ruleset invents no row,
keeps the sheet's order, and (Cluster 4) keeps the evidence column.

Titles are compared after Unicode NFC normalisation and whitespace collapsing only: case,
punctuation and the trailing ``.``/``:`` of a row must match the source exactly.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

import thidua_rules

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SEEDS = HERE / "seeds"
CUM4_SOURCE = SEEDS / "000_b93d6200b07857a3.txt"
TAYNINH_SOURCE = SEEDS / "002_31b901bde85a30a0.txt"
CUM4_RULESET = ROOT / "rulesets" / "cum4-2023.thidua"
TAYNINH_RULESET = ROOT / "rulesets" / "vpubnd-tayninh-2023.thidua"

ROMAN = re.compile(r"^(?=[IVXLC]+$)C{0,3}(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")
ARABIC = re.compile(r"^\d+$")
# "1.000" is one thousand in Vietnamese typography; "5" is five; "" is no points.
POINTS = re.compile(r"^\d{1,3}(\.\d{3})*$")


def norm(text: str) -> str:
    """NFC, with every run of whitespace collapsed to one space and the ends trimmed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def points(text: str) -> Decimal | None:
    text = text.strip()
    if not text:
        return None
    assert POINTS.match(text), f"cannot read {text!r} as points"
    return Decimal(text.replace(".", ""))


@attrs.frozen
class Row:
    """One row of a source table, with the code the ruleset gives it."""

    code: str
    title: str
    max: Decimal | None
    is_section: bool
    parent: str | None
    line: int
    evidence: str = ""

    def where(self, source: Path) -> str:
        return f"{source.name}:{self.line}"


@attrs.frozen
class Sheet:
    rows: tuple[Row, ...]
    total: Decimal | None

    def by_code(self) -> dict[str, Row]:
        return {row.code: row for row in self.rows}

    def children(self, code: str) -> list[Row]:
        return [row for row in self.rows if row.parent == code]


# ---------------------------------------------------------------- Cluster 4: tab-separated rows


def parse_cum4(path: Path) -> Sheet:
    """Rows ``STT\\tTitle\\tMax\\tSelf\\tAppraised\\tEvidence``; sections are Roman numerals."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.split("\t")[:2] == ["(1)", "(2)"])
    rows: list[Row] = []
    total = None
    section: str | None = None
    for number, line in enumerate(lines[start + 1 :], start + 2):
        if not line.strip():
            continue
        if "\t" not in line:
            break  # the signature block after the table
        cells = line.split("\t")
        assert len(cells) == 6, f"{path.name}:{number}: expected 6 columns, got {len(cells)}: {line!r}"
        stt, title, top, _self, _appraised, evidence = (c.strip() for c in cells)
        if not stt:
            assert norm(title) == "TỔNG ĐIỂM", f"{path.name}:{number}: unnumbered row {title!r}"
            total = points(top)
            continue
        if ROMAN.match(stt):
            section = stt
            rows.append(Row(stt, title, points(top), True, None, number, evidence))
        elif ARABIC.match(stt):
            assert section is not None, f"{path.name}:{number}: item {stt} before any section"
            rows.append(Row(f"{section}.{stt}", title, points(top), False, section, number, evidence))
        else:
            raise AssertionError(f"{path.name}:{number}: unexpected number {stt!r}")
    return Sheet(tuple(rows), total)


# ---------------------------------------------------------------- Tây Ninh: cells ending in " |"


def parse_tayninh(path: Path) -> Sheet:
    """Cells one per line, each ending in ``|``, three to a row: STT, NỘI DUNG, ĐIỂM.

    ``A``/``B`` are parts, Roman numerals sections of part A, numbers items of the last
    section (or of part B, which has no sections).
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "STT |")
    cells: list[tuple[int, str]] = []
    for number, line in enumerate(lines[start:], start + 1):
        if not line.rstrip().endswith("|"):
            break  # "Ý kiến bạn đọc" after the table
        cells.append((number, line.rstrip()[:-1].strip()))
    assert len(cells) % 3 == 0, f"{path.name}: {len(cells)} table cells is not a whole number of rows"
    triples = [cells[i : i + 3] for i in range(0, len(cells), 3)]
    header = [text for _, text in triples[0]]
    assert header == ["STT", "NỘI DUNG", "ĐIỂM"], f"{path.name}: unexpected table header {header}"
    rows: list[Row] = []
    total = None
    part: str | None = None
    section: str | None = None
    for (number, stt), (_, title), (_, top) in triples[1:]:
        if not stt and not title and not top:
            continue  # an empty spacer row
        if not stt:
            assert norm(title) == "TỔNG ĐIỂM", f"{path.name}:{number}: unnumbered row {title!r}"
            total = points(top)
        elif stt in ("A", "B"):
            part, section = stt, None
            rows.append(Row(stt, title, points(top), True, None, number))
        elif ROMAN.match(stt):
            assert part is not None, f"{path.name}:{number}: section {stt} before any part"
            section = f"{part}.{stt}"
            rows.append(Row(section, title, points(top), True, part, number))
        elif ARABIC.match(stt):
            parent = section or part
            assert parent is not None, f"{path.name}:{number}: item {stt} before any section"
            rows.append(Row(f"{parent}.{stt}", title, points(top), False, parent, number))
        else:
            raise AssertionError(f"{path.name}:{number}: unexpected number {stt!r}")
    return Sheet(tuple(rows), total)


# ---------------------------------------------------------------- the extraction itself


def test_cum4_extraction() -> None:
    sheet = parse_cum4(CUM4_SOURCE)
    codes = [row.code for row in sheet.rows]
    assert [row.code for row in sheet.rows if row.is_section] == ["I", "II", "III", "IV", "V", "VI", "VII"]
    assert len(codes) == len(set(codes)) == 7 + 23
    assert sheet.total == 100
    by_code = sheet.by_code()
    assert by_code["II.4"].max == 10 and by_code["II.4"].evidence.startswith("Tổ tư vấn")
    assert by_code["VII.1"].max is None
    # The document's own arithmetic: items add up to their section, sections I-VI to the total.
    for section in (row for row in sheet.rows if row.is_section and row.max is not None):
        items = sheet.children(section.code)
        assert sum(row.max for row in items if row.max is not None) == section.max, section.code
    assert sum(row.max for row in sheet.rows if row.is_section and row.max is not None) == sheet.total


def test_tayninh_extraction() -> None:
    sheet = parse_tayninh(TAYNINH_SOURCE)
    by_code = sheet.by_code()
    assert [row.code for row in sheet.rows if row.is_section and row.parent == "A"] == [
        f"A.{s}" for s in ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")
    ]
    assert [row.code for row in sheet.children("B")] == ["B.1", "B.2", "B.3"]
    assert sheet.total == 1000
    assert by_code["A"].max == 900 and by_code["B"].max == 100
    assert by_code["A.I.1"].max is None and by_code["A.I.2"].max is None
    assert by_code["A.I.3"].max == 100
    assert by_code["A.VIII"].max == 100 and not sheet.children("A.VIII")
    assert by_code["B.1"].title.startswith("- ")
    # The parts add up to the total, and part A's sections to its 900.
    assert by_code["A"].max + by_code["B"].max == sheet.total
    assert sum(row.max for row in sheet.children("A") if row.max is not None) == by_code["A"].max
    # Every section whose items all carry points adds up (A.I is the known gap).
    for parent in ("A.II", "A.III", "A.IV", "A.V", "A.VI", "A.VII", "B"):
        items = sheet.children(parent)
        assert sum(row.max for row in items if row.max is not None) == by_code[parent].max, parent


# ---------------------------------------------------------------- the rulesets against the sources


def _compare(sheet: Sheet, source: Path, rs: thidua_rules.Ruleset, *, evidence: bool) -> list[str]:
    """Every difference between the source's rows and the ruleset, one message each."""
    problems: list[str] = []
    rows = sheet.by_code()
    for row in sheet.rows:
        where = f"{row.where(source)} row {row.code}"
        node = rs.criteria.get(row.code) or rs.groups.get(row.code)
        if node is None:
            problems.append(f"{where}: missing from the ruleset (source title: {norm(row.title)!r})")
            continue
        if node.title is None or norm(node.title) != norm(row.title):
            problems.append(
                f"{where}: title differs\n    source : {norm(row.title)!r}\n"
                f"    ruleset: {norm(node.title or '')!r}"
            )
        if row.max is not None and node.max != row.max:
            problems.append(f"{where}: max differs: source {row.max}, ruleset {node.max}")
        if evidence and row.evidence:
            crit = rs.criteria.get(row.code)
            kept = [norm(t) for t in (*crit.evidence, *crit.verifiers)] if crit is not None else []
            if norm(row.evidence) not in kept:
                problems.append(
                    f"{where}: evidence column {norm(row.evidence)!r} is neither an evidence "
                    f"nor a verifier of the ruleset (has {kept})"
                )
    # Nothing invented: each criterion and section of the ruleset is a row of the source, except a
    # lone criterion standing for a source row that has no items of its own (same title).
    for code, crit in rs.criteria.items():
        if code in rows:
            continue
        parent = rows.get(crit.parent or "")
        lone = (
            parent is not None and not sheet.children(parent.code)
            and len(rs.groups[parent.code].children) == 1 and norm(crit.title) == norm(parent.title)
        )
        if not lone:
            problems.append(f"ruleset criterion {code} ({norm(crit.title)!r}) is not a row of {source.name}")
    for code, group in rs.groups.items():
        if group.is_section and code not in rows:
            problems.append(f"ruleset section {code} is not a row of {source.name}")
    # The sheet's order.
    source_order = [row.code for row in sheet.rows if row.code in rs.criteria]
    ruleset_order = [code for code in rs.criteria if code in rows]
    if source_order != ruleset_order:
        problems.append(
            f"criteria are not in the source's order:\n    source : {source_order}\n"
            f"    ruleset: {ruleset_order}"
        )
    if sheet.total is not None and rs.total != sheet.total:
        problems.append(f"total differs: source {sheet.total}, ruleset {rs.total}")
    return problems


def _fail(problems: list[str], ruleset: Path, source: Path) -> None:
    if problems:
        pytest.fail(
            f"{ruleset.name} does not match {source.name} ({len(problems)} problem(s)):\n"
            + "\n".join(f"  - {p}" for p in problems),
            pytrace=False,
        )


def test_cum4_ruleset_matches_source() -> None:
    rs = thidua_rules.load(CUM4_RULESET)
    problems = _compare(parse_cum4(CUM4_SOURCE), CUM4_SOURCE, rs, evidence=True)
    _fail(problems, CUM4_RULESET, CUM4_SOURCE)


def test_tayninh_ruleset_matches_source() -> None:
    rs = thidua_rules.load(TAYNINH_RULESET)
    problems = _compare(parse_tayninh(TAYNINH_SOURCE), TAYNINH_SOURCE, rs, evidence=False)
    _fail(problems, TAYNINH_RULESET, TAYNINH_SOURCE)


def test_tayninh_gaps_are_recorded() -> None:
    """A row without points, or whose text ends in ':' (its tiers lost), must carry an assumption."""
    sheet = parse_tayninh(TAYNINH_SOURCE)
    rs = thidua_rules.load(TAYNINH_RULESET)
    problems = []
    for row in sheet.rows:
        if row.is_section or row.code not in rs.criteria:
            continue  # missing rows are reported by test_tayninh_ruleset_matches_source
        gap = (
            "gives no points" if row.max is None
            else "ends in ':' (its tiers are lost)" if norm(row.title).endswith(":") else None
        )
        if gap and not rs.criteria[row.code].assumptions:
            problems.append(
                f"{row.where(TAYNINH_SOURCE)} row {row.code} {gap}, but the ruleset records no assumption"
            )
    _fail(problems, TAYNINH_RULESET, TAYNINH_SOURCE)


def test_tayninh_ruleset_loads_without_warnings() -> None:
    rs = thidua_rules.load(TAYNINH_RULESET)
    assert not rs.warnings, "\n".join(w.render() for w in rs.warnings)


def test_seed_copies_are_verbatim() -> None:
    """The copies are the documents themselves: the table heads are where the parsers expect."""
    assert "STT\tTiêu chí, tiêu chí thành phần\tĐiểm tối đa" in CUM4_SOURCE.read_text(encoding="utf-8")
    assert "STT |\nNỘI DUNG |\nĐIỂM |" in TAYNINH_SOURCE.read_text(encoding="utf-8")
