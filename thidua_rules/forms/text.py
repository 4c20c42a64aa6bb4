"""The form and the standings as plain text (a terminal) and as Markdown."""

from __future__ import annotations

from decimal import Decimal

from .locale import number
from .sheet import Sheet, SheetRow
from .standings import Board

TITLE_WIDTH = 52
EVIDENCE_WIDTH = 40


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _heads(sheet: Sheet) -> list[str]:
    vi = sheet.lang == "vi"
    return [
        "STT",
        "Nội dung tiêu chí" if vi else "Criterion",
        "Tối đa" if vi else "Max",
        *(label for _, label in sheet.columns),
        *([sheet.final_label] if sheet.final_column else []),
        "Chênh lệch" if vi else "Difference",
        "Giải trình / TLKC" if vi else "Explanation / evidence",
    ]


def _figures(sheet: Sheet, row: SheetRow) -> list[str]:
    n = sheet.lang
    return [
        number(row.max, n),
        *(number(s, n) for s in row.scores),
        *([number(row.final, n)] if sheet.final_column else []),
        number(row.difference, n),
    ]


def _header_lines(sheet: Sheet) -> list[str]:
    vi = sheet.lang == "vi"
    lines = []
    if sheet.illustrative:
        lines.append("(dữ liệu minh họa / illustrative data)")
    lines.append(sheet.title)
    if sheet.document:
        lines.append(sheet.document)
    if sheet.year:
        lines.append(("Năm " if vi else "Year ") + sheet.year)
    lines.append(("Đơn vị: " if vi else "Unit: ") + (sheet.unit or "—"))
    return lines


def total_lines(sheet: Sheet) -> list[str]:
    """``Tổng (Điểm thẩm định): 98,5 = điểm chuẩn 93,5 + điểm cộng 5 − điểm trừ 0``: the final
    total first, then each other complete round's."""
    vi = sheet.lang == "vi"
    figures = {t.label: t for t in sheet.totals}
    names = ["Điểm chuẩn", "Điểm cộng", "Điểm trừ", "Tổng cộng"] if vi else ["Standard", "Bonus", "Deductions", "Total"]
    if not all(n in figures for n in names):
        return []
    standard, bonus, deductions, total = (figures[n] for n in names)
    adjusted = figures.get("Điều chỉnh theo giới hạn" if vi else "Adjusted by bounds")
    words = ("Tổng", "điểm chuẩn", "điểm cộng", "điểm trừ", "điều chỉnh theo giới hạn") if vi else (
        "Total", "standard", "bonus", "deductions", "adjusted by bounds")

    def line(label: str, t: Decimal | None, s: Decimal | None, b: Decimal | None, d: Decimal | None,
             a: Decimal | None) -> str:
        n = sheet.lang
        tail = f" + {words[4]} {number(a, n)}" if a else ""
        return (
            f"{words[0]} ({label}): {number(t, n)} = {words[1]} {number(s, n)} + {words[2]} {number(b, n)} "
            f"− {words[3]} {number(d, n)}{tail}"
        )

    def adjustment(i: int | None) -> Decimal | None:
        if adjusted is None:
            return None
        return adjusted.final if i is None else adjusted.values[i]

    out = [line(sheet.final_label, total.final, standard.final, bonus.final, deductions.final, adjustment(None))]
    final_name = next((name for name, label in sheet.columns if label == sheet.final_label), None)
    for i, (name, label) in enumerate(sheet.columns):
        if name != final_name and total.values[i] is not None:
            out.append(line(label, total.values[i], standard.values[i], bonus.values[i], deductions.values[i],
                            adjustment(i)))
    return out


def render_text(sheet: Sheet) -> str:
    """The form as aligned text: STT, content, max, each round, difference, evidence; flags and
    assumptions on their own lines under their row."""
    vi = sheet.lang == "vi"
    heads = _heads(sheet)
    code_width = max([len(heads[0]), *(2 * r.depth + len(r.code) for r in sheet.rows)])
    figures = [_figures(sheet, r) for r in sheet.rows]
    widths = [code_width, TITLE_WIDTH]
    for i, head in enumerate(heads[2:-1]):
        widths.append(max([len(head), *(len(f[i]) for f in figures)]))
    pad = " " * (code_width + 2)
    lines = [*_header_lines(sheet), ""]
    lines.append("  ".join(h.ljust(w) for h, w in zip(heads[:-1], widths, strict=True)) + "  " + heads[-1])
    for row, figs in zip(sheet.rows, figures, strict=True):
        code = ("  " * row.depth + row.code).ljust(code_width)
        title = _short(row.title, TITLE_WIDTH - 2 * min(row.depth, 1)).ljust(TITLE_WIDTH)
        cells = [f.rjust(w) for f, w in zip(figs, widths[2:], strict=True)]
        evidence = _short("; ".join(row.evidence), EVIDENCE_WIDTH)
        lines.append("  ".join([code, title, *cells, evidence]).rstrip())
        if row.explanation:
            lines.append(f"{pad}{'Giải trình' if vi else 'Explanation'}: {row.explanation}")
        lines += [f"{pad}! {f}" for f in row.flags]
        lines += [f"{pad}{'Giả định' if vi else 'Assumption'} ({row.code}): {a}" for a in row.assumptions]
    lines.append("")
    lines += total_lines(sheet)
    if sheet.assumptions:
        lines += ["", "Giả định chung (văn bản nguồn không quy định rõ):" if vi else "General assumptions:"]
        lines += [f"  - {a}" for a in sheet.assumptions]
    return "\n".join(lines)


