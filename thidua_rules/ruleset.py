"""The public ruleset: a thin façade that loads (language → checks → evaluation) and delegates
every question to the evaluation stage and the many-unit reports."""

from __future__ import annotations

import contextlib
import functools
import gc
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from .check import cache as loadcache
from .errors import Diagnostic, OptionError, RulesetError
from .evaluation.evaluator import Evaluator, compile_source
from .evaluation.result import Result
from .files import UnreadableFile, read_utf8
from .language.formatter import format_source
from .model import Award, Criterion, Derived, FactSpec, Group, Header, Round, has_no_max
from .numbers import plain
from .reports.classify import Classification, classify, classify_periods, levels_in
from .reports.cohort import evaluate_cohort
from .reports.diff import Impact, RulesetDiff
from .reports.diff import diff as _diff
from .reports.diff import impact as _impact
from .reports.parallel import evaluate_parallel
from .reports.ranking import Standings, rank
from .reports.rollup import Rollup, evaluate_periods
from .reports.submission import Submission, evaluate_submission
from .source import Source, Span, nfc


class Ruleset:
    """A checked, compiled ruleset: immutable, thread-safe, evaluated once per unit."""

    def __init__(self, evaluator: Evaluator) -> None:
        self.evaluator = evaluator
        self.source: Source = evaluator.source
        self.header: Header = evaluator.header
        self.warnings: tuple[Diagnostic, ...] = evaluator.warnings
        self.facts: Mapping[str, FactSpec] = evaluator.facts
        self.derived: Mapping[str, Derived] = evaluator.derived
        self.criteria: Mapping[str, Criterion] = evaluator.criteria
        self.groups: Mapping[str, Group] = evaluator.groups
        self.sections: tuple[str, ...] = evaluator.sections
        self.rounds: tuple[Round, ...] = evaluator.rounds
        self.final_round: str | None = evaluator.final_round
        self.awards: tuple[Award, ...] = evaluator.awards
        self.ranking: tuple[tuple[str, str], ...] = evaluator.ranking
        #: Every number written in the rules: the boundaries property tests should reach.
        self.constants: frozenset[Decimal] = evaluator.constants

    # ------------------------------------------------------------ identity
    @property
    def id(self) -> str:
        return self.header.id

    @property
    def title(self) -> str | None:
        return self.header.title

    @property
    def total(self) -> Decimal | None:
        return self.header.total

    def __repr__(self) -> str:
        return f"<Ruleset {self.id!r}: {len(self.criteria)} criteria, total {self.total}>"

    def __reduce__(self) -> tuple[Callable[..., Ruleset], tuple[str, str]]:
        """Pickles as its source text; unpickling parses, checks and compiles it again."""
        return (_from_source, (self.source.text, self.source.name))

    def evaluate_many(
        self,
        units: Iterable[Mapping[str, object]],
        *,
        trace: bool = False,
        processes: int | None = None,
        batch: int = 512,
    ) -> Iterator[Result]:
        """Score units one after another, streaming: memory does not grow with their number.

        ``processes`` > 1 spreads each batch of ``batch`` units over that many processes
        (results keep the input's order). Each process gets the ruleset once; untraced, a unit's
        totals come back and its nodes and facts are scored again here when first read (the
        results are equal to one process's). A bad unit raises its ``FactsError`` when reached.
        """
        if processes is not None and (not isinstance(processes, int) or processes < 1):
            raise OptionError(f"Expected a positive int for processes, got {processes!r}")
        if not isinstance(batch, int) or batch < 1:
            raise OptionError(f"Expected a positive int for batch, got {batch!r}")
        if not isinstance(units, Iterable) or isinstance(units, str | bytes | Mapping):
            raise OptionError(f"Expected an iterable of units' facts for units, got {type(units).__name__}")
        if not processes or processes == 1:
            for unit in units:
                yield self.evaluate(unit, trace=trace)
            return
        yield from evaluate_parallel(self.evaluator, units, trace=trace, processes=processes, batch=batch)

    @property
    def open_nodes(self) -> tuple[str, ...]:
        """The sections, groups and rows with no max ("không giới hạn"): groups first, then rows,
        each in the sheet's order (``model.has_no_max``, as the sums check and evaluation read it)."""
        return tuple(code for code in [*self.groups, *self.criteria] if has_no_max(code, self.criteria, self.groups))

    # ------------------------------------------------------------ evaluation
    @property
    def cohorts(self) -> tuple[str, ...]:
        """The cohort aggregates the rules read (``max(ty_le)``, ``count``…), by key."""
        return self.evaluator.cohorts

    def evaluate(
        self,
        facts: Mapping[str, object],
        *,
        trace: bool = True,
        cohort: Mapping[str, object] | None = None,
    ) -> Result:
        """Score one unit from its facts; raise ``FactsError`` listing every bad or missing fact.

        A ruleset whose rules read cohort aggregates is scored with ``evaluate_cohort``, or
        here with each aggregate's value given in ``cohort`` (key as in ``rs.cohorts``).
        """
        given = self.evaluator.given_cohort(cohort) if cohort is not None else None
        return self.evaluator.evaluate(facts, trace=trace, cohort=given)

    def evaluate_cohort(
        self, units: Mapping[str, Mapping[str, object]], *, trace: bool = True
    ) -> Mapping[str, Result]:
        """Score units together: cohort aggregates first, then every unit (name -> Result)."""
        return evaluate_cohort(self.evaluator, units, trace=trace, levels=functools.partial(levels_in, self.evaluator))

    def evaluate_submission(
        self, rounds: Mapping[str, object], *, unit: str | None = None, trace: bool = True
    ) -> Submission:
        """Score a unit's rounds (``{"self": facts, "appraised": facts}``) side by side.

        A round is a mapping of facts, or ``{"facts": …, "claims": {code: score}}`` when the unit
        also wrote its scores on the form. Judged scores and claims above a max are flagged.
        """
        return evaluate_submission(self.evaluator, rounds, unit=unit, trace=trace)

    def evaluate_periods(
        self, periods: Mapping[str, Mapping[str, object]], *, trace: bool = True, rollup: str | None = None
    ) -> Rollup:
        """Score each period sheet and roll them up as the ruleset's ``rollup`` declares (or, by
        name, one of its named roll-ups: ``rollup="hoc_ky_1"``)."""
        return evaluate_periods(self.evaluator, periods, trace=trace, rollup=rollup)

    def classify(self, name: str, units: Mapping[str, object]) -> Classification:
        """Classify units by the ruleset's ``classify name``: bands, conditions, quotas."""
        return classify(self.evaluator, name, units)

    def classify_periods(
        self, name: str, periods: Mapping[str, Mapping[str, object]]
    ) -> Mapping[str, Classification]:
        """Classify each period's units (period -> units), in the order given; a requirement
        written ``onward`` that a unit fails stays failed for it in every later period."""
        return classify_periods(self.evaluator, name, periods)

    def rank(self, units: Mapping[str, object]) -> Standings:
        """Rank units (name -> facts, Result, Submission or Rollup) and give the declared awards;
        the named rankings are in ``standings.rankings``."""
        return rank(self.evaluator, units, levels=functools.partial(levels_in, self.evaluator))

    def to_dict(self) -> dict[str, Any]:
        """The sheet as data: the header, then every section, group and row in sheet order with
        its max, rule and provenance (the file that defined it, the overrides that changed it)."""
        header = self.header
        rows: list[dict[str, Any]] = []
        stack = list(reversed(self.sections))
        while stack:
            code = stack.pop()
            node: Criterion | Group = self.criteria[code] if code in self.criteria else self.groups[code]
            rows.append({
                "code": code, "title": node.title, "kind": node.kind,
                "criterion": isinstance(node, Criterion), "parent": node.parent,
                "max": plain(node.max) if node.max is not None else None,
                "rule": node.rule if isinstance(node, Criterion) else None,
                "defined_in": node.defined_in, "overridden_by": list(node.overridden_by),
            })
            if isinstance(node, Group):
                stack.extend(reversed(node.children))
        return {
            "id": header.id, "title": header.title, "document": header.document, "dated": header.dated,
            "issuer": header.issuer, "year": header.year,
            "total": plain(header.total) if header.total is not None else None,
            "source": self.source.name, "rows": rows,
        }


