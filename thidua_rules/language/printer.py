"""Syntax nodes back to canonical source text that reads back into the same nodes.

``print_ruleset(to_nodes(parse(text)))`` gives the ruleset in one canonical layout: one
statement per line, blocks indented by four spaces, texts quoted with escapes, numbers without
exponent, an expression's parts parenthesised only where precedence needs it, and each row of a
tier table on its own line with a trailing comma (so a row that starts with a negative number
never reads as a subtraction). Parsing the printed text gives nodes equal to the printed ones,
spans aside; printing is idempotent. Comments and the original layout are not kept here:
``language.formatter`` puts the comments back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import assert_never

from . import nodes as n

__all__ = ["print_expr", "print_ruleset", "quote"]

INDENT = "    "

# Precedence levels, loosest first (docs/language.md, section 8.7).
IF, OR, AND, NOT, COMPARE, SUM, PRODUCT, UNARY, ATOM = range(1, 10)

_CODE = re.compile(r"[A-Z0-9][A-Za-z0-9]*(\.[A-Za-z0-9]+)*")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t"}
_ANNOTATION_WORDS = {
    "note": "note",
    "assume": "assume",
    "evidence": "evidence",
    "verifier": "verifier",
    "allow_gap": "allow gap",
    "allow_unreachable": "allow unreachable",
    "allow_exceed": "allow exceed",
}


# ---------------------------------------------------------------- tokens


def quote(text: str) -> str:
    """``text`` as a quoted literal: ``"`` and ``\\`` escaped, line breaks and tabs as ``\\n``, ``\\t``."""
    return '"' + "".join(_ESCAPES.get(char, char) for char in text) + '"'


def number(value: Decimal) -> str:
    """A Decimal in plain digits, never with an exponent (``1E+2`` is ``100``)."""
    if not value.is_finite():
        raise ValueError(f"{value} has no source form: numbers in a ruleset are finite")
    return format(value, "f")


def _whole(value: object) -> str:
    """A whole number (``year``, ``rounding``, an award's ``count``), an int or a Decimal, in digits."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise TypeError(f"expected a whole number, got {value!r}")
    return number(Decimal(value))


def code(text: str) -> str:
    """A section, group or criterion code: bare when it reads as a code, quoted otherwise."""
    return text if _CODE.fullmatch(text) else quote(text)


# ---------------------------------------------------------------- expressions


def print_expr(expr: n.Expr) -> str:
    """The source text of one expression; a table's rows go on lines of their own."""
    return _expr(expr, IF, "")


def _level(expr: n.Expr) -> int:
    """How loosely ``expr`` binds: it needs parentheses where a tighter level is wanted."""
    match expr:
        case n.If():
            return IF
        case n.Logic():
            return OR if expr.op == "or" else AND
        case n.Not():
            return NOT
        case n.Compare():
            return COMPARE
        case n.Binary():
            return SUM if expr.op in ("+", "-") else PRODUCT
        case n.Neg():
            return UNARY
        case n.Number():
            # A negative number is printed with a minus in front, which reads back as a negation.
            return UNARY if expr.value.is_signed() else ATOM
        case (
            n.String() | n.Bool() | n.Ref() | n.Assessed() | n.SelfMax() | n.TotalRef() | n.ScoreRef()
            | n.PercentageRef() | n.ClassRef() | n.Cohort() | n.Call() | n.Table()
        ):
            return ATOM
        case _:
            assert_never(expr)


def _expr(expr: n.Expr, wanted: int, indent: str) -> str:
    """``expr`` printed where the grammar wants precedence ``wanted`` or tighter."""
    text = _bare(expr, indent)
    return f"({text})" if _level(expr) < wanted else text


