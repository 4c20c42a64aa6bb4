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

    def __init__(self, entries: list[tuple[str, Template]], english: Mapping[int, Template] | None = None) -> None:
        self.entries = [(re.compile(pattern, re.S), template) for pattern, template in entries]
        self.english = dict(english or {})

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
        (r"must be (?P<a>.+?), not (?P<b>.+)", "phải là {a}, không phải {b}"),
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
        (r"cannot read: (?P<why>.+)", "không đọc được: {why}"),
        (r"cannot write: (?P<why>.+)", "không ghi được: {why}"),
        (r"not valid (?P<kind>JSON|TOML): (?P<why>.+)", "không phải {kind} hợp lệ: {why}"),
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
            "{v} vượt giới hạn (tối đa 15 chữ số trước dấu thập phân, {p} chữ số sau)",
        ),
        (r"expected a finite number, got (?P<v>.+)", "cần một số hữu hạn, nhận được {v}"),
        (r"expected a level of scale (?P<s>\S+), got (?P<v>.+)", "cần một mức của thang {s}, nhận được {v}"),
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
        (r"expected true or false, got (?P<v>.+)", "cần có/không (true/false), nhận được {v}"),
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
        (r'expected a number, got the text "(?P<v>.*)"; .*', 'cần một số, nhận được chữ "{v}"'),
        (r"expected a number, got (?P<v>.+)", "cần một số, nhận được {v}"),
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


def problem(p: FactProblem, lang: Lang) -> str:
    """One fact problem as ``where: what`` in ``lang``."""
    where = re.sub(r"\bcolumn ([A-Z]+)\b", r"cột \1", p.fact) if lang == "vi" else p.fact
    return f"{where}: {PROBLEMS.render(p.message, lang)}"  # values echo the input: not reformatted


def facts_error(error: FactsError, lang: Lang, *, limit: int | None = None) -> str:
    """A ``FactsError`` as the CLI prints it: a head line, then every problem (or the first
    ``limit`` of them, and how many more)."""
    if lang == "en":
        return str(error)
    who = f" của đơn vị {error.unit!r}" if error.unit else ""
    lines = [f"{len(error.problems)} lỗi trong số liệu{who}"]
    lines += ["  " + problem(p, lang) for p in error.problems[:limit]]
    if limit is not None and len(error.problems) > limit:
        lines.append(f"… và {len(error.problems) - limit} lỗi khác")
    return "\n".join(lines)
