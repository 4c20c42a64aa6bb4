"""Pass 5: rules that read other nodes (``score(II)``): what each reads exists by the time it is
scored, no cycle, and the order the top-level sections are scored in.

A section is scored whole, its rows in sheet order; so a rule may read a node of another section
(that section is then scored first), or a node of its own section that is complete before it: an
earlier row or group that does not hold it.
"""

from __future__ import annotations

from ..source import Span
from .state import Checker


def _root(c: Checker, code: str) -> str:
    while (parent := c.parent_of(code)) is not None:
        code = parent
    return code


def _ancestors(c: Checker, code: str) -> list[str]:
    found = [code]
    while (parent := c.parent_of(found[-1])) is not None:
        found.append(parent)
    return found


def check_reads(c: Checker) -> None:
    position = {code: index for index, code in enumerate(_sheet_order(c))}
    after: dict[str, set[str]] = {root: set() for root in c.roots}  # root -> roots scored before it
    where: dict[tuple[str, str], Span] = {}
    for reader, target, span in c.score_reads:
        if target in _ancestors(c, reader):
            what = "its own score" if target == reader else f'the score of "{target}", which holds it'
            c.error(f'"{reader}" reads {what}', span, "a rule reads rows and sections outside itself")
            continue
        root, other = _root(c, reader), _root(c, target)
        if root != other:
            after[root].add(other)
            where.setdefault((root, other), span)
        elif position[target] > position[reader]:
            c.error(f'"{reader}" reads "{target}", which is scored after it in the same section', span,
                    f'move "{target}" before "{reader}", or read it from another section')
    c.order = _ordered(c, after, where)


def _ordered(c: Checker, after: dict[str, set[str]], where: dict[tuple[str, str], Span]) -> list[str]:
    """The roots, each after those it reads (depth first, iterative); a cycle is reported once."""
    order: list[str] = []
    state: dict[str, int] = {}
    for start in c.roots:
        if start in state:
            continue
        state[start] = 1
        path = [start]
        pending = [sorted(after[start], key=c.roots.index)]
        while path:
            if pending[-1]:
                other = pending[-1].pop(0)
                if state.get(other) == 1:
                    cycle = [*path[path.index(other):], other]
                    c.error("sections read each other's scores in a cycle: " + " -> ".join(cycle),
                            where.get((path[-1], other)))
                elif other not in state:
                    state[other] = 1
                    path.append(other)
                    pending.append(sorted(after[other], key=c.roots.index))
                continue
            state[path[-1]] = 2
            order.append(path.pop())
            pending.pop()
    return order


def _sheet_order(c: Checker) -> list[str]:
    out: list[str] = []
    stack = list(reversed(c.roots))
    while stack:
        code = stack.pop()
        out.append(code)
        group = c.groups.get(code)
        if group is not None:
            stack.extend(reversed(group.children))
    return out
