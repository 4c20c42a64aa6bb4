"""Every example ruleset in docs/language.md and docs/ranking.md loads, and scores as the text says.

The rules for the documents (they are also stated at the top of each):

- A fenced block whose info string is ``thidua`` is a complete ruleset: it must load, and load
  without warnings unless the ``json`` block after it lists them; or, when that ``json`` block
  says ``"errors"``, it must be refused with exactly those errors.
- A block whose info string is ``thidua fragment`` is a piece of a ruleset and is not tested.
- A ``json`` block that follows a ``thidua`` block, with only blank lines between them, holds one
  case or a list of cases. A top-level object may also say ``"warnings": [...]`` (substrings of
  the expected warnings, one per warning, in any order) or ``"errors": [...]`` (the same, for the
  errors of a ruleset that must be refused). The kinds of case:

  ``{"facts": {...}, "expect": {...}}``
      ``rs.evaluate(facts)``. ``expect`` maps a criterion, group or section code to its score as
      a string (``null`` for a node that does not apply), or one of ``total``, ``standard``,
      ``bonus``, ``deductions``, ``adjustment``, ``applicable_max``, ``percentage`` to that figure of
      the result; ``"CODE standard"``, ``"CODE bonus"``, ``"CODE deduction"``, ``"CODE adjustment"``
      to that column of a node. Optional ``counted``: code -> whether its parent counts it.
      Scores compare as Decimals. With ``"cohort": {...}`` the aggregates are given by the caller
      (``rs.evaluate(facts, cohort=...)``).
  ``{"facts": {...}, "problems": [["fact", "substring"], ...]}``
      the facts are refused: ``FactsError`` lists exactly these problems, in this order.
  ``{"units": {"A": facts, ...}, "expect": {"A": {...}, ...}}``
      ``rs.evaluate_cohort(units)``; each unit's ``expect`` as above.
  ``{"rank": {"units": {...}, "expect": [["unit", position, "total", "award or null"], ...]}}``
      ``rs.rank(units)``: the standings in order. Optional: ``ties``, ``contested``,
      ``unfilled``, ``reserved``, ``passed_over``, ``notes`` (substrings per unit), ``rankings``
      (name -> ``[["unit", "group or null", position, [keys…]], ...]``, the named ranking in order;
      the keys may be left out).
  ``{"submission": {"rounds": {...}, "expect": {...}}}``
      ``rs.evaluate_submission(rounds)``: ``expect`` as above, on the final result. Optional:
      ``scores`` (code -> round -> score), ``decided_by`` (code -> round), ``difference``,
      ``totals`` (round -> total of each complete round), ``reason`` (code -> why that round),
      ``flags`` (the exact list), ``final_step`` (code -> ``[operands, value, note]`` of the
      last step of its trace, the ``final`` step).
  ``{"classify": {"name": "...", "units": {...}, "expect": [["unit", "band", "level or null"], ...]}}``
      ``rs.classify(name, units)``, in ranking order. Optional: ``quota_ties``, ``reasons``.
  ``{"classify_periods": {"name": "...", "periods": {"P": units, ...}, "expect": {"P": [...], ...}}}``
      ``rs.classify_periods(name, periods)``: each period's ``[unit, band, level]`` in ranking
      order. Optional: ``reasons`` (period -> unit -> substrings).
  ``{"periods": {"periods": {...}, "expect": {...}}}``
      ``rs.evaluate_periods(periods)``: codes and ``total``, ``standard``, ``bonus``,
      ``deductions`` of the roll-up. Optional: ``rollup`` (a named roll-up), ``counted``, ``cut``
      (code -> points cut), ``shares`` (code -> period -> that period's share). With
      ``problems`` instead of ``expect``, the periods are refused with these problems.
  ``{"cli": {"ruleset": "name.thidua", "files": {"name": content, ...}, "exit": [0, ...]}}``
      the ruleset is written to the file ``ruleset`` and each file of ``files`` (as JSON; a
      ``.csv`` file given as a string is written as that text) next to it, in an empty
      directory. The ``text`` block right after the ``json`` block is a shell session run there:
      each ``$ thidua …`` line is a command, and the lines up to the next command are its exact
      output (standard output, then the error stream), compared line by line without trailing
      spaces. ``exit`` lists the commands' exit statuses (all 0 if left out).
  ``{"header": {"document": ..., "dated": ..., "issuer": ..., ...}}``
      the fields of ``rs.header`` (``null`` for a part not given).

  In ``rank`` and ``classify`` a unit given as ``{"rounds": {...}}`` is a submission
  (``rs.evaluate_submission``), one given as ``{"periods": {...}, "rollup": "name"}`` a roll-up
  (``rs.evaluate_periods``, ``rollup`` optional); any other unit is its facts.
- Local links (``[…](#anchor)``, ``[…](ranking.md#anchor)``) must lead to a heading.

Each ruleset is loaded with blank lines in front of it, so that the line numbers in any message
are the line numbers in its document.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import thidua_rules as tr
from thidua_rules.cli import main as cli_main

DOCS = Path(__file__).resolve().parent.parent / "docs"
DOCUMENTS = ("language.md", "ranking.md", "units.md", "cli.md", "reports.md", "huong-dan.md")
#: The figures of a Result that ``expect`` may name besides node codes.
RESULT_FIGURES = ("total", "standard", "bonus", "deductions", "adjustment", "applicable_max", "percentage")
#: The columns of a node that ``expect`` may name after its code (``"1.2 bonus"``).
NODE_COLUMNS = ("standard", "bonus", "deduction", "adjustment")
#: The figures of a roll-up of periods that ``expect`` may name besides node codes.
ROLLUP_FIGURES = ("total", "standard", "bonus", "deductions")
#: The fewest examples with worked cases that each document must keep.
MIN_WORKED_EXAMPLES = {"language.md": 8, "ranking.md": 8, "units.md": 3, "cli.md": 1, "reports.md": 1,
                       "huong-dan.md": 1}
#: The keys that make a JSON object a case.
CASE_KEYS = ("facts", "units", "rank", "submission", "classify", "classify_periods", "periods", "cli", "header")

FENCE = re.compile(r"^(\s*)```(.*)$")


@dataclass(frozen=True)
class Block:
    """A fenced code block of a document: its info string, text and first line number."""

    info: str
    text: str
    line: int  # 1-based line of the block's first content line
    end: int  # 1-based line of the closing fence

    @property
    def words(self) -> list[str]:
        return self.info.split()


def read_blocks(text: str, source: str) -> list[Block]:
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
            raise AssertionError(f"{source}:{i + 1}: code block is never closed")
        blocks.append(Block(info, "\n".join(body) + "\n", i + 2, j + 1))
        i = j + 1
    return blocks


def _only_blank_between(lines: list[str], first: Block, second: Block) -> bool:
    # first.end is the closing fence of the first block; second.line - 1 is the opening fence.
    between = lines[first.end : second.line - 2]
    return all(not line.strip() for line in between)


@dataclass(frozen=True)
class Example:
    """A complete ruleset of a document and, if given, its worked cases."""

    document: str
    block: Block
    spec: dict[str, Any] | list[dict[str, Any]] | None
    #: The block right after the json block (the expected output of a ``cli`` case).
    after: Block | None = None

    @property
    def source(self) -> str:
        return f"docs/{self.document}"

    @property
    def id(self) -> str:
        return f"{self.document}:{self.block.line}"

    def cases(self) -> list[dict[str, Any]]:
        if self.spec is None:
            return []
        if isinstance(self.spec, list):
            return self.spec
        return [self.spec] if any(key in self.spec for key in CASE_KEYS) else []

    def expected(self, key: str) -> list[str]:
        if isinstance(self.spec, dict):
            return list(self.spec.get(key, []))
        return []

    @property
    def refused(self) -> bool:
        return isinstance(self.spec, dict) and "errors" in self.spec


def document_lines(document: str) -> tuple[str, list[str], list[Block]]:
    text = (DOCS / document).read_text(encoding="utf-8")
    return text, text.splitlines(), read_blocks(text, f"docs/{document}")


def read_examples(document: str) -> list[Example]:
    _text, lines, blocks = document_lines(document)
    examples = []
    for index, block in enumerate(blocks):
        if block.words[:1] != ["thidua"] or "fragment" in block.words[1:]:
            continue
        spec = None
        after = None
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
                    f"docs/{document}:{following.line + error.lineno - 1}: bad JSON: {error.msg}"
                ) from None
            third = blocks[index + 2] if index + 2 < len(blocks) else None
            if third is not None and _only_blank_between(lines, following, third):
                after = third
        examples.append(Example(document, block, spec, after))
    return examples


EXAMPLES = [example for document in DOCUMENTS for example in read_examples(document)]


def load(example: Example) -> tr.Ruleset:
    """Load the example so that messages carry the document's own line numbers."""
    padded = "\n" * (example.block.line - 1) + example.block.text
    return tr.loads(padded, source=example.source)


