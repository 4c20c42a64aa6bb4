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
from hypothesis import given, settings
from test_fast_scaled import CUM4, cum4_units

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
    if rs.evaluator.scaled is not None and rs.evaluator.scaled(unit) is not None:
        assert isinstance(got.nodes, Deferred)  # this unit took the cheap trace
    assert list(got.nodes) == list(reference.nodes)
    for code, node in reference.nodes.items():
        mine = got[code]
        assert mine == node, code  # every field: score, raw, max, inputs, assumptions, counted …
        assert mine.trace == node.trace, code  # the same Step tuples, in order
        assert mine.inputs == node.inputs and mine.assumptions == node.assumptions, code
        assert mine.explain() == node.explain(), code
    assert got.to_dict() == reference.to_dict()
    assert dict(got.facts) == dict(reference.facts)


@settings(max_examples=200, deadline=None)
@given(cum4_units())
def test_the_cheap_trace_is_the_traced_walk(unit: dict[str, Any]) -> None:
    _same_trace(CUM4, unit)


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
