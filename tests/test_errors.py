"""Ruleset diagnostics: every problem found before evaluation, in words, with file:line:col.

Each test builds a small ruleset as a string, loads it, and checks what a user reads:
the exact message (and hint), its line and column, and that ``str(error)`` shows the
``name:line:col`` prefix, the source line and a caret under the right column.

Positions are found with ``at()``, which searches the test's own source text (not the
library), so a wrong column in the library makes the test fail.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

import pytest

import thidua_rules as tr

NAME = "t.thidua"

#: The minimal valid header every test ruleset starts with (lines 1 to 3).
HEADER = 'ruleset "t" {\n    total 10\n}\n'


def ruleset(items: str, *, decls: str = "", section_max: str = "10", header: str = HEADER,
            after: str = "") -> str:
    """``header``, then ``decls``, then one section ``A`` holding ``items``, then ``after``."""
    return header + decls + f'section A "Mục A" max {section_max} {{\n' + items + "}\n" + after


def criterion(rule: str, *, code: str = "A.1", max_: str = "10", extra: str = "") -> str:
    """One criterion with a score rule (``extra`` lines go before the score line)."""
    return f'    criterion {code} "Tiêu chí" max {max_} {{\n{extra}        score {rule}\n    }}\n'


def at(text: str, snippet: str, nth: int = 1) -> tuple[int, int]:
    """1-based (line, column) of the ``nth`` occurrence of ``snippet`` in ``text``."""
    index = -1
    for _ in range(nth):
        index = text.index(snippet, index + 1)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def load_error(text: str, name: str = NAME) -> tr.RulesetError:
    with pytest.raises(tr.RulesetError) as info:
        tr.loads(text, source=name)
    return info.value


def errors(err: tr.RulesetError) -> list[tr.Diagnostic]:
    return [d for d in err.diagnostics if d.severity == "error"]


def only_error(err: tr.RulesetError) -> tr.Diagnostic:
    found = errors(err)
    assert len(found) == 1, [d.message for d in found]
    return found[0]


def assert_diag(diag: tr.Diagnostic, message: str, where: tuple[int, int], *,
                hint: str | None = None, severity: str = "error") -> None:
    assert diag.severity == severity
    assert diag.message == message
    assert diag.hint == hint
    assert diag.span is not None
    assert (diag.span.line, diag.span.column) == where


def assert_shown(rendered: str, text: str, where: tuple[int, int], message: str, *,
                 hint: str | None = None, severity: str = "error", name: str = NAME) -> None:
    """``rendered`` holds ``name:line:col: severity: message; hint``, the line, and a caret."""
    line, column = where
    head = f"{name}:{line}:{column}: {severity}: {message}" + (f"; {hint}" if hint else "")
    lines = rendered.splitlines()
    assert head in lines, rendered
    i = lines.index(head)
    source_line = (unicodedata.normalize("NFC", text).splitlines() or [""])[line - 1]
    gutter = f"  {line} | "
    assert lines[i + 1] == gutter + source_line
    caret_line = lines[i + 2]
    blank_gutter = "  " + " " * len(str(line)) + " | "
    assert caret_line.startswith(blank_gutter)
    marks = caret_line[len(blank_gutter):]
    assert marks.index("^") == column - 1, rendered
    assert set(marks.strip()) == {"^"}


def check_one(text: str, message: str, where: tuple[int, int], hint: str | None = None) -> tr.Diagnostic:
    """The ruleset fails with exactly one error, as described, and shown with a caret."""
    err = load_error(text)
    diag = only_error(err)
    assert_diag(diag, message, where, hint=hint)
    assert_shown(str(err), text, where, message, hint=hint)
    return diag


def warnings_of(text: str) -> tuple[tr.Diagnostic, ...]:
    return tr.loads(text, source=NAME).warnings


# ================================================================ the helpers themselves


def test_minimal_ruleset_loads_cleanly() -> None:
    rs = tr.loads(ruleset(criterion("assessed")), source=NAME)
    assert rs.warnings == ()
    assert list(rs.criteria) == ["A.1"]


def test_at_finds_line_and_column() -> None:
    assert at("ab\ncd x\n", "x") == (2, 4)
    assert at("x x\n", "x", nth=2) == (1, 3)


# ================================================================ syntax errors

#: What a rule may start with, in words.
EXPR_START = (
    '"(", "-", "assessed", "cohort", "false", "max", "percentage", "score", "table", "total", "true", '
    'a name, a number or a quoted text ("…")'
)


def test_syntax_error_lists_expected_tokens_in_words() -> None:
    text = ruleset(criterion("2 * * 5"))
    check_one(text, f'syntax error: unexpected "*"; expected {EXPR_START}', at(text, "* 5"))


#: What may follow a criterion's title: its limits, bounds and flags, then its block.
AFTER_TITLE = '"at", "best", "cap", "either", "max", "not", "signed" or "{"'


def test_syntax_error_expected_brace() -> None:
    # "max" needs a number; "{" must follow the limits.
    text = ruleset(criterion("5", max_="10 10"))
    check_one(
        text, f'syntax error: unexpected "10"; expected {AFTER_TITLE}', at(text, "10 {", 2)
    )


def test_syntax_error_expected_a_name() -> None:
    # the stray "3" is dropped and the rest of the line parses: one error
    text = ruleset(criterion("min(n, 10)"), decls='fact 3 n "ba": count\n')
    check_one(text, 'syntax error: unexpected "3"; expected a name', at(text, "3 "))


def test_syntax_error_expected_a_number() -> None:
    # extra tokens after "max 10" get dropped, so only the missing number is reported
    text = (
        HEADER
        + 'section A "Mục A" max 10 {\n    criterion A.1 "x" max max 10 {\n'
        + "        score assessed\n    }\n}\n"
    )
    err = load_error(text)
    first = errors(err)[0]
    assert_diag(first, 'syntax error: unexpected "max"; expected "(", "by", "open" or a number',
                at(text, "max 10 {", 2))
    assert_shown(str(err), text, at(text, "max 10 {", 2), first.message)


def test_syntax_error_unexpected_character() -> None:
    text = (
        HEADER
        + 'section A "Mục A" max 10 {\n    criterion @ "x" max 10 {\n'
        + "        score assessed\n    }\n}\n"
    )
    err = load_error(text)
    first = errors(err)[0]
    message = 'syntax error: unexpected character "@"; expected a code (such as II.4) or a quoted text ("…")'
    assert_diag(first, message, at(text, "@"))
    assert_shown(str(err), text, at(text, "@"), message)


def test_syntax_error_at_end_of_file() -> None:
    text = 'ruleset "t" {\n    total 10\n'
    message = (
        'syntax error: unexpected end of file; expected "allow", "assume", "document", "extends", "note", '
        '"rounding", "rounds", "title", "total", "variants", "year" or "}"'
    )
    # The end of the file is just after "total 10" (line 2 is "    total 10", 12 characters).
    check_one(text, message, (2, 13))


def test_syntax_error_in_empty_file() -> None:
    check_one("", 'syntax error: unexpected end of file; expected "ruleset"', (1, 1))


def test_declaration_before_header_is_a_syntax_error() -> None:
    text = 'fact n "n": count\n' + ruleset(criterion("assessed"))
    err = load_error(text)
    assert_diag(errors(err)[0], 'syntax error: unexpected "fact"; expected "ruleset"', (1, 1))


def test_two_syntax_errors_on_different_lines_are_both_reported() -> None:
    # Two independent slips, each an extra token: "* *" and "max 5 5".
    text = ruleset(
        criterion("2 * * 5", max_="5") + criterion("assessed", code="A.2", max_="5 5")
    )
    err = load_error(text)
    found = errors(err)
    assert len(found) == 2, [d.message for d in found]
    first_at, second_at = at(text, "* 5"), at(text, "5 {", 2)
    assert first_at[0] != second_at[0]
    assert_diag(found[0], f'syntax error: unexpected "*"; expected {EXPR_START}', first_at)
    assert_diag(found[1], f'syntax error: unexpected "5"; expected {AFTER_TITLE}', second_at)
    rendered = str(err)
    assert rendered.startswith("2 error(s) in ruleset\n")
    assert_shown(rendered, text, first_at, found[0].message)
    assert_shown(rendered, text, second_at, found[1].message)


MISSING_TOKEN_CASES = {
    # a missing ":" on the fact line, and an independent extra "*" three lines later
    "missing colon": (
        HEADER + 'fact n "n" count\n' + 'section A "Mục A" max 10 {\n'
        + criterion("2 * * n") + "}\n",
        ('syntax error: unexpected "count"; expected ":"', 'fact n "n" count', "count"),
    ),
    # a missing number after "max", and an independent extra "*" on the next line
    "missing number": (
        HEADER + 'section A "Mục A" max 10 {\n    criterion A.1 "x" max {\n'
        + "        score 2 * * 5\n    }\n}\n",
        ('syntax error: unexpected "{"; expected "(", "by", "open" or a number', "max {", "{"),
    ),
}


@pytest.mark.parametrize("case", list(MISSING_TOKEN_CASES))
def test_missing_token_does_not_cascade_over_later_lines(case: str) -> None:
    text, (message, context, token) = MISSING_TOKEN_CASES[case]
    err = load_error(text)
    line, _ = at(text, context)
    first_at = (line, at(text, context)[1] + context.index(token))
    found = [(d.message, (d.span.line, d.span.column)) for d in errors(err) if d.span]
    assert found == [
        (message, first_at),
        (f'syntax error: unexpected "*"; expected {EXPR_START}', at(text, "* ", 2)),
    ]


LARK_NAMES = [
    "LBRACE", "RBRACE", "LPAR", "RPAR", "COLON", "COMMA", "DOTDOT", "NAME", "NUMBER", "STRING",
    "CODE", "INT", "KIND", "COMPARE", "MORETHAN", "VBAR", "EQUAL", "STAR", "SLASH", "PLUS",
    "NEG", "DATE", "DIRECTION", "MONO", "SECTION", "CRITERION",
]

BROKEN = {
    "missing brace": ruleset(criterion("1").replace(" {\n", "\n", 1)),
    "missing colon": HEADER + 'fact n "n" count\n',
    "bad fact name": HEADER + 'fact 3 "n": count\n',
    "stray character": ruleset(criterion("10 @ 2")),
    "end of file": 'ruleset "t" {\n    total 10\n',
    "end of file in section": HEADER + 'section A "Mục A" max 10 {\n',
    "extra brace": ruleset(criterion("1")) + "}\n",
    "row without value": ruleset(criterion("table n { <= 1 }"), decls='fact n "n": count\n'),
    "comparison in header": 'ruleset "t" { total < 10 }\n',
    "empty": "",
    "missing code": HEADER + 'section "A" max 10 { criterion max 10 { score 1 } }\n',
    "unclosed string": HEADER + 'fact n "n: count\n',
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_syntax_errors_never_show_lark_terminal_names(case: str) -> None:
    err = load_error(BROKEN[case])
    for diag in err.diagnostics:
        assert diag.message.startswith("syntax error: "), diag.message
        assert "__ANON" not in diag.message
        assert "$END" not in diag.message
        for lark_name in LARK_NAMES:
            assert not re.search(rf"(?<![\w\"]){lark_name}(?![\w\"])", diag.message), diag.message
    assert "__ANON" not in str(err) and "$END" not in str(err)


def test_syntax_error_words_for_names_numbers_and_braces() -> None:
    messages = " ".join(
        d.message for case in ("bad fact name", "missing brace", "end of file in section")
        for d in load_error(BROKEN[case]).diagnostics
    )
    messages += " " + load_error(ruleset(criterion("5", max_="x"))).diagnostics[0].message
    assert "a name" in messages
    assert "a number" in messages
    assert '"{"' in messages


def test_extra_closing_brace_expects_end_of_file_in_words() -> None:
    text = ruleset(criterion("1")) + "}\n"
    diag = only_error(load_error(text))
    assert diag.message.endswith("or the end of the file")
    assert (diag.span.line, diag.span.column) == (len(text.splitlines()), 1)


def test_expected_list_has_a_single_or() -> None:
    text = HEADER + 'section A "Mục A" max 10 {\n    score 1\n}\n'
    diag = only_error(load_error(text))
    assert diag.message.startswith('syntax error: unexpected "score"; expected ')
    assert diag.message.count(" or ") == 1, diag.message


def test_unexpected_character_lists_only_what_can_follow() -> None:
    text = ruleset(criterion("10 @"))
    diag = only_error(load_error(text))
    assert diag.message.startswith('syntax error: unexpected character "@"; expected ')
    assert (diag.span.line, diag.span.column) == at(text, "@")
    # ("let" can follow: a criterion may hold a local let.)
    for impossible in ('"fact"', '"award"', '"formula"', '"ranking"', '"scale"', '"default"'):
        assert impossible not in diag.message, diag.message


def test_unclosed_string_is_explained() -> None:
    text = HEADER + 'fact n "n: count\n'
    diag = errors(load_error(text))[0]
    assert (diag.span.line, diag.span.column) == at(text, '"n')
    assert '"""' not in diag.message
    assert "quot" in diag.message and ("clos" in diag.message or "end" in diag.message)


