"""Spreading a stream of units over processes, in bounded windows (memory stays flat).

The parent's share of each unit is what limits a batch on a small machine, so it is kept to a
few microseconds:

- on Linux, with no other thread running, the workers are forked: each inherits the compiled
  ruleset, and a list or tuple of units stays where it is: a worker is sent a range of positions
  and reads its units from its own copy of the caller's memory. Otherwise (another platform,
  threads, a stream of units) each worker gets the ruleset once, as its source text, and
- a unit goes out as a tuple of its values in the ruleset's declared fact order (``pack``), its
  ``Decimal`` values as their text with their positions (pickling a ``Decimal`` costs a call per
  value; its text is exact: ``Decimal(str(d))`` is ``d``, trailing zeros and all); a unit that
  is not a plain dict of declared facts goes out as it is;
- the worker scores it and sends back only its totals (``outcome``): the scaled path's few ints,
  or the Decimal path's five totals as one short text (a pickled ``Result`` is 7 KB), or None
  when the unit needs the traced path (a problem to word, a fallback): the parent then scores
  that unit itself, so its error or result is exactly one process's;
- the parent builds each ``Result`` from them as ``evaluate`` does (``Evaluator.scaled_result``,
  ``Result.of_tidy_totals``); its nodes and facts are scored again, in the parent, only when read
  (``Later``), traced or not.

Units go out in chunks, about four per process a window, and two windows are queued ahead of the
one handed back, so the workers do not wait while the parent hands results over. The pool is a
``concurrent.futures.ProcessPoolExecutor``: a worker that dies breaks it, and the batch raises
``EvaluationError`` instead of waiting for ever.
"""

from __future__ import annotations

import functools
import multiprocessing
import pickle
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from decimal import Decimal
from itertools import islice
from typing import TYPE_CHECKING, Any

from ..errors import EvaluationError
from ..evaluation.evaluator import Deferred, Later
from ..evaluation.result import Result
from ..numbers import tidy

if TYPE_CHECKING:
    from ..evaluation.evaluator import Evaluator

_WORKER: Evaluator | None = None
_NAMES: tuple[str, ...] = ()
_TRACE = False
_UNITS: Sequence[Mapping[str, object]] | None = None

#: A unit as sent to a worker: ``(values, absent positions, Decimal positions)``, or the unit's
#: own mapping.
Packed = tuple[tuple[object, ...], tuple[int, ...], tuple[int, ...]] | Mapping[str, object]
#: What a worker sends back for a unit (``outcome``): the scaled path's totals (a tuple of ints),
#: the Decimal path's totals text, a traced ``Result``, or None (score it in the parent).
Item = Any


#: Windows queued ahead of the one being handed back.
_AHEAD = 2
#: The least window a process, in units, when the workers read the caller's list in place.
_HELD = 8192


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


def _start(blob: bytes | None, trace: bool, ev: Evaluator | None = None,
           units: Sequence[Mapping[str, object]] | None = None) -> None:
    """A worker's one ruleset (and, forked, the caller's units), set once when it starts: sent as
    the ruleset's text (``blob``, spawned) or inherited as they are (``ev``, ``units``, forked)."""
    global _WORKER, _NAMES, _TRACE, _UNITS  # one ruleset per worker process
    _WORKER = pickle.loads(blob) if blob is not None else ev
    assert _WORKER is not None
    _NAMES = fact_names(_WORKER)
    _TRACE = trace
    _UNITS = units


def outcome(ev: Evaluator, unit: Mapping[str, object], trace: bool) -> Item:
    """What a worker sends back for ``unit``: the scaled path's totals (a few ints), else the
    Decimal path's totals text (untraced) or the whole Result (traced), else None (the parent
    scores the unit itself, so its error or result is exactly one process's). Never raises."""
    try:
        if ev.scaled is not None:
            got = ev.scaled(unit)
            if got is not None:
                return got
        if trace:
            return ev.evaluate(unit, trace=True)
        return totals_text(ev, unit)
    except Exception:  # the parent scores this unit again and meets the same error
        return None


def _score(task: list[Packed] | tuple[int, int]) -> list[Item]:
    """A chunk's items: ``task`` is the chunk packed, or, forked, its range in the inherited units."""
    ev = _WORKER
    assert ev is not None
    trace = _TRACE
    if isinstance(task, tuple):
        assert _UNITS is not None
        return [outcome(ev, unit, trace) for unit in _UNITS[task[0]:task[1]]]
    names = _NAMES
    return [outcome(ev, unpack(names, packed), trace) for packed in task]


