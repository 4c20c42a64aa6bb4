"""check_variants on its own: the header's ``variants by FACT`` and ``total by { … }``.

``run`` parses a tiny ruleset, runs the passes before ``check_variants`` in ``PASSES`` (the
header and the declarations, which it reads), then ``check_variants``, and returns the state with
the diagnostics that pass alone reported.
"""

from __future__ import annotations

from decimal import Decimal

from conftest import reported, run_pass

from thidua_rules import Diagnostic
from thidua_rules.check.state import Checker
from thidua_rules.check.tree import check_variants

#: A scale of two kinds of unit ("huyện" has the alias "cấp huyện"), its fact, and a count.
DECLS = (
    'scale cap "Cấp" {\n    "huyện" | "cấp huyện" > "xã"\n}\n'
    'fact cap_don_vi "Cấp đơn vị": cap\n'
    'fact n "n": count\n'
)
BODY = 'section A "Mục A" max 5 {\n    criterion A.1 "Tiêu chí" max 5 { score assessed }\n}\n'


def run(*items: str) -> tuple[Checker, list[Diagnostic]]:
    """A header holding ``items``, then DECLS and BODY: the state after check_variants, and what it reported."""
    text = 'ruleset "t" {\n' + "".join(f"    {item}\n" for item in items) + "}\n" + DECLS + BODY
    return run_pass(check_variants, text)


def test_variants_by_a_scale_fact_and_the_totals_by_variant() -> None:
    c, found = run("variants by cap_don_vi", 'total by { "xã": 30, "cấp huyện": 50 }')
    assert found == []
    assert c.header.variants == "cap_don_vi"
    assert c.variant_scale is not None and c.variant_scale.name == "cap"
    # "cấp huyện" is a spelling of "huyện"; the entries keep the order written
    assert c.header.total_by == (("xã", Decimal(30)), ("huyện", Decimal(50)))
    assert c.header.total == Decimal(50)  # the largest of the totals


def test_without_variants_nothing_changes() -> None:
    c, found = run("total 5")
    assert found == []
    assert (c.header.variants, c.variant_scale, c.header.total_by, c.header.total) == (None, None, (), Decimal(5))


def test_variants_need_a_fact_of_a_scale() -> None:
    c, found = run("variants by n", "total 5")
    assert reported(found) == [("error", 'variants need a fact of a scale or a category; "n" is not one')]
    assert (c.header.variants, c.variant_scale) == (None, None)
    _, found = run("variants by cap_donvi", "total 5")  # a slip in the name
    assert reported(found) == [("error", 'variants need a fact of a scale or a category; "cap_donvi" is not one')]
    assert found[0].hint == 'did you mean "cap_don_vi"?'


def test_total_by_without_variants() -> None:
    c, found = run('total by { "huyện": 50, "xã": 30 }')
    assert reported(found) == [("error", '"total by" needs the header to say which fact picks the variant')]
    assert found[0].hint == 'add "variants by FACT" to the ruleset header'
    assert (c.header.total, c.header.total_by) == (None, ())


def test_a_text_that_is_not_a_variant() -> None:
    c, found = run("variants by cap_don_vi", 'total by { "huyện": 50, "xa": 30 }')
    assert found[0].message == '"xa" is not a variant (a level of scale "cap")'
    assert found[0].hint == 'did you mean "xã"?'
    # "xã" itself is then left without a total
    assert reported(found)[1:] == [("error", 'no total for variant "xã"')]
    assert c.header.total_by == (("huyện", Decimal(50)),)


def test_a_variant_given_twice_or_left_out() -> None:
    _, found = run("variants by cap_don_vi", 'total by { "huyện": 50, "cấp huyện": 40, "xã": 30 }')
    assert reported(found) == [("error", 'variant "huyện" is given twice')]
    _, found = run("variants by cap_don_vi", 'total by { "huyện": 50 }')
    assert reported(found) == [("error", 'no total for variant "xã"')]


def test_clean_variants_report_nothing() -> None:
    c, found = run("variants by cap_don_vi", 'total by { "huyện": 5, "xã": 5 }')
    assert found == []
    assert c.diagnostics == []