def _bare(expr: n.Expr, indent: str) -> str:
    match expr:
        case n.Number():
            return number(expr.value)
        case n.String():
            return quote(expr.value)
        case n.Bool():
            return "true" if expr.value else "false"
        case n.Ref():
            return expr.name
        case n.Assessed():
            return "assessed" if expr.name is None else f"assessed as {expr.name}"
        case n.SelfMax():
            return "max"
        case n.TotalRef():
            return "total"
        case n.PercentageRef():
            return "percentage"
        case n.ScoreRef():
            return f"score({code(expr.code)})"
        case n.ClassRef():
            return f"class({expr.name})"
        case n.Cohort():
            if expr.arg is None:
                return f"cohort {expr.func}"
            where = f" where {_expr(expr.where, IF, indent)}" if expr.where is not None else ""
            return f"cohort {expr.func}({_expr(expr.arg, IF, indent)}{where})"
        case n.Neg():
            return "-" + _expr(expr.operand, UNARY, indent)
        case n.Binary():
            tighter = PRODUCT if expr.op in ("+", "-") else UNARY
            left = _expr(expr.left, tighter - 1, indent)
            return f"{left} {expr.op} {_expr(expr.right, tighter, indent)}"
        case n.Compare():
            return f"{_expr(expr.left, SUM, indent)} {expr.op} {_expr(expr.right, SUM, indent)}"
        case n.Logic():
            own = OR if expr.op == "or" else AND
            return f"{_expr(expr.left, own, indent)} {expr.op} {_expr(expr.right, own + 1, indent)}"
        case n.Not():
            return "not " + _expr(expr.operand, NOT, indent)
        case n.If():
            return (
                f"if {_expr(expr.cond, IF, indent)} then {_expr(expr.then, IF, indent)}"
                f" else {_expr(expr.otherwise, IF, indent)}"
            )
        case n.Call():
            return f"{expr.func}({', '.join(_expr(arg, IF, indent) for arg in expr.args)})"
        case n.Table():
            inner = indent + INDENT
            rows = "".join(
                f"{inner}{_pattern(row.pattern)}: {_expr(row.value, SUM, inner)},\n" for row in expr.rows
            )
            return f"table {_expr(expr.subject, SUM, indent)} {{\n{rows}{indent}}}"
        case _:
            n.unhandled(expr, "cannot print a {} as an expression")


def _pvalue(value: object) -> str:
    """A row's value: a signed number, a quoted level or true/false."""
    if isinstance(value, n.Number):
        return number(value.value)
    if isinstance(value, n.String):
        return quote(value.value)
    if isinstance(value, n.Bool):
        return "true" if value.value else "false"
    raise TypeError(f"cannot print a {type(value).__name__} in a row pattern")


def _pattern(pattern: n.Pattern) -> str:
    match pattern:
        case n.POtherwise():
            return "otherwise"
        case n.PCompare():
            return f"{pattern.op} {_pvalue(pattern.value)}"
        case n.PRange():
            low = "" if pattern.low is None else _pvalue(pattern.low)
            high = "" if pattern.high is None else _pvalue(pattern.high)
            return f"{low}..{high}"
        case n.PEqual():
            return _pvalue(pattern.value)
        case _:
            n.unhandled(pattern, "cannot print a {} as a row pattern")


# ---------------------------------------------------------------- declarations


def print_ruleset(node: n.RulesetDecl) -> str:
    """The source text of a whole ruleset: the header, then each declaration, blank-line separated."""
    blocks = [_header(node.header)]
    previous: type | None = None
    for decl in node.decls:
        text = _decl(decl)
        # A run of facts (or of lets) stays together; anything else is set off by a blank line.
        joined = type(decl) is previous and isinstance(decl, n.FactDecl | n.LetDecl)
        if joined:
            blocks[-1] += text
        else:
            blocks.append(text)
        previous = type(decl)
    for i, change in enumerate(node.changes):
        # A run of removals and moves stays together, as a run of facts does.
        one_line = (n.Remove, n.Move)
        if i > 0 and isinstance(change, one_line) and isinstance(node.changes[i - 1], one_line):
            blocks[-1] += _change(change)
        else:
            blocks.append(_change(change))
    return "\n".join(blocks)


def _block(opening: str, lines: Iterable[str], indent: str) -> str:
    """``opening {``, the lines indented one step deeper, then ``}`` (``{}`` when empty)."""
    body = "".join(lines)
    if not body:
        return f"{indent}{opening} {{}}\n"
    return f"{indent}{opening} {{\n{body}{indent}}}\n"


def _header(header: n.Header) -> str:
    inner = INDENT
    return _block(f"ruleset {quote(header.id)}", (_header_item(item, inner) for item in header.items), "")


