"""The dispatch contract: a node class or grammar rule without its handler fails loudly, at once."""

from __future__ import annotations

import typing
from decimal import Decimal

import pytest
from lark import Tree

from thidua_rules.language import nodes as n
from thidua_rules.language.transformer import ToNodes
from thidua_rules.source import Source, Span


def test_a_grammar_rule_without_a_transformer_method_is_named() -> None:
    with pytest.raises(NotImplementedError, match=r"^the transformer has no method for the grammar rule 'grid_table'$"):
        ToNodes(Source("<t>", "")).transform(Tree("grid_table", []))


def test_every_expression_class_is_in_the_union_the_dispatchers_match() -> None:
    # The exhaustive matches (checker, both evaluators, printer, build) are over n.Expr: a class
    # defined but left out of the union would be matched nowhere.
    expression_like = {cls for cls in n.NODE_TYPES if cls.__name__ in {
        "Number", "String", "Bool", "Ref", "Assessed", "SelfMax", "TotalRef", "ScoreRef", "PercentageRef", "ClassRef",
        "Cohort", "Neg", "Binary", "Compare", "Logic", "Not", "If", "Call", "Table"}}
    assert set(typing.get_args(n.Expr)) == expression_like == set(n.EXPR_TYPES)
    assert set(typing.get_args(n.Pattern)) == {n.PCompare, n.PRange, n.PEqual, n.POtherwise}


def test_children_come_from_the_fields() -> None:
    src = Source("<t>", "a + 1")
    where = Span(src, 1, 1, 1, 6)
    left, right = n.Ref("a", where), n.Number(Decimal(1), where)
    node = n.Binary("+", left, right, where)
    assert list(n.children(node)) == [left, right]
    table = n.Table(left, (n.Row(n.POtherwise(where), right, where),), where)
    assert [type(x).__name__ for x in n.walk(table)] == ["Table", "Ref", "Row", "POtherwise", "Number"]
    assert n.always(table) == (left,)