# ================================================================ reading files


def test_invalid_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "hong.thidua"
    path.write_bytes(b'ruleset "t" {\n    total 10\n    title "ab\xffc"\n}\n')
    with pytest.raises(tr.RulesetError) as info:
        tr.load(path)
    diag = only_error(info.value)
    # line 3 is '    title "ab?c"': 4 spaces, "title" (5-9), a space (10), a quote (11),
    # "ab" (12-13) -> the bad byte is column 14
    assert_diag(diag, "the file is not valid UTF-8", (3, 14), hint="save it as UTF-8")
    rendered = str(info.value)
    assert f"{path}:3:14: error: the file is not valid UTF-8; save it as UTF-8" in rendered
    lines = rendered.splitlines()
    i = lines.index(f"{path}:3:14: error: the file is not valid UTF-8; save it as UTF-8")
    assert lines[i + 1] == '  3 |     title "ab\ufffdc"'
    assert lines[i + 2] == "    | " + " " * 13 + "^"


def test_invalid_utf8_column_counts_characters(tmp_path: Path) -> None:
    path = tmp_path / "hong.thidua"
    path.write_bytes('ruleset "t" {\n    title "xuất sắc '.encode() + b'\xff"\n}\n')
    with pytest.raises(tr.RulesetError) as info:
        tr.load(path)
    diag = only_error(info.value)
    # '    title "xuất sắc ' is 4 + 5 + 1 + 1 + 4 + 1 + 3 + 1 = 20 characters -> column 21
    # (in bytes "ấ" and "ắ" take 3 each, which would wrongly give 25)
    assert (diag.span.line, diag.span.column) == (2, 21)