def figure(result: tr.Result, key: str) -> Decimal | None:
    if key in RESULT_FIGURES:
        value = getattr(result, key)
        assert value is None or isinstance(value, Decimal)
        return value
    code, _, column = key.partition(" ")
    if column:  # "1.2 bonus": one column of a node
        assert column in NODE_COLUMNS, f"unknown column {column!r} in {key!r}"
        value = getattr(result[code], column)
        assert value is None or isinstance(value, Decimal)
        return value
    return result[key].score


def check_figures(result: tr.Result, expect: dict[str, Any], where: str) -> None:
    for key, wanted in expect.items():
        got = figure(result, key)
        compare(got, wanted, f"{where}, {key}")


def compare(got: Decimal | None, wanted: str | None, where: str) -> None:
    if wanted is None:
        assert got is None, f"{where}: expected not applicable, got {got}"
    else:
        assert got is not None, f"{where}: expected {wanted}, got not applicable"
        assert got == Decimal(wanted), f"{where}: expected {wanted}, got {got}"


def units_of(rs: tr.Ruleset, units: dict[str, Any]) -> dict[str, Any]:
    """Units as ``rank`` and ``classify`` take them: ``{"rounds": …}`` becomes a Submission."""
    out: dict[str, Any] = {}
    for name, value in units.items():
        if isinstance(value, dict) and set(value) == {"rounds"}:
            out[name] = rs.evaluate_submission(value["rounds"], unit=name)
        elif isinstance(value, dict) and "periods" in value and set(value) <= {"periods", "rollup"}:
            out[name] = rs.evaluate_periods(value["periods"], rollup=value.get("rollup"))
        else:
            out[name] = value
    return out


