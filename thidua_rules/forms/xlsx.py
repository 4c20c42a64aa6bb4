"""The official form as an .xlsx workbook, out and back in (needs the ``xlsx`` extra: openpyxl).

Layout of a unit's sheet, as in the source documents: header rows (title, document, year, the
unit, the ruleset's id), then the table with the columns (1) STT, (2) nội dung tiêu chí, (3)
điểm tối đa, one column per round ((4) điểm tự chấm, (5) điểm thẩm định), (6) giải trình / tài
liệu kiểm chứng, and a last column of notes the library writes (flags, caps, assumptions).
Section and group rows carry their subtotals; bonus, deductions and total rows follow; below,
the facts the rules read (counts, ranks, yes/no, levels), one column per round; then the
signature block. ``read_form`` reads a unit back from that same sheet, once typed in.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from ..errors import ExtraNeededError, FactProblem, FactsError, ThiduaError
from ..evaluation.runtime import parse_number
from ..io.rulesets import load as load_shipped
from ..io.units import UnitFile
from ..reports.submission import Submission
from ..ruleset import Ruleset, load
from ..source import fold, nfc
from .locale import Lang
from .sheet import Sheet, build_sheet, fact_lines, ruleset_ref
from .standings import Board

#: Vietnamese-locale display of numbers (a decimal comma where the program honours the locale).
NUMBER_FORMAT = "[$-42A]General"
#: Column A's heading of the table and of the facts block: how ``read_form`` finds them.
TABLE_HEAD = {"vi": "STT", "en": "No."}
FACTS_HEAD = {"vi": "Mã số liệu", "en": "Fact"}
UNIT_LABEL = {"vi": "Đơn vị:", "en": "Unit:"}
RULESET_LABEL = {"vi": "Bộ tiêu chí:", "en": "Ruleset:"}
HEADER_ROW = 7


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:
        raise ExtraNeededError("writing and reading .xlsx needs openpyxl: pip install 'thidua_rules[xlsx]'") from None
    return openpyxl


def _styles() -> dict[str, Any]:
    styles = _openpyxl().styles
    thin = styles.Side(style="thin")
    return {
        "border": styles.Border(left=thin, right=thin, top=thin, bottom=thin),
        "bold": styles.Font(bold=True),
        "title": styles.Font(bold=True, size=14),
        "italic": styles.Font(italic=True),
        "flag": styles.Font(color="B00000"),
        "wrap": styles.Alignment(wrap_text=True, vertical="top"),
        "center": styles.Alignment(horizontal="center", vertical="center", wrap_text=True),
        "number": styles.Alignment(horizontal="right", vertical="top"),
        "section": styles.PatternFill("solid", fgColor="E8EEF7"),
        "flagfill": styles.PatternFill("solid", fgColor="FDECEA"),
    }


def _cell(ws: Any, row: int, col: int, value: object, *styles: Any) -> Any:
    cell = ws.cell(row=row, column=col, value=value)
    for style in styles:
        if hasattr(style, "wrap_text"):
            cell.alignment = style
        elif hasattr(style, "fgColor") and hasattr(style, "fill_type"):
            cell.fill = style
        elif hasattr(style, "left"):
            cell.border = style
        else:
            cell.font = style
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        cell.number_format = NUMBER_FORMAT
    return cell


def _fact_cell(value: object, lang: Lang) -> object:
    if isinstance(value, bool):
        return ("có" if value else "không") if lang == "vi" else ("yes" if value else "no")
    return value


def _print_setup(ws: Any, title_rows: str | None = None) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    if title_rows:
        ws.print_title_rows = title_rows


def form_sheet(ws: Any, sheet: Sheet, out: str | os.PathLike[str] | None = None) -> None:
    """Write one unit's form on the worksheet ``ws`` (of the workbook saved as ``out``)."""
    s = _styles()
    vi = sheet.lang == "vi"
    rounds = [label for _, label in sheet.columns] + ([sheet.final_label] if sheet.final_column else [])
    last = 3 + len(rounds) + 2  # … explanation, notes
    explain_col, notes_col = last - 1, last
    heads = [
        TABLE_HEAD[sheet.lang],
        "Nội dung tiêu chí" if vi else "Criterion",
        "Điểm tối đa" if vi else "Max",
        *rounds,
        "Giải trình / tài liệu kiểm chứng" if vi else "Explanation / evidence",
        "Ghi chú (phần mềm ghi)" if vi else "Notes (written by the program)",
    ]
    for line, text, font in (
        (1, sheet.title, s["title"]),
        (2, sheet.document, s["italic"]),
        (3, (("Năm " if vi else "Year ") + sheet.year) if sheet.year else "", s["bold"]),
    ):
        ws.merge_cells(start_row=line, start_column=1, end_row=line, end_column=last)
        _cell(ws, line, 1, text or None, font, s["center"])
    ws.row_dimensions[1].height = 36
    _cell(ws, 4, 1, UNIT_LABEL[sheet.lang], s["bold"])
    ws.merge_cells(start_row=4, start_column=2, end_row=4, end_column=last)
    _cell(ws, 4, 2, sheet.unit or None, s["bold"])
    _cell(ws, 5, 1, RULESET_LABEL[sheet.lang], s["italic"])
    _cell(ws, 5, 2, _relative(sheet.ruleset, out), s["italic"])
    if sheet.illustrative:
        _cell(ws, 5, 3, "(dữ liệu minh họa / illustrative data)", s["italic"])
    if sheet.assumptions:  # the header's assumptions, in the header (row 6, above the table)
        lead = "Giả định chung" if vi else "General assumptions"
        text = "\n".join(f"{lead}: {a}" for a in sheet.assumptions)
        ws.merge_cells(start_row=HEADER_ROW - 1, start_column=1, end_row=HEADER_ROW - 1, end_column=last)
        _cell(ws, HEADER_ROW - 1, 1, text, s["italic"], s["wrap"])
        lines = sum(_wrapped(part, int(sum((60, 10, 14 * len(rounds), 80, 8)) * CHARS_PER_WIDTH))
                    for part in text.split("\n"))
        ws.row_dimensions[HEADER_ROW - 1].height = LINE_HEIGHT * lines
    for col, head in enumerate(heads, 1):
        _cell(ws, HEADER_ROW, col, head, s["bold"], s["center"], s["border"])
        _cell(ws, HEADER_ROW + 1, col, f"({col})", s["italic"], s["center"], s["border"])
    r = HEADER_ROW + 2
    for row in sheet.rows:
        section = row.kind != "criterion"
        style = [s["bold"], s["section"]] if section else []
        _cell(ws, r, 1, row.code, s["wrap"], s["border"], *style)
        _cell(ws, r, 2, row.title, s["wrap"], s["border"], *style)
        _cell(ws, r, 3, row.max, s["number"], s["border"], *style)
        values = [*row.scores, *([row.final] if sheet.final_column else [])]
        for i, v in enumerate(values):
            _cell(ws, r, 4 + i, v, s["number"], s["border"], *style)
        _cell(
            ws,
            r,
            explain_col,
            "\n".join([*row.evidence, *([row.explanation] if row.explanation else [])]) or None,
            s["wrap"],
            s["border"],
            *style,
        )
        notes = [f"⚠ {f}" for f in row.flags] + [
            (f"Giả định ({row.code}): " if vi else f"Assumption ({row.code}): ") + a for a in row.assumptions
        ]
        _cell(
            ws,
            r,
            notes_col,
            "\n".join(notes) or None,
            s["wrap"],
            s["border"],
            *(style or []),
            *([s["flag"], s["flagfill"]] if row.flags else []),
        )
        r += 1
    for total in sheet.totals:
        _cell(ws, r, 1, None, s["border"])
        _cell(ws, r, 2, total.label, s["bold"], s["border"])
        _cell(ws, r, 3, None, s["border"])
        values = [*total.values, *([total.final] if sheet.final_column else [])]
        for i, v in enumerate(values):
            _cell(ws, r, 4 + i, v, s["bold"], s["number"], s["border"])
        _cell(ws, r, explain_col, None, s["border"])
        _cell(ws, r, notes_col, None, s["border"])
        r += 1
    if sheet.facts:
        r += 1
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=last)
        _cell(ws, r, 1, "SỐ LIỆU KÊ KHAI (dùng để tính điểm)" if vi else "FACTS (the rules read them)", s["bold"])
        r += 1
        fact_heads: list[str | None] = [
            FACTS_HEAD[sheet.lang],
            "Nội dung, cách ghi" if vi else "Label, how to fill",
            None,
            *(label for _, label in sheet.columns),
        ]
        for col, title in enumerate(fact_heads, 1):
            _cell(ws, r, col, title, s["bold"], s["center"], s["border"])
        r += 1
        for fact in sheet.facts:
            how = f"{'Cách ghi' if vi else 'How to fill'}: {fact.what}"
            _cell(ws, r, 1, fact.name, s["wrap"], s["border"])
            _cell(ws, r, 2, f"{fact.label}\n{how}", s["wrap"], s["border"])
            _cell(ws, r, 3, None, s["border"])
            for i, given in enumerate(fact.values):
                _cell(ws, r, 4 + i, _fact_cell(given, sheet.lang), s["number"], s["border"])
            r += 1
    r += 2
    ws.merge_cells(start_row=r, start_column=explain_col, end_row=r, end_column=last)
    _cell(ws, r, explain_col, "…, ngày … tháng … năm …" if vi else "…, date …", s["italic"], s["center"])
    r += 1
    left, right = ("NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ") if vi else ("PREPARED BY", "HEAD OF THE UNIT")
    _cell(ws, r, 2, left, s["bold"], s["center"])
    ws.merge_cells(start_row=r, start_column=explain_col, end_row=r, end_column=last)
    _cell(ws, r, explain_col, right, s["bold"], s["center"])
    r += 1
    sign = "(Ký, ghi rõ họ tên)" if vi else "(signature and full name)"
    _cell(ws, r, 2, sign, s["italic"], s["center"])
    ws.merge_cells(start_row=r, start_column=explain_col, end_row=r, end_column=last)
    _cell(ws, r, explain_col, "(Ký tên, đóng dấu)" if vi else "(signature and seal)", s["italic"], s["center"])
    names = [len(row.code) + 2 for row in sheet.rows] + [len(f.name) + 2 for f in sheet.facts]
    widths: dict[int, float] = {1: min(max([8, *names]), 26), 2: 60, 3: 10}
    for i in range(len(rounds)):
        widths[4 + i] = 14
    widths[explain_col], widths[notes_col] = 40, 40
    letters = _openpyxl().utils.get_column_letter
    for col, width in widths.items():
        ws.column_dimensions[letters(col)].width = width
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 2, column=3)
    fit_heights(ws, widths, first=HEADER_ROW)
    # bold headings wrap sooner than the estimate: room for three lines ("Điểm Hội đồng … xét")
    ws.row_dimensions[HEADER_ROW].height = max(ws.row_dimensions[HEADER_ROW].height or 0, 3 * LINE_HEIGHT)
    _print_setup(ws, f"{HEADER_ROW}:{HEADER_ROW + 1}")