def test_invalid_utf8_after_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.thidua"
    path.write_bytes(b'\xef\xbb\xbfruleset "t" {\n    total 10\n    title "ab\xffc"\n}\n')
    with pytest.raises(tr.RulesetError) as info:
        tr.load(path)
    diag = only_error(info.value)
    # the BOM is not part of the text: the bad byte is column 14 as in test_invalid_utf8_file
    assert (diag.span.line, diag.span.column) == (3, 14)


def test_unreadable_paths(tmp_path: Path) -> None:
    missing = tmp_path / "khong-co.thidua"
    with pytest.raises(tr.RulesetError) as info:
        tr.load(missing)
    (diag,) = info.value.diagnostics
    assert diag == tr.Diagnostic("error", f"cannot read {missing}: No such file or directory", None)
    assert str(info.value) == (
        f"1 error(s) in ruleset\nerror: cannot read {missing}: No such file or directory"
    )

    with pytest.raises(tr.RulesetError) as info:
        tr.load(tmp_path)
    (diag,) = info.value.diagnostics
    assert diag.message == f"cannot read {tmp_path}: Is a directory"


def test_unreadable_file_without_permission(tmp_path: Path) -> None:
    path = tmp_path / "khoa.thidua"
    path.write_text(ruleset(criterion("assessed")), encoding="utf-8")
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running with privileges that read any file")
        with pytest.raises(tr.RulesetError) as info:
            tr.load(path)
        assert info.value.diagnostics[0].message == f"cannot read {path}: Permission denied"
    finally:
        path.chmod(0o644)


