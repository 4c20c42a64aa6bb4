"""Formulas (issue 13, item 11) and local ``let``: hand-computed scores, traces, errors, laws."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import thidua_rules as tr
from thidua_rules.language import nodes as n
from thidua_rules.language.printer import print_ruleset
from thidua_rules.testing import facts, fuzzing

HEAD = 'ruleset "t" { total 15 }\n'

#: Three indicators scored by one formula: full points when the result reaches the target,
#: else in proportion; a target of 0 counts as reached.
TARGETS = HEAD + '''fact kq_1 "Kết quả chỉ tiêu 1": number 0..
fact ct_1 "Chỉ tiêu 1": number 0..
fact kq_2 "Kết quả chỉ tiêu 2": number 0..
fact ct_2 "Chỉ tiêu 2": number 0..
fact kq_3 "Kết quả chỉ tiêu 3": count
fact ct_3 "Chỉ tiêu 3": count

formula dat_chi_tieu "Đạt chỉ tiêu: đủ điểm; chưa đạt: theo tỷ lệ" (ket_qua, chi_tieu, diem) =
    if chi_tieu = 0 or ket_qua >= chi_tieu then diem else diem * ket_qua / chi_tieu

section I max 15 {
    criterion I.1 "Chỉ tiêu 1" max 5 { score dat_chi_tieu(kq_1, ct_1, max) }
    criterion I.2 "Chỉ tiêu 2" max 4 { score dat_chi_tieu(kq_2, ct_2, max) }
    criterion I.3 "Chỉ tiêu 3" max 6 { score dat_chi_tieu(kq_3, ct_3, 6) }
}
'''

UNIT = {"kq_1": 7, "ct_1": 10, "kq_2": 5, "ct_2": 4, "kq_3": 1, "ct_3": 3}


def _error(text: str) -> tr.Diagnostic:
    with pytest.raises(tr.RulesetError) as caught:
        tr.loads(text)
    return next(d for d in caught.value.diagnostics if d.severity == "error")


def test_one_formula_scores_many_rows() -> None:
    res = tr.loads(TARGETS).evaluate(UNIT)
    # I.1: 7 < 10: 5 × 7 / 10 = 3.5. I.2: 5 >= 4: the max 4. I.3: 1 < 3: 6 × 1 / 3 = 2 (exactly).
    assert res["I.1"].score == D("3.5")
    assert res["I.2"].score == D(4)
    assert res["I.3"].score == D(2)
    assert res.total == D("9.5")  # 3.5 + 4 + 2
    assert tr.loads(TARGETS).evaluate(UNIT, trace=False).total == D("9.5")


def test_a_formula_rounds_as_the_ruleset_says() -> None:
    res = tr.loads(TARGETS).evaluate({**UNIT, "kq_3": 2, "ct_3": 7})
    # 6 × 2 / 7 = 1.714285…, rounded half up to the ruleset's 2 places: 1.71.
    assert res["I.3"].score == D("1.71")


def test_the_trace_names_the_formula_with_its_arguments_then_its_working() -> None:
    res = tr.loads(TARGETS).evaluate(UNIT)["I.1"]
    rules = [step.rule for step in res.trace]
    assert rules[:3] == ["fact", "fact", "formula"]  # the arguments, then the call
    call = res.trace[2]
    assert call.expr == "dat_chi_tieu(kq_1, ct_1, max)"
    assert call.operands == (D(7), D(10), D(5)) and call.value == D("3.5")
    assert call.note.startswith("dat_chi_tieu(ket_qua = 7, chi_tieu = 10, diem = 5)")
    assert rules[3:] == ["compare", "compare", "or", "*", "/", "if", "cap"]  # 5 × 7 = 35, 35 ÷ 10 = 3.5
    assert "formula dat_chi_tieu(ket_qua = 7, chi_tieu = 10, diem = 5)" in res.explain()


def test_formulas_call_formulas() -> None:
    text = HEAD + '''fact a "A": count 0..10
formula gap_doi(x) = 2 * x
formula cong(x, y) = gap_doi(x) + y
section I max 15 { criterion I.1 "t" max 15 { score cong(a, 1) } }
'''
    res = tr.loads(text).evaluate({"a": 4})["I.1"]
    assert res.score == D(9)  # 2 × 4 + 1
    assert [s.rule for s in res.trace if s.rule == "formula"] == ["formula", "formula"]


def test_a_formula_takes_booleans_and_levels() -> None:
    text = HEAD + '''scale xep_loai { "xuất sắc" > "tốt" > "đạt" }
fact muc "Mức": xep_loai
fact co "Có": boolean
formula diem_muc(m: xep_loai, dat: boolean, d) = if dat and m >= "tốt" then d else 0
section I max 15 { criterion I.1 "t" max 15 { score diem_muc(muc, co, max) } }
'''
    rs = tr.loads(text)
    assert rs.evaluate({"muc": "Tốt", "co": True})["I.1"].score == D(15)  # tốt >= tốt and true: 15
    assert rs.evaluate({"muc": "đạt", "co": True})["I.1"].score == D(0)  # đạt < tốt
    assert rs.evaluate({"muc": "đạt", "co": True}, trace=False)["I.1"].score == D(0)


def test_the_range_of_a_call_comes_from_its_arguments() -> None:
    text = HEAD + 'fact a "A": count 0..10\nformula ba_lan(x) = 3 * x\n' \
        'section I max 15 { criterion I.1 "t" max 15 { score ba_lan(a) } }\n'
    # 3 × [0, 10] = [0, 30]: above the max 15, so the checker warns as for an inline rule.
    assert [w.message for w in tr.loads(text).warnings] == [
        'the best case of "I.1" is 30, above its max 15: the cap will cut it']


@pytest.mark.parametrize(("decls", "rule", "message"), [
    ("formula f(x) = g(x) + 1\nformula g(y) = f(y)", "f(a)", "formulas call each other in a cycle: f -> g -> f"),
    ("formula h(z) = h(z) * 2", "h(a)", "formulas call each other in a cycle: h -> h"),
    ("formula f(x, y) = x + y", "f(a)", 'formula "f" takes 2 arguments (x, y), not 1'),
    ("formula f(x, y: boolean) = if y then x else 0", "f(a, a)",
     'argument "y" of formula "f" must be true/false, not a number'),
    ("formula f(x) = x + a", "f(a)", 'a formula reads only its parameters (x); "a" is not one of them'),
    ("formula f(x) = x + cohort max(x)", "f(a)", "a formula cannot read a cohort aggregate"),
    ("formula f(x, y) = x / y", "f(a, 2)", 'division by "y", which can be 0'),
    ("formula f(x) = x + max", "f(a)", '"max" can only be used in a criterion\'s score rule'),
    ("formula min(x) = x", "a", '"min" is a built-in function and cannot name a formula'),
    ("formula f(x: count) = x", "f(a)", 'unknown parameter kind "count"'),
    ("formula f(x, x) = x", "f(a, a)", 'parameter "x" is given twice'),
    ("formula a(x) = x", "a", '"a" is already a fact or derived value'),
    ("formula f(x) = x\nformula f(y) = y", "f(a)", '"f" is declared twice'),
])
def test_a_bad_formula_is_refused_at_its_definition_or_call(decls: str, rule: str, message: str) -> None:
    tree = f'section I max 15 {{ criterion I.1 "t" max 15 {{ score {rule} }} }}\n'
    text = HEAD + f'fact a "A": count 0..10\n{decls}\n' + tree
    found = _error(text)
    assert found.message.startswith(message), found.message
    assert found.span is not None and found.span.line >= 3


# ---------------------------------------------------------------- the law: a call is its inline copy

def _inline(kq: str, ct: str, diem: str) -> str:
    return f"(if {ct} = 0 or {kq} >= {ct} then {diem} else {diem} * {kq} / {ct})"


INLINE = TARGETS.replace("dat_chi_tieu(kq_1, ct_1, max)", _inline("kq_1", "ct_1", "max")) \
    .replace("dat_chi_tieu(kq_2, ct_2, max)", _inline("kq_2", "ct_2", "max")) \
    .replace("dat_chi_tieu(kq_3, ct_3, 6)", _inline("kq_3", "ct_3", "6"))

AMOUNTS = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False)


WITH_FORMULA, WRITTEN_OUT = tr.loads(TARGETS), tr.loads(INLINE)


@given(st.tuples(AMOUNTS, AMOUNTS, AMOUNTS, AMOUNTS, st.integers(0, 50), st.integers(0, 50)))
def test_a_formula_used_by_many_rows_gives_each_what_its_inline_copy_would(values: tuple[object, ...]) -> None:
    assert INLINE != TARGETS and "dat_chi_tieu(" not in INLINE.split("section")[1]
    unit = dict(zip(["kq_1", "ct_1", "kq_2", "ct_2", "kq_3", "ct_3"], values, strict=True))
    with_formula, inline = WITH_FORMULA, WRITTEN_OUT
    traced, copied = with_formula.evaluate(unit), inline.evaluate(unit)
    for code in ("I.1", "I.2", "I.3"):
        assert traced[code].score == copied[code].score
    assert with_formula.evaluate(unit, trace=False).total == traced.total == copied.total


def _inlined(tree: n.RulesetDecl) -> n.RulesetDecl:
    """``tree`` with every call of a formula replaced by the formula's body over the arguments."""
    formulas = {d.name: d for d in tree.decls if isinstance(d, n.FormulaDecl)}

    def rebuilt(node: Any, env: dict[str, n.Expr]) -> Any:
        if isinstance(node, n.Ref) and node.name in env:
            return env[node.name]
        if isinstance(node, n.Call) and node.func in formulas:
            decl = formulas[node.func]
            args = [rebuilt(a, env) for a in node.args]
            return rebuilt(decl.expr, {p.name: a for p, a in zip(decl.params, args, strict=True)})
        changes: dict[str, Any] = {}
        for field in attrs.fields(type(node)):
            value = getattr(node, field.name)
            if isinstance(value, n.NODE_TYPES):
                changes[field.name] = rebuilt(value, env)
            elif isinstance(value, tuple) and any(isinstance(i, n.NODE_TYPES) for i in value):
                changes[field.name] = tuple(rebuilt(i, env) if isinstance(i, n.NODE_TYPES) else i for i in value)
        return attrs.evolve(node, **changes) if changes else node

    decls = tuple(rebuilt(d, {}) for d in tree.decls if not isinstance(d, n.FormulaDecl))
    return attrs.evolve(tree, decls=decls)


