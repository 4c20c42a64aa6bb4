"""Spreading a stream of units over processes, in bounded batches (memory stays flat)."""

from __future__ import annotations

import multiprocessing
import pickle
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from typing import TYPE_CHECKING

from ..evaluation.result import Result

if TYPE_CHECKING:
    from ..evaluation.evaluator import Evaluator

_WORKER: Evaluator | None = None
_TRACE = False


def _start(blob: bytes, trace: bool) -> None:
    global _WORKER, _TRACE  # one ruleset per worker process, set once when it starts
    _WORKER = pickle.loads(blob)
    _TRACE = trace


def _score(unit: Mapping[str, object]) -> Result:
    assert _WORKER is not None
    return _WORKER.evaluate(unit, trace=_TRACE)


def evaluate_parallel(
    ev: Evaluator, units: Iterable[Mapping[str, object]], *, trace: bool, processes: int, batch: int
) -> Iterator[Result]:
    """Results in input order; at most ``batch × processes`` units are in flight at once."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes, initializer=_start, initargs=(pickle.dumps(ev), trace)) as pool:
        stream = iter(units)
        while True:
            chunk = list(islice(stream, batch * processes))
            if not chunk:
                return
            yield from pool.map(_score, chunk, chunksize=batch)
