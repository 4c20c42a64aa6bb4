"""The rulesets shipped with the library, by id."""

from __future__ import annotations

import functools
from pathlib import Path

import attrs

from ..errors import Diagnostic, RulesetError
from ..files import packaged, read_utf8
from ..ruleset import Ruleset, loads
from ..text import suggest


@attrs.frozen
class Shipped:
    """A shipped ruleset's id, title and year, without loading it."""

    id: str
    title: str | None
    year: int | None


def _files() -> dict[str, Path]:
    return {path.stem: path for path in sorted(packaged("rulesets").glob("*.thidua"))}


def available() -> list[Shipped]:
    """The shipped rulesets, sorted by id."""
    out = []
    for ident in _files():
        rs = load(ident)
        out.append(Shipped(rs.id, rs.title, rs.header.year))
    return out


def load(ruleset_id: str) -> Ruleset:
    """The compiled shipped ruleset ``ruleset_id`` (e.g. ``"cum4-2023"``); built once."""
    if not isinstance(ruleset_id, str):
        raise RulesetError([Diagnostic("error", f"a shipped ruleset's id is text, not {type(ruleset_id).__name__}",
                                       None, "ids: " + ", ".join(_files()))])
    return _load(ruleset_id)


@functools.cache
def _load(ruleset_id: str) -> Ruleset:
    files = _files()
    path = files.get(ruleset_id)
    if path is None:
        hint = suggest(ruleset_id, files)
        raise RulesetError([Diagnostic("error", f'no shipped ruleset "{ruleset_id}"', None, hint)])
    rs = loads(read_utf8(str(path)), source=f"{ruleset_id}.thidua", cache=True)
    if rs.id != ruleset_id:
        raise RulesetError([Diagnostic("error", f'{path.name} declares id "{rs.id}"', None)])
    return rs


#: Clears the cache of compiled shipped rulesets (benchmarks time a cold load with it).
load.cache_clear = _load.cache_clear  # type: ignore[attr-defined]