@settings(max_examples=15, deadline=None)
@given(st.data())
def test_generated_formulas_score_as_their_bodies_written_out(data: st.DataObject) -> None:
    tree = data.draw(fuzzing.ruleset_trees().filter(
        lambda t: any(isinstance(d, n.FormulaDecl) for d in t.decls)), label="ruleset")
    with_formulas = tr.loads(print_ruleset(tree))
    written_out = tr.loads(print_ruleset(_inlined(tree)))
    unit = data.draw(facts(with_formulas), label="unit")
    for trace in (True, False):
        called, inline = with_formulas.evaluate(unit, trace=trace), written_out.evaluate(unit, trace=trace)
        assert {r.code: r.score for r in called} == {r.code: r.score for r in inline}
        assert called.total == inline.total


def test_a_formula_survives_the_printer() -> None:
    printed = tr.format_ruleset(TARGETS)
    assert "formula dat_chi_tieu" in printed and tr.format_ruleset(printed) == printed
    assert tr.loads(printed).evaluate(UNIT).total == D("9.5")


# ---------------------------------------------------------------- local let

LOCAL = HEAD + '''fact so_vb "Số văn bản": count
fact so_vp "Số vi phạm": count
section I max 15 {
    let diem_vb "Điểm văn bản" = 2 * so_vb
    criterion I.1 "Văn bản" max 10 {
        score diem_vb
    }
    criterion I.2 "Vi phạm" max 5 {
        let tru "Điểm trừ" = 2 * so_vp
        score if diem_vb > 0 then max - tru else 0
    }
}
'''