def _md(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render_markdown(sheet: Sheet) -> str:
    """The form as a Markdown table, flags and assumptions in the explanation column."""
    vi = sheet.lang == "vi"
    heads = _heads(sheet)
    lines = [f"# {_md(sheet.title)}", ""]
    lines += [f"{_md(line)}  " for line in _header_lines(sheet)[:-1] if line != sheet.title]
    lines += [f"**{'Đơn vị' if vi else 'Unit'}:** {_md(sheet.unit or '—')}", ""]
    lines.append("| " + " | ".join(heads) + " |")
    lines.append("|" + "|".join([":--", ":--", *(["--:"] * (len(heads) - 3)), ":--"]) + "|")
    for row in sheet.rows:
        code = f"**{row.code}**" if row.kind != "criterion" else row.code
        title = f"**{_md(row.title)}**" if row.kind != "criterion" else _md(row.title)
        notes = [*(_md(e) for e in row.evidence)]
        if row.explanation:
            notes.append(("Giải trình: " if vi else "Explanation: ") + _md(row.explanation))
        notes += [f"⚠ {_md(f)}" for f in row.flags]
        notes += [f"*{'Giả định' if vi else 'Assumption'} ({_md(row.code)}):* {_md(a)}" for a in row.assumptions]
        lines.append("| " + " | ".join([code, title, *_figures(sheet, row), "<br>".join(notes)]) + " |")
    lines.append("")
    for total in sheet.totals:
        shown = [f"{label} {number(v, sheet.lang)}" for (_, label), v in zip(sheet.columns, total.values, strict=True)]
        final = f"{sheet.final_label} {number(total.final, sheet.lang)}"
        lines.append(f"- **{total.label}:** " + "; ".join([*shown, *([final] if sheet.final_column else [])]))
    if sheet.assumptions:
        lines += ["", f"**{'Giả định chung' if vi else 'General assumptions'}:**", ""]
        lines += [f"- {_md(a)}" for a in sheet.assumptions]
    return "\n".join(lines) + "\n"


def _board_heads(board: Board) -> list[str]:
    vi = board.lang == "vi"
    return [
        "Hạng" if vi else "Position",
        "Đơn vị" if vi else "Unit",
        "Tổng điểm" if vi else "Total",
        "Khen thưởng" if vi else "Award",
        "Ghi chú" if vi else "Notes",
    ]


def board_text(board: Board) -> str:
    """The standings as text: one line per unit, its notes under it, then each classification."""
    vi = board.lang == "vi"
    width = max([len(line.unit) for line in board.lines] + [10])
    lines = [board.title, ("Xếp hạng theo: " if vi else "Ranked by: ") + ", ".join(board.orders), ""]
    for line in board.lines:
        award = f"  [{line.award}]" if line.award else ""
        tied = " =" if line.tied else "  "
        lines.append(f"{line.position:>3}.{tied} {line.unit.ljust(width)}  {number(line.total, board.lang):>9}{award}")
        lines += [f"       - {n}" for n in line.notes]
    for award, units in board.contested:
        lines.append(
            f"! {award}: " + ("bằng điểm ở ranh giới: " if vi else "tied at the boundary: ") + ", ".join(units)
        )
    for award, count in board.unfilled:
        lines.append(f"! {award}: " + (f"còn {count} suất chưa trao" if vi else f"{count} place(s) not given"))
    for table in board.classes:
        lines += ["", table.title]
        for c in table.lines:
            lines.append(f"  {c.unit.ljust(width)}  {number(c.total, board.lang):>9}  {c.level}")
            lines += [f"       - {r}" for r in c.reasons]
    return "\n".join(lines)


def board_markdown(board: Board) -> str:
    """The standings as Markdown tables."""
    vi = board.lang == "vi"
    lines = [f"# {_md(board.title)}", "", ("Xếp hạng theo: " if vi else "Ranked by: ") + ", ".join(board.orders), ""]
    heads = _board_heads(board)
    lines += ["| " + " | ".join(heads) + " |", "|--:|:--|--:|:--|:--|"]
    for line in board.lines:
        pos = f"{line.position}{' (=)' if line.tied else ''}"
        lines.append(
            f"| {pos} | {_md(line.unit)} | {number(line.total, board.lang)} | {_md(line.award)} | "
            + "<br>".join(_md(n) for n in line.notes)
            + " |"
        )
    for award, units in board.contested:
        lines += [
            "",
            f"- **{_md(award)}**: "
            + ("bằng điểm ở ranh giới: " if vi else "tied at the boundary: ")
            + ", ".join(units),
        ]
    for table in board.classes:
        lines += [
            "",
            f"## {_md(table.title)}",
            "",
            "| " + ("Đơn vị | Tổng điểm | Xếp loại | Lý do" if vi else "Unit | Total | Level | Reasons") + " |",
            "|:--|--:|:--|:--|",
        ]
        for c in table.lines:
            lines.append(
                f"| {_md(c.unit)} | {number(c.total, board.lang)} | {_md(c.level)} | "
                + "<br>".join(_md(r) for r in c.reasons)
                + " |"
            )
    return "\n".join(lines) + "\n"