#: Points per line of 11-point text, and the characters a column of width 1 holds (a little less
#: than one: Vietnamese letters with marks are wider than the digit the width is measured in).
LINE_HEIGHT = 15
CHARS_PER_WIDTH = 1.1


def _wrapped(text: str, width: int) -> int:
    """The lines ``text`` takes when wrapped at word boundaries to ``width`` characters."""
    lines, used = 1, 0
    for word in text.split():
        size = len(word)
        if used and used + 1 + size > width:
            lines, used = lines + 1, 0
        while size > width:  # a word longer than the line breaks inside
            lines, size = lines + 1, size - width
        used = size if not used else used + 1 + size
    return lines


def fit_heights(ws: Any, widths: Mapping[int, float], *, first: int = 1) -> None:
    """Give each row the height its wrapped text needs: spreadsheet programs (LibreOffice, and
    Excel for a file it did not write) do not grow a row to fit wrapped text by themselves."""
    merged = {(r.min_row, r.min_col) for r in ws.merged_cells.ranges}
    for row in ws.iter_rows(min_row=first):
        lines = 1
        for cell in row:
            if not isinstance(cell.value, str) or (cell.row, cell.column) in merged:
                continue
            per_line = max(1, int(widths.get(cell.column, 10) * CHARS_PER_WIDTH))
            needed = sum(_wrapped(part, per_line) for part in cell.value.split("\n"))
            lines = max(lines, needed)
        if lines > 1:
            ws.row_dimensions[row[0].row].height = LINE_HEIGHT * lines


