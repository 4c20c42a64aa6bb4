"""The partition scorer's compact Results (io/distributed.py): equal to evaluate's, and small
when a partition of them is pickled to the client."""

from __future__ import annotations

import pickle
from decimal import Decimal as D
from typing import Any

import pytest
from hypothesis import given, settings

import thidua_rules as tr
from thidua_rules import rulesets
from thidua_rules.testing import facts

RS = rulesets.load("cum4-2023")


def _sample(count: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    @settings(max_examples=count, database=None, derandomize=True)
    @given(facts(RS))
    def collect(unit: dict[str, Any]) -> None:
        found.append(unit)

    collect()
    return found


def test_a_partition_of_compact_results_pickles_small_and_reads_the_same() -> None:
    units = _sample(40)
    got = tr.PartitionScorer(RS)(units)
    blob = pickle.dumps(got)
    whole = pickle.dumps([RS.evaluate(u, trace=False) for u in units])
    # The ruleset's text travels once for the partition; each Result is its totals and the unit's
    # values: far below the whole Results (several KB each).
    assert len(blob) < len(RS.source.text.encode()) + 600 * len(units) < len(whole)
    back = pickle.loads(blob)
    assert [r.to_dict() for r in back] == [RS.evaluate(u, trace=False).to_dict() for u in units]
    assert [r.total for r in back] == [r.total for r in got]


def test_compact_results_read_like_evaluate_before_and_after_pickling() -> None:
    unit: dict[str, Any] = {name: 0 for name, spec in RS.facts.items() if spec.kind == "count"}
    unit.update(hang_dti=15, hang_dti_ky_truoc=15, hang_cchc=3, dan_chu_tot=True, van_hoa_dat_chuan=True,
                thi_dua_tot=True, co_dien_hinh=False, co_sang_kien=False, xep_loai_dang="hoàn thành",
                xep_loai_doan="xuất sắc")
    unit.update({code: D("1.00") for code, spec in RS.facts.items() if spec.kind == "assessed"})
    (result,) = tr.PartitionScorer(RS)([unit])
    # By hand (tests/test_batch.py): 2 + 29 + 8 + 7 + 3 + 0 + 0 = 49
    assert result.total == D(49)
    alone = RS.evaluate(unit, trace=False)
    for seen in (result, pickle.loads(pickle.dumps(result))):
        assert seen.to_dict() == alone.to_dict()
        assert seen["II"].score == alone["II"].score
        assert str(seen.facts["I.1"]) == str(alone.facts["I.1"])


def test_a_bad_unit_raises_as_evaluate_does() -> None:
    bad = {**_sample(1)[0], "hang_dti": "ba"}
    with pytest.raises(tr.FactsError) as scored:
        tr.PartitionScorer(RS)([bad])
    with pytest.raises(tr.FactsError) as alone:
        RS.evaluate(bad, trace=False)
    assert str(scored.value) == str(alone.value)


def test_traced_partitions_are_whole_results() -> None:
    units = _sample(5)
    got = tr.PartitionScorer(RS, trace=True)(units)
    assert [r.to_dict() for r in got] == [RS.evaluate(u, trace=True).to_dict() for u in units]
