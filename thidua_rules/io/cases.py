"""Test files for rulesets: units with the scores a document says they get, checked.

In the spirit of OpenFisca's YAML tests and Catala's ``clerk test``, a TOML file lists units and
what each must get::

    ruleset = "cum4-2023"                 # a shipped id, or a path relative to this file

    [[unit]]
    name = "Sở TTTT Thái Nguyên"
    file = "../examples/cum4-2023/thai-nguyen.json"   # its rounds from a unit file, or:
    # drop = ["I.3"]                      # facts of that file the ruleset does not read
    # facts = { so_van_ban_tham_muu = 7, … }          # one sheet of facts
    [unit.expect]
    "I.2" = 10        # 2 × 7 = 14, capped at max 10
    total = 98.5
    rank = 1
    award = "co_thi_dua"                  # the award's name (or "" for none)
    "class.xep_loai" = "Xuất sắc"         # a classification's level

Numbers are read as exact decimals (``4.5`` or ``"4.5"``). The units of one file are ranked
together. ``run(path)`` returns one ``CaseFailure`` per expectation not met; each names the unit,
the code, what was expected, what was got, and the first step of the row's trace that gives the
value got (where the computation parted from the expectation). Problems with the file itself
(its TOML, a unit file, the facts) are failures too: nothing escapes as a traceback.
"""

from __future__ import annotations

import functools
import os
import tomllib
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from ..errors import ThiduaError
from ..evaluation.result import Result
from ..numbers import plain
from ..reports.submission import Submission
from ..ruleset import Ruleset, load
from ..text import suggest
from . import rulesets
from .units import read_unit

__all__ = ["CaseFailure", "RulesetCase", "cases", "run"]

#: Expectation keys that are not row codes.
_SPECIAL = ("total", "standard", "bonus", "deductions", "rank", "award")


@attrs.frozen
class CaseFailure:
    """One expectation not met (or a problem with the test file): where, what, expected, got."""

    file: str
    unit: str
    code: str
    expected: str
    got: str
    step: str | None = None

    def line(self) -> str:
        """``file: unit "X": I.2: expected 10, got 12 (first step giving 12: 3 × 7 = 21, …)``."""
        text = f'{self.file}: unit "{self.unit}": {self.code}: expected {self.expected}, got {self.got}'
        return text + (f" ({self.step})" if self.step else "")


@attrs.frozen
class RulesetCase:
    """One unit of a test file, with its expectations; ``run()`` checks them."""

    file: str
    unit: str
    expect: tuple[tuple[str, object], ...]
    suite: _Suite = attrs.field(repr=False, eq=False)

    @property
    def id(self) -> str:
        """``file::unit``, a test id for pytest's ``parametrize``."""
        return f"{os.path.basename(self.file)}::{self.unit}"

    def run(self) -> list[CaseFailure]:
        """The expectations of this unit that are not met (empty: the case passes)."""
        return self.suite.check(self)


def _problem(file: str, unit: str, message: str) -> CaseFailure:
    return CaseFailure(file, unit, "—", "a valid test", message)


def _show(value: object) -> str:
    if isinstance(value, Decimal):
        return plain(value)
    if value is None:
        return "—"
    return str(value)


