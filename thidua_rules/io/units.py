"""Reading a unit's submission from a JSON or TOML file (numbers kept exact)."""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from ..errors import FactProblem, FactsError
from ..files import UnreadableFile, read_utf8

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


def read_unit(path: str | os.PathLike[str]) -> UnitFile:
    """Read ``{"unit": …, "ruleset": …, "rounds": {"self": {"facts": …}, …}}``.

    A file with ``"facts"`` (and ``"claims"``) instead of ``"rounds"`` is one round: the
    ruleset's last. JSON numbers are read as Decimal, never float; TOML floats likewise. A
    ``"ruleset"`` path is taken relative to the file's own folder.
    """
    name = os.fspath(path)
    try:
        text = read_utf8(name)
        if name.endswith(".toml"):
            content: Any = tomllib.loads(text, parse_float=Decimal)
        else:
            content = json.loads(text, parse_float=Decimal)
    except UnreadableFile as error:
        why = "the file is not valid UTF-8" if error.line is not None else f"cannot read: {error.reason}"
        raise FactsError([FactProblem(name, why)]) from None
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as error:
        kind = "TOML" if name.endswith(".toml") else "JSON"
        raise FactsError([FactProblem(name, f"not valid {kind}: {error}")]) from None
    if not isinstance(content, Mapping):
        raise FactsError([FactProblem(name, "expected an object at the top level")])
    unit = str(content.get("unit") or os.path.splitext(os.path.basename(name))[0])
    if "rounds" in content:
        rounds = content["rounds"]
        if not isinstance(rounds, Mapping):
            raise FactsError([FactProblem(name, '"rounds" must map round names to facts')])
    elif "facts" in content:
        rounds = {LAST_ROUND: {"facts": content["facts"], "claims": content.get("claims", {})}}
    else:
        raise FactsError([FactProblem(name, 'expected "rounds" or "facts"')])
    ruleset = content.get("ruleset")
    if isinstance(ruleset, str) and ruleset.endswith(".thidua") and not os.path.isabs(ruleset):
        ruleset = os.path.join(os.path.dirname(name), ruleset)
    return UnitFile(unit, str(ruleset) if ruleset else None, rounds, bool(content.get("illustrative")), name)
