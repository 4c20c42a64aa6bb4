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
    seen: set[str] = set()
    spans: dict[str | None, Span] = {}
    for decl in decls:
        if decl.name is None:
            continue
        if fold(decl.name) in seen:
            c.error(f'rollup "{decl.name}" is declared twice', decl.span)
            continue
        seen.add(fold(decl.name))
        c.rollups[decl.name] = attrs.evolve(_rollup(c, decl), name=decl.name)
        spans[decl.name] = _of_span(decl)
    if unnamed:
        c.rollup = _rollup(c, unnamed[0])
        spans[None] = _of_span(unnamed[0])
    _resolve_parts(c, spans)


def _of_span(decl: n.RollupDecl) -> Span:
    """Where a rollup names its parts (``of …``), for the errors about them."""
    return next((item.span for item in decl.items if item.kind == "of"), decl.span)


def _resolve_parts(c: Checker, spans: dict[str | None, Span]) -> None:
    """A rollup ``of`` others takes their periods, in order: each part a named rollup, no cycle,
    no period in two parts."""
    canonical = {fold(name): name for name in c.rollups}
    done: dict[str | None, tuple[str, ...] | None] = {}

    def periods_of(name: str | None, path: list[str | None]) -> tuple[str, ...] | None:
        spec = c.rollup if name is None else c.rollups[name]
        assert spec is not None
        if not spec.parts:
            return spec.periods
        if name in done:
            return done[name]
        if name in path:
            return None  # reported where the cycle closes
        out: list[str] = []
        parts: list[str] = []
        owner: dict[str, str] = {}
        for part in spec.parts:
            found = canonical.get(fold(part))
            if found is None:
                c.error(f'unknown rollup "{part}"', spans[name], suggest(part, list(c.rollups)))
                done[name] = None
                return None
            if found == name or found in path:
                cycle = " -> ".join(str(p) for p in [*path[path.index(found):], name, found]) if found in path \
                    else f"{name} -> {name}"
                c.error(f"rollups are made of each other in a cycle: {cycle}", spans[name])
                done[name] = None
                return None
            inner = periods_of(found, [*path, name])
            if inner is None:
                done[name] = None
                return None
            for period in inner:
                if fold(period) in owner:
                    c.error(f'period "{period}" is in both {owner[fold(period)]} and {found}', spans[name])
                owner[fold(period)] = found
            out += inner
            parts.append(found)
        done[name] = tuple(out)
        resolved = attrs.evolve(spec, periods=tuple(out), parts=tuple(parts))
        if name is None:
            c.rollup = resolved
        else:
            c.rollups[name] = resolved
        return done[name]

    for name in [*c.rollups, *([None] if c.rollup is not None else [])]:
        periods_of(name, [])


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
        if item.kind == "of":
            continue
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
    parts = tuple(str(p) for p in fields.get("of", ()))  # type: ignore[attr-defined]
    if parts and periods:
        c.error("a rollup lists its periods or the rollups it is made of (of …), not both", decl.span)
    elif parts and "missing" in fields:
        c.error("a rollup of rollups takes its missing periods from them: drop \"missing\"", decl.span)
    elif not periods and not parts:
        c.error("the rollup lists no periods", decl.span, 'add: periods "T1", "T2", …')
    combine = fields.get("combine", ("sum",))
    missing = fields.get("missing", ("error",))
    return Rollup(
        decl.title, tuple(periods), str(combine[0]), str(missing[0]),  # type: ignore[index]
        tuple(caps.items()), parts=parts,
    )
