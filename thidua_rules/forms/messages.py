"""The library's messages for people, in Vietnamese or English.

The core words its flags, ranking notes, classification reasons and fact problems in one
language (English, with Vietnamese quotes). Here each known wording is a pattern with its
Vietnamese form; the English form is the core's own text with its numbers localised. A message
no pattern knows is shown as it is, never dropped (the core adds kinds in parallel).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation

from ..errors import FactProblem, FactsError
from .locale import Lang, number

Template = str | Callable[[dict[str, str]], str]

_NUM = r"-?\d+(?:\.\d+)?"


def _n(text: str, lang: Lang) -> str:
    """A number written by the core (``29.5``) as the reader writes it."""
    try:
        return number(Decimal(text), lang)
    except (InvalidOperation, ValueError):
        return text


class Catalogue:
    """Patterns of one family of messages, each with its Vietnamese template (and, where the
    core's English needs its numbers or names shown for a reader, an English one)."""

    def __init__(
        self,
        entries: list[tuple[str, Template] | tuple[str, Template, Template]],
        english: Mapping[int, Template] | None = None,
    ) -> None:
        self.entries = [(re.compile(entry[0], re.S), entry[1]) for entry in entries]
        self.english = dict(english or {})
        # an entry's third element: its English template (the core's words for a reader)
        self.english.update({i: entry[2] for i, entry in enumerate(entries) if len(entry) == 3})

    def render(self, text: str, lang: Lang, fix: Callable[[str, str], str] | None = None) -> str:
        """``text`` in ``lang``: the template of the first pattern that matches; else ``text``."""
        for index, (pattern, template) in enumerate(self.entries):
            match = pattern.fullmatch(text)
            if match is None:
                continue
            if lang == "en" and index not in self.english:
                return text
            chosen = self.english[index] if lang == "en" else template
            parts = {k: (fix(k, v) if fix else v) if v is not None else "" for k, v in match.groupdict().items()}
            return chosen(parts) if callable(chosen) else chosen.format(**parts)
        return text


#: What a unit file's key must be, or was (io/units.py's words), in Vietnamese.
_SHAPES = {
    "text": "chữ (text)",
    "true or false": "true hoặc false",
    "true/false": "giá trị đúng/sai (true/false)",
    "a number": "một số",
    "a list": "một danh sách (list)",
    "an object": "một đối tượng (object)",
    "an object of round names to rounds": "một đối tượng (object) gồm tên các vòng chấm",
    "an object of fact names to values": "một đối tượng (object) gồm tên các số liệu và giá trị",
    "an object of criterion codes to claimed scores": "một đối tượng (object) gồm mã tiêu chí và điểm đơn vị ghi",
    "an object of criterion codes to the unit's explanation (giải trình)":
        "một đối tượng (object) gồm mã tiêu chí và giải trình của đơn vị",
    "an object describing each fact (written by thidua template, not read)":
        "một đối tượng (object) mô tả từng số liệu",
    'an object with "facts"': 'một đối tượng (object) có "facts"',
}


def _shape(text: str) -> str:
    return _SHAPES.get(text, text)


#: A Python value as the core quotes it (``True``, ``'có'``, ``Decimal('1')``, ``list``), said.
def _received(value: str, lang: Lang) -> str:
    vi = lang == "vi"
    if value in ("True", "False"):
        word = value.lower()
        return f"giá trị đúng/sai ({word})" if vi else f"the boolean {word}"
    if value in ("None", "NoneType"):
        return "null (chưa điền)" if vi else "null (empty)"
    m = re.fullmatch(r"Decimal\('([^']*)'\)|(-?\d+(?:\.\d+)?)", value)
    if m:
        shown = m.group(1) if m.group(1) is not None else m.group(2)
        return f"số {shown}" if vi else f"the number {shown}"
    m = re.fullmatch(r"'(.*)'|\"(.*)\"", value, re.S)
    if m:
        shown = m.group(1) if m.group(1) is not None else m.group(2)
        return f'chữ "{shown}"' if vi else f'the text "{shown}"'
    kinds = {"list": ("một danh sách (list)", "a list"), "dict": ("một đối tượng (object)", "an object"),
             "float": ("một số thực (float)", "a float"), "str": ("chữ (text)", "text")}
    if value in kinds:
        return kinds[value][0 if vi else 1]
    if value.startswith("["):
        return f"một danh sách (list) {value}" if vi else f"a list {value}"
    if value.startswith("{"):
        return f"một đối tượng (object) {value}" if vi else f"an object {value}"
    return value


#: Python's JSON and TOML readers' words for a syntax error, in Vietnamese.
_SYNTAX = [
    (r"Expecting property name enclosed in double quotes",
     'cần tên khóa trong ngoặc kép (hoặc thừa dấu phẩy trước "}")'),
    (r"Expecting value", "thiếu một giá trị (hoặc thừa dấu phẩy, hoặc viết sai true/false/null)"),
    (r"Expecting ',' delimiter", "thiếu dấu phẩy giữa hai phần tử"),
    (r"Expecting ':' delimiter", 'thiếu dấu hai chấm ":" sau tên khóa'),
    (r"Extra data", "còn nội dung thừa sau khi đã hết đối tượng"),
    (r"Unterminated string starting at", "chuỗi chưa đóng ngoặc kép"),
    (r"Unterminated string", "chuỗi chưa đóng ngoặc kép"),
    (r"Invalid control character at", "ký tự điều khiển trong chuỗi (xuống dòng trong ngoặc kép?)"),
    (r"Invalid \\escape", "dấu \\ không hợp lệ trong chuỗi"),
    (r"Illegal trailing comma before end of (object|array)", "thừa dấu phẩy trước dấu đóng ngoặc"),
    (r"Invalid value", "giá trị không hợp lệ"),
    (r"Invalid statement", "câu lệnh không hợp lệ"),
    (r"Expected ']' at the end of a table declaration", 'thiếu "]" ở cuối tên bảng'),
    (r"Expected '=' after a key in a key/value pair", 'thiếu "=" sau tên khóa'),
    (r"Expected newline or end of document after a statement", "thiếu xuống dòng sau một câu lệnh"),
    (r"Cannot overwrite a value", "một khóa được khai hai lần"),
    (r"Cannot declare .* twice", "một bảng được khai hai lần"),
]


def _syntax(parts: dict[str, str]) -> str:
    why = parts["why"]
    where = ""
    m = re.fullmatch(r"(.*) \((?:line (\d+), column (\d+)|(end of document))\)", why, re.S)
    if m:
        why = m.group(1)
        where = f", dòng {m.group(2)}, cột {m.group(3)}" if m.group(2) else ", ở cuối tệp"
    said = next((vi for pattern, vi in _SYNTAX if re.fullmatch(pattern, why)), None)
    return f"không phải {parts['kind']} hợp lệ{where}: " + (said or f"lỗi cú pháp ({why})")


_OS = {
    "No such file or directory": "không có tệp hay thư mục này",
    "Permission denied": "không có quyền truy cập",
    "Is a directory": "đây là một thư mục",
    "Not a directory": "một phần của đường dẫn không phải thư mục",
    "No space left on device": "hết chỗ trên ổ đĩa",
    "Read-only file system": "ổ đĩa chỉ đọc",
}


def _os(why: str) -> str:
    return _OS.get(why, why)


def _huge(text: str) -> str:
    """The core's words for a huge number (``a number of 309 digits before the point``)."""
    text = re.sub(r"^a number of (\d+) digits before the point$", r"một số có \1 chữ số trước dấu thập phân", text)
    return re.sub(r"\(a number of (\d+) digits\)$", r"(một số có \1 chữ số)", text)


def _did_you_mean(text: str) -> str:
    return re.sub(r'did you mean "([^"]*)"\?', r'có phải là "\1"?', text)


FLAGS = Catalogue(
    [
        (
            rf"(?P<round>[^:]+): judged score (?P<n>{_NUM}) is above the max (?P<top>{_NUM}) \((?P<rule>[^)]*)\); "
            rf"counted as (?P<counted>{_NUM})",
            "{round}: {n} đ vượt điểm tối đa {top} đ ({rule}); tính {counted} đ",
        ),
        (
            rf"(?P<round>[^:]+): claimed (?P<n>{_NUM}) is above the max (?P<top>{_NUM}) \((?P<rule>[^)]*)\)",
            "{round}: đơn vị ghi {n} đ, vượt điểm tối đa {top} đ ({rule})",
        ),
        (
            rf"(?P<round>[^:]+): claimed (?P<n>{_NUM}) but the rule gives (?P<score>{_NUM})",
            "{round}: đơn vị ghi {n} đ nhưng theo quy tắc được {score} đ",
        ),
    ],
    english={
        0: "{round}: {n} pts is above the max {top} pts ({rule}); counted as {counted} pts",
        1: "{round}: the unit wrote {n} pts, above the max {top} pts ({rule})",
        2: "{round}: the unit wrote {n} pts but the rule gives {score} pts",
    },
)

_ORDER_WORDS = {
    "highest": "cao nhất",
    "lowest": "thấp nhất",
    "total": "tổng điểm",
    "percentage": "tỷ lệ phần trăm",
    "standard": "điểm chuẩn",
    "bonus": "điểm cộng",
}


def order_text(text: str, lang: Lang) -> str:
    """A ranking key as declared (``highest total``) in the reader's words."""
    if lang == "en":
        return text
    parts = []
    for part in text.split(", "):
        words = re.sub(r"\b(total|percentage|standard|bonus)\b", lambda m: _ORDER_WORDS[m.group(1)], part)
        m = re.fullmatch(r"(highest|lowest) (.+)", words)
        parts.append(f"{m.group(2)} {_ORDER_WORDS[m.group(1)]}" if m else words)
    return ", ".join(parts)


def _reasons(parts: dict[str, str]) -> str:
    return re.sub(r"\(fact (\S+) not given\)", r"(chưa có số liệu \1)", parts["reasons"])


NOTES = Catalogue(
    [
        (
            r"chưa thẩm định đủ \(appraisal partial\): (?P<label>.+) scored some criteria only",
            "chưa thẩm định đủ: {label} mới chấm một số tiêu chí",
        ),
        (
            r"chưa thẩm định \(not yet appraised\): (?P<label>.+) is not given, only no complete round",
            "chưa thẩm định: chưa có {label}, chưa có vòng chấm nào đầy đủ",
        ),
        (
            r"chưa thẩm định \(not yet appraised\): (?P<label>.+) is not given, only (?P<given>.+)",
            "chưa thẩm định: chưa có {label}, mới có {given}",
        ),
        (
            r"equal (?P<key>.+?) with (?P<others>.+); separated by the tie-breaks: (?P<breaks>.+)",
            lambda p: (
                f"bằng {order_text(p['key'], 'vi')} với {p['others']}; phân định theo tiêu chí phụ: "
                f"{order_text(p['breaks'], 'vi')}"
            ),
        ),
        (r"still tied with (?P<others>.+?) after every tie-break", "vẫn bằng điểm với {others} sau mọi tiêu chí phụ"),
        (
            r"still tied with (?P<others>.+?) \(the ruleset declares no tie-break\)",
            "bằng điểm với {others} (bộ tiêu chí không quy định tiêu chí phụ)",
        ),
        (
            r"(?P<n>\d+) place\(s\) of (?P<award>.+?) are kept for the unit\(s\) among (?P<units>.+) "
            r"not given (?P<before>.+)",
            "{n} suất {award} được giữ cho đơn vị trong số {units} không nhận {before}",
        ),
        (
            r"not eligible for (?P<award>.+?): (?P<reasons>.+)",
            lambda p: f"không đủ điều kiện nhận {p['award']}: {_reasons(p)}",
        ),
        (
            r"tied for the last (?P<n>\d+) place\(s\) of (?P<award>.+?) with (?P<others>.+); the ruleset's tie-breaks "
            r"cannot separate them: the council decides",
            "bằng điểm, tranh {n} suất cuối của {award} với {others}; tiêu chí phụ không phân định được: "
            "Hội đồng quyết định",
        ),
        # classification reasons
        (
            r"not classified: nothing in the sheet applies to it, so it has no percentage",
            "không xếp loại: không tiêu chí nào áp dụng cho đơn vị nên không có tỷ lệ phần trăm",
        ),
        (r"not classified: (?P<reason>.+)", "không xếp loại: {reason}"),
        (r"already the lowest level, (?P<level>.+?): (?P<reason>.+)", "đã ở mức thấp nhất ({level}): {reason}"),
        (r"one level lower, (?P<level>.+?): (?P<reason>.+)", "hạ một mức, còn {level}: {reason}"),
        (r"at most (?P<level>.+?): (?P<reason>.+)", "tối đa {level}: {reason}"),
        (
            r"quota: at most (?P<a>\d+) of (?P<c>\d+) unit\(s\) may be (?P<level>.+?)(?: \((?P<p>\S+) %\))?; "
            r"tied at the boundary with (?P<others>.+): the council decides",
            lambda p: (
                f"hạn mức: tối đa {p['a']}/{p['c']} đơn vị được {p['level']}"
                + (f" ({p['p']} %)" if p["p"] else "")
                + f"; bằng điểm ở ranh giới với {p['others']}: "
                "Hội đồng quyết định"
            ),
        ),
        (
            r"quota: at most (?P<a>\d+) of (?P<c>\d+) unit\(s\) may be (?P<level>.+?)(?: \((?P<p>\S+) %\))?; "
            r"lowered to (?P<to>.+)",
            lambda p: (
                f"hạn mức: tối đa {p['a']}/{p['c']} đơn vị được {p['level']}"
                + (f" ({p['p']} %)" if p["p"] else "")
                + f"; hạ xuống {p['to']}"
            ),
        ),
        (r"(?P<band>.+) by its number", "{band} theo số điểm"),
        (r"(?P<band>.+) by its conditions", "{band} theo các điều kiện"),
        (r"not classified: none of the bands' conditions holds", "không xếp loại: không mức nào đủ điều kiện"),
        (r"(?P<reason>.+) \(since (?P<period>[^)]+)\)", "{reason} (từ kỳ {period})"),
    ]
)

FINAL = Catalogue(
    [
        (r"(?P<round>[^:]+): the (?P<rule>\S+) round decides", "theo {round}"),
        (
            r"(?P<round>[^:]+): the highest score of the rounds that scored it",
            "điểm cao nhất của các vòng đã chấm ({round})",
        ),
        (
            r"(?P<round>[^:]+): the lowest score of the rounds that scored it",
            "điểm thấp nhất của các vòng đã chấm ({round})",
        ),
        (
            r"(?P<round>[^:]+): the last round that scored it \((?P<rule>\S+) did not\)",
            "vòng chấm sau cùng ({round}); {rule} chưa chấm",
        ),
        (r"(?P<round>[^:]+): the last round that scored it", "vòng chấm sau cùng ({round})"),
    ]
)

PROBLEMS = Catalogue(
    [
        (r"expected a level of scale (?P<s>\S+), got None", "chưa điền (null): cần một mức của thang {s}"),
        (r"unknown key \(known: (?P<keys>.+)\)", "khóa không hợp lệ (các khóa: {keys})"),
        (r"unknown key; (?P<hint>.+)", lambda p: "khóa không hợp lệ; " + _did_you_mean(p["hint"])),
        (r"unknown key", "khóa không hợp lệ"),
        (r"unknown round; rounds: (?P<rounds>.+)", "không có vòng chấm này; các vòng: {rounds}"),
        (r"unknown round; (?P<hint>.+)", lambda p: "không có vòng chấm này; " + _did_you_mean(p["hint"])),
        (r"must be (?P<a>.+?), not (?P<b>.+)", lambda p: f"phải là {_shape(p['a'])}, không phải {_shape(p['b'])}"),
        (
            r"an object where a fact's value belongs; (?P<hint>.+)",
            lambda p: "một đối tượng (object) ở chỗ của giá trị một số liệu; " + _did_you_mean(p["hint"]),
        ),
        (r"an object where a fact's value belongs", "một đối tượng (object) ở chỗ của giá trị một số liệu"),
        (r"nested too deeply to be a unit file", "lồng quá nhiều tầng, không phải một tệp đơn vị"),
        (r"a number in the file cannot be read: (?P<why>.+)", "một số trong tệp không đọc được ({why})"),
        (r"expected the path of a unit file", "cần đường dẫn của một tệp đơn vị"),
        (r"the unit's name is empty", "chưa ghi tên đơn vị"),
        (r"the file is empty", "tệp trống"),
        (r'unknown round "(?P<r>.*)"; rounds: (?P<rounds>.+)', 'không có vòng chấm "{r}"; các vòng: {rounds}'),
        (r'unknown round "(?P<r>.*)"; (?P<hint>.+)', lambda p: f'không có vòng chấm "{p["r"]}"; '
                                                            + _did_you_mean(p["hint"])),
        (r"the fact (?P<f>\S+) is also column (?P<c>\S+)", "số liệu {f} đã có ở cột {c}"),
        (r'no column names the unit \(header "Đơn vị" or "unit"\)',
         'không cột nào ghi tên đơn vị (tiêu đề cột "Đơn vị" hoặc "unit")'),
        (
            r"a CSV file names no ruleset: .*",
            "tệp CSV không ghi bộ tiêu chí: ghi rõ (--ruleset, hoặc thidua rank BỘ_TIÊU_CHÍ)",
        ),
        (r"no unit file was given", "chưa có tệp đơn vị nào"),
        (r'the sheet names no ruleset \(row "Bộ tiêu chí:"\); give one',
         'phiếu không ghi bộ tiêu chí (dòng "Bộ tiêu chí:"); ghi vào đó hoặc dùng --ruleset'),
        (r"no round is given; rounds: (?P<r>.+)", "chưa có vòng chấm nào; các vòng: {r}"),
        (r"expected a mapping of facts", "cần một đối tượng (object) gồm các số liệu"),
        (r"expected a mapping of round names to facts", "cần một đối tượng (object) gồm tên các vòng chấm"),
        (r'"facts" must be a mapping of fact names to values',
         '"facts" phải là một đối tượng (object) gồm tên các số liệu và giá trị'),
        (r'"claims" must be a mapping of criterion codes to scores',
         '"claims" phải là một đối tượng (object) gồm mã tiêu chí và điểm'),
        (r"a fact name must be text", "tên số liệu phải là chữ"),
        (
            r"(?P<v>\S+) is not an allowed value: the values are (?P<a>.+)",
            "{v} không phải giá trị được phép; các giá trị: {a}",
        ),
        (
            r"(?P<v>\S+) is not a multiple of the step (?P<st>\S+); "
            r"the nearest allowed values are (?P<a>\S+) and (?P<b>\S+)",
            "{v} không phải bội số của bước {st}; hai giá trị được phép gần nhất là {a} và {b}",
        ),
        (
            r"(?P<v>.+) has no exact decimal value; round it first",
            "{v} không có giá trị thập phân chính xác; hãy làm tròn trước",
        ),
        (r'the unit "(?P<u>.+)" is given twice', 'đơn vị "{u}" được đưa vào hai lần'),
        (
            r'give a unit\'s facts either in "rounds" or at the top with "facts", not both',
            'khai số liệu trong "rounds" hoặc ở đầu tệp với "facts", không khai cả hai',
        ),
        (r'"claims" go with "facts"', '"claims" phải đi kèm "facts"'),
        (
            r"the file is given twice; a unit is ranked once",
            "tệp được đưa vào hai lần; mỗi đơn vị chỉ xếp hạng một lần",
        ),
        (
            r'the unit "(?P<u>.+)" is also in (?P<f>.+); a unit is ranked once',
            'đơn vị "{u}" cũng có trong {f}; mỗi đơn vị chỉ xếp hạng một lần',
        ),
        (r"cannot read: (?P<why>.+)", lambda p: f"không đọc được: {_os(p['why'])}"),
        (r"cannot write: (?P<why>.+)", lambda p: f"không ghi được: {_os(p['why'])}"),
        (r"not valid (?P<kind>JSON|TOML): (?P<why>.+)", _syntax),
        (r"the file is not valid UTF-8", "tệp không ở mã UTF-8"),
        (r'the key "(?P<k>.+)" is given twice in one object', 'khóa "{k}" xuất hiện hai lần trong một đối tượng'),
        (r"the round (?P<r>.+) is given twice", "vòng {r} được khai hai lần"),
        (r'the ruleset "(?P<n>.+)" cannot be loaded: (?P<why>.+)', 'không nạp được bộ tiêu chí "{n}": {why}'),
        (r"no score or fact is filled in", "chưa điền điểm hay số liệu nào"),
        (
            r"(?P<c>\S+) is computed from facts \((?P<f>.+)\) that this round does not give: .*",
            "tiêu chí {c} được tính theo số liệu ({f}) mà vòng chấm này chưa ghi: ghi các số liệu đó ở "
            "mục SỐ LIỆU KÊ KHAI, cột của vòng chấm này",
        ),
        (
            r"no column of the table is headed by a round: (?P<l>.+)",
            "không cột nào của bảng mang tên một vòng chấm: {l}",
        ),
        (r"not an \.xlsx workbook: (?P<k>.+)", "không phải bảng tính .xlsx ({k})"),
        (r"expected a number, got (?P<k>datetime|date|time)", "cần một số, nhận được một ngày giờ"),
        (r'no table: no row starts with "STT"', 'không thấy bảng chấm: không dòng nào bắt đầu bằng "STT"'),
        (
            r"(?P<v>.+) is out of range \(at most 15 digits before the point, (?P<p>\d+) after\)",
            lambda p: f"{_huge(p['v'])} vượt giới hạn (tối đa 15 chữ số trước dấu thập phân, {p['p']} chữ số sau)",
        ),
        (r"expected a finite number, got (?P<v>.+)", "cần một số hữu hạn, nhận được {v}"),
        (
            r"expected a level of scale (?P<s>\S+), got (?P<v>.+)",
            lambda p: f"cần một mức của thang {p['s']}, nhận được {_received(p['v'], 'vi')}",
            lambda p: f"expected a level of scale {p['s']}, got {_received(p['v'], 'en')}",
        ),
        (
            r"expected a name of category (?P<s>\S+), got (?P<v>.+)",
            lambda p: f"cần một tên thuộc nhóm {p['s']}, nhận được {_received(p['v'], 'vi')}",
            lambda p: f"expected a name of category {p['s']}, got {_received(p['v'], 'en')}",
        ),
        (r'expected "rounds" or "facts"', 'cần "rounds" hoặc "facts"'),
        (r"expected an object at the top level", "cần một đối tượng (object) ở mức ngoài cùng của tệp"),
        (
            r"missing \((?P<label>.+)\); criterion (?P<code>\S+) needs it",
            "thiếu số liệu ({label}); tiêu chí {code} cần số liệu này",
        ),
        (r"missing \((?P<label>.+)\)", "thiếu số liệu ({label})"),
        (r"missing", "thiếu số liệu"),
        (
            rf"missing: the judged score of criterion (?P<code>\S+) \(0 to (?P<high>{_NUM}|None)\)",
            "thiếu điểm chấm của tiêu chí {code} (từ 0 đến {high})",
        ),
        (
            r"missing; the (?P<what>ranking|classification) needs it",
            lambda p: (
                "thiếu số liệu; "
                + ("việc xếp hạng" if p["what"] == "ranking" else "việc xếp loại")
                + " cần số liệu này"
            ),
        ),
        (r"unknown fact; (?P<hint>.+)", lambda p: "bộ tiêu chí không có số liệu này; " + _did_you_mean(p["hint"])),
        (r"unknown fact", "bộ tiêu chí không có số liệu này"),
        (r"unknown criterion code", "không có tiêu chí mang mã này"),
        # A template's fact left empty (null)
        (r"expected a number, got NoneType", "chưa điền (null): cần một số"),
        (r"expected true or false, got None", "chưa điền (null): cần true (có) hoặc false (không)"),
        (
            r"expected true or false, got (?P<v>.+)",
            lambda p: "cần true hoặc false (viết không có ngoặc kép), nhận được " + _received(p["v"], "vi"),
            lambda p: "expected true or false (written without quotes), got " + _received(p["v"], "en"),
        ),
        (r'expected "có" or "không", got "(?P<v>.*)"', 'cần "có" hoặc "không", nhận được "{v}"'),
        (rf"expected a whole number for a (?P<kind>\w+), got (?P<v>{_NUM})", "cần một số nguyên, nhận được {v}"),
        (rf"a count cannot be negative, got (?P<v>{_NUM})", "số lượng không thể âm, nhận được {v}"),
        (rf"a rank starts at 1, got (?P<v>{_NUM})", "thứ hạng bắt đầu từ 1, nhận được {v}"),
        (
            rf"the assessed score (?P<v>{_NUM}) is above the max (?P<m>{_NUM}) of (?P<c>\S+)",
            "điểm chấm {v} vượt điểm tối đa {m} của tiêu chí {c}",
        ),
        (
            rf"(?P<v>{_NUM}) is below the lowest allowed value (?P<m>{_NUM})",
            "{v} nhỏ hơn giá trị thấp nhất cho phép {m}",
        ),
        (
            rf"(?P<v>{_NUM}) is above the highest allowed value (?P<m>{_NUM})",
            "{v} lớn hơn giá trị cao nhất cho phép {m}",
        ),
        (
            r'"(?P<v>.*)" is not a level of scale (?P<s>\S+); levels: (?P<levels>.+)',
            '"{v}" không phải là một mức của thang {s}; các mức: {levels}',
        ),
        (
            r'"(?P<v>.*)" is not a level of scale (?P<s>\S+); (?P<hint>.+)',
            lambda p: f'"{p["v"]}" không phải là một mức của thang {p["s"]}; {_did_you_mean(p["hint"])}',
        ),
        (
            r'expected a number, got the text "(?P<v>.*)"; .*',
            'cần một số (viết không có ngoặc kép), nhận được chữ "{v}"',
            'expected a number (written without quotes), got the text "{v}"',
        ),
        (
            r"expected a number, got (?P<v>.+?)(?: \(true/false\))?",
            lambda p: f"cần một số, nhận được {_received(p['v'], 'vi')}",
            lambda p: f"expected a number, got {_received(p['v'], 'en')}",
        ),
        (r'"(?P<v>.*)" is not a number', '"{v}" không phải là số'),
        (
            r'"(?P<v>.*)" is ambiguous: .*',
            '"{v}" không rõ là số nghìn hay số thập phân có ba chữ số; viết không tách nhóm (1000) '
            "hoặc thêm, bớt chữ số thập phân",
        ),
        (r'given twice \(also as "(?P<v>.*)"\)', 'khai hai lần (cả dưới tên "{v}")'),
        (
            r"the file is for the ruleset \"(?P<a>.+)\", not \"(?P<b>.+)\"",
            'tệp này dành cho bộ tiêu chí "{a}", không phải "{b}"',
        ),
        (r"the file names no ruleset: .*", 'tệp không ghi bộ tiêu chí: thêm "ruleset": "…" hoặc dùng --ruleset'),
    ]
)


def flag(text: str, lang: Lang, rounds: Mapping[str, str] | None = None) -> str:
    """A submission's flag in ``lang``; round names shown as their labels in Vietnamese."""
    labels = rounds or {}
    return FLAGS.render(
        text, lang, lambda key, v: labels.get(v, v) if key == "round" else _n(v, lang) if re.fullmatch(_NUM, v) else v
    )


def note(text: str, lang: Lang) -> str:
    """A ranking note or a classification reason in ``lang``."""
    return NOTES.render(text, lang, lambda key, v: _n(v, lang) if key in ("n", "a", "c") else v)


def final_reason(text: str, lang: Lang, rounds: Mapping[str, str] | None = None) -> str:
    """Why a round's score is a criterion's final score, in ``lang``."""
    labels = rounds or {}
    return FINAL.render(text, lang, lambda key, v: labels.get(v, v))


def problem(p: FactProblem, lang: Lang, rounds: Mapping[str, str] | None = None) -> str:
    """One fact problem as ``where: what`` in ``lang``; in Vietnamese a round named at the start
    of ``where`` is shown by its label (``rounds``: name -> label)."""
    where = p.fact
    if lang == "vi":
        where = re.sub(r"\bcolumn ([A-Z]+)\b", r"cột \1", where)
        where = re.sub(r"(^|: )claim (\S+)$", r"\1điểm ghi cho \2", where)
        labels = rounds or {}
        where = ": ".join(labels.get(part, part) for part in where.split(": "))
    return f"{where}: {PROBLEMS.render(p.message, lang)}"  # values echo the input: not reformatted


def facts_error(
    error: FactsError, lang: Lang, *, limit: int | None = None, rounds: Mapping[str, str] | None = None
) -> str:
    """A ``FactsError`` as the CLI prints it: a head line, then every problem (or the first
    ``limit`` of them, and how many more)."""
    if lang == "en":
        who = f" of unit {error.unit!r}" if error.unit else ""
        lines = [f"{len(error.problems)} problem(s) with the facts{who}"]
    else:
        who = f" của đơn vị {error.unit!r}" if error.unit else ""
        lines = [f"{len(error.problems)} lỗi trong số liệu{who}"]
    lines += ["  " + problem(p, lang, rounds) for p in error.problems[:limit]]
    if limit is not None and len(error.problems) > limit:
        more = len(error.problems) - limit
        lines.append(f"… và {more} lỗi khác" if lang == "vi" else f"… and {more} more")
    return "\n".join(lines)


#: The loading and lookup errors a command's user causes (a ruleset named wrong, a code asked
#: that the sheet lacks, an option left out), in Vietnamese. A ruleset's own syntax and checks
#: are its author's: their diagnostics stay as the checker words them, under a Vietnamese head.
OTHERS = Catalogue(
    [
        (r'no shipped ruleset "(?P<n>.+?)"; (?P<hint>.+)',
         lambda p: f'không có bộ tiêu chí có sẵn mang tên "{p["n"]}"; ' + _did_you_mean(p["hint"])),
        (r'no shipped ruleset "(?P<n>.+?)"',
         'không có bộ tiêu chí có sẵn mang tên "{n}" (xem thidua list), cũng không có tệp nào mang tên đó'),
        (r"cannot read (?P<f>.+?): (?P<why>.+)", lambda p: f"không đọc được {p['f']}: {_os(p['why'])}"),
        (r'no criterion, group or section "(?P<c>.*?)"; (?P<hint>.+)',
         lambda p: f'không có tiêu chí, nhóm hay mục mang mã "{p["c"]}"; ' + _did_you_mean(p["hint"])),
        (r'no criterion, group or section "(?P<c>.*?)"', 'không có tiêu chí, nhóm hay mục mang mã "{c}"'),
        (
            r"(?P<what>.+) needs openpyxl: pip install (?P<cmd>.+)",
            "cần gói openpyxl để đọc, ghi .xlsx: pip install {cmd}",
        ),
        (r"the xlsx form is written to a file: .*", "phiếu xlsx được ghi ra tệp: thêm -o TỆP.xlsx"),
        (r"the standings workbook is written to a file: .*", "bảng xếp hạng xlsx được ghi ra tệp: thêm -o TỆP.xlsx"),
        (r"an \.xlsx template is written to a file: .*", "mẫu xlsx được ghi ra tệp: thêm -o TỆP.xlsx"),
        (r"(?P<f>.+) exists; it is left as it is; (?P<h>.+)",
         "{f} đã có; tệp được giữ nguyên; chọn -o khác, hoặc xóa tệp đó trước"),
    ]
)


def other_error(error: Exception, lang: Lang) -> str:
    """A ``RulesetError`` or another library error (not a ``FactsError``) in ``lang``."""
    from ..errors import RulesetError

    if not isinstance(error, RulesetError):
        return OTHERS.render(str(error), lang)
    if lang == "en":
        return str(error)
    errors = sum(1 for d in error.diagnostics if d.severity == "error")
    lines = [f"{errors} lỗi trong bộ tiêu chí"]
    for d in error.diagnostics:
        said = d.message + (f"; {d.hint}" if d.hint else "")
        text = OTHERS.render(said, lang)
        where = f"{d.span.where}: " if d.span is not None else ""
        lines.append(f"{where}{'lỗi' if d.severity == 'error' else 'cảnh báo'}: {text}")
        if d.span is not None:
            lines.append(d.span.excerpt())
    return "\n".join(lines)