def test_loads_refuses_bytes() -> None:
    with pytest.raises(tr.RulesetError) as info:
        tr.loads(ruleset(criterion("assessed")).encode())  # type: ignore[arg-type]
    assert info.value.diagnostics[0].message == "expected the ruleset as text, got bytes"


def test_load_names_the_file_in_messages(tmp_path: Path) -> None:
    path = tmp_path / "sai.thidua"
    text = ruleset(criterion("10 * b"), decls='fact b "b": boolean\n')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(tr.RulesetError) as info:
        tr.load(path)
    where = at(text, "b\n")
    assert_shown(str(info.value), text, where, '"*" needs numbers, not true/false', name=str(path))


# ================================================================ names


def test_cycle_among_lets() -> None:
    decls = 'fact n "n": count\nlet a = b + 1\nlet b = a + n\n'
    text = ruleset(criterion("min(a, 10)"), decls=decls)
    check_one(text, "derived values depend on each other in a cycle: a -> b -> a", at(text, "let a"))


def test_let_that_reads_itself() -> None:
    text = ruleset(criterion("min(a, 10)"), decls="let a = a + 1\n")
    check_one(text, "derived values depend on each other in a cycle: a -> a", at(text, "let a"))


def test_unknown_function_with_suggestion() -> None:
    text = ruleset(criterion("mni(n, 10)"), decls='fact n "n": count\n')
    check_one(text, 'unknown function "mni"', at(text, "mni"), 'did you mean "min"?')


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("clamp(n, 10)", '"clamp" takes 3 arguments, not 2'),
        ("min(n)", '"min" takes at least 2 arguments, not 1'),
        ("round(n, 0, 1)", '"round" takes 1 to 2 arguments, not 3'),
        ("abs(n, n)", '"abs" takes 1 arguments, not 2'),
    ],
)
def test_wrong_argument_count(rule: str, message: str) -> None:
    text = ruleset(criterion(rule), decls='fact n "n": count 0..10\n')
    check_one(text, message, at(text, rule))


def test_assessed_outside_a_criterion() -> None:
    text = ruleset(criterion("min(a, 10)"), decls="let a = assessed + 1\n")
    check_one(text, "\"assessed\" can only be used in a criterion's score rule", at(text, "assessed"))


def test_assessed_in_applicable_and_ranking_all_reported() -> None:
    text = ruleset(
        criterion("assessed", extra="        applicable if assessed > 1\n"),
        after="ranking {\n    by highest assessed\n}\n",
    )
    err = load_error(text)
    message = "\"assessed\" can only be used in a criterion's score rule"
    found = errors(err)
    assert [(d.message, (d.span.line, d.span.column)) for d in found] == [
        (message, at(text, "assessed > 1")),
        (message, at(text, "assessed\n}")),
    ]
    for where in (at(text, "assessed > 1"), at(text, "assessed\n}")):
        assert_shown(str(err), text, where, message)


def test_self_max_outside_a_criterion() -> None:
    text = ruleset(criterion("a"), decls="let a = max\n")
    check_one(text, "\"max\" can only be used in a criterion's score rule", at(text, "max\n"))


def test_duplicate_code_is_case_insensitive() -> None:
    items = criterion("assessed", code="I.1", max_="5") + criterion("assessed", code='"i.1"', max_="5")
    text = ruleset(items)
    err = load_error(text)
    first_line = at(text, "I.1")[0]
    message = f'code "i.1" is used twice (first at line {first_line})'
    dup = [d for d in errors(err) if "used twice" in d.message]
    assert len(dup) == 1
    assert_diag(dup[0], message, at(text, '"i.1"'))
    assert_shown(str(err), text, at(text, '"i.1"'), message)


def test_duplicate_code_causes_no_follow_on_sum_error() -> None:
    items = criterion("assessed", code="I.1", max_="5") + criterion("assessed", code='"i.1"', max_="5")
    err = load_error(ruleset(items))
    assert [d.message for d in errors(err)] == ['code "i.1" is used twice (first at line 5)']


