"""``thidua diff`` and its ``--impact`` report for a reader: Vietnamese, or the core's English.

The core (``reports/diff.py``) words its ``RulesetDiff`` and ``Impact`` in English and keeps its
JSON machine-readable; here the same changes are said in Vietnamese, numbers with a decimal comma.
A rule's text is the ruleset language's, the same in both.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from ..reports.diff import Difference, Impact, RulesetDiff
from .locale import Lang, number

#: What changed, in Vietnamese (``Difference.what``).
WHAT = {
    "header": "thông tin chung",
    "added": "thêm",
    "removed": "bỏ",
    "moved": "chuyển chỗ",
    "renamed": "đổi tên",
    "recoded": "đổi mã",
    "max": "điểm tối đa",
    "cap": "mức trần",
    "kind": "loại",
    "applicable": "điều kiện áp dụng",
    "rule": "quy tắc",
    "bounds": "giới hạn",
    "counted": "tính vào tổng",
    "choose": "cách chọn",
    "floor": "mức sàn",
    "bonus": "cột điểm thưởng",
    "deduction": "cột điểm trừ",
    "fact added": "thêm số liệu",
    "fact removed": "bỏ số liệu",
}

#: The header's fields, in Vietnamese.
FIELDS = {
    "id": "mã",
    "title": "tên",
    "document": "văn bản",
    "dated": "ngày ban hành",
    "issuer": "cơ quan ban hành",
    "year": "năm",
    "total": "tổng điểm",
    "total_low": "tổng tối thiểu",
    "total_high": "tổng tối đa",
    "rounding": "làm tròn",
    "variants": "loại đơn vị",
    "total_by": "tổng điểm theo loại đơn vị",
}

_KINDS = {"standard": "điểm chuẩn", "bonus": "điểm thưởng", "deduction": "điểm trừ",
          "criterion": "tiêu chí", "group": "nhóm"}


def _number(text: str, lang: Lang) -> str:
    try:
        return number(Decimal(text), lang)
    except (InvalidOperation, ValueError):
        return text


def _value(c: Difference, text: str | None) -> str:
    """A before or after value in Vietnamese (rules and titles as they are)."""
    if text is None:
        return "—"
    if c.what in ("rule", "applicable", "renamed", "bonus", "deduction") or (
        c.what == "header" and c.code not in ("total", "total_low", "total_high", "dated")
    ):
        return text
    if c.what == "header" and c.code == "dated":
        m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
        return f"{m.group(3)}/{m.group(2)}/{m.group(1)}" if m else text
    if c.what == "moved" or c.what in ("added",):
        return _place(text)
    if c.what == "bounds":
        text = text.replace("at least", "tối thiểu").replace("at most", "tối đa")
    if c.what == "counted":
        return {"true": "có", "false": "không"}.get(text, text)
    if c.what == "floor" and text == "signed":
        return "không có (có thể âm)"
    if c.what == "kind":
        return _KINDS.get(text, text)
    if c.what == "choose":
        return text.replace("best", "chọn").replace("highest", "cao nhất")
    return re.sub(r"-?\d+(?:\.\d+)?", lambda m: _number(m.group(0), "vi"), text)


def _place(text: str) -> str:
    """``in I, after I.1`` / ``top level, first`` in Vietnamese (a title before it kept)."""

    def say(m: re.Match[str]) -> str:
        where = f"trong {m.group(1)}" if m.group(1) else "ở mức ngoài cùng"
        at = f"sau {m.group(2)}" if m.group(2) else "đầu tiên"
        return f"{where}, {at}{m.group(3)}"

    return re.sub(r"(?:\bin (\S+?)|\btop level), (?:after (\S+?)|first)(\)?)$", say, text)


def _code(c: Difference) -> str:
    return f"({FIELDS.get(c.code, c.code)})" if c.what == "header" else c.code


def change_line(c: Difference, lang: Lang) -> str:
    """One change as a line (a rule's before and after on lines of their own)."""
    if lang == "en":
        return c.line()
    what = WHAT.get(c.what, c.what)
    if c.what in ("added", "removed", "fact added", "fact removed"):
        shown = c.after if c.what.endswith("added") else c.before
        return f"{what} {_code(c)}: {_value(c, shown)}"
    before, after = _value(c, c.before), _value(c, c.after)
    if "\n" in before or "\n" in after:
        return f"{what} {_code(c)}:\n  - {before.replace(chr(10), chr(10) + '    ')}\n" \
               f"  + {after.replace(chr(10), chr(10) + '    ')}"
    return f"{what} {_code(c)}: {before} → {after}"


def diff_text(changes: RulesetDiff, lang: Lang = "vi") -> str:
    """The diff as text: a head line, then one line per change."""
    if lang == "en":
        return changes.text()
    if not changes.changes:
        return f"{changes.old} → {changes.new}: không có thay đổi"
    return "\n".join([f"{changes.old} → {changes.new}: {len(changes.changes)} thay đổi",
                      *(change_line(c, lang) for c in changes.changes)])


def _cell(text: str) -> str:
    escaped = text.replace("|", "\\|")
    return "<code>" + escaped.replace("\n", "<br>") + "</code>" if "\n" in text else escaped


def diff_markdown(changes: RulesetDiff, lang: Lang = "vi") -> str:
    """The diff as a Markdown table."""
    if lang == "en":
        return changes.markdown()
    lines = [f"## {changes.old} → {changes.new}", ""]
    if not changes.changes:
        return "\n".join([*lines, "Không có thay đổi."])
    lines += ["| thay đổi | mã | trước | sau |", "|---|---|---|---|"]
    for c in changes.changes:
        before = _value(c, c.before) if c.before is not None else ""
        after = _value(c, c.after) if c.after is not None else ""
        lines.append(f"| {WHAT.get(c.what, c.what)} | {_code(c)} | {_cell(before)} | {_cell(after)} |")
    return "\n".join(lines)


def _n(value: Decimal | None) -> str:
    return number(value, "vi")


def impact_text(effect: Impact, lang: Lang = "vi") -> str:
    """Each unit's total and rank before and after, and the rows whose score changed."""
    if lang == "en":
        return effect.text()
    lines = [f"ảnh hưởng của {effect.old} → {effect.new} đến {len(effect.units)} đơn vị"]
    for u in effect.units:
        sign = "+" if u.change > 0 else ""
        lines.append(f"{u.unit}: tổng điểm {_n(u.total_before)} → {_n(u.total_after)} ({sign}{_n(u.change)}), "
                     f"hạng {u.rank_before} → {u.rank_after}")
        lines += [f"  {code}: {_n(before)} → {_n(after)}" for code, before, after in u.rows]
    return "\n".join(lines)


def impact_markdown(effect: Impact, lang: Lang = "vi") -> str:
    """The impact as a Markdown table."""
    if lang == "en":
        return effect.markdown()
    lines = [f"## Ảnh hưởng của {effect.old} → {effect.new}", "",
             "| đơn vị | tổng điểm trước | tổng điểm sau | chênh lệch | hạng trước | hạng sau | các dòng thay đổi |",
             "|---|---|---|---|---|---|---|"]
    for u in effect.units:
        rows = "; ".join(f"{c}: {_n(b)} → {_n(a)}" for c, b, a in u.rows)
        lines.append(f"| {u.unit} | {_n(u.total_before)} | {_n(u.total_after)} | {_n(u.change)} "
                     f"| {u.rank_before} | {u.rank_after} | {rows} |")
    return "\n".join(lines)
