"""The formatter: a ruleset in the printer's canonical layout, with every comment kept.

The grammar ignores comments, so the printer cannot see them. The formatter finds them in the
text (``comments``), prints the nodes, reads the printed text back and pairs each node with its
printed twin (both trees have the same shape), then puts each comment back by the node it was
written at:

* a comment alone on its line goes on its own line before the first node written after it, at
  that node's printed line and indentation; when that node lies outside the innermost block that
  holds the comment (a remark at the end of a section), it goes before the block's closing line;
  with no node after it at all, at the end of the file;
* a comment after code on its line goes at the end of the printed line where the last node
  ending on that line ends (or, with none, where the first node starting there starts); a
  second trailing comment for the same printed line goes on its own line before it.

A blank line between an own-line comment and what follows it is kept. Formatting is idempotent:
each rule places a comment where the same rule finds it again.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterator

import attrs

from ..source import Source, Span
from . import nodes as n
from .parser import parse
from .printer import INDENT, print_ruleset
from .transformer import to_nodes

__all__ = ["Comment", "comments", "format_source"]


@attrs.frozen
class Comment:
    """A ``#`` comment: its text (trailing spaces cut), where it starts, and whether code precedes it."""

    text: str
    line: int
    column: int
    trailing: bool


def comments(source: Source) -> list[Comment]:
    """Every comment of ``source`` in order; a ``#`` inside a quoted text is not one."""
    found: list[Comment] = []
    for number, line in enumerate(source.lines, start=1):
        i, quoted = 0, False
        while i < len(line):
            char = line[i]
            if quoted:
                if char == "\\":
                    i += 1
                elif char == '"':
                    quoted = False
            elif char == '"':
                quoted = True
            elif char == "#":
                found.append(Comment(line[i:].rstrip(), number, i + 1, bool(line[:i].strip())))
                break
            i += 1
    return found


def _start(span: Span) -> tuple[int, int]:
    return span.line, span.column


def _end(span: Span) -> tuple[int, int]:
    return span.end_line, span.end_column


def _spanned(tree: n.RulesetDecl) -> Iterator[tuple[object, Span]]:
    for node in n.walk(tree):
        span = getattr(node, "span", None)
        if isinstance(span, Span):
            yield node, span


@attrs.define
class _Placed:
    """What goes around each printed line (0-based): own lines before it, a comment after it."""

    before: defaultdict[int, list[tuple[str, str, bool]]] = attrs.field(factory=lambda: defaultdict(list))
    after: dict[int, str] = attrs.field(factory=dict)
    end: list[tuple[str, bool]] = attrs.field(factory=list)


Pair = tuple[tuple[object, Span], tuple[object, Span]]


@attrs.frozen
class _Index:
    """The original tree's spanned nodes, each paired with its printed twin, indexed by line."""

    tree: n.RulesetDecl
    twins: dict[int, Span]  # id(original node) -> its printed span
    by_start: list[tuple[tuple[int, int], int, Span, Span]]  # sorted: start, outermost first
    ending: dict[int, list[tuple[Span, Span]]]  # end line -> (original, printed), walk order
    starting: dict[int, list[tuple[Span, Span]]]

    @classmethod
    def of(cls, tree: n.RulesetDecl, pairs: list[Pair]) -> _Index:
        twins = {id(a): bspan for (a, _), (_, bspan) in pairs}
        by_start = sorted(
            ((_start(aspan), -aspan.end_line * 10**9 - aspan.end_column, aspan, bspan)
             for (_, aspan), (_, bspan) in pairs),
            key=lambda item: (item[0], item[1]),
        )
        ending: dict[int, list[tuple[Span, Span]]] = defaultdict(list)
        starting: dict[int, list[tuple[Span, Span]]] = defaultdict(list)
        for (_, aspan), (_, bspan) in pairs:
            ending[aspan.end_line].append((aspan, bspan))
            starting[aspan.line].append((aspan, bspan))
        return cls(tree, twins, [(s, 0, a, b) for s, _, a, b in by_start], ending, starting)

    def next_after(self, line: int) -> tuple[Span, Span] | None:
        """The first node (the outermost of those starting there) starting on a later line."""
        i = bisect.bisect_left(self.by_start, (line + 1, 0), key=lambda item: item[0])
        if i == len(self.by_start):
            return None
        _, _, aspan, bspan = self.by_start[i]
        return aspan, bspan

    def holder(self, line: int) -> tuple[Span, Span] | None:
        """The innermost node that starts before ``line`` and ends after it."""
        found: tuple[Span, Span] | None = None
        node: object = self.tree
        while True:
            for child in n.children(node):
                span = getattr(child, "span", None)
                if isinstance(span, Span) and span.line < line < span.end_line and id(child) in self.twins:
                    found = span, self.twins[id(child)]
                    node = child
                    break
            else:
                return found


