"""Text to parse tree: the Lark parser, built once, and syntax errors in words."""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.lexer import PatternStr

from .errors import Diagnostic, RulesetError
from .source import Source, Span

#: Terminals with a regular-expression pattern, described for people.
_TERMINAL_WORDS = {
    "STRING": 'a quoted text ("…")',
    "NAME": "a name",
    "CODE": "a code (such as II.4)",
    "NUMBER": "a number",
    "INT": "a whole number",
    "DATE": "a date (YYYY-MM-DD)",
    "COMPARE": "a comparison (<, <=, =, !=, >=, >)",
    "KIND": '"standard", "bonus" or "deduction"',
    "DIRECTION": '"highest" or "lowest"',
    "MONO": '"increasing" or "decreasing"',
    "$END": "the end of the file",
}
#: Most syntax errors reported from one file.
_MAX_SYNTAX_ERRORS = 10


def grammar_text() -> str:
    """The grammar, from the installed package or, in a checkout, from ``grammars/``."""
    packaged = resources.files("thidua_rules").joinpath("grammars/thidua.lark")
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    checkout = Path(__file__).resolve().parent.parent / "grammars" / "thidua.lark"
    return checkout.read_text(encoding="utf-8")


@functools.cache
def parser() -> Lark:
    """The LALR parser, built on first use and shared (Lark parsers are reentrant)."""
    return Lark(grammar_text(), parser="lalr", propagate_positions=True, maybe_placeholders=False)


@functools.cache
def _words() -> dict[str, str]:
    words = dict(_TERMINAL_WORDS)
    for terminal in parser().terminals:
        if isinstance(terminal.pattern, PatternStr):
            words[terminal.name] = f'"{terminal.pattern.value}"'
    return words


def describe_expected(names: set[str] | frozenset[str]) -> str:
    """``"{", a name or "}"``: Lark's terminal names turned into words, sorted."""
    words = _words()
    items = sorted({words.get(name, name.lower()) for name in names})
    if not items:
        return "nothing more"
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " or " + items[-1]


def _diagnostic(error: UnexpectedInput, source: Source) -> Diagnostic:
    line = max(1, error.line if error.line and error.line > 0 else 1)
    column = max(1, error.column if error.column and error.column > 0 else 1)
    width = 1
    if isinstance(error, UnexpectedToken) and error.token.type != "$END":
        found = f'unexpected "{error.token}"'
        width = max(1, len(str(error.token).splitlines()[0]) if str(error.token) else 1)
        expected = describe_expected(error.accepts or error.expected)
    elif isinstance(error, UnexpectedToken | UnexpectedEOF):
        found = "unexpected end of file"
        lines = source.text.splitlines() or [""]
        line, column = len(lines), len(lines[-1]) + 1
        expected = describe_expected(set(error.expected))
    else:
        assert isinstance(error, UnexpectedCharacters)
        found = f'unexpected character "{error.char}"'
        expected = describe_expected(error.allowed or set())
    span = Span(source, line, column, line, column + width)
    return Diagnostic("error", f"syntax error: {found}; expected {expected}", span)


def parse(source: Source) -> Tree[Token]:
    """Parse a whole ruleset; raise one ``RulesetError`` listing the syntax errors found."""
    problems: list[Diagnostic] = []
    last_line = 0

    def recover(error: UnexpectedInput) -> bool:
        nonlocal last_line
        if len(problems) >= _MAX_SYNTAX_ERRORS:
            return False
        diagnostic = _diagnostic(error, source)
        assert diagnostic.span is not None
        # Skipping a token can cascade: keep the first error of each line only.
        if diagnostic.span.line > last_line:
            problems.append(diagnostic)
            last_line = diagnostic.span.line
        return True

    try:
        tree = parser().parse(source.text, on_error=recover)
    except UnexpectedInput as error:
        diagnostic = _diagnostic(error, source)
        if not problems or (diagnostic.span and diagnostic.span.line > last_line):
            problems.append(diagnostic)
        raise RulesetError(problems) from None
    if problems:
        raise RulesetError(problems)
    return tree
