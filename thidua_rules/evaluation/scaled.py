"""The fastest untraced path: validation and scoring fused into one generated function over exact
scaled integers, for the rulesets (most of them) whose rules need nothing else.

A number ``x`` with at most ``k`` decimal places is held as the ``int`` ``x × 10^k``; each
expression's ``k`` is known when the code is generated (a sum is aligned to the larger ``k`` of
its terms, a product has the sum of theirs), so every operation is exact and none can round.
Numeric facts are read at the ruleset's scale ``S`` (the most places of any number the rules
write, at least 2: judged scores of 0.25 and 0.5 exist); a fact given with more places than
``S``, a float, a spelling other than the canonical one, anything not plainly valid makes the
function return None, and the caller takes the Decimal path (the generated validator, the
message-writing one, the generated Decimal scorer, the traced walk), which finds and words any
problem. So the messages stay those of the slow path.

A ruleset is generated on this path only when every construct its rules use is one of:
numbers, booleans, levels, facts, derived values (``let``), ``assessed``, ``max``, ``+ - ×``,
negation, comparisons, ``and or not``, ``if``, tables; its criteria have no bonus or deduction
columns, bounds, applicability or maxima by variant; its groups add their parts (no ``best`` or
``either``), and nothing reads cohorts, scores of other nodes, formulas or functions. Any other
ruleset (a division, a rounding, a ``best`` group…) gets no scaled function: its units take the
Decimal path whole. The choice is per ruleset and is documented in docs/performance.md.

The function computes the totals only (standard, bonus, deductions, as scaled integers): most
callers of ``trace=False`` read nothing else. Its nodes variant (``build_nodes``), made when a
node of an untraced result is first read, also gives every node's score and raw value with the
decimal places the Decimal path writes them with (``Typed.p``), so each node is built from those
without scoring the unit again and keeps exactly the Decimal path's values (2.50 stays 2.50). As
in the other generated code, every number, name and level reaches the function as a bound constant.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, localcontext
from typing import Any

import attrs

from ..language import nodes as n
from ..model import CheckedRuleset, FactSpec
from ..numbers import ARITHMETIC, COMPARE, ZERO
from .codegen import Generator, define
from .compiler import CNode, Program
from .fastpath import SPLIT
from .semantics import group_applicable_max, group_limit
from .validation import bounds

#: The fused function: the unit's standard, bonus and deduction totals ×10^scale, or None.
ScaledFn = Callable[[Mapping[str, object]], "tuple[int, int, int] | None"]

#: The nodes variant: the three totals, then per node scored four ints (``Nodes``), or None.
NodesFn = Callable[[Mapping[str, object]], "tuple[int, ...] | None"]


@attrs.frozen
class Nodes:
    """The nodes variant of the fused function: for a unit it accepts, its totals (as
    ``ScaledFn``) and then, for each node scored, at ``offsets[code]``: its score ×10^scale,
    the decimal places the Decimal path writes it with, its raw value ×10^scale and its places.
    ``value`` turns one of them into that Decimal (``2.50`` stays ``2.50``)."""

    fn: NodesFn
    scale: int
    offsets: Mapping[str, int]

    def value(self, scaled_value: int, written: int) -> Decimal:
        """The Decimal of ``scaled_value × 10^-scale`` with ``written`` places: exact (the
        value has no more places), in the form the Decimal path gives, in any context."""
        digits = scaled_value // 10 ** (self.scale - written)
        return Decimal(digits) if not written else Decimal(f"{digits}E-{written}")


#: The fewest decimal places numeric facts are read with (judged scores of 0.25 exist).
MIN_SCALE = 2


class Unsupported(Exception):
    """A construct the scaled path leaves to the Decimal one (the ruleset gets no scaled function)."""


class _Absent:
    """An optional fact not given: any use of it (arithmetic, comparison, truth, hashing) fails,
    so the caller falls back to the traced path, which reports the missing fact."""

    __slots__ = ()

    def _fail(self, *_: object) -> Any:
        raise TypeError("an optional fact is missing")

    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _fail
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __neg__ = _fail
    __bool__ = __hash__ = __index__ = _fail


ABSENT = _Absent()


def places(value: Decimal) -> int:
    """How many decimal places ``value`` is written with (0 for a whole number)."""
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def places_of(value: Decimal) -> int:
    """``places``, for a number whose form a node shows: one written with an exponent (``1E+1``)
    has none the ints can give back, so the nodes variant leaves its ruleset to Decimals."""
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    if exponent > 0:
        raise Unsupported(f"{value}: written with an exponent")
    return -exponent


def scaled(value: Decimal, scale: int) -> int:
    """``value × 10^scale`` as an int (``value`` has at most ``scale`` places: exact)."""
    result = value.scaleb(scale, ARITHMETIC)
    whole = int(result)
    assert whole == result, (value, scale)
    return whole


def to_decimal(value: int, scale: int) -> Decimal:
    """The Decimal of ``value × 10^-scale`` in the form ``tidy`` gives a total: no trailing zeros,
    no exponent (``945``, ``103.5``, ``0``). Exact, whatever the caller's decimal context."""
    if not value:
        return ZERO
    while scale and value % 10 == 0:
        value //= 10
        scale -= 1
    return Decimal(value) if not scale else Decimal(f"{value}E-{scale}")


