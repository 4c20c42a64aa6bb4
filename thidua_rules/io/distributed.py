"""Scoring on a distributed engine, partition by partition: Dask here, Spark and Ray the same way.

``PartitionScorer(rs)`` is a plain picklable callable, ``partition of units' facts -> list of
Results``: it travels as the ruleset's source text (a few KB) and compiles it once per worker
process, whatever the number of partitions. Untraced, it takes the batches' compact path
(reports/parallel.py): each unit is scored on the generated path to its totals only, and its
Result's nodes and facts are scored again where and when they are first read. Such a Result pickles
small (its totals, the unit's values as a tuple, the ruleset's name and text once per pickled
partition) instead of 7 KB, so a partition of Results crosses to the client cheaply.
``score_partitions(rs, bag)`` maps it over a ``dask.bag.Bag`` (a dask dataframe:
``df.to_bag(format="dict")``); Spark's ``rdd.mapPartitions`` and Ray's ``map_batches`` take it as
they are (docs/performance.md). Dask is imported only here and only when asked for: the ``dask``
extra.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from ..errors import ExtraNeededError, OptionError
from ..evaluation.evaluator import Deferred
from ..evaluation.result import Result
from ..reports import parallel
from ..reports.parallel import Packed, fact_names, pack, totals_text
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
        return _compiled(self.name, self.text)

    def __call__(self, units: Iterable[Mapping[str, object]]) -> list[Result]:
        rs = self.ruleset()
        if self.trace:
            return [rs.evaluate(unit, trace=True) for unit in units]
        ev = rs.evaluator
        names = fact_names(ev)
        key = (self.name, self.text)
        out = []
        for unit in units:
            text = totals_text(ev, unit)
            if text is None:  # a problem to word or a fallback: exactly as evaluate does it
                out.append(rs.evaluate(unit, trace=False))
                continue
            standard, bonus, deductions, adjustment, applicable_max = map(Decimal, text.split())
            again = _Again(key, pack(names, unit))
            out.append(Result.of_tidy_totals(
                ev.id, _Lazy(again, True), ev.sections, (standard, bonus, deductions, adjustment, applicable_max),
                _Lazy(again, False), ev.header.rounding,
            ))
        return out

    def __reduce__(self) -> tuple[Any, tuple[str, str, bool]]:
        return (_scorer, (self.text, self.name, self.trace))


def _compiled(name: str, text: str) -> Ruleset:
    key = (name, text)
    found = _COMPILED.get(key)
    if found is None:
        found = _COMPILED[key] = loads(text, source=name, cache=True)
    return found


class _Again(parallel.Again):
    """``parallel.Again`` for a unit whose ruleset is known by its (name, text): found or compiled
    in whichever process reads it, so it pickles without the compiled ruleset."""

    __slots__ = ("key",)

    def __init__(self, key: tuple[str, str], packed: Packed) -> None:
        super().__init__(_compiled(*key).evaluator, packed)
        self.key = key


class _Lazy(Deferred):
    """A compact Result's nodes (or facts): scored again on first read; pickles as the unit
    (its packed facts and ruleset), not as its nodes."""

    __slots__ = ()
    _later: _Again

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        name, text = self._later.key
        return (_lazy, (name, text, self._later.packed, self._nodes))


def _lazy(name: str, text: str, packed: Packed, nodes: bool) -> _Lazy:
    return _Lazy(_Again((name, text), packed), nodes)


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


def evaluate_sources(
    ruleset: Ruleset,
    sources: Iterable[Any],
    read: Callable[[Any], Iterable[Mapping[str, object]]],
    *,
    processes: int = 2,
) -> Iterator[Result]:
    """Untraced Results of the units ``read(source)`` gives for each source (a file, a chunk of a
    CSV, a seed), in order, each source read and scored in one of ``processes`` worker processes.

    The batch way for many units on one machine: the units are read where they are scored and
    never pass through this process (``evaluate_many(processes=N)`` has to send each one out).
    Each comes back as its totals and its values in compact form; its Result's nodes and facts
    are scored again here only when read. ``read`` and the sources must pickle (a module-level
    function, paths). A bad unit raises its ``FactsError`` when reached; an error of ``read``
    itself arrives as it was raised in the worker."""
    if not isinstance(ruleset, Ruleset):
        raise OptionError(f"Expected a Ruleset for ruleset, got {type(ruleset).__name__}")
    if not isinstance(processes, int) or isinstance(processes, bool) or processes < 1:
        raise OptionError(f"Expected a positive int for processes, got {processes!r}")
    if not callable(read):
        raise OptionError(f"Expected a function of a source to its units for read, got {type(read).__name__}")
    if not isinstance(sources, Iterable) or isinstance(sources, str | bytes):
        raise OptionError(f"Expected an iterable of sources for sources, got {type(sources).__name__}")
    return parallel.evaluate_sources(ruleset.evaluator, sources, read, processes=processes)
