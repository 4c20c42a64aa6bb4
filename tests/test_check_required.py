"""check_required on its own: which facts are required, and which are never used.

A fact is required when it has no default, is not optional, and some rule reads it whatever the
other facts are (docs/language.md, section 5.3). ``run`` parses a tiny ruleset, runs the passes
before ``check_required`` in ``PASSES`` (the last one), then ``check_required``, and returns the
state with the diagnostics that pass alone reported.
"""

from __future__ import annotations

from conftest import run_pass

from thidua_rules import Diagnostic
from thidua_rules.check.required import check_required
from thidua_rules.check.state import Checker

HEADER = 'ruleset "t" { total 10 }\n'


def run(text: str) -> tuple[Checker, list[Diagnostic]]:
    """The state after the passes up to check_required, and what check_required reported."""
    return run_pass(check_required, text)


def counts(*names: str, extra: str = "") -> str:
    """One ``count`` fact per name (``extra`` after the kind of each)."""
    return "".join(f'fact {name} "{name}": count{extra}\n' for name in names)


def sheet(decls: str, *rules: str, after: str = "") -> str:
    """A header (line 1), ``decls``, section A with one criterion of max 2 per rule (item lines may
    precede the score line), ``after``; the total is the section's max."""
    items = "".join(
        f'    criterion A.{i} "x" max 2 {{\n        {rule}\n    }}\n' for i, rule in enumerate(rules, 1)
    )
    top = 2 * len(rules)
    return f'ruleset "t" {{ total {top} }}\n' + decls + f'section A "Mục A" max {top} {{\n{items}}}\n' + after


def required(c: Checker) -> dict[str, bool]:
    return {name: spec.required for name, spec in c.facts.items()}


def test_a_fact_read_whatever_the_facts_is_required() -> None:
    decls = 'fact b "b": boolean\n' + counts("a", "c", "h")
    rules = (
        "score min(a, 2)",
        "score if b then min(c, 2) else 0",  # b always, c only in one branch
        "score table h {\n            <= 1: 2\n            otherwise: 0\n        }",  # the subject always
    )
    c, found = run(sheet(decls, *rules))
    assert found == []
    assert required(c) == {"b": True, "a": True, "c": False, "h": True}


def test_a_default_or_optional_fact_is_never_required() -> None:
    decls = counts("d", extra=" default 0") + counts("e", extra=" optional")
    c, found = run(sheet(decls, "score min(d + e, 2)"))
    assert found == []
    assert required(c) == {"d": False, "e": False}


def test_what_a_let_reads_counts_where_the_let_is_read() -> None:
    # l is read by A.1 always, so f (which l reads) is required; m is read only in a branch
    decls = 'fact b "b": boolean\n' + counts("f", "g") + "let l = f + 1\nlet m = g + 1\n"
    c, found = run(sheet(decls, "score min(l, 2)", "score if b then min(m, 2) else 0"))
    assert found == []
    assert required(c) == {"b": True, "f": True, "g": False}


def test_under_applicable_if_only_the_condition_is_required() -> None:
    text = HEADER + 'fact a "a": boolean\n' + counts("k") + (
        'section A "A" max 10 {\n    applicable if a\n'
        '    criterion A.1 "x" max 10 { score min(k, 10) }\n}\n'
    )
    c, found = run(text)
    assert found == []
    assert required(c) == {"a": True, "k": False}


def test_ranking_award_and_classification_conditions_read_facts() -> None:
    after = (
        "ranking {\n    by lowest r\n}\n"
        'award co "Cờ" count 1 {\n    require s = 0 else "x"\n}\n'
        'classify xl by total {\n    otherwise: "đạt"\n    require q = 0 else lower "y"\n}\n'
    )
    c, found = run(sheet(counts("r", "s", "q"), "score assessed", after=after))
    assert found == []
    # q is read by the classification only: classify demands it, evaluate does not (issue 13).
    assert required(c) == {"r": True, "s": True, "q": False}


def test_a_fact_nothing_reads_is_a_warning_and_not_required() -> None:
    c, found = run(sheet(counts("a", "u"), "score min(a, 2)"))  # u: line 3
    assert [(d.severity, d.message) for d in found] == [("warning", 'fact "u" is never used')]
    assert found[0].span is not None and found[0].span.line == 3
    assert required(c) == {"a": True, "u": False}


def test_the_variant_fact_read_by_an_applicable_if_is_required() -> None:
    # the docs' example (7.5): A.2 reads cap_don_vi, so there is no warning, and it is required
    text = (
        'ruleset "t" {\n    variants by cap_don_vi\n    total by { "huyện": 4, "xã": 2 }\n}\n'
        'scale cap { "huyện" > "xã" }\nfact cap_don_vi "Cấp": cap\n'
        'section A "A" max by { "huyện": 4, "xã": 2 } {\n'
        '    criterion A.1 "x" max 2 { score assessed }\n'
        '    criterion A.2 "y" max 2 {\n        applicable if cap_don_vi = "huyện"\n        score assessed\n    }\n'
        "}\n"
    )
    c, found = run(text)
    assert found == []
    assert required(c) == {"cap_don_vi": True}


def test_clean_facts_report_nothing() -> None:
    c, found = run(sheet(counts("a", "c"), "score min(a, 2)", "score min(c, 2)"))
    assert found == []
    assert c.diagnostics == []
