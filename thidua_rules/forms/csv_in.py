"""Many units from one spreadsheet exported as CSV: a row per unit, a column per fact.

The header names each column by its fact's name (``so_van_ban_tham_muu``), its label
(``Số văn bản tham mưu được ban hành (I.2)``) or, for a judged score, its criterion code
(``I.1``), compared without case or accents. One column names the unit (``Đơn vị`` or
``unit``); an optional ``Vòng`` (``round``) column names the round (by name or label), so a unit
may have one row per round. Rows whose first cell starts with ``#`` are comments (a template's
labels). Cells may use a decimal comma (``4,5``); yes/no facts read ``có``/``không``. Every bad
cell and header is reported, with its line and column, in one ``FactsError``.
"""

from __future__ import annotations

import csv
import io
import os
from typing import Any

from ..errors import FactProblem, FactsError
from ..files import UnreadableFile, read_utf8
from ..io.units import LAST_ROUND, UnitFile
from ..ruleset import Ruleset
from ..source import fold, nfc, visible
from ..text import suggest
from .xlsx import cell_fact

UNIT_HEADS = {fold(h) for h in ("đơn vị", "tên đơn vị", "unit")}
ROUND_HEADS = {fold(h) for h in ("vòng", "vòng chấm", "round")}


def _letter(index: int) -> str:
    """A spreadsheet's column letter for a 0-based index (0 → A, 26 → AA)."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


def read_units_csv(path: str | os.PathLike[str], rs: Ruleset) -> list[UnitFile]:
    """Every unit of a CSV file, for ``rs``; each unit's ``path`` is ``file:line``."""
    name = os.fspath(path)
    try:
        text = read_utf8(name)
    except UnreadableFile as error:
        why = "the file is not valid UTF-8" if error.line is not None else f"cannot read: {error.reason}"
        raise FactsError([FactProblem(name, why)]) from None
    try:
        dialect: Any = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    lines = [(i, row) for i, row in enumerate(rows, 1) if any(c.strip() for c in row)]
    if not lines:
        raise FactsError([FactProblem(name, "the file is empty")])
    head_line, head = lines[0]
    problems: list[FactProblem] = []
    names = {fold(n): n for n in rs.facts} | {fold(s.label): n for n, s in rs.facts.items() if s.label}
    rounds = {fold(r.name): r.name for r in rs.rounds} | {fold(r.label): r.name for r in rs.rounds}
    columns: dict[int, str] = {}
    unit_col = round_col = None
    seen: dict[str, str] = {}
    for i, cell in enumerate(head):
        title = visible(nfc(cell)).strip()
        key = fold(title)
        where = f"{name}:{head_line}: column {_letter(i)} ({title or 'empty'})"
        if key in UNIT_HEADS and unit_col is None:
            unit_col = i
        elif key in ROUND_HEADS and round_col is None:
            round_col = i
        elif key in names:
            fact = names[key]
            if fact in seen:
                problems.append(FactProblem(where, f"the fact {fact} is also column {seen[fact]}"))
            seen[fact] = _letter(i)
            columns[i] = fact
        elif title:
            hint = suggest(title, [*rs.facts, *(s.label for s in rs.facts.values() if s.label)])
            problems.append(FactProblem(where, "unknown fact" + (f"; {hint}" if hint else "")))
    if unit_col is None:
        problems.append(FactProblem(f"{name}:{head_line}", 'no column names the unit (header "Đơn vị" or "unit")'))
    units: dict[str, dict[str, Any]] = {}
    where_of: dict[str, str] = {}
    for line, row in lines[1:]:
        if row and row[0].lstrip().startswith("#"):
            continue
        unit = nfc(row[unit_col]).strip() if unit_col is not None and unit_col < len(row) else ""
        if unit_col is not None and not unit:
            problems.append(FactProblem(f"{name}:{line}: column {_letter(unit_col)}", "the unit's name is empty"))
            continue
        round_name = LAST_ROUND
        if round_col is not None and round_col < len(row) and row[round_col].strip():
            given = row[round_col].strip()
            if fold(given) not in rounds:
                hint = suggest(given, [r.label for r in rs.rounds]) or "rounds: " + ", ".join(
                    r.label for r in rs.rounds
                )
                problems.append(
                    FactProblem(f"{name}:{line}: column {_letter(round_col)}", f'unknown round "{given}"; {hint}')
                )
                continue
            round_name = rounds[fold(given)]
        facts: dict[str, object] = {}
        for i, column in columns.items():
            cell = row[i].strip() if i < len(row) else ""
            if not cell:
                continue
            got, bad = cell_fact(cell, rs.facts[column].kind)
            if bad is not None:
                problems.append(FactProblem(f"{name}:{line}: column {_letter(i)} ({column})", bad))
            else:
                facts[column] = got
        # the values read are checked here too (a negative count, a level off the scale …), so
        # every bad cell of the file is reported at once, each with its line and column
        letters = {column: _letter(i) for i, column in columns.items()}
        for found in rs.evaluator.validate(facts)[2]:
            where = f"{name}:{line}: column {letters[found.fact]} ({found.fact})" if found.fact in letters \
                else f"{name}:{line} ({found.fact})"
            problems.append(FactProblem(where, found.message))
        key = fold(unit)
        block = units.setdefault(key, {"unit": unit, "rounds": {}})
        if round_name in block["rounds"]:
            problems.append(
                FactProblem(
                    f"{name}:{line}", f'the unit "{unit}" is given twice (also line {where_of[key + round_name]})'
                )
            )
            continue
        block["rounds"][round_name] = {"facts": facts}
        where_of[key + round_name] = str(line)
    if problems:
        raise FactsError(problems)
    return [
        UnitFile(u["unit"], rs.id, u["rounds"], False, f"{name}:{where_of[k + next(iter(u['rounds']))]}")
        for k, u in units.items()
    ]
