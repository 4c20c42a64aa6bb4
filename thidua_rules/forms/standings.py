"""The standings as data: positions, totals, awards, ties and notes, and each classification,
in one language, for every rendering."""

from __future__ import annotations

from decimal import Decimal

import attrs

from ..reports.classify import Classification
from ..reports.ranking import Standings
from ..ruleset import Ruleset
from .locale import Lang
from .messages import note, order_text


@attrs.frozen
class Line:
    """One unit's line of the standings."""

    position: int
    unit: str
    total: Decimal
    keys: tuple[Decimal, ...]
    award: str
    tied: bool
    notes: tuple[str, ...]


@attrs.frozen
class ClassLine:
    """One unit's class."""

    unit: str
    total: Decimal
    band: str
    level: str
    reasons: tuple[str, ...]


@attrs.frozen
class ClassTable:
    """One classification of the ruleset."""

    name: str
    title: str
    lines: tuple[ClassLine, ...]
    quota_ties: tuple[tuple[str, tuple[str, ...]], ...]


@attrs.frozen
class Board:
    """The standings of a cohort of units, in one language."""

    lang: Lang
    ruleset: str
    title: str
    year: str
    orders: tuple[str, ...]
    lines: tuple[Line, ...]
    contested: tuple[tuple[str, tuple[str, ...]], ...]
    unfilled: tuple[tuple[str, int], ...]
    classes: tuple[ClassTable, ...]


def build_board(
    rs: Ruleset, standings: Standings, classifications: tuple[Classification, ...] = (), *, lang: Lang = "vi"
) -> Board:
    """The board of ``standings`` (and the classifications given), in ``lang``."""
    titles = {a.name: a.title for a in rs.awards}
    lines = tuple(
        Line(
            e.position,
            e.unit,
            e.total,
            e.keys,
            e.award_title or "",
            bool(e.tied_with),
            tuple(note(n, lang) for n in e.notes),
        )
        for e in standings
    )
    classes = tuple(
        ClassTable(
            c.name,
            c.title or c.name,
            tuple(
                ClassLine(
                    u.unit,
                    u.total,
                    u.band,
                    u.level or ("không xếp loại" if lang == "vi" else "not classified"),
                    tuple(note(r, lang) for r in u.reasons),
                )
                for u in c.units
            ),
            tuple((level, units) for level, units in c.quota_ties.items()),
        )
        for c in classifications
    )
    orders = tuple(order_text(f"{d} {t}", lang) for d, t in rs.ranking) or (order_text("highest total", lang),)
    return Board(
        lang,
        rs.id,
        rs.title or rs.id,
        str(rs.header.year or ""),
        orders,
        lines,
        tuple((titles.get(k, k), v) for k, v in standings.contested.items()),
        tuple((titles.get(k, k), v) for k, v in standings.unfilled.items()),
        classes,
    )
