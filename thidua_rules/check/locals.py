"""Pass 1b: local derived values (a ``let`` inside a section, group or criterion), seen there only.

Each one is hoisted to the top level under a qualified name, ``name@CODE``, and every reference
to it inside its node is renamed, so the passes after this one and evaluation treat it as any
derived value, and a reference from outside its node finds no such name. A local name may not
hide a fact, a ruleset-level derived value, a formula or a local of an enclosing node.
"""

from __future__ import annotations

from typing import Any

import attrs

from ..language import nodes as n
from ..language.parser import expression_words
from ..model import LOCAL
from .state import Checker


def check_locals(c: Checker) -> None:
    ruleset_names = {
        d.name for d in c.tree.decls if isinstance(d, n.FactDecl | n.LetDecl | n.FormulaDecl)
    }
    hoisted: list[n.Decl] = []
    decls: list[n.Decl] = []
    for decl in c.tree.decls:
        if isinstance(decl, n.GroupDecl):
            decl = _node(c, decl, {}, ruleset_names, hoisted)
        decls.append(decl)
    if hoisted:
        c.tree = attrs.evolve(c.tree, decls=(*decls, *hoisted))


Node = n.GroupDecl | n.CriterionDecl


def _node(c: Checker, decl: Node, outer: dict[str, str], taken: set[str], hoisted: list[n.Decl]) -> Any:
    mine: dict[str, tuple[str, n.LetDecl]] = {}
    for item in decl.items:
        if not isinstance(item, n.LetDecl):
            continue
        where = f'"{decl.code}"'
        if item.name in expression_words():
            c.error(f'"{item.name}" is a word of the language and cannot name a derived value', item.span,
                    f'choose another name, such as "{item.name}_1"')
        elif item.name in mine:
            c.error(f'"{item.name}" is declared twice in {where} (first at line {mine[item.name][1].span.line})',
                    item.span)
        elif item.name in outer:
            c.error(f'"{item.name}" is already a derived value of an enclosing section', item.span,
                    "a local name may not hide another; choose another name")
        elif item.name in taken:
            c.error(f'"{item.name}" is already declared for the whole ruleset', item.span,
                    "a local name may not hide a fact, derived value or formula; choose another name")
        else:
            mine[item.name] = (f"{item.name}{LOCAL}{decl.code}", item)
    scope = {**outer, **{name: qualified for name, (qualified, _) in mine.items()}}
    items: list[Any] = []
    for item in decl.items:
        if isinstance(item, n.LetDecl):
            if item.name in mine and mine[item.name][1] is item:
                qualified = mine[item.name][0]
                hoisted.append(n.LetDecl(qualified, item.label, rename(item.expr, scope), item.span))
                c.local_lets.setdefault(item.name, []).append(str(decl.code))
            continue
        if isinstance(item, n.ScoreStmt):
            item = attrs.evolve(item, expr=rename(item.expr, scope))
        elif isinstance(item, n.Applicable):
            item = attrs.evolve(item, condition=rename(item.condition, scope))
        elif isinstance(item, n.GroupDecl | n.CriterionDecl):
            item = _node(c, item, scope, taken, hoisted)
        items.append(item)
    made: Any = decl
    return attrs.evolve(made, items=tuple(items))


def rename(expr: n.Expr, scope: dict[str, str]) -> n.Expr:
    """``expr`` with each name of ``scope`` read under its qualified name."""
    if not scope or not any(isinstance(node, n.Ref) and node.name in scope for node in n.walk(expr)):
        return expr
    made: n.Expr = _rebuilt(expr, scope)
    return made


def _rebuilt(node: Any, scope: dict[str, str]) -> Any:
    if isinstance(node, n.Ref):
        return attrs.evolve(node, name=scope[node.name]) if node.name in scope else node
    changes: dict[str, Any] = {}
    for field in attrs.fields(type(node)):
        value = getattr(node, field.name)
        if isinstance(value, n.NODE_TYPES):
            changes[field.name] = _rebuilt(value, scope)
        elif isinstance(value, tuple) and any(isinstance(item, n.NODE_TYPES) for item in value):
            changes[field.name] = tuple(_rebuilt(i, scope) if isinstance(i, n.NODE_TYPES) else i for i in value)
    return attrs.evolve(node, **changes) if changes else node
