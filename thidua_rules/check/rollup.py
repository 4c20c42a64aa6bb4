"""Pass 7: the roll-up of period sheets."""

from __future__ import annotations

from decimal import Decimal

from ..language import nodes as n
from ..model import Rollup
from ..source import Span, fold
from ..text import suggest
from .state import Checker


def check_rollup(c: Checker) -> None:
    """``rollup { periods …  combine sum|mean  missing error|zero|skip  cap CODE N }``."""
    decls = [d for d in c.tree.decls if isinstance(d, n.RollupDecl)]
    for extra in decls[1:]:
        c.error("a ruleset has one rollup at most", extra.span)
    if not decls:
        return
    decl = decls[0]
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
    c.rollup = Rollup(
        decl.title, tuple(periods), str(combine[0]), str(missing[0]),  # type: ignore[index]
        tuple(caps.items()),
    )
