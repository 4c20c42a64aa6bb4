"""Ruleset test files (TOML): the shipped rulesets' files pass, collected by pytest through
``thidua_rules.testing.ruleset_tests``; ``thidua test`` prints one line per failure; every
problem with a file is a failure line, never a traceback."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

import thidua_rules as tr
from thidua_rules import cli
from thidua_rules.testing import ruleset_tests

REPO = Path(__file__).resolve().parent.parent
FILES = sorted((REPO / "tests" / "rulesets").glob("*.test.toml"))


@pytest.mark.parametrize("case", [c for f in FILES for c in ruleset_tests(f)], ids=lambda c: c.id)
def test_shipped_ruleset_case(case: tr.RulesetCase) -> None:
    assert case.run() == []


def test_every_shipped_ruleset_has_a_test_file() -> None:
    tested = {tomllib.loads(f.read_text(encoding="utf-8"))["ruleset"] for f in FILES}
    assert tested == {s.id for s in tr.rulesets.available()}


def test_thidua_test_passes_on_the_shipped_files(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["test", *map(str, FILES)]) == 0
    assert capsys.readouterr().out == f"ok: {len(FILES)} test file(s)\n"


FAILING = '''ruleset = "cum4-2023"

[[unit]]
name = "Sai"
file = "{examples}/thai-nguyen.json"
[unit.expect]
"I.2" = 12        # wrong on purpose: 2 × 7 = 14 is capped at 10
total = 98.5
rank = 2          # wrong on purpose: alone, it is first
"I.22" = 1
award = "co"
"II.1" = "mười"
'''


def test_a_failing_file_gives_one_line_per_failure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "sai.test.toml"
    path.write_text(FAILING.format(examples=REPO / "examples" / "cum4-2023"), encoding="utf-8")
    assert cli.main(["test", str(path)]) == 1
    out = capsys.readouterr()
    assert out.out.splitlines() == [
        f'{path}: unit "Sai": I.2: expected 12, got 10'
        " (first step giving 10: I.2: 14 kept within [0, 10]: 10 (capped at max 10))",
        f'{path}: unit "Sai": rank: expected 2, got 1',
        f'{path}: unit "Sai": I.22: expected 1, got no such row (did you mean "I.2"?)',
        f'{path}: unit "Sai": award: expected co, got ""',
        f'{path}: unit "Sai": II.1: expected mười, got — (expected a number, such as 10 or 4.5)',
    ]
    assert out.err == "5 failure(s)\n"


def test_problems_with_the_file_are_failures(tmp_path: Path) -> None:
    bad = tmp_path / "bad.test.toml"
    bad.write_text('ruleset = "cum4-2032"\n[[unit]]\nname = "A"\nfacts = {}\n[unit.expect]\ntotal = 1\n',
                   encoding="utf-8")
    (failure,) = tr.run_ruleset_tests([bad])
    assert failure.unit == "—" and 'no shipped ruleset "cum4-2032"' in failure.got
    broken = tmp_path / "broken.test.toml"
    broken.write_text("ruleset = \n", encoding="utf-8")
    (failure,) = tr.run_ruleset_tests([broken])
    assert failure.got.startswith("cannot read the test file: ")
    missing_facts = tmp_path / "facts.test.toml"
    missing_facts.write_text('ruleset = "cum4-2023"\n[[unit]]\nname = "A"\nfacts = { so_van_ban_tham_muu = 1 }\n'
                             '[unit.expect]\ntotal = 1\n', encoding="utf-8")
    (failure,) = tr.run_ruleset_tests([missing_facts])
    assert failure.unit == "A" and "problem(s) with the facts" in failure.got
    assert "Traceback" not in failure.line()