def _relative(ruleset: str, out: str | os.PathLike[str] | None) -> str:
    """A ruleset file's path as seen from the workbook's folder (a shipped id as it is)."""
    if out is None or not ruleset.endswith(".thidua") or not os.path.exists(ruleset):
        return ruleset
    try:
        return os.path.relpath(os.path.abspath(ruleset), os.path.dirname(os.path.abspath(os.fspath(out))))
    except ValueError:  # another drive (Windows)
        return os.path.abspath(ruleset)


def _title(name: str, taken: set[str]) -> str:
    """A worksheet title: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = "".join("_" if c in "[]:*?/\\" else c for c in name).strip("' ")[:31] or "Sheet"
    title, n = base, 2
    while fold(title) in taken:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(fold(title))
    return title


def write_sheet(sheet: Sheet, path: str | os.PathLike[str]) -> None:
    """Save one unit's form (or a blank template) as an .xlsx file."""
    wb = _openpyxl().Workbook()
    ws = wb.active
    ws.title = _title(sheet.unit or ("Phiếu chấm" if sheet.lang == "vi" else "Form"), set())
    form_sheet(ws, sheet, path)
    _save(wb, path)


def _save(wb: Any, path: str | os.PathLike[str]) -> None:
    try:
        wb.save(os.fspath(path))
    except OSError as error:
        raise FactsError([FactProblem(os.fspath(path), f"cannot write: {error.strerror or error}")]) from None


