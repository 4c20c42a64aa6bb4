"""``extends``: a ruleset written as changes to a base, resolved into one tree of syntax nodes.

``expand(tree)`` reads the base a ruleset ``extends`` (a shipped id or a path, relative to the
extending file), expands it first (a base may extend another), then applies the extending file:

* its header items replace the base's of the same kind (``title``, ``document``, ``year`` …); its
  ``note``/``assume`` items are added; the id is its own;
* its declarations: a ``fact``, ``let``, ``scale``, ``award`` or ``classify`` with a name the base
  declares replaces the base's in place, a ``ranking`` or ``rollup`` replaces the base's, any
  other is added; a top-level ``section`` whose code the base has is an error (write
  ``override``);
* its changes, in order: ``override`` (the title, the limits, and each kind of item given
  replace the base's), ``remove``, ``move … after|before|in``, ``add … after|before|in``.

Every node keeps the span of the file that wrote it, so the checks that run on the result point
at the right file and line; an overridden row or group lists the overrides in ``overrides``.
Problems are collected and raised as one ``RulesetError``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import attrs

from ..errors import Diagnostic, RulesetError
from ..files import UnreadableFile, packaged, read_utf8
from ..source import Source, Span, nfc
from ..text import suggest
from . import nodes as n
from .parser import parse
from .transformer import to_nodes

__all__ = ["expand", "extends_of", "shipped_ids"]

#: How deep a chain of ``extends`` may go.
MAX_CHAIN = 20


def shipped_ids() -> list[str]:
    """The ids of the shipped rulesets (``rulesets/*.thidua``), sorted."""
    return sorted(path.stem for path in packaged("rulesets").glob("*.thidua"))


def extends_of(tree: n.RulesetDecl) -> list[n.HeaderItem]:
    """The ``extends`` items of a ruleset's header (one, or none, when it is valid)."""
    return [i for i in tree.header.items if isinstance(i, n.HeaderItem) and i.kind == "extends"]


def expand(tree: n.RulesetDecl, *, chain: tuple[str, ...] = ()) -> n.RulesetDecl:
    """``tree`` with its base (if it ``extends`` one) merged in; ``RulesetError`` listing every problem."""
    problems: list[Diagnostic] = []
    items = extends_of(tree)
    if not items:
        for change in tree.changes:
            problems.append(Diagnostic(
                "error", f'"{_word(change)}" changes a base ruleset, but this one extends none',
                change.span, 'add extends "…" (a shipped id or a path) to the ruleset header',
            ))
        if problems:
            raise RulesetError(problems)
        return tree
    for extra in items[1:]:
        problems.append(Diagnostic("error", "a ruleset extends one base", extra.span, "remove this line"))
    item = items[0]
    base = _base(item, tree.span.source, chain, problems)
    if base is None:
        raise RulesetError(problems)
    merged = _Merge(base, problems).apply(tree)
    if any(p.severity == "error" for p in problems):
        raise RulesetError(problems)
    return merged


def _key(name: str) -> str:
    """What identifies a ruleset file in a chain of extends: its absolute path."""
    if os.path.exists(name):
        return os.path.abspath(name)
    shipped = packaged("rulesets") / name
    if name.endswith(".thidua") and shipped.is_file():
        return os.path.abspath(shipped)
    return name


def _word(change: n.Change) -> str:
    return {n.Override: "override", n.Remove: "remove", n.Move: "move", n.Add: "add"}[type(change)]


def _base(
    item: n.HeaderItem, source: Source, chain: tuple[str, ...], problems: list[Diagnostic]
) -> n.RulesetDecl | None:
    """The base named by ``extends``, read, parsed and expanded; None (with a problem) if it cannot be."""
    name = str(item.values[0])
    here = source.name
    if name.endswith(".thidua") or "/" in name or os.sep in name:
        folder = os.path.dirname(here) if os.path.exists(here) else ""
        path = os.path.normpath(os.path.join(folder, name))
        shown, key = path, os.path.abspath(path)
    else:
        ids = shipped_ids()
        if name not in ids:
            hint = suggest(name, ids) or ("shipped ids: " + ", ".join(ids))
            problems.append(Diagnostic("error", f'no shipped ruleset "{name}" to extend', item.span,
                                       hint + '; or give a path ending in ".thidua"'))
            return None
        path = str(packaged("rulesets") / f"{name}.thidua")
        shown, key = f"{name}.thidua", os.path.abspath(path)
    me = _key(here)
    if key in chain or key == me:
        loop = " → ".join([*(os.path.basename(c) for c in (*chain, me)), os.path.basename(key)][-MAX_CHAIN:])
        problems.append(Diagnostic("error", f"a cycle of extends: {loop}", item.span,
                                   "a ruleset cannot extend itself, directly or through its bases"))
        return None
    if len(chain) >= MAX_CHAIN:
        problems.append(Diagnostic("error", f"more than {MAX_CHAIN} rulesets extend one another", item.span))
        return None
    try:
        text = read_utf8(path)
    except UnreadableFile as error:
        problems.append(Diagnostic("error", f'cannot read the base "{name}" ({shown}): {error.reason}', item.span))
        return None
    base_source = Source(shown, nfc(text))
    return expand(to_nodes(parse(base_source), base_source), chain=(*chain, me))


# ---------------------------------------------------------------- the merge


@attrs.define
class _Row:
    """A mutable copy of a group or criterion while changes are applied."""

    decl: n.GroupDecl | n.CriterionDecl
    items: list[object]  # for a group: its items, with _Row for the child nodes
    overrides: list[Span] = attrs.field(factory=list)

    @classmethod
    def of(cls, decl: n.GroupDecl | n.CriterionDecl) -> _Row:
        if isinstance(decl, n.CriterionDecl):
            return cls(decl, list(decl.items), list(decl.overrides))
        items: list[object] = [
            cls.of(item) if isinstance(item, n.GroupDecl | n.CriterionDecl) else item for item in decl.items
        ]
        return cls(decl, items, list(decl.overrides))

    def frozen(self) -> n.GroupDecl | n.CriterionDecl:
        if isinstance(self.decl, n.CriterionDecl):
            kept = n.Annotation | n.ScoreStmt | n.Applicable | n.Column | n.LetDecl
            crit_items = tuple(i for i in self.items if isinstance(i, kept))
            return attrs.evolve(self.decl, items=crit_items, overrides=tuple(self.overrides))
        group_items = tuple(
            i.frozen() if isinstance(i, _Row) else i for i in self.items
            if isinstance(i, _Row | n.Annotation | n.Applicable | n.LetDecl)
        )
        return attrs.evolve(self.decl, items=group_items, overrides=tuple(self.overrides))


def _limit_key(limit: n.NodeLimit) -> str:
    """Which of a node's limits ``limit`` is: ``max`` (a number, by variant, open or read from the
    facts), ``cap``, ``at least``, ``at most``, or a flag (``signed``, ``best`` …)."""
    if isinstance(limit, n.Limit):
        return limit.kind
    if isinstance(limit, n.Bound):
        return f"at {limit.side}"
    if isinstance(limit, n.MaxExpr) or (isinstance(limit, n.Flag) and limit.name == "open"):
        return "max"
    if isinstance(limit, n.Flag) and limit.name in ("best", "either"):
        return "choose"
    return limit.name


def _kind_of(item: object) -> str:
    """What an override's item replaces: the score, the applicability, or one kind of text."""
    if isinstance(item, n.ScoreStmt):
        return "score"
    if isinstance(item, n.Applicable):
        return "applicable"
    if isinstance(item, n.Annotation):
        return item.kind
    if isinstance(item, n.Column):
        return f"{item.kind} column"  # an override's bonus replaces the base's bonus
    if isinstance(item, n.LetDecl):
        return f"let {item.name}"
    return "node"


class _Merge:
    def __init__(self, base: n.RulesetDecl, problems: list[Diagnostic]) -> None:
        self.base = base
        self.problems = problems
        #: The top level: declarations, with _Row for each section, in order.
        self.top: list[object] = [_Row.of(d) if isinstance(d, n.GroupDecl) else d for d in base.decls]

    def error(self, message: str, span: Span, hint: str | None = None) -> None:
        self.problems.append(Diagnostic("error", message, span, hint))

    # ------------------------------------------------------------ lookups
    def rows(self) -> Iterator[tuple[_Row, list[object]]]:
        """Every row with the list that holds it, parents first."""
        stack: list[list[object]] = [self.top]
        while stack:
            holder = stack.pop()
            for item in holder:
                if isinstance(item, _Row):
                    yield item, holder
                    if isinstance(item.decl, n.GroupDecl):
                        stack.append(item.items)

    def find(self, code: str, span: Span) -> tuple[_Row, list[object]] | None:
        for row, holder in self.rows():
            if row.decl.code == code:
                return row, holder
        codes = [row.decl.code for row, _ in self.rows()]
        self.error(f'no row, group or section "{code}" in the base', span, suggest(code, codes))
        return None

    def exists(self, code: str) -> bool:
        return any(row.decl.code == code for row, _ in self.rows())

    # ------------------------------------------------------------ applying the extending file
    def apply(self, child: n.RulesetDecl) -> n.RulesetDecl:
        header = self.header(child.header)
        for decl in child.decls:
            self.declaration(decl)
        for change in child.changes:
            match change:
                case n.Override():
                    self.override(change)
                case n.Remove():
                    found = self.find(change.code, change.code_span)
                    if found is not None:
                        found[1].remove(found[0])
                case n.Move():
                    self.move(change)
                case n.Add():
                    self.add(change)
                case _:
                    n.unhandled(change, "cannot apply a {} to a base ruleset")
        decls = tuple(item.frozen() if isinstance(item, _Row) else item for item in self.top)
        return n.RulesetDecl(header, decls, child.span)  # type: ignore[arg-type]

    def header(self, child: n.Header) -> n.Header:
        """The base's header items, each kind the child gives replaced by the child's; the
        child's notes and assumptions added to the base's; the child's id."""
        given = {i.kind for i in child.items if isinstance(i, n.HeaderItem) and i.kind != "extends"}
        kept = [i for i in self.base.header.items if not (isinstance(i, n.HeaderItem) and i.kind in given)]
        added = [i for i in child.items if not (isinstance(i, n.HeaderItem) and i.kind == "extends")]
        return n.Header(child.id, (*kept, *added), child.span)

    def declaration(self, decl: n.Decl) -> None:
        if isinstance(decl, n.GroupDecl):
            if self.exists(decl.code):
                self.error(f'the base already has "{decl.code}"', decl.code_span,
                           f"write override {'section' if decl.is_section else 'group'} {decl.code} to change it")
                return
            self.top.append(_Row.of(decl))
            return
        for i, item in enumerate(self.top):
            if type(item) is type(decl) and _name(item) == _name(decl):
                self.top[i] = decl
                return
        self.top.append(decl)

    def override(self, change: n.Override) -> None:
        found = self.find(change.code, change.code_span)
        if found is None:
            return
        row = found[0]
        actual = "criterion" if isinstance(row.decl, n.CriterionDecl) else (
            "section" if row.decl.is_section else "group")
        if actual != change.target:
            self.error(f'"{change.code}" is a {actual}, not a {change.target}', change.span,
                       f"write override {actual} {change.code}")
            return
        decl = row.decl
        if change.title is not None:
            decl = attrs.evolve(decl, title=change.title)
        if change.limits:  # each limit given replaces the base's of its kind; the others stay
            given = {_limit_key(limit) for limit in change.limits}
            kept = tuple(limit for limit in decl.limits if _limit_key(limit) not in given)
            decl = attrs.evolve(decl, limits=kept + change.limits)
        if change.kind is not None and isinstance(decl, n.GroupDecl):
            decl = attrs.evolve(decl, kind=change.kind)
        row.decl = decl
        replaced = {_kind_of(item) for item in change.items} - {"node"}
        row.items = [i for i in row.items if isinstance(i, _Row) or _kind_of(i) not in replaced]
        for item in change.items:
            if isinstance(item, n.GroupDecl | n.CriterionDecl):
                if self.exists(item.code):
                    self.error(f'the base already has "{item.code}"', item.code_span,
                               "override it, or remove it first")
                    continue
                row.items.append(_Row.of(item))
            else:
                row.items.append(item)
        row.overrides.append(change.span)

    def move(self, change: n.Move) -> None:
        found = self.find(change.code, change.code_span)
        if found is None:
            return
        row, holder = found
        inside = {r.decl.code for r, _ in _under(row)}
        if change.placement.code in inside:
            self.error(f'"{change.code}" cannot go inside itself', change.placement.span)
            return
        at = holder.index(row)
        holder.remove(row)
        if not self.place(row, change.placement):
            holder.insert(at, row)

    def add(self, change: n.Add) -> None:
        node = change.node
        if self.exists(node.code):
            self.error(f'the base already has "{node.code}"', node.code_span,
                       f"write override … {node.code} to change it")
            return
        self.place(_Row.of(node), change.placement)

    def place(self, row: _Row, placement: n.Placement) -> bool:
        """Put ``row`` where ``placement`` says; False (with a problem) if it cannot go there."""
        found = self.find(placement.code, placement.code_span)
        if found is None:
            return False
        target, holder = found
        if placement.how == "in":
            if not isinstance(target.decl, n.GroupDecl):
                self.error(f'"{placement.code}" is a criterion: nothing goes in it', placement.span,
                           f"write after {placement.code}")
                return False
            target.items.append(row)
            return True
        if holder is self.top and not (isinstance(row.decl, n.GroupDecl) and row.decl.is_section):
            self.error(f'"{row.decl.code}" would stand outside every section', placement.span,
                       f"write in {placement.code}, or place it after a row inside a section")
            return False
        at = holder.index(target)
        holder.insert(at + 1 if placement.how == "after" else at, row)
        return True


def _under(row: _Row) -> Iterator[tuple[_Row, _Row]]:
    """``row`` and every row inside it."""
    yield row, row
    for item in row.items:
        if isinstance(item, _Row):
            yield from _under(item)


def _name(decl: object) -> str | None:
    """The name a declaration is replaced by (a ranking or a roll-up has one, the empty one)."""
    if isinstance(decl, n.RankingDecl | n.RollupDecl):
        return ""
    name = getattr(decl, "name", None)
    return name if isinstance(name, str) else None
