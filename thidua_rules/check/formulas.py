"""Pass 3b: formulas: each declared once, its parameters' kinds known, no formula calling itself
(directly or through others), and its body checked at the definition (``check_types`` checks each
call: the arity, the arguments' types, and the range the call gives)."""

from __future__ import annotations

from ..language import nodes as n
from ..language.builtins import FUNCTIONS
from ..language.intervals import Interval
from ..language.parser import expression_words
from ..model import DECLARABLE_KINDS
from ..source import Span
from ..text import suggest
from .declarations import declare
from .state import BOOL, NUMBER, UNKNOWN, Checker, Info, Scope, Type
from .types import infer

#: How deeply formulas may call each other (evaluation recurses along the chain).
MAX_FORMULA_CHAIN = 50
#: How many operations one formula, or one rule, may come to with every call written out: a
#: formula calling another twice, that one calling a third twice … doubles at each step.
MAX_EXPANSION = 100_000


def check_formulas(c: Checker) -> None:
    taken: dict[str, Span] = {}
    for decl in c.tree.decls:
        if not isinstance(decl, n.FormulaDecl):
            continue
        if decl.name in FUNCTIONS:
            c.error(f'"{decl.name}" is a built-in function and cannot name a formula', decl.span,
                    f'choose another name, such as "{decl.name}_1"')
            continue
        if decl.name in c.facts or decl.name in c.lets:
            c.error(f'"{decl.name}" is already a fact or derived value', decl.span,
                    "a formula is called by a name of its own")
            continue
        if not declare(c, decl.name, decl.span, taken, "formula"):
            continue
        params = _params(c, decl)
        if params is None:
            c.broken.add(decl.name)
            continue
        c.formulas[decl.name] = decl
        c.formula_params[decl.name] = params
    _cycles(c)
    _expansions(c)
    for name, decl in c.formulas.items():
        bound = tuple((p, Info(t, Interval())) for p, t in c.formula_params[name])  # any value
        errors = sum(d.severity == "error" for d in c.diagnostics)
        info = infer(c, decl.expr, Scope("formula", params=bound))
        clean = sum(d.severity == "error" for d in c.diagnostics) == errors
        c.formula_info[name] = info if clean else Info(UNKNOWN)  # its calls say no more


def _params(c: Checker, decl: n.FormulaDecl) -> tuple[tuple[str, Type], ...] | None:
    out: list[tuple[str, Type]] = []
    seen: set[str] = set()
    ok = True
    for param in decl.params:
        if param.name in seen:
            c.error(f'parameter "{param.name}" is given twice', param.span)
            ok = False
            continue
        seen.add(param.name)
        if param.name in expression_words():  # "max" in the body would mean the keyword
            c.error(f'"{param.name}" is a word of the language and cannot name a parameter', param.span,
                    f'choose another name, such as "{param.name}_1"')
            ok = False
            continue
        kind = param.type_name
        if kind is None or kind == "number":
            out.append((param.name, NUMBER))
        elif kind == "boolean":
            out.append((param.name, BOOL))
        elif kind in c.scales:
            out.append((param.name, Type("level", kind)))
        elif kind in c.categories:
            out.append((param.name, Type("category", kind)))
        else:
            kinds = ["number", "boolean", *c.scales, *c.categories]
            hint = suggest(kind, kinds) or "a parameter is a number (the default), boolean or a level of a scale"
            if kind in DECLARABLE_KINDS:
                hint = (f"a parameter is a number, boolean, a scale's level or a category's name; "
                        f'write "{param.name}" for a number')
            c.error(f'unknown parameter kind "{kind}"', param.span, hint)
            ok = False
    return tuple(out) if ok else None


def _calls(expr: n.Expr, known: dict[str, n.FormulaDecl]) -> list[str]:
    return sorted({node.func for node in n.walk(expr) if isinstance(node, n.Call) and node.func in known})


def _expansions(c: Checker) -> None:
    """Refuse a formula, or a rule, that would take more than ``MAX_EXPANSION`` operations with
    every call written out (evaluation runs each call's body anew)."""
    cost: dict[str, int] = {}

    def size(expr: n.Expr) -> int:
        total = 0
        for node in n.walk(expr):
            total += 1
            if isinstance(node, n.Call) and node.func in c.formulas:
                total += cost.get(node.func, 0)
        return total

    pending = list(c.formulas)
    while pending:  # callees first: no cycles are left, so this ends
        name = pending.pop()
        callees = [x for x in _calls(c.formulas[name].expr, c.formulas) if x not in cost]
        if callees:
            pending += [name, *callees]
            continue
        cost[name] = size(c.formulas[name].expr)
    hint = "compute the repeated part once, as a let, or call the formula fewer times"
    for name, value in cost.items():
        over = [x for x in _calls(c.formulas[name].expr, c.formulas) if cost[x] > MAX_EXPANSION]
        if value > MAX_EXPANSION and not over:  # reported where the chain crosses the limit
            c.error(f'formula "{name}" comes to more than {MAX_EXPANSION:,} operations with its calls written out',
                    c.formulas[name].span, hint)
        if value > MAX_EXPANSION:
            c.broken.add(name)
    for name in c.broken & set(c.formulas):
        del c.formulas[name]
    reading = [*c.rules.values(), *c.applicability.values(), *(let.expr for let in c.lets.values())]
    for expr in reading:
        if any(isinstance(x, n.Call) and x.func in c.formulas for x in n.walk(expr)) and size(expr) > MAX_EXPANSION:
            c.error(f"this comes to more than {MAX_EXPANSION:,} operations with the formulas' calls written out",
                    expr.span, hint)


def _cycles(c: Checker) -> None:
    """Report formulas that call themselves (directly or through others) and chains too deep; drop
    them, so that no call re-reads a body without end."""
    state: dict[str, int] = {}
    depth: dict[str, int] = {}
    bad: set[str] = set()
    for start in c.formulas:
        if start in state:
            continue
        path = [start]
        pending = [_calls(c.formulas[start].expr, c.formulas)]
        state[start] = 1
        while path:
            if pending[-1]:
                callee = pending[-1].pop()
                if state.get(callee) == 1:
                    cycle = path[path.index(callee):]
                    shown = " -> ".join([*cycle, callee])
                    c.error(f"formulas call each other in a cycle: {shown}", c.formulas[callee].span,
                            "a formula cannot call itself; write the repeated step as another formula")
                    bad.update(cycle)
                elif callee not in state:
                    state[callee] = 1
                    path.append(callee)
                    pending.append(_calls(c.formulas[callee].expr, c.formulas))
                continue
            name = path.pop()
            pending.pop()
            state[name] = 2
            callees = _calls(c.formulas[name].expr, c.formulas)
            depth[name] = 1 + max((depth.get(x, 0) for x in callees), default=0)
            if any(x in bad for x in callees):
                bad.add(name)  # it calls a formula in a cycle, reported there
            elif depth[name] > MAX_FORMULA_CHAIN:
                c.error(f"formulas call each other more than {MAX_FORMULA_CHAIN} deep", c.formulas[name].span,
                        "compute the chain in fewer steps")
                bad.add(name)
    for name in bad:
        del c.formulas[name]
        c.broken.add(name)