def test_a_local_let_scores_inside_its_node() -> None:
    res = tr.loads(LOCAL).evaluate({"so_vb": 3, "so_vp": 1})
    # I.1: 2 × 3 = 6. I.2: 6 > 0: 5 − 2 × 1 = 3. Total 9.
    assert (res["I.1"].score, res["I.2"].score, res.total) == (D(6), D(3), D(9))
    derived = [s for s in res["I.2"].trace if s.rule == "derived"]
    assert [s.expr for s in derived] == ["diem_vb", "tru"]  # the names as written, not qualified
    assert res["I.2"].inputs["tru"] == D(2)


def test_a_local_let_is_not_seen_outside_its_node() -> None:
    text = LOCAL.replace("total 15", "total 20") + \
        'section J max 5 { criterion J.1 "t" max 5 { score tru } }\n'
    found = _error(text)
    assert found.message == 'unknown fact or derived value "tru"'
    assert found.hint == '"tru" is a derived value local to "I.2", seen only inside it'


@pytest.mark.parametrize(("items", "message"), [
    ("let so_vb = 1", '"so_vb" is already declared for the whole ruleset'),
    ("let k = 1\n let k = 2", '"k" is declared twice in "I"'),
    ("let max = 1", '"max" is a word of the language'),
])
def test_a_local_let_hides_nothing(items: str, message: str) -> None:
    text = HEAD + f'fact so_vb "S": count\nsection I max 15 {{\n {items}\n' \
        ' criterion I.1 "t" max 15 { score so_vb }\n}\n'
    assert _error(text).message.startswith(message)


