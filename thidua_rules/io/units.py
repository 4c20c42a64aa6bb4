"""Reading a unit's submission from a JSON or TOML file (numbers kept exact)."""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from ..errors import FactProblem, FactsError
from ..files import UnreadableFile, read_utf8
from ..text import suggest

#: The round name a single-round file's facts are given under: the ruleset's last round.
LAST_ROUND = "*"


@attrs.frozen
class UnitFile:
    """A unit's file: its name, the ruleset it is for, and its facts per round."""

    unit: str
    ruleset: str | None
    rounds: Mapping[str, Any]
    illustrative: bool
    path: str
    #: The unit's explanation (giải trình) per criterion code, shown beside its row on the form.
    explanations: Mapping[str, str] = attrs.field(factory=dict)


#: The keys of a unit file and what each must be (the shape docs/units.md describes).
TOP_KEYS = {
    "unit": "text", "ruleset": "text", "illustrative": "true or false", "note": "text",
    "rounds": "an object of round names to rounds", "facts": "an object of fact names to values",
    "claims": "an object of criterion codes to claimed scores",
    "explanations": "an object of criterion codes to the unit's explanation (giải trình)",
    "fields": "an object describing each fact (written by thidua template, not read)",
}
#: The keys of one round.
ROUND_KEYS = {"facts": "an object of fact names to values", "claims": "an object of criterion codes to claimed scores"}


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refusing a key given twice (json keeps the last one silently)."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    return "a number" if isinstance(value, int | float | Decimal) else type(value).__name__


def _fits(value: object, wanted: str) -> bool:
    if wanted == "text":
        return isinstance(value, str)
    if wanted == "true or false":
        return isinstance(value, bool)
    return isinstance(value, Mapping)


def _shape(content: Mapping[str, Any], name: str) -> list[FactProblem]:
    """Every way ``content`` departs from the unit-file shape: unknown keys, wrong types."""
    problems: list[FactProblem] = []

    def check(where: str, block: Mapping[str, Any], allowed: Mapping[str, str]) -> None:
        for key, value in block.items():
            path = f"{where}{key}"
            if key not in allowed:
                hint = suggest(key, allowed)
                known = ", ".join(f'"{k}"' for k in allowed)
                why = "unknown key" + (f"; {hint}" if hint else f" (known: {known})")
                problems.append(FactProblem(f"{name}: {path}", why))
            elif not _fits(value, allowed[key]):
                problems.append(FactProblem(f"{name}: {path}", f"must be {allowed[key]}, not {_kind(value)}"))

    check("", content, TOP_KEYS)
    explanations = content.get("explanations")
    if isinstance(explanations, Mapping):
        for code, text in explanations.items():
            if not isinstance(text, str):
                problems.append(FactProblem(f"{name}: explanations.{code}", f"must be text, not {_kind(text)}"))
    if "rounds" in content and ("facts" in content or "claims" in content):
        both = "facts" if "facts" in content else "claims"
        problems.append(FactProblem(
            f"{name}: {both}", 'give a unit\'s facts either in "rounds" or at the top with "facts", not both'
        ))
    if "claims" in content and "facts" not in content and "rounds" not in content:
        problems.append(FactProblem(f"{name}: claims", '"claims" go with "facts"'))
    rounds = content.get("rounds")
    if isinstance(rounds, Mapping):
        for round_name, block in rounds.items():
            where = f"rounds.{round_name}"
            if not isinstance(block, Mapping):
                problems.append(FactProblem(f"{name}: {where}", f'must be an object with "facts", not {_kind(block)}'))
                continue
            if "facts" not in block and "claims" not in block:
                # A round given as its facts alone; the ruleset checks each fact. No fact's value is
                # an object: such a key is a misspelt "facts" or "claims", or a mistake.
                for key, value in block.items():
                    if isinstance(value, Mapping):
                        hint = suggest(key, ROUND_KEYS)
                        why = "an object where a fact's value belongs" + (f"; {hint}" if hint else "")
                        problems.append(FactProblem(f"{name}: {where}.{key}", why))
                continue
            check(f"{where}.", block, ROUND_KEYS)
            if "facts" not in block:
                problems.append(FactProblem(f"{name}: {where}", '"claims" go with "facts"'))
    return problems


def read_unit(path: str | os.PathLike[str] | bytes) -> UnitFile:
    """Read ``{"unit": …, "ruleset": …, "rounds": {"self": {"facts": …}, …}}``.

    A file with ``"facts"`` (and ``"claims"``) instead of ``"rounds"`` is one round: the
    ruleset's last. JSON numbers are read as Decimal, never float; TOML floats likewise. A
    ``"ruleset"`` path is taken relative to the file's own folder. The shape is strict (see
    docs/units.md): an unknown or misspelt key, a value of the wrong type, a key given twice or
    both ``"facts"`` and ``"rounds"`` is a ``FactsError`` naming the key and the file.
    """
    if not isinstance(path, str | bytes | os.PathLike):
        raise FactsError([FactProblem(repr(path), "expected the path of a unit file")])
    name = os.fsdecode(path)
    try:
        text = read_utf8(name)
        if name.endswith(".toml"):
            content: Any = tomllib.loads(text, parse_float=Decimal)
        else:
            content = json.loads(text, parse_float=Decimal, parse_int=Decimal, object_pairs_hook=_no_duplicates)
    except UnreadableFile as error:
        why = "the file is not valid UTF-8" if error.line is not None else f"cannot read: {error.reason}"
        raise FactsError([FactProblem(name, why)]) from None
    except _DuplicateKey as error:
        raise FactsError([FactProblem(name, f'the key "{error.key}" is given twice in one object')]) from None
    except RecursionError:
        raise FactsError([FactProblem(name, "nested too deeply to be a unit file")]) from None
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise FactsError([FactProblem(name, f"not valid JSON: {error.msg} ({where})")]) from None
    except tomllib.TOMLDecodeError as error:
        # "Invalid value (at line 3, column 7)": the position as JSON's is written
        why = re.sub(r" \(at (line \d+, column \d+|end of document)\)$", r" (\1)", str(error))
        raise FactsError([FactProblem(name, f"not valid TOML: {why}")]) from None
    except (ValueError, ArithmeticError) as error:  # an integer past 4300 digits, an exponent past Decimal's
        raise FactsError([FactProblem(name, f"a number in the file cannot be read: {str(error)[:80]}")]) from None
    if not isinstance(content, Mapping):
        raise FactsError([FactProblem(name, "expected an object at the top level")])
    problems = _shape(content, name)
    if problems:
        raise FactsError(problems)
    unit = str(content.get("unit") or os.path.splitext(os.path.basename(name))[0])
    if "rounds" in content:
        rounds = content["rounds"]
    elif "facts" in content:
        rounds = {LAST_ROUND: {"facts": content["facts"], "claims": content.get("claims", {})}}
    else:
        raise FactsError([FactProblem(name, 'expected "rounds" or "facts"')])
    ruleset = content.get("ruleset")
    if isinstance(ruleset, str) and ruleset.endswith(".thidua") and not os.path.isabs(ruleset):
        ruleset = os.path.join(os.path.dirname(name), ruleset)
    return UnitFile(unit, str(ruleset) if ruleset else None, rounds, bool(content.get("illustrative")), name,
                    dict(content.get("explanations") or {}))
