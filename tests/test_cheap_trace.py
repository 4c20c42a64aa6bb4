"""The cheap trace: ``evaluate(facts)`` (traced) on the scaled path validates and totals the unit
at once and records its facts; every node's Steps, inputs and assumptions are built by the traced
walk when the nodes are first read. What is read must be exactly the traced walk's own.

How fast it is is measured in benchmarks/run.py, never here.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from test_fast_scaled import CUM4, _sheet_unit, cum4_units, scaled_sheets

import thidua_rules as tr
from thidua_rules.evaluation.evaluator import Deferred
from thidua_rules.io.units import read_unit

EXAMPLES = sorted(Path(__file__).resolve().parent.parent.glob("examples/*/*.json"))


def _walked(rs: tr.Ruleset, unit: dict[str, Any]) -> tr.Result | None:
    """The traced walk's own result (never the scaled path), or None when the unit is refused."""
    result, _walk, _invalid, _missing = rs.evaluator.run(unit, trace=True, cohort=None)
    return result


def _same_trace(rs: tr.Ruleset, unit: dict[str, Any]) -> None:
    reference = _walked(rs, unit)
    if reference is None:
        with pytest.raises(tr.FactsError):
            rs.evaluate(unit)
        return
    got = rs.evaluate(unit)
    ev = rs.evaluator
    generated = ev.traced_scaled_result(unit)  # the generated traced evaluator, by itself
    if ev.scaled is not None and ev.scaled(unit) is not None:
        assert isinstance(got.nodes, Deferred)  # this unit took the cheap trace
        if ev.node_plan() is not None and callable(ev._traced):
            assert generated is not None  # and its nodes are the generated evaluator's
    for result in (got, generated) if generated is not None else (got,):
        _equal_traces(result, reference)


def _equal_traces(got: tr.Result, reference: tr.Result) -> None:
    assert list(got.nodes) == list(reference.nodes)
    for code, node in reference.nodes.items():
        mine = got[code]
        assert mine == node, code  # every field: score, raw, max, inputs, assumptions, counted …
        assert mine.trace == node.trace, code  # the same Step tuples, in order
        assert [str(v) for step in mine.trace for v in (*step.operands, step.value)] == [
            str(v) for step in node.trace for v in (*step.operands, step.value)], code  # 2.50 stays 2.50
        assert list(mine.inputs.items()) == list(node.inputs.items()), code  # in the order read
        assert mine.assumptions == node.assumptions, code
        assert mine.explain() == node.explain(), code
    assert got.to_dict() == reference.to_dict()
    assert dict(got.facts) == dict(reference.facts)


@settings(max_examples=200, deadline=None)
@given(cum4_units())
def test_the_cheap_trace_is_the_traced_walk(unit: dict[str, Any]) -> None:
    _same_trace(CUM4, unit)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.data())
def test_generated_sheets_trace_alike(data: st.DataObject) -> None:
    # sheets of every construct the scaled path takes (lets aside: see the derived-value test)
    text = data.draw(scaled_sheets(), label="sheet")
    try:
        rs = tr.loads(text)
    except tr.RulesetError:
        reject()
    _same_trace(rs, data.draw(_sheet_unit(rs), label="unit"))


def test_a_derived_value_shows_its_working_once_per_node() -> None:
    rs = tr.loads(
        'ruleset "t" { total 10 }\nfact a "Số a": count\nfact b "Số b": count\n'
        'let tong "Tổng" = a + b\nlet doi = tong * 2\n'
        'section X "X" max 10 {\n'
        ' criterion X.1 "c" max 5 { score if doi > 4 then doi - tong else tong }\n'
        ' criterion X.2 "d" max 5 { score tong }\n}\n')
    assert isinstance(rs.evaluator.traced_scaled_result({"a": 1, "b": 2}), tr.Result)
    for unit in ({"a": 1, "b": 2}, {"a": 0, "b": 1}, {"a": 0, "b": 0}):
        _same_trace(rs, unit)
    # a = 1, b = 2: tong = 3, doi = 6 > 4, X.1 = 6 − 3 = 3; X.2 = 3; X = 6
    res = rs.evaluate({"a": 1, "b": 2})
    assert (res["X.1"].score, res["X.2"].score, res["X"].score) == (3, 3, 6)
    derived = [step.expr for step in res["X.1"].trace if step.rule == "derived"]
    assert derived == ["tong", "doi", "doi", "tong"]  # tong inside doi's working, then read by name


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_shipped_examples_trace_alike(path: Path) -> None:
    example = read_unit(path)
    rs = tr.rulesets.load(path.parent.name)
    for round_facts in example.rounds.values():
        facts = round_facts.get("facts", round_facts)
        _same_trace(rs, dict(facts))


def test_a_trace_read_later_is_not_changed_by_the_callers_facts() -> None:
    unit = {**_plain(), "so_van_ban_tham_muu": 3}
    res = CUM4.evaluate(unit)
    unit["so_van_ban_tham_muu"] = 9  # changed after evaluate: the result keeps what it was given
    step = next(s for s in res["I.2"].trace if s.rule == "cap")
    # I.2 = 2 × 3 = 6, within [0, 10]
    assert (step.operands[0], step.value) == (Decimal(6), Decimal(6))
    assert res["I.2"].score == 6


def _plain() -> dict[str, Any]:
    from test_fast_scaled import _unit
    return _unit()