def decimals(value: Any) -> Any:
    """JSON numbers of a case as exact Decimals, the way ``thidua score`` reads a file."""
    return json.loads(json.dumps(value), parse_float=Decimal)


# ---------------------------------------------------------------- the documents' shape


@pytest.mark.parametrize("document", DOCUMENTS)
def test_info_strings_are_thidua_or_thidua_fragment(document: str) -> None:
    """A typo such as ```thidua-fragment or ```thidua fragmnet would silently skip a test."""
    _text, _lines, blocks = document_lines(document)
    for block in blocks:
        if block.info.startswith("thidua"):
            assert block.words in (["thidua"], ["thidua", "fragment"]), (
                f"docs/{document}:{block.line - 1}: info string {block.info!r}; "
                'use "thidua" (a complete ruleset) or "thidua fragment"'
            )


@pytest.mark.parametrize("document", DOCUMENTS)
def test_enough_worked_examples(document: str) -> None:
    examples = [e for e in EXAMPLES if e.document == document]
    worked = [e for e in examples if e.cases() or e.refused]
    least = MIN_WORKED_EXAMPLES[document]
    assert len(examples) >= least
    assert len(worked) >= least, f"only {len(worked)} examples of {document} carry worked cases"


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_json_block_follows_a_complete_ruleset(document: str) -> None:
    """A json block of facts after a fragment (or after prose) would never be checked."""
    _text, lines, blocks = document_lines(document)
    for index, block in enumerate(blocks):
        if block.words[:1] != ["json"]:
            continue
        previous = blocks[index - 1] if index > 0 else None
        assert (
            previous is not None
            and previous.words == ["thidua"]
            and _only_blank_between(lines, previous, block)
        ), f"docs/{document}:{block.line - 1}: json block does not directly follow a ```thidua block"


