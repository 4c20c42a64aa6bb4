"""Property tests over both shipped rulesets: bounds, sums, traces, determinism, monotonicity."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import find, given, settings

import thidua_rules as tr
from thidua_rules import rulesets
from thidua_rules.testing import InvariantError, check_invariants, facts, invalid_facts

IDS = ["cum4-2023", "vpubnd-tayninh-2023"]


@pytest.mark.parametrize("ruleset_id", IDS)
def test_every_criterion_within_bounds_and_sections_add_up(ruleset_id: str) -> None:
    rs = rulesets.load(ruleset_id)

    @given(facts(rs))
    def run(unit: dict[str, Any]) -> None:
        res = check_invariants(rs, unit)
        for node in res.criteria():
            assert (node.score is not None and node.max is not None) or node.kind == "deduction"
            assert Decimal(0) <= node.score <= (node.max if node.max is not None else node.score)  # type: ignore[operator]
        for code in res.sections:
            section = res[code]
            children = [res[c].score for c in section.children]
            assert section.raw == sum((c for c in children if c is not None), Decimal(0))
        assert res.total == res.standard + res.bonus - res.deductions

    run()


@pytest.mark.parametrize("ruleset_id", IDS)
def test_one_defect_gives_one_facts_error_naming_it(ruleset_id: str) -> None:
    rs = rulesets.load(ruleset_id)

    @given(invalid_facts(rs))
    def run(case: tuple[dict[str, Any], str]) -> None:
        bad, name = case
        with pytest.raises(tr.FactsError) as info:
            rs.evaluate(bad)
        assert [p.fact for p in info.value.problems] == [name]

    run()


@pytest.mark.parametrize("rank", [1, 10, 11, 20, 21, 30, 31, 63])
def test_facts_strategy_reaches_every_tier_boundary(rank: int) -> None:
    # Cluster 4's II.4 rows are ≤10, ≤20, ≤30, otherwise: each boundary and both ends are drawn.
    rs = rulesets.load("cum4-2023")
    found = find(facts(rs), lambda unit: unit["hang_dti"] == rank, settings=settings(max_examples=2000, database=None))
    assert found["hang_dti"] == rank


def test_a_planted_bug_is_caught() -> None:
    # Planted: II.1 adds 5 per violation instead of subtracting it from the max.
    text = rulesets.load("cum4-2023").source.text
    planted = text.replace("score max - 5 * so_vi_pham_bao_chi", "score 5 + 5 * so_vi_pham_bao_chi")
    assert planted != text
    rs = tr.loads(planted, source="planted.thidua")
    assert rs.evaluate({**_full(rs), "so_vi_pham_bao_chi": 1})["II.1"].score == Decimal(10)  # 5 + 5 × 1
    with pytest.raises(InvariantError, match="so_vi_pham_bao_chi is declared monotone decreasing"):
        check_invariants(rs, {**_full(rs), "so_vi_pham_bao_chi": 0})


def _full(rs: tr.Ruleset) -> dict[str, Any]:
    """A complete, valid unit: zero counts, rank 1, true, the best level, judged scores at max."""
    unit: dict[str, Any] = {}
    for name, spec in rs.facts.items():
        unit[name] = {
            "count": 0, "rank": 1, "boolean": True, "number": spec.low or 0, "percent": 0,
        }.get(spec.kind, spec.levels[0] if spec.levels else spec.high)
    return unit