# ---------------------------------------------------------------- loading


def _from_source(text: str, name: str) -> Ruleset:
    return loads(text, source=name)


def loads(text: str, *, source: str = "<string>", cache: bool = False) -> Ruleset:
    """Parse, check and compile a ruleset given as text; ``source`` names it in messages.

    ``cache=True``: a text that loaded cleanly before under this name (in any process) is read
    back from the on-disk cache of checked models and only compiled (``check.cache``; skipped
    when turned off, stale or corrupt; a ruleset with errors is never cached)."""
    if not isinstance(text, str):
        raise RulesetError([Diagnostic("error", f"expected the ruleset as text, got {type(text).__name__}", None)])
    text = nfc(text)
    with _collector_paused():
        if not cache or not isinstance(source, str):
            return Ruleset(compile_source(text, source))
        checked = loadcache.get(text, source)
        if checked is not None:
            return Ruleset(Evaluator(checked, Source(source, text)))
        evaluator = compile_source(text, source)
        loadcache.put(text, source, evaluator.model)
        return Ruleset(evaluator)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a ruleset loads. A load allocates tens of
    thousands of small objects that all stay alive (tokens, trees, nodes, spans), and every
    collection in between walks them again for nothing: a third of the time for large rulesets.
    Only a caller that had it on gets it back on (another thread's load may still be running)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def format_ruleset(text: str, *, source: str = "<string>") -> str:
    """Ruleset text in the language's one canonical layout (``RulesetError`` on a syntax error).

    The text is read, not checked: a ruleset with unknown names still formats. Every comment is
    kept, by the statement it was written at (``language.formatter``); formatting is idempotent.
    """
    if not isinstance(text, str):
        raise RulesetError([Diagnostic("error", f"expected the ruleset as text, got {type(text).__name__}", None)])
    src = Source(source, nfc(text))
    return format_source(src)


def load(path: str | os.PathLike[str], *, cache: bool = True) -> Ruleset:
    """Load a ruleset file (UTF-8). Like Python's ``.pyc`` files, a file that loaded cleanly
    before is read back from the on-disk cache of checked models unless ``cache=False`` (or
    ``THIDUA_RULES_NO_CACHE=1``): see ``loads``."""
    if not isinstance(path, str | os.PathLike):
        why = f"expected the path of a ruleset file, got {type(path).__name__}"
        raise RulesetError([Diagnostic("error", why, None)])
    name = os.fspath(path)
    try:
        text = read_utf8(name)
    except UnreadableFile as error:
        if error.line is None or error.column is None:
            raise RulesetError([Diagnostic("error", f"cannot read {name}: {error.reason}", None)]) from None
        src = Source(name, error.text)
        raise RulesetError([Diagnostic(
            "error", "the file is not valid UTF-8", Span(src, error.line, error.column, error.line, error.column + 1),
            "save it as UTF-8",
        )]) from None
    return loads(text, source=name, cache=cache)


# ---------------------------------------------------------------- next year's ruleset


def diff(old: Ruleset, new: Ruleset) -> RulesetDiff:
    """What changed from ``old`` to ``new``: rows added, removed, moved, renamed; maxima, rules
    (before and after in canonical text), the header and the facts. Empty for a ruleset and itself."""
    for name, value in (("old", old), ("new", new)):
        if not isinstance(value, Ruleset):
            raise OptionError(f"Expected a Ruleset for {name}, got {type(value).__name__}")
    return _diff(old.evaluator, new.evaluator)


def impact(old: Ruleset, new: Ruleset, units: Mapping[str, Mapping[str, object]]) -> Impact:
    """Each unit (name -> its rounds, as for ``evaluate_submission``) scored and ranked under both
    rulesets: total and rank before and after, and the rows whose score changed."""
    for name, value in (("old", old), ("new", new)):
        if not isinstance(value, Ruleset):
            raise OptionError(f"Expected a Ruleset for {name}, got {type(value).__name__}")
    if not isinstance(units, Mapping):
        raise OptionError(f"Expected a mapping of unit name to rounds for units, got {type(units).__name__}")
    return _impact(old.evaluator, new.evaluator, units)
