"""Scoring on a distributed engine, partition by partition: Dask here, Spark and Ray the same way.

``PartitionScorer(rs)`` is a plain picklable callable, ``partition of units' facts -> list of
Results``: it travels as the ruleset's source text (a few KB) and compiles it once per worker
process, whatever the number of partitions. ``score_partitions(rs, bag)`` maps it over a
``dask.bag.Bag`` (a dask dataframe: ``df.to_bag(format="dict")``); Spark's ``rdd.mapPartitions``
and Ray's ``map_batches`` take it as they are (docs/performance.md). Dask is imported only here and
only when asked for: the ``dask`` extra.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import ExtraNeededError, OptionError
from ..evaluation.result import Result
from ..ruleset import Ruleset, loads

#: The rulesets compiled in this process, by (name, text): one compile per worker, not per partition.
_COMPILED: dict[tuple[str, str], Ruleset] = {}


class PartitionScorer:
    """Scores one partition of units (an iterable of fact mappings) into a list of Results."""

    __slots__ = ("name", "text", "trace")

    def __init__(self, ruleset: Ruleset, *, trace: bool = False) -> None:
        if not isinstance(ruleset, Ruleset):
            raise OptionError(f"Expected a Ruleset for ruleset, got {type(ruleset).__name__}")
        self.text = ruleset.source.text
        self.name = ruleset.source.name
        self.trace = trace
        _COMPILED.setdefault((self.name, self.text), ruleset)

    def ruleset(self) -> Ruleset:
        """This process's compiled ruleset (compiled on first use in a worker)."""
        key = (self.name, self.text)
        found = _COMPILED.get(key)
        if found is None:
            found = _COMPILED[key] = loads(self.text, source=self.name)
        return found

    def __call__(self, units: Iterable[Mapping[str, object]]) -> list[Result]:
        rs = self.ruleset()
        return [rs.evaluate(unit, trace=self.trace) for unit in units]

    def __reduce__(self) -> tuple[Any, tuple[str, str, bool]]:
        return (_scorer, (self.text, self.name, self.trace))


def _scorer(text: str, name: str, trace: bool) -> PartitionScorer:
    made = PartitionScorer.__new__(PartitionScorer)
    made.text, made.name, made.trace = text, name, trace
    return made


def score_partitions(ruleset: Ruleset, units: Any, *, trace: bool = False) -> Any:
    """A ``dask.bag.Bag`` of Results, one per unit of the bag ``units``, scored partition by
    partition where the bag lives (``.compute()`` them; the order is the bag's). A bad unit raises
    its ``FactsError`` when computed."""
    try:
        import dask.bag
    except ImportError:
        raise ExtraNeededError(
            "scoring dask collections needs dask: pip install 'thidua_rules[dask]'"
        ) from None
    if not isinstance(units, dask.bag.Bag):
        raise OptionError(
            f"Expected a dask.bag.Bag of units' facts for units (a dataframe: df.to_bag(format='dict')), "
            f"got {type(units).__name__}"
        )
    bag: Any = units  # dask ships no types for its bags
    return bag.map_partitions(PartitionScorer(ruleset, trace=trace))