def test_duplicate_names() -> None:
    decls = (
        'scale xl "Xếp loại" {\n    "tốt" > "kém"\n}\n'
        'scale xl "Lặp" {\n    "a" > "b"\n}\n'
        'fact n "n": count 0..10\n'
        'fact n "lặp": count\n'
        "let n = 3\n"
    )
    text = ruleset(criterion("n"), decls=decls)
    err = load_error(text)
    got = [(d.message, (d.span.line, d.span.column)) for d in errors(err)]
    scale_line = at(text, "scale xl")[0]
    fact_line = at(text, "fact n")[0]
    assert got == [
        (f'"xl" is declared twice (first at line {scale_line})', at(text, "scale xl", 2)),
        (f'"n" is declared twice (first at line {fact_line})', at(text, "fact n", 2)),
        (f'"n" is declared twice (first at line {fact_line})', at(text, "let n")),
    ]
    for message, where in got:
        assert_shown(str(err), text, where, message)


def test_duplicate_level_in_a_scale() -> None:
    text = ruleset(criterion("assessed"), decls='scale xl "X" {\n    "tốt" > "TỐT"\n}\n')
    check_one(
        text, 'level "TỐT" appears twice in scale "xl"', at(text, '"TỐT"'),
        "levels are compared without regard to case, accents' encoding or spacing",
    )


def test_misspelt_fact_suggests_the_right_one() -> None:
    text = ruleset(
        criterion("min(2 * so_van_ban_tham_mu, 10)"), decls='fact so_van_ban_tham_muu "n": count\n'
    )
    check_one(
        text, 'unknown fact or derived value "so_van_ban_tham_mu"', at(text, "so_van_ban_tham_mu,"),
        'did you mean "so_van_ban_tham_muu"?',
    )


def test_misspelt_fact_inside_a_let() -> None:
    text = ruleset(criterion("min(tong, 10)"), decls='fact so_luong "n": count\nlet tong = so_luon * 2\n')
    check_one(
        text, 'unknown fact or derived value "so_luon"', at(text, "so_luon "), 'did you mean "so_luong"?'
    )


def test_scale_name_used_as_a_value() -> None:
    text = ruleset(
        criterion('if xl = "tốt" then 10 else 0'), decls='scale xl "X" {\n    "tốt" > "kém"\n}\n'
    )
    check_one(
        text, 'unknown fact or derived value "xl"', at(text, "xl ="),
        '"xl" is a scale; compare a fact of that scale with one of its levels',
    )


def test_unknown_fact_kind() -> None:
    text = ruleset(criterion("assessed"), decls='fact a "a": cuont\n')
    check_one(text, 'unknown fact kind "cuont"', at(text, "cuont"), 'did you mean "count"?')


def test_unknown_fact_kind_causes_no_follow_on_errors() -> None:
    text = ruleset(criterion("min(a, 10)"), decls='fact a "a": cuont\n')
    assert [d.message for d in errors(load_error(text))] == ['unknown fact kind "cuont"']


def test_unknown_code_in_ranking() -> None:
    text = ruleset(criterion("assessed"), after="ranking {\n    by highest score(A.2)\n}\n")
    check_one(text, 'unknown code "A.2"', at(text, "score(A.2)"), 'did you mean "A.1"?')


# ================================================================ scale levels

SCALE = 'scale xl "Xếp loại" {\n    "xuất sắc" > "tốt" > "đạt" > "không đạt"\n}\nfact x "Xếp loại": xl\n'


def test_misspelt_level_in_a_comparison() -> None:
    text = ruleset(criterion('if x = "xuất sắt" then 10 else 0'), decls=SCALE)
    check_one(
        text, '"xuất sắt" is not a level of scale "xl"', at(text, '"xuất sắt"'),
        'did you mean "xuất sắc"?',
    )


def test_misspelt_level_in_a_table_row() -> None:
    rule = 'table x {\n            "xuất sắc": 10\n            "tôt": 5\n            otherwise: 0\n        }'
    text = ruleset(criterion(rule), decls=SCALE)
    check_one(text, '"tôt" is not a level of scale "xl"', at(text, '"tôt"'), 'did you mean "tốt"?')


def test_level_without_close_match_lists_the_levels() -> None:
    text = ruleset(criterion('if x = "giỏi" then 10 else 0'), decls=SCALE)
    check_one(
        text, '"giỏi" is not a level of scale "xl"', at(text, '"giỏi"'),
        'levels: "xuất sắc", "tốt", "đạt", "không đạt"',
    )


def test_levels_match_in_nfd_and_other_case() -> None:
    nfd_upper = unicodedata.normalize("NFD", "XUẤT SẮC")
    nfd_row = unicodedata.normalize("NFD", "Không  Đạt")
    assert nfd_upper != "XUẤT SẮC"
    rule = (
        f'table x {{\n            "{nfd_upper}": 10\n            "TỐT": 8\n'
        f'            "đạt": 5\n            "{nfd_row}": 0\n        }}'
    )
    rs = tr.loads(ruleset(criterion(rule), decls=SCALE), source=NAME)
    assert rs.warnings == ()
    # "xuất sắc" -> 10, "không đạt" -> 0
    assert rs.evaluate({"x": "xuất sắc"}).total == 10
    assert rs.evaluate({"x": "không đạt"}).total == 0


def test_default_not_on_the_scale() -> None:
    decls = 'scale xl "X" {\n    "tốt" > "kém"\n}\nfact x "x": xl default "tôt"\n'
    text = ruleset(criterion("assessed"), decls=decls)
    check_one(text, 'default "tôt" is not a level of scale "xl"', at(text, '"tôt"'), 'did you mean "tốt"?')


