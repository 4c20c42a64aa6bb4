"""The untraced evaluation path, generated as straight-line Python: one function per ruleset,
or for a large one a function per ``PART`` nodes, composed (compile time stays linear).

As Jinja2 compiles templates, the checked tree is turned into Python source and compiled
once. Only the checker's own nodes become code: every number, level and name reaches the
function as a bound constant (``K3``, ``S1``…), never as text spliced into the source, so a
ruleset cannot inject code. Any problem (a missing fact, a division by zero, a cohort value
not given) makes the caller fall back to the traced closures, which report it precisely. A
property test checks that both paths give the same scores.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, assert_never

from ..language import nodes as n
from ..language.builtins import FUNCTIONS, rounding_step
from ..model import CheckedRuleset
from ..numbers import divide
from ..source import fold
from .codegen import Generator, define
from .compiler import CNode, Program
from .semantics import (
    Columns,
    best_part,
    bounded_columns,
    column_score,
    criterion_score,
    group_applicable_max,
    group_limit,
    group_score,
    read_max,
    sum_columns,
)

#: One node's untraced outcome: score, raw, this unit's max, applicable max, counted children,
#: columns (None when the score is its only column).
Outcome = tuple[Decimal | None, Decimal | None, Decimal | None, Decimal, tuple[str, ...], Columns | None]
FastFn = Callable[[Mapping[str, Any], Any], dict[str, Outcome]]

ZERO = Decimal(0)
#: A ruleset of more nodes than this is generated as functions of ``PART`` nodes each (``_Gen.nodes``).
SPLIT = 300
PART = 50
#: Functions are made for the nodes of the first levels only (nested groups: no deep call chains).
SPLIT_DEPTH = 4


class Fallback(Exception):
    """The generated code met a case it leaves to the traced path."""


def _div(a: Decimal, b: Decimal, places: int) -> Decimal:
    if b == 0:
        raise Fallback("division by zero")
    return divide(a, b, places)[0]


def _nomatch() -> Decimal:
    raise Fallback("no row matched")


def _group(
    codes: tuple[str, ...], parts: tuple[Outcome, ...], choose: str, cap: Decimal | None, top: Decimal | None,
    low: Decimal | None, high: Decimal | None, columnar: bool, opens: frozenset[str] = frozenset(),
) -> Outcome:
    """A group that chooses among its parts, carries columns or holds an open part, as the traced
    walk scores it (``opens``: the codes of its open parts)."""
    counted = [(code, part) for code, part in zip(codes, parts, strict=True) if part[0] is not None]
    if not counted:
        return (None, None, top, ZERO, (), None)
    if choose == "best":
        index = best_part([part[0] for _, part in counted])  # type: ignore[misc]
        most = max(part[3] for _, part in counted)
        counted = [counted[index]]
    elif choose == "either":
        counted = counted[:1]
        most = counted[0][1][3]
    else:
        most = sum((part[3] for _, part in counted), ZERO)
    main_raw, bonus, deduction, adjustment = sum_columns(
        part[5] if part[5] is not None else (part[0], ZERO, ZERO, ZERO) for _, part in counted  # type: ignore[misc]
    )
    limit = group_limit(cap, top)
    main = group_score(main_raw, limit)
    names = tuple(code for code, _ in counted)
    applicable_max = group_applicable_max(most, limit, any(code in opens for code in names))
    if not columnar:
        return (main, main_raw, top, applicable_max, names, None)
    score, columns = bounded_columns((main, bonus, deduction, adjustment), low, high)
    return (score, main_raw, top, applicable_max, names, columns)


class _Gen(Generator):
    TEMP = "_t{}_"

    def __init__(self, checked: CheckedRuleset, program: Program) -> None:
        self.c = checked
        self.program = program
        super().__init__({
            "ZERO": ZERO, "_div": _div, "_nomatch": _nomatch, "Fallback": Fallback,
            # The one scoring semantics, bound by name (evaluation/semantics.py).
            "criterion_score": criterion_score, "group_limit": group_limit, "group_score": group_score,
            "group_applicable_max": group_applicable_max, "column_score": column_score,
            "bounded_columns": bounded_columns, "_group": _group, "read_max": read_max,
            "QR": checked.header.rounding,
        })
        self.lines: list[str] = []
        self.lets: dict[str, str] = {}
        self.program_codes = {fold(code): code for code in (*checked.criteria, *checked.groups)}
        #: While a formula's body is generated: each parameter's local name (``a0``, ``a1``…).
        self.params: dict[str, str] | None = None
        self.formulas: dict[str, str] = {}
        self.prelude: list[str] = []
        self.split = False
        self.depth = 0


    # ------------------------------------------------------------ expressions
    def expr(self, e: n.Expr, code: str | None) -> str:
        match e:
            case n.Number():
                return self.const(e.value)
            case n.Bool():
                return "True" if e.value else "False"
            case n.String():
                return self.const(e.level if e.level is not None else e.value, "S")
            case n.Ref():
                if self.params is not None:
                    return self.params[e.name]
                if e.name in self.c.lets:
                    return self.let(e.name)
                return f"values[{self.const(e.name, 'N')}]"
            case n.Assessed():
                assert code is not None
                return f"values[{self.const(e.name if e.name is not None else code, 'N')}]"
            case n.SelfMax():
                assert code is not None
                return self.top(code) or "None"
            case n.Cohort():
                return f"cohort[{self.const(e.key, 'N')}][0]"
            case n.ScoreRef():
                # In a rule: a node scored before (the sections are generated in scoring order).
                wanted = self.const(self.program_codes.get(fold(e.code), e.code), "N")
                return f"(ZERO if out[{wanted}][0] is None else out[{wanted}][0])"
            case n.TotalRef() | n.PercentageRef() | n.ClassRef():
                # The checker allows these in ranking, awards and classification only (class(…):
                # inside a cohort aggregate's argument, which the traced path evaluates), never in
                # a score rule, applicability test or derived value: the only code generated.
                raise AssertionError(f"{type(e).__name__} in a score rule")  # pragma: no cover
            case n.Neg():
                return f"(-{self.expr(e.operand, code)})"
            case n.Binary():
                left, right = self.expr(e.left, code), self.expr(e.right, code)
                if e.op == "/":
                    return f"_div({left}, {right}, QR)"
                return f"({left} {e.op} {right})"
            case n.Compare():
                return self.compare(e, code)
            case n.Logic():
                return f"({self.expr(e.left, code)} {e.op} {self.expr(e.right, code)})"
            case n.Not():
                return f"(not {self.expr(e.operand, code)})"
            case n.If():
                cond, then, other = (self.expr(x, code) for x in (e.cond, e.then, e.otherwise))
                return f"({then} if {cond} else {other})"
            case n.Call():
                if e.func in self.c.formulas:
                    return self.formula(e, code)
                return self.call(e, code)
            case n.Table():
                return self.table(e, code)
            case _:
                assert_never(e)

    def formula(self, e: n.Call, code: str | None) -> str:
        """A call of the function generated once for the formula (parameters ``a0``, ``a1``…)."""
        args = [self.expr(a, code) for a in e.args]
        fn = self.formulas.get(e.func)
        if fn is None:
            fn = self.formulas[e.func] = f"_formula{len(self.formulas)}"
            formula = self.c.formulas[e.func]
            saved, self.params = self.params, {p: f"a{i}" for i, p in enumerate(formula.params)}
            try:
                body = self.expr(formula.expr, None)
            finally:
                self.params = saved
            self.prelude.append(f"def {fn}({', '.join(f'a{i}' for i in range(len(formula.params)))}):\n"
                                f"    return {body}\n")
        return f"{fn}({', '.join(args)})"

    def ranks(self, scale_name: str) -> str:
        return self.const(self.c.scales[scale_name].ranks, "R")

    def compare(self, e: n.Compare, code: str | None) -> str:
        left, right = self.expr(e.left, code), self.expr(e.right, code)
        op = "==" if e.op == "=" else e.op
        if e.scale is not None and e.op not in ("=", "!="):
            ranks = self.ranks(e.scale)
            return f"({ranks}[{left}] {op} {ranks}[{right}])"
        return f"({left} {op} {right})"

    def call(self, e: n.Call, code: str | None) -> str:
        args = [self.expr(a, code) for a in e.args]
        func = FUNCTIONS[e.func]
        impl = self.const(func.run, "F")  # the one implementation, bound by name
        if func.rounding is not None:
            return f"{impl}({args[0]}, {self.const(rounding_step(e.args))})"
        return f"{impl}({', '.join(args)})"

    def table(self, e: n.Table, code: str | None) -> str:
        subject = self.expr(e.subject, code)
        t = self.temp()
        ranks = self.ranks(e.scale) if e.scale is not None else None
        parts: list[tuple[str, str]] = []
        for row in e.rows:
            parts.append((self.pattern(row.pattern, t, ranks), self.expr(row.value, code)))
        text = "_nomatch()"
        for test, value in reversed(parts):
            text = value if test == "True" else f"({value} if {test} else {text})"
        # The subject is evaluated once, by the walrus in the first test.
        first = parts[0][0]
        if first == "True":  # the subject is still evaluated, as the traced path does
            return f"(({t} := {subject}), {text})[1]"
        return text.replace(t, f"({t} := {subject})", 1)

    def pattern(self, p: n.Pattern, t: str, ranks: str | None) -> str:
        match p:
            case n.POtherwise():
                return "True"
            case n.PRange():
                low = f"{self.const(p.low.value)} <= " if p.low is not None else ""
                high = f" <= {self.const(p.high.value)}" if p.high is not None else ""
                if not low and not high:
                    return "True"  # ``..``: open at both ends, every subject matches
                return f"({low}{t}{high})"
            case n.PCompare() | n.PEqual():
                op = p.op if isinstance(p, n.PCompare) else "="
                op = "==" if op == "=" else op
                value = p.value
                if isinstance(value, n.String):
                    assert ranks is not None
                    level = self.const(value.level, "S")
                    return f"({ranks}[{t}] {op} {ranks}[{level}])"
                if isinstance(value, n.Bool):
                    return f"({t} {'is' if op == '==' else 'is not'} {value.value})"
                return f"({t} {op} {self.const(value.value)})"
            case _:
                assert_never(p)

    def let(self, name: str) -> str:
        fn = self.lets.get(name)
        if fn is None:
            fn = f"_let{len(self.lets)}"
            self.lets[name] = fn
            body = self.expr(self.c.lets[name].expr, None)
            key = self.const(name, "N")
            self.prelude.append(
                f"def {fn}(values, cohort, L):\n    v = L[{key}] = {body}\n    return v\n"
            )
        key = self.const(name, "N")
        return f"(L[{key}] if {key} in L else {fn}(values, cohort, L))"

    def top(self, code: str) -> str | None:
        node = self.c.criteria.get(code) or self.c.groups.get(code)
        assert node is not None
        if code in self.c.max_exprs:
            return f"read_max({self.expr(self.c.max_exprs[code], code)})"
        if code in self.c.max_by and self.c.header.variants is not None:
            table = self.const(dict(self.c.max_by[code]), "V")
            return f"{table}[values[{self.const(self.c.header.variants, 'N')}]]"
        return self.const(node.max) if node.max is not None else None

    # ------------------------------------------------------------ the tree
    def always_scored(self, node: CNode) -> bool:
        """Whether ``node`` has a score for every unit: no applicability on it, and it is a
        criterion or a group with a child always scored. Its parent can then add it plainly."""
        if node.code in self.c.applicability:
            return False
        return node.rule is not None or any(self.always_scored(child) for child in node.children)

    def node(self, node: CNode, indent: str) -> tuple[str, str]:
        """Lines scoring ``node`` into ``out``; the temporaries holding its score and applicable max."""
        code = self.const(node.code, "N")
        top = self.top(node.code) or "None"
        applicable = self.c.applicability.get(node.code)
        inner = indent
        score, am = self.temp(), self.temp()
        if applicable is not None:
            self.lines.append(f"{indent}if not {self.expr(applicable, node.code)}:")
            for skipped in node.walk():
                self.lines.append(
                    f"{indent}    out[{self.const(skipped.code, 'N')}] = "
                    f"(None, None, {self.top(skipped.code) or 'None'}, ZERO, (), None)"
                )
            self.lines.append(f"{indent}    {score}, {am} = None, ZERO")
            self.lines.append(f"{indent}else:")
            inner = indent + "    "
        if node.rule is not None:
            self.criterion(node, inner, code, top, score, am)
            return score, am
        parts = self.nodes(list(node.children), inner)
        counted = [part for part in parts if part[0].counted]
        cap = self.const(node.cap) if node.cap is not None else "None"
        names = self.const(tuple(child.code for child, _, _ in counted), "C")
        opens = frozenset(child.code for child, _, _ in counted if child.open)
        if node.choose != "sum" or node.columnar or not counted or opens:
            kids = "".join(f"out[{self.const(child.code, 'N')}], " for child, _, _ in counted)
            bounds = ", ".join(self.const(b) if b is not None else "None" for b in (node.low, node.high))
            self.lines += [
                f"{inner}top = {top}",
                f"{inner}o = out[{code}] = _group({names}, ({kids}), {self.const(node.choose, 'S')}, {cap}, top, "
                f"{bounds}, {node.columnar}, {self.const(opens, 'O')})",
                f"{inner}{score}, {am} = o[0], o[3]",
            ]
            return score, am
        if all(self.always_scored(child) for child, _, _ in counted):
            # Every part is counted: plain additions, in the order sum() would add them.
            raw, total = _added([s for _, s, _ in counted]), _added([a for _, _, a in counted])
            if self.split and len(counted) > PART:  # read back from out: a loop, not a huge expression
                raw, total = (f"sum([out[c][{i}] for c in {names}], ZERO)" for i in (0, 3))
            self.lines += [
                f"{inner}top = {top}",
                f"{inner}raw = {raw}",
                f"{inner}lim = group_limit({cap}, top)",
                f"{inner}{score} = group_score(raw, lim)",
                f"{inner}{am} = group_applicable_max({total}, lim)",
                f"{inner}out[{code}] = ({score}, raw, top, {am}, {names}, None)",
            ]
            return score, am
        kids = ", ".join(f"out[{self.const(child.code, 'N')}]" for child, _, _ in counted)
        self.lines += [
            f"{inner}parts = ({kids},)",
            f"{inner}counted = [p for p in parts if p[0] is not None]",
            f"{inner}top = {top}",
            f"{inner}if counted:",
            f"{inner}    raw = sum([p[0] for p in counted], ZERO)",
            f"{inner}    lim = group_limit({cap}, top)",
            f"{inner}    {score} = group_score(raw, lim)",
            f"{inner}    {am} = group_applicable_max(sum([p[3] for p in counted], ZERO), lim)",
            f"{inner}    out[{code}] = ({score}, raw, top, {am}, "
            f"tuple(c for c, p in zip({names}, parts) if p[0] is not None), None)",
            f"{inner}else:",
            f"{inner}    {score}, {am} = None, ZERO",
            f"{inner}    out[{code}] = (None, None, top, ZERO, (), None)",
        ]
        return score, am

    def nodes(self, nodes: list[CNode], indent: str) -> list[tuple[CNode, str, str]]:
        """Lines scoring ``nodes`` in turn. In a large ruleset every ``PART`` of them go into a
        function of their own, called here (their scores then read back from ``out``): Python
        compiles many small functions in time linear in their size, one huge one far slower."""
        if not self.split or self.depth >= SPLIT_DEPTH:  # the calls nest no deeper than that
            return [(child, *self.node(child, indent)) for child in nodes]
        done: list[tuple[CNode, str, str]] = []
        for start in range(0, len(nodes), PART):
            chunk = nodes[start:start + PART]
            saved, self.lines = self.lines, []
            self.depth += 1
            for child in chunk:
                self.node(child, "    ")
            self.depth -= 1
            body, self.lines = self.lines, saved
            name = f"_part{len(self.prelude)}"
            self.prelude.append(f"def {name}(values, cohort, out, L):\n" + "\n".join(body) + "\n")
            self.lines.append(f"{indent}{name}(values, cohort, out, L)")
            for child in chunk:
                code = self.const(child.code, "N")
                done.append((child, f"out[{code}][0]", f"out[{code}][3]"))
        return done

    def criterion(self, node: CNode, inner: str, code: str, top: str, score: str, am: str) -> None:
        rule = self.expr(self.c.rules[node.code], node.code)
        floor = "" if node.floor == 0 else f", {self.const(node.floor) if node.floor is not None else 'None'}"
        self.lines += [
            f"{inner}r = {rule}",
            f"{inner}top = {top}",
            f"{inner}{am} = top if top is not None else ZERO",
            f"{inner}{score} = criterion_score(r, top{floor})",
        ]
        if not node.columnar:
            self.lines.append(f"{inner}out[{code}] = ({score}, r, top, {am}, (), None)")
            return
        columns = self.c.columns.get(node.code, {})
        sides = []
        for kind in ("bonus", "deduction"):
            column = columns.get(kind)
            if column is None:
                sides.append("ZERO")
                continue
            cap = self.const(column.cap) if column.cap is not None else "None"
            sides.append(f"column_score({self.expr(column.expr, node.code)}, {cap})")
        bounds = ", ".join(self.const(b) if b is not None else "None" for b in (node.low, node.high))
        self.lines += [
            f"{inner}{score}, cols = bounded_columns(({score}, {sides[0]}, {sides[1]}, ZERO), {bounds})",
            f"{inner}out[{code}] = ({score}, r, top, {am}, (), cols)",
        ]

    def build(self) -> FastFn:
        by_code = {root.code: root for root in self.program.roots}
        self.split = sum(1 for root in self.program.roots for _ in root.walk()) > SPLIT
        # Each section after those its rules read.
        self.nodes([by_code[code] for code in self.c.order], "        ")
        fast: FastFn = define("fast", [
            *self.prelude,
            "def fast(values, cohort):",
            "    out = {}",
            "    L = {}",
            "    try:",
            *self.lines,
            "    except (KeyError, TypeError, ArithmeticError) as error:",
            "        raise Fallback(repr(error)) from None",
            "    return out",
        ], self.consts, label=f"thidua fast path {self.c.header.id}")
        return fast


def _added(terms: list[str]) -> str:
    """``ZERO + a + b …`` (a long chain as one ``sum``: Python's compiler recurses on ``+``)."""
    if len(terms) <= 32:
        return " + ".join(["ZERO", *terms])
    return f"sum(({', '.join(terms)},), ZERO)"


def build(checked: CheckedRuleset, program: Program) -> FastFn:
    """The generated untraced evaluator of a checked ruleset (every construct has a fast path)."""
    return _Gen(checked, program).build()