def _header_item(item: n.HeaderItem | n.Annotation, indent: str) -> str:
    if isinstance(item, n.Annotation):
        return _annotation(item, indent)
    values = item.values
    if item.kind == "title":
        return f"{indent}title {quote(str(values[0]))}\n"
    if item.kind == "extends":
        return f"{indent}extends {quote(str(values[0]))}\n"
    if item.kind == "document":
        parts: list[str] = []
        for part in values:
            kind, text = part[0], part[1]  # type: ignore[index]
            if kind == "number":
                parts.append(quote(text))
            elif kind == "dated":
                parts.append(f"dated {text}")
            elif kind == "issuer":
                parts.append(f"by {quote(text)}")
            else:
                raise TypeError(f"unknown part {kind!r} of a document")
        return f"{indent}document {' '.join(parts)}\n"
    if item.kind in ("year", "rounding"):
        return f"{indent}{item.kind} {_whole(values[0])}\n"
    if item.kind == "total":
        value = values[0]
        assert isinstance(value, Decimal)
        return f"{indent}total {number(value)}\n"
    if item.kind == "total_by":
        return f"{indent}total {_by(values)}\n"  # type: ignore[arg-type]
    if item.kind == "total_bounds":
        return f"{indent}total{_limits(values)}\n"  # type: ignore[arg-type]
    if item.kind == "variants":
        return f"{indent}variants by {values[0]}\n"
    if item.kind == "rounds":
        rounds, final = values
        listed = ", ".join(f"{r.name} {quote(r.label)}" for r in rounds)  # type: ignore[attr-defined]
        tail = f" final {final}" if final is not None else ""
        return f"{indent}rounds {listed}{tail}\n"
    raise TypeError(f"unknown header item {item.kind!r}")


def _annotation(item: n.Annotation, indent: str) -> str:
    word = _ANNOTATION_WORDS.get(item.kind)
    if word is None:
        raise TypeError(f"unknown annotation {item.kind!r}")
    return f"{indent}{word} {quote(item.text)}\n"


def _decl(decl: n.Decl) -> str:
    if isinstance(decl, n.ScaleDecl):
        return _scale(decl)
    if isinstance(decl, n.CategoryDecl):
        label = f" {quote(decl.label)}" if decl.label is not None else ""
        names = [f"{INDENT}{' | '.join(quote(name) for name in level.names)},\n" for level in decl.names]
        return _block(f"category {decl.name}{label}", names, "")
    if isinstance(decl, n.FactDecl):
        return _fact(decl)
    if isinstance(decl, n.LetDecl):
        return _let(decl, "")
    if isinstance(decl, n.FormulaDecl):
        label = f" {quote(decl.label)}" if decl.label is not None else ""
        params = ", ".join(p.name if p.type_name is None else f"{p.name}: {p.type_name}" for p in decl.params)
        return f"formula {decl.name}{label}{' ' if label else ''}({params}) = {_expr(decl.expr, IF, '')}\n"
    if isinstance(decl, n.GroupDecl):
        return _group(decl, "")
    if isinstance(decl, n.RankingDecl):
        orders = [f"by {o.direction} {_expr(o.expr, IF, INDENT)}" for o in decl.orders]
        head = "ranking" + (f" {quote(decl.name)}" if decl.name is not None else "")
        head += f" within {decl.within}" if decl.within is not None else ""
        return head + " {\n" + INDENT + f"\n{INDENT}then ".join(orders) + "\n}\n"
    if isinstance(decl, n.AwardDecl):
        lines = (
            f"{INDENT}require {_expr(r.condition, IF, INDENT)} else {quote(r.reason)}\n"
            for r in decl.requirements
        )
        return _block(f"award {decl.name} {quote(decl.title)} count {_whole(decl.count)}", lines, "")
    if isinstance(decl, n.RollupDecl):
        title = f" {quote(decl.title)}" if decl.title is not None else ""
        name = f" {decl.name}" if decl.name is not None else ""
        return _block(f"rollup{name}{title}", (_rollup_item(item) for item in decl.items), "")
    if isinstance(decl, n.ClassifyDecl):
        title = f" {quote(decl.title)}" if decl.title is not None else ""
        whens = [f"{INDENT}if {_expr(w.condition, IF, INDENT)}: {quote(w.level.value)},\n" for w in decl.whens]
        rows = [f"{INDENT}{_pattern(row.pattern)}: {_expr(row.value, SUM, INDENT)},\n" for row in decl.rows]
        rules = [_class_rule(rule) for rule in decl.rules]
        by = f" by {_expr(decl.subject, IF, '')}" if decl.subject is not None else ""
        return _block(f"classify {decl.name}{title}{by}", [*whens, *rows, *rules], "")
    raise TypeError(f"cannot print a {type(decl).__name__} as a declaration")