def write_board(board: Board, sheets: list[Sheet], path: str | os.PathLike[str]) -> None:
    """Save the standings workbook: a sheet of positions, totals, ties and awards, a sheet per
    classification, then one sheet per unit's form."""
    s = _styles()
    vi = board.lang == "vi"
    wb = _openpyxl().Workbook()
    ws = wb.active
    taken: set[str] = set()
    ws.title = _title("Xếp hạng" if vi else "Standings", taken)
    heads = [
        "Hạng" if vi else "Position",
        "Đơn vị" if vi else "Unit",
        "Tổng điểm" if vi else "Total",
        "Bằng điểm" if vi else "Tied",
        "Khen thưởng" if vi else "Award",
        "Ghi chú" if vi else "Notes",
    ]
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(heads))
    _cell(ws, 1, 1, board.title, s["title"], s["center"])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(heads))
    _cell(ws, 2, 1, ("Xếp hạng theo: " if vi else "Ranked by: ") + ", ".join(board.orders), s["italic"], s["center"])
    for col, head in enumerate(heads, 1):
        _cell(ws, 4, col, head, s["bold"], s["center"], s["border"])
    r = 5
    for line in board.lines:
        values: list[object] = [
            line.position,
            line.unit,
            line.total,
            ("có" if vi else "yes") if line.tied else None,
            line.award or None,
            "\n".join(line.notes) or None,
        ]
        for col, v in enumerate(values, 1):
            _cell(ws, r, col, v, s["wrap"] if col in (2, 6) else s["number"], s["border"])
        r += 1
    for award, units in board.contested:
        r += 1
        _cell(
            ws,
            r,
            2,
            f"⚠ {award}: "
            + ("bằng điểm ở ranh giới, Hội đồng quyết định: " if vi else "tied at the boundary, the council decides: ")
            + ", ".join(units),
            s["flag"],
        )
    for award, count in board.unfilled:
        r += 1
        _cell(
            ws,
            r,
            2,
            f"⚠ {award}: " + (f"còn {count} suất chưa trao" if vi else f"{count} place(s) not given"),
            s["flag"],
        )
    for letter, width in zip("ABCDEF", (8, 40, 12, 10, 28, 70), strict=True):
        ws.column_dimensions[letter].width = width
    fit_heights(ws, dict(enumerate((8, 40, 12, 10, 28, 70), 1)), first=4)
    _print_setup(ws, "4:4")
    for table in board.classes:
        cs = wb.create_sheet(_title(table.title, taken))
        _cell(cs, 1, 1, table.title, s["title"])
        for index, head in enumerate(
            [
                "Đơn vị" if vi else "Unit",
                "Tổng điểm" if vi else "Total",
                "Xếp loại" if vi else "Level",
                "Lý do" if vi else "Reasons",
            ],
            1,
        ):
            _cell(cs, 3, index, head, s["bold"], s["center"], s["border"])
        for i, c in enumerate(table.lines):
            for index, v in enumerate([c.unit, c.total, c.level, "\n".join(c.reasons)], 1):
                _cell(cs, 4 + i, index, v, s["wrap"], s["border"])
        for letter, width in zip("ABCD", (40, 12, 24, 80), strict=True):
            cs.column_dimensions[letter].width = width
        fit_heights(cs, dict(enumerate((40, 12, 24, 80), 1)), first=3)
        _print_setup(cs, "3:3")
    for sheet in sheets:
        form_sheet(wb.create_sheet(_title(sheet.unit, taken)), sheet, path)
    _save(wb, path)


