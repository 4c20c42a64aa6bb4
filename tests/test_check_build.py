"""build on its own: the passes' state to the frozen ``CheckedRuleset``.

``run`` parses a tiny ruleset, runs every pass of ``PASSES`` (build comes after the last), checks
that none reported an error, and builds the model.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest

from thidua_rules.check import PASSES
from thidua_rules.check.build import build
from thidua_rules.check.state import Checker
from thidua_rules.language import nodes as n
from thidua_rules.language.parser import parse
from thidua_rules.language.transformer import to_nodes
from thidua_rules.model import CheckedRuleset, FactSpec
from thidua_rules.source import Source

#: A scale whose middle level has an alias, and two facts of it.
SCALE = 'scale xl "Xếp loại" {\n    "xuất sắc" > "tốt" | "khá" > "đạt"\n}\nfact x "x": xl\nfact y "y": xl\n'


def checked(text: str) -> Checker:
    src = Source("<t>", text)
    c = Checker(to_nodes(parse(src), src))
    for check_pass in PASSES:
        check_pass(c)
    assert not c.failed, [d.message for d in c.diagnostics]
    return c


def run(decls: str, *rules: str) -> CheckedRuleset:
    """A total of 2 per rule, ``decls``, section A with one criterion A.1, A.2, … of max 2 per rule."""
    items = "".join(f'    criterion A.{i} "Tiêu chí" max 2 {{ score {rule} }}\n' for i, rule in enumerate(rules, 1))
    top = 2 * len(rules)
    return build(checked(f'ruleset "t" {{ total {top} }}\n' + decls + f'section A "A" max {top} {{\n{items}}}\n'))


def nodes_of(expr: n.Expr, kind: type) -> list[object]:
    return [node for node in n.walk(expr) if isinstance(node, kind)]


def test_a_criterion_that_reads_assessed_becomes_an_assessed_fact() -> None:
    rs = run('fact k "k": count\n', "assessed", "if k = 0 then max else assessed", "min(k, 2)")
    assert list(rs.facts) == ["k", "A.1", "A.2"]  # the declared facts first; A.3 reads no judged score
    assert rs.facts["A.1"] == FactSpec(
        name="A.1", kind="assessed", label="Điểm chấm tiêu chí A.1: Tiêu chí",
        low=Decimal(0), high=Decimal(2), required=True, criterion="A.1",
    )
    # A.2 reads its judged score only when k is not 0
    assert (rs.facts["A.2"].kind, rs.facts["A.2"].required) == ("assessed", False)


def test_lets_come_in_the_order_of_what_they_read() -> None:
    # c reads a and b, a reads b: b, a, c, whatever the order written
    decls = 'fact k "k": count 0..1\nlet c = a + b\nlet a = b + 1\nlet b = k\n'
    rs = run(decls, "min(c, 2)")
    assert list(rs.lets) == ["b", "a", "c"]
    assert list(rs.derived) == ["b", "a", "c"]
    assert rs.lets["a"].expr.span.text() == "b + 1"


def test_a_quoted_level_carries_its_canonical_spelling() -> None:
    nfd = unicodedata.normalize("NFD", "TỐT")
    assert nfd != "TỐT"  # written decomposed, and in capitals
    rs = run(SCALE, f'if x >= "{nfd}" then 2 else 0', 'if x = "Khá" then 2 else 0')
    for code in ("A.1", "A.2"):
        (text,) = nodes_of(rs.rules[code], n.String)
        assert isinstance(text, n.String) and text.level == "tốt", code  # "Khá" is an alias of "tốt"


def test_a_comparison_of_levels_carries_the_scale() -> None:
    rs = run(SCALE + 'fact k "k": count\n', "if x > y then 2 else 0", "if k > 1 then 2 else 0")
    ((levels,), (numbers,)) = nodes_of(rs.rules["A.1"], n.Compare), nodes_of(rs.rules["A.2"], n.Compare)
    assert isinstance(levels, n.Compare) and levels.scale == "xl"
    assert isinstance(numbers, n.Compare) and numbers.scale is None


def test_a_table_over_a_level_carries_the_scale() -> None:
    level_table = 'table y {\n        "xuất sắc": 2\n        otherwise: 0\n    }'
    number_table = "table k {\n        <= 1: 2\n        otherwise: 0\n    }"
    rs = run(SCALE + 'fact k "k": count\n', level_table, number_table)
    ((over_levels,), (over_numbers,)) = nodes_of(rs.rules["A.1"], n.Table), nodes_of(rs.rules["A.2"], n.Table)
    assert isinstance(over_levels, n.Table) and over_levels.scale == "xl"
    assert isinstance(over_numbers, n.Table) and over_numbers.scale is None
    row_level = nodes_of(over_levels, n.String)[0]
    assert isinstance(row_level, n.String) and row_level.level == "xuất sắc"


def test_the_checkers_nodes_are_left_as_they_were() -> None:
    c = checked('ruleset "t" { total 2 }\n' + SCALE + 'section A "A" max 2 {\n'
                '    criterion A.1 "x" max 2 { score if x = "khá" then 2 else 0 }\n}\n')
    rs = build(c)
    (before,), (after,) = nodes_of(c.rules["A.1"], n.String), nodes_of(rs.rules["A.1"], n.String)
    assert isinstance(before, n.String) and isinstance(after, n.String)
    assert (before.level, after.level) == (None, "tốt")


def test_the_mappings_are_read_only() -> None:
    text = (
        'ruleset "t" {\n    variants by cap\n    total by { "huyện": 2, "xã": 1 }\n}\n'
        'scale loai { "huyện" > "xã" }\nfact cap "Cấp": loai\n'
        'section A "A" max by { "huyện": 2, "xã": 1 } {\n'
        '    criterion A.1 "x" max by { "huyện": 2, "xã": 1 } {\n'
        '        applicable if cap = "huyện" or cap = "xã"\n        score assessed\n    }\n}\n'
    )
    rs = build(checked(text))
    assert dict(rs.max_by["A.1"]) == {"huyện": Decimal(2), "xã": Decimal(1)}
    with pytest.raises(TypeError):
        rs.facts["z"] = rs.facts["cap"]  # type: ignore[index]
    with pytest.raises(TypeError):
        rs.criteria["A.1"] = rs.criteria["A.1"]  # type: ignore[index]
    with pytest.raises(TypeError):
        rs.rules["A.1"] = rs.rules["A.1"]  # type: ignore[index]
    with pytest.raises(TypeError):
        rs.max_by["A.1"]["xã"] = Decimal(0)  # type: ignore[index]


def test_only_the_warnings_are_carried() -> None:
    # if b then 1 else 0: at best 1, below the max 2; b is read, k is never used
    rs = run('fact b "b": boolean\nfact k "k": count\n', "if b then 1 else 0")
    assert [(d.severity, d.message) for d in rs.warnings] == [
        ("warning", 'the best case of "A.1" is 1, below its max 2'),
        ("warning", 'fact "k" is never used'),
    ]
    assert (rs.roots, rs.header.total) == (("A",), Decimal(2))
