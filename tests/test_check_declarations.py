"""check_declarations on its own: scales, facts and derived values, declared once, with valid options.

``run`` parses a tiny ruleset, runs the passes before ``check_declarations`` in ``PASSES``, then
``check_declarations``, and returns the state with the diagnostics that pass alone reported.
"""

from __future__ import annotations

from decimal import Decimal

from conftest import reported, run_pass

from thidua_rules import Diagnostic
from thidua_rules.check.declarations import check_declarations
from thidua_rules.check.state import Checker

HEADER = 'ruleset "t" { total 10 }\n'  # line 1
BODY = 'section A "Mục A" max 10 {\n    criterion A.1 "Tiêu chí" max 10 { score assessed }\n}\n'
#: A two-level scale whose best level has an alias (lines 2 to 4 after HEADER).
SCALE = 'scale xl "Xếp loại" {\n    "tốt" | "rất tốt" > "kém"\n}\n'


def run(decls: str) -> tuple[Checker, list[Diagnostic]]:
    """HEADER, ``decls``, BODY: the state after check_declarations, and what it reported."""
    return run_pass(check_declarations, HEADER + decls + BODY)


def test_a_scale_lists_its_levels_best_first_with_every_spelling() -> None:
    c, found = run(SCALE)
    assert found == []
    scale = c.scales["xl"]
    assert (scale.label, scale.levels) == ("Xếp loại", ("tốt", "kém"))
    # each spelling, folded, to the level's first spelling
    assert dict(scale.keys) == {"tốt": "tốt", "rất tốt": "tốt", "kém": "kém"}


def test_numeric_facts_get_the_natural_bounds_of_their_kind() -> None:
    c, found = run(
        'fact n "Số": count\nfact p "Tỷ lệ": percent\nfact r "Hạng": rank ..63\nfact m "Điểm": number -5..5\n'
    )
    assert found == []
    bounds = {name: (spec.kind, spec.low, spec.high) for name, spec in c.facts.items()}
    assert bounds == {
        "n": ("count", Decimal(0), None),  # a count starts at 0, no upper limit
        "p": ("percent", Decimal(0), Decimal(100)),  # a percent is 0..100
        "r": ("rank", Decimal(1), Decimal(63)),  # a rank starts at 1
        "m": ("number", Decimal(-5), Decimal(5)),  # as written
    }
    assert all(spec.required for spec in c.facts.values())  # provisional: check_required decides


def test_options_default_optional_monotone_and_appraised_only() -> None:
    c, found = run(
        SCALE
        + 'fact b "Có": boolean default true\n'
        + 'fact x "XL": xl default "RẤT TỐT"\n'
        + 'fact e "e": count optional appraised only\n'
        + 'fact d "d": count monotone decreasing\n'
    )
    assert found == []
    b, x, e, d = (c.facts[name] for name in "bxed")
    assert (b.default, b.required) == (True, False)
    # the default is written as an alias in capitals; it is stored as the canonical level
    assert (x.kind, x.scale, x.levels, x.default, x.required) == ("scale", "xl", ("tốt", "kém"), "tốt", False)
    assert dict(x.spellings) == {"tốt": "tốt", "rất tốt": "tốt", "kém": "kém"}
    assert (e.required, e.appraised_only, e.default) == (False, True, None)
    assert (d.monotone, d.required) == ("decreasing", True)


def test_lets_are_recorded_by_name() -> None:
    c, found = run('fact n "n": count\nlet a = n + 1\nlet b "Nhãn" = a * 2\n')
    assert found == []
    assert list(c.lets) == ["a", "b"]
    assert (c.lets["b"].label, c.lets["b"].expr.span.text()) == ("Nhãn", "a * 2")
    assert list(c.facts) == ["n"]  # a let is not a fact


def test_a_name_declared_twice_names_the_first_line() -> None:
    # line 2: fact n; line 3: fact n again; line 4: let n
    c, found = run('fact n "n": count\nfact n "lặp": count\nlet n = 3\n')
    assert reported(found) == [
        ("error", '"n" is declared twice (first at line 2)'),
        ("error", '"n" is declared twice (first at line 2)'),
    ]
    assert [d.span.line for d in found if d.span is not None] == [3, 4]
    assert c.facts["n"].label == "n" and c.lets == {}  # the first declaration is kept


def test_scale_mistakes() -> None:
    _, found = run('scale xl "X" {\n    "tốt"\n}\n')
    assert reported(found) == [("error", 'scale "xl" needs at least two levels')]
    _, found = run('scale xl "X" {\n    "tốt" > "TỐT"\n}\n')
    assert reported(found) == [("error", 'level "TỐT" appears twice in scale "xl"')]
    assert found[0].hint == "levels are compared without regard to case, accents' encoding or spacing"


def test_an_unknown_kind_marks_the_fact_broken_without_declaring_it() -> None:
    c, found = run('fact a "a": cuont\n')
    assert reported(found) == [("error", 'unknown fact kind "cuont"')]
    assert found[0].hint == 'did you mean "count"?'
    assert "a" not in c.facts
    assert c.broken == {"a"}  # later passes do not report its uses as unknown names


def test_bounds_that_do_not_fit_the_kind() -> None:
    cases = {
        'fact b "b": boolean 0..1\n': "a boolean fact has no numeric bounds",
        'fact n "n": number 5..1\n': "bounds 5..1 are empty",
        'fact r "r": rank 0..63\n': "a rank cannot be below 1",
        'fact c "c": count -1..5\n': "a count cannot be below 0",
    }
    for decl, message in cases.items():
        _, found = run(decl)
        assert reported(found) == [("error", message)], decl
    # docs/language.md 5.2: a percent's upper bound above 100 is lowered to 100
    c, _ = run('fact p "p": percent 0..120\n')
    assert c.facts["p"].high == Decimal(100)


def test_defaults_and_options_that_do_not_fit_the_fact() -> None:
    cases = {
        'fact n "n": count 0..10 default 20\n': 'the default 20 of fact "n" is outside its bounds',
        'fact b "b": boolean default 1\n': 'the default of fact "b" does not fit its kind boolean',
        SCALE + 'fact x "x": xl default "tôt"\n': 'default "tôt" is not a level of scale "xl"',
        'fact b "b": boolean monotone increasing\n': "monotone applies to numeric facts only",
    }
    for decl, message in cases.items():
        _, found = run(decl)
        assert reported(found) == [("error", message)], decl
    assert run(SCALE + 'fact x "x": xl default "tôt"\n')[1][0].hint == 'did you mean "tốt"?'


def test_clean_declarations_report_nothing() -> None:
    c, found = run(SCALE + 'fact n "n": count 0..10 default 0\nfact x "x": xl\nlet d = n + 1\n')
    assert found == []
    assert c.diagnostics == []
    assert (set(c.scales), set(c.facts), set(c.lets)) == ({"xl"}, {"n", "x"}, {"d"})