def _given_facts(rs: Ruleset, given: Mapping[str, Any] | None) -> dict[str, Mapping[str, Any]]:
    """The facts of each round as the unit's file gave them (``"*"``: the last round)."""
    out: dict[str, Mapping[str, Any]] = {}
    last = rs.rounds[-1].name if rs.rounds else "*"
    for name, block in (given or {}).items():
        if not isinstance(block, Mapping):
            continue
        facts = block.get("facts", {}) if ("facts" in block or "claims" in block) else block
        if isinstance(facts, Mapping):
            out[last if name == "*" else nfc(str(name))] = {nfc(str(k)): v for k, v in facts.items()}
    return out


def judged_facts(rs: Ruleset) -> dict[str, str]:
    """Each judged criterion's code and the fact its score is typed into (its code, or the
    name of ``score assessed as NAME``)."""
    return {spec.criterion: name for name, spec in rs.facts.items() if spec.kind == "assessed" and spec.criterion}


def for_typing(rs: Ruleset, sub: Submission, sheet: Sheet, given: Mapping[str, Any] | None = None) -> Sheet:
    """The form laid out to be typed into and read back: a column per round the ruleset
    declares ((4) điểm tự chấm, (5) điểm thẩm định …), empty for a round not yet given; in a
    judged row the score as typed (above its max too: the note says what counted); in a computed
    row the score the unit claimed, where it claimed one; the facts of every round given, a
    partial one's too. A final column only where the final score is no single round's."""
    if not rs.rounds:
        return sheet
    declared = tuple((r.name, r.label) for r in rs.rounds)
    shown = [name for name, _ in sheet.columns]
    facts = _given_facts(rs, given)
    judged = judged_facts(rs)
    claims = {row.code: row.claims for row in sub.rows}

    def typed(code: str, round_name: str, counted: Decimal | None) -> Decimal | None:
        raw = facts.get(round_name, {}).get(judged.get(code, ""))
        if code in judged and isinstance(raw, Decimal | int) and not isinstance(raw, bool):
            return Decimal(raw)
        return claims.get(code, {}).get(round_name, counted)

    def spread(values: tuple[Decimal | None, ...]) -> dict[str, Decimal | None]:
        return dict(zip(shown, values, strict=True))

    rows = []
    for row in sheet.rows:
        scores = spread(row.scores)
        values = tuple(
            typed(row.code, name, scores.get(name)) if row.kind == "criterion" else scores.get(name)
            for name, _ in declared
        )
        rows.append(attrs.evolve(row, scores=values))
    totals = [attrs.evolve(t, values=tuple(spread(t.values).get(n) for n, _ in declared)) for t in sheet.totals]
    last = shown[-1] if shown else None
    final_column = last is None or any(
        spread(line.scores).get(last) != line.final for line in sheet.rows
    ) or any(spread(t.values).get(last) != t.final for t in sheet.totals)
    rounds = [facts.get(n) or (sub.rounds[n].facts if n in sub.rounds else {}) for n, _ in declared]
    return attrs.evolve(
        sheet, columns=declared, final_column=final_column, rows=tuple(rows), totals=tuple(totals),
        facts=fact_lines(rs, sheet.lang, rounds),
    )


