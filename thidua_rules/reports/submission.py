"""A unit's submission across scoring rounds: each round's scores, the final one, the form's columns.

A ruleset declares its rounds (``rounds self "Tự chấm", appraised "Thẩm định" final appraised``)
and how a criterion's final score is chosen among the rounds that scored it: ``last``,
``highest``, ``lowest``, or a round's name (that round when it scored the criterion, else the
last round that did). A round may be partial: it scores the criteria whose facts it gives.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import FactProblem, FactsError
from ..evaluation.result import SCHEMA_VERSION, FrozenMap, NodeResult, Result, Step, UnknownCodeError, jsonable
from ..evaluation.runtime import number_of
from ..numbers import exact, plain
from ..source import fold, nfc
from ..text import suggest

if TYPE_CHECKING:
    from ..evaluation.evaluator import Evaluator

#: The Tây Ninh text's rule for self scores, quoted in the flag.
ABOVE_MAX = "không vượt quá số điểm tối đa quy định"


@attrs.frozen
class Row:
    """One line of the scoring form: max, each round's score, the final one and why, evidence."""

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
    final: Decimal | None = None
    decided_by: str | None = None
    reason: str = ""

    @exact
    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "criterion": self.is_criterion,
            "max": jsonable(self.max),
            "scores": {k: jsonable(v) for k, v in self.scores.items()},
            "final": jsonable(self.final),
            "decided_by": self.decided_by,
            "reason": self.reason,
            "claims": {k: jsonable(v) for k, v in self.claims.items()},
            "difference": jsonable(self.difference),
            "evidence": list(self.evidence),
            "verifiers": list(self.verifiers),
            "flags": list(self.flags),
        }


@attrs.frozen
class Submission:
    """A unit scored in each round it was given, and the final result chosen per criterion.

    ``rounds`` holds the full result of every complete round; ``final`` the result whose
    criteria carry the final scores (each with a ``final`` step saying which round decided).
    """

    unit: str | None
    rounds: Mapping[str, Result]
    final_round: str
    rows: tuple[Row, ...]
    final: Result
    round_scores: Mapping[str, Mapping[str, Decimal | None]] = attrs.field(factory=dict)

    @property
    def total(self) -> Decimal:
        return self.final.total

    @property
    def flags(self) -> tuple[str, ...]:
        return tuple(f"{row.code}: {flag}" for row in self.rows for flag in row.flags)

    def row(self, code: str) -> Row:
        for row in self.rows:
            if isinstance(code, str) and fold(row.code) == fold(code):
                return row
        raise UnknownCodeError(str(code), {row.code: row for row in self.rows})

    def __hash__(self) -> int:
        return hash((self.unit, self.final_round, self.final))

    @exact
    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "unit": self.unit,
            "final_rule": self.final_round,
            "total": jsonable(self.final.total),
            "totals": {name: jsonable(r.total) for name, r in self.rounds.items()},
            "rows": [row.to_dict() for row in self.rows],
            "flags": list(self.flags),
            "final": self.final.to_dict(),
            "rounds": {name: r.to_dict() for name, r in self.rounds.items()},
        }


def _round_shape(name: str, value: Mapping[str, object]) -> list[FactProblem]:
    """What is wrong with a round given as ``{"facts": …, "claims": …}`` (nothing is dropped)."""
    if "facts" not in value and "claims" not in value:
        return []  # the facts themselves
    problems = []
    if not isinstance(value.get("facts"), Mapping):
        problems.append(FactProblem(f"round {name}", '"facts" must be a mapping of fact names to values'))
    if "claims" in value and not isinstance(value["claims"], Mapping):
        problems.append(FactProblem(f"round {name}", '"claims" must be a mapping of criterion codes to scores'))
    for key in value:
        if key not in ("facts", "claims"):
            hint = suggest(str(key), ("facts", "claims"))
            problems.append(FactProblem(f"round {name}: {key}", "unknown key" + (f"; {hint}" if hint else "")))
    return problems


