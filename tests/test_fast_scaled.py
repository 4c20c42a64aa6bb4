"""The scaled-integer path (evaluation/scaled.py): exact, equal to the traced and Decimal paths on
every unit, and falling back to them for anything it does not take plainly.

How fast it is is measured in benchmarks/run.py, never here.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

import thidua_rules as tr
from thidua_rules.evaluation import scaled
from thidua_rules.evaluation.evaluator import Deferred, ScaledNodes
from thidua_rules.testing import facts, fuzzing, invalid_facts

CUM4 = tr.rulesets.load("cum4-2023")
JUDGED = {"I.1": 5, "I.3": 5, "II.3": 5, "IV.2": 2, "V.1": 3, "V.2": 5, "V.3": 2, "II.2": 5, "II.5": 5}
LEVELS = ("xuất sắc", "hoàn thành tốt", "hoàn thành", "không hoàn thành")


def _same(rs: tr.Ruleset, unit: dict[str, Any]) -> None:
    """The untraced result (and the traced one, whose totals also come from the scaled path)
    equals the traced walk's own: totals in the same form, every node's values."""
    if rs.cohorts:
        return  # scored together (evaluate_cohort): no scaled path
    traced, _walk, invalid, missing = rs.evaluator.run(unit, trace=True, cohort=None)  # the walk itself
    if traced is None:
        for trace in (True, False):
            with pytest.raises(tr.FactsError) as again:
                rs.evaluate(unit, trace=trace)
            assert list(again.value.problems) == invalid + missing
        return
    for fast in (rs.evaluate(unit, trace=False), rs.evaluate(unit)):
        _equal(fast, traced)
    _same_nodes(rs, unit)


def _same_nodes(rs: tr.Ruleset, unit: dict[str, Any]) -> None:
    """An untraced result's nodes, read, are the untraced Decimal path's own: every field equal,
    every number in the same form (2.50 stays 2.50); from the scaled nodes variant's values
    whenever the ruleset has one and it takes the unit."""
    decimal = rs.evaluator.run(unit, trace=False, cohort=None).result  # the Decimal path itself
    assert decimal is not None
    got = rs.evaluate(unit, trace=False)
    assert list(got.nodes) == list(decimal.nodes)
    for code, node in decimal.nodes.items():
        mine = got[code]
        assert mine == node, code  # attrs equality: every field, assumptions and counted included
        assert [str(v) for v in (mine.score, mine.raw, mine.max, mine.applicable_max)] == [
            str(v) for v in (node.score, node.raw, node.max, node.applicable_max)], code
    fresh = rs.evaluate(unit, trace=False)  # read in one pass, in the sheet's order
    assert list(fresh.nodes.values()) == list(decimal.nodes.values())
    assert [code for code, _ in fresh.nodes.items()] == list(decimal.nodes)
    plan = rs.evaluator.node_plan()
    if plan is not None and rs.evaluator.scaled is not None and rs.evaluator.scaled(unit) is not None:
        assert plan.nodes.fn(unit) is not None  # the variant takes what the totals' function takes
        assert isinstance(got.nodes, Deferred) and isinstance(got.nodes._data(), ScaledNodes)


def _equal(fast: tr.Result, traced: tr.Result) -> None:
    for name in ("total", "standard", "bonus", "deductions", "adjustment", "applicable_max", "percentage"):
        assert str(getattr(fast, name)) == str(getattr(traced, name)), name
    assert list(fast.nodes) == list(traced.nodes)
    for code, node in traced.nodes.items():
        other = fast[code]
        assert (other.score, other.raw, other.max, other.applicable_max, other.counted, other.columns) == (
            node.score, node.raw, node.max, node.applicable_max, node.counted, node.columns), code
        assert str(other.score) == str(node.score), code
    assert dict(fast.facts) == dict(traced.facts)
    without = {**traced.to_dict(), "nodes": None}
    assert {**fast.to_dict(), "nodes": None} == without


def _judged(top: int) -> st.SearchStrategy[Any]:
    quarters = st.integers(0, 4 * top).map(lambda q: Decimal(q) / 4)  # 0, 0.25, 0.5 … exact
    return st.one_of(
        quarters,
        quarters.map(lambda d: d.quantize(Decimal("0.01"))),  # 2.50: trailing zeros kept on nodes
        st.integers(0, top),  # a whole judged score as an int
        st.integers(0, 8 * top).map(lambda e: Decimal(e) / 8),  # 0.125: more places than the scale
        quarters.map(lambda d: d.quantize(Decimal("1E-11"))),  # 11 places written: refused
        st.sampled_from([Decimal("1E+1"), Decimal("0.5000")]),  # written otherwise: the Decimal path
        st.sampled_from([Decimal("0.001"), Decimal(top) + Decimal("0.25"), Decimal("-0.25"), 2.5,
                         Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("1E+999999")]),
    )


@st.composite
def cum4_units(draw: st.DrawFn) -> dict[str, Any]:
    unit: dict[str, Any] = {
        name: draw(st.integers(0, 9)) for name in (
            "so_van_ban_tham_muu", "so_chuong_trinh", "so_vi_pham_bao_chi", "so_vi_pham_mxh",
            "so_dn_vi_pham", "so_khien_trach", "so_canh_cao", "so_vang_hoi_nghi", "so_sai_thanh_phan")
    }
    for name in ("hang_dti", "hang_dti_ky_truoc", "hang_cchc"):
        unit[name] = draw(st.integers(1, 63))
    for name in ("dan_chu_tot", "van_hoa_dat_chuan", "thi_dua_tot", "co_dien_hinh", "co_sang_kien"):
        unit[name] = draw(st.booleans())
    for name in ("xep_loai_dang", "xep_loai_doan"):
        unit[name] = draw(st.sampled_from(LEVELS))
    for code, top in JUDGED.items():
        if code in ("II.2", "II.5") and draw(st.booleans()):
            continue  # read only when there were violations: sometimes absent
        unit[code] = draw(_judged(top))
    damage = draw(st.sampled_from(["none", "none", "none", "float", "unknown", "missing", "spelling", "bool"]))
    if damage == "float":
        unit["hang_dti"] = float(unit["hang_dti"])
    elif damage == "unknown":
        unit["khong_co"] = 1
    elif damage == "missing":
        del unit["hang_cchc"]
    elif damage == "spelling":
        unit["xep_loai_dang"] = "Hoàn Thành Tốt Nhiệm Vụ"  # an accepted spelling, not the canonical one
    elif damage == "bool":
        unit["so_chuong_trinh"] = True
    return unit


@settings(max_examples=300, deadline=None)
@given(cum4_units())
def test_cum4_units_score_alike_on_every_path(unit: dict[str, Any]) -> None:
    _same(CUM4, unit)


def test_the_scaled_path_takes_plain_units_and_leaves_the_rest() -> None:
    ev = CUM4.evaluator
    assert ev.scaled is not None
    unit = _unit()
    assert ev.scaled(unit) is not None
    for name, value in [("I.1", Decimal("2.125")), ("I.1", 2.5), ("I.1", Decimal("5.25")), ("hang_dti", 64),
                        ("xep_loai_dang", "Xuất sắc"), ("dan_chu_tot", 1), ("I.1", Decimal("NaN"))]:
        assert ev.scaled({**unit, name: value}) is None, (name, value)
    assert ev.scaled({**unit, "la": 1}) is None
    assert ev.scaled({k: v for k, v in unit.items() if k != "hang_cchc"}) is None
    # II.2 is read only when so_vi_pham_mxh > 0: absent and read, the scaled path leaves it.
    assert ev.scaled({**{k: v for k, v in unit.items() if k != "II.2"}, "so_vi_pham_mxh": 1}) is None
    assert ev.scaled({k: v for k, v in unit.items() if k != "II.2"}) is not None  # absent, not read


def _unit() -> dict[str, Any]:
    return {
        "so_van_ban_tham_muu": 3, "so_chuong_trinh": 6, "so_vi_pham_bao_chi": 1, "so_vi_pham_mxh": 0,
        "hang_dti": 12, "hang_dti_ky_truoc": 20, "dan_chu_tot": True, "xep_loai_dang": "xuất sắc",
        "xep_loai_doan": "hoàn thành", "van_hoa_dat_chuan": False, "thi_dua_tot": True, "co_dien_hinh": True,
        "so_dn_vi_pham": 2, "hang_cchc": 7, "co_sang_kien": False, "so_khien_trach": 1, "so_canh_cao": 0,
        "so_vang_hoi_nghi": 0, "so_sai_thanh_phan": 2,
        "I.1": Decimal("4.5"), "I.3": Decimal("2.25"), "II.3": 5, "IV.2": Decimal("1.75"), "V.1": Decimal("3"),
        "V.2": Decimal("4.75"), "V.3": Decimal("0.5"), "II.5": Decimal("3.5"),
    }


def test_a_unit_worked_by_hand() -> None:
    # I   = 4.5 + min(2×3, 10) + 2.25 + min(2×6, 10) = 4.5 + 6 + 2.25 + 10 = 22.75 (≤ 30)
    # II  = (10 − 5×1) + 5 (no mxh case: max) + 5 + 8 (DTI 12: Top 20) + 3.5 (judged) = 26.5
    # III = 2 + 3 (xuất sắc) + 1 (hoàn thành) + 0 = 6;  IV = (3 + 2) + 1.75 + 2 (CCHC 7) = 8.75
    # V   = 3 + 4.75 + 0.5 = 8.25;  standard = 22.75 + 26.5 + 6 + 8.75 + 8.25 = 72.25
    # VI  = 0 + 3 (DTI 20 → 12: up 8 ≥ 5) = 3;  VII = 5×1 + 10×0 + 5×0 + 2×2 = 9
    # total = 72.25 + 3 − 9 = 66.25
    res = CUM4.evaluate(_unit(), trace=False)
    assert (str(res.standard), str(res.bonus), str(res.deductions), str(res.total)) == ("72.25", "3", "9", "66.25")
    assert str(res.applicable_max) == "100"  # 95 standard + 5 bonus; deductions add no max
    assert res["I.2"].score == 6 and res["II.4"].score == 8
    assert CUM4.evaluator.scaled(_unit()) == (7225, 300, 900)  # ×100: the scale of the sheet


def test_totals_do_not_depend_on_the_callers_context() -> None:
    with decimal.localcontext(decimal.Context(prec=2, traps=[decimal.Inexact, decimal.Rounded])):
        res = CUM4.evaluate(_unit(), trace=False)
        assert str(res.total) == "66.25"
        assert res["I.1"].score == Decimal("4.5")


@pytest.mark.parametrize(("value", "scale", "text"), [
    (2950, 2, "29.5"), (9500, 2, "95"), (-25, 2, "-0.25"), (0, 2, "0"), (7, 0, "7"), (123456, 3, "123.456"),
    (10**20, 2, "1000000000000000000"),
])
def test_to_decimal_is_exact_and_tidy(value: int, scale: int, text: str) -> None:
    with decimal.localcontext(decimal.Context(prec=1)):
        got = scaled.to_decimal(value, scale)
    assert str(got) == text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.data())
def test_generated_rulesets_score_alike_on_every_path(data: st.DataObject) -> None:
    rs = tr.loads(data.draw(fuzzing.rulesets(), label="ruleset"))
    unit = data.draw(st.one_of(facts(rs), invalid_facts(rs).map(lambda pair: pair[0])), label="unit")
    _same(rs, unit)


@pytest.mark.parametrize("name", ["cum4-2023", "vpubnd-tayninh-2023"])
def test_shipped_rulesets_take_the_scaled_path(name: str) -> None:
    assert tr.rulesets.load(name).evaluator.scaled is not None


def test_a_ruleset_too_large_for_one_function_keeps_the_decimal_path() -> None:
    rows = "\n".join(f'    criterion A.{i} "Tiêu chí {i}" max 1 {{ score a }}' for i in range(1, 400))
    rs = tr.loads(f'ruleset "lon" {{ total 399 }}\nfact a "Số a": count\nsection A "Mục A" max 399 {{\n{rows}\n}}\n')
    assert rs.evaluator.scaled is None  # 400 nodes: more than one generated function holds
    # each row: min(a, 1) = 1 with a = 2; 399 rows
    assert rs.evaluate({"a": 2}, trace=False).total == 399


def test_an_optional_judged_score_read_but_not_given_is_reported() -> None:
    # X.1 alone in the sheet: nothing adds or caps it (its range is [0, 20]), so the absent
    # judged score would pass through untouched but for the scaled path's own test.
    rs = tr.loads('ruleset "t" { total 20 }\nfact v "vi phạm": count\n'
                  'section X "X" max 20 {\n criterion X.1 "c" max 20 { score if v = 0 then max else assessed }\n}\n')
    assert rs.evaluator.scaled is not None
    for trace in (True, False):
        with pytest.raises(tr.FactsError, match=r"X\.1"):
            rs.evaluate({"v": 1}, trace=trace)
        # no violation: X.1 = its max, 20
        assert rs.evaluate({"v": 0}, trace=trace).total == 20


# ---------------------------------------------------------------- generated sheets on the scaled path
# Sheets built of what the scaled path takes (+ − ×, comparisons, logic, if, tables over numbers
# and levels, judged scores, decimal constants and maxima): the path must equal the others.

_CONSTANTS = st.sampled_from(["0", "1", "2", "3", "0.5", "0.25", "1.5", "2.75", "0.125", "10"])


def _num_exprs() -> st.SearchStrategy[str]:
    leaves = st.one_of(_CONSTANTS, st.sampled_from(["a", "x", "assessed", "max"]))

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-", "*"]), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(_tests(inner), inner, inner).map(lambda t: f"(if {t[0]} then {t[1]} else {t[2]})"),
            st.tuples(st.sampled_from(["a", "x"]), _CONSTANTS, _CONSTANTS, inner).map(
                lambda t: f"(table {t[0]} {{ <= {t[1]}: {t[2]}, otherwise: {t[3]} }})"),
            _CONSTANTS.map(lambda c: f'(table l {{ "tốt": {c}, "khá": 1, "kém": 0 }})'),
        )
    return st.recursive(leaves, extend, max_leaves=6)


def _tests(nums: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.just("b"), st.just("not b"), st.just('l >= "khá"'), st.just('l = "tốt"'),
        st.tuples(nums, st.sampled_from(["<", "<=", ">", ">=", "=", "!="]), nums).map(
            lambda t: f"{t[0]} {t[1]} {t[2]}"),
        st.tuples(st.just("b"), st.sampled_from(["and", "or"]), st.just("a > 2")).map(" ".join),
    )


@st.composite
def scaled_sheets(draw: st.DrawFn) -> str:
    sections = []
    total = Decimal(0)
    for s in range(draw(st.integers(1, 3))):
        rows, top = [], Decimal(0)
        for c in range(draw(st.integers(1, 3))):
            row_max = Decimal(draw(st.sampled_from(["1", "2.5", "5", "0.75", "10"])))
            top += row_max
            rows.append(f'    criterion S{s}.{c} "Tiêu chí {c}" max {row_max} {{ score {draw(_num_exprs())} }}')
        cap = draw(st.sampled_from(["", "cap"]))
        section_max = top - Decimal("0.5") if cap and top > 1 else top
        gap = ' allow gap "thử"' if section_max != top else ""
        total += section_max
        kind = draw(st.sampled_from(["", "", " bonus"])) if s else ""
        sections.append(f'section S{s} "Mục {s}"{kind} max {section_max}{gap} {{\n' + "\n".join(rows) + "\n}")
    return (f'ruleset "thu" {{ total {total} }}\nscale muc "Mức" {{ "tốt" > "khá" > "kém" }}\n'
            'fact a "Số a": count\nfact x "Số x": number -3..10\nfact b "Có b": boolean\nfact l "Mức l": muc\n'
            + "\n".join(sections) + "\n")


def _sheet_unit(rs: tr.Ruleset) -> st.SearchStrategy[dict[str, Any]]:
    judged = {name: _judged(int(spec.high or 0) or 1) for name, spec in rs.facts.items() if spec.kind == "assessed"}
    return st.fixed_dictionaries(
        {"a": st.integers(0, 12), "x": st.one_of(st.integers(-3, 10), _judged(10).filter(
            lambda v: not isinstance(v, Decimal) or not v.is_finite() or v <= 10)), "b": st.booleans(),
         "l": st.sampled_from(["tốt", "khá", "kém"])},
        optional=judged,
    )


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.data())
def test_generated_sheets_on_the_scaled_path_score_alike(data: st.DataObject) -> None:
    text = data.draw(scaled_sheets(), label="sheet")
    try:
        rs = tr.loads(text)
    except tr.RulesetError:
        reject()  # a rule the checks refuse (a table whose rows overlap, a value out of range …)
    assert rs.evaluator.scaled is not None, text
    _same(rs, data.draw(_sheet_unit(rs), label="unit"))


def test_untraced_nodes_keep_the_forms_of_the_decimal_path() -> None:
    # I.1 given as 2.50 (two places) and I.3 as 2.5 (one): each node keeps its own form, and
    # section I adds them to 0 as the Decimal path does, with the most places of its parts:
    # I = 2.50 + 6 (2 × 3) + 2.5 + 10 (2 × 6 = 12, capped at max 10) = 21.00 (≤ 30)
    unit = {**_unit(), "I.1": Decimal("2.50"), "I.3": Decimal("2.5")}
    res = CUM4.evaluate(unit, trace=False)
    assert isinstance(res.nodes, Deferred)
    nodes = res.nodes._data()
    assert isinstance(nodes, ScaledNodes)  # read from the nodes variant, not scored again
    shown = {code: (str(res[code].score), str(res[code].raw)) for code in ("I", "I.1", "I.2", "I.3", "I.4")}
    assert shown == {"I": ("21.00", "21.00"), "I.1": ("2.50", "2.50"), "I.2": ("6", "6"),
                     "I.3": ("2.5", "2.5"), "I.4": ("10", "12")}
    # the fixed fields: I.4's max as written, I's applicable max 5 + 10 + 5 + 10 = 30
    assert (str(res["I.4"].max), str(res["I"].applicable_max), res["I.4"].counted) == ("10", "30", True)
    # nodes read one by one, then all at once: the same objects, in the sheet's order
    first = res["I.1"]
    assert [node.code for node in res.nodes.values()] == list(CUM4.evaluate(_unit()).nodes)
    assert next(node for node in res.nodes.values() if node.code == "I.1") is first


def test_untraced_node_reads_do_not_depend_on_the_callers_context() -> None:
    unit = {**_unit(), "V.2": Decimal("4.75")}
    with decimal.localcontext(decimal.Context(prec=1, traps=[decimal.Inexact, decimal.Rounded])):
        res = CUM4.evaluate(unit, trace=False)
        # V = 3 + 4.75 + 0.5 = 8.25: three digits, exact under a 1-digit context
        assert str(res["V"].score) == "8.25" and str(res["V.2"].score) == "4.75"


def test_an_untraced_result_pickles_with_its_nodes() -> None:
    import pickle

    res = CUM4.evaluate(_unit(), trace=False)
    again = pickle.loads(pickle.dumps(res))
    # I.4 = min(2 × 6, 10) = 10, raw 12
    assert (again["I.4"].score, again["I.4"].raw) == (Decimal(10), Decimal(12))
    assert dict(again.nodes) == dict(res.nodes)
