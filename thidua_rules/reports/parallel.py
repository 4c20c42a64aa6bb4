"""Spreading a stream of units over processes, in bounded windows (memory stays flat).

Each worker process gets the ruleset once, as its source text, when it starts. A unit scored on
the generated path comes back as its totals in one short text (``Evaluator.compact``: about 40
bytes, where a pickled ``Result`` is 7 KB and pickling it costs twice the scoring), and the parent
rebuilds an equal ``Result`` from it and the unit's facts (``Evaluator.expand``: nodes and facts
scored again in the parent only when read). Units go out in chunks,
about four per process a window, and the next window is scored while this one is handed over.
"""

from __future__ import annotations

import multiprocessing
import pickle
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from typing import TYPE_CHECKING, Any

from ..errors import EvaluationError, ThiduaError
from ..evaluation.result import Result

if TYPE_CHECKING:
    from ..evaluation.evaluator import Evaluator

_WORKER: Evaluator | None = None
_TRACE = False

#: One scored unit as a worker sends it: ("c", totals text), ("r", result) or ("e", error).
Item = tuple[Any, ...]


def _start(blob: bytes, trace: bool) -> None:
    global _WORKER, _TRACE  # one ruleset per worker process, set once when it starts
    _WORKER = pickle.loads(blob)
    _TRACE = trace


def score_one(ev: Evaluator, unit: Mapping[str, object], trace: bool) -> Item:
    """One unit as plain data; never raises: a failure is sent back as a library error."""
    try:
        if not trace:
            compact = ev.compact(unit)
            if compact is not None:
                return ("c", compact)
        return ("r", ev.evaluate(unit, trace=trace))
    except ThiduaError as error:
        return ("e", error)
    except Exception as error:  # a bug: still a library error on the caller's side
        return ("e", EvaluationError(f"a worker process failed on a unit: {type(error).__name__}: {error}"))


def _score(units: list[Mapping[str, object]]) -> list[Item]:
    assert _WORKER is not None
    return [score_one(_WORKER, unit, _TRACE) for unit in units]


def rebuild(ev: Evaluator, item: Item, unit: Mapping[str, object]) -> Result:
    """The Result a worker's item for ``unit`` stands for; its error raised."""
    if item[0] == "c":
        return ev.expand(item[1], unit)
    if item[0] == "r":
        result: Result = item[1]
        return result
    raise item[1]


def chunks(window: list[Mapping[str, object]], processes: int) -> list[list[Mapping[str, object]]]:
    """About four chunks per process: the load balances, and each chunk is one message."""
    size = max(1, -(-len(window) // (4 * processes)))
    return [window[i:i + size] for i in range(0, len(window), size)]


def evaluate_parallel(
    ev: Evaluator, units: Iterable[Mapping[str, object]], *, trace: bool, processes: int, batch: int
) -> Iterator[Result]:
    """Results in input order; at most two windows of ``batch × processes`` units are in flight."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes, initializer=_start, initargs=(pickle.dumps(ev), trace)) as pool:
        stream = iter(units)

        def submit() -> tuple[list[Mapping[str, object]], Any] | None:
            window = list(islice(stream, batch * processes))
            return (window, pool.map_async(_score, chunks(window, processes), chunksize=1)) if window else None

        pending = submit()
        while pending is not None:
            window, job = pending
            done = job.get()
            pending = submit()  # the workers score the next window while this one is handed over
            items = (item for chunk in done for item in chunk)
            for unit, item in zip(window, items, strict=True):
                yield rebuild(ev, item, unit)
