"""Pass 7: the roll-up of period sheets."""

from __future__ import annotations

from decimal import Decimal

import attrs

from ..language import nodes as n
from ..model import Rollup
from ..source import Span, fold
from ..text import suggest
from .state import Checker


def check_rollup(c: Checker) -> None:
    """``rollup [NAME] ["title"] { periods …  combine sum|mean  missing error|zero|skip  cap CODE N }``.

    One unnamed roll-up at most (the default), and any number of named ones, each name once."""
    decls = [d for d in c.tree.decls if isinstance(d, n.RollupDecl)]
    unnamed = [d for d in decls if d.name is None]
    for extra in unnamed[1:]:
        c.error("a ruleset has one rollup at most", extra.span, "name the others: rollup nam \"Cả năm\" { … }")
    if unnamed:
        c.rollup = _rollup(c, unnamed[0])
    seen: set[str] = set()
    for decl in decls:
        if decl.name is None:
            continue
        if fold(decl.name) in seen:
            c.error(f'rollup "{decl.name}" is declared twice', decl.span)
            continue
        seen.add(fold(decl.name))
        c.rollups[decl.name] = attrs.evolve(_rollup(c, decl), name=decl.name)


def _rollup(c: Checker, decl: n.RollupDecl) -> Rollup:
    fields: dict[str, object] = {}
    caps: dict[str, Decimal] = {}
    periods: list[str] = []
    for item in decl.items:
        if item.kind == "cap":
            code, value, span = item.values
            assert isinstance(code, str) and isinstance(value, Decimal) and isinstance(span, Span)
            c.check_number(value, span)
            canonical = {fold(x): x for x in [*c.criteria, *c.groups]}
            if fold(code) not in canonical:
                c.error(f'unknown code "{code}"', span, suggest(code, [*c.criteria, *c.groups]))
                continue
            code = canonical[fold(code)]
            if code in caps:
                c.error(f'"{code}" has two roll-up caps', item.span)
            caps[code] = value
            continue
        if item.kind in fields:
            c.error(f'"{item.kind}" is given twice in the rollup', item.span)
        fields[item.kind] = item.values
        if item.kind == "periods":
            seen: set[str] = set()
            for period in item.values:
                assert isinstance(period, str)
                if fold(period) in seen:
                    c.error(f'period "{period}" is listed twice', item.span)
                seen.add(fold(period))
                periods.append(period)
        else:
            allowed = ("sum", "mean") if item.kind == "combine" else ("error", "zero", "skip")
            word = str(item.values[0])
            if word not in allowed:
                c.error(f'{item.kind} is {" or ".join(allowed)}, not "{word}"', item.span, suggest(word, allowed))
    if not periods:
        c.error("the rollup lists no periods", decl.span, 'add: periods "T1", "T2", …')
    combine = fields.get("combine", ("sum",))
    missing = fields.get("missing", ("error",))
    return Rollup(
        decl.title, tuple(periods), str(combine[0]), str(missing[0]),  # type: ignore[index]
        tuple(caps.items()),
    )
