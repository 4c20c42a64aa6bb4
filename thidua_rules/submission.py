"""A unit's submission across scoring rounds: self score, appraised score, and the form's columns."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from .errors import FactProblem, FactsError
from .result import Result, _jsonable
from .runtime import _number
from .source import fold, nfc

if TYPE_CHECKING:
    from .ruleset import Ruleset

#: The Tây Ninh text's rule for self scores, quoted in the flag.
ABOVE_MAX = "không vượt quá số điểm tối đa quy định"


@attrs.frozen
class Row:
    """One line of the scoring form: max, each round's score, claims, difference and evidence."""

    code: str
    title: str | None
    is_criterion: bool
    max: Decimal | None
    scores: Mapping[str, Decimal | None]
    claims: Mapping[str, Decimal]
    difference: Decimal | None
    evidence: tuple[str, ...]
    verifiers: tuple[str, ...]
    flags: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "criterion": self.is_criterion,
            "max": _jsonable(self.max),
            "scores": {k: _jsonable(v) for k, v in self.scores.items()},
            "claims": {k: _jsonable(v) for k, v in self.claims.items()},
            "difference": _jsonable(self.difference),
            "evidence": list(self.evidence),
            "verifiers": list(self.verifiers),
            "flags": list(self.flags),
        }


@attrs.frozen
class Submission:
    """A unit scored in each round it was given; ``final`` is the round that counts."""

    unit: str | None
    rounds: Mapping[str, Result]
    final_round: str
    rows: tuple[Row, ...]

    @property
    def final(self) -> Result:
        return self.rounds[self.final_round]

    @property
    def total(self) -> Decimal:
        return self.final.total

    @property
    def flags(self) -> tuple[str, ...]:
        return tuple(f"{row.code}: {flag}" for row in self.rows for flag in row.flags)

    def row(self, code: str) -> Row:
        for row in self.rows:
            if fold(row.code) == fold(code):
                return row
        raise KeyError(code)

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "final_round": self.final_round,
            "totals": {name: _jsonable(r.total) for name, r in self.rounds.items()},
            "rows": [row.to_dict() for row in self.rows],
            "flags": list(self.flags),
            "rounds": {name: r.to_dict() for name, r in self.rounds.items()},
        }


def _split(value: object) -> tuple[Mapping[str, object], Mapping[str, object]]:
    """A round's input: ``{"facts": …, "claims": …}`` or a plain mapping of facts."""
    if isinstance(value, Mapping) and isinstance(value.get("facts"), Mapping):
        claims = value.get("claims", {})
        return value["facts"], claims if isinstance(claims, Mapping) else {}
    if isinstance(value, Mapping):
        return value, {}
    return {}, {}


def evaluate_submission(
    rs: Ruleset, rounds: Mapping[str, object], *, unit: str | None = None, trace: bool = True
) -> Submission:
    """Score every round given; flag (never accept silently) judged scores above their max."""
    problems: list[FactProblem] = []
    declared = [r.name for r in rs.rounds]
    if not isinstance(rounds, Mapping) or not rounds:
        raise FactsError([FactProblem("(rounds)", "expected a mapping of round names to facts")], unit=unit)
    results: dict[str, Result] = {}
    flags: dict[str, list[str]] = {}
    claims: dict[str, dict[str, Decimal]] = {}
    for raw_name, value in rounds.items():
        name = nfc(str(raw_name))
        if name not in declared:
            from .checker import suggest

            hint = suggest(name, declared) or "rounds: " + ", ".join(declared)
            problems.append(FactProblem(f"round {raw_name}", f"unknown round; {hint}"))
            continue
        facts, round_claims = _split(value)
        if not isinstance(value, Mapping):
            problems.append(FactProblem(f"round {name}", "expected a mapping of facts"))
            continue
        adjusted = dict(facts)
        for key, given in facts.items():
            spec = rs.facts.get(nfc(key)) if isinstance(key, str) else None
            number = _number(given)
            if spec is None or spec.kind != "assessed" or isinstance(number, str):
                continue
            if spec.high is not None and number > spec.high:
                flags.setdefault(spec.name, []).append(
                    f"{name}: judged score {_show(number)} is above the max {_show(spec.high)} "
                    f"({ABOVE_MAX}); counted as {_show(spec.high)}"
                )
                adjusted[key] = spec.high
        try:
            results[name] = rs.evaluate(adjusted, trace=trace)
        except FactsError as error:
            problems += [FactProblem(f"{name}: {p.fact}", p.message) for p in error.problems]
            continue
        for code, claimed in round_claims.items():
            number = _number(claimed)
            if isinstance(number, str):
                problems.append(FactProblem(f"{name}: claim {code}", number))
            elif str(code) not in results[name]:
                problems.append(FactProblem(f"{name}: claim {code}", "unknown criterion code"))
            else:
                node = results[name][str(code)]
                claims.setdefault(node.code, {})[name] = number
                if node.max is not None and number > node.max:
                    flags.setdefault(node.code, []).append(
                        f"{name}: claimed {_show(number)} is above the max {_show(node.max)} ({ABOVE_MAX})"
                    )
                elif node.score is not None and number != node.score:
                    flags.setdefault(node.code, []).append(
                        f"{name}: claimed {_show(number)} but the rule gives {_show(node.score)}"
                    )
    if problems:
        raise FactsError(problems, unit=unit)
    final = rs.final_round if rs.final_round in results else [r for r in declared if r in results][-1]
    order = [r for r in declared if r in results]
    first = results[order[0]]
    rows = []
    for node in first:
        scores = {r: results[r][node.code].score for r in order}
        start, end = scores[order[0]], scores[final]
        difference = end - start if start is not None and end is not None and len(order) > 1 else None
        crit = rs.criteria.get(node.code)
        rows.append(Row(
            code=node.code, title=node.title, is_criterion=node.is_criterion, max=node.max,
            scores=MappingProxyType(scores), claims=MappingProxyType(claims.get(node.code, {})),
            difference=difference,
            evidence=crit.evidence if crit else (), verifiers=crit.verifiers if crit else (),
            flags=tuple(flags.get(node.code, ())),
        ))
    return Submission(unit, MappingProxyType(results), final, tuple(rows))


def _show(value: Decimal) -> str:
    return format(value.normalize(), "f") if value != 0 else "0"
