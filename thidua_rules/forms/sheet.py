"""The scoring form as data: what every rendering (text, Markdown, HTML, xlsx) shows.

One ``Sheet`` per unit, built from the ruleset and the unit's ``Submission``: header rows
(title, document, year, unit), one row per section, group and criterion with its STT, content,
max, each round's score, the final one, the difference, the evidence and the unit's
explanation, every flag (a max exceeded, a cap applied) and the assumptions beside their row.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from decimal import Decimal

import attrs

from ..evaluation.result import NodeResult, Result
from ..io.rulesets import available
from ..model import FactSpec
from ..reports.submission import Submission
from ..ruleset import Ruleset
from .explain import Words
from .locale import Lang, date, number, points
from .messages import flag


@attrs.frozen
class SheetRow:
    """One line of the form."""

    code: str
    title: str
    kind: str  # "section", "group" or "criterion"
    depth: int
    max: Decimal | None
    scores: tuple[Decimal | None, ...]  # one per column of ``Sheet.columns``
    final: Decimal | None
    difference: Decimal | None
    evidence: tuple[str, ...]
    explanation: str
    flags: tuple[str, ...]
    assumptions: tuple[str, ...]
    #: Whether the score is judged (typed on the form), not computed from facts.
    judged: bool


@attrs.frozen
class Total:
    """A totals line: its label and one figure per column (None: the round is partial)."""

    label: str
    values: tuple[Decimal | None, ...]
    final: Decimal | None


@attrs.frozen
class FactLine:
    """One input of the unit, as the form lists it below the table: name, label, kind, values."""

    name: str
    label: str
    kind: str  # "count", "rank", "boolean", a scale's name …
    what: str  # the kind with its bounds or levels, in words
    levels: tuple[str, ...]
    values: tuple[object, ...]  # one per column (None: not given)


@attrs.frozen
class Sheet:
    """A unit's scoring form, in one language."""

    lang: Lang
    ruleset: str
    title: str
    document: str
    year: str
    unit: str
    #: The rounds shown as columns: (name, label).
    columns: tuple[tuple[str, str], ...]
    #: Whether a final column is needed (the final score is not one complete round's).
    final_column: bool
    final_label: str
    rows: tuple[SheetRow, ...]
    totals: tuple[Total, ...]
    notes: tuple[str, ...]
    assumptions: tuple[str, ...]
    illustrative: bool
    facts: tuple[FactLine, ...] = ()


def ruleset_ref(rs: Ruleset) -> str:
    """How a form names its ruleset so that it can be loaded again: a shipped ruleset's id, or
    the path of the ruleset's file."""
    name = rs.source.name
    shipped = {s.id for s in available()}
    if rs.id in shipped and name == f"{rs.id}.thidua" and not os.path.exists(name):
        return rs.id
    return name


def words(rs: Ruleset) -> Words:
    """The labels and round labels a ruleset gives its explanations."""
    labels = {name: spec.label for name, spec in rs.facts.items() if spec.label}
    labels.update({name: d.label for name, d in rs.derived.items() if d.label})
    return Words(labels, {r.name: r.label for r in rs.rounds})


def document_line(rs: Ruleset, lang: Lang) -> str:
    """``Kèm theo văn bản số … ngày dd/mm/yyyy của …`` from the header's parts that are given."""
    h = rs.header
    vi = lang == "vi"
    parts = []
    if h.document or h.dated or h.issuer:
        parts.append("văn bản" if vi else "document")
    if h.document:
        parts.append(f"số {h.document}" if vi else h.document)
    if h.dated:
        parts.append(f"ngày {date(h.dated, lang)}" if vi else f"dated {h.dated}")
    if h.issuer:
        parts.append(f"của {h.issuer}" if vi else f"by {h.issuer}")
    if not parts:
        return ""
    return ("Kèm theo " if vi else "Attached to ") + " ".join(parts)


def _depth(rs: Ruleset, code: str) -> int:
    depth, parent = 0, _parent(rs, code)
    while parent is not None:
        depth += 1
        parent = _parent(rs, parent)
    return depth


def _parent(rs: Ruleset, code: str) -> str | None:
    if code in rs.criteria:
        return rs.criteria[code].parent
    if code in rs.groups:
        return rs.groups[code].parent
    return None