class _Suite:
    """One test file, read once; its units scored and ranked once, on first use."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[CaseFailure] = []
        self.cases: list[RulesetCase] = []
        self.ruleset: Ruleset | None = None
        self.given: dict[str, Mapping[str, Any] | Submission | Result] = {}
        try:
            with open(file, "rb") as handle:
                data = tomllib.load(handle, parse_float=Decimal)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            self.problems.append(_problem(file, "—", f"cannot read the test file: {error}"))
            return
        self._read(data)

    def _ruleset(self, name: object, unit: str) -> Ruleset | None:
        if not isinstance(name, str):
            self.problems.append(_problem(self.file, unit, 'no "ruleset" (a shipped id or a path) for this unit'))
            return None
        try:
            if name.endswith(".thidua") or "/" in name:
                return load(os.path.join(os.path.dirname(self.file), name))
            return rulesets.load(name)
        except ThiduaError as error:
            self.problems.append(_problem(self.file, unit, str(error)))
            return None

    def _read(self, data: Mapping[str, Any]) -> None:
        unknown = set(data) - {"ruleset", "unit"}
        for key in sorted(unknown):
            why = f'unknown key "{key}"; a test file has "ruleset" and [[unit]]'
            self.problems.append(_problem(self.file, "—", why))
        self.ruleset = self._ruleset(data.get("ruleset"), "—")
        units = data.get("unit", [])
        if not isinstance(units, list) or not units:
            self.problems.append(_problem(self.file, "—", "no [[unit]] to test"))
            return
        for i, entry in enumerate(units, start=1):
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                self.problems.append(_problem(self.file, f"#{i}", 'each [[unit]] needs a "name"'))
                continue
            name = entry["name"]
            if name in self.given or any(c.unit == name for c in self.cases):
                self.problems.append(_problem(self.file, name, "the unit is given twice"))
                continue
            expect = entry.get("expect", {})
            if not isinstance(expect, dict) or not expect:
                self.problems.append(_problem(self.file, name, "no [unit.expect] values"))
                continue
            self._unit(name, entry)
            self.cases.append(RulesetCase(self.file, name, tuple(expect.items()), self))

    def _unit(self, name: str, entry: Mapping[str, Any]) -> None:
        rs = self.ruleset
        if rs is None:
            return
        try:
            if "file" in entry:
                unit = read_unit(os.path.join(os.path.dirname(self.file), str(entry["file"])))
                drop = entry.get("drop", [])
                if not isinstance(drop, list) or not all(isinstance(d, str) for d in drop):
                    self.problems.append(_problem(self.file, name, '"drop" lists fact names, as ["I.3"]'))
                    return
                self.given[name] = rs.evaluate_submission(_dropped(unit.rounds, set(drop)), unit=name)
            elif isinstance(entry.get("facts"), dict):
                self.given[name] = rs.evaluate(entry["facts"])
            else:
                self.problems.append(_problem(self.file, name, 'give the unit\'s "file" or its "facts"'))
        except ThiduaError as error:
            self.problems.append(_problem(self.file, name, str(error).replace("\n", "; ")))

    @functools.cached_property
    def standings(self) -> Any:
        assert self.ruleset is not None
        return self.ruleset.rank(dict(self.given))

    def check(self, case: RulesetCase) -> list[CaseFailure]:
        mine = [p for p in self.problems if p.unit in (case.unit, "—")]
        if mine or self.ruleset is None or case.unit not in self.given:
            return mine
        rs, scored = self.ruleset, self.given[case.unit]
        result = scored.final if isinstance(scored, Submission) else scored
        assert isinstance(result, Result)
        failures = []
        for key, expected in case.expect:
            failure = self._one(rs, case.unit, result, str(key), expected)
            if failure is not None:
                failures.append(failure)
        return failures

    def _one(self, rs: Ruleset, unit: str, result: Result, key: str, expected: object) -> CaseFailure | None:
        def fail(got: object, step: str | None = None) -> CaseFailure:
            return CaseFailure(self.file, unit, key, _show(expected), _show(got), step)

        try:
            if key == "rank":
                got: object = self.standings[unit].position
                return None if isinstance(expected, int) and got == expected else fail(got)
            if key == "award":
                got = self.standings[unit].award or ""
                return None if got == expected else fail(got or '""')
            if key.startswith("class."):
                got = rs.classify(key.removeprefix("class."), dict(self.given))[unit].level
                return None if got == expected else fail(got)
        except ThiduaError as error:
            return fail(str(error).replace("\n", "; "))
        number = _decimal(expected)
        if number is None:
            return CaseFailure(self.file, unit, key, _show(expected), "—", "expected a number, such as 10 or 4.5")
        if key in _SPECIAL:
            got = getattr(result, key)
            if got == number:
                return None
            how = (f"standard {plain(result.standard)} + bonus {plain(result.bonus)}"
                   f" − deductions {plain(result.deductions)}")
            return fail(got, how)
        codes = [node.code for node in result]
        if key not in codes:
            hint = suggest(key, [*codes, *_SPECIAL, "class.…"])
            return CaseFailure(self.file, unit, key, _show(expected), "no such row", hint)
        node = result[key]
        if node.score == number:
            return None
        return fail(node.score, _first_step(node, node.score))


def _dropped(rounds: Mapping[str, Any], drop: set[str]) -> dict[str, Any]:
    """A unit file's rounds without the facts and claims named in ``drop``."""
    def without(values: Any) -> Any:
        return {k: v for k, v in values.items() if k not in drop} if isinstance(values, Mapping) else values

    out: dict[str, Any] = {}
    for name, given in rounds.items():
        if isinstance(given, Mapping) and "facts" in given:
            out[name] = {k: without(v) if k in ("facts", "claims") else v for k, v in given.items()}
        else:
            out[name] = without(given)
    return out


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def _first_step(node: Any, got: object) -> str | None:
    """The step of a row's trace that gave it the value got, as the explanation words it: the
    first of the last run of steps ending on that value (a cut, a net of columns, a table row…),
    not an earlier step that happened to compute the same number."""
    sentences = node.explain().splitlines()[1:]  # one line per step, after the row's head
    steps = list(zip(node.trace, sentences, strict=False))
    if not steps or steps[-1][0].value != got:
        return None
    index = len(steps) - 1
    while index > 0 and steps[index - 1][0].value == got and steps[index - 1][0].rule not in ("fact", "default"):
        index -= 1
    return f"first step giving {_show(got)}: {steps[index][1].strip()}"


def cases(path: str | os.PathLike[str]) -> list[RulesetCase]:
    """The units of a test file as cases, for ``pytest.mark.parametrize(…, ids=lambda c: c.id)``.

    A file that cannot be read gives one case, whose ``run()`` reports why."""
    suite = _Suite(os.fspath(path))
    if suite.cases:
        return suite.cases
    return [RulesetCase(suite.file, "—", (), suite)]


def run(paths: Sequence[str | os.PathLike[str]]) -> list[CaseFailure]:
    """Every failure of every test file, in order (file problems included)."""
    failures: list[CaseFailure] = []
    for path in paths:
        seen: set[CaseFailure] = set()
        for case in cases(path):
            for failure in case.run():
                if failure not in seen:
                    seen.add(failure)
                    failures.append(failure)
    return failures