def test_every_cli_case_is_followed_by_its_output() -> None:
    for example in EXAMPLES:
        if any("cli" in case for case in example.cases()):
            assert example.after is not None and example.after.words == ["text"], (
                f"{example.source}:{example.block.line}: a cli case needs its output in a ```text "
                "block right after the json block"
            )


def test_the_ranking_stub_points_to_its_document() -> None:
    text = (DOCS / "language.md").read_text(encoding="utf-8")
    heading = re.search(r"^## .*Ranking, awards and scoring rounds\s*$", text, re.MULTILINE)
    assert heading is not None
    assert "ranking.md" in text[heading.end() : heading.end() + 600]


def test_local_links_lead_to_headings() -> None:
    """``[x](#anchor)`` and ``[x](other.md#anchor)`` name a heading that exists."""
    anchors: dict[str, set[str]] = {}
    for document in DOCUMENTS:
        text = (DOCS / document).read_text(encoding="utf-8")
        found = set()
        for heading in re.findall(r"^#+ (.*)$", text, re.MULTILINE):
            slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
            found.add(slug)
        anchors[document] = found
    for document in DOCUMENTS:
        text = (DOCS / document).read_text(encoding="utf-8")
        for target, anchor in re.findall(r"\]\(((?:[a-z]+\.md)?)#([^)]+)\)", text):
            where = target or document
            assert anchor in anchors[where], f"docs/{document}: no heading for link {target}#{anchor}"


# ---------------------------------------------------------------- the examples themselves


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_example_loads(example: Example) -> None:
    if example.refused:
        with pytest.raises(tr.RulesetError) as info:
            load(example)
        diagnostics = info.value.diagnostics
        for severity, key in (("error", "errors"), ("warning", "warnings")):
            found = [f"{d.message}; {d.hint}" if d.hint else d.message for d in diagnostics
                     if d.severity == severity]
            wanted = example.expected(key)
            assert len(found) == len(wanted), (
                f"{example.source}:{example.block.line}: expected {len(wanted)} {key}, got {found}"
            )
            for substring in wanted:
                assert any(substring in message for message in found), (
                    f"{example.source}:{example.block.line}: no {severity} contains {substring!r}; got {found}"
                )
        return
    rs = load(example)
    expected = example.expected("warnings")
    found = [w.message for w in rs.warnings]
    assert len(found) == len(expected), (
        f"{example.source}:{example.block.line}: expected {len(expected)} warning(s), got:\n"
        + "\n".join(w.render() for w in rs.warnings)
    )
    for substring in expected:
        assert any(substring in message for message in found), (
            f"{example.source}:{example.block.line}: no warning contains {substring!r}; got {found}"
        )


WORKED = [e for e in EXAMPLES if e.cases()]


@pytest.mark.parametrize("example", WORKED, ids=[e.id for e in WORKED])
def test_example_cases(example: Example, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                       capsys: pytest.CaptureFixture[str]) -> None:
    rs = load(example)
    for number, case in enumerate(example.cases(), 1):
        where = f"{example.source}:{example.block.line}, case {number}"
        if "facts" in case:
            check_facts(rs, case, where)
        elif "units" in case:
            check_cohort(rs, case, where)
        elif "rank" in case:
            check_rank(rs, case["rank"], where)
        elif "submission" in case:
            check_submission(rs, case["submission"], where)
        elif "classify" in case:
            check_classify(rs, case["classify"], where)
        elif "classify_periods" in case:
            check_classify_periods(rs, case["classify_periods"], where)
        elif "periods" in case:
            check_periods(rs, case["periods"], where)
        elif "cli" in case:
            check_cli(example, case["cli"], where, tmp_path, monkeypatch, capsys)
        elif "header" in case:
            for key, wanted in case["header"].items():
                got = getattr(rs.header, key)
                assert got == wanted, f"{where}: header {key} is {got!r}, not {wanted!r}"
        else:
            raise AssertionError(f"{where}: a case needs one of {', '.join(CASE_KEYS)}")