# ================================================================ types


def test_boolean_multiplied() -> None:
    text = ruleset(criterion("10 * b"), decls='fact b "b": boolean\n')
    check_one(text, '"*" needs numbers, not true/false', at(text, "b\n"))


def test_boolean_added() -> None:
    text = ruleset(criterion("min(b + 1, 10)"), decls='fact b "b": boolean\n')
    check_one(text, '"+" needs numbers, not true/false', at(text, "b +"))


def test_rank_compared_with_a_scale_level() -> None:
    text = ruleset(criterion("if r < x then 10 else 0"), decls=SCALE + 'fact r "r": rank 1..63\n')
    check_one(text, 'cannot compare a number with a level of scale "xl"', at(text, "r < x"))


def test_rank_compared_with_a_text() -> None:
    text = ruleset(criterion('if r = "tốt" then 10 else 0'), decls='fact r "r": rank 1..63\n')
    check_one(text, "cannot compare a number with a text", at(text, "r ="))


def test_level_multiplied() -> None:
    text = ruleset(criterion("2 * x"), decls=SCALE)
    check_one(text, '"*" needs numbers, not a level of scale "xl"', at(text, "x\n    }"))


def test_condition_must_be_true_or_false() -> None:
    text = ruleset(criterion("if n then 10 else 0"), decls='fact n "n": count\n')
    check_one(text, "the condition of an if must be true/false, not a number", at(text, "n then"))


def test_score_rule_must_be_a_number() -> None:
    text = ruleset(criterion("b"), decls='fact b "b": boolean\n')
    check_one(text, "a score rule must be a number, not true/false", at(text, "b\n    }"))


def test_if_branches_of_different_types() -> None:
    text = ruleset(criterion("if b then 10 else false"), decls='fact b "b": boolean\n')
    check_one(text, "the branches of an if must all be a number, but this is true/false", at(text, "false"))


def test_division_by_zero() -> None:
    text = ruleset(criterion("10 / 0"))
    check_one(text, "division by zero", at(text, "10 / 0"))


# ================================================================ sums of maxima

GAP_HINT = 'if the document has this gap, acknowledge it with: allow gap "reason"'


def test_items_do_not_add_up_to_the_section_max() -> None:
    # 4 + 5 = 9, not 10
    text = ruleset(criterion("assessed", max_="4") + criterion("assessed", code="A.2", max_="5"))
    check_one(text, 'the items of "A" add up to 9, not its max 10', at(text, "max 10"), GAP_HINT)


def test_allow_gap_turns_the_section_gap_into_a_warning() -> None:
    items = '    allow gap "văn bản gốc thiếu 1 điểm"\n' + criterion("assessed", max_="4") + criterion(
        "assessed", code="A.2", max_="5"
    )
    text = ruleset(items)
    (warning,) = warnings_of(text)
    message = 'the items of "A" add up to 9, not its max 10 (acknowledged: văn bản gốc thiếu 1 điểm)'
    assert_diag(warning, message, at(text, "max 10"), severity="warning")
    assert_shown(warning.render(), text, at(text, "max 10"), message, severity="warning")


def test_sections_do_not_add_up_to_the_total() -> None:
    # one section of max 8, total 10
    text = ruleset(criterion("assessed", max_="8"), section_max="8")
    check_one(text, "the sections add up to 8, not the declared total 10", (2, 5), GAP_HINT)


def test_sections_over_the_total() -> None:
    # 10 + 5 = 15, total 10
    text = (
        ruleset(criterion("assessed"))
        + 'section B "Mục B" max 5 {\n'
        + criterion("assessed", code="B.1", max_="5")
        + "}\n"
    )
    check_one(text, "the sections add up to 15, not the declared total 10", at(text, "total 10"), GAP_HINT)


def test_allow_gap_in_the_header() -> None:
    header = 'ruleset "t" {\n    total 10\n    allow gap "bảng gốc chỉ có 8 điểm"\n}\n'
    text = ruleset(criterion("assessed", max_="8"), section_max="8", header=header)
    (warning,) = warnings_of(text)
    assert_diag(
        warning, "the sections add up to 8, not the declared total 10 (acknowledged: bảng gốc chỉ có 8 điểm)",
        (2, 5), severity="warning",
    )


def test_missing_total() -> None:
    text = ruleset(criterion("assessed"), header='ruleset "t" {\n}\n')
    check_one(text, "the ruleset declares no total", (1, 1), 'add "total N" to the header')


def test_criterion_without_max() -> None:
    text = ruleset('    criterion A.1 "x" {\n        score 10\n    }\n')
    check_one(text, 'criterion "A.1" has no max', at(text, "A.1"),
              'add "max N" after its title, or "max open" where the document gives none')


# ================================================================ tier tables

ORDER_HINT = "tier rows are tried in order; put them from the narrowest to the widest"
RANK = 'fact r "Xếp hạng": rank 1..63\n'


