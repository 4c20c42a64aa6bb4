"""Fuzzing unit files and facts (``thidua_rules.testing.inputs``): valid units for both shipped
rulesets, then each kind of damage, through ``read_unit`` + ``evaluate_submission``, through
``rs.evaluate`` and through the CLI. Every input is either refused with the library's own error,
naming what is wrong, or read with exactly the values it means (the module docstring says what
"the same value" is); no other exception, no hang, no score silently changed.

Sizes follow the hypothesis profile of tests/conftest.py: under "ci" each property draws a dozen
examples per kind and path (the file runs in about ten seconds); with
``THIDUA_HYPOTHESIS_PROFILE=nightly`` it draws 33 times more (400 per kind, path and ruleset:
24 000 damaged inputs). The nightly run of 10⁵ cases is
``python -m thidua_rules.testing.inputs --cases 100000``, which prints the counts per kind and
outcome and every distinct failure with its smallest case (about 11 minutes on one core).

Cases the library fails are kept, each marked ``xfail(strict=True)`` with the smallest reproducer
in its reason (a strict xfail that passes fails the run: then drop its mark, and its entry in
``KNOWN_BUGS``, which lets the properties pass over that one bug meanwhile).
"""

from __future__ import annotations

import decimal
import os
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO
from hypothesis import given, settings
from hypothesis import strategies as st

import thidua_rules as tr
from thidua_rules.testing import fuzzing, inputs
from thidua_rules.testing.inputs import FactsMutation, Mutation, Verdict

RULESET_IDS = ("cum4-2023", "vpubnd-tayninh-2023")
RULESETS = {rid: tr.rulesets.load(rid) for rid in RULESET_IDS}
BAC_KAN = REPO / "examples" / "cum4-2023" / "bac-kan.json"


