"""Batch evaluation, pickling, and the generated fast path agreeing with the traced path."""

from __future__ import annotations

import pickle
from decimal import Decimal as D
from typing import Any

import pytest
from hypothesis import given

import thidua_rules as tr
from thidua_rules import rulesets
from thidua_rules.testing import facts

IDS = ["cum4-2023", "vpubnd-tayninh-2023"]


def _plain(res: tr.Result) -> dict[str, Any]:
    """Everything but the trace and inputs, which only the traced path records."""
    out = res.to_dict()
    for node in out["nodes"].values():
        node.pop("trace")
        node.pop("inputs")
    return out


@pytest.mark.parametrize("ruleset_id", IDS)
def test_fast_path_equals_traced_path(ruleset_id: str) -> None:
    rs = rulesets.load(ruleset_id)
    assert rs.evaluator.fast is not None  # the generated path exists for the shipped rulesets

    @given(facts(rs))
    def run(unit: dict[str, Any]) -> None:
        assert _plain(rs.evaluate(unit, trace=False)) == _plain(rs.evaluate(unit, trace=True))

    run()


def test_fast_path_problems_are_reported_like_the_traced_path() -> None:
    rs = rulesets.load("cum4-2023")
    with pytest.raises(tr.FactsError) as fast:
        rs.evaluate({"hang_dti": 0}, trace=False)
    with pytest.raises(tr.FactsError) as traced:
        rs.evaluate({"hang_dti": 0}, trace=True)
    assert str(fast.value) == str(traced.value)


def test_ruleset_and_results_pickle() -> None:
    rs = rulesets.load("cum4-2023")
    again = pickle.loads(pickle.dumps(rs))
    assert again.id == rs.id and list(again.criteria) == list(rs.criteria)
    unit = {name: 0 for name, spec in rs.facts.items() if spec.kind == "count"}
    unit.update(hang_dti=15, hang_dti_ky_truoc=15, hang_cchc=3, dan_chu_tot=True, van_hoa_dat_chuan=True,
                thi_dua_tot=True, co_dien_hinh=False, co_sang_kien=False, xep_loai_dang="hoàn thành",
                xep_loai_doan="xuất sắc")
    unit.update({code: 1 for code, spec in rs.facts.items() if spec.kind == "assessed"})
    for trace in (False, True):
        res = rs.evaluate(unit, trace=trace)
        copy = pickle.loads(pickle.dumps(res))
        assert copy.to_dict() == res.to_dict()
        assert again.evaluate(unit, trace=trace).to_dict() == res.to_dict()
    # I: 1 + 0 + 1 + 0 = 2; II: 10 + 5 + 1 + 8 (rank 15) + 5 = 29; III: 2 + 1 + 3 + 2 = 8;
    # IV: 3 + 1 + 3 (rank 3) = 7; V: 1 + 1 + 1 = 3; VI: 0 + 0 (no rise) = 0; VII: 0
    assert res.total == D(49)  # 2 + 29 + 8 + 7 + 3


def test_evaluate_many_streams_in_order_with_and_without_processes() -> None:
    rs = tr.loads('''
ruleset "b" { total 10 }
fact n "n": count
section A "A" max 10 { criterion A.1 "1 điểm mỗi việc" max 10 { score n } }''')
    units = ({"n": i % 13} for i in range(40))  # a generator: consumed lazily
    scores = [r.total for r in rs.evaluate_many(units)]
    assert scores == [D(min(i % 13, 10)) for i in range(40)]  # n, capped at 10
    parallel = [r.total for r in rs.evaluate_many(({"n": i % 13} for i in range(40)), processes=2, batch=8)]
    assert parallel == scores


def test_evaluate_many_checks_its_options() -> None:
    rs = rulesets.load("cum4-2023")
    with pytest.raises(tr.OptionError, match="Expected a positive int for processes, got 0"):
        list(rs.evaluate_many([], processes=0))


def _cum4_unit(**changes: Any) -> dict[str, Any]:
    rs = rulesets.load("cum4-2023")
    unit: dict[str, Any] = {name: 0 for name, spec in rs.facts.items() if spec.kind == "count"}
    unit.update(hang_dti=15, hang_dti_ky_truoc=15, hang_cchc=3, dan_chu_tot=True, van_hoa_dat_chuan=True,
                thi_dua_tot=True, co_dien_hinh=False, co_sang_kien=False, xep_loai_dang="hoàn thành",
                xep_loai_doan="xuất sắc")
    unit.update({code: 1 for code, spec in rs.facts.items() if spec.kind == "assessed"})
    unit.update(changes)
    return unit


def test_two_processes_give_exactly_the_results_of_one() -> None:
    rs = rulesets.load("cum4-2023")

    @given(facts(rs))
    def one(unit: dict[str, Any]) -> None:
        sample.append(unit)

    sample: list[dict[str, Any]] = []
    one()
    known = [_cum4_unit(), _cum4_unit(so_khien_trach=1)]
    units = known + sample[:60]
    alone = list(rs.evaluate_many(units))
    spread = list(rs.evaluate_many(units, processes=2, batch=7))  # windows of 14, chunks of 2
    # The compact totals the workers send rebuild the same Results: totals, every node, the facts.
    assert [r.to_dict() for r in spread] == [r.to_dict() for r in alone]
    assert [pickle.loads(pickle.dumps(r)).to_dict() for r in spread[:3]] == [r.to_dict() for r in alone[:3]]
    # By hand (test_ruleset_and_results_pickle): 2 + 29 + 8 + 7 + 3 = 49; a reprimand costs VII.
    assert spread[0].total == D(49)
    assert spread[1].total == alone[1].total == D(49) - rs.evaluate(known[1])["VII"].score  # type: ignore[operator]
    traced = list(rs.evaluate_many(units[:5], processes=2, trace=True))
    assert [r.to_dict() for r in traced] == [rs.evaluate(u).to_dict() for u in units[:5]]


def test_a_bad_unit_in_a_worker_raises_its_library_error() -> None:
    rs = rulesets.load("cum4-2023")
    units = [_cum4_unit(), _cum4_unit(hang_dti="ba"), _cum4_unit()]
    got = rs.evaluate_many(units, processes=2, batch=1)
    assert next(got).total == D(49)
    with pytest.raises(tr.FactsError, match="hang_dti"):
        next(got)