def test_unordered_rows_over_a_rank() -> None:
    rule = "table r {\n            <= 20: 10\n            <= 10: 8\n            otherwise: 0\n        }"
    text = ruleset(criterion(rule), decls=RANK)
    err = load_error(text)
    diag = only_error(err)
    message = "row 2 (<= 10) can never match: earlier rows take all its values"
    assert_diag(diag, message, at(text, "<= 10"), hint=ORDER_HINT)
    assert_shown(str(err), text, at(text, "<= 10"), message, hint=ORDER_HINT)


def test_overlapping_ranges() -> None:
    rule = "table n {\n            1..10: 10\n            5..15: 5\n            otherwise: 0\n        }"
    text = ruleset(criterion(rule), decls='fact n "n": count\n')
    err = load_error(text)
    diag = only_error(err)
    assert (diag.span.line, diag.span.column) == at(text, "5..15")
    assert diag.message.startswith("row 2 overlaps an earlier row")
    assert "5 to 10" in diag.message  # 1..10 and 5..15 share 5, 6, …, 10
    assert diag.hint == "with first-match rows, give ranges that do not overlap"
    assert_shown(str(err), text, at(text, "5..15"), diag.message, hint=diag.hint)


def test_overlap_message_reads_well() -> None:
    rule = "table n {\n            1..10: 10\n            5..15: 5\n            otherwise: 0\n        }"
    diag = only_error(load_error(ruleset(criterion(rule), decls='fact n "n": count\n')))
    assert "at from" not in diag.message, diag.message


def test_missing_otherwise_says_which_values_are_not_covered() -> None:
    # rank 1..63; rows cover 1..20, so 21..63 have no row
    rule = "table r {\n            <= 10: 10\n            <= 20: 5\n        }"
    text = ruleset(criterion(rule), decls=RANK)
    check_one(
        text, "the table has no otherwise row, and no row matches from 21 to 63",
        at(text, "table r"), 'add a last row "otherwise: …"',
    )


def test_missing_otherwise_over_a_scale() -> None:
    rule = 'table x {\n            "xuất sắc": 10\n            "tốt": 5\n        }'
    text = ruleset(criterion(rule), decls=SCALE)
    check_one(
        text, 'the table has no otherwise row, and no row matches "đạt", "không đạt"',
        at(text, "table x"), 'add a last row "otherwise: …"',
    )


def test_missing_otherwise_over_a_boolean() -> None:
    text = ruleset(criterion("table b {\n            true: 10\n        }"), decls='fact b "b": boolean\n')
    check_one(
        text, "the table has no otherwise row, and no row matches false", at(text, "table b"),
        'add a last row "otherwise: …"',
    )


def test_missing_otherwise_names_every_gap() -> None:
    rule = "table r {\n            1..10: 10\n            21..30: 5\n        }"
    diag = only_error(load_error(ruleset(criterion(rule), decls=RANK)))
    assert "11 to 20" in diag.message
    assert "31" in diag.message and "63" in diag.message, diag.message


def test_missing_otherwise_gap_with_open_end() -> None:
    rule = "table p {\n            <= 50: 10\n            > 60: 5\n        }"
    diag = only_error(load_error(ruleset(criterion(rule), decls='fact p "p": percent\n')))
    assert diag.message.startswith("the table has no otherwise row, and no row matches ")
    assert "from 50 to 60" not in diag.message, diag.message


def test_first_row_outside_the_domain() -> None:
    rule = "table r {\n            <= 0: 10\n            otherwise: 5\n        }"
    diag = only_error(load_error(ruleset(criterion(rule), decls=RANK)))
    assert "earlier rows" not in diag.message, diag.message
    assert diag.message == "row 1 (<= 0) matches no possible value of the subject"


def test_otherwise_after_full_cover_is_a_warning() -> None:
    rule = (
        'table x {\n            "xuất sắc": 10\n            "tốt": 5\n            "đạt": 2\n'
        '            "không đạt": 0\n            otherwise: 0\n        }'
    )
    text = ruleset(criterion(rule), decls=SCALE)
    (warning,) = warnings_of(text)
    message = "the otherwise row can never match: the rows above cover every value"
    assert_diag(warning, message, at(text, "otherwise"), severity="warning")
    assert_shown(warning.render(), text, at(text, "otherwise"), message, severity="warning")


def test_otherwise_after_full_numeric_cover_is_a_warning() -> None:
    rule = "table r {\n            <= 10: 10\n            > 10: 5\n            otherwise: 0\n        }"
    text = ruleset(criterion(rule), decls=RANK)
    (warning,) = warnings_of(text)
    assert_diag(
        warning, "the otherwise row can never match: the rows above cover every value",
        at(text, "otherwise"), severity="warning",
    )


def test_otherwise_must_be_last() -> None:
    rule = "table r {\n            otherwise: 0\n            <= 10: 10\n        }"
    text = ruleset(criterion(rule), decls=RANK)
    err = load_error(text)
    assert "the otherwise row must be the table's last row" in [d.message for d in errors(err)]


# ================================================================ reach of a rule

REACH_HINT = 'if the document says so, acknowledge it with: allow unreachable "reason"'


def test_best_case_below_max_is_a_warning() -> None:
    # if b then 8 else 0: the best case is 8 < max 10
    text = ruleset(criterion("if b then 8 else 0"), decls='fact b "b": boolean\n')
    (warning,) = warnings_of(text)
    message = 'the best case of "A.1" is 8, below its max 10'
    assert_diag(warning, message, at(text, "if b"), hint=REACH_HINT, severity="warning")
    assert_shown(warning.render(), text, at(text, "if b"), message, hint=REACH_HINT, severity="warning")