def check_facts(rs: tr.Ruleset, case: dict[str, Any], where: str) -> None:
    assert set(case) <= {"facts", "expect", "cohort", "problems", "warnings", "counted"}, case
    if "problems" in case:
        with pytest.raises(tr.FactsError) as info:
            rs.evaluate(case["facts"], cohort=case.get("cohort"))
        got = [[p.fact, p.message] for p in info.value.problems]
        assert len(got) == len(case["problems"]), f"{where}: expected {case['problems']}, got {got}"
        for (fact, message), (wanted_fact, substring) in zip(got, case["problems"], strict=True):
            assert fact == wanted_fact and substring in message, (
                f"{where}: expected {wanted_fact}: …{substring}…, got {fact}: {message}"
            )
        return
    result = rs.evaluate(case["facts"], cohort=case.get("cohort"))
    fast = rs.evaluate(case["facts"], cohort=case.get("cohort"), trace=False)
    for got, path in ((result, "traced"), (fast, "untraced")):
        check_figures(got, case["expect"], f"{where} ({path})")
        for code, counted in case.get("counted", {}).items():
            assert got[code].counted is counted, f"{where} ({path}): {code} counted is {got[code].counted}"


def check_cohort(rs: tr.Ruleset, case: dict[str, Any], where: str) -> None:
    assert set(case) <= {"units", "expect"}, case
    results = rs.evaluate_cohort(case["units"])
    assert set(case["expect"]) <= set(results), f"{where}: unknown unit in {list(case['expect'])}"
    for unit, expect in case["expect"].items():
        check_figures(results[unit], expect, f"{where}, unit {unit}")


def check_rank(rs: tr.Ruleset, spec: dict[str, Any], where: str) -> None:
    known = {"units", "expect", "ties", "contested", "unfilled", "reserved", "passed_over", "notes", "rankings"}
    assert set(spec) <= known, spec
    standings = rs.rank(units_of(rs, spec["units"]))
    got = [[e.unit, e.position, e.total, e.award] for e in standings]
    assert len(got) == len(spec["expect"]), f"{where}: expected {spec['expect']}, got {got}"
    for (unit, position, total, award), wanted in zip(got, spec["expect"], strict=True):
        assert [unit, position, award] == [wanted[0], wanted[1], wanted[3]], (
            f"{where}: expected {wanted}, got {[unit, position, str(total), award]}"
        )
        assert total == Decimal(wanted[2]), f"{where}, {unit}: expected total {wanted[2]}, got {total}"
    if "ties" in spec:
        assert [list(t) for t in standings.ties] == spec["ties"], f"{where}: ties {standings.ties}"
    if "contested" in spec:
        got_contested = {k: list(v) for k, v in standings.contested.items()}
        assert got_contested == spec["contested"], f"{where}: contested {got_contested}"
    if "unfilled" in spec:
        assert dict(standings.unfilled) == spec["unfilled"], f"{where}: unfilled {dict(standings.unfilled)}"
    if "reserved" in spec:
        got_reserved = {k: [list(u), n] for k, (u, n) in standings.reserved.items()}
        assert got_reserved == spec["reserved"], f"{where}: reserved {got_reserved}"
    if "passed_over" in spec:
        got_passed = [[p.unit, p.award, list(p.reasons)] for p in standings.passed_over]
        assert got_passed == spec["passed_over"], f"{where}: passed over {got_passed}"
    for unit, substrings in spec.get("notes", {}).items():
        notes = standings[unit].notes
        for substring in substrings:
            assert any(substring in note for note in notes), f"{where}: no note of {unit} has {substring!r}: {notes}"
    assert set(spec.get("rankings", {})) <= set(standings.rankings), f"{where}: rankings {list(standings.rankings)}"
    for name, wanted_entries in spec.get("rankings", {}).items():
        got_named = [[e.unit, e.group, e.position, list(e.keys)] for e in standings.rankings[name]]
        assert len(got_named) == len(wanted_entries), f"{where}, {name}: got {got_named}"
        for (unit, group, position, keys), wanted in zip(got_named, wanted_entries, strict=True):
            assert [unit, group, position] == wanted[:3], f"{where}, {name}: expected {wanted}, got {got_named}"
            if len(wanted) > 3:
                assert keys == [None if k is None else Decimal(k) for k in wanted[3]], (
                    f"{where}, {name}, {unit}: keys {keys}, expected {wanted[3]}")


