"""The form and the standings as one self-contained HTML page, printable on A4 landscape."""

from __future__ import annotations

from html import escape

from .locale import number
from .sheet import Sheet
from .standings import Board

STYLE = """
@page { size: A4 landscape; margin: 12mm; }
body { font-family: "Times New Roman", "DejaVu Serif", serif; font-size: 11pt; color: #000; }
h1 { font-size: 14pt; text-align: center; margin: 0 0 4pt; text-transform: uppercase; }
p.sub { text-align: center; margin: 0 0 2pt; font-style: italic; }
p.unit { font-weight: bold; margin: 6pt 0; }
table { border-collapse: collapse; width: 100%; page-break-inside: auto; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
th, td { border: 1px solid #000; padding: 2pt 4pt; vertical-align: top; }
th { background: #eef2f8; }
td.n { text-align: right; white-space: nowrap; }
table.form th:nth-child(1) { width: 7%; }
table.form th:nth-child(2) { width: 42%; }
table.form th.n { width: 8%; }
tr.section td { font-weight: bold; background: #e8eef7; }
tr.total td { font-weight: bold; }
.flag { color: #b00000; }
.assume { font-style: italic; color: #333; }
.evidence { color: #333; }
.signature { width: 100%; margin-top: 18pt; border: none; }
.signature td { border: none; text-align: center; width: 50%; }
"""


def _page(title: str, body: str, lang: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )


def sheet_html(sheet: Sheet) -> str:
    """A unit's form as HTML: the columns of the official form, flags and assumptions beside each row."""
    vi = sheet.lang == "vi"
    e = escape
    rounds = [label for _, label in sheet.columns] + ([sheet.final_label] if sheet.final_column else [])
    parts = [f"<h1>{e(sheet.title)}</h1>"]
    if sheet.document:
        parts.append(f'<p class="sub">{e(sheet.document)}</p>')
    if sheet.year:
        parts.append(f'<p class="sub">{"Năm" if vi else "Year"} {e(sheet.year)}</p>')
    if sheet.illustrative:
        parts.append('<p class="sub">(dữ liệu minh họa / illustrative data)</p>')
    parts.append(f'<p class="unit">{"Đơn vị" if vi else "Unit"}: {e(sheet.unit or "—")}</p>')
    heads = [
        "STT",
        "Nội dung tiêu chí" if vi else "Criterion",
        "Điểm tối đa" if vi else "Max",
        *rounds,
        "Giải trình / tài liệu kiểm chứng" if vi else "Explanation / evidence",
    ]
    numeric = range(2, 3 + len(rounds))  # the max and the rounds' columns
    head_cells = "".join(
        f'<th class="n">{e(h)}</th>' if i in numeric else f"<th>{e(h)}</th>" for i, h in enumerate(heads)
    )
    parts.append(f'<table class="form">\n<thead><tr>{head_cells}</tr>')
    parts.append("<tr>" + "".join(f"<th>({i})</th>" for i in range(1, len(heads) + 1)) + "</tr></thead>\n<tbody>")
    for row in sheet.rows:
        cls = ' class="section"' if row.kind != "criterion" else ""
        values = [*row.scores, *([row.final] if sheet.final_column else [])]
        notes = [f'<div class="evidence">{e(x)}</div>' for x in row.evidence]
        if row.explanation:
            notes.append(f"<div>{e(row.explanation)}</div>")
        notes += [f'<div class="flag">⚠ {e(f)}</div>' for f in row.flags]
        notes += [f'<div class="assume">{"Giả định" if vi else "Assumption"} ({e(row.code)}): {e(a)}</div>'
                  for a in row.assumptions]
        cells = [
            f"<td>{e(row.code)}</td>",
            f"<td>{e(row.title)}</td>",
            f'<td class="n">{number(row.max, sheet.lang)}</td>',
            *(f'<td class="n">{number(v, sheet.lang)}</td>' for v in values),
            f"<td>{''.join(notes)}</td>",
        ]
        parts.append(f"<tr{cls}>" + "".join(cells) + "</tr>")
    for total in sheet.totals:
        values = [*total.values, *([total.final] if sheet.final_column else [])]
        parts.append(
            '<tr class="total"><td></td>'
            + f"<td>{e(total.label)}</td><td></td>"
            + "".join(f'<td class="n">{number(v, sheet.lang)}</td>' for v in values)
            + "<td></td></tr>"
        )
    parts.append("</tbody>\n</table>")
    if sheet.assumptions:
        parts.append(
            f"<p><b>{'Giả định chung' if vi else 'General assumptions'}:</b></p><ul>"
            + "".join(f"<li>{e(a)}</li>" for a in sheet.assumptions)
            + "</ul>"
        )
    left, right = ("NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ") if vi else ("PREPARED BY", "HEAD OF THE UNIT")
    parts.append(
        '<table class="signature"><tr><td></td><td><i>…, ngày … tháng … năm …</i></td></tr>'
        f"<tr><td><b>{left}</b><br><i>{'(Ký, ghi rõ họ tên)' if vi else '(signature)'}</i></td>"
        f"<td><b>{right}</b><br><i>{'(Ký tên, đóng dấu)' if vi else '(signature and seal)'}</i></td></tr></table>"
    )
    return _page(f"{sheet.title} — {sheet.unit}", "\n".join(parts) + "\n", sheet.lang)


def board_html(board: Board) -> str:
    """The standings (and each classification) as HTML."""
    vi = board.lang == "vi"
    e = escape
    parts = [
        f"<h1>{e(board.title)}</h1>",
        f'<p class="sub">{"Xếp hạng theo" if vi else "Ranked by"}: {e(", ".join(board.orders))}</p>',
    ]
    heads = [
        "Hạng" if vi else "Position",
        "Đơn vị" if vi else "Unit",
        "Tổng điểm" if vi else "Total",
        "Khen thưởng" if vi else "Award",
        "Ghi chú" if vi else "Notes",
    ]
    parts.append("<table><thead><tr>" + "".join(f"<th>{h}</th>" for h in heads) + "</tr></thead><tbody>")
    for line in board.lines:
        pos = f"{line.position}{' (=)' if line.tied else ''}"
        parts.append(
            f'<tr><td class="n">{pos}</td><td>{e(line.unit)}</td><td class="n">{number(line.total, board.lang)}</td>'
            f"<td>{e(line.award)}</td><td>" + "".join(f"<div>{e(n)}</div>" for n in line.notes) + "</td></tr>"
        )
    parts.append("</tbody></table>")
    for award, units in board.contested:
        parts.append(
            f'<p class="flag">⚠ {e(award)}: {"bằng điểm ở ranh giới" if vi else "tied at the boundary"}: '
            f"{e(', '.join(units))}</p>"
        )
    for table in board.classes:
        parts.append(
            f"<h2>{e(table.title)}</h2><table><thead><tr>"
            + "".join(
                f"<th>{h}</th>"
                for h in (["Đơn vị", "Tổng điểm", "Xếp loại", "Lý do"] if vi else ["Unit", "Total", "Level", "Reasons"])
            )
            + "</tr></thead><tbody>"
        )
        for c in table.lines:
            parts.append(
                f'<tr><td>{e(c.unit)}</td><td class="n">{number(c.total, board.lang)}</td><td>{e(c.level)}</td>'
                "<td>" + "".join(f"<div>{e(r)}</div>" for r in c.reasons) + "</td></tr>"
            )
        parts.append("</tbody></table>")
    return _page(board.title, "\n".join(parts) + "\n", board.lang)