def write_xlsx(
    rs: Ruleset,
    sub: Submission,
    path: str | os.PathLike[str],
    *,
    lang: str = "vi",
    explanations: Mapping[str, str] | None = None,
    illustrative: bool = False,
    given: Mapping[str, Any] | None = None,
) -> None:
    """Save a unit's scored form as .xlsx (the official layout, ``lang`` "vi" or "en").

    ``given`` is the unit's rounds as its file gave them (``UnitFile.rounds``): with it, the
    judged scores are shown as typed and a partial round's facts are kept, so that the sheet
    reads back (``read_form``) as the same unit."""
    from .locale import check_lang

    sheet = build_sheet(rs, sub, lang=check_lang(lang), explanations=explanations, illustrative=illustrative)
    write_sheet(for_typing(rs, sub, sheet, given), path)


# ---------------------------------------------------------------- reading a form back

_TRUE = {fold(w) for w in ("có", "x", "đúng", "đạt", "true", "yes", "1")}
_FALSE = {fold(w) for w in ("không", "sai", "không đạt", "false", "no", "0")}


def cell_number(value: object) -> Decimal | str:
    """A typed cell as an exact Decimal, or why it is not a number.

    Excel keeps numbers as binary doubles: a typed 4.5 comes back as the float 4.5, whose
    shortest repr is the decimal typed (for up to 15 significant digits). Text cells may use a
    decimal comma (``"4,5"``).
    """
    if isinstance(value, bool):
        return "expected a number, got true/false"
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        try:
            return Decimal(repr(value))
        except InvalidOperation:
            return f"expected a finite number, got {value}"
    if isinstance(value, str):
        try:
            return parse_number(value)
        except FactsError as error:
            return error.problems[0].message
    return f"expected a number, got {type(value).__name__}"


def cell_fact(value: object, kind: str) -> tuple[object, str | None]:
    """A fact's cell as the value the ruleset reads, or why it cannot be."""
    if kind == "boolean":
        if isinstance(value, bool):
            return value, None
        key = fold(str(value))
        if key in _TRUE:
            return True, None
        if key in _FALSE:
            return False, None
        return None, f'expected "có" or "không", got "{value}"'
    if kind not in ("count", "rank", "number", "percent", "assessed"):
        return nfc(str(value)).strip(), None  # a level: the ruleset compares levels folded
    got = cell_number(value)
    return (None, got) if isinstance(got, str) else (got, None)


def _text(value: object) -> str:
    return "" if value is None else nfc(str(value)).strip()


def _ruleset_named(name: str, where: str) -> Ruleset:
    try:
        if os.path.exists(name) or name.endswith(".thidua"):
            return load(name)
        return load_shipped(name)
    except Exception as error:  # a ThiduaError: the name leads nowhere
        raise FactsError(
            [FactProblem(where, f'the ruleset "{name}" cannot be loaded: {str(error).splitlines()[0]}')]
        ) from None