@attrs.frozen
class Typed:
    """A generated expression: its code, its type (``num``, ``bool``, ``level``), and for a number
    its scale ``k`` (the code's value is the number × 10^k), the range of that int when known
    (the interval analysis that drops caps which cannot bite) and its value when constant.

    ``p``: the decimal places the Decimal path's value has (its ``-exponent``: ``2.50`` has 2,
    ``2.5`` one, ``2`` none), an int when known here, else the code computing it (a fact's places
    as written, a branch's). Only the nodes variant (``forms``) reads it."""

    code: str
    kind: str
    k: int = 0
    lo: int | None = None
    hi: int | None = None
    value: int | None = None
    p: int | str = 0

    @classmethod
    def const(cls, value: int, k: int, p: int | str | None = None) -> Typed:
        return cls(_literal(value), "num", k, value, value, value, k if p is None else p)


def _literal(value: int) -> str:
    """An int as Python source: made here from a number (``int``'s repr is digits only), never
    ruleset text."""
    assert type(value) is int
    return f"({value})" if value < 0 else str(value)


def _span(*ends: int | None) -> tuple[int | None, int | None]:
    if any(end is None for end in ends):
        return None, None
    known = [end for end in ends if end is not None]
    return min(known), max(known)


class _Gen(Generator):
    def __init__(self, checked: CheckedRuleset, program: Program, forms: bool = False) -> None:
        self.c = checked
        self.program = program
        #: The nodes variant: every node's score and raw value with their places (``NodesFn``).
        self.forms = forms
        #: Each numeric fact's places as the Decimal path holds it: a local, or 0 (an int).
        self.places: dict[str, int | str] = {}
        #: The nodes variant's values of each node scored: score, its places, raw, its places.
        self.slots: dict[str, tuple[str, int | str, str, int | str]] = {}
        super().__init__({"MISSING": object(), "ABSENT": ABSENT, "Decimal": Decimal, "CTX": ARITHMETIC,
                          "_nomatch": _nomatch})
        self.locals: dict[str, str] = {}  # fact name -> local
        self.optional: list[str] = []  # the locals of optional facts (ABSENT when not given)
        self.lines: list[str] = []
        self.scale = MIN_SCALE

    # ------------------------------------------------------------ eligibility
    def check_tree(self) -> None:
        c = self.c
        if sum(1 for root in self.program.roots for _ in root.walk()) > SPLIT:
            # One function of thousands of lines compiles in superlinear time; the Decimal
            # path splits its code into functions of PART nodes (a large ruleset is rare).
            raise Unsupported("more nodes than one generated function holds")
        if c.cohorts or c.max_exprs or c.max_by or c.header.variants is not None or c.applicability:
            raise Unsupported("cohorts, maxima read from facts or by variant, applicability")
        if c.header.total_low is not None or c.header.total_high is not None or c.formulas:
            raise Unsupported("bounds on the total, formulas")
        for root in self.program.roots:
            for node in root.walk():
                if node.columnar or node.bounded or node.choose != "sum" or node.max_fn is not None:
                    raise Unsupported(f"{node.code}: columns, bounds or a choice")
                if node.max_by is not None or node.applicable is not None:
                    raise Unsupported(f"{node.code}: variants or applicability")
        for spec in c.facts.values():
            if spec.step is not None or spec.allowed:
                raise Unsupported(f"fact {spec.name}: a step or a range with holes")

    def numbers(self) -> list[Decimal]:
        """Every number the rules, maxima, caps and floors write (the scale holds them all)."""
        found = [d for d in self.c.constants if d.is_finite()]
        for root in self.program.roots:
            for node in root.walk():
                found += [d for d in (node.max, node.cap, node.floor) if d is not None]
        for spec in self.c.facts.values():
            found += [d for d in (spec.low, spec.high) if d is not None]
            if isinstance(spec.default, Decimal):
                found.append(spec.default)
        return found

    # ------------------------------------------------------------ facts, validated inline
    def fact(self, spec: FactSpec, index: int) -> None:
        """Lines reading one fact into a local: an int at the scale (numbers), a bool, a level.
        A required fact is read by subscript (its absence: KeyError, the Decimal path)."""
        key = self.const(spec.name, "N")
        local = self.locals[spec.name] = f"f{index}"
        lines = self.lines
        plain = spec.required and spec.kind != "assessed" and spec.default is None
        numeric = spec.kind not in ("boolean", "scale", "category", "count", "rank")
        # The value read: the local itself, checked before any use (a number: ``v``, then scaled).
        v = "v" if numeric else local
        if plain:
            lines.append(f"    {v} = facts[{key}]")
            pad = "    "
        else:
            lines += [f"    {v} = get({key}, MISSING)", f"    if {v} is not MISSING:", "        found += 1"]
            pad = "        "
        if spec.kind == "boolean":
            lines += [f"{pad}if type({v}) is not bool: return None"]
        elif spec.kind in ("scale", "category"):
            levels = self.const(frozenset(spec.levels), "S")
            lines += [f"{pad}if type({v}) is not str or {v} not in {levels}: return None"]
        else:
            low, high = bounds(spec)
            lo, hi = self.bound(low), self.bound(high)
            if not numeric:  # counts and ranks: whole ints only, read at scale 0
                lines += [f"{pad}if type({v}) is not int or not ({lo} <= {v} <= {hi}): return None"]
            else:  # at the scale: an int, or a finite Decimal of at most ``scale`` places
                factor = 10 ** self.scale
                # Written with 0 to ``scale`` places (exponent 0 … -scale: as the validator, at most
                # PLACES_LIMIT; 2.50000000000 is refused there, so left to it here), the most
                # common first; in range first (as Decimals: a huge exponent is never expanded).
                written = [(j, f"v.same_quantum({self.const(Decimal(1).scaleb(-j), 'Q')})")
                           for j in (*range(self.scale, 0, -1), 0)]
                if not self.forms:
                    lines += [f"{pad}if type(v) is Decimal and {lo} <= v <= {hi} and "
                              f"({' or '.join(test for _, test in written)}):"]
                else:  # which of them: the places its Decimal keeps (2.50: 2); -0 is left to Decimals
                    places = self.places[spec.name] = f"p{index}"
                    lines += [f"{pad}if type(v) is Decimal and {lo} <= v <= {hi}:"]
                    lines += [f"{pad}    {'if' if not i else 'elif'} {test}: {places} = {j}"
                              for i, (j, test) in enumerate(written)]
                    lines += [f"{pad}    else: return None", f"{pad}    if not v and v.is_signed(): return None"]
                lines += [
                    f"{pad}    {local}, d = v.as_integer_ratio()  # d divides 10^scale",
                    f"{pad}    {local} *= {factor} // d",
                    f"{pad}elif type(v) is int and {lo} <= v <= {hi}:",
                    f"{pad}    {local} = v * {factor}",
                    *([f"{pad}    p{index} = 0"] if self.forms else []),
                    f"{pad}else: return None",
                ]
        if plain:
            return
        lines.append("    else:")
        if spec.default is not None:
            lines.append(f"        {local} = {self.const(self.fact_value(spec, spec.default))}")
            if spec.name in self.places:
                assert isinstance(spec.default, Decimal)
                lines.append(f"        p{index} = {places_of(spec.default)}")
        else:
            lines.append(f"        {local} = ABSENT")
            self.optional.append(local)
            if spec.name in self.places:
                lines.append(f"        p{index} = 0  # never read: the value fails first")

    def bound(self, value: Decimal) -> str:
        """A fact's bound in the code: an int literal when whole, else a bound Decimal."""
        whole = _whole(value)
        return _literal(whole) if isinstance(whole, int) else self.const(whole)

    def fact_value(self, spec: FactSpec, value: object) -> object:
        if isinstance(value, Decimal) and spec.kind not in ("boolean", "scale", "category"):
            return scaled(value, 0 if spec.kind in ("count", "rank") else self.scale)
        return value

    def fact_typed(self, name: str) -> Typed:
        spec = self.c.facts[name]
        local = self.locals[name]
        if spec.kind == "boolean":
            return Typed(local, "bool")
        if spec.kind in ("scale", "category"):
            return Typed(local, "level")
        k = 0 if spec.kind in ("count", "rank") else self.scale
        low, high = bounds(spec)
        if spec.default is not None and isinstance(spec.default, Decimal):
            low, high = min(low, spec.default), max(high, spec.default)
        return Typed(local, "num", k, scaled(low, k), scaled(high, k), p=self.places.get(name, 0))

    # ------------------------------------------------------------ expressions
    def number(self, value: Decimal) -> Typed:
        k = places(value)
        return Typed.const(scaled(value, k), k)

    @staticmethod
    def at(t: Typed, k: int) -> Typed:
        """``t`` at scale ``k`` (≥ its own): multiplied by 10^(k - its scale), folded if constant."""
        assert t.kind == "num" and t.k <= k
        if t.k == k:
            return t
        factor = 10 ** (k - t.k)
        if t.value is not None:
            return Typed.const(t.value * factor, k, t.p)
        lo = t.lo * factor if t.lo is not None else None
        hi = t.hi * factor if t.hi is not None else None
        return Typed(f"({t.code} * {factor})", "num", k, lo, hi, p=t.p)

    def expr(self, e: n.Expr, code: str | None) -> Typed:
        match e:
            case n.Number():
                return self.number(e.value)
            case n.Bool():
                return Typed("True" if e.value else "False", "bool")
            case n.String():
                return Typed(self.const(e.level if e.level is not None else e.value, "S"), "level")
            case n.Ref():
                if e.name in self.c.lets:
                    return self.expr(self.c.lets[e.name].expr, None)
                if e.name not in self.locals:
                    raise Unsupported(f"a reference to {e.name}")
                return self.fact_typed(e.name)
            case n.Assessed():
                assert code is not None
                return self.fact_typed(e.name if e.name is not None else code)
            case n.SelfMax():
                assert code is not None
                node = self.c.criteria.get(code) or self.c.groups.get(code)
                if node is None or node.max is None:
                    raise Unsupported("max of an open row")
                return self.number(node.max)
            case n.Neg():
                t = self.expr(e.operand, code)
                if t.kind != "num":
                    raise Unsupported("negation of a non-number")
                if t.value is not None:
                    return Typed.const(-t.value, t.k, t.p)
                lo, hi = _span(-t.hi if t.hi is not None else None, -t.lo if t.lo is not None else None)
                return Typed(f"(-{t.code})", "num", t.k, lo, hi, p=t.p)
            case n.Binary():
                return self.binary(e, code)
            case n.Compare():
                return self.compare(e, code)
            case n.Logic():
                left, right = self.expr(e.left, code), self.expr(e.right, code)
                return Typed(f"({left.code} {e.op} {right.code})", "bool")
            case n.Not():
                return Typed(f"(not {self.expr(e.operand, code).code})", "bool")
            case n.If():
                cond = self.expr(e.cond, code)
                then, other = self.expr(e.then, code), self.expr(e.otherwise, code)
                if then.kind != other.kind:
                    raise Unsupported("branches of two types")
                if then.kind != "num":
                    return Typed(f"({then.code} if {cond.code} else {other.code})", then.kind)
                k = max(then.k, other.k)
                then, other = self.at(then, k), self.at(other, k)
                lo, hi = _span(then.lo, then.hi, other.lo, other.hi)
                # The branch's own places (the condition again: pure, and cheap where it matters).
                p = then.p if then.p == other.p else f"({then.p} if {cond.code} else {other.p})"
                return Typed(f"({then.code} if {cond.code} else {other.code})", "num", k, lo, hi, p=p)
            case n.Table():
                return self.table(e, code)
            case _:
                raise Unsupported(type(e).__name__)

    def binary(self, e: n.Binary, code: str | None) -> Typed:
        left, right = self.expr(e.left, code), self.expr(e.right, code)
        if left.kind != "num" or right.kind != "num" or e.op not in ("+", "-", "*"):
            raise Unsupported(f"the operation {e.op}")
        if e.op == "*":
            k = left.k + right.k
            p = _plus(left.p, right.p)  # a product has the places of both factors
            if self.forms and any(t.lo is None or t.lo < 0 for t in (left, right)):
                # 0 × -1 is -0 on the Decimal path: a form the ints do not keep.
                raise Unsupported("a product of a number that may be negative")
            if left.value is not None and right.value is not None:
                return Typed.const(left.value * right.value, k, p)
            ends = (None,) if None in (left.lo, left.hi, right.lo, right.hi) else tuple(
                a * b for a in (left.lo, left.hi) for b in (right.lo, right.hi)  # type: ignore[operator]
            )
            lo, hi = _span(*ends)
            return Typed(f"({left.code} * {right.code})", "num", k, lo, hi, p=p)
        k = max(left.k, right.k)
        p = _most(left.p, right.p)  # a sum or difference: the more places of the two
        left, right = self.at(left, k), self.at(right, k)
        if left.value is not None and right.value is not None:
            return Typed.const(left.value + right.value if e.op == "+" else left.value - right.value, k, p)
        if e.op == "+":
            lo, hi = _span(_add(left.lo, right.lo), _add(left.hi, right.hi))
        else:
            lo, hi = _span(_sub(left.lo, right.hi), _sub(left.hi, right.lo))
        return Typed(f"({left.code} {e.op} {right.code})", "num", k, lo, hi, p=p)

    def ranks(self, scale_name: str) -> Mapping[str, int]:
        return self.c.scales[scale_name].ranks

    def compare(self, e: n.Compare, code: str | None) -> Typed:
        left, right = self.expr(e.left, code), self.expr(e.right, code)
        op = "==" if e.op == "=" else e.op
        if e.scale is not None and e.op not in ("=", "!="):
            ranks = self.const(self.ranks(e.scale), "R")
            return Typed(f"({ranks}[{left.code}] {op} {ranks}[{right.code}])", "bool")
        if left.kind == "num" and right.kind == "num":
            k = max(left.k, right.k)
            return Typed(f"({self.at(left, k).code} {op} {self.at(right, k).code})", "bool")
        if left.kind != right.kind:
            raise Unsupported("a comparison of two types")
        return Typed(f"({left.code} {op} {right.code})", "bool")

    def table(self, e: n.Table, code: str | None) -> Typed:
        subject = self.expr(e.subject, code)
        rows = [(row.pattern, self.expr(row.value, code)) for row in e.rows]
        kinds = {value.kind for _, value in rows}
        if len(kinds) != 1:
            raise Unsupported("table rows of two types")
        kind = kinds.pop()
        values = rows
        if kind == "num":
            k = max(value.k for _, value in rows)
            values = [(pattern, self.at(value, k)) for pattern, value in rows]
        if subject.kind == "level":
            return self.level_table(e, subject, values, kind)
        ks = subject.k
        if subject.kind == "num":  # the subject's scale: enough for every number its patterns write
            for pattern, _ in rows:
                for bound in self.pattern_numbers(pattern):
                    ks = max(ks, places(bound))
            subject = self.at(subject, ks)
        t = self.temp()
        tests = [self.pattern(pattern, t, ks) for pattern, _ in values]
        text = "_nomatch()"
        for test, (_, value) in reversed(list(zip(tests, values, strict=True))):
            text = value.code if test == "True" else f"({value.code} if {test} else {text})"
        lo, hi = _span(*(end for _, value in values for end in (value.lo, value.hi))) if kind == "num" else (None, None)
        k = values[0][1].k if kind == "num" else 0
        # The places of the row taken: its tests again, on the subject the value's code kept in ``t``.
        p: int | str = values[0][1].p
        if kind == "num" and any(value.p != p for _, value in values):
            p = "_nomatch()"
            for test, (_, value) in reversed(list(zip(tests, values, strict=True))):
                p = str(value.p) if test == "True" else f"({value.p} if {test} else {p})"
        if tests[0] == "True":  # the subject is still evaluated, as the traced path does
            return Typed(f"(({t} := {subject.code}), {text})[1]", kind, k, lo, hi, p=p)
        return Typed(text.replace(t, f"({t} := {subject.code})", 1), kind, k, lo, hi, p=p)

    def level_table(self, e: n.Table, subject: Typed, rows: list[tuple[n.Pattern, Typed]], kind: str) -> Typed:
        """A table over a level: every row's value is constant, so it is one lookup of the level
        (its value for each level of the scale, worked out here as the rows test it)."""
        if e.scale is None or any(value.code != value.code.strip("()") and value.value is None
                                  for _, value in rows):
            raise Unsupported("a level table without its scale")
        if kind != "num" or any(value.value is None for _, value in rows):
            raise Unsupported("a level table of computed values")
        ranks = self.ranks(e.scale)
        chosen: dict[str, int] = {}
        forms: dict[str, int | str] = {}  # each level's row's places
        for level, rank in ranks.items():
            for pattern, value in rows:
                if self.level_matches(pattern, rank, ranks):
                    assert value.value is not None
                    chosen[level], forms[level] = value.value, value.p
                    break
        found = list(chosen.values())
        lo, hi = (min(found), max(found)) if found else (None, None)
        p: int | str = rows[0][1].p
        if any(other != p for other in forms.values()):
            p = f"{self.const(forms, 'T')}[{subject.code}]"
        return Typed(f"{self.const(chosen, 'T')}[{subject.code}]", "num", rows[0][1].k, lo, hi, p=p)

    @staticmethod
    def level_matches(p: n.Pattern, rank: int, ranks: Mapping[str, int]) -> bool:
        if isinstance(p, n.POtherwise):
            return True
        if isinstance(p, (n.PCompare, n.PEqual)) and isinstance(p.value, n.String) and p.value.level is not None:
            op = p.op if isinstance(p, n.PCompare) else "="
            return bool(COMPARE[op](rank, ranks[p.value.level]))
        raise Unsupported("a level pattern that is not a level")

    @staticmethod
    def pattern_numbers(p: n.Pattern) -> list[Decimal]:
        if isinstance(p, n.PRange):
            return [b.value for b in (p.low, p.high) if b is not None]
        if isinstance(p, (n.PCompare, n.PEqual)) and isinstance(p.value, n.Number):
            return [p.value.value]
        return []

    def pattern(self, p: n.Pattern, t: str, ks: int) -> str:
        match p:
            case n.POtherwise():
                return "True"
            case n.PRange():
                low = f"{_literal(scaled(p.low.value, ks))} <= " if p.low is not None else ""
                high = f" <= {_literal(scaled(p.high.value, ks))}" if p.high is not None else ""
                if not low and not high:
                    return "True"
                return f"({low}{t}{high})"
            case n.PCompare() | n.PEqual():
                op = p.op if isinstance(p, n.PCompare) else "="
                op = "==" if op == "=" else op
                value = p.value
                if isinstance(value, n.Bool):
                    return f"({t} {'is' if op == '==' else 'is not'} {value.value})"
                if isinstance(value, n.Number):
                    return f"({t} {op} {_literal(scaled(value.value, ks))})"
                raise Unsupported("a level pattern on a number")
            case _:
                raise Unsupported(type(p).__name__)

    # ------------------------------------------------------------ the tree
    def node(self, node: CNode, out: int) -> tuple[str, Decimal, int | None, int | None] | None:
        """Lines scoring ``node`` into a local at scale ``out``: the local, the node's applicable
        max (a Decimal known here: no applicability, no variants) and its range; None: no score.
        A floor or a cap the range shows cannot bite is not generated."""
        local = self.temp()
        if node.rule is not None:
            raw = self.expr(self.c.rules[node.code], node.code)
            if raw.kind != "num" or raw.k > out:
                raise Unsupported("a rule that is not a number")  # pragma: no cover - checked
            raw = self.at(raw, out)
            lo, hi = raw.lo, raw.hi
            at = len(self.lines)
            self.lines.append(f"    {local} = {raw.code}")
            kept, form = self.kept(local, raw.p)  # nodes variant: the raw value and its places kept
            # criterion_score (semantics.py): raised to the floor, then cut at the max. (On the
            # Decimal path a raw value equal to the floor gives the floor itself: its form.)
            if node.floor is not None:
                floor = scaled(node.floor, out)
                if lo is None or lo < floor or (self.forms and lo == floor):
                    self.lines.append(f"    if {local} {'<=' if self.forms else '<'} {_literal(floor)}: "
                                      f"{local} = {_literal(floor)}{self.becomes(form, node.floor)}")
                lo, hi = (max(lo, floor) if lo is not None else floor), (max(hi, floor) if hi is not None else None)
            if node.max is not None:
                top = scaled(node.max, out)
                if hi is None or hi > top:
                    self.lines.append(f"    if {local} > {_literal(top)}: {local} = {_literal(top)}"
                                      f"{self.becomes(form, node.max)}")
                lo, hi = (min(lo, top) if lo is not None else None), (min(hi, top) if hi is not None else top)
            if len(self.lines) == at + 1 + self.forms and any(name in raw.code for name in self.optional):
                # No floor or cap test reads it: ``0 +`` makes an absent optional fact fail here.
                self.lines[at] = f"    {local} = 0 + {raw.code}"
            if self.forms:
                self.slots[node.code] = (local, form, kept, raw.p)
            return local, node.max if node.max is not None else ZERO, lo, hi
        parts = []
        for child in node.children:
            got = self.node(child, out)
            if got is not None and child.counted:
                parts.append((child, *got))
        if not parts:
            return None
        self.lines.append(f"    {local} = {_added([p[1] for p in parts])}")
        # The Decimal path adds the parts' scores to 0: the most places of them.
        summed = _most(*(self.slots[p[0].code][1] for p in parts)) if self.forms else 0
        kept, form = self.kept(local, summed)
        lo, hi = _span(sum_or_none(p[3] for p in parts), sum_or_none(p[4] for p in parts))
        # group_score with group_limit (semantics.py): the sum cut at the smaller of cap and max.
        limit = group_limit(node.cap, node.max)
        if limit is not None:
            cut = scaled(limit, out)
            if hi is None or hi > cut:
                self.lines.append(f"    if {local} > {_literal(cut)}: {local} = {_literal(cut)}"
                                  f"{self.becomes(form, limit)}")
            lo, hi = (min(lo, cut) if lo is not None else None), (min(hi, cut) if hi is not None else cut)
        if self.forms:
            self.slots[node.code] = (local, form, kept, summed)
        most = sum((p[2] for p in parts), ZERO)
        return local, group_applicable_max(most, limit, any(p[0].open for p in parts)), lo, hi

    def kept(self, local: str, p: int | str) -> tuple[str, int | str]:
        """In the nodes variant, ``local``'s value before a floor or cap changes it (a node's raw
        value) in a local of its own, and a local for its places, which a floor or cap sets to
        its own: the raw's local, the places' code. Else ``local`` and ``p`` as they are."""
        if not self.forms:
            return local, p
        raw, form = self.temp(), self.temp()
        self.lines.append(f"    {raw} = {local}; {form} = {p}")
        return raw, form

    def becomes(self, form: int | str, value: Decimal) -> str:
        """Code setting the places of a score the floor or cap replaced (nodes variant)."""
        return f"; {form} = {places_of(value)}" if self.forms else ""

    def scale_of_rules(self) -> int:
        """The scale sums are kept at: the facts' scale, or more if a product needs it."""
        best = self.scale
        for code, rule in self.c.rules.items():
            best = max(best, self.expr(rule, code).k)
        return best

    def build(self) -> tuple[ScaledFn, int, Decimal]:
        fn, out, applicable_max, _offsets = self.generate()
        return fn, out, applicable_max

    def build_nodes(self) -> Nodes:
        assert self.forms
        for number in self.numbers():
            places_of(number)  # a number written with an exponent: no nodes variant
        fn, out, _max, offsets = self.generate()
        return Nodes(fn, out, offsets)

    def generate(self) -> tuple[Any, int, Decimal, dict[str, int]]:
        self.check_tree()
        self.scale = max([MIN_SCALE, *(places(d) for d in self.numbers())])
        optional = 0
        for index, spec in enumerate(self.c.facts.values()):
            self.fact(spec, index)
            optional += not (spec.required and spec.kind != "assessed" and spec.default is None)
        required = len(self.c.facts) - optional
        self.lines.append(f"    if found + {required} != len(facts): return None")
        out = self.scale_of_rules()
        sums: dict[str, list[str]] = {"standard": [], "bonus": [], "deduction": []}
        applicable_max = ZERO
        by_code = {root.code: root for root in self.program.roots}
        for code in self.c.order:
            root = by_code[code]
            got = self.node(root, out)
            if got is None:
                continue
            sums[root.kind].append(got[0])
            if root.kind != "deduction":
                applicable_max = ARITHMETIC.add(applicable_max, got[1])
        totals = ", ".join(_added(terms) for terms in sums.values())
        offsets: dict[str, int] = {}
        if self.forms:  # the totals, then score, places, raw, places of each node scored, in sheet order
            values = [totals]
            for root in self.program.roots:
                for node in root.walk():
                    if node.code in self.slots:
                        offsets[node.code] = 3 + 4 * len(offsets)
                        values += [str(v) for v in self.slots[node.code]]
            totals = ", ".join(values)
        fn = define("scaled", [
            "def scaled(facts):",
            "    if type(facts) is not dict: return None",
            "    try:",
            "        get = facts.get",
            "        found = 0",
            *("    " + line for line in self.lines),
            f"        return ({totals})",
            "    except (KeyError, TypeError, ValueError, ArithmeticError):",
            "        return None",
        ], self.consts, label=f"thidua scaled {'nodes' if self.forms else 'path'} {self.c.header.id}")
        return fn, out, applicable_max, offsets


