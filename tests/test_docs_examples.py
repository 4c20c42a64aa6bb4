"""Every example ruleset in docs/language.md loads, and scores its worked facts as the text says.

The rules for the document (they are also stated at its top):

- A fenced block whose info string is ``thidua`` is a complete ruleset: it must load, and load
  without warnings unless the ``json`` block after it lists them.
- A block whose info string is ``thidua fragment`` is a piece of a ruleset and is not tested.
- A ``json`` block that follows a ``thidua`` block, with only blank lines between them, holds one
  case ``{"facts": {...}, "expect": {...}}`` or a list of such cases, and optionally
  ``"warnings": [...]`` (substrings of the expected warnings, one per warning, in any order).
  ``expect`` maps a criterion, group or section code to its score as a string (``null`` for a
  node that does not apply), or one of ``total``, ``standard``, ``bonus``, ``deductions``,
  ``applicable_max`` to that figure of the result. Scores compare as Decimals.

Each ruleset is loaded with blank lines in front of it, so that the line numbers in any message
are the line numbers in docs/language.md.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import thidua_rules as tr

DOC = Path(__file__).resolve().parent.parent / "docs" / "language.md"
SOURCE = "docs/language.md"
#: The figures of a Result that ``expect`` may name besides node codes.
RESULT_FIGURES = ("total", "standard", "bonus", "deductions", "applicable_max")
#: The fewest examples with worked facts that the document must keep.
MIN_WORKED_EXAMPLES = 8

FENCE = re.compile(r"^(\s*)```(.*)$")


@dataclass(frozen=True)
class Block:
    """A fenced code block of the document: its info string, text and first line number."""

    info: str
    text: str
    line: int  # 1-based line of the block's first content line
    end: int  # 1-based line of the closing fence

    @property
    def words(self) -> list[str]:
        return self.info.split()


def read_blocks(text: str) -> list[Block]:
    """The fenced blocks of a Markdown text, in order; an unclosed block is an error."""
    blocks: list[Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if opening is None:
            i += 1
            continue
        indent, info = opening.group(1), opening.group(2).strip()
        body: list[str] = []
        j = i + 1
        while j < len(lines) and lines[j].strip() != "```":
            line = lines[j]
            body.append(line[len(indent) :] if line.startswith(indent) else line)
            j += 1
        if j == len(lines):
            raise AssertionError(f"{SOURCE}:{i + 1}: code block is never closed")
        blocks.append(Block(info, "\n".join(body) + "\n", i + 2, j + 1))
        i = j + 1
    return blocks


@dataclass(frozen=True)
class Example:
    """A complete ruleset of the document and, if given, its worked facts."""

    block: Block
    spec: dict[str, Any] | list[dict[str, Any]] | None

    @property
    def id(self) -> str:
        return f"line-{self.block.line}"

    def cases(self) -> list[dict[str, Any]]:
        if self.spec is None:
            return []
        if isinstance(self.spec, list):
            return self.spec
        return [self.spec] if "facts" in self.spec else []

    def expected_warnings(self) -> list[str]:
        if isinstance(self.spec, dict):
            return list(self.spec.get("warnings", []))
        return []


def _only_blank_between(lines: list[str], first: Block, second: Block) -> bool:
    # first.end is the closing fence of the first block; second.line - 1 is the opening fence.
    between = lines[first.end : second.line - 2]
    return all(not line.strip() for line in between)


def read_examples() -> list[Example]:
    text = DOC.read_text(encoding="utf-8")
    lines = text.splitlines()
    blocks = read_blocks(text)
    examples = []
    for index, block in enumerate(blocks):
        if block.words[:1] != ["thidua"] or "fragment" in block.words[1:]:
            continue
        spec = None
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if (
            following is not None
            and following.words[:1] == ["json"]
            and _only_blank_between(lines, block, following)
        ):
            try:
                spec = json.loads(following.text)
            except json.JSONDecodeError as error:
                raise AssertionError(
                    f"{SOURCE}:{following.line + error.lineno - 1}: bad JSON: {error.msg}"
                ) from None
        examples.append(Example(block, spec))
    return examples


EXAMPLES = read_examples()


def load(example: Example) -> tr.Ruleset:
    """Load the example so that messages carry the document's own line numbers."""
    padded = "\n" * (example.block.line - 1) + example.block.text
    return tr.loads(padded, source=SOURCE)


def figure(result: tr.Result, key: str) -> Decimal | None:
    if key in RESULT_FIGURES:
        value = getattr(result, key)
        assert isinstance(value, Decimal)
        return value
    return result[key].score


