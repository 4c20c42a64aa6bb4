"""``thidua new``: next year's ruleset, written as an extension of this year's."""

from __future__ import annotations

import os

from ..errors import Diagnostic, OptionError, RulesetError
from ..language.printer import quote
from ..ruleset import Ruleset, format_ruleset, load
from . import rulesets

__all__ = ["scaffold"]

_GUIDE = """\
# Các thay đổi so với bảng năm trước, mỗi thay đổi một khai báo (docs/tutorial.md):
#   override criterion I.2 max 12 {{ score 3 * so_van_ban }}   đổi điểm tối đa, quy tắc, bảng bậc
#   override section II "Tên mới" max 40                        đổi tên, điểm tối đa của mục
#   remove I.3                                                   bỏ một dòng (hoặc một mục)
#   move I.4 after I.1        move II.5 in III                   chuyển dòng, chuyển mục
#   add criterion I.5 "…" max 5 after I.4 {{ score … }}          thêm dòng
#   fact so_moi "…": count default 0                             thêm dữ kiện
# Kiểm tra: thidua check {target}; so sánh: thidua diff {base} {target} --impact <đơn vị>
"""


def _base(name: str) -> tuple[Ruleset, str]:
    if os.path.exists(name) or name.endswith(".thidua"):
        return load(name), name
    return rulesets.load(name), name


def scaffold(base: str, year: int, *, output: str | None = None) -> str:
    """The text of a ruleset for ``year`` that ``extends`` ``base`` (a shipped id or a path) and
    changes nothing yet: its id (the name of ``output``, or the base's id with the new year) and
    title carry the new year, and comments list the changes one may write. A path to ``base`` is
    written relative to ``output``, where the file will be written."""
    if not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= 9999:
        raise OptionError(f"Expected a year such as 2024 for year, got {year!r}")
    rs, name = _base(base)
    old = str(rs.header.year) if rs.header.year is not None else None
    ident = rs.id.replace(old, str(year)) if old and old in rs.id else f"{rs.id}-{year}"
    if output is not None and output.endswith(".thidua"):
        ident = os.path.basename(output).removesuffix(".thidua")  # a file's id is its name
    if ident == rs.id:
        raise RulesetError([Diagnostic("error", f'the new ruleset would have the id "{ident}" of its base', None,
                                       "choose another year")])
    extends = name
    if os.path.exists(name) and output is not None:
        extends = os.path.relpath(name, os.path.dirname(os.path.abspath(output))).replace(os.sep, "/")
    title = rs.title.replace(old, str(year)) if rs.title and old else rs.title
    lines = [f"ruleset {quote(ident)} {{", f"    extends {quote(extends)}"]
    if title:
        lines.append(f"    title {quote(title)}")
    lines += [
        f"    year {year}",
        "    # document \"số/ký hiệu\" dated YYYY-MM-DD by \"cơ quan ban hành\"   (văn bản của năm mới)",
        "}",
    ]
    target = output or f"{ident}.thidua"
    text = _GUIDE.format(base=base, target=target) + "\n".join(lines) + "\n"
    return format_ruleset(text, source=target)
