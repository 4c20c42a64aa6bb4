"""Bugs planted on purpose are caught by the toolkit: a cap removed, a deduction added, rows swapped."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import attrs
import pytest

import thidua_rules as tr
from thidua_rules import rulesets
from thidua_rules.evaluation import traced
from thidua_rules.evaluation.evaluator import Evaluator
from thidua_rules.evaluation.evaluator import Walk as _Walk
from thidua_rules.evaluation.result import NodeResult
from thidua_rules.testing import InvariantError, assert_ruleset_invariants, check_invariants


def _unit(rs: tr.Ruleset, **changes: Any) -> dict[str, Any]:
    """A complete Cluster 4 unit: 7 documents, rank 15 (II.4 = 8), judged scores at their max."""
    unit: dict[str, Any] = {name: 0 for name, spec in rs.facts.items() if spec.kind == "count"}
    unit.update(so_van_ban_tham_muu=7, hang_dti=15, hang_dti_ky_truoc=15, hang_cchc=3, dan_chu_tot=True,
                van_hoa_dat_chuan=True, thi_dua_tot=True, co_dien_hinh=True, co_sang_kien=True,
                xep_loai_dang="xuất sắc", xep_loai_doan="xuất sắc")
    unit.update({code: spec.high for code, spec in rs.facts.items() if spec.kind == "assessed"})
    unit.update(changes)
    return unit


def test_the_unplanted_ruleset_passes() -> None:
    rs = rulesets.load("cum4-2023")
    check_invariants(rs, _unit(rs))
    assert_ruleset_invariants(rs, max_examples=20)


@pytest.mark.parametrize("path", ["walk", "generated"])
def test_a_removed_cap_is_caught(monkeypatch: pytest.MonkeyPatch, path: str) -> None:
    # Plant: the engine forgets to cap a criterion at its max (I.2 = 2 × 7 = 14 > 10), in the
    # traced walk or in the generated traced evaluator a scaled ruleset's traced nodes come from.
    if path == "walk":
        original = _Walk.criterion

        def uncapped(self: _Walk, node: Any, applicable: bool) -> NodeResult | None:
            result = original(self, node, applicable)
            if result is not None and result.raw is not None and result.raw > 0:
                result = attrs.evolve(result, score=result.raw)
                self.out[node.code] = result
            return result

        monkeypatch.setattr(_Walk, "criterion", uncapped)
        monkeypatch.setattr(Evaluator, "traced_scaled_result", lambda self, facts: None)  # the walk's nodes
        rs = rulesets.load("cum4-2023")
    else:  # the generated code made again with a criterion_score that forgets the max
        monkeypatch.setattr(traced, "criterion_score", lambda raw, top, floor=D(0): max(raw, floor))
        rs = rulesets.load("cum4-2023")
        monkeypatch.setattr(rs.evaluator, "_traced", True)  # built again on first read, planted
    with pytest.raises(InvariantError, match=r"I\.2: its own points 14 are above its max 10"):
        check_invariants(rs, _unit(rs))


def test_a_deduction_added_instead_of_subtracted_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    # Plant: the total adds the deductions (VII.1 = 5 × 1 = 5) instead of subtracting them.
    monkeypatch.setattr(tr.Result, "total", property(lambda self: self.standard + self.bonus + self.deductions))
    rs = rulesets.load("cum4-2023")
    with pytest.raises(InvariantError, match="is not standard \\+ bonus − deductions"):
        check_invariants(rs, _unit(rs, so_khien_trach=1))


def test_swapped_tier_rows_are_caught() -> None:
    rs = rulesets.load("cum4-2023")
    # Plant 1: rows swapped in place (Top 20 before Top 10): the checker says row 2 can never match.
    swapped = rs.source.text.replace("<= 10: 10,\n            <= 20: 8,", "<= 20: 8,\n            <= 10: 10,")
    assert swapped != rs.source.text
    with pytest.raises(tr.RulesetError, match=r"row 2 \(<= 10\) can never match"):
        tr.loads(swapped)
    # Plant 2: the points swapped (Top 10 → 8, Top 20 → 10): it loads, but a better rank now lowers
    # II.4, and hang_dti is declared monotone decreasing: the toolkit finds a counterexample.
    values = rs.source.text.replace("<= 10: 10,\n            <= 20: 8,", "<= 10: 8,\n            <= 20: 10,")
    planted = tr.loads(values, source="planted.thidua")
    assert planted.evaluate(_unit(planted, hang_dti=10))["II.4"].score == D(8)
    with pytest.raises(InvariantError, match="hang_dti is declared monotone decreasing"):
        check_invariants(planted, _unit(planted, hang_dti=10, hang_dti_ky_truoc=10))
    with pytest.raises(InvariantError, match=r"raising it from 10 to 11 moves II\.4 from 8 to 10"):
        check_invariants(planted, _unit(planted, hang_dti=10, hang_dti_ky_truoc=10))
    with pytest.raises(InvariantError):
        assert_ruleset_invariants(planted, max_examples=200)


def test_an_explanation_whose_sum_does_not_add_up_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    # Plant: the explanation of a sum shows a part that was not counted ("a + 1 + b = a + b").
    original = tr.NodeResult.explain
    monkeypatch.setattr(tr.NodeResult, "explain", lambda self: original(self).replace(" + ", " + 1 + ", 1))
    rs = rulesets.load("cum4-2023")
    with pytest.raises(InvariantError, match=r"the explanation of the sum .* does not add up"):
        check_invariants(rs, _unit(rs))