def format_source(source: Source) -> str:
    """``source`` in the canonical layout with its comments kept (``RulesetError`` on a syntax error)."""
    tree = to_nodes(parse(source), source)
    printed_text = print_ruleset(tree)
    found = comments(source)
    if not found:
        return printed_text
    printed_source = Source(source.name, printed_text)
    printed = to_nodes(parse(printed_source), printed_source)
    # The i-th node of one walk is the i-th of the other: the printer keeps the tree's shape.
    pairs = list(zip(_spanned(tree), _spanned(printed), strict=True))
    if any(type(a) is not type(b) for (a, _), (b, _) in pairs):  # pragma: no cover - a printer bug
        raise AssertionError("the printed ruleset does not read back into the same tree")
    index = _Index.of(tree, pairs)
    lines = printed_text.split("\n")
    placed = _Placed()

    def indent_of(at: int) -> str:
        text = lines[at]
        return text[: len(text) - len(text.lstrip())]

    for comment in found:
        blank = source.line(comment.line + 1).strip() == ""
        if comment.trailing:
            target = _trailing_target(comment, index)
            if target is not None:
                at = target - 1
                if at not in placed.after:
                    placed.after[at] = comment.text
                else:
                    placed.before[at].append((indent_of(at), comment.text, False))
                continue
        nxt = index.next_after(comment.line)
        holder = index.holder(comment.line)
        if holder is not None and (nxt is None or _start(nxt[0]) > _end(holder[0])):
            printed_span = holder[1]
            if printed_span.line != printed_span.end_line:
                at = printed_span.end_line - 1
                placed.before[at].append((indent_of(at) + INDENT, comment.text, blank))
            else:
                at = printed_span.line - 1
                placed.before[at].append((indent_of(at), comment.text, blank))
        elif nxt is None:
            placed.end.append((comment.text, blank))
        else:
            at = nxt[1].line - 1
            placed.before[at].append((indent_of(at), comment.text, blank))
    return _assemble(lines, placed)


def _trailing_target(comment: Comment, index: _Index) -> int | None:
    """The printed line (1-based) a trailing comment goes after, or None to treat it as an own line."""
    ending = [(a, b) for a, b in index.ending.get(comment.line, ()) if a.end_column <= comment.column]
    if ending:
        # The one ending last; among equals the outermost, which the walk gives first.
        _, printed = max(ending, key=lambda pair: pair[0].end_column)
        return printed.end_line
    starting = index.starting.get(comment.line)
    if starting:
        _, printed = min(starting, key=lambda pair: pair[0].column)
        return printed.line
    return None


def _assemble(lines: list[str], placed: _Placed) -> str:
    out: list[str] = []
    for index, line in enumerate(lines):
        for indent, text, blank in placed.before.get(index, ()):
            out.append(indent + text)
            if blank:
                out.append("")
        if index in placed.after:
            line = f"{line}  {placed.after[index]}"
        out.append(line)
    while out and out[-1] == "":
        out.pop()
    for text, blank in placed.end:
        out.append(text)
        if blank:
            out.append("")
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"