def examples(share: int) -> int:
    """A share of the profile's examples per property: ci (60) gives 60 // share, nightly 2000 // share."""
    return max(2, settings().max_examples // share)


def _bac_kan_rounds() -> dict[str, Any]:
    return {name: dict(block) for name, block in tr.read_unit(BAC_KAN).rounds.items()}


def _as_python(facts: dict[str, Any]) -> dict[str, Any]:
    """Facts as an integrator passes them: whole numbers as ints, the others as Decimals."""
    return {k: int(v) if isinstance(v, Decimal) and v == v.to_integral_value() else v for k, v in facts.items()}


# ================================================================ open bugs (none now)

#: The library's open bugs, each recognised by its verdict (the property tests pass over exactly
#: these), with the strict xfail test that pins it. The five the fuzzer found are fixed (below).
KNOWN_BUGS: dict[str, Callable[[Verdict, Mutation | FactsMutation], bool]] = {}


def known_bug(verdict: Verdict, case: Mutation | FactsMutation) -> str | None:
    return next((name for name, matches in KNOWN_BUGS.items() if matches(verdict, case)), None)


def assert_behaved(verdict: Verdict, case: Mutation | FactsMutation) -> None:
    assert verdict.ok or known_bug(verdict, case), f"{verdict}\n{case!r}"


# ================================================================ the generators


@pytest.mark.parametrize("rid", RULESET_IDS)
def test_valid_unit_files_are_read_as_the_facts_they_encode(rid: str) -> None:
    rs = RULESETS[rid]

    @settings(max_examples=examples(3))
    @given(inputs.unit_files(rs))
    def run(unit: inputs.UnitCase) -> None:
        verdict = inputs.check_input(rs, unit.data, original_facts=unit.rounds, suffix=unit.suffix)
        assert verdict.outcome == "accepted_same", f"{verdict}\n{unit!r}"
        assert unit.format in ("json", "toml") and set(unit.rounds) <= {r.name for r in rs.rounds}

    run()


@settings(max_examples=examples(12))
@given(st.data())
def test_valid_unit_files_of_generated_rulesets_are_read_alike(data: st.DataObject) -> None:
    # Any ruleset: rounds and facts with Vietnamese names, defaults, aliases of levels, groups to claim.
    rs = tr.loads(data.draw(fuzzing.rulesets(), label="ruleset"))
    unit = data.draw(inputs.unit_files(rs), label="unit")
    verdict = inputs.check_input(rs, unit.data, original_facts=unit.rounds, suffix=unit.suffix)
    assert verdict.outcome == "accepted_same", f"{verdict}\n{unit!r}"
    damaged = data.draw(inputs.fact_mutations(rs), label="damaged facts")
    assert_behaved(inputs.check_facts(rs, damaged.facts, original_facts=damaged.expected), damaged)


@pytest.mark.parametrize("kind", inputs.MUTATION_KINDS)
def test_each_kind_damages_the_file(kind: str) -> None:
    rs = RULESETS["cum4-2023"]

    @settings(max_examples=examples(20))
    @given(inputs.mutations(rs, kinds=[kind]), inputs.fact_mutations(rs, kinds=[kind]))
    def run(damaged: Mutation, facts: FactsMutation) -> None:
        assert damaged.kind == facts.kind == kind and damaged.detail and facts.detail
        assert damaged.data != damaged.unit.data
        assert damaged.suffix == damaged.unit.suffix

    run()


def test_unknown_kinds_and_non_rulesets_are_refused() -> None:
    rs = RULESETS["cum4-2023"]
    with pytest.raises(tr.OptionError, match="unknown or no mutation kinds"):
        inputs.mutations(rs, kinds=["explode"])
    with pytest.raises(tr.OptionError, match="unknown or no mutation kinds"):
        inputs.fact_mutations(rs, kinds="nesting")
    with pytest.raises(tr.OptionError, match="expects a Ruleset"):
        inputs.unit_files("cum4-2023")  # type: ignore[arg-type]


# ================================================================ the properties, per kind


@pytest.mark.parametrize("kind", inputs.MUTATION_KINDS)
@pytest.mark.parametrize("rid", RULESET_IDS)
def test_damaged_unit_files_are_refused_or_read_alike(rid: str, kind: str) -> None:
    rs = RULESETS[rid]

    @settings(max_examples=examples(5))
    @given(inputs.mutations(rs, kinds=[kind]))
    def run(damaged: Mutation) -> None:
        verdict = inputs.check_input(rs, damaged.data, original_facts=damaged.expected, suffix=damaged.suffix)
        assert_behaved(verdict, damaged)

    run()


@pytest.mark.parametrize("kind", inputs.MUTATION_KINDS)
@pytest.mark.parametrize("rid", RULESET_IDS)
def test_damaged_facts_are_refused_or_read_alike(rid: str, kind: str) -> None:
    rs = RULESETS[rid]

    @settings(max_examples=examples(5))
    @given(inputs.fact_mutations(rs, kinds=[kind]))
    def run(damaged: FactsMutation) -> None:
        verdict = inputs.check_facts(rs, damaged.facts, original_facts=damaged.expected)
        assert_behaved(verdict, damaged)

    run()


@pytest.mark.parametrize("rid", RULESET_IDS)
def test_the_cli_on_damaged_files(rid: str) -> None:
    # In this process: `thidua score FILE` and `--json`, exit 0 or 1, never a traceback.
    rs = RULESETS[rid]

    @settings(max_examples=examples(3))
    @given(inputs.mutations(rs))
    def run(damaged: Mutation) -> None:
        verdict = inputs.check_cli(rs, damaged.data, original_facts=damaged.expected, suffix=damaged.suffix)
        assert_behaved(verdict, damaged)

    run()


def test_the_cli_in_a_process_refuses_invalid_utf8_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "hong.json"
    path.write_bytes(BAC_KAN.read_bytes().replace("hoàn thành".encode(), b"ho\xe0n th\xe0nh", 1))
    done = subprocess.run([sys.executable, "-m", "thidua_rules", "score", str(path), "--lang", "en"],
                          capture_output=True, timeout=120, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert done.returncode == 1 and b"Traceback" not in done.stderr + done.stdout
    assert b"not valid UTF-8" in done.stderr and str(path).encode() in done.stderr


# ================================================================ the oracle cannot pass vacuously


def _bac_kan_text(old: str, new: str, after: str = '"appraised"') -> str:
    text = BAC_KAN.read_text(encoding="utf-8")
    start = text.index(after)
    assert old in text[start:]
    return text[:start] + text[start:].replace(old, new, 1)


def test_the_oracle_reports_a_silently_changed_value() -> None:
    rs = RULESETS["cum4-2023"]
    original = _bac_kan_rounds()
    # 1 → 2 documents moves I.2; a rank 30 → 31 moves no score, but is another value all the same.
    for old, new, what in (('"so_van_ban_tham_muu": 1', '"so_van_ban_tham_muu": 2', "round scores.appraised.I.2"),
                           ('"hang_dti": 30', '"hang_dti": 31', "round facts.appraised.hang_dti")):
        verdict = inputs.check_input(rs, _bac_kan_text(old, new), original_facts=original)
        assert verdict.outcome == "changed" and what in verdict.detail, verdict
    same = inputs.check_input(rs, BAC_KAN.read_bytes(), original_facts=original)
    assert same.outcome == "accepted_same", same


def test_the_oracle_reports_accepting_what_must_be_refused() -> None:
    rs = RULESETS["cum4-2023"]
    verdict = inputs.check_input(rs, BAC_KAN.read_bytes(), original_facts=None)
    assert verdict.outcome == "accepted_invalid"
    facts = _bac_kan_rounds()["appraised"]["facts"]
    out_of_range = {**facts, "hang_dti": Decimal(10) ** 20}
    verdict = inputs.check_facts(rs, facts, original_facts=out_of_range)
    assert verdict.outcome == "accepted_invalid" and "out of range" in verdict.detail


def test_the_oracle_reports_escapes_hangs_and_empty_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    rs = RULESETS["cum4-2023"]
    original = _bac_kan_rounds()

    def raising(error: BaseException) -> Callable[[object], None]:
        def read_unit(path: object) -> None:
            raise error
        return read_unit

    def sleeping(path: object) -> None:
        import time
        time.sleep(30)

    cases: list[tuple[Callable[[object], None], str, str]] = [
        (raising(KeyError("facts")), "crash", "KeyError"),
        (raising(tr.FactsError([])), "bad_error", "listing no problem"),
        (raising(tr.FactsError([tr.FactProblem(" ", "unknown fact")])), "bad_error", "names nothing"),
        (raising(tr.EvaluationError("")), "bad_error", "empty message"),
        (sleeping, "hang", "0.3 s"),
    ]
    for fake, outcome, words in cases:
        monkeypatch.setattr(tr, "read_unit", fake)
        verdict = inputs.check_input(rs, BAC_KAN.read_bytes(), original_facts=original, time_limit=0.3)
        assert verdict.outcome == outcome and words in verdict.detail, verdict
    monkeypatch.setattr(tr, "read_unit", raising(tr.FactsError([tr.FactProblem("x.json", "not valid JSON")])))
    assert inputs.check_input(rs, b"{", original_facts=original).outcome == "refused"


def test_the_oracle_takes_a_unit_named_traceback_for_no_traceback() -> None:
    # Found by the nightly run: hypothesis named a unit "Traceback", which `thidua score` prints.
    rs = RULESETS["cum4-2023"]
    text = BAC_KAN.read_text(encoding="utf-8").replace('"Sở TTTT Bắc Kạn"', '"Traceback"')
    verdict = inputs.check_cli(rs, text, original_facts=_bac_kan_rounds())
    assert verdict.outcome == "accepted_same", verdict


def _outcomes(strategy: Any, check: Callable[[Any], Verdict], count: int = 30) -> list[Verdict]:
    found: list[Verdict] = []

    @settings(max_examples=count)
    @given(strategy)
    def run(case: Any) -> None:
        found.append(check(case))

    run()
    return found


def test_a_planted_lenient_shape_check_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    # The bug: read_unit forgets its strict shape, so a misspelt "claims" or "note" is dropped silently.
    import thidua_rules.io.units as units

    rs = RULESETS["cum4-2023"]
    monkeypatch.setattr(units, "_shape", lambda content, name: [])
    verdicts = _outcomes(inputs.mutations(rs, kinds=["key_misspelt"]), lambda m: inputs.check_input(
        rs, m.data, original_facts=m.expected, suffix=m.suffix))
    assert any(v.outcome == "accepted_invalid" for v in verdicts), [str(v) for v in verdicts]


def test_a_planted_decimal_comma_misreading_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    # The bug: text read as a number with its comma taken for a thousands separator ("2,5" is 25).
    import thidua_rules.evaluation.runtime as runtime

    number_of = runtime.number_of

    def lenient(value: object) -> Decimal | str:
        if isinstance(value, str):
            try:
                return Decimal(value.strip().replace(".", "").replace(",", ""))
            except decimal.InvalidOperation:
                pass
        return number_of(value)

    monkeypatch.setattr(runtime, "number_of", lenient)
    verdicts = []
    for rid in RULESET_IDS:
        rs = RULESETS[rid]
        verdicts += _outcomes(inputs.fact_mutations(rs, kinds=["decimal_comma"]), lambda m, rs=rs: inputs.check_facts(
            rs, m.facts, original_facts=m.expected))
    assert any(v.outcome == "changed" for v in verdicts), [str(v) for v in verdicts]


# ================================================================ found by the fuzzer, fixed since (regression tests)


# Was: read_unit lets decimal.InvalidOperation escape (and `thidua score` prints a traceback) for 'a
# number whose exponent is past what a Decimal holds: {"facts": {"hang_dti": 1e9999999999999999999}}
# ' in JSON, hang_dti = 1e-9999999999999999999 in TOML (Decimal(text) raises, it is no ValueError)
@pytest.mark.parametrize(("name", "text"), [
    ("u.json", '{"ruleset": "cum4-2023", "facts": {"hang_dti": 1e9999999999999999999}}'),
    ("u.toml", 'ruleset = "cum4-2023"\n[facts]\nhang_dti = 1e-9999999999999999999\n'),
])
def test_bug_a_number_past_decimals_range_in_a_unit_file(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(tr.FactsError, match=r"hang_dti|cannot be read"):
        tr.read_unit(path)


# Was: the same file through `thidua score` ends in a traceback of decimal.InvalidOperation, exit 1
def test_bug_a_number_past_decimals_range_through_the_command(tmp_path: Path) -> None:
    path = tmp_path / "u.json"
    path.write_text('{"ruleset": "cum4-2023", "facts": {"hang_dti": 1e9999999999999999999}}', encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "thidua_rules", "score", str(path)], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr[-400:]


def _nested(value: object, depth: int) -> object:
    for _ in range(depth):
        value = [value]
    return value


# Was: rs.evaluate({...facts, 'dan_chu_tot': [[…[True]…]]}) with 1000 lists (or a level so nested)
# raises RecursionError from check_value's message, which quotes repr(value), instead of FactsError
@pytest.mark.parametrize("fact", ["dan_chu_tot", "xep_loai_dang"])
def test_bug_a_deeply_nested_value_for_a_boolean_or_a_level(fact: str) -> None:
    rs = RULESETS["cum4-2023"]
    facts = _bac_kan_rounds()["appraised"]["facts"]
    with pytest.raises(tr.FactsError, match=fact):
        rs.evaluate({**facts, fact: _nested(True, 1000)})


# Was: the generated quick validator accepts a Decimal with more than 10 places when they are zeros
# (it tests v.quantize(1E-10) == v) where validate refuses it: {'I.1': Decimal('2.50000000000'),
# every other fact an int or a plain Decimal} is accepted, the same with
# so_van_ban_tham_muu=Decimal(1) is refu
def test_bug_the_quick_validator_accepts_more_than_ten_places() -> None:
    rs = RULESETS["cum4-2023"]
    facts = {**_as_python(_bac_kan_rounds()["appraised"]["facts"]), "I.1": Decimal("2.50000000000")}
    with pytest.raises(tr.FactsError, match="out of range"):
        rs.evaluate({**facts, "so_van_ban_tham_muu": Decimal(1)})  # the slow validator refuses it
    with pytest.raises(tr.FactsError, match="out of range"):
        rs.evaluate(facts)  # the quick one accepts it


# Was: an empty fact name is reported with an empty name: rs.evaluate({...facts, '': 1}) says '1
# problem(s) with the facts\\n : unknown fact' (FactProblem(fact='', …))
def test_bug_an_empty_fact_name_is_reported_as_nothing() -> None:
    rs = RULESETS["cum4-2023"]
    with pytest.raises(tr.FactsError) as caught:
        rs.evaluate({**_bac_kan_rounds()["appraised"]["facts"], "": 1})
    assert all(problem.fact.strip() for problem in caught.value.problems), caught.value.problems


# Was: claims' codes are read case-insensitively but not checked for twins:
# evaluate_submission({'appraised': {'facts': …, 'claims': {'I.1': 2, 'i.1': 3}}}) is accepted, the
# row keeps the claim 3 only (2 is dropped silently) and shows two flags
def test_bug_one_claim_given_twice_in_two_cases() -> None:
    rs = RULESETS["cum4-2023"]
    facts = _bac_kan_rounds()["appraised"]["facts"]
    with pytest.raises(tr.FactsError, match=r"I\.1|i\.1"):
        rs.evaluate_submission({"appraised": {"facts": facts, "claims": {"I.1": 2, "i.1": 3}}})


def test_the_known_bugs_are_each_pinned() -> None:
    names = {name for name in globals() if name.startswith("test_bug_")}
    assert set(KNOWN_BUGS) <= names


def test_the_nightly_runner_counts_per_kind_and_outcome(capsys: pytest.CaptureFixture[str]) -> None:
    code = inputs.main(["--cases", "40", "--ruleset", "cum4-2023", "--kind", "level_case", "--kind", "type_swap",
                        "--cli-every", "5", "--quiet"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "40 cases (4 of the file cases also through the CLI)" in out, out
    assert "level_case" in out and "type_swap" in out and "0 distinct failure(s)" in out
