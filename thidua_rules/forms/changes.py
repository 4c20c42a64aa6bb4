"""``thidua diff`` and its ``--impact`` report for a reader: Vietnamese, or the core's English.

The core (``reports/diff.py``) words its ``RulesetDiff`` and ``Impact`` in English and keeps its
JSON machine-readable; here the same changes are said in Vietnamese, numbers with a decimal comma.
A rule's text is the ruleset language's, the same in both.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from ..reports import diff
from ..reports.diff import ENGLISH, Difference, Impact, RulesetDiff, Wording
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


#: The diff and the impact in Vietnamese, numbers with a decimal comma.
VIETNAMESE = Wording(
    no_differences="{old} → {new}: không có thay đổi",
    changes="{old} → {new}: {count} thay đổi",
    no_differences_table="Không có thay đổi.",
    diff_columns="| thay đổi | mã | trước | sau |\n|---|---|---|---|",
    impact_head="ảnh hưởng của {old} → {new} đến {count} đơn vị",
    impact_title="## Ảnh hưởng của {old} → {new}",
    unit_line="{unit}: tổng điểm {before} → {after} ({change}), hạng {rank_before} → {rank_after}",
    impact_columns="| đơn vị | tổng điểm trước | tổng điểm sau | chênh lệch | hạng trước | hạng sau "
                   "| các dòng thay đổi |\n|---|---|---|---|---|---|---|",
    what=lambda c: WHAT.get(c.what, c.what),
    code=_code,
    value=_value,
    number=lambda value: number(value, "vi"),
)


def _words(lang: Lang) -> Wording:
    return ENGLISH if lang == "en" else VIETNAMESE


def change_line(c: Difference, lang: Lang) -> str:
    """One change as a line (a rule's before and after on lines of their own)."""
    return diff.change_line(c, _words(lang))


def diff_text(changes: RulesetDiff, lang: Lang = "vi") -> str:
    """The diff as text: a head line, then one line per change."""
    return diff.diff_text(changes, _words(lang))


def diff_markdown(changes: RulesetDiff, lang: Lang = "vi") -> str:
    """The diff as a Markdown table."""
    return diff.diff_markdown(changes, _words(lang))


def impact_text(effect: Impact, lang: Lang = "vi") -> str:
    """Each unit's total and rank before and after, and the rows whose score changed."""
    return diff.impact_text(effect, _words(lang))


def impact_markdown(effect: Impact, lang: Lang = "vi") -> str:
    """The impact as a Markdown table."""
    return diff.impact_markdown(effect, _words(lang))
