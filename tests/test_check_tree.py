"""check_tree on its own: sections, groups and criteria, their codes, limits and rules.

``run`` parses a tiny ruleset, runs the passes before ``check_tree`` in ``PASSES`` (header,
declarations, variants), then ``check_tree``, and returns the state with the diagnostics that pass
alone reported.
"""

from __future__ import annotations

from decimal import Decimal

from conftest import reported, run_pass

from thidua_rules import Diagnostic
from thidua_rules.check.state import Checker
from thidua_rules.check.tree import check_tree

HEADER = 'ruleset "t" { total 10 }\n'  # line 1


def run(text: str) -> tuple[Checker, list[Diagnostic]]:
    """The state after the passes up to check_tree, and what check_tree reported."""
    return run_pass(check_tree, text)


def section(items: str, limits: str = "max 10") -> str:
    """HEADER, then section A (line 2) holding ``items`` (from line 3)."""
    return HEADER + f'section A "Mục A" {limits} {{\n' + items + "}\n"


TREE = HEADER + '''fact n "n": count
section A "Mục A" max 10 {
    assume "giả định A"
    group G "Nhóm" cap 6 {
        criterion A.1 "một" { score assessed }
        criterion A.2 "hai" {
            applicable if n > 0
            score assessed
        }
    }
    group H {
        criterion A.3 "ba" max 3 { score assessed }
        criterion A.4 "bốn" max 1 { score 2 * n }
    }
}
deduction section D "Trừ" {
    criterion D.1 "trừ" { score n }
}
'''


def test_sections_groups_and_their_limits() -> None:
    c, found = run(TREE)
    assert found == []
    assert c.roots == ["A", "D"]
    a, g, h, d = (c.groups[code] for code in ("A", "G", "H", "D"))
    assert (a.is_section, a.kind, a.max, a.cap, a.parent) == (True, "standard", Decimal(10), None, None)
    assert a.children == ("G", "H")
    assert (g.is_section, g.max, g.cap, g.children, g.parent) == (False, Decimal(6), Decimal(6), ("A.1", "A.2"), "A")
    assert (h.max, h.cap) == (Decimal(4), None)  # no limit of its own: 3 + 1
    assert (d.kind, d.max, d.children) == ("deduction", None, ("D.1",))
    assert a.assumptions == ("giả định A",)


def test_criteria_inherit_kind_cap_and_assumptions() -> None:
    c, _ = run(TREE)
    a1, a3, d1 = c.criteria["A.1"], c.criteria["A.3"], c.criteria["D.1"]
    assert (a1.max, a1.parent, a1.kind) == (Decimal(6), "G", "standard")  # no max: the group's cap
    assert (a3.max, a3.parent) == (Decimal(3), "H")
    assert a1.assumptions == a3.assumptions == ("giả định A",)  # the section's assume
    assert (d1.kind, d1.max) == ("deduction", None)  # a deduction needs no max


def test_rules_and_applicability_are_recorded() -> None:
    c, _ = run(TREE)
    assert {code: expr.span.text() for code, expr in c.rules.items()} == {
        "A.1": "assessed", "A.2": "assessed", "A.3": "assessed", "A.4": "2 * n", "D.1": "n",
    }
    assert {code: expr.span.text() for code, expr in c.applicability.items()} == {"A.2": "n > 0"}
    assert (c.criteria["A.4"].rule, c.criteria["A.2"].applicable) == ("2 * n", "n > 0")
    assert set(c.codes) == {"a", "g", "a.1", "a.2", "h", "a.3", "a.4", "d", "d.1"}  # folded


def test_a_code_used_twice_is_compared_without_case() -> None:
    items = '    criterion I.1 "x" max 5 { score assessed }\n    criterion "i.1" "y" max 5 { score assessed }\n'
    c, found = run(section(items))
    assert reported(found) == [("error", 'code "i.1" is used twice (first at line 3)')]
    assert list(c.criteria) == ["I.1"]
    assert c.duplicated_in == {"A"}  # so check_sums does not report A's sum again


def test_criterion_mistakes() -> None:
    cases = {
        '    criterion A.1 "x" { score 10 }\n': ('criterion "A.1" has no max',
            'add "max N" after its title, or "max open" where the document gives none'),
        '    criterion A.1 "x" max 10 cap 5 { score 10 }\n': ("a criterion has a max, not a cap", 'write "max N"'),
        '    criterion A.1 "x" max 10 { evidence "e" }\n': (
            'criterion "A.1" has no score rule', 'add "score assessed" for a judged score, or a rule'),
        '    criterion A.1 "x" max 10 {\n        score 10\n        score 5\n    }\n': (
            'criterion "A.1" has more than one score rule', None),
    }
    for items, (message, hint) in cases.items():
        _, found = run(section(items))
        assert reported(found) == [("error", message)], items
        assert found[0].hint == hint


def test_a_nested_section_of_another_kind() -> None:
    items = '    bonus section B "B" max 10 {\n        criterion B.1 "x" max 10 { score assessed }\n    }\n'
    c, found = run(section(items))
    assert reported(found) == [("error", 'section "B" is declared bonus inside a standard section')]
    assert found[0].hint == "only a top-level section chooses standard, bonus or deduction"
    assert c.groups["B"].kind == "standard"  # it stays of its top-level section's kind


def test_a_cap_above_the_max_is_a_warning() -> None:
    items = '    group G max 10 cap 12 {\n        criterion G.1 "x" max 10 { score assessed }\n    }\n'
    _, found = run(section(items))
    assert reported(found) == [("warning", 'the cap 12 of "G" exceeds its max 10 and can never bite')]


def test_a_code_that_names_a_fact_and_two_applicable_ifs() -> None:
    text = HEADER + 'fact n "n": count\nsection A "A" max 10 {\n    criterion "n" "x" max 10 { score n }\n}\n'
    _, found = run(text)
    assert reported(found) == [("error", 'code "n" is also the name of a fact or derived value')]
    item = (
        '    criterion A.1 "x" max 10 {\n        applicable if true\n        applicable if false\n'
        "        score 1\n    }\n"
    )
    _, found = run(section(item))
    assert reported(found) == [("error", '"A.1" has more than one "applicable if"')]


def test_max_by_needs_variants_and_fills_max_by() -> None:
    _, found = run(section('    criterion A.1 "x" max 10 { score 1 }\n', limits='max by { "a": 10 }'))
    assert reported(found) == [("error", '"max by" needs the header to say which fact picks the variant')]
    text = (
        'ruleset "t" {\n    variants by cap\n    total by { "huyện": 20, "xã": 10 }\n}\n'
        'scale loai { "huyện" > "xã" }\nfact cap "Cấp": loai\n'
        'section A "A" max by { "xã": 10, "huyện": 20 } {\n    criterion A.1 "x" max by { "huyện": 20, "xã": 10 } {'
        " score assessed }\n}\n"
    )
    c, found = run(text)
    assert found == []
    assert c.max_by == {
        "A": {"xã": Decimal(10), "huyện": Decimal(20)},
        "A.1": {"huyện": Decimal(20), "xã": Decimal(10)},
    }
    assert c.criteria["A.1"].max == Decimal(20)  # the largest of the variants' maxima
    assert c.criteria["A.1"].max_by == (("huyện", Decimal(20)), ("xã", Decimal(10)))


def test_a_clean_tree_reports_nothing() -> None:
    c, found = run(section('    criterion A.1 "x" max 4 { score assessed }\n    criterion A.2 "y" max 6 { score 6 }\n'))
    assert found == []
    assert c.diagnostics == []
    assert c.groups["A"].children == ("A.1", "A.2")
