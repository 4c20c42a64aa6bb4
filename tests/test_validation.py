"""The generated facts validator accepts only what the wording validator accepts, with the same values."""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import thidua_rules as tr
from thidua_rules.evaluation.runtime import validate
from thidua_rules.testing import facts, invalid_facts

IDS = ["cum4-2023", "vpubnd-tayninh-2023"]


def _agree(rs: tr.Ruleset, unit: Any) -> bool:
    """Whether the quick validator agrees with ``validate``; True when it accepted ``unit``."""
    quick = rs.evaluator.quick(unit)
    values, defaults, problems = validate(rs.facts, unit)
    if quick is None:
        return False
    assert not problems, problems
    assert quick[0] == values and quick[1] == defaults
    assert all(type(quick[0][k]) is type(values[k]) for k in values)
    return True


@pytest.mark.parametrize("ruleset_id", IDS)
@settings(max_examples=40)
@given(data=st.data())
def test_valid_units_agree(ruleset_id: str, data: st.DataObject) -> None:
    rs = tr.rulesets.load(ruleset_id)
    _agree(rs, data.draw(facts(rs)))


@pytest.mark.parametrize("ruleset_id", IDS)
@settings(max_examples=40)
@given(data=st.data())
def test_a_unit_with_a_defect_is_left_to_the_wording_validator(ruleset_id: str, data: st.DataObject) -> None:
    rs = tr.rulesets.load(ruleset_id)
    unit, bad = data.draw(invalid_facts(rs))
    assert rs.evaluator.quick(unit) is None, bad


def test_the_common_unit_takes_the_quick_path_and_odd_spellings_do_not() -> None:
    rs = tr.rulesets.load("cum4-2023")
    unit = dict(tr.read_unit("examples/cum4-2023/bac-kan.json").rounds["appraised"]["facts"])
    plain = {k: (int(v) if isinstance(v, Decimal) and v == v.to_integral_value() and rs.facts[k].kind != "assessed"
                 else v) for k, v in unit.items()}
    assert _agree(rs, plain)
    level = plain["xep_loai_dang"]
    for odd in (level.upper(), unicodedata.normalize("NFD", level), f" {level} "):
        odd_unit = {**plain, "xep_loai_dang": odd}
        assert rs.evaluator.quick(odd_unit) is None  # folded by validate, to the same level
        assert rs.evaluate(odd_unit, trace=False).total == rs.evaluate(plain).total
    assert rs.evaluator.quick({**plain, "hang_dti": True}) is None  # a bool is not a rank
    assert rs.evaluator.quick({**plain, "khong_co": 1}) is None  # an unknown name
