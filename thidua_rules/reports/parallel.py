"""Spreading a stream of units over processes, in bounded windows (memory stays flat).

The parent's share of each unit is what limits a batch on a small machine, so it is kept to a
few microseconds:

- each worker process gets the ruleset once, as its source text, when it starts;
- a unit goes out as a tuple of its values in the ruleset's declared fact order (``pack``), its
  ``Decimal`` values as their text with their positions (pickling a ``Decimal`` costs a call per
  value; its text is exact: ``Decimal(str(d))`` is ``d``, trailing zeros and all); a unit that
  is not a plain dict of declared facts goes out as it is;
- the worker scores it on the generated path and sends back its five totals, tidy, as one short
  text (about 40 bytes; a pickled ``Result`` is 7 KB), or None when the unit needs the traced
  path (a problem to word, a fallback): the parent then scores that unit itself, so its error or
  result is exactly one process's;
- the parent builds each ``Result`` from the text without running converters again
  (``Result.of_tidy_totals``); its nodes and facts are scored again, in the parent, only when
  read (``Later``).

Units go out in chunks, about four per process a window, and two windows are queued ahead of the
one handed back, so the workers do not wait while the parent hands results over.
"""

from __future__ import annotations

import functools
import multiprocessing
import pickle
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from itertools import islice
from typing import TYPE_CHECKING, Any

from ..errors import EvaluationError, ThiduaError
from ..evaluation.evaluator import Deferred, Later
from ..evaluation.result import Result
from ..numbers import tidy

if TYPE_CHECKING:
    from ..evaluation.evaluator import Evaluator

_WORKER: Evaluator | None = None
_NAMES: tuple[str, ...] = ()
_TRACE = False

#: A unit as sent to a worker: ``(values, absent positions, Decimal positions)``, or the unit's
#: own mapping.
Packed = tuple[tuple[object, ...], tuple[int, ...], tuple[int, ...]] | Mapping[str, object]
#: What a worker sends back for a unit: the totals' text, None (score it in the parent), or,
#: traced, ("r", result) / ("e", error).
Item = Any


#: Windows queued ahead of the one being handed back.
_AHEAD = 2


def fact_names(ev: Evaluator) -> tuple[str, ...]:
    """The order a unit's values travel in: the ruleset's declared facts."""
    return tuple(ev.facts)


def pack(names: tuple[str, ...], unit: Mapping[str, object]) -> Packed:
    """``unit`` in the compact form workers read (``unpack`` gives it back, equal): its values in
    ``names``' order, the positions of those it does not give, and of its ``Decimal`` values
    (sent as their text: exact, trailing zeros and all, and far cheaper to pickle)."""
    if type(unit) is not dict or not unit.keys() <= _declared(names):
        return unit  # not a plain dict, or a name the ruleset does not declare: sent as it is
    if len(unit) == len(names):  # every declared fact given: the common case
        values = list(map(unit.__getitem__, names))
        absent: tuple[int, ...] = ()
    else:
        values = list(map(unit.get, names))  # None where absent (its position says so)
        absent = tuple([index for index, name in enumerate(names) if name not in unit])
    decimals = tuple([index for index, kind in enumerate(map(type, values)) if kind is Decimal])
    for index in decimals:
        values[index] = str(values[index])
    return tuple(values), absent, decimals