def _added(terms: list[str]) -> str:
    """``a + b …`` (a long chain as one ``sum``: Python's compiler recurses on ``+``)."""
    if not terms:
        return "0"
    return " + ".join(terms) if len(terms) <= 32 else f"sum(({', '.join(terms)},))"


def _plus(a: int | str, b: int | str) -> int | str:
    """The places of a product: the sum of its factors' (folded when both are known)."""
    if isinstance(a, int) and isinstance(b, int):
        return a + b
    return f"({a} + {b})"


def _most(*places: int | str) -> int | str:
    """The places of a sum: the most of its terms' (folded over those known here)."""
    known = max([0, *(p for p in places if isinstance(p, int))])
    computed = list(dict.fromkeys(p for p in places if isinstance(p, str)))
    if not computed:
        return known
    terms = [*computed, *([str(known)] if known else [])]
    return terms[0] if len(terms) == 1 else f"max({', '.join(terms)})"


def _add(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a + b


def _sub(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a - b


def sum_or_none(ends: Iterable[int | None]) -> int | None:
    total = 0
    for end in ends:
        if end is None:
            return None
        total += end
    return total


def _whole(value: Decimal) -> int | Decimal:
    """A bound as an int when it is whole (an int compares with an int fastest; both exact)."""
    return int(value) if value == value.to_integral_value(context=ARITHMETIC) else value


def _nomatch() -> int:
    raise KeyError("no row matched")


def build_nodes(checked: CheckedRuleset, program: Program) -> Nodes | None:
    """The nodes variant of the fused function (``Nodes``); None when the ruleset uses something
    it leaves to the Decimal path (anything the totals' function does, a product of a number that
    may be negative, a number written with an exponent)."""
    try:
        with localcontext(ARITHMETIC):  # the maxima added here as the Decimal path adds them
            return _Gen(checked, program, forms=True).build_nodes()
    except Unsupported:
        return None


def build(checked: CheckedRuleset, program: Program) -> tuple[ScaledFn, int, Decimal] | None:
    """The fused scaled-integer function of a checked ruleset, the scale of its totals and the
    unit's applicable max; None when the ruleset uses something the scaled path leaves to the
    Decimal one."""
    try:
        return _Gen(checked, program).build()
    except Unsupported:
        return None