def cap_flags(node: NodeResult, lang: Lang, prefix: str = "") -> list[str]:
    """What the max, a cap, a floor or a bound did to a node's raw value, its own bonus and
    deduction columns, and whether its parent counts it, in words (nothing when nothing)."""
    vi = lang == "vi"
    if node.score is None:
        return []
    lead = f"{prefix}: " if prefix else ""
    flags: list[str] = []
    main = node.columns[0] if node.columns is not None else node.score
    adjustment = node.columns[3] if node.columns is not None else Decimal(0)
    raw = node.raw
    if raw is not None and raw > main:
        if node.is_criterion:
            top = node.max if node.max is not None else main
            flags.append(
                f"{points(raw, lang)} vượt điểm tối đa {points(top, lang)}, tính {points(main, lang)}"
                if vi
                else f"{points(raw, lang)} is above the max {points(top, lang)}: counted as {points(main, lang)}"
            )
        else:
            flags.append(
                f"tổng các mục {points(raw, lang)} vượt mức trần {points(main, lang)}, tính {points(main, lang)}"
                if vi
                else f"the items add up to {points(raw, lang)}, above the cap: counted as {points(main, lang)}"
            )
    elif raw is not None and raw < main:
        flags.append(
            (f"{points(raw, lang)} là số âm, tính {points(main, lang)}" if main == 0
             else f"{points(raw, lang)} thấp hơn mức sàn, tính {points(main, lang)}")
            if vi
            else f"{points(raw, lang)} is below its floor: counted as {points(main, lang)}"
        )
    if node.columns is not None and node.kind == "standard" and (node.columns[1] or node.columns[2]
                                                                 or node.is_criterion):
        _, bonus, deduction, _ = node.columns
        flags.append(
            f"chuẩn {points(main, lang)} + thưởng {points(bonus, lang)} − trừ {points(deduction, lang)}"
            if vi
            else f"standard {points(main, lang)} + bonus {points(bonus, lang)} − deduction {points(deduction, lang)}"
        )
    if adjustment:
        before = node.score - adjustment
        flags.append(
            f"giữ trong giới hạn của mục: {points(before, lang)} → {points(node.score, lang)}"
            if vi
            else f"kept within its bounds: {points(before, lang)} → {points(node.score, lang)}"
        )
    if not node.counted:
        flags.append("không tính vào tổng của mục trên" if vi else "not counted in its parent's sum")
    return [lead + text for text in flags]


def build_sheet(
    rs: Ruleset,
    sub: Submission,
    *,
    lang: Lang = "vi",
    explanations: Mapping[str, str] | None = None,
    illustrative: bool = False,
) -> Sheet:
    """The form of one unit's submission, in ``lang``."""
    vi = lang == "vi"
    labels = {r.name: r.label for r in rs.rounds}
    order = list(sub.round_scores)
    final_column = sub.final_round not in sub.rounds or len(sub.rounds) < len(order)
    final_label = "Điểm cuối cùng" if vi else "Final score"
    if not final_column:
        final_label = labels.get(sub.final_round, final_label)
    shown_rounds: list[tuple[str, Result]] = list(sub.rounds.items()) or [("", sub.final)]
    rows = []
    notes = dict(explanations or {})
    shown: set[str] = set()  # an assumption stands beside the first row it concerns, not its children too
    for row in sub.rows:
        criterion = rs.criteria.get(row.code)
        group = rs.groups.get(row.code)
        evidence = (*row.evidence, *((f"Xác minh: {v}" if vi else f"Verified by: {v}") for v in row.verifiers))
        flags = [flag(f, lang, labels) for f in row.flags]
        for name, result in shown_rounds:
            if row.code in result.nodes:
                prefix = labels.get(name, name) if len(shown_rounds) > 1 else ""
                flags += cap_flags(result[row.code], lang, prefix)
        own = tuple(
            a for a in (criterion.assumptions if criterion else group.assumptions if group else ()) if a not in shown
        )
        shown.update(own)
        kind = "criterion" if criterion else "section" if group and group.is_section else "group"
        rows.append(
            SheetRow(
                code=row.code,
                title=" ".join((row.title or "").split()),
                kind=kind,
                depth=_depth(rs, row.code),
                max=row.max,
                scores=tuple(row.scores.get(r) for r in order),
                final=row.final,
                difference=row.difference,
                evidence=tuple(evidence),
                explanation=notes.get(row.code, ""),
                flags=tuple(flags),
                assumptions=own,
                judged=bool(criterion) and row.code in rs.facts,
            )
        )
    totals = []
    adjusted = any(r.adjustment for r in sub.rounds.values()) or bool(sub.final.adjustment)
    for label, attr in (
        ("Điểm chuẩn" if vi else "Standard", "standard"),
        ("Điểm cộng" if vi else "Bonus", "bonus"),
        ("Điểm trừ" if vi else "Deductions", "deductions"),
        *((("Điều chỉnh theo giới hạn" if vi else "Adjusted by bounds", "adjustment"),) if adjusted else ()),
        ("Tổng cộng" if vi else "Total", "total"),
    ):
        values = tuple(getattr(sub.rounds[r], attr) if r in sub.rounds else None for r in order)
        totals.append(Total(label, values, getattr(sub.final, attr)))
    facts = fact_lines(rs, lang, [sub.rounds[r].facts if r in sub.rounds else {} for r in order])
    h = rs.header
    return Sheet(
        lang=lang,
        ruleset=ruleset_ref(rs),
        title=h.title or rs.id,
        document=document_line(rs, lang),
        year=str(h.year) if h.year else "",
        unit=sub.unit or "",
        columns=tuple((r, labels.get(r, r)) for r in order),
        final_column=final_column,
        final_label=final_label,
        rows=tuple(rows),
        totals=tuple(totals),
        notes=h.notes,
        assumptions=h.assumptions,
        illustrative=illustrative,
        facts=facts,
    )