def _let(decl: n.LetDecl, indent: str) -> str:
    """``let name "label" = expr``, at the top level or inside a section or criterion."""
    label = f" {quote(decl.label)}" if decl.label is not None else ""
    return f"{indent}let {decl.name}{label} = {_expr(decl.expr, IF, indent)}\n"


def _rollup_item(item: n.RollupItem) -> str:
    if item.kind == "periods":
        return f"{INDENT}periods {', '.join(quote(str(p)) for p in item.values)}\n"
    if item.kind == "of":
        return f"{INDENT}of {', '.join(str(v) for v in item.values)}\n"
    if item.kind in ("combine", "missing"):
        return f"{INDENT}{item.kind} {item.values[0]}\n"
    if item.kind == "cap":
        target, value = item.values[0], item.values[1]
        assert isinstance(target, str) and isinstance(value, Decimal)
        return f"{INDENT}cap {code(target)} {number(value)}\n"
    raise TypeError(f"unknown rollup item {item.kind!r}")


def _class_rule(rule: n.ClassRule) -> str:
    if rule.kind == "quota":
        assert rule.level is not None and rule.amount is not None
        percent = " %" if rule.percent else ""
        return f"{INDENT}quota {quote(rule.level)} {number(rule.amount)}{percent}\n"
    assert rule.condition is not None
    condition = _expr(rule.condition, IF, INDENT)
    onward = " onward" if rule.onward else ""
    if rule.kind == "at_most":
        assert rule.level is not None
        return f"{INDENT}require {condition} else at most {quote(rule.level)} {quote(rule.reason)}{onward}\n"
    if rule.kind in ("lower", "unclassified"):
        return f"{INDENT}require {condition} else {rule.kind} {quote(rule.reason)}{onward}\n"
    raise TypeError(f"unknown classification rule {rule.kind!r}")


def _scale(decl: n.ScaleDecl) -> str:
    label = f" {quote(decl.label)}" if decl.label is not None else ""
    levels = [" | ".join(quote(name) for name in level.names) for level in decl.levels]
    lines = [f"{INDENT}{levels[0]}\n", *(f"{INDENT}> {level}\n" for level in levels[1:])] if levels else []
    return _block(f"scale {decl.name}{label}", lines, "")


def _signed(value: Decimal) -> str:
    return number(value)


def _fact(decl: n.FactDecl) -> str:
    text = f"fact {decl.name} {quote(decl.label)}: {decl.type_name}"
    if decl.parts:  # a range of several parts: "0 | 2..5"
        text += " " + " | ".join(_part(low, high) for low, high in decl.parts)
    elif decl.has_range:
        low = "" if decl.low is None else _signed(decl.low)
        high = "" if decl.high is None else _signed(decl.high)
        text += f" {low}..{high}"
    for option in decl.options:
        text += " " + _option(option)
    return text + "\n"


def _part(low: Decimal | None, high: Decimal | None) -> str:
    """One part of a range: a single value, or ``low..high`` with either end open."""
    if low is not None and low == high:
        return _signed(low)
    return f"{'' if low is None else _signed(low)}..{'' if high is None else _signed(high)}"


def _option(option: n.FactOption) -> str:
    if option.kind == "default":
        value = option.value
        if isinstance(value, n.Number | n.String | n.Bool):
            return "default " + _pvalue(value)
        raise TypeError(f"cannot print the default {value!r}")
    if option.kind == "optional":
        return "optional"
    if option.kind == "appraised_only":
        return "appraised only"
    if option.kind == "monotone":
        return f"monotone {option.value}"
    if option.kind == "step" and isinstance(option.value, n.Number):
        return f"step {number(option.value.value)}"
    raise TypeError(f"unknown fact option {option.kind!r}")


def _by(values: tuple[tuple[str, Decimal, object], ...]) -> str:
    """``by { "xã": 10, "huyện": 8 }``: one value per variant of the unit."""
    return "by { " + ", ".join(f"{quote(level)}: {number(value)}" for level, value, _ in values) + " }"


