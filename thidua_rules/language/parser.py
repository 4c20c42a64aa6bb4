"""Text to parse tree: the Lark parser, built once, and syntax errors in words."""

from __future__ import annotations

import functools
import re

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.lexer import PatternStr

from ..errors import Diagnostic, RulesetError
from ..files import packaged
from ..source import Source, Span

#: Terminals with a regular-expression pattern, described for people.
_TERMINAL_WORDS = {
    "STRING": 'a quoted text ("…")',
    "NAME": "a name",
    "CODE": "a code (such as II.4)",
    "NUMBER": "a number",
    "INT": "a whole number",
    "DATE": "a date (YYYY-MM-DD)",
    "COMPARE": "a comparison (<, <=, =, !=, >=, >)",
    "KIND": '"standard"/"bonus"/"deduction"',
    "DIRECTION": '"highest"/"lowest"',
    "MONO": '"increasing"/"decreasing"',
    "$END": "the end of the file",
}
#: Stand-ins inserted for a missing name, number or text so that parsing can go on.
_STAND_INS = {"NAME": "_", "NUMBER": "0", "INT": "0", "STRING": '""', "CODE": "X"}
#: Most syntax errors reported from one file.
_MAX_SYNTAX_ERRORS = 10


def grammar_text() -> str:
    """The grammar, from the installed package or, in a checkout, from ``grammars/``."""
    return packaged("grammars/thidua.lark").read_text(encoding="utf-8")


def lark_version() -> str:
    """The installed Lark's version (cached checked models are keyed by it)."""
    import lark

    return str(lark.__version__)


@functools.cache
def parser() -> Lark:
    """The LALR parser, built on first use and shared (Lark parsers are reentrant)."""
    # cache=True keeps the LALR tables in the temp directory, keyed by the grammar's hash, so a new
    # process loads them instead of rebuilding them (about 150 ms).
    return Lark(
        grammar_text(), parser="lalr", propagate_positions=True, maybe_placeholders=False, cache=True
    )


@functools.cache
def _words() -> dict[str, str]:
    words = dict(_TERMINAL_WORDS)
    for terminal in parser().terminals:
        if isinstance(terminal.pattern, PatternStr):
            words[terminal.name] = f'"{terminal.pattern.value}"'
    return words


@functools.cache
def expression_words() -> frozenset[str]:
    """The words an expression may contain (``max``, ``total``, ``if``, ``cohort`` …), read from
    the grammar: the keywords of every rule an ``expr`` reaches. A fact or derived value cannot
    be named so, or a rule would read the keyword where its author meant the name."""
    rules = parser().rules
    terminals = {t.name: t for t in parser().terminals}
    reached: set[str] = set()
    pending = ["expr"]
    words: set[str] = set()
    while pending:
        origin = pending.pop()
        if origin in reached:
            continue
        reached.add(origin)
        for rule in rules:
            if rule.origin.name != origin:
                continue
            for symbol in rule.expansion:
                if symbol.is_term:
                    terminal = terminals.get(symbol.name)
                    if terminal is not None and isinstance(terminal.pattern, PatternStr) \
                            and terminal.pattern.value.isidentifier():
                        words.add(terminal.pattern.value)
                else:
                    pending.append(str(symbol.name))
    return frozenset(words)


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
        lines = list(source.lines)
        if len(lines) > 1 and lines[-1] == "":
            lines.pop()  # a final newline ends the last line; it starts no new one
        line, column = len(lines), len(lines[-1]) + 1
        expected = describe_expected(set(error.expected))
    else:
        assert isinstance(error, UnexpectedCharacters)
        if error.char == '"':
            span = Span(source, line, column, line, column + 1)
            return Diagnostic(
                "error", "syntax error: this quoted text is not closed on its line", span,
                'end it with a " before the line ends',
            )
        found = f'unexpected character "{error.char}"'
        expected = describe_expected(_accepts(error) or error.allowed or set())
    span = Span(source, line, column, line, column + width)
    return Diagnostic("error", f"syntax error: {found}; expected {expected}", span, _hint(error, source))


#: ``- if``, ``* if`` …: an ``if`` where an operand is wanted (read as a name, then stuck).
_IF_AS_OPERAND = re.compile(r"([-+*/<>=]|\bnot|\band|\bor)\s*if\s*$")


def _hint(error: UnexpectedInput, source: Source) -> str | None:
    """What to write instead, for the syntax errors people make most (none when unsure)."""
    start = _start(error)
    before, after = source.text[:start], source.text[start:]
    if after.startswith(",") and before[-1:].isdigit() and after[1:2].isdigit():
        number = re.search(r"\d+$", before)
        digits = re.match(r",(\d+)", after)
        assert number is not None and digits is not None
        whole, part = number.group(), digits.group(1)
        return f"the language writes a decimal point: {whole}.{part}, not {whole},{part}"
    found = _IF_AS_OPERAND.search(before)
    if found:
        word = found.group(1)
        where = "a sum or product" if word in "-+*/" else "a comparison" if word in "<>=" else f'"{word}"'
        return (f'an "if … then … else …" after {where} must be in parentheses: '
                f"… {word} (if a then 1 else 0)")
    return None


