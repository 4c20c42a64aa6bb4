"""The semantic difference of two rulesets, and its impact on units.

``diff(old, new)`` compares two checked rulesets row by row, by code: rows added, removed, moved
(a new parent, or a new place among the siblings both have), renamed (same code with a new title,
or a row removed and one added with the same title); a changed max, kind or applicability; a
changed rule, shown before and after in the language's canonical text; header changes; facts
added and removed. A ruleset's diff against itself is empty.

``impact(old, new, units)`` scores each unit under both and ranks them under both: each unit's
total and rank before and after, and the rows whose score changed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from ..evaluation.evaluator import Evaluator
from ..evaluation.result import jsonable
from ..language.printer import print_expr
from ..model import Criterion, Group, Header
from ..numbers import plain
from ..source import fold
from .ranking import rank
from .submission import Submission, evaluate_submission

__all__ = ["Difference", "Impact", "RulesetDiff", "UnitImpact", "diff", "impact"]

#: The header fields a diff compares, in the order it reports them.
_HEADER_FIELDS = ("id", "title", "document", "dated", "issuer", "year", "total", "total_low", "total_high",
                  "rounding", "variants", "total_by")


@attrs.frozen
class Difference:
    """One difference: what changed (``what``), about which code or header field, before and after."""

    #: "header", "added", "removed", "moved", "renamed", "recoded", "max", "cap", "kind",
    #: "applicable", "rule", "bounds", "counted", "choose", "floor", "bonus", "deduction",
    #: "fact added" or "fact removed".
    what: str
    code: str
    before: str | None = None
    after: str | None = None

    def line(self) -> str:
        """The change as one line of text (a rule's before and after on lines of their own)."""
        return change_line(self, ENGLISH)

    def to_dict(self) -> dict[str, Any]:
        return {"what": self.what, "code": self.code, "before": self.before, "after": self.after}


@attrs.frozen
class RulesetDiff:
    """Every difference between two rulesets, header first, then rows in the new sheet's order."""

    old: str
    new: str
    changes: tuple[Difference, ...]

    def __bool__(self) -> bool:
        return bool(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def text(self) -> str:
        """One line per change (a rule's before and after on lines of their own)."""
        return diff_text(self, ENGLISH)

    def markdown(self) -> str:
        """A Markdown table of the changes; rules in code spans."""
        return diff_markdown(self, ENGLISH)

    def to_dict(self) -> dict[str, Any]:
        return {"old": self.old, "new": self.new, "changes": [c.to_dict() for c in self.changes]}


def _show(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, tuple):
        return ", ".join(f"{k}: {_show(v)}" for k, v in value) if value else None
    return str(value)


def _header(old: Header, new: Header) -> list[Difference]:
    changes = []
    for name in _HEADER_FIELDS:
        before, after = _show(getattr(old, name)), _show(getattr(new, name))
        if before != after:
            changes.append(Difference("header", name, before, after))
    return changes


Node = Criterion | Group


def _nodes(ev: Evaluator) -> dict[str, Node]:
    """Every row, group and section, in sheet order."""
    out: dict[str, Node] = {}
    stack = list(reversed(ev.sections))
    while stack:
        code = stack.pop()
        node: Node = ev.criteria[code] if code in ev.criteria else ev.groups[code]
        out[code] = node
        if isinstance(node, Group):
            stack.extend(reversed(node.children))
    return out


def _rule(ev: Evaluator, code: str) -> str | None:
    expr = ev.model.rules.get(code)
    return print_expr(expr) if expr is not None else None


def _moved(old: dict[str, Node], new: dict[str, Node]) -> set[str]:
    """Codes with a new parent, or out of the longest run of common siblings kept in order."""
    moved = {c for c in old.keys() & new.keys() if old[c].parent != new[c].parent}
    parents = {node.parent for node in new.values()}
    for parent in parents:
        before = [c for c, node in old.items() if node.parent == parent and c in new and new[c].parent == parent]
        after = [c for c, node in new.items() if node.parent == parent and c in old and old[c].parent == parent]
        kept = set(_lcs(before, after))
        moved |= {c for c in after if c not in kept}
    return moved


def _lcs(a: list[str], b: list[str]) -> list[str]:
    """The longest common subsequence of two short lists (siblings of one parent)."""
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            table[i][j] = table[i + 1][j + 1] + 1 if a[i] == b[j] else max(table[i + 1][j], table[i][j + 1])
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            out.append(a[i])
            i, j = i + 1, j + 1
        elif table[i][j + 1] >= table[i + 1][j]:
            j += 1  # on a tie, keep the old order's row: the one that went elsewhere is the moved one
        else:
            i += 1
    return out


def _place(node: Node, nodes: dict[str, Node]) -> str:
    """``in I, after I.1``: a row's parent and the sibling before it."""
    siblings = [c for c, other in nodes.items() if other.parent == node.parent]
    at = siblings.index(node.code)
    where = f"in {node.parent}" if node.parent is not None else "top level"
    return f"{where}, after {siblings[at - 1]}" if at > 0 else f"{where}, first"


def _bounds(node: Criterion | Group) -> str | None:
    parts = [f"at least {plain(node.low)}" if node.low is not None else "",
             f"at most {plain(node.high)}" if node.high is not None else ""]
    return " ".join(p for p in parts if p) or None


def _column(column: tuple[str, Decimal | None] | None) -> str | None:
    if column is None:
        return None
    rule, cap = column
    return rule + (f" max {plain(cap)}" if cap is not None else "")


def _how_it_counts(code: str, was: Criterion | Group, node: Criterion | Group) -> list[Difference]:
    """Changes of the score model a row or group declares: its floor, bounds, whether it is
    counted, how a group chooses, a row's own bonus and deduction columns, a max read from facts."""
    found: list[Difference] = []
    if _bounds(was) != _bounds(node):
        found.append(Difference("bounds", code, _bounds(was), _bounds(node)))
    if was.counted != node.counted:
        found.append(Difference("counted", code, str(was.counted).lower(), str(node.counted).lower()))
    if isinstance(was, Group) and isinstance(node, Group) and was.choose != node.choose:
        found.append(Difference("choose", code, was.choose, node.choose))
    if isinstance(was, Criterion) and isinstance(node, Criterion):
        if was.floor != node.floor:
            found.append(Difference("floor", code, _show(was.floor) or "signed", _show(node.floor) or "signed"))
        for what in ("bonus", "deduction"):
            before, after = _column(getattr(was, what)), _column(getattr(node, what))
            if before != after:
                found.append(Difference(what, code, before, after))
        if was.max_rule != node.max_rule:
            found.append(Difference("max", code, was.max_rule, node.max_rule))
    return found


def diff(old: Evaluator, new: Evaluator) -> RulesetDiff:
    """The semantic difference from ``old`` to ``new`` (empty for a ruleset and itself)."""
    changes = _header(old.header, new.header)
    before, after = _nodes(old), _nodes(new)
    removed = [c for c in before if c not in after]
    added = [c for c in after if c not in before]
    # A row removed and one added with the same title: the same row under a new code.
    titles = {fold(before[c].title or ""): c for c in removed if before[c].title}
    recoded: dict[str, str] = {}
    for code in added:
        title = after[code].title
        if title and fold(title) in titles and titles[fold(title)] not in recoded.values():
            recoded[code] = titles[fold(title)]
    moved = _moved(before, after)
    for code in removed:
        if code not in recoded.values():
            changes.append(Difference("removed", code, before=before[code].title or code))
    for code, node in after.items():
        if code in recoded:
            changes.append(Difference("recoded", code, before=recoded[code], after=code))
            continue
        if code not in before:
            changes.append(Difference("added", code, after=f"{node.title or code} ({_place(node, after)})"))
            continue
        was = before[code]
        if code in moved:
            changes.append(Difference("moved", code, _place(was, before), _place(node, after)))
        if (was.title or "") != (node.title or ""):
            changes.append(Difference("renamed", code, was.title, node.title))
        if was.max != node.max or was.max_by != node.max_by:
            max_before, max_after = _show(was.max_by) or _show(was.max), _show(node.max_by) or _show(node.max)
            changes.append(Difference("max", code, max_before, max_after))
        if isinstance(was, Group) and isinstance(node, Group) and was.cap != node.cap:
            changes.append(Difference("cap", code, _show(was.cap), _show(node.cap)))
        if was.kind != node.kind:
            changes.append(Difference("kind", code, was.kind, node.kind))
        if type(was) is not type(node):
            changes.append(Difference("kind", code, type(was).__name__.lower(), type(node).__name__.lower()))
        if was.applicable != node.applicable:
            changes.append(Difference("applicable", code, was.applicable, node.applicable))
        changes += _how_it_counts(code, was, node)
        rule_before, rule_after = _rule(old, code), _rule(new, code)
        if rule_before != rule_after:
            changes.append(Difference("rule", code, rule_before, rule_after))
    for name in old.facts.keys() - new.facts.keys():
        if old.facts[name].kind != "assessed":
            changes.append(Difference("fact removed", name, before=old.facts[name].label))
    for name in new.facts:
        if name not in old.facts and new.facts[name].kind != "assessed":
            changes.append(Difference("fact added", name, after=new.facts[name].label))
    return RulesetDiff(old.header.id, new.header.id, tuple(changes))


# ---------------------------------------------------------------- impact on units


@attrs.frozen
class UnitImpact:
    """One unit under both rulesets: total and rank before and after, and the rows that changed."""

    unit: str
    total_before: Decimal
    total_after: Decimal
    rank_before: int
    rank_after: int
    #: (code, score before, score after) for each row, group or section whose score changed;
    #: None where the code is not in that ruleset.
    rows: tuple[tuple[str, Decimal | None, Decimal | None], ...]

    @property
    def change(self) -> Decimal:
        return self.total_after - self.total_before

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit, "total_before": jsonable(self.total_before),
            "total_after": jsonable(self.total_after), "change": jsonable(self.change),
            "rank_before": self.rank_before, "rank_after": self.rank_after,
            "rows": [{"code": c, "before": jsonable(b), "after": jsonable(a)} for c, b, a in self.rows],
        }


@attrs.frozen
class Impact:
    """Every unit's impact, in the order of the units given."""

    old: str
    new: str
    units: tuple[UnitImpact, ...]

    def __getitem__(self, unit: str) -> UnitImpact:
        for entry in self.units:
            if entry.unit == unit:
                return entry
        raise KeyError(unit)

    def text(self) -> str:
        """Each unit's total and rank before and after, and the rows whose score changed."""
        return impact_text(self, ENGLISH)

    def markdown(self) -> str:
        """The impact as a Markdown table."""
        return impact_markdown(self, ENGLISH)

    def to_dict(self) -> dict[str, Any]:
        return {"old": self.old, "new": self.new, "units": [u.to_dict() for u in self.units]}


def _scores(sub: Submission) -> dict[str, Decimal | None]:
    return {node.code: node.score for node in sub.final}


def _known(ev: Evaluator, other: Evaluator, rounds: Mapping[str, object]) -> Mapping[str, object]:
    """``rounds`` without the facts and claims only ``other`` knows (a removed row's judged score):
    a unit's file written for one ruleset scores under the other."""
    codes = set(ev.criteria)

    def keep(values: object, known: set[str] | Mapping[str, object]) -> object:
        if not isinstance(values, Mapping):
            return values
        return {k: v for k, v in values.items() if k in known or not (k in other.facts or k in other.criteria)}

    out: dict[str, object] = {}
    for name, given in rounds.items():
        if isinstance(given, Mapping) and "facts" in given:
            out[name] = {**given, "facts": keep(given["facts"], ev.facts),
                         **({"claims": keep(given["claims"], codes)} if "claims" in given else {})}
        else:
            out[name] = keep(given, ev.facts)
    return out


def impact(old: Evaluator, new: Evaluator, units: Mapping[str, Mapping[str, object]]) -> Impact:
    """Score each unit's rounds (name -> ``{"self": facts, …}``) under both rulesets and rank them.

    A fact or claim that only one of the two rulesets knows (the judged score of a removed row) is
    left out for the other; any other problem with a unit's facts raises its ``FactsError``."""
    subs_old = {name: evaluate_submission(old, _known(old, new, rounds), unit=name, trace=False)
                for name, rounds in units.items()}
    subs_new = {name: evaluate_submission(new, _known(new, old, rounds), unit=name, trace=False)
                for name, rounds in units.items()}
    ranks_old = {e.unit: e.position for e in rank(old, subs_old)}
    ranks_new = {e.unit: e.position for e in rank(new, subs_new)}
    out = []
    for name in units:
        a, b = _scores(subs_old[name]), _scores(subs_new[name])
        order = list(b) + [c for c in a if c not in b]
        # A row only one side has, scored 0 there, changed nothing.
        rows = tuple((c, a.get(c), b.get(c)) for c in order
                     if a.get(c) != b.get(c) and {a.get(c), b.get(c)} != {None, Decimal(0)})
        out.append(UnitImpact(name, subs_old[name].total, subs_new[name].total, ranks_old[name], ranks_new[name], rows))
    return Impact(old.header.id, new.header.id, tuple(out))


# ---------------------------------------------------------------- saying it


@attrs.frozen
class Wording:
    """How a diff and an impact are said: one layout, the words and the numbers of a language.

    The core says them in English (``ENGLISH``, the ``text()`` and ``markdown()`` methods);
    ``forms.changes`` gives the Vietnamese wording a reader sees by default. The ``str.format``
    fields each template receives are named in its comment.
    """

    #: {old} {new}
    no_differences: str
    #: {old} {new} {count}
    changes: str
    no_differences_table: str
    #: the header row of the diff's Markdown table
    diff_columns: str
    #: {old} {new} {count}
    impact_head: str
    #: {old} {new}
    impact_title: str
    #: {unit} {before} {after} {change} {rank_before} {rank_after}
    unit_line: str
    #: the header row of the impact's Markdown table
    impact_columns: str
    #: what changed (``Difference.what``) as a word
    what: Callable[[Difference], str]
    #: the code or header field a change is about
    code: Callable[[Difference], str]
    #: a before or after value of a change, as it is shown (None: not there)
    value: Callable[[Difference, str | None], str]
    #: a score (None: the row is not in that ruleset)
    number: Callable[[Decimal | None], str]


def _dash(value: Decimal | None) -> str:
    return "—" if value is None else plain(value)


ENGLISH = Wording(
    no_differences="{old} → {new}: no differences",
    changes="{old} → {new}: {count} change(s)",
    no_differences_table="No differences.",
    diff_columns="| change | code | before | after |\n|---|---|---|---|",
    impact_head="impact of {old} → {new} on {count} unit(s)",
    impact_title="## Impact of {old} → {new}",
    unit_line="{unit}: total {before} → {after} ({change}), rank {rank_before} → {rank_after}",
    impact_columns="| unit | total before | total after | change | rank before | rank after | rows |\n"
                   "|---|---|---|---|---|---|---|",
    what=lambda c: c.what,
    code=lambda c: c.code,
    value=lambda c, text: "—" if text is None else text,
    number=_dash,
)


def _indent(text: str) -> str:
    return text.replace("\n", "\n    ")


def change_line(c: Difference, words: Wording) -> str:
    """One change as a line (a rule's before and after on lines of their own)."""
    what, code = words.what(c), words.code(c)
    if c.what in ("added", "removed", "fact added", "fact removed"):
        shown = c.after if c.what.endswith("added") else c.before
        return f"{what} {code}: {words.value(c, shown)}"
    before, after = words.value(c, c.before), words.value(c, c.after)
    if "\n" in before or "\n" in after:
        return f"{what} {code}:\n  - {_indent(before)}\n  + {_indent(after)}"
    return f"{what} {code}: {before} → {after}"


def diff_text(changes: RulesetDiff, words: Wording) -> str:
    """The diff as text: a head line, then one line per change."""
    names = {"old": changes.old, "new": changes.new, "count": len(changes.changes)}
    if not changes.changes:
        return words.no_differences.format(**names)
    return "\n".join([words.changes.format(**names), *(change_line(c, words) for c in changes.changes)])


def _cell(text: str) -> str:
    escaped = text.replace("|", "\\|")
    return "<code>" + escaped.replace("\n", "<br>") + "</code>" if "\n" in text else escaped


def diff_markdown(changes: RulesetDiff, words: Wording) -> str:
    """The diff as a Markdown table; a rule of several lines in a code span."""
    lines = [f"## {changes.old} → {changes.new}", ""]
    if not changes.changes:
        return "\n".join([*lines, words.no_differences_table])
    lines.append(words.diff_columns)
    for c in changes.changes:
        before = _cell(words.value(c, c.before)) if c.before is not None else ""
        after = _cell(words.value(c, c.after)) if c.after is not None else ""
        lines.append(f"| {words.what(c)} | {words.code(c)} | {before} | {after} |")
    return "\n".join(lines)


def _unit_fields(u: UnitImpact, words: Wording) -> dict[str, object]:
    return {"unit": u.unit, "before": words.number(u.total_before), "after": words.number(u.total_after),
            "change": words.number(u.change), "rank_before": u.rank_before, "rank_after": u.rank_after}


def impact_text(effect: Impact, words: Wording) -> str:
    """Each unit's total and rank before and after (a gain signed +), and the rows that changed."""
    lines = [words.impact_head.format(old=effect.old, new=effect.new, count=len(effect.units))]
    for u in effect.units:
        fields = _unit_fields(u, words)
        if u.change > 0:
            fields["change"] = f"+{fields['change']}"
        lines.append(words.unit_line.format(**fields))
        lines += [f"  {code}: {words.number(before)} → {words.number(after)}" for code, before, after in u.rows]
    return "\n".join(lines)


def impact_markdown(effect: Impact, words: Wording) -> str:
    """The impact as a Markdown table, a row per unit."""
    lines = [words.impact_title.format(old=effect.old, new=effect.new), "", words.impact_columns]
    for u in effect.units:
        f = _unit_fields(u, words)
        rows = "; ".join(f"{c}: {words.number(b)} → {words.number(a)}" for c, b, a in u.rows)
        lines.append(f"| {f['unit']} | {f['before']} | {f['after']} | {f['change']} "
                     f"| {f['rank_before']} | {f['rank_after']} | {rows} |")
    return "\n".join(lines)