@functools.cache
def _declared(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(names)


def unpack(names: tuple[str, ...], packed: Packed) -> Mapping[str, object]:
    """The unit ``pack`` made ``packed`` of."""
    if not isinstance(packed, tuple):
        return packed
    values, absent, decimals = packed
    unit: dict[str, object] = dict(zip(names, values, strict=True))
    for index in absent:
        del unit[names[index]]
    for index in decimals:
        unit[names[index]] = Decimal(values[index])  # type: ignore[arg-type]
    return unit


def totals_text(ev: Evaluator, unit: Mapping[str, object]) -> str | None:
    """A unit's totals (standard, bonus, deductions, adjustment, applicable max; all but the
    adjustment tidy, as ``Result`` holds them) as one text, or None when it needs the traced
    path. Never raises: a failure is the parent's to reproduce (it scores the unit itself)."""
    try:
        compact = ev.compact(unit)
    except Exception:  # the parent scores this unit again and meets the same error
        return None
    if compact is None:
        return None
    standard, bonus, deductions, adjustment, applicable_max = compact.split()
    # Result tidies every total but the adjustment (of_tidy_totals does not convert again).
    return " ".join([*(str(tidy(Decimal(part))) for part in (standard, bonus, deductions)), adjustment,
                     str(tidy(Decimal(applicable_max)))])


def result_of(ev: Evaluator, text: str, unit: Mapping[str, object]) -> Result:
    """The Result of a worker's totals for ``unit``: equal to ``ev.evaluate(unit, trace=False)``."""
    standard, bonus, deductions, adjustment, applicable_max = map(Decimal, text.split())
    later = Later(ev, dict(unit))
    return Result.of_tidy_totals(
        ev.id, Deferred(later, True), ev.sections, (standard, bonus, deductions, adjustment, applicable_max),
        Deferred(later, False), ev.header.rounding,
    )


def _start(blob: bytes, trace: bool) -> None:
    global _WORKER, _NAMES, _TRACE  # one ruleset per worker process, set once when it starts
    _WORKER = pickle.loads(blob)
    _NAMES = fact_names(_WORKER)
    _TRACE = trace


def _traced(ev: Evaluator, unit: Mapping[str, object]) -> Item:
    try:
        return ("r", ev.evaluate(unit, trace=True))
    except ThiduaError as error:
        return ("e", error)
    except Exception as error:  # a bug: still a library error on the caller's side
        return ("e", EvaluationError(f"a worker process failed on a unit: {type(error).__name__}: {error}"))


def _score(chunk: list[Packed]) -> list[Item]:
    ev = _WORKER
    assert ev is not None
    if _TRACE:
        return [_traced(ev, unpack(_NAMES, packed)) for packed in chunk]
    return [totals_text(ev, unpack(_NAMES, packed)) for packed in chunk]


def rebuild(ev: Evaluator, item: Item, unit: Mapping[str, object], trace: bool) -> Result:
    """The Result a worker's item for ``unit`` stands for; its error raised."""
    if not trace:
        if item is None:
            return ev.evaluate(unit, trace=False)  # a problem to word: exactly as one process does
        return result_of(ev, item, unit)
    if item[0] == "r":
        result: Result = item[1]
        return result
    raise item[1]


def chunks(window: list[Packed], processes: int) -> list[list[Packed]]:
    """About four chunks per process: the load balances, and each chunk is one message."""
    size = max(1, -(-len(window) // (4 * processes)))
    return [window[i:i + size] for i in range(0, len(window), size)]


def evaluate_parallel(
    ev: Evaluator, units: Iterable[Mapping[str, object]], *, trace: bool, processes: int, batch: int
) -> Iterator[Result]:
    """Results in input order; at most ``1 + _AHEAD`` windows of ``batch × processes`` units are
    in flight."""
    context = multiprocessing.get_context("spawn")
    names = fact_names(ev)
    with context.Pool(processes, initializer=_start, initargs=(pickle.dumps(ev), trace)) as pool:
        stream = iter(units)

        def submit() -> tuple[list[Mapping[str, object]], Any] | None:
            window = list(islice(stream, batch * processes))
            if not window:
                return None
            packed: list[Packed] = list(window) if trace else [pack(names, unit) for unit in window]
            return window, pool.map_async(_score, chunks(packed, processes), chunksize=1)

        pending: deque[tuple[list[Mapping[str, object]], Any]] = deque()
        for _ in range(1 + _AHEAD):
            job = submit()
            if job is None:
                break
            pending.append(job)
        while pending:
            window, job = pending.popleft()
            done = job.get()
            more = submit()  # the workers score the windows queued while this one is handed over
            if more is not None:
                pending.append(more)
            items = (item for chunk in done for item in chunk)
            for unit, item in zip(window, items, strict=True):
                yield rebuild(ev, item, unit, trace)


# ---------------------------------------------------------------- units read in the workers


class Again:
    """A unit the parent holds only packed, scored again (untraced) when its nodes or facts are
    first read."""

    __slots__ = ("ev", "packed", "result")

    def __init__(self, ev: Evaluator, packed: Packed) -> None:
        self.ev = ev
        self.packed = packed
        self.result: Result | None = None

    def get(self) -> Result:
        if self.result is None:
            self.result = self.ev.evaluate(unpack(fact_names(self.ev), self.packed), trace=False)
        return self.result


def _score_source(read: Callable[[Any], Iterable[Mapping[str, object]]], source: Any) -> list[tuple[Any, Packed]]:
    ev = _WORKER
    assert ev is not None
    out: list[tuple[Any, Packed]] = []
    for unit in read(source):
        out.append((totals_text(ev, unit), pack(_NAMES, unit)))
    return out


def from_packed(ev: Evaluator, text: str | None, packed: Packed) -> Result:
    """The Result of a unit a worker read and scored: ``text`` its totals (None: score it here,
    exactly as one process does, and raise its error)."""
    if text is None:
        return ev.evaluate(unpack(fact_names(ev), packed), trace=False)
    standard, bonus, deductions, adjustment, applicable_max = map(Decimal, text.split())
    again = Again(ev, packed)
    return Result.of_tidy_totals(
        ev.id, Deferred(again, True), ev.sections, (standard, bonus, deductions, adjustment, applicable_max),
        Deferred(again, False), ev.header.rounding,
    )


def evaluate_sources(
    ev: Evaluator, sources: Iterable[Any], read: Callable[[Any], Iterable[Mapping[str, object]]], *,
    processes: int,
) -> Iterator[Result]:
    """Untraced Results of every unit ``read(source)`` gives, source after source, in order; each
    source is read and scored in a worker process, so the units never pass through this one (only
    their totals and packed values come back). At most ``2 × processes`` sources are in flight."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes, initializer=_start, initargs=(pickle.dumps(ev), False)) as pool:
        stream = iter(sources)
        pending: deque[Any] = deque()

        def submit() -> bool:
            for source in islice(stream, 1):
                pending.append(pool.apply_async(_score_source, (read, source)))
                return True
            return False

        for _ in range(2 * processes):
            if not submit():
                break
        while pending:
            done = pending.popleft().get()
            submit()
            for text, packed in done:
                yield from_packed(ev, text, packed)