def check_submission(rs: tr.Ruleset, spec: dict[str, Any], where: str) -> None:
    known = {"rounds", "unit", "expect", "scores", "decided_by", "reason", "difference", "totals", "flags",
             "final_step"}
    assert set(spec) <= known, spec
    sub = rs.evaluate_submission(decimals(spec["rounds"]), unit=spec.get("unit"))
    check_figures(sub.final, spec.get("expect", {}), where)
    for code, per_round in spec.get("scores", {}).items():
        row = sub.row(code)
        assert list(row.scores) == list(per_round), f"{where}, {code}: rounds {list(row.scores)}"
        for name, wanted in per_round.items():
            compare(row.scores[name], wanted, f"{where}, {code} in {name}")
    for code, name in spec.get("decided_by", {}).items():
        assert sub.row(code).decided_by == name, f"{where}, {code}: decided by {sub.row(code).decided_by}"
    for code, wanted in spec.get("difference", {}).items():
        compare(sub.row(code).difference, wanted, f"{where}, difference of {code}")
    for name, wanted in spec.get("totals", {}).items():
        compare(sub.rounds[name].total, wanted, f"{where}, total of {name}")
    for code, reason in spec.get("reason", {}).items():
        assert sub.row(code).reason == reason, f"{where}, {code}: reason {sub.row(code).reason!r}"
    if "flags" in spec:
        assert list(sub.flags) == spec["flags"], f"{where}: flags {list(sub.flags)}"
    for code, (operands, value, note) in spec.get("final_step", {}).items():
        step = sub.final[code].trace[-1]
        got_step = [step.rule, [str(x) for x in step.operands], str(step.value), step.note]
        assert got_step == ["final", operands, value, note], f"{where}, {code}: last step {got_step}"


def check_classify(rs: tr.Ruleset, spec: dict[str, Any], where: str) -> None:
    assert set(spec) <= {"name", "units", "expect", "quota_ties", "reasons"}, spec
    classes = rs.classify(spec["name"], units_of(rs, spec["units"]))
    got = [[u.unit, u.band, u.level] for u in classes.units]
    assert got == spec["expect"], f"{where}: expected {spec['expect']}, got {got}"
    if "quota_ties" in spec:
        ties = {k: list(v) for k, v in classes.quota_ties.items()}
        assert ties == spec["quota_ties"], f"{where}: quota ties {ties}"
    for unit, substrings in spec.get("reasons", {}).items():
        reasons = classes[unit].reasons
        for substring in substrings:
            assert any(substring in r for r in reasons), f"{where}: no reason of {unit} has {substring!r}: {reasons}"