def read_form(path: str | os.PathLike[str], ruleset: Ruleset | None = None) -> UnitFile:
    """Read a unit back from its form's .xlsx: the unit's name, its facts and judged scores per
    round, the scores it wrote for computed criteria (claims, when they differ from the rule's),
    and its explanations.

    Every bad cell is reported, with its sheet and cell, in one ``FactsError``. Without
    ``ruleset`` the sheet's own ruleset (row 5) is loaded; with one, a sheet written for
    another ruleset is refused, naming both.
    """
    openpyxl = _openpyxl()
    name = os.fspath(path)
    try:
        wb = openpyxl.load_workbook(name, data_only=True, read_only=False)
    except FileNotFoundError:
        raise FactsError([FactProblem(name, "cannot read: No such file or directory")]) from None
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise FactsError([FactProblem(name, f"not an .xlsx workbook: {type(error).__name__}")]) from None
    ws = wb.worksheets[0]
    where = f"{name}: {ws.title}"
    cells = {(c.row, c.column): c.value for row in ws.iter_rows() for c in row if c.value is not None}
    first = {r: _text(v) for (r, c), v in cells.items() if c == 1}
    unit_row = next((r for r, v in first.items() if fold(v) in {fold(x) for x in UNIT_LABEL.values()}), None)
    rs_row = next((r for r, v in first.items() if fold(v) in {fold(x) for x in RULESET_LABEL.values()}), None)
    written_for = _text(cells.get((rs_row, 2))) if rs_row else ""
    if written_for.endswith(".thidua") and not os.path.isabs(written_for):
        beside = os.path.join(os.path.dirname(name), written_for)  # relative to the workbook's folder
        written_for = beside if os.path.exists(beside) else written_for
    if ruleset is None:
        if not written_for:
            raise FactsError([FactProblem(where, 'the sheet names no ruleset (row "Bộ tiêu chí:"); give one')])
        rs = _ruleset_named(written_for, where)
    else:
        rs = ruleset
        if written_for and written_for != rs.id:
            try:
                other = _ruleset_named(written_for, where).id
            except FactsError:
                other = written_for
            if other != rs.id:
                raise FactsError([FactProblem(where, f'the file is for the ruleset "{written_for}", not "{rs.id}"')])
    unit = _text(cells.get((unit_row, 2))) if unit_row else ""
    head = next((r for r, v in sorted(first.items()) if fold(v) in {fold(x) for x in TABLE_HEAD.values()}), None)
    if head is None:
        raise FactsError([FactProblem(where, 'no table: no row starts with "STT"')])
    letters = openpyxl.utils.get_column_letter
    by_label = {fold(r.label): r.name for r in rs.rounds} | {fold(r.name): r.name for r in rs.rounds}
    round_cols = {
        c: by_label[fold(_text(v))] for (r, c), v in cells.items() if r == head and fold(_text(v)) in by_label
    }
    if not round_cols:
        labels = ", ".join(f'"{r.label}"' for r in rs.rounds)
        raise FactsError([FactProblem(where, f"no column of the table is headed by a round: {labels}")])
    explain_col = max((c for (r, c) in cells if r == head), default=0) - 1
    problems: list[FactProblem] = []
    facts: dict[str, dict[str, object]] = {n: {} for n in round_cols.values()}
    typed: dict[str, dict[str, Decimal]] = {n: {} for n in round_cols.values()}
    explanations: dict[str, str] = {}
    cell_of: dict[tuple[str, str], str] = {}  # (round, fact) -> the cell it was read from
    typed_at: dict[tuple[str, str], str] = {}  # (round, computed criterion) -> the cell of its typed score
    codes = {fold(c): c for c in rs.criteria}
    judged = judged_facts(rs)
    fact_names = {fold(n): n for n, s in rs.facts.items() if s.kind != "assessed"}
    fact_heads = {fold(x) for x in FACTS_HEAD.values()}
    fact_head = next((r for r, v in sorted(first.items()) if r > head and fold(v) in fact_heads), None)
    for r, v in sorted(first.items()):
        if r <= head + 1:
            continue
        key = fold(v)
        if (fact_head is None or r < fact_head) and key in codes:
            code = codes[key]
            criterion = rs.criteria[code]
            for c, round_name in round_cols.items():
                value = cells.get((r, c))
                if value is None or _text(value) == "":
                    continue
                score = cell_number(value)
                if isinstance(score, str):
                    problems.append(FactProblem(f"{where}!{letters(c)}{r} ({code})", score))
                elif code in judged:
                    facts[round_name][judged[code]] = score
                else:
                    typed[round_name][code] = score
                    typed_at[(round_name, code)] = f"{where}!{letters(c)}{r}"
            lines = [ln for ln in _text(cells.get((r, explain_col))).splitlines() if ln.strip()]
            known = (
                {fold(e) for e in criterion.evidence}
                | {fold(f"Xác minh: {x}") for x in criterion.verifiers}
                | {fold(f"Verified by: {x}") for x in criterion.verifiers}
            )
            own = [ln for ln in lines if fold(ln) not in known]
            if own:
                explanations[code] = "\n".join(own)
        elif fact_head is not None and r > fact_head and key in fact_names:
            fact = fact_names[key]
            spec = rs.facts[fact]
            for c, round_name in round_cols.items():
                value = cells.get((r, c))
                if value is None or _text(value) == "":
                    continue
                got, why = cell_fact(value, spec.kind)
                if why is not None:
                    problems.append(FactProblem(f"{where}!{letters(c)}{r} ({fact})", why))
                else:
                    facts[round_name][fact] = got
                    cell_of[(round_name, fact)] = f"{where}!{letters(c)}{r}"
    # The values read are checked here too (a negative count, a level off the scale …), so every
    # bad cell is reported at once with its cell. Judged scores are left to the submission: a self
    # round may claim one above its max on purpose (it is flagged, not refused).
    for round_name, given in facts.items():
        for found in rs.evaluator.validate(given)[2]:
            if (round_name, found.fact) in cell_of:
                problems.append(FactProblem(f"{cell_of[(round_name, found.fact)]} ({found.fact})", found.message))
    if problems:
        raise FactsError(problems)
    rounds: dict[str, Any] = {}
    for round_name in (r.name for r in rs.rounds):
        if round_name not in facts or not (facts[round_name] or typed[round_name]):
            continue
        claims, unscored = _claims(rs, facts[round_name], typed[round_name])
        for code in unscored:
            rule = rs.criteria[code].rule
            needs = ", ".join(n for n in rs.facts if re.search(rf"(?<![\w.]){re.escape(n)}(?![\w.])", rule))
            problems.append(FactProblem(
                f"{typed_at[(round_name, code)]} ({code})",
                f"{code} is computed from facts ({needs or rule}) that this round does not give: "
                "fill them in the facts block, in this round's column",
            ))
        rounds[round_name] = {"facts": facts[round_name], **({"claims": claims} if claims else {})}
    if problems:
        raise FactsError(problems)
    if not rounds:
        raise FactsError([FactProblem(where, "no score or fact is filled in")])
    illustrative = rs_row is not None and "minh họa" in _text(cells.get((rs_row, 3)))
    unit = unit or os.path.splitext(os.path.basename(name))[0]
    return UnitFile(unit, ruleset_ref(rs), rounds, illustrative, name, explanations)


def _claims(rs: Ruleset, facts: dict[str, object], typed: dict[str, Decimal]) -> tuple[dict[str, Decimal], list[str]]:
    """The scores typed for computed criteria that differ from what the rule gives (claims),
    and the criteria typed whose rule cannot be followed: the round lacks the facts it reads."""
    if not typed:
        return {}, []
    scores: Mapping[str, Decimal | None]
    try:
        scores = rs.evaluate_submission({"*": facts}, trace=False).round_scores[rs.rounds[-1].name]
    except FactsError:  # a partial round: the rows its facts score
        try:
            walk = rs.evaluator.run(facts, trace=True, cohort=None).walk
        except ThiduaError:
            return dict(typed), []
        scores = {code: node.score for code, node in walk.out.items()}
    except ThiduaError:  # a cohort ruleset: the rule needs the other units; claims are checked then
        return dict(typed), []
    unscored = [code for code in typed if scores.get(code) is None]
    return {code: v for code, v in typed.items() if code not in unscored and scores.get(code) != v}, unscored