def _start(error: UnexpectedInput) -> int:
    if isinstance(error, UnexpectedToken):
        return error.token.start_pos or 0
    return error.pos_in_stream or 0


def _end(error: UnexpectedInput) -> int:
    if isinstance(error, UnexpectedToken):
        return error.token.end_pos or 0
    return (error.pos_in_stream or 0) + 1


def _accepts(error: UnexpectedInput) -> set[str]:
    """What the parser (not only the lexer) could take where the error happened."""
    interactive = getattr(error, "interactive_parser", None)
    if interactive is None:
        return set()
    try:
        return set(interactive.accepts())
    except UnexpectedInput:  # pragma: no cover - accepts() only simulates
        return set()


def _repair(error: UnexpectedInput) -> bool:
    """Insert the one token the parser expected (a forgotten ":" or "{"), then go on."""
    if not isinstance(error, UnexpectedToken) or error.token.type == "$END":
        return False
    accepts = set(error.accepts or ())
    stand_ins = accepts & set(_STAND_INS)
    if len(accepts) != 1 and len(stand_ins) == 1:
        accepts = stand_ins  # "max {": the number is what was forgotten, not "by"
    if len(accepts) != 1:
        return False
    (name,) = accepts
    terminal = next((t for t in parser().terminals if t.name == name), None)
    if terminal is None:
        return False
    if isinstance(terminal.pattern, PatternStr):
        value = terminal.pattern.value
    elif name in _STAND_INS:
        value = _STAND_INS[name]
    else:
        return False
    interactive = error.interactive_parser
    try:
        interactive.feed_token(Token.new_borrow_pos(name, value, error.token))
        interactive.feed_token(_retyped(error.token, set(interactive.accepts())))  # type: ignore[no-untyped-call]
    except UnexpectedInput:
        return False
    return True


def _retyped(token: Token, accepts: set[str]) -> Token:
    """The token as the lexer would have read it where the parser now is ("count" as a name)."""
    if token.type in accepts:
        return token
    for terminal in parser().terminals:
        if terminal.name in accepts and re.fullmatch(terminal.pattern.to_regexp(), str(token)):
            return Token.new_borrow_pos(terminal.name, str(token), token)
    return token


def parse(source: Source) -> Tree[Token]:
    """Parse a whole ruleset; raise one ``RulesetError`` listing the syntax errors found."""
    problems: list[Diagnostic] = []
    stopped = False
    skipped_end = -1  # where the last skipped token ended

    def recover(error: UnexpectedInput) -> bool:
        # Repair and go on: insert the one token expected, or skip the stray one. If the very
        # next token fails too, the skip was a guess: stop rather than report a cascade.
        nonlocal stopped, skipped_end
        start = _start(error)
        if skipped_end >= 0 and not source.text[skipped_end:start].strip():
            stopped = True
            return False
        problems.append(_diagnostic(error, source))
        skipped_end = -1
        if len(problems) >= _MAX_SYNTAX_ERRORS or (
            isinstance(error, UnexpectedCharacters) and error.char == '"'
        ):
            stopped = True
            return False
        if isinstance(error, UnexpectedToken) and _repair(error):
            return True
        if isinstance(error, UnexpectedToken) and error.token.type == "$END":
            stopped = True
            return False
        skipped_end = _end(error)
        return True

    # Raised after the ``except`` blocks, not in them: an error raised there keeps Lark's
    # exception (and its parser) as ``__context__``, which tblib (installed by dask.distributed)
    # pickles with it, and the parser does not pickle.
    tree: Tree[Token] | None = None
    try:
        tree = parser().parse(source.text, on_error=recover)
    except UnexpectedInput as error:
        if not stopped:
            problems.append(_diagnostic(error, source))
    except RecursionError:
        problems = [Diagnostic("error", "the ruleset is nested too deeply to read", Span(source, 1, 1, 1, 2))]
    if problems or tree is None:
        raise RulesetError(problems)
    _check_depth(tree, source)
    return tree


#: How deeply rules and sections may nest; deeper trees are refused before any recursion.
MAX_DEPTH = 150


def _check_depth(tree: Tree[Token], source: Source) -> None:
    """Refuse a tree nested deeper than ``MAX_DEPTH``, measured without recursion."""
    stack: list[tuple[Tree[Token], int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            meta = node.meta
            line = getattr(meta, "line", 1) or 1
            column = getattr(meta, "column", 1) or 1
            span = Span(source, line, column, line, column + 1)
            raise RulesetError([Diagnostic(
                "error", f"this is nested more than {MAX_DEPTH} levels deep", span,
                "split the rule with let values, or the section into fewer levels",
            )])
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tree))
