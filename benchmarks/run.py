"""Performance of thidua_rules on the Cluster 4 sheet, against a hand-written scorer and peer engines.

One command, one process (plus short-lived subprocesses for the import and cold-load times):

    python benchmarks/run.py [--units N] [--repeat R] [--memory-units M] [--seed S] [--profile]

1. Generates N units (``benchmarks/units.py``, ``random.Random(seed)``) and checks that
   thidua_rules (with and without trace, and ``evaluate_many`` when the ruleset has it), the
   hand-written scorer and every peer engine give the same score for every criterion, section,
   standard, bonus, deductions and total of every unit. Any disagreement stops the run (exit 1).
2. Times each scorer per unit: one warm-up batch of the N units, then R batches; the median batch
   time divided by N, and its ratio to the hand-written scorer.
3. Times ``import thidua_rules`` and a cold ruleset load (parser built, ruleset parsed, checked and
   compiled) in fresh subprocesses, the cold load again in-process with the caches cleared, and a
   warm load (parser already built).
4. Scores B units (``--batch-units``) with ``evaluate_many`` in 1 and 2 processes and with
   ``score_partitions`` on a Dask ``LocalCluster`` of 2 processes (when the ``dask`` extra is
   installed), then loads generated rulesets of 10 to 10,000 criteria, and prints the issue 16
   targets, met or missed.
5. Streams M units through the batch API (``rs.evaluate_many(units, trace=False)``, or a generator
   of ``rs.evaluate(f, trace=False)`` when there is none), sampling the resident set size (and,
   with ``--tracemalloc``, the traced heap) ten times, and reports whether memory grows with the
   count. ``--memory-units 1000000`` is the full check of issue 6.

Everything is printed as Markdown, ready for docs/performance.md. Peers need the ``bench`` extra
(``pip install -e ".[bench]"``); a peer that is missing is listed with the reason, not timed.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import gc
import io
import logging
import operator
import os
import platform
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script: make the checkout and ``benchmarks`` importable
    sys.path.insert(0, str(REPO))

import thidua_rules  # noqa: E402
from benchmarks import handwritten_cum4, peers, units  # noqa: E402

RULESET = "cum4-2023"
Scorer = Callable[[Sequence[Mapping[str, Any]]], object]


class Disagreement(SystemExit):
    """Raised (exit status 1) when two scorers disagree on a unit."""


# ---------------------------------------------------------------- environment


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def environment(found: list[peers.Peer], missing: list[tuple[str, str]]) -> list[str]:
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"- date: {now}",
        f"- Python: {platform.python_implementation()} {platform.python_version()} ({sys.executable})",
        f"- CPU: {cpu_model()} ({os.cpu_count()} logical CPUs); {platform.system()} {platform.release()}",
        f"- thidua_rules {thidua_rules.__version__} from {Path(thidua_rules.__file__).parent}",
    ]
    versions = sorted({f"{p.package} {p.version}" for p in found})
    if versions:
        lines.append(f"- peers: {', '.join(versions)}")
    for name, reason in missing:
        lines.append(f"- peer not run: {name}: {reason}")
    return lines


# ---------------------------------------------------------------- agreement


def thidua_scores(result: thidua_rules.Result) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for code in peers.CODES[: -len(peers.TOTALS)]:
        score = result.nodes[code].score
        if score is None:
            raise AssertionError(f"{code} is not applicable")
        out[code] = score
    out.update(standard=result.standard, bonus=result.bonus, deductions=result.deductions,
               total=result.total)
    return out


def batch_api(rs: thidua_rules.Ruleset) -> tuple[str, Callable[[Iterable[Mapping[str, Any]]], Iterator[Any]]]:
    """``rs.evaluate_many`` when the ruleset has it, else the equivalent generator."""
    many = getattr(rs, "evaluate_many", None)
    if many is not None:
        return "rs.evaluate_many(units, trace=False)", lambda facts: iter(many(facts, trace=False))

    def fallback(facts: Iterable[Mapping[str, Any]]) -> Iterator[Any]:
        return (rs.evaluate(f, trace=False) for f in facts)

    return "(rs.evaluate(f, trace=False) for f in units)  [no evaluate_many yet]", fallback


def check_agreement(
    rs: thidua_rules.Ruleset, sample: list[dict[str, Any]], found: list[peers.Peer]
) -> list[str]:
    """Every scorer against the hand-written one on every unit; the report lines, or SystemExit."""
    expected = [handwritten_cum4.score(f) for f in sample]
    problems: list[str] = []
    counts: list[str] = []

    def compare(name: str, got: list[dict[str, Decimal]], exact: bool) -> None:
        bad = 0
        for i, (want, have) in enumerate(zip(expected, got, strict=True)):
            diff = peers.same(want, have, exact)
            if diff:
                bad += 1
                if len(problems) < 10:
                    problems.append(f"{name}, unit {i}: {'; '.join(diff[:4])}\n    facts: {sample[i]}")
        how = "exact" if exact else "at 2 decimal places"
        counts.append(f"- {name}: {len(got) - bad}/{len(got)} units equal ({how})")

    compare("thidua_rules evaluate(trace=True)", [thidua_scores(rs.evaluate(f)) for f in sample], True)
    compare("thidua_rules evaluate(trace=False)",
            [thidua_scores(rs.evaluate(f, trace=False)) for f in sample], True)
    compare("thidua_rules Decimal path (evaluator.run, trace=False)",
            [thidua_scores(_ran(rs, f, False)) for f in sample], True)
    label, many = batch_api(rs)
    compare(f"thidua_rules {label.split('  ')[0]}", [thidua_scores(r) for r in many(sample)], True)
    # The cheap trace, once read, is the traced walk's own: every node, Step and assumption.
    walked = sum(dict(rs.evaluate(f).nodes) == dict(_ran(rs, f, True).nodes) for f in sample)
    counts.append(f"- thidua_rules full trace read = the traced walk: {walked}/{len(sample)} units "
                  "(every NodeResult equal: Steps, inputs, assumptions)")
    if walked != len(sample):
        problems.append("the cheap trace differs from the traced walk")
    for peer in found:
        if peer.run_batch is not None:
            got = [peer.scores(out) for out in peer.run_batch(sample)]
        else:
            got = [peer.score(f) for f in sample]
        compare(peer.name, got, peer.exact)
    if problems:
        print("\n".join(counts), file=sys.stderr)
        print("\nDISAGREEMENT with the hand-written scorer:\n" + "\n".join(problems), file=sys.stderr)
        raise Disagreement(1)
    return counts


# ---------------------------------------------------------------- timing


def per_unit(
    named: list[tuple[str, Scorer]], sample: Sequence[Mapping[str, Any]], repeat: int
) -> list[tuple[str, list[float]]]:
    """Seconds per unit of ``repeat`` batches of each scorer, after one warm-up batch each.

    The scorers take turns, batch by batch, so that a burst of load from elsewhere on the machine
    falls on all of them rather than on one.
    """
    for _, run in named:
        run(sample)
    times: dict[str, list[float]] = {name: [] for name, _ in named}
    for _ in range(repeat):
        for name, run in named:
            start = time.perf_counter()
            run(sample)
            times[name].append((time.perf_counter() - start) / len(sample))
    return list(times.items())


def scorers(rs: thidua_rules.Ruleset, found: list[peers.Peer]) -> list[tuple[str, Scorer]]:
    def loop(fn: Callable[[Mapping[str, Any]], object]) -> Scorer:
        def run(sample: Sequence[Mapping[str, Any]]) -> None:
            for facts in sample:
                fn(facts)
        return run

    evaluate = rs.evaluate
    run = rs.evaluator.run

    def every_step(facts: Mapping[str, Any]) -> None:
        for node in evaluate(facts).nodes.values():
            node.trace  # noqa: B018  # read: the Steps exist

    def every_node(facts: Mapping[str, Any]) -> None:
        for node in evaluate(facts, trace=False).nodes.values():
            node.score  # noqa: B018

    out: list[tuple[str, Scorer]] = [
        ("hand-written Python (Decimal)", loop(handwritten_cum4.score)),
        ("thidua_rules, full trace", loop(evaluate)),
        ("thidua_rules, full trace + every node's Steps read", loop(every_step)),
        ("thidua_rules, traced walk at evaluate time (the full trace before the cheap trace)",
         loop(lambda f: run(f, trace=True, cohort=None))),
        ("thidua_rules, no trace", loop(lambda f: evaluate(f, trace=False))),
        ("thidua_rules, no trace + every node read", loop(every_node)),
        ("thidua_rules, no trace on the Decimal path (before scaled integers)",
         loop(lambda f: run(f, trace=False, cohort=None))),
    ]
    if getattr(rs, "evaluate_many", None) is not None:
        _, many = batch_api(rs)

        def batch(sample: Sequence[Mapping[str, Any]]) -> None:
            for _ in many(sample):
                pass

        out.append(("thidua_rules, evaluate_many (no trace)", batch))
    for peer in found:
        if peer.run_batch is not None:
            out.append((peer.name, peer.run_batch))
        else:
            out.append((peer.name, loop(peer.run)))
    return out


def _ran(rs: thidua_rules.Ruleset, facts: Mapping[str, Any], trace: bool) -> thidua_rules.Result:
    """The unit on the Decimal path (generated Decimal scorer or traced walk), never the scaled one."""
    result = rs.evaluator.run(facts, trace=trace, cohort=None).result
    assert result is not None
    return result


def timing_table(rows: list[tuple[str, list[float]]]) -> list[str]:
    base = statistics.median(rows[0][1])
    lines = ["| scorer | µs per unit (median) | min – max | × hand-written |",
             "|---|---:|---:|---:|"]
    for name, times in rows:
        median = statistics.median(times)
        lines.append(f"| {name} | {median * 1e6:,.1f} | {min(times) * 1e6:,.1f} – {max(times) * 1e6:,.1f} "
                     f"| {median / base:,.2f} |")
    return lines


# ---------------------------------------------------------------- loading


def _subprocess_seconds(
    code: str, runs: int, pyc: str, *, bytecode: bool, tmp: str | None, models: str | None = None
) -> list[float]:
    """Run ``code`` in ``runs`` fresh interpreters; the seconds each prints.

    Bytecode goes to the ``pyc`` directory (``PYTHONPYCACHEPREFIX``), never into the checkout.
    ``bytecode``: write and reuse it (one untimed run first compiles it); otherwise every run
    compiles every module from source. ``tmp`` is the interpreters' temporary directory, where
    Lark keeps its parse tables (``cache=True``): shared (the untimed run fills it), or, when None,
    a new empty one for each run, so that nothing is cached. ``models`` is the library's cache of
    checked rulesets (``THIDUA_RULES_CACHE_DIR``) likewise: shared and filled, or empty each run.
    """
    env = dict(os.environ)
    env.pop("THIDUA_RULES_NO_CACHE", None)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env["PYTHONPYCACHEPREFIX"] = pyc

    def once() -> float:
        with tempfile.TemporaryDirectory(prefix="thidua-bench-tmp-") as fresh:
            env["TMPDIR"] = tmp if tmp is not None else fresh
            env["THIDUA_RULES_CACHE_DIR"] = models if models is not None else os.path.join(fresh, "models")
            done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                  check=True)
        return float(done.stdout.strip().splitlines()[-1])

    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        once()
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return [once() for _ in range(runs)]


IMPORT_CODE = """
import time
start = time.perf_counter()
import thidua_rules
print(time.perf_counter() - start)
"""
COLD_CODE = f"""
import time
import thidua_rules
start = time.perf_counter()
thidua_rules.rulesets.load({RULESET!r})
print(time.perf_counter() - start)
"""


def clear_caches() -> None:
    """Forget the built parser and the loaded shipped rulesets (every functools cache of the library)."""
    import functools

    for module in list(sys.modules.values()):
        name = getattr(module, "__name__", "")
        if not name.startswith("thidua_rules"):
            continue
        for value in list(vars(module).values()):
            if isinstance(value, functools._lru_cache_wrapper):
                value.cache_clear()


#: The medians of the last ``loading`` (seconds): import, warm load, cold load.
LOADS: dict[str, float] = {}


def loading(repeat: int) -> list[str]:
    runs = max(3, repeat)
    with tempfile.TemporaryDirectory(prefix="thidua-bench-pyc-") as pyc, \
            tempfile.TemporaryDirectory(prefix="thidua-bench-nopyc-") as no_pyc, \
            tempfile.TemporaryDirectory(prefix="thidua-bench-lark-") as lark_tmp, \
            tempfile.TemporaryDirectory(prefix="thidua-bench-models-") as models:
        imports = _subprocess_seconds(IMPORT_CODE, runs, pyc, bytecode=True, tmp=lark_tmp)
        uncached = _subprocess_seconds(IMPORT_CODE, runs, no_pyc, bytecode=False, tmp=None)
        cold = _subprocess_seconds(COLD_CODE, runs, pyc, bytecode=True, tmp=None)
        cold_tables = _subprocess_seconds(COLD_CODE, runs, pyc, bytecode=True, tmp=lark_tmp)
        # the untimed first run stores the checked model; the timed ones read it back
        cold_models = _subprocess_seconds(COLD_CODE, runs, pyc, bytecode=True, tmp=lark_tmp, models=models)
    saved_tmp, saved_env = tempfile.tempdir, os.environ.get("THIDUA_RULES_CACHE_DIR")
    in_process, warm, warm_cached = [], [], []
    try:
        for _ in range(runs):
            with tempfile.TemporaryDirectory(prefix="thidua-bench-tmp-") as fresh:
                tempfile.tempdir = fresh  # no parse tables cached by an earlier load
                os.environ["THIDUA_RULES_CACHE_DIR"] = os.path.join(fresh, "models")  # nor checked models
                clear_caches()
                start = time.perf_counter()
                thidua_rules.rulesets.load(RULESET)
                in_process.append(time.perf_counter() - start)
                tempfile.tempdir = saved_tmp
        with tempfile.TemporaryDirectory(prefix="thidua-bench-models-") as models:
            os.environ["THIDUA_RULES_CACHE_DIR"] = ""  # off: parse, check, compile each time
            thidua_rules.rulesets.load(RULESET)  # the parser is built
            for _ in range(runs):
                thidua_rules.rulesets.load.cache_clear()
                start = time.perf_counter()
                thidua_rules.rulesets.load(RULESET)
                warm.append(time.perf_counter() - start)
            os.environ["THIDUA_RULES_CACHE_DIR"] = models
            thidua_rules.rulesets.load.cache_clear()
            thidua_rules.rulesets.load(RULESET)  # stores the checked model
            for _ in range(runs):
                thidua_rules.rulesets.load.cache_clear()
                start = time.perf_counter()
                thidua_rules.rulesets.load(RULESET)
                warm_cached.append(time.perf_counter() - start)
    finally:
        tempfile.tempdir = saved_tmp
        if saved_env is None:
            os.environ.pop("THIDUA_RULES_CACHE_DIR", None)
        else:
            os.environ["THIDUA_RULES_CACHE_DIR"] = saved_env
        thidua_rules.rulesets.load.cache_clear()

    def row(name: str, times: list[float], how: str) -> str:
        return (f"| {name} | {statistics.median(times) * 1e3:,.1f} | "
                f"{min(times) * 1e3:,.1f} – {max(times) * 1e3:,.1f} | {how} |")

    LOADS.update(imports=statistics.median(imports), warm=statistics.median(warm),
                 warm_cached=statistics.median(warm_cached), cold=statistics.median(cold))
    return [
        f"| step | ms (median of {runs}) | min – max | how |",
        "|---|---:|---:|---|",
        row("`import thidua_rules`", imports,
            "fresh subprocess, bytecode cached; interpreter start-up excluded"),
        row("`import thidua_rules`, no bytecode", uncached,
            "same, every module (lark, attrs too) compiled from source"),
        row(f"cold load of {RULESET}", cold,
            "fresh subprocess after the import, empty temp dir and model cache: grammar → LALR tables, "
            "parse, check, compile"),
        row(f"cold load of {RULESET}, Lark tables cached", cold_tables,
            "same, with the parse tables Lark keeps in the temp dir (`cache=True`) from an earlier run"),
        row(f"cold load of {RULESET}, Lark tables and checked model cached", cold_models,
            "same, with the checked model stored by an earlier run (`check/cache.py`): read back, compile"),
        row(f"cold load of {RULESET}, in-process", in_process,
            "library caches cleared, empty temp dir and model cache"),
        row(f"warm load of {RULESET}, uncached", warm,
            "parser already built, model cache off: parse, check, compile"),
        row(f"warm load of {RULESET}, checked model cached", warm_cached,
            "parser already built, model read back from the on-disk cache, compiled"),
    ]


# ---------------------------------------------------------------- batches and sizes


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}"


def batches(rs: thidua_rules.Ruleset, count: int, seed: int) -> tuple[list[str], dict[str, float]]:
    """Units per second through ``evaluate_many`` with 1 and 2 processes (pool start included),
    and through ``score_partitions`` on a 2-process Dask ``LocalCluster`` (cluster start excluded;
    the workers send back each total, as docs/performance.md advises, not whole Results), once
    with a bag of the units made in the client and once with the units made in the workers.
    Every way must give the same totals."""
    sample = _batch_units(count, seed)
    rates: dict[str, float] = {}
    rows = ["| how | units | seconds | units/s | × one process |", "|---|---:|---:|---:|---:|"]
    expected: list[Decimal] | None = None

    def timed(name: str, run: Callable[[], list[Decimal]], base: str | None = None) -> None:
        nonlocal expected
        gc.collect()
        start = time.perf_counter()
        totals = run()
        seconds = time.perf_counter() - start
        if expected is None:
            expected = totals
        elif totals != expected:
            raise Disagreement(f"{name} gave other totals than one process")
        rates[name] = count / seconds
        ratio = rates[name] / (rates[base] if base is not None else next(iter(rates.values())))
        against = f" (× the {MADE} row)" if base is not None else ""
        rows.append(f"| {name} | {count:,} | {seconds:.2f} | {_rate(count, seconds)} | {ratio:.2f}{against} |")

    timed("`evaluate_many`, 1 process", lambda: [r.total for r in rs.evaluate_many(sample)])
    timed("`evaluate_many(processes=2)`", lambda: [r.total for r in rs.evaluate_many(sample, processes=2)])
    start = time.perf_counter()
    list(rs.evaluate_many(sample[:2], processes=2))
    pool_start = time.perf_counter() - start  # spawning 2 workers, each importing and compiling
    scoring = count / rates["`evaluate_many(processes=2)`"] - pool_start
    rates["processes=2 without the pool start"] = count / scoring
    steady = rates["processes=2 without the pool start"] / next(iter(rates.values()))
    rows.append(f"| `evaluate_many(processes=2)` less the pool start ({pool_start:.2f} s, 2 units) | {count:,} | "
                f"{scoring:.2f} | {_rate(count, scoring)} | {steady:.2f} |")
    from thidua_rules.io.distributed import evaluate_sources

    parts = [(part, count, seed) for part in PARTS]
    # Units made as they are scored cost their making too: the rows that make them in the
    # workers compare with one process that makes them as it goes.
    timed(MADE, lambda: [r.total for r in rs.evaluate_many(u for part in parts for u in _part_units(part))])
    timed("`evaluate_sources(processes=2)`, units made in the workers",
          lambda: [r.total for r in evaluate_sources(rs, parts, _part_units, processes=2)], MADE)
    try:
        import dask.bag
        from dask import distributed
    except ImportError as error:
        rows.append(f"| Dask | – | – | – | not run: {error} |")
        return rows, rates
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None,
                                  silence_logs=logging.ERROR) as cluster, distributed.Client(cluster):
        bag = dask.bag.from_sequence(sample, npartitions=8)
        timed("Dask `score_partitions`, LocalCluster of 2 processes",
              lambda: list(thidua_rules.score_partitions(rs, bag).map(operator.attrgetter("total")).compute()))
        # The units made where they are scored, as a bag read from files in the workers would be:
        # nothing of them passes through the client (the same units: each partition's seed).
        made = dask.bag.from_sequence(list(enumerate(PARTS)), npartitions=len(PARTS)).map_partitions(
            _partition_units, count, seed)
        timed("Dask `score_partitions`, units made in the workers",
              lambda: list(thidua_rules.score_partitions(rs, made).map(operator.attrgetter("total")).compute()),
              MADE)
    return rows, rates


#: The reference for the rows whose units are made where they are scored.
MADE = "`evaluate_many`, 1 process, units made as it goes"
#: The batch's units are made in this many parts, each from its own seed (a Dask partition each).
PARTS = range(8)


def _batch_units(count: int, seed: int) -> list[dict[str, Any]]:
    return [unit for part in PARTS for unit in _partition_units([(part, None)], count, seed)]


def _part_units(source: tuple[int, int, int]) -> list[dict[str, Any]]:
    """The units of one part of a batch, made in a worker process (``evaluate_sources``)."""
    part, count, seed = source
    return _partition_units([(part, None)], count, seed)


def _partition_units(parts: Iterable[tuple[int, object]], count: int, seed: int) -> list[dict[str, Any]]:
    """The units of the given parts of a batch of ``count`` (in a Dask worker or here)."""
    out: list[dict[str, Any]] = []
    for part, _ in parts:
        size = count // len(PARTS) + (1 if part < count % len(PARTS) else 0)
        out += units.units(size, seed * 100 + part)
    return out


def sizes(repeat: int) -> tuple[list[str], dict[int, tuple[float, float]]]:
    """Warm load time of generated rulesets of 10 to 10,000 criteria (``benchmarks/loading.py``),
    uncached and read back from the on-disk cache of checked models (a fresh one, filled first)."""
    from benchmarks.loading import _criteria

    rows = ["| criteria | lines | uncached load (ms) | ms per criterion | cached load (ms) | ms per criterion |",
            "|---:|---:|---:|---:|---:|---:|"]
    found: dict[int, tuple[float, float]] = {}
    saved = os.environ.get("THIDUA_RULES_CACHE_DIR")
    try:
        with tempfile.TemporaryDirectory(prefix="thidua-bench-models-") as models:
            os.environ["THIDUA_RULES_CACHE_DIR"] = models
            for count in (10, 100, 1000, 10_000):
                text = _criteria(count)
                medians = []
                for cache in (False, True):
                    if cache:
                        thidua_rules.loads(text, cache=True)  # stores the model
                    times = []
                    for _ in range(repeat if count < 10_000 else 1):
                        start = time.perf_counter()
                        thidua_rules.loads(text, cache=cache)
                        times.append(time.perf_counter() - start)
                    medians.append(statistics.median(times))
                found[count] = (medians[0], medians[1])
                uncached, cached = (value * 1e3 for value in medians)
                rows.append(f"| {count:,} | {text.count(chr(10)):,} | {uncached:,.1f} | {uncached / count:.3f} | "
                            f"{cached:,.1f} | {cached / count:.3f} |")
    finally:
        if saved is None:
            os.environ.pop("THIDUA_RULES_CACHE_DIR", None)
        else:
            os.environ["THIDUA_RULES_CACHE_DIR"] = saved
    return rows, found


# ---------------------------------------------------------------- memory


def _rss() -> int:
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # not Linux: the peak RSS, which can only grow
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


def memory(rs: thidua_rules.Ruleset, count: int, seed: int, use_tracemalloc: bool) -> tuple[list[str], bool]:
    label, many = batch_api(rs)
    every = max(1, count // 10)
    samples: list[tuple[int, int, int | None]] = []
    gc.collect()
    if use_tracemalloc:
        tracemalloc.start()
    start = time.perf_counter()
    total = Decimal(0)
    for done, result in enumerate(many(units.stream(count, seed)), start=1):
        total += result.total  # consume each result, keep nothing
        if done % every == 0 or done == count:
            traced = tracemalloc.get_traced_memory()[0] if use_tracemalloc else None
            samples.append((done, _rss(), traced))
    elapsed = time.perf_counter() - start
    if use_tracemalloc:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    mib = 1024 * 1024
    first = samples[0]
    last = samples[-1]
    rss_growth = last[1] - first[1]
    flat = rss_growth <= max(2 * mib, first[1] // 50)
    lines = [
        f"Streamed {count:,} units through `{label}` in {elapsed:,.1f} s "
        f"({elapsed / count * 1e6:,.1f} µs per unit, fact generation included); sum of totals {total}.",
        "",
        "| units scored | RSS (MiB) |" + (" traced heap (KiB) |" if use_tracemalloc else ""),
        "|---:|---:|" + ("---:|" if use_tracemalloc else ""),
    ]
    for n, rss, traced in samples:
        heap = f" {traced / 1024:,.1f} |" if traced is not None else ""
        lines.append(f"| {n:,} | {rss / mib:,.1f} |{heap}")
    lines.append("")
    verdict = "flat (no growth with the count)" if flat else "GROWS with the count"
    lines.append(f"RSS from {first[0]:,} to {last[0]:,} units: {rss_growth / mib:+.2f} MiB → {verdict}.")
    if use_tracemalloc:
        traced_growth = (last[2] or 0) - (first[2] or 0)
        traced_flat = traced_growth <= 64 * 1024  # the ten samples kept here take a few hundred bytes
        flat = flat and traced_flat
        lines.append(f"Traced heap: {traced_growth / 1024:+,.1f} KiB over the same span (peak "
                     f"{peak / 1024:,.1f} KiB) → {'flat' if traced_flat else 'GROWS'}.")
    return lines, flat


# ---------------------------------------------------------------- profile


def profile(rs: thidua_rules.Ruleset, sample: list[dict[str, Any]], trace: bool) -> list[str]:
    profiler = cProfile.Profile()
    profiler.enable()
    for facts in sample:
        rs.evaluate(facts, trace=trace)
    profiler.disable()
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    stats.sort_stats("tottime").print_stats(10)
    body = stream.getvalue().strip().splitlines()
    start = next((i for i, line in enumerate(body) if line.lstrip().startswith("ncalls")), 0)
    return ["```text", *(line.rstrip() for line in body[start:]), "```"]


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--units", type=int, default=1000, help="units per timed batch (default 1000)")
    parser.add_argument("--repeat", type=int, default=7, help="timed batches per scorer (default 7)")
    parser.add_argument("--memory-units", type=int, default=200_000,
                        help="units streamed for the memory check (default 200000; 0 skips it)")
    parser.add_argument("--seed", type=int, default=2023, help="seed of the generated units")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also trace the Python heap in the memory check (several times slower)")
    parser.add_argument("--profile", action="store_true",
                        help="print cProfile's top 10 functions of thidua_rules, with and without trace")
    parser.add_argument("--batch-units", type=int, default=100_000,
                        help="units scored with 1 and 2 processes and on Dask (default 100000)")
    parser.add_argument("--no-peers", action="store_true", help="leave the peer engines out")
    parser.add_argument("--fail-on-growth", action="store_true", help="exit 2 when memory grows")
    args = parser.parse_args(argv)
    if args.units < 1 or args.repeat < 1 or args.memory_units < 0:
        parser.error("--units and --repeat must be at least 1, --memory-units at least 0")

    rs = thidua_rules.rulesets.load(RULESET)
    found, missing = ([], []) if args.no_peers else peers.available()
    print(f"# thidua_rules performance: {RULESET}\n")
    print("\n".join(environment(found, missing)))
    print(f"- units: {args.units:,} generated with seed {args.seed}; "
          f"{args.repeat} timed batches after 1 warm-up\n")

    sample = units.units(args.units, args.seed)
    print("## Agreement with the hand-written scorer (every criterion, section and total)\n")
    print("\n".join(check_agreement(rs, sample, found)))

    print("\n## Evaluation time per unit\n")
    rows = per_unit(scorers(rs, found), sample, args.repeat)
    print("\n".join(timing_table(rows)))
    print("\nA batch is the N units scored one after another (the engine's batch call for rows that "
          "say so); peers' times include adapting the facts to the engine's input. Garbage collection "
          "stays on.")

    print("\n## Import and load\n")
    print("\n".join(loading(args.repeat)))

    print("\n## Batches: processes and Dask\n")
    batch_rows, rates = batches(rs, args.batch_units, args.seed + 2)
    print("\n".join(batch_rows))

    print("\n## Load time by ruleset size\n")
    size_rows, loads = sizes(3)
    print("\n".join(size_rows))

    print("\n## Targets (issue 16)\n")
    one = rates.get("`evaluate_many`, 1 process")
    two = rates.get("`evaluate_many(processes=2)`")
    ratio = two / one if one and two else 0.0
    steady = rates.get("processes=2 without the pool start", 0.0) / one if one else 0.0
    made = rates.get(MADE)
    sources = rates.get("`evaluate_sources(processes=2)`, units made in the workers")
    read_there = sources / made if made and sources else 0.0
    print("| target | measured | met |\n|---|---:|---|")
    for name, got, ok in (
        ("`evaluate_many(processes=2)` ≥ 1.5× one process", f"{ratio:.2f}×", ratio >= 1.5),
        ("the same, less the pool start", f"{steady:.2f}×", steady >= 1.5),
        ("units made in 2 workers (`evaluate_sources`) ≥ 1.5× one process making them", f"{read_there:.2f}×",
         read_there >= 1.5),
        (f"warm load of {RULESET} ≤ 10 ms, uncached", f"{LOADS['warm'] * 1e3:.1f} ms", LOADS["warm"] <= 0.010),
        (f"warm load of {RULESET} ≤ 10 ms, checked model cached", f"{LOADS['warm_cached'] * 1e3:.1f} ms",
         LOADS["warm_cached"] <= 0.010),
        ("10,000-criterion ruleset loads in ≤ 1 s, uncached", f"{loads[10_000][0]:.2f} s", loads[10_000][0] <= 1.0),
        ("the same, checked model cached", f"{loads[10_000][1]:.2f} s", loads[10_000][1] <= 1.0),
        ("`import thidua_rules` ≤ 80 ms", f"{LOADS['imports'] * 1e3:.1f} ms", LOADS["imports"] <= 0.080),
    ):
        print(f"| {name} | {got} | {'met' if ok else 'missed'} |")

    if args.profile:
        for trace in (True, False):
            print(f"\n## cProfile: thidua_rules evaluate(trace={trace}), {args.units:,} units, "
                  "top 10 by own time\n")
            print("\n".join(profile(rs, sample, trace)))

    status = 0
    if args.memory_units:
        print("\n## Memory: streaming through the batch API\n")
        lines, flat = memory(rs, args.memory_units, args.seed + 1, args.tracemalloc)
        print("\n".join(lines))
        if not flat and args.fail_on_growth:
            status = 2
    return status


if __name__ == "__main__":
    sys.exit(main())