# ---------------------------------------------------------------- the document's shape


def test_info_strings_are_thidua_or_thidua_fragment() -> None:
    """A typo such as ```thidua-fragment or ```thidua fragmnet would silently skip a test."""
    for block in read_blocks(DOC.read_text(encoding="utf-8")):
        if block.info.startswith("thidua"):
            assert block.words in (["thidua"], ["thidua", "fragment"]), (
                f"{SOURCE}:{block.line - 1}: info string {block.info!r}; "
                'use "thidua" (a complete ruleset) or "thidua fragment"'
            )


def test_enough_worked_examples() -> None:
    worked = [e for e in EXAMPLES if e.cases()]
    assert len(EXAMPLES) >= MIN_WORKED_EXAMPLES
    assert len(worked) >= MIN_WORKED_EXAMPLES, f"only {len(worked)} examples carry facts and expected scores"


def test_every_json_block_follows_a_complete_ruleset() -> None:
    """A json block of facts after a fragment (or after prose) would never be checked."""
    text = DOC.read_text(encoding="utf-8")
    lines = text.splitlines()
    blocks = read_blocks(text)
    for index, block in enumerate(blocks):
        if block.words[:1] != ["json"]:
            continue
        previous = blocks[index - 1] if index > 0 else None
        assert (
            previous is not None
            and previous.words == ["thidua"]
            and _only_blank_between(lines, previous, block)
        ), f"{SOURCE}:{block.line - 1}: json block does not directly follow a ```thidua block"


def test_the_ranking_stub_points_to_its_document() -> None:
    text = DOC.read_text(encoding="utf-8")
    heading = re.search(r"^## .*Ranking, awards and scoring rounds\s*$", text, re.MULTILINE)
    assert heading is not None
    assert "ranking.md" in text[heading.end() : heading.end() + 600]


# ---------------------------------------------------------------- the examples themselves


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_example_loads(example: Example) -> None:
    rs = load(example)
    expected = example.expected_warnings()
    found = [w.message for w in rs.warnings]
    assert len(found) == len(expected), (
        f"{SOURCE}:{example.block.line}: expected {len(expected)} warning(s), got:\n"
        + "\n".join(w.render() for w in rs.warnings)
    )
    for substring in expected:
        assert any(substring in message for message in found), (
            f"{SOURCE}:{example.block.line}: no warning contains {substring!r}; got {found}"
        )


WORKED = [e for e in EXAMPLES if e.cases()]


@pytest.mark.parametrize("example", WORKED, ids=[e.id for e in WORKED])
def test_example_scores(example: Example) -> None:
    rs = load(example)
    for number, case in enumerate(example.cases(), 1):
        assert set(case) <= {"facts", "expect", "warnings"}, case
        result = rs.evaluate(case["facts"])
        for key, wanted in case["expect"].items():
            got = figure(result, key)
            where = f"{SOURCE}:{example.block.line}, case {number}, {key}"
            if wanted is None:
                assert got is None, f"{where}: expected not applicable, got {got}"
            else:
                assert got is not None, f"{where}: expected {wanted}, got not applicable"
                assert got == Decimal(wanted), f"{where}: expected {wanted}, got {got}"


# ---------------------------------------------------------------- the document's own semantics
#
# Statements of docs/language.md that the library does not (yet) honour. Each test states the
# documented behaviour; it is marked xfail (strict) so that the suite passes today and fails the
# day the library is fixed, as a reminder to remove the mark.

DIVISION = """
ruleset "division" { total 10 }
fact a "a": count
fact b "b": count 1..
section I "S" max 10 { criterion I.1 "x" max 10 { score 10 * a / b } }
"""


@pytest.mark.parametrize(
    ("a", "b", "quotient"), [(1, 6, "1.67"), (2, 3, "6.67"), (7, 9, "7.78"), (47, 60, "7.83")]
)
def test_documented_inexact_division_is_rounded(a: int, b: int, quotient: str) -> None:
    """Section 8.2: an inexact quotient is rounded half up to the ruleset's rounding (2)."""
    result = tr.loads(DIVISION).evaluate({"a": a, "b": b})
    assert result["I.1"].score == Decimal(quotient)


def test_documented_comparison_row_covers_an_unbounded_count() -> None:
    """Section 9.1: a table whose rows cover every value needs no otherwise row."""
    tr.loads("""
    ruleset "count-table" { total 6 }
    fact so_vi_pham "Số vi phạm": count
    section I "S" max 6 {
        criterion I.1 "x" max 6 { score table so_vi_pham { 0: 6  1: 5  2: 3  >= 3: 0 } }
    }
    """)
