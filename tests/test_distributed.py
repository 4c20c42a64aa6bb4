"""Scoring a dask bag partition by partition on a local cluster of two worker processes."""

from __future__ import annotations

import logging
import pickle
from typing import Any

import pytest
from hypothesis import given, settings

import thidua_rules as tr
from thidua_rules import rulesets
from thidua_rules.testing import facts


def _sample(rs: tr.Ruleset, count: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    @settings(max_examples=count, database=None, derandomize=True)
    @given(facts(rs))
    def collect(unit: dict[str, Any]) -> None:
        found.append(unit)

    collect()
    return found


def test_the_partition_scorer_travels_as_source_and_scores_like_evaluate() -> None:
    rs = rulesets.load("cum4-2023")
    scorer = tr.PartitionScorer(rs)
    again = pickle.loads(pickle.dumps(scorer))
    assert len(pickle.dumps(scorer)) < 2 * len(rs.source.text.encode())  # the source, not a compiled object
    units = _sample(rs, 20)
    assert [r.to_dict() for r in again(iter(units))] == [rs.evaluate(u, trace=False).to_dict() for u in units]
    with pytest.raises(tr.OptionError, match="Expected a Ruleset"):
        tr.PartitionScorer("cum4-2023")  # type: ignore[arg-type]


def test_score_partitions_on_a_local_cluster_gives_the_one_process_results() -> None:
    distributed = pytest.importorskip("dask.distributed", reason="the dask extra is not installed")
    import dask.bag

    rs = rulesets.load("cum4-2023")
    units = _sample(rs, 200)
    alone = [r.to_dict() for r in rs.evaluate_many(units)]
    with distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None, silence_logs=logging.ERROR
    ) as cluster, distributed.Client(cluster):
        bag = dask.bag.from_sequence(units, npartitions=8)
        got = tr.score_partitions(rs, bag).compute()
        assert [r.to_dict() for r in got] == alone
        bad = dask.bag.from_sequence([units[0], {**units[1], "hang_dti": "ba"}], npartitions=2)
        with pytest.raises(tr.FactsError, match="hang_dti"):
            tr.score_partitions(rs, bad).compute()
    with pytest.raises(tr.OptionError, match=r"Expected a dask\.bag\.Bag"):
        tr.score_partitions(rs, units)


def test_a_syntax_error_pickles_with_dask_imported() -> None:
    # Was: TypeError "cannot pickle 'module' object". dask.distributed installs tblib's exception
    # pickling, which sends __context__ too, and the RulesetError raised inside the parser's
    # except block kept Lark's exception (and its whole parser) there.
    pytest.importorskip("dask.distributed", reason="the dask extra is not installed")
    with pytest.raises(tr.RulesetError) as caught:
        tr.loads("ruleset")
    back = pickle.loads(pickle.dumps(caught.value))
    assert str(back) == str(caught.value)