def test_allow_unreachable_acknowledges_it() -> None:
    text = ruleset(
        criterion("if b then 8 else 0", extra='        allow unreachable "văn bản cho tối đa 8 điểm"\n'),
        decls='fact b "b": boolean\n',
    )
    assert warnings_of(text) == ()


def test_best_case_above_max_is_a_warning() -> None:
    # 3 * n with n in 0..5: the best case is 3 * 5 = 15 > max 10
    text = ruleset(criterion("3 * n"), decls='fact n "n": count 0..5\n')
    (warning,) = warnings_of(text)
    assert_diag(
        warning, 'the best case of "A.1" is 15, above its max 10: the cap will cut it',
        at(text, "3 * n"), severity="warning",
        hint='if the document caps it on purpose, acknowledge it with: allow exceed "reason"',
    )


def test_allow_exceed_acknowledges_it() -> None:
    text = ruleset(
        criterion("3 * n", extra='        allow exceed "văn bản: tối đa 10 điểm"\n'),
        decls='fact n "n": count 0..5\n',
    )
    assert warnings_of(text) == ()


def test_unordered_table_is_not_also_reported_as_an_unreachable_max() -> None:
    # row 2 (<= 10: 10) can never match; the best case (8) follows from that error, so the range
    # analysis of a rule with errors is skipped rather than adding a second report
    rule = "table r {\n            <= 20: 8\n            <= 10: 10\n            otherwise: 0\n        }"
    text = ruleset(criterion(rule), decls=RANK)
    err = load_error(text)
    assert [(d.severity, d.message) for d in err.diagnostics] == [
        ("error", "row 2 (<= 10) can never match: earlier rows take all its values"),
    ]


# ================================================================ collecting every problem


def test_many_independent_errors_are_all_reported() -> None:
    text = (
        HEADER
        + 'scale xl "Xếp loại" {\n    "xuất sắc" > "tốt" > "đạt"\n}\n'
        + 'fact b "b": boolean\n'
        + 'fact so_lan "n": count\n'
        + 'fact x "x": xl\n'
        + 'fact r "r": rank 1..63\n'
        + "let p = q + 1\n"
        + "let q = p\n"
        + 'section A "Mục A" max 10 {\n'
        + criterion("2 * b", max_="2")
        + criterion("mni(so_lan, 2)", code="A.2", max_="2")
        + criterion("min(so_lam, 2)", code="A.3", max_="2")
        + criterion('if x = "tôt" then 2 else 0', code="A.4", max_="2")
        + criterion("if r < x then 1 else 0", code="A.5", max_="1")
        + "}\n"
        + 'section B "Mục B" max 1 {\n'
        + criterion(
            "table r {\n            <= 20: 1\n            <= 10: 1\n            otherwise: 0\n        }",
            code="B.1", max_="1",
        )
        + "}\n"
    )
    err = load_error(text)
    expected = [
        ("derived values depend on each other in a cycle: p -> q -> p", at(text, "let p"), None),
        ('"*" needs numbers, not true/false', at(text, "b\n    }"), None),
        ('unknown function "mni"', at(text, "mni"), 'did you mean "min"?'),
        ('unknown fact or derived value "so_lam"', at(text, "so_lam"), 'did you mean "so_lan"?'),
        ('"tôt" is not a level of scale "xl"', at(text, '"tôt"'), 'did you mean "tốt"?'),
        ('cannot compare a number with a level of scale "xl"', at(text, "r < x"), None),
        ("row 2 (<= 10) can never match: earlier rows take all its values", at(text, "<= 10"), ORDER_HINT),
        # 2 + 2 + 2 + 2 + 1 = 9, not 10
        ('the items of "A" add up to 9, not its max 10', at(text, "max 10"), GAP_HINT),
        # 10 + 1 = 11, not 10
        ("the sections add up to 11, not the declared total 10", at(text, "total 10"), GAP_HINT),
    ]
    got = [(d.message, (d.span.line, d.span.column), d.hint) for d in errors(err)]
    assert sorted(got) == sorted(expected)
    rendered = str(err)
    assert rendered.startswith(f"{len(expected)} error(s) in ruleset\n")
    for message, where, hint in expected:
        assert_shown(rendered, text, where, message, hint=hint)


def test_warnings_are_kept_alongside_errors() -> None:
    text = ruleset(
        criterion("if b then 8 else 0", max_="5") + criterion("10 * b", code="A.2", max_="5"),
        decls='fact b "b": boolean\n',
    )
    err = load_error(text)
    assert sorted((d.severity, d.message) for d in err.diagnostics) == [
        ("error", '"*" needs numbers, not true/false'),
        ("warning", 'the best case of "A.1" is 8, above its max 5: the cap will cut it'),
    ]
    assert str(err).startswith("1 error(s) in ruleset\n")
    assert_shown(
        str(err), text, at(text, "if b"), 'the best case of "A.1" is 8, above its max 5: the cap will cut it',
        severity="warning",
        hint='if the document caps it on purpose, acknowledge it with: allow exceed "reason"',
    )