def _split(value: object) -> tuple[Mapping[str, object], Mapping[str, object]]:
    """A round's input: ``{"facts": …, "claims": …}`` or a plain mapping of facts."""
    if isinstance(value, Mapping) and isinstance(value.get("facts"), Mapping):
        claims = value.get("claims", {})
        return value["facts"], claims if isinstance(claims, Mapping) else {}
    if isinstance(value, Mapping):
        return value, {}
    return {}, {}



def _unit_max(
    ev: Evaluator, code: str, facts: Mapping[str, object], default: Decimal | None
) -> Decimal | None:
    """A criterion's max for this unit: its variant's (``max by``) when the unit names its kind."""
    criterion = ev.criteria.get(code)
    variant = ev.header.variants
    if criterion is None or not criterion.max_by or variant is None:
        return default
    spec = ev.facts.get(variant)
    level = facts.get(variant)
    if spec is None or not isinstance(level, str):
        return default
    canonical = dict(spec.spellings).get(fold(level))
    return dict(criterion.max_by).get(canonical or "", default)


def _choose(
    rule: str, order: list[str], scored: list[tuple[str, Decimal | None]]
) -> tuple[str, Decimal | None, str]:
    """The round whose score is final for one criterion, the score, and the reason in words."""
    if rule in order and any(name == rule for name, _ in scored):
        name, score = next((n, s) for n, s in scored if n == rule)
        return name, score, f"the {rule} round decides"
    if rule in ("highest", "lowest") and any(s is not None for _, s in scored):
        numbers = [(n, s) for n, s in scored if s is not None]
        pick = max if rule == "highest" else min
        best = pick(s for _, s in numbers)
        name = next(n for n, s in numbers if s == best)
        return name, best, f"the {rule} score of the rounds that scored it"
    name, score = scored[-1]
    why = "the last round that scored it"
    if rule not in ("last", "highest", "lowest"):
        why += f" ({rule} did not)"
    return name, score, why


