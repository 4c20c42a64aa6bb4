"""The printer: syntax nodes to canonical text that reads back into the same nodes.

For both shipped rulesets, every complete ruleset of the documentation (docs/*.md), every generated
ruleset (``thidua_rules.fuzzing``) and every form of declaration and expression: parsing the printed
text gives nodes equal to the original ones, spans aside; printing is idempotent; and the printed
ruleset scores every unit exactly as the original does.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import thidua_rules as tr
from thidua_rules.language import nodes as n
from thidua_rules.language.parser import parse
from thidua_rules.language.printer import print_expr, print_ruleset, quote
from thidua_rules.language.transformer import to_nodes
from thidua_rules.source import Source, Span, nfc
from thidua_rules.testing import facts, fuzzing

HERE = Path(__file__).resolve().parent
RULESETS = sorted((HERE.parent / "rulesets").glob("*.thidua"))
DOCS = sorted((HERE.parent / "docs").glob("*.md"))
SPAN = fuzzing.SPAN
#: Node fields that say where a node was read from, not what it is.
POSITION_FIELDS = frozenset({"span", "code_span", "type_span"})


def shape(value: object) -> object:
    """``value`` with every span left out: two trees are equal but for positions iff shapes are."""
    if isinstance(value, Span):
        return None
    if attrs.has(type(value)):
        fields = attrs.fields(type(value))
        return (type(value).__name__, *((f.name, shape(getattr(value, f.name))) for f in fields
                                        if f.name not in POSITION_FIELDS))
    if isinstance(value, tuple | list):
        return tuple(shape(item) for item in value if not isinstance(item, Span))
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return ("number", Decimal(value))  # by value: 2.50 is 2.5, and a year read as 2023 or Decimal(2023)
    return value


def read(text: str) -> n.RulesetDecl:
    """The syntax nodes of a ruleset text (parsed and transformed, not checked)."""
    source = Source("<printed>", nfc(text))
    return to_nodes(parse(source), source)


def read_expr(text: str) -> n.Expr:
    """The syntax nodes of one expression, read as the value of a ``let``."""
    tree = read(f'ruleset "e" {{ total 1 }}\nlet e = {text}\n')
    decl = tree.decls[0]
    assert isinstance(decl, n.LetDecl)
    return decl.expr


def assert_round_trip(tree: n.RulesetDecl) -> str:
    """Print ``tree``, read it back, and check it is the same tree; return the text."""
    text = print_ruleset(tree)
    again = read(text)
    assert shape(again) == shape(tree), text
    assert print_ruleset(again) == text, "printing is not idempotent"
    return text


def doc_rulesets() -> list[str]:
    """Every complete ruleset (a ``thidua`` block) of the documentation."""
    return [block for doc in DOCS
            for block in re.findall(r"^```thidua\n(.*?)^```", doc.read_text(encoding="utf-8"), re.S | re.M)]


def scores(rs: tr.Ruleset, unit: dict[str, Any]) -> dict[str, object]:
    """Everything a result says about a unit, but the source texts quoted in its traces."""
    res = rs.evaluate(unit)
    out: dict[str, object] = {
        "figures": (res.total, res.standard, res.bonus, res.deductions, res.applicable_max),
    }
    for node in res:
        out[node.code] = (node.score, node.raw, node.max, node.applicable_max, node.assumptions,
                          tuple(sorted(node.inputs.items())), tuple((s.rule, s.value) for s in node.trace))
    return out


def spec_shape(rs: tr.Ruleset) -> dict[str, object]:
    return {name: (s.kind, s.low, s.high, s.default, s.required, s.levels, s.monotone, s.appraised_only)
            for name, s in rs.facts.items()}


# ---------------------------------------------------------------- shipped and documented rulesets


@pytest.mark.parametrize("path", RULESETS, ids=lambda p: p.stem)
def test_shipped_ruleset_round_trips(path: Path) -> None:
    text = assert_round_trip(read(path.read_text(encoding="utf-8")))
    # the canonical layout: four spaces per level, one row per line with a trailing comma
    assert "\n    criterion " in text and "\t" not in text
    assert all(line.endswith(",") for line in text.splitlines() if re.match(r"\s+(<=|otherwise)", line))


def test_every_documented_ruleset_round_trips() -> None:
    blocks = doc_rulesets()
    assert len(blocks) >= 20
    for block in blocks:
        assert_round_trip(read(block))


@pytest.mark.parametrize("path", RULESETS, ids=lambda p: p.stem)
def test_printed_shipped_ruleset_scores_like_the_original(path: Path) -> None:
    original = tr.load(path)
    printed = tr.loads(print_ruleset(read(path.read_text(encoding="utf-8"))), source=path.name)
    assert spec_shape(printed) == spec_shape(original)
    assert printed.sections == original.sections and printed.total == original.total
    assert [(w.severity, w.message) for w in printed.warnings] == [(w.severity, w.message) for w in original.warnings]

    @given(facts(original))
    def run(unit: dict[str, Any]) -> None:
        assert scores(printed, unit) == scores(original, unit)

    run()


# ---------------------------------------------------------------- generated rulesets and expressions


@given(fuzzing.ruleset_trees())
def test_generated_ruleset_round_trips(tree: n.RulesetDecl) -> None:
    assert_round_trip(tree)


@given(st.data())
def test_printed_layout_does_not_change_scores(data: st.DataObject) -> None:
    # The canonical text and the same ruleset on one line (a table row's comma is what keeps a
    # row that starts with "-" apart from the row before) load alike and score alike.
    text = data.draw(fuzzing.rulesets(), label="ruleset")
    rs = tr.loads(text)
    squeezed = tr.loads(" ".join(text.split("\n")))
    assert spec_shape(squeezed) == spec_shape(rs)
    unit = data.draw(facts(rs), label="facts")
    assert scores(squeezed, unit) == scores(rs, unit)


@given(fuzzing.ruleset_trees())
def test_rule_texts_are_the_printed_expressions(tree: n.RulesetDecl) -> None:
    # Spans are right: the source text the library quotes for a one-line rule is its printed form.
    rs = tr.loads(print_ruleset(tree))
    for criterion in rs.criteria.values():
        expr = _rule_of(tree, criterion.code)
        printed = print_expr(expr)
        if "\n" not in printed:
            assert criterion.rule == printed


def _rule_of(tree: n.RulesetDecl, code: str) -> n.Expr:
    stack: list[object] = list(tree.decls)
    while stack:
        item = stack.pop()
        if isinstance(item, n.GroupDecl):
            stack.extend(item.items)
        elif isinstance(item, n.CriterionDecl) and item.code == code:
            return next(i.expr for i in item.items if isinstance(i, n.ScoreStmt))
    raise KeyError(code)


@given(fuzzing.expressions())
def test_any_expression_round_trips(expr: n.Expr) -> None:
    text = print_expr(expr)
    assert shape(read_expr(text)) == shape(expr), text
    assert print_expr(read_expr(text)) == text


# ---------------------------------------------------------------- the layout, case by case


def num(value: str) -> n.Number:
    return n.Number(Decimal(value), SPAN)


def ref(name: str) -> n.Ref:
    return n.Ref(name, SPAN)


A, B, C = ref("a"), ref("b"), ref("c")


def binary(op: str, left: n.Expr, right: n.Expr) -> n.Binary:
    return n.Binary(op, left, right, SPAN)


def logic(op: str, left: n.Expr, right: n.Expr) -> n.Logic:
    return n.Logic(op, left, right, SPAN)


def compare(op: str, left: n.Expr, right: n.Expr) -> n.Compare:
    return n.Compare(op, left, right, SPAN)


def if_(cond: n.Expr, then: n.Expr, otherwise: n.Expr) -> n.If:
    return n.If(cond, then, otherwise, SPAN)


PRECEDENCE = [
    (binary("-", binary("-", A, B), C), "a - b - c"),
    (binary("-", A, binary("-", B, C)), "a - (b - c)"),
    (binary("/", A, binary("*", B, C)), "a / (b * c)"),
    (binary("*", binary("+", A, B), C), "(a + b) * c"),
    (binary("+", A, binary("*", B, C)), "a + b * c"),
    (n.Neg(binary("+", A, B), SPAN), "-(a + b)"),
    (binary("*", n.Neg(A, SPAN), B), "-a * b"),
    (n.Neg(binary("*", A, B), SPAN), "-(a * b)"),
    (binary("-", A, n.Neg(num("5"), SPAN)), "a - -5"),
    (n.Neg(n.Neg(A, SPAN), SPAN), "--a"),
    (binary("+", if_(A, num("1"), num("2")), num("3")), "(if a then 1 else 2) + 3"),
    (if_(A, num("1"), binary("+", num("2"), num("3"))), "if a then 1 else 2 + 3"),
    (if_(A, if_(B, num("1"), num("2")), num("3")), "if a then if b then 1 else 2 else 3"),
    (n.Not(logic("and", A, B), SPAN), "not (a and b)"),
    (n.Not(compare("=", A, num("0")), SPAN), "not a = 0"),
    (logic("and", logic("or", A, B), C), "(a or b) and c"),
    (logic("or", A, logic("and", B, C)), "a or b and c"),
    (logic("or", logic("or", A, B), C), "a or b or c"),
    (logic("or", A, logic("or", B, C)), "a or (b or c)"),
    (logic("and", n.Not(A, SPAN), B), "not a and b"),
    (compare("=", compare("<", A, B), C), "(a < b) = c"),
    (compare("=", A, n.Not(B, SPAN)), "a = (not b)"),
    (n.Call("min", (if_(A, num("1"), num("2")), logic("or", A, B)), SPAN), "min(if a then 1 else 2, a or b)"),
    (n.Call("max", (A, num("2.50")), SPAN), "max(a, 2.50)"),
    (n.ScoreRef("II.4", SPAN), "score(II.4)"),
    (n.ScoreRef("a.1", SPAN), 'score("a.1")'),
    (n.Cohort("max", A, SPAN), "cohort max(a)"),
    (n.Cohort("count", None, SPAN), "cohort count"),
    (n.String('nói "không"\\ \n\t', SPAN), '"nói \\"không\\"\\\\ \\n\\t"'),
    (num("1E+3"), "1000"),
    (num("0.0000001"), "0.0000001"),
    (num("0E-7"), "0.0000000"),
]


@pytest.mark.parametrize(("expr", "text"), PRECEDENCE, ids=[t for _, t in PRECEDENCE])
def test_expression_printed_with_the_fewest_parentheses(expr: n.Expr, text: str) -> None:
    assert print_expr(expr) == text
    assert shape(read_expr(text)) == shape(expr)


def test_table_rows_each_on_a_line_with_a_comma() -> None:
    rows = (
        n.Row(n.PCompare(">=", num("5"), SPAN), num("5"), SPAN),
        n.Row(n.PEqual(num("0"), SPAN), binary("-", num("2"), num("1")), SPAN),
        n.Row(n.PRange(num("-3"), num("-1"), SPAN), num("1"), SPAN),
        n.Row(n.PRange(None, num("-4"), SPAN), num("0.5"), SPAN),
        n.Row(n.POtherwise(SPAN), n.Table(A, (n.Row(n.PEqual(n.Bool(True, SPAN), SPAN), num("1"), SPAN),), SPAN),
              SPAN),
    )
    table = n.Table(compare(">", A, num("0")), rows, SPAN)
    text = print_expr(table)
    assert text == (
        "table (a > 0) {\n"
        "    >= 5: 5,\n"
        "    0: 2 - 1,\n"          # without the comma, "- 1 -3..-1" would read as a subtraction
        "    -3..-1: 1,\n"
        "    ..-4: 0.5,\n"
        "    otherwise: table a {\n"
        "        true: 1,\n"
        "    },\n"
        "}"
    )
    assert shape(read_expr(text)) == shape(table)


def test_a_negative_literal_reads_back_as_a_negation() -> None:
    # The grammar has no negative literal in expressions: "-5" is the minus operator on 5.
    assert print_expr(num("-5")) == "-5"
    assert print_expr(binary("*", num("-5"), A)) == "-5 * a"
    assert print_expr(n.Neg(num("-5"), SPAN)) == "--5"
    assert shape(read_expr("-5")) == shape(n.Neg(num("5"), SPAN))


def test_quote_escapes_exactly_what_the_reader_unescapes() -> None:
    for text in ['', 'a"b', "a\\b", "a\\nb", "line\nbreak", "tab\there", "\\", '\\"', "Đặng Thị Ánh"]:
        assert shape(read_expr(quote(text))) == shape(n.String(text, SPAN))


def test_nested_blocks_are_indented_by_four_spaces() -> None:
    text = print_ruleset(read(
        'ruleset "x" { total 1 } section A max 1 { group A.1 { criterion "a.1.1" "t" max 1 '
        "{ score table a { <= 1: 1 otherwise: 0 } } } } ranking { by highest total then by lowest a }"
    ))
    assert text == (
        'ruleset "x" {\n'
        "    total 1\n"
        "}\n"
        "\n"
        "section A max 1 {\n"
        "    group A.1 {\n"
        '        criterion "a.1.1" "t" max 1 {\n'
        "            score table a {\n"
        "                <= 1: 1,\n"
        "                otherwise: 0,\n"
        "            }\n"
        "        }\n"
        "    }\n"
        "}\n"
        "\n"
        "ranking {\n"
        "    by highest total\n"
        "    then by lowest a\n"
        "}\n"
    )


def test_unknown_nodes_are_refused() -> None:
    with pytest.raises(TypeError, match="cannot print"):
        print_expr(object())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no source form"):
        print_expr(num("NaN"))


@given(fuzzing.syntax_trees())
def test_every_declaration_form_round_trips(tree: n.RulesetDecl) -> None:
    # Rulesets of every header item and declaration (variants, max by, total by, rollup, classify…)
    # filled at random: they need not check, only read back as they were printed.
    assert_round_trip(tree)


# ---------------------------------------------------------------- extends: the changes print and read back

EVERY_CHANGE = '''ruleset "con" {
    extends "cum4-2023"
    year 2024
}
override criterion I.2 "Tên mới" max 12 {
    evidence "TLKC mới"
    score 3 * so_van_ban_tham_muu
}
override bonus section VI "ĐIỂM CỘNG" max 5
override group "G 1" cap 4 {
    note "ghi chú"
    criterion G.9 "Dòng trong nhóm" max 1 { score 1 }
}
remove I.3
move I.4 before I.1
move II.5 in III
move II.4 into III
add criterion I.5 "Dòng mới" max 5 after I.4 { score assessed }
add group I.G "Nhóm mới" cap 3 in I { criterion I.G.1 "x" max 3 { score assessed } }
add deduction section VIII "Trừ thêm" before VII { criterion VIII.1 "y" { score 1 } }
'''


def test_extending_rulesets_round_trip() -> None:
    tutorial = (HERE.parent / "docs" / "tutorial" / "cum4-2024-minh-hoa.thidua").read_text(encoding="utf-8")
    for text in (EVERY_CHANGE, tutorial):
        tree = read(text)
        assert len(tree.changes) >= 8
        assert_round_trip(tree)