def check_classify_periods(rs: tr.Ruleset, spec: dict[str, Any], where: str) -> None:
    assert set(spec) <= {"name", "periods", "expect", "reasons"}, spec
    periods = {p: units_of(rs, units) for p, units in spec["periods"].items()}
    classes = rs.classify_periods(spec["name"], periods)
    got = {p: [[u.unit, u.band, u.level] for u in c.units] for p, c in classes.items()}
    assert got == spec["expect"], f"{where}: expected {spec['expect']}, got {got}"
    for period, per_unit in spec.get("reasons", {}).items():
        for unit, substrings in per_unit.items():
            reasons = classes[period][unit].reasons
            for substring in substrings:
                assert any(substring in r for r in reasons), f"{where}, {period}: {unit} has {reasons}"


def check_periods(rs: tr.Ruleset, spec: dict[str, Any], where: str) -> None:
    assert set(spec) <= {"periods", "rollup", "expect", "counted", "cut", "shares", "problems"}, spec
    if "problems" in spec:
        with pytest.raises(tr.FactsError) as info:
            rs.evaluate_periods(spec["periods"], rollup=spec.get("rollup"))
        got = [[p.fact, p.message] for p in info.value.problems]
        assert len(got) == len(spec["problems"]), f"{where}: expected {spec['problems']}, got {got}"
        for (fact, message), (wanted_fact, substring) in zip(got, spec["problems"], strict=True):
            assert fact == wanted_fact and substring in message, f"{where}: got {fact}: {message}"
        return
    rolled = rs.evaluate_periods(spec["periods"], rollup=spec.get("rollup"))
    for key, wanted in spec["expect"].items():
        got = getattr(rolled, key) if key in ROLLUP_FIGURES else rolled[key].score
        compare(got, wanted, f"{where}, {key}")
    if "counted" in spec:
        assert list(rolled.counted) == spec["counted"], f"{where}: counted {rolled.counted}"
    for code, wanted in spec.get("cut", {}).items():
        compare(rolled[code].cut, wanted, f"{where}, cut of {code}")
    for code, per_period in spec.get("shares", {}).items():
        assert list(rolled[code].shares) == list(per_period), f"{where}, shares of {code}: {rolled[code].shares}"
        for period, wanted in per_period.items():
            compare(rolled[code].shares[period], wanted, f"{where}, share of {code} in {period}")


def check_cli(example: Example, spec: dict[str, Any], where: str, tmp_path: Path,
              monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert set(spec) <= {"ruleset", "files", "exit"}, spec
    assert example.after is not None and example.after.words == ["text"], f"{where}: no output block"
    (tmp_path / spec["ruleset"]).write_text(example.block.text, encoding="utf-8")
    for name, content in spec.get("files", {}).items():
        # A .csv file is given as its text; every other file as the JSON it holds.
        text = content if name.endswith(".csv") and isinstance(content, str) else \
            json.dumps(content, ensure_ascii=False, indent=2)
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    session = session_of(example.after.text)
    statuses = spec.get("exit", [0] * len(session))
    assert len(statuses) == len(session), f"{where}: {len(session)} commands, {len(statuses)} exit statuses"
    for (command, wanted), status_wanted in zip(session, statuses, strict=True):
        words = shlex.split(command)
        assert words[0] == "thidua", f"{where}: {command!r} does not start with thidua"
        capsys.readouterr()
        status = cli_main(words[1:])
        out, err = capsys.readouterr()
        assert status == status_wanted, f"{where}: {command}: exit status {status}; error stream:\n{err}"
        got = [line.rstrip() for line in (out + err).rstrip("\n").splitlines()]
        assert got == wanted, f"{where}: {command}: output differs:\n" + "\n".join(got)


def session_of(text: str) -> list[tuple[str, list[str]]]:
    """A shell session: each ``$ command`` line and the lines of output after it."""
    session: list[tuple[str, list[str]]] = []
    for line in text.rstrip("\n").splitlines():
        if line.startswith("$ "):
            session.append((line[2:], []))
        else:
            assert session, f"output before the first command: {line!r}"
            session[-1][1].append(line.rstrip())
    for _command, lines in session:
        while lines and not lines[-1]:
            lines.pop()
    return session


# ---------------------------------------------------------------- the documents' own semantics
#
# Statements of docs/language.md that once were not honoured by the library; they are kept as
# regression tests.

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