def _limit(limit: n.NodeLimit, indent: str) -> str:
    match limit:
        case n.Limit():
            return f"{limit.kind} {_by(limit.by) if limit.by else number(limit.value)}"
        case n.Bound():
            return f"at {limit.side} {number(limit.value)}"
        case n.Flag():
            return "max open" if limit.name == "open" else limit.name
        case n.MaxExpr():
            return f"max ({_expr(limit.expr, IF, indent)})"
        case _:
            n.unhandled(limit, "cannot print a {} as a limit")


def _limits(limits: tuple[n.NodeLimit, ...], indent: str = "") -> str:
    return "".join(f" {_limit(limit, indent)}" for limit in limits)


def _group(decl: n.GroupDecl, indent: str) -> str:
    keyword = "group"
    if decl.is_section:
        keyword = f"{decl.kind} section" if decl.kind is not None else "section"
    title = f" {quote(decl.title)}" if decl.title is not None else ""
    inner = indent + INDENT
    lines = (_node_item(item, inner) for item in decl.items)
    return _block(f"{keyword} {code(decl.code)}{title}{_limits(decl.limits, indent)}", lines, indent)


def _node_item(
    item: n.GroupDecl | n.CriterionDecl | n.Annotation | n.Applicable | n.LetDecl, indent: str
) -> str:
    if isinstance(item, n.GroupDecl):
        return _group(item, indent)
    if isinstance(item, n.CriterionDecl):
        return _criterion(item, indent)
    return _item(item, indent)


def _item(item: n.Annotation | n.ScoreStmt | n.Applicable | n.Column | n.LetDecl, indent: str) -> str:
    if isinstance(item, n.LetDecl):
        return _let(item, indent)
    if isinstance(item, n.Annotation):
        return _annotation(item, indent)
    if isinstance(item, n.ScoreStmt):
        return f"{indent}score {_expr(item.expr, IF, indent)}\n"
    if isinstance(item, n.Applicable):
        return f"{indent}applicable if {_expr(item.condition, IF, indent)}\n"
    if isinstance(item, n.Column):
        cap = f" max {number(item.cap)}" if item.cap is not None else ""
        return f"{indent}{item.kind} {_expr(item.expr, IF, indent)}{cap}\n"
    raise TypeError(f"cannot print a {type(item).__name__} inside a block")


def _criterion(decl: n.CriterionDecl, indent: str) -> str:
    inner = indent + INDENT
    opening = f"criterion {code(decl.code)} {quote(decl.title)}{_limits(decl.limits, indent)}"
    return _block(opening, (_item(item, inner) for item in decl.items), indent)


# ---------------------------------------------------------------- extends: changes to a base ruleset


def _placement(placement: n.Placement) -> str:
    return f"{placement.how} {code(placement.code)}"


def _change(change: n.Change) -> str:
    """One change of an extending ruleset: ``override``, ``remove``, ``move`` or ``add``."""
    match change:
        case n.Override():
            kind = f"{change.kind} " if change.kind is not None else ""
            title = f" {quote(change.title)}" if change.title is not None else ""
            opening = f"override {kind}{change.target} {code(change.code)}{title}{_limits(change.limits)}"
            if not change.items:
                return opening + "\n"
            return _block(opening, (_node_item(item, INDENT) if not isinstance(item, n.ScoreStmt)
                                    else _item(item, INDENT) for item in change.items), "")
        case n.Remove():
            return f"remove {code(change.code)}\n"
        case n.Move():
            return f"move {code(change.code)} {_placement(change.placement)}\n"
        case n.Add():
            node, place = change.node, _placement(change.placement)
            if isinstance(node, n.CriterionDecl):
                opening = f"add criterion {code(node.code)} {quote(node.title)}{_limits(node.limits)} {place}"
                return _block(opening, (_item(item, INDENT) for item in node.items), "")
            keyword = "group"
            if node.is_section:
                keyword = f"{node.kind} section" if node.kind is not None else "section"
            title = f" {quote(node.title)}" if node.title is not None else ""
            opening = f"add {keyword} {code(node.code)}{title}{_limits(node.limits)} {place}"
            return _block(opening, (_node_item(item, INDENT) for item in node.items), "")
        case _:
            n.unhandled(change, "cannot print a {} as a change")
