"""Many units' files at once: read every file (JSON, TOML, the form's xlsx, CSV with a row per
unit), score each for one ruleset, rank, and classify; every bad file or unit is reported, not
the first only."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from ..errors import FactProblem, FactsError, ThiduaError
from ..io.rulesets import load as load_shipped
from ..io.units import LAST_ROUND, UnitFile, read_unit
from ..reports.classify import Classification
from ..reports.ranking import Standings
from ..reports.submission import Submission
from ..ruleset import Ruleset, load
from ..source import fold

#: The file kinds a folder is searched for.
UNIT_SUFFIXES = (".json", ".toml", ".xlsx", ".csv")


def ruleset_of(name: str) -> Ruleset:
    """A ruleset by file path, or a shipped one by id."""
    if os.path.exists(name) or name.endswith(".thidua"):
        return load(name)
    return load_shipped(name)


def read_any(path: str, rs: Ruleset | None = None) -> list[UnitFile]:
    """The units of one file: one for JSON, TOML and the form's xlsx, a row each for CSV."""
    lower = path.lower()
    if lower.endswith(".xlsx"):
        from .xlsx import read_form

        return [read_form(path, rs)]
    if lower.endswith(".csv"):
        if rs is None:
            raise FactsError(
                [FactProblem(path, "a CSV file names no ruleset: give it (--ruleset, or thidua rank RULESET)")]
            )
        from .csv_in import read_units_csv

        return read_units_csv(path, rs)
    return [read_unit(path)]


def expand(paths: Iterable[str]) -> list[str]:
    """Files as given, a folder as its unit files (sorted by name)."""
    out: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            out += sorted(
                os.path.join(path, f)
                for f in os.listdir(path)
                if f.lower().endswith(UNIT_SUFFIXES) and not f.startswith((".", "~$"))
            )
        else:
            out.append(path)
    return out


def _same_ruleset(unit: UnitFile, rs: Ruleset, cache: dict[str, str]) -> str | None:
    """Why ``unit`` is not for ``rs`` (by name), or None."""
    if not unit.ruleset or unit.ruleset == rs.id:
        return None
    if unit.ruleset not in cache:
        try:
            cache[unit.ruleset] = ruleset_of(unit.ruleset).id
        except ThiduaError:
            cache[unit.ruleset] = unit.ruleset
    if cache[unit.ruleset] != rs.id:
        return f'the file is for the ruleset "{unit.ruleset}", not "{rs.id}"'
    return None


@attrs.frozen
class Ranked:
    """Units scored and ranked together: submissions, standings, classifications, explanations."""

    submissions: Mapping[str, Submission]
    standings: Standings
    classifications: tuple[Classification, ...]
    units: Mapping[str, UnitFile]


def final_facts(rs: Ruleset, unit: UnitFile) -> dict[str, Any]:
    """The facts of a unit's final round (a cohort ruleset ranks units on them)."""
    rounds = dict(unit.rounds)
    wanted = [rs.final_round] if rs.final_round else []
    wanted += [r.name for r in reversed(rs.rounds)] + [LAST_ROUND]
    for name in wanted:
        if name in rounds:
            block = rounds[name]
            facts = block.get("facts", block) if isinstance(block, Mapping) else {}
            return dict(facts) if isinstance(facts, Mapping) else {}
    return {}


def rank_files(rs: Ruleset, paths: Iterable[str], *, progress: Callable[[int, int], None] | None = None) -> Ranked:
    """Read, score, rank and classify every unit in ``paths`` (files or folders) for ``rs``.

    Every unreadable file, file for another ruleset, unit given twice and bad fact is listed in
    one ``FactsError``. ``progress(done, total)`` is called as units are scored.
    """
    problems: list[FactProblem] = []
    units: dict[str, UnitFile] = {}
    files: dict[str, str] = {}
    cache: dict[str, str] = {}
    for path in expand(paths):
        try:
            read = read_any(path, rs)
        except FactsError as error:
            problems += error.problems
            continue
        for unit in read:
            why = _same_ruleset(unit, rs, cache)
            if why is not None:
                problems.append(FactProblem(unit.path, why))
                continue
            key = fold(unit.unit)
            if key in files:
                same = (
                    os.path.exists(path)
                    and os.path.exists(files[key].split(":")[0])
                    and os.path.samefile(files[key].split(":")[0], path)
                    and files[key] == unit.path
                )
                why = (
                    "the file is given twice; a unit is ranked once"
                    if same
                    else f'the unit "{unit.unit}" is also in {files[key]}; a unit is ranked once'
                )
                problems.append(FactProblem(unit.path, why))
                continue
            files[key] = unit.path
            units[unit.unit] = unit
    scored: dict[str, Any] = {}
    submissions: dict[str, Submission] = {}
    total = len(units)
    for done, (name, unit) in enumerate(units.items(), 1):
        try:
            if rs.cohorts:
                scored[name] = final_facts(rs, unit)
            else:
                submissions[name] = scored[name] = rs.evaluate_submission(unit.rounds, unit=name, trace=False)
        except FactsError as error:
            problems += [FactProblem(f"{unit.path}: {p.fact}", p.message) for p in error.problems]
        if progress is not None:
            progress(done, total)
    if problems:
        raise FactsError(problems)
    if not scored:
        raise FactsError([FactProblem("(units)", "no unit file was given")])
    standings = rs.rank(scored)
    classes = tuple(rs.classify(name, scored) for name in classification_names(rs))
    return Ranked(submissions, standings, classes, units)


def classification_names(rs: Ruleset) -> tuple[str, ...]:
    """The classifications a ruleset declares, in order."""
    return tuple(rs.evaluator.program.classes)