_KINDS_VI = {
    "count": "số lượng (số nguyên ≥ 0)",
    "rank": "thứ hạng (số nguyên ≥ 1)",
    "boolean": "có / không",
    "number": "số",
    "percent": "tỷ lệ %",
    "assessed": "điểm chấm",
}
_KINDS_EN = {
    "count": "count (whole number ≥ 0)",
    "rank": "rank (whole number ≥ 1)",
    "boolean": "yes / no",
    "number": "number",
    "percent": "percentage",
    "assessed": "judged score",
}


def describe(spec: FactSpec, lang: Lang) -> str:
    """A fact's kind with its bounds or levels, as a reader needs it to fill the cell."""
    vi = lang == "vi"
    if spec.kind == "scale":
        return ("một trong: " if vi else "one of: ") + "; ".join(spec.levels)
    text = (_KINDS_VI if vi else _KINDS_EN).get(spec.kind, spec.kind)
    implied = (spec.kind == "count" and spec.low == 0) or (spec.kind == "rank" and spec.low == 1)
    if implied and spec.high is None:
        pass  # "≥ 0" / "≥ 1" is already said
    elif spec.low is not None and spec.high is not None:
        text += f", {number(spec.low, lang)}–{number(spec.high, lang)}"
    elif spec.high is not None:
        text += f", {'tối đa' if vi else 'at most'} {number(spec.high, lang)}"
    elif spec.low is not None:
        text += f", {'tối thiểu' if vi else 'at least'} {number(spec.low, lang)}"
    if spec.default is not None:
        default = number(spec.default, lang) if isinstance(spec.default, Decimal) else str(spec.default)
        text += f"; {'mặc định' if vi else 'default'} {default}"
    return text


def fact_lines(rs: Ruleset, lang: Lang, rounds: list[Mapping[str, object]]) -> tuple[FactLine, ...]:
    """The declared facts (judged scores are the criteria rows), each with its value per round."""
    return tuple(
        FactLine(
            name,
            spec.label or name,
            spec.scale or spec.kind,
            describe(spec, lang),
            spec.levels,
            tuple(r.get(name) for r in rounds),
        )
        for name, spec in rs.facts.items()
        if spec.kind != "assessed"
    )


def order_of(rs: Ruleset) -> list[str]:
    """Every section, group and criterion code in the sheet's order."""
    out: list[str] = []

    def walk(code: str) -> None:
        out.append(code)
        group = rs.groups.get(code)
        for child in group.children if group else ():
            walk(child)

    for root in rs.sections:
        walk(root)
    return out


def blank_sheet(rs: Ruleset, *, lang: Lang = "vi") -> Sheet:
    """The empty form of a ruleset (a template): every row and fact, no score."""
    vi = lang == "vi"
    labels = tuple((r.name, r.label) for r in rs.rounds) or (("", "Điểm" if vi else "Score"),)
    rows = []
    shown: set[str] = set()
    for code in order_of(rs):
        criterion, group = rs.criteria.get(code), rs.groups.get(code)
        own = tuple(
            a for a in (criterion.assumptions if criterion else group.assumptions if group else ()) if a not in shown
        )
        shown.update(own)
        evidence = (
            *(criterion.evidence if criterion else ()),
            *((f"Xác minh: {v}" if vi else f"Verified by: {v}") for v in (criterion.verifiers if criterion else ())),
        )
        title = criterion.title if criterion else (group.title if group else "") or ""
        top = criterion.max if criterion else group.max if group else None
        kind = "criterion" if criterion else "section" if group and group.is_section else "group"
        rows.append(
            SheetRow(
                code,
                " ".join(title.split()),
                kind,
                _depth(rs, code),
                top,
                tuple(None for _ in labels),
                None,
                None,
                evidence,
                "",
                (),
                own,
                bool(criterion) and code in rs.facts,
            )
        )
    h = rs.header
    return Sheet(
        lang=lang,
        ruleset=ruleset_ref(rs),
        title=h.title or rs.id,
        document=document_line(rs, lang),
        year=str(h.year) if h.year else "",
        unit="",
        columns=labels,
        final_column=False,
        final_label="",
        rows=tuple(rows),
        totals=(),
        notes=h.notes,
        assumptions=h.assumptions,
        illustrative=False,
        facts=fact_lines(rs, lang, [{} for _ in labels]),
    )
