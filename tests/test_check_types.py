"""check_types on its own: types and ranges, levels resolved, derived values in order, tables.

``run`` parses a tiny ruleset, runs the passes before ``check_types`` in ``PASSES`` (which set up
the facts, lets and rules it reads), then ``check_types``, and returns the state with the
diagnostics that pass alone reported.
"""

from __future__ import annotations

from decimal import Decimal

from conftest import reported, run_pass

from thidua_rules import Diagnostic
from thidua_rules.check.state import NUMBER, Checker
from thidua_rules.check.types import check_types
from thidua_rules.language import nodes as n

HEADER = 'ruleset "t" { total 10 }\n'
SCALE = 'scale xl "Xếp loại" {\n    "xuất sắc" > "tốt" | "khá" > "đạt"\n}\nfact x "x": xl\n'


def run(decls: str, *rules: str) -> tuple[Checker, list[Diagnostic]]:
    """HEADER, ``decls``, then section A with one criterion A.1, A.2, … of max 10 per rule
    (a rule may start with item lines, the score rule last)."""
    items = "".join(
        f'    criterion A.{i} "x" max 10 {{\n        {rule}\n    }}\n' for i, rule in enumerate(rules, 1)
    )
    text = HEADER + decls + f'section A "Mục A" max {10 * len(rules)} {{\n{items}}}\n'
    return run_pass(check_types, text)


def strings(expr: n.Expr) -> list[n.String]:
    return [node for node in n.walk(expr) if isinstance(node, n.String)]


def test_lets_are_ordered_after_what_they_read_with_their_ranges() -> None:
    decls = 'fact k "k": count 0..5\nlet a = b + 1\nlet b = k * 2\nlet c = a + b\n'
    c, found = run(decls, "score min(c, 10)")
    assert found == []
    assert c.let_order == ["b", "a", "c"]  # a reads b; c reads a and b
    ranges = {name: (info.type, info.range.low, info.range.high) for name, info in c.let_info.items()}
    assert ranges == {
        "b": (NUMBER, Decimal(0), Decimal(10)),  # k * 2 with k in 0..5
        "a": (NUMBER, Decimal(1), Decimal(11)),  # b + 1
        "c": (NUMBER, Decimal(1), Decimal(21)),  # a + b: 1 + 0 to 11 + 10
    }
    assert [d.rule for d in c.derived.values()] == ["k * 2", "b + 1", "a + b"]


def test_a_quoted_level_is_resolved_to_its_canonical_spelling() -> None:
    c, found = run(SCALE, 'score if x >= "TỐT" then 10 else 0', 'score if x = "Khá" then 10 else 0')
    assert found == []
    for code in ("A.1", "A.2"):
        (text,) = strings(c.rules[code])
        assert c.levels[id(text)] == "tốt"  # "TỐT" by case, "Khá" as an alias


def test_which_judged_scores_are_read_whatever_the_facts() -> None:
    rules = (
        "score assessed",
        "score if b then max else assessed",  # only when b is false
        "applicable if b\n        score assessed",  # only where A.3 applies
    )
    c, found = run('fact b "b": boolean\n', *rules)
    assert found == []
    assert c.unconditional_assessed == {"A.1"}


def test_a_cycle_among_lets() -> None:
    _, found = run('fact k "k": count\nlet a = b + 1\nlet b = a + k\n', "score min(a, 10)")
    assert reported(found) == [("error", "derived values depend on each other in a cycle: a -> b -> a")]


def test_type_mistakes() -> None:
    decls = 'fact b "b": boolean\nfact r "r": rank 1..63\nfact k "k": count\n'
    cases = {
        "score 10 * b": '"*" needs numbers, not true/false',
        'score if r = "tốt" then 10 else 0': "cannot compare a number with a text",
        "score if k then 10 else 0": "the condition of an if must be true/false, not a number",
        "score b": "a score rule must be a number, not true/false",
        "applicable if k\n        score 10": "an applicability condition must be true/false, not a number",
        "score total": "a unit's scores can only be read in ranking, award and classification rules",
    }
    for rule, message in cases.items():
        _, found = run(decls, rule)
        assert reported(found) == [("error", message)], rule


def test_a_divisor_that_can_be_zero_unless_guarded() -> None:
    decls = 'fact k "k": count 1..5\nfact m "m": count 0..5\n'
    _, found = run(decls, "score 10 / m")
    assert reported(found) == [("error", 'division by "m", which can be 0')]
    assert found[0].hint == "say what scores then: if m = 0 then … else …"
    # k is at least 1; m is tested against 0 first: neither can divide by 0 (min(…, 10) keeps the
    # best case at the max: an inexact quotient's range is widened by one rounding step)
    _, found = run(decls, "score min(10 / k, 10)", "score if m > 0 then min(10 / m, 10) else 10")
    assert found == []


def test_a_quoted_text_that_is_not_a_level() -> None:
    _, found = run(SCALE, 'score if x = "tôt" then 10 else 0')
    assert reported(found) == [("error", '"tôt" is not a level of scale "xl"')]
    assert found[0].hint == 'did you mean "tốt"?'


def test_the_best_case_below_or_above_the_max_is_a_warning() -> None:
    decls = 'fact b "b": boolean\nfact k "k": count 0..5\n'
    # if b then 8 else 0: at best 8 < 10; 3 * k with k at most 5: at best 15 > 10
    _, found = run(decls, "score if b then 8 else 0", "score 3 * k")
    assert reported(found) == [
        ("warning", 'the best case of "A.1" is 8, below its max 10'),
        ("warning", 'the best case of "A.2" is 15, above its max 10: the cap will cut it'),
    ]
    assert [d.hint for d in found] == [
        'if the document says so, acknowledge it with: allow unreachable "reason"',
        'if the document caps it on purpose, acknowledge it with: allow exceed "reason"',
    ]


def test_tier_table_rows_are_checked_against_the_subject() -> None:
    rank = 'fact r "r": rank 1..63\n'
    # the rows cover 1..20 of 1..63
    _, found = run(rank, "score table r {\n            <= 10: 10\n            <= 20: 5\n        }")
    assert reported(found) == [("error", "the table has no otherwise row, and no row matches from 21 to 63")]
    # <= 10 comes after <= 20, which took all of it
    unordered = "score table r {\n            <= 20: 10\n            <= 10: 8\n            otherwise: 0\n        }"
    _, found = run(rank, unordered)
    assert reported(found) == [("error", "row 2 (<= 10) can never match: earlier rows take all its values")]


def test_clean_rules_report_nothing() -> None:
    decls = SCALE + 'fact k "k": count\nlet d = min(k, 10)\n'
    table = 'score table x {\n            >= "tốt": 10\n            otherwise: 0\n        }'
    rules = (table, "score d", "score assessed")
    c, found = run(decls, *rules)
    assert found == []
    assert c.diagnostics == []
    assert c.let_order == ["d"]
