"""The hand-written Cluster 4 scorer of the benchmarks agrees with thidua_rules (no timing here).

``benchmarks/handwritten_cum4.py`` scores the sheet of letter 1956/CTĐS4-STTTTTN in plain Python;
``benchmarks/run.py`` times thidua_rules against it, so the two must agree on every criterion,
section and total. The peer engines (``bench`` extra) are checked by ``benchmarks/run.py`` only.
"""

from __future__ import annotations

import random
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import thidua_rules as tr

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # ``benchmarks`` lives in the checkout, not in the installed package
    sys.path.insert(0, str(REPO))

from benchmarks import handwritten_cum4, units  # noqa: E402

SEED = 20230719
COUNT = 300


@pytest.fixture(scope="module")
def rs() -> tr.Ruleset:
    return tr.rulesets.load("cum4-2023")


@pytest.fixture(scope="module")
def sample() -> list[dict[str, object]]:
    return units.units(COUNT, SEED)


def _scores(result: tr.Result) -> dict[str, Decimal | None]:
    out: dict[str, Decimal | None] = {node.code: node.score for node in result}
    out.update(standard=result.standard, bonus=result.bonus, deductions=result.deductions, total=result.total)
    return out


def test_the_scorer_covers_every_node(rs: tr.Ruleset, sample: list[dict[str, object]]) -> None:
    hand = handwritten_cum4.score(sample[0])
    nodes = set(rs.evaluate(sample[0], trace=False).nodes)
    assert set(hand) == nodes | {"standard", "bonus", "deductions", "total"}
    assert set(handwritten_cum4.CRITERIA) == set(rs.criteria)


@pytest.mark.parametrize("trace", [True, False], ids=["trace", "no-trace"])
def test_hand_written_equals_thidua_rules(
    rs: tr.Ruleset, sample: list[dict[str, object]], trace: bool
) -> None:
    for i, facts in enumerate(sample):
        expected = handwritten_cum4.score(facts)
        got = _scores(rs.evaluate(facts, trace=trace))
        diff = {code: (expected[code], got.get(code)) for code in expected if expected[code] != got.get(code)}
        assert not diff, f"unit {i}: hand-written vs thidua_rules {diff}\nfacts: {facts}"


def test_the_sample_reaches_the_rules_boundaries(sample: list[dict[str, object]]) -> None:
    scores = [handwritten_cum4.score(facts) for facts in sample]
    for code, values in {
        "I.2": {0, 8, 10}, "II.1": {0, 5, 10}, "II.4": {2, 6, 8, 10}, "III.2": {0, 1, 2, 3},
        "IV.1": {0, 2, 3, 5}, "IV.3": {0, 1, 2, 3}, "VI.2": {0, 3},
    }.items():
        assert {s[code] for s in scores} >= {Decimal(v) for v in values}, code
    assert any(s["deductions"] > 0 for s in scores)
    assert any("II.2" not in f and f["so_vi_pham_mxh"] == 0 for f in sample)


def test_other_spellings_of_a_level(rs: tr.Ruleset) -> None:
    facts = units.unit(random.Random(SEED))
    facts["xep_loai_dang"] = "  HOÀN THÀNH TỐT nhiệm vụ "
    facts["xep_loai_doan"] = "Xua\u0302\u0301t sa\u0306\u0301c"  # NFD, capital X
    expected = handwritten_cum4.score(facts)
    assert (expected["III.2"], expected["III.3"]) == (Decimal(2), Decimal(3))
    assert _scores(rs.evaluate(facts)) == expected


def test_units_are_reproducible() -> None:
    assert units.units(5, SEED) == units.units(5, SEED)
    assert units.units(5, SEED) != units.units(5, SEED + 1)


def _other_types(value: object) -> object:
    """A judged score as a float, a count or rank as a Decimal; anything else unchanged."""
    if isinstance(value, Decimal):
        return float(value)
    if type(value) is int:
        return Decimal(value)
    return value


def test_other_number_types(rs: tr.Ruleset, sample: list[dict[str, object]]) -> None:
    for facts in sample[:50]:
        mixed = {key: _other_types(value) for key, value in facts.items()}
        expected = handwritten_cum4.score(facts)
        assert handwritten_cum4.score(mixed) == expected
        assert _scores(rs.evaluate(mixed, trace=False)) == expected