@exact
def evaluate_submission(
    ev: Evaluator, rounds: Mapping[str, object], *, unit: str | None = None, trace: bool = True
) -> Submission:
    """Score every round given and choose each criterion's final score by the declared rule.

    Judged scores and claims above a max are flagged, never accepted silently: the max counts.
    """
    problems: list[FactProblem] = []
    declared = [r.name for r in ev.rounds]
    if not isinstance(rounds, Mapping):
        raise FactsError([FactProblem("(rounds)", "expected a mapping of round names to facts")], unit=unit)
    if not rounds:
        names = ", ".join(r.name for r in ev.rounds) or "the facts"
        raise FactsError([FactProblem("(rounds)", f"no round is given; rounds: {names}")], unit=unit)
    given: dict[str, object] = {}
    for raw_name, value in rounds.items():
        name = declared[-1] if raw_name == "*" else nfc(str(raw_name))  # "*": the last round
        if name in given:  # "*" beside the last round's own name, or one name in two forms
            problems.append(FactProblem(f"round {raw_name}", f"the round {name} is given twice"))
        elif name not in declared:
            hint = suggest(name, declared) or "rounds: " + ", ".join(declared)
            problems.append(FactProblem(f"round {raw_name}", f"unknown round; {hint}"))
        elif not isinstance(value, Mapping):
            problems.append(FactProblem(f"round {name}", "expected a mapping of facts"))
        else:
            problems += _round_shape(name, value)
            given[name] = value
    order = [r for r in declared if r in given]
    results: dict[str, Result] = {}
    nodes: dict[str, dict[str, NodeResult]] = {}
    missing_by_round: dict[str, list[FactProblem]] = {}
    flags: dict[str, list[str]] = {}
    claims: dict[str, dict[str, Decimal]] = {}
    merged: dict[str, object] = {}
    for name in order:
        facts, round_claims = _split(given[name])
        adjusted = dict(facts)
        for key, value in facts.items():
            spec = ev.facts.get(nfc(key)) if isinstance(key, str) else None
            number = number_of(value)
            # a judged score: under its criterion's code, or a fact named by "assessed as"
            if spec is None or spec.criterion is None or isinstance(number, str):
                continue
            top = _unit_max(ev, spec.criterion, facts, spec.high)
            if top is not None and number > top:
                flags.setdefault(spec.criterion, []).append(
                    f"{name}: judged score {plain(number)} is above the max {plain(top)} "
                    f"({ABOVE_MAX}); counted as {plain(top)}"
                )
                adjusted[key] = top
        merged.update(adjusted)
        result, walk, invalid, missing = ev.run(adjusted, trace=trace, cohort=None)
        problems += [FactProblem(f"{name}: {p.fact}", p.message) for p in invalid]
        missing_by_round[name] = missing
        # A complete round's nodes are its result's (the untraced path builds no walk); a partial
        # round has only the nodes the walk could score.
        nodes[name] = dict(result.nodes) if result is not None else dict(walk.out)
        if result is not None:
            results[name] = result
        codes = {fold(c): c for c in (*ev.criteria, *ev.groups)}
        claimed_as: dict[str, str] = {}
        for given_code, claimed in round_claims.items():
            number = number_of(claimed)
            code = codes.get(fold(str(given_code)), given_code)  # codes are not case-sensitive
            node = nodes[name].get(str(code))
            if str(code) in claimed_as:
                problems.append(FactProblem(f"{name}: claim {given_code}",
                                            f'given twice (also as "{claimed_as[str(code)]}")'))
                continue
            claimed_as[str(code)] = str(given_code)
            if isinstance(number, str):
                problems.append(FactProblem(f"{name}: claim {code}", number))
            elif str(code) not in ev.criteria and str(code) not in ev.groups:
                problems.append(FactProblem(f"{name}: claim {code}", "unknown criterion code"))
            else:
                code = str(code)
                claims.setdefault(code, {})[name] = number
                top = node.max if node is not None else None
                if top is not None and number > top:
                    flags.setdefault(code, []).append(
                        f"{name}: claimed {plain(number)} is above the max {plain(top)} ({ABOVE_MAX})"
                    )
                elif node is not None and node.score is not None and number != node.score:
                    flags.setdefault(code, []).append(
                        f"{name}: claimed {plain(number)} but the rule gives {plain(node.score)}"
                    )
    overrides: dict[str, tuple[NodeResult, Step]] = {}
    decided: dict[str, tuple[str, Decimal | None, str]] = {}
    rule = ev.final_round or "last"
    for code in ev.criteria:
        scored = [(r, nodes[r][code].score) for r in order if code in nodes[r]]
        if not scored:
            if order:
                wanted = [p for p in missing_by_round[order[-1]]]
                problems += [FactProblem(f"{order[-1]}: {p.fact}", p.message) for p in wanted
                             if f"{order[-1]}: {p.fact}" not in {q.fact for q in problems}]
            continue
        name, score, why = _choose(rule, order, scored)
        decided[code] = (name, score, why)
        if score is not None:
            operands = tuple(s for _, s in scored)
            overrides[code] = (nodes[name][code], Step("final", code, operands, score, f"{name}: {why}"))
    if problems:
        raise FactsError(problems, unit=unit)
    final = ev.evaluate(merged, trace=trace, cohort=None, unit=unit, overrides=overrides)
    scores = {r: {code: node.score for code, node in nodes[r].items()} for r in order}
    rows = []
    for node in final:
        per_round = {r: scores[r].get(node.code) for r in order}
        start = per_round[order[0]] if order else None
        difference = (
            node.score - start if start is not None and node.score is not None and len(order) > 1 else None
        )
        crit = ev.criteria.get(node.code)
        by, _, why = decided.get(node.code, (None, None, ""))
        rows.append(Row(
            code=node.code, title=node.title, is_criterion=node.is_criterion, max=node.max,
            scores=FrozenMap(per_round), claims=FrozenMap(claims.get(node.code, {})),
            difference=difference,
            evidence=crit.evidence if crit else (), verifiers=crit.verifiers if crit else (),
            flags=tuple(flags.get(node.code, ())), final=node.score, decided_by=by, reason=why,
        ))
    return Submission(
        unit, FrozenMap(results), rule, tuple(rows), final,
        FrozenMap({r: FrozenMap(s) for r, s in scores.items()}),
    )