def test_a_local_let_may_not_hide_one_of_an_enclosing_section() -> None:
    text = HEAD + 'fact a "A": count\nsection I max 15 {\n let k = a\n' \
        ' criterion I.1 "t" max 15 { let k = 2\n score k }\n}\n'
    assert _error(text).message == '"k" is already a derived value of an enclosing section'


def test_local_lets_survive_the_printer() -> None:
    printed = tr.format_ruleset(LOCAL)
    assert "        let tru" in printed and tr.format_ruleset(printed) == printed
    assert tr.loads(printed).evaluate({"so_vb": 3, "so_vp": 1}).total == D(9)


def test_a_formula_takes_a_category_name() -> None:
    text = HEAD + '''category cum { "Cụm 1" | "cụm I", "Cụm 2" }
fact c "Cụm": cum
formula theo_cum(x: cum, d) = if x in ("Cụm 1") then d else d - 1
section I max 15 { criterion I.1 "t" max 15 { score theo_cum(c, 15) + theo_cum("cụm i", 0) } }
'''
    rs = tr.loads(text)
    # Cụm 1: 15 + 0 (the literal "cụm i" is Cụm 1 too) = 15; Cụm 2: (15 − 1) + 0 = 14.
    assert rs.evaluate({"c": "CỤM I"})["I.1"].score == D(15)
    assert rs.evaluate({"c": "Cụm 2"}, trace=False)["I.1"].score == D(14)


def test_a_parameter_is_not_named_by_a_word_of_the_language() -> None:
    text = HEAD + 'fact a "A": count 0..10\nformula f(max) = max + 1\n' \
        'section I max 15 { criterion I.1 "t" max 15 { score f(a) } }\n'
    assert _error(text).message == '"max" is a word of the language and cannot name a parameter'


def test_a_cycle_of_local_lets_is_named_as_written() -> None:
    text = HEAD + 'section I max 15 {\n let a = b + 1\n let b = a - 1\n' \
        ' criterion I.1 "t" max 15 { score a }\n}\n'
    assert _error(text).message.startswith("derived values depend on each other in a cycle: a -> b -> a")


def test_formulas_that_would_take_exponential_time_are_refused() -> None:
    # f0 calls f1 twice, f1 calls f2 twice …: 2^44 calls of f44 if evaluated; the checker counts
    # each formula's operations with its calls written out and stops where that passes 100,000.
    lines = [f"formula f{i}(x) = f{i + 1}(x) + f{i + 1}(x)" for i in range(44)] + ["formula f44(x) = x"]
    text = HEAD + 'fact a "A": count 0..10\n' + "\n".join(lines) + \
        '\nsection I max 15 { criterion I.1 "t" max 15 { score min(f0(a), 15) } }\n'
    with pytest.raises(tr.RulesetError) as caught:
        tr.loads(text)
    errors = [d for d in caught.value.diagnostics if d.severity == "error"]
    assert len(errors) == 1
    # f44 is 1 node (x); f_k is 2 × cost(f_{k+1}) + 5 nodes (+, two calls, two x): first above
    # 100,000 at f29: cost(f_k) = 6 × 2^(44-k) − 5, and 6 × 2^15 − 5 = 196,603 > 100,000 ≥ 6 × 2^14 − 5.
    assert errors[0].message.startswith('formula "f29" comes to more than 100,000 operations')
