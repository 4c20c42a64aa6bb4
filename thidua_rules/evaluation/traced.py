"""A generated traced evaluator for the rulesets on the scaled path: the traced walk's Steps,
inputs and NodeResults, made by straight-line code instead of the walk's closures.

A traced result of the scaled path (``Evaluator.scaled_result``) runs this when a node is first
read. The whole tree is one generated function over the unit's validated values: each criterion's
rule as statements in the order the compiler's closures evaluate (operands before their step, a
condition before the branch it takes, a table's subject before the row it matches), appending the
same ``Step`` each closure appends, with its expression text and notes bound as constants and its
values computed with the same ``ARITHMETIC`` operations (so every form is the walk's). A derived
value (``let``) is one function computing its value and working once per unit; each node shows
that working the first time it reads it, as ``compiler.Compiler.ref`` does. Sections add their
counted parts as ``Walk.group`` does; every field that does not depend on the unit is bound from
``evaluator.NodePlan``.

Only the constructs the scaled path takes are generated; anything else (a construct, a missing
fact, no row of a table) leaves the unit to the traced walk, so what is read is always the walk's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from ..language import nodes as n
from ..model import CheckedRuleset, written_name
from ..numbers import ARITHMETIC, COMPARE, ZERO
from .codegen import Generator, define
from .compiler import CNode, Program
from .result import EMPTY, FrozenMap, NodeResult, Step, Value
from .semantics import criterion_note, criterion_score, group_limit, group_note, group_score

#: The traced evaluator: every node's NodeResult, in the sheet's order, from the unit's validated
#: values and the names given defaults (KeyError, ``Fallback``: the walk's to explain).
TracedFn = Callable[[Mapping[str, Value], frozenset[str]], dict[str, NodeResult]]


class Unsupported(Exception):
    """A construct this evaluator leaves to the traced walk."""


class Fallback(Exception):
    """A unit this evaluator leaves to the traced walk (a missing fact, no row matched)."""


def _nomatch() -> None:
    raise Fallback("no row matched")


class _Gen(Generator):
    TEMP = "_v{}"

    def __init__(self, checked: CheckedRuleset) -> None:
        self.c = checked
        super().__init__({"Step": Step, "ADD": ARITHMETIC.add, "SUB": ARITHMETIC.subtract,
                          "MUL": ARITHMETIC.multiply, "_nomatch": _nomatch, "criterion_score": criterion_score,
                          "criterion_note": criterion_note, "group_score": group_score, "group_note": group_note,
                          "NodeResult": NodeResult, "EMPTY": EMPTY, "owning": FrozenMap.owning, "ZERO": ZERO})
        self.made: dict[str, str] = {}  # node code -> the local of its NodeResult
        self.lines: list[str] = []
        self.pad = "    "
        self.lets: dict[str, str] = {}  # let name -> its function
        self.defs: list[str] = []

    def put(self, line: str) -> None:
        self.lines.append(self.pad + line)

    def step(self, rule: str, expr: str, operands: str, value: str, note: str | None = None) -> None:
        args = f"{self.const(rule, 'S')}, {self.const(expr, 'S')}, {operands}, {value}"
        self.put(f"steps.append(Step({args}{', ' + note if note is not None else ''}))")

    # ------------------------------------------------------------ expressions, as statements
    def expr(self, e: n.Expr, code: str | None) -> str:
        """Lines computing ``e`` (and appending its steps); the name holding its value."""
        text = e.span.code()
        match e:
            case n.Number() | n.Bool():
                return self.const(e.value)
            case n.String():
                return self.const(e.level if e.level is not None else e.value, "S")
            case n.Ref():
                if e.name in self.c.lets:
                    return self.let(e.name)
                if e.name not in self.c.facts:
                    raise Unsupported(f"a reference to {e.name}")
                v, key = self.temp(), self.const(e.name, "N")
                self.put(f"{v} = values[{key}]")
                self.put(f"inputs[{key}] = {v}")
                label = self.const(self.c.facts[e.name].label, "S")
                self.put(f"steps.append(Step('default' if {key} in defaults else 'fact', {key}, (), {v}, {label}))")
                return v
            case n.Assessed():
                assert code is not None
                key = self.const(e.name if e.name is not None else code, "N")
                shown = "assessed" if e.name is None else f"assessed as {e.name}"
                v = self.temp()
                self.put(f"{v} = values[{key}]")
                self.put(f"inputs[{key}] = {v}")
                self.step("assessed", shown, "()", v, self.const(f"judged score of {code}", "S"))
                return v
            case n.SelfMax():
                assert code is not None
                top = self.c.criteria[code].max
                if top is None or code in self.c.max_exprs or code in self.c.max_by:
                    raise Unsupported("max of an open row, read from facts or by variant")
                return self.const(top)
            case n.Neg():
                operand, v = self.expr(e.operand, code), self.temp()
                self.put(f"{v} = -{operand}")
                self.step("-", text, "()", v)
                return v
            case n.Not():
                operand, v = self.expr(e.operand, code), self.temp()
                self.put(f"{v} = not {operand}")
                self.step("not", text, f"(not {v},)", v)
                return v
            case n.Binary():
                if e.op not in ("+", "-", "*"):
                    raise Unsupported(f"the operation {e.op}")
                a, b = self.expr(e.left, code), self.expr(e.right, code)
                v = self.temp()
                self.put(f"{v} = {({'+': 'ADD', '-': 'SUB', '*': 'MUL'})[e.op]}({a}, {b})")
                self.step(e.op, text, f"({a}, {b})", v, self.const("", "S"))
                return v
            case n.Compare():
                a, b = self.expr(e.left, code), self.expr(e.right, code)
                v = self.temp()
                test = self.const(COMPARE[e.op], "F")
                if e.scale is not None:
                    ranks = self.const(self.c.scales[e.scale].ranks, "R")
                    self.put(f"{v} = {test}({ranks}[{a}], {ranks}[{b}])")
                else:
                    self.put(f"{v} = {test}({a}, {b})")
                self.step("compare", text, f"({a}, {b})", v, self.const(e.op, "S"))
                return v
            case n.Logic():
                a, v = self.expr(e.left, code), self.temp()
                ops = self.temp()
                self.put(f"if bool({a}) != {e.op == 'and'}:")
                self.put(f"    {v}, {ops} = {a}, ({a}, None)")
                self.put("else:")
                b = self.indented(lambda: self.expr(e.right, code))
                self.put(f"    {v}, {ops} = {b}, ({a}, {b})")
                self.step(e.op, text, ops, v)
                return v
            case n.If():
                cond, v, chosen = self.expr(e.cond, code), self.temp(), self.temp()
                self.put(f"{chosen} = bool({cond})")
                self.put(f"if {chosen}:")
                then = self.indented(lambda: self.expr(e.then, code))
                self.put(f"    {v} = {then}")
                self.put("else:")
                other = self.indented(lambda: self.expr(e.otherwise, code))
                self.put(f"    {v} = {other}")
                self.put(f"steps.append(Step('if', {self.const(text, 'S')}, ({chosen},), {v}, "
                         f"'then' if {chosen} else 'else'))")
                return v
            case n.Table():
                return self.table(e, code, text)
            case _:
                raise Unsupported(type(e).__name__)

    def indented(self, make: Callable[[], str]) -> str:
        saved = self.pad
        self.pad += "    "
        try:
            return make()
        finally:
            self.pad = saved

    def table(self, e: n.Table, code: str | None, text: str) -> str:
        x, v = self.expr(e.subject, code), self.temp()
        ranks = self.const(self.c.scales[e.scale].ranks, "R") if e.scale is not None else None
        for index, row in enumerate(e.rows, 1):
            self.put(f"{'if' if index == 1 else 'elif'} {self.matches(row.pattern, x, ranks)}:")

            def value(row: n.Row = row) -> str:
                return self.expr(row.value, code)

            got = self.indented(value)
            self.put(f"    {v} = {got}")
            self.put(f"    steps.append(Step('table', {self.const(text, 'S')}, ({x},), {v}, "
                     f"{self.const(f'row {index}: {row.pattern.span.code()}', 'S')}))")
        self.put("else:")
        self.put("    _nomatch()")
        return v

    def matches(self, p: n.Pattern, x: str, ranks: str | None) -> str:
        """``compiler.Compiler.matcher`` as an expression on ``x``."""
        match p:
            case n.POtherwise():
                return "True"
            case n.PRange():
                low = f"{x} >= {self.const(p.low.value)}" if p.low is not None else "True"
                high = f"{x} <= {self.const(p.high.value)}" if p.high is not None else "True"
                return f"({low}) and ({high})"
            case n.PCompare() | n.PEqual():
                test = self.const(COMPARE[p.op if isinstance(p, n.PCompare) else "="], "F")
                if isinstance(p.value, n.String):
                    assert ranks is not None and p.value.level is not None
                    return f"{test}({ranks}[{x}], {ranks}[{self.const(p.value.level, 'S')}])"
                return f"{test}({x}, {self.const(p.value.value)})"
            case _:
                raise Unsupported(type(p).__name__)

    def let(self, name: str) -> str:
        """A derived value read: its working shown the first time this trace reads it."""
        fn = self.lets.get(name)
        if fn is None:
            fn = self.lets[name] = f"_let{len(self.lets)}"
            saved, self.lines, pad = self.lines, [], self.pad
            self.pad = "        "
            value = self.expr(self.c.lets[name].expr, None)
            body, self.lines, self.pad = self.lines, saved, pad
            key = self.const(name, "N")
            self.defs += [
                f"def {fn}(values, defaults, L):",
                f"    got = L.get({key})",
                "    if got is None:",
                "        steps, inputs, shown = [], {}, set()",
                *body,
                f"        got = L[{key}] = ({value}, tuple(steps), inputs, frozenset(shown))",
                "    return got",
            ]
        key = self.const(name, "N")
        written = self.const(written_name(name), "N")
        label = self.const(self.c.lets[name].label or "", "S")
        v, working, read, inside = self.temp(), self.temp(), self.temp(), self.temp()
        self.put(f"{v}, {working}, {read}, {inside} = {fn}(values, defaults, L)")
        self.put(f"if {key} not in shown:")
        self.put(f"    steps.extend({working}); inputs.update({read}); shown.update({inside}); shown.add({key})")
        self.put(f"inputs[{written}] = {v}")
        self.put(f"steps.append(Step('derived', {written}, (), {v}, {label}))")
        return v

    # ------------------------------------------------------------ the tree
    def node(self, node: CNode, fixed: Mapping[str, tuple[int, Any]]) -> str | None:
        """Lines making ``node``'s NodeResult (``Walk.criterion``, ``Walk.group`` for a sum group
        without applicability) into a local, its children first; the local of its score, or
        None when it has none (a group none of whose parts counts: the same node every unit)."""
        offset, fields = fixed[node.code]
        local = self.temp()
        self.made[node.code] = local
        if node.rule is None:
            parts = [(child, self.node(child, fixed)) for child in node.children]
            counted = [(child, score) for child, score in parts if score is not None and child.counted]
            if offset < 0:
                assert not counted
                none = attrs.evolve(fields, trace=(Step("not applicable", node.code, (), None, "no item applies"),))
                self.put(f"{local} = {self.const(none, 'X')}")
                return None
            limit = self.const(group_limit(node.cap, node.max))
            code = self.const(node.code, "N")
            scores = "".join(f"{score}, " for _, score in counted)
            note = self.const(" + ".join(child.code for child, _ in counted), "S")
            raw, main = self.temp(), self.temp()
            self.put(f"{raw} = {' + '.join(['ZERO', *(score for _, score in counted)])}")  # as sum_columns adds
            self.put(f"{main} = group_score({raw}, {limit})")
            trace = (f"(Step('sum', {code}, ({scores}), {raw}, {note}), "
                     f"Step('cap', {code}, ({raw}, None, {limit}), {main}, group_note({raw}, {limit})))")
            self.put(f"{local} = NodeResult({self.fields(fields, main, raw, 'EMPTY', trace)})")
            return main
        self.put("steps, inputs, shown = [], {}, set()")
        raw = self.expr(self.c.rules[node.code], node.code)
        floor = self.const(node.floor) if node.floor is not None else "None"
        top = self.const(node.max) if node.max is not None else "None"
        main = self.temp()
        self.put(f"{main} = criterion_score({raw}, {top}, {floor})")
        self.put(f"steps.append(Step('cap', {self.const(node.code, 'N')}, ({raw}, {floor}, {top}), {main}, "
                 f"criterion_note({raw}, {top}, {floor})))")
        self.put(f"{local} = NodeResult({self.fields(fields, main, raw, 'owning(inputs)', 'tuple(steps)')})")
        return main

    def fields(self, fields: tuple[Any, ...], score: str, raw: str, inputs: str, trace: str) -> str:
        """A NodeResult's arguments: the plan's fixed fields as constants, the unit's as given."""
        code, title, kind, is_criterion, most, top, assumptions, children, counted, defined, over = (
            self.const(value, "F") for value in fields)
        return (f"{code}, {title}, {kind}, {is_criterion}, {score}, {most}, {top}, {raw}, {inputs}, {trace}, "
                f"{assumptions}, {children}, {counted}, None, {defined}, {over}")

    def build(self, program: Program, fixed: Mapping[str, tuple[int, Any]], order: tuple[str, ...]) -> TracedFn:
        by_code = {root.code: root for root in program.roots}
        self.lines, self.pad = [], "    "
        for code in self.c.order:  # the sections in scoring order, as the walk scores them
            self.node(by_code[code], fixed)
        nodes = ", ".join(f"{self.const(code, 'N')}: {self.made[code]}" for code in order)
        made: TracedFn = define("traced", [
            *self.defs,
            "def traced(values, defaults):",
            "    L = {}",
            *self.lines,
            f"    return {{{nodes}}}",
        ], self.consts, label=f"thidua traced {self.c.header.id}")
        return made


def build(
    checked: CheckedRuleset, program: Program, fixed: Mapping[str, tuple[int, Any]], order: tuple[str, ...]
) -> TracedFn | None:
    """The traced evaluator of a ruleset on the scaled path, given its ``NodePlan``'s fixed fields
    and the sheet's order; None when a rule uses what is left to the walk."""
    try:
        return _Gen(checked).build(program, fixed, order)
    except Unsupported:
        return None
