"""Pass 1: the header (id, title, document, year, total, rounding, rounds, variants)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ..language import nodes as n
from ..model import Header, Round
from ..numbers import PLACES_LIMIT, plain
from ..source import Span
from ..text import suggest
from .state import FINAL_RULES, Checker


def check_header(c: Checker) -> None:
    h = c.tree.header
    values: dict[str, object] = {}
    notes: list[str] = []
    assumptions: list[str] = []
    for item in h.items:
        if isinstance(item, n.Annotation):
            if item.kind == "note":
                notes.append(item.text)
            elif item.kind == "assume":
                assumptions.append(item.text)
            elif item.kind == "allow_gap":
                c.gap_allowed[""] = item.text
            continue
        if item.kind in values:
            c.error(f'"{item.kind}" is given twice in the ruleset header', item.span)
            continue
        values[item.kind] = item.values
    if not h.id.strip():
        c.error("the ruleset id is empty", h.span)
    fields: dict[str, object] = {"notes": tuple(notes), "assumptions": tuple(assumptions)}
    if "title" in values:
        fields["title"] = values["title"][0]  # type: ignore[index]
    if "document" in values:
        parts: dict[str, str] = {}
        for part, text, span in values["document"]:  # type: ignore[attr-defined]
            if part in parts:
                c.error(f"the document's {part} is given twice", span)
            parts[part] = text
        if "dated" in parts:
            try:
                date.fromisoformat(parts["dated"])
            except ValueError:
                c.error(f'"{parts["dated"]}" is not a valid date', h.span)
        fields.update(document=parts.get("number"), dated=parts.get("dated"), issuer=parts.get("issuer"))
    if "year" in values:
        year = values["year"][0]  # type: ignore[index]
        if not 1900 <= year <= 2200:
            c.error(f"year {plain(year)} is out of range 1900..2200", _item_span(h, "year"))
        else:
            fields["year"] = int(year)
    if "total" in values:
        fields["total"] = values["total"][0]  # type: ignore[index]
        total_item = next(i for i in h.items if isinstance(i, n.HeaderItem) and i.kind == "total")
        c.check_number(fields["total"], total_item.span)  # type: ignore[arg-type]
    if "total_bounds" in values:
        bounds: dict[str, Decimal] = {}
        for bound in values["total_bounds"]:  # type: ignore[attr-defined]
            assert isinstance(bound, n.Bound)
            c.check_number(bound.value, bound.span)
            if bound.side in bounds:
                c.error(f'"at {bound.side}" is given twice for the total', bound.span)
            bounds[bound.side] = bound.value
        fields["total_low"], fields["total_high"] = bounds.get("least"), bounds.get("most")
        declared = fields.get("total")
        if "least" in bounds and isinstance(declared, Decimal) and bounds["least"] > declared:
            c.error(f'the total\'s "at least {bounds["least"]}" is above the declared total {declared}',
                    _item_span(h, "total_bounds"), "every unit would score more than the sheet gives")
        if "least" in bounds and "most" in bounds and bounds["least"] > bounds["most"]:
            c.error(f'the total\'s "at least {bounds["least"]}" is above its "at most {bounds["most"]}"',
                    _item_span(h, "total_bounds"))
    if "rounding" in values:
        places = values["rounding"][0]  # type: ignore[index]
        if not 0 <= places <= PLACES_LIMIT:
            c.error(f"rounding {plain(places)} is out of range 0..{PLACES_LIMIT}", _item_span(h, "rounding"))
        else:
            fields["rounding"] = int(places)
    c.header = Header(id=h.id, **fields)  # type: ignore[arg-type]
    rounds_item = next(
        (i for i in h.items if isinstance(i, n.HeaderItem) and i.kind == "rounds"), None
    )
    if rounds_item is None:
        c.rounds = (Round("self", "Điểm tự chấm"), Round("appraised", "Điểm thẩm định"))
        c.final_round = "appraised"
        return
    declared, final_value = rounds_item.values
    final = str(final_value) if final_value is not None else None
    seen: dict[str, Span] = {}
    for r in declared:  # type: ignore[attr-defined]
        if r.name in seen:
            c.error(f'round "{r.name}" is declared twice', r.span)
        seen[r.name] = r.span
    c.rounds = tuple(Round(r.name, r.label) for r in declared)  # type: ignore[attr-defined]
    if final is not None and final not in seen and final not in FINAL_RULES:
        c.error(
            f'unknown final round "{final}"', rounds_item.span,
            suggest(final, [*seen, *FINAL_RULES]) or "final is last, highest, lowest or a round's name",
        )
    c.final_round = final if final is not None else c.rounds[-1].name


def _item_span(h: n.Header, kind: str) -> Span:
    return next((i.span for i in h.items if isinstance(i, n.HeaderItem) and i.kind == kind), h.span)