def rebuild(ev: Evaluator, item: Item, unit: Mapping[str, object], trace: bool) -> Result:
    """The Result a worker's item for ``unit`` stands for: equal to ``ev.evaluate(unit,
    trace=trace)``, whose error it raises."""
    kind = type(item)
    if kind is tuple:
        return ev.scaled_result(item, unit, trace)
    if kind is str:
        return result_of(ev, item, unit)
    if item is None:
        return ev.evaluate(unit, trace=trace)  # a problem to word: exactly as one process does
    result: Result = item
    return result


def chunks(size: int, processes: int) -> list[tuple[int, int]]:
    """A window of ``size`` units cut in about four ranges per process: the load balances, and
    each range is one message."""
    step = max(1, -(-size // (4 * processes)))
    return [(i, min(i + step, size)) for i in range(0, size, step)]


def forking() -> bool:
    """Whether workers can be forked from this process: on Linux, with no other thread running
    (forking a threaded process can deadlock the child). A forked worker inherits the compiled
    ruleset and the caller's units instead of being sent them, and starts in milliseconds."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


def pool(ev: Evaluator, trace: bool, processes: int,
         units: Sequence[Mapping[str, object]] | None = None) -> ProcessPoolExecutor:
    """``processes`` workers holding ``ev`` (and, forked, ``units``): forked when ``forking()``,
    else spawned and sent the ruleset's text once each. A worker that dies (killed, out of
    memory) breaks the pool, and waiting on it raises instead of hanging (``_wait``)."""
    if forking():
        return ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_start, initargs=(None, trace, ev, units))
    return ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start, initargs=(pickle.dumps(ev), trace))


def wait(job: Future[Any]) -> Any:
    """The job's answer; a worker that died is the library's error, not a hang or a traceback
    from ``concurrent.futures``."""
    try:
        return job.result()
    except BrokenProcessPool as error:
        raise EvaluationError(
            "a worker process stopped before it finished (killed, or out of memory); "
            f"no result was lost silently: score the batch again ({error})"
        ) from None


def evaluate_parallel(
    ev: Evaluator, units: Iterable[Mapping[str, object]], *, trace: bool, processes: int, batch: int
) -> Iterator[Result]:
    """Results in input order; at most ``1 + _AHEAD`` windows of ``batch × processes`` units are
    in flight. A list or tuple of units, forked, stays where it is: the workers read their
    ranges of it and only the totals travel."""
    inherit = isinstance(units, list | tuple) and forking()
    held: Sequence[Mapping[str, object]] = units if inherit else ()  # type: ignore[assignment]
    names = fact_names(ev)
    # Units read in place cost no memory to hold, and a task's fixed costs (a message each way,
    # the worker's first touch of its units' pages) fall with its length: windows of at least
    # _HELD units a process (one process's ratio measured best there, docs/performance.md).
    size = (max(batch, _HELD) if inherit else batch) * processes
    with pool(ev, trace, processes, held if inherit else None) as workers:
        stream = iter(units)
        offset = 0

        def submit() -> tuple[Sequence[Mapping[str, object]], list[Future[list[Item]]]] | None:
            nonlocal offset
            if inherit:
                window = held[offset:offset + size]
                tasks: list[Any] = [(offset + a, offset + b) for a, b in chunks(len(window), processes)]
                offset += len(window)
            else:
                window = list(islice(stream, size))
                packed = [pack(names, unit) for unit in window]
                tasks = [packed[a:b] for a, b in chunks(len(window), processes)]
            if not window:
                return None
            return window, [workers.submit(_score, task) for task in tasks]

        pending: deque[tuple[Sequence[Mapping[str, object]], list[Future[list[Item]]]]] = deque()
        for _ in range(1 + _AHEAD):
            job = submit()
            if job is None:
                break
            pending.append(job)
        while pending:
            window, jobs = pending.popleft()
            done = [wait(job) for job in jobs]
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
    with pool(ev, False, processes) as workers:
        stream = iter(sources)
        pending: deque[Future[list[tuple[Any, Packed]]]] = deque()

        def submit() -> bool:
            for source in islice(stream, 1):
                pending.append(workers.submit(_score_source, read, source))
                return True
            return False

        for _ in range(2 * processes):
            if not submit():
                break
        while pending:
            done = wait(pending.popleft())
            submit()
            for text, packed in done:
                yield from_packed(ev, text, packed)
