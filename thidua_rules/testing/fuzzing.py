"""Fuzzing the language (needs the ``test`` extra, like ``thidua_rules.testing``).

Two families of hypothesis strategies:

- ``rulesets()`` draws random **valid** rulesets as text. Each is built as syntax nodes
  (``ruleset_trees()``) that satisfy every rule of the checker by construction (names declared
  once, types, maxima that add up, caps, tables that cover their subject or end in ``otherwise``,
  facts a rule may need either required or defaulted, ``monotone`` facts that are monotone), then
  printed with ``thidua_rules.language.printer``. Such a ruleset must load, and every unit drawn by
  ``thidua_rules.testing.facts`` must evaluate and pass ``check_invariants``::

      @given(st.data())
      def test_generated_rulesets_score(data):
          rs = thidua_rules.loads(data.draw(fuzzing.rulesets()))
          check_invariants(rs, data.draw(testing.facts(rs)))

  The rulesets hold rows and groups with no max (``max open``) and rows whose max is read from
  the facts (``max (…)``). ``rulesets(cohorts=True)`` draws about half of them with cohort
  aggregates as well (of facts; in a row's rule, of earlier sections' scores and of the levels
  of a classification over one, with ``where``): ``rs.cohorts`` then says to score units
  together with ``rs.evaluate_cohort``, or to give ``check_invariants`` the aggregates.

- ``mutations(text)`` draws damaged versions of a ruleset: tokens deleted, duplicated, swapped or
  replaced, random bytes and invalid UTF-8 inserted, numbers made huge, deep nesting, NFD and
  other Unicode oddities, tabs and odd line breaks, truncation. The result is ``bytes`` when a
  byte-level damage was applied, else ``str``. Loading it must either succeed or raise
  ``RulesetError`` with a position for each problem.

``expressions()`` and ``syntax_trees()`` draw arbitrary expressions and rulesets of every node and
declaration kind (they parse; they need not check), for printer round trips.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

import attrs
from hypothesis import strategies as st

from ..check.locals import rename
from ..check.patterns import NumberSet, compare_set
from ..language import nodes as n
from ..language.builtins import AGGREGATES, COUNT_OF, FUNCTIONS
from ..language.intervals import INF, NEG_INF, Interval
from ..language.printer import print_ruleset
from ..numbers import ROUNDING
from ..source import Source, Span, fold, nfc

__all__ = [
    "MUTATION_KINDS",
    "expressions",
    "mutations",
    "ruleset_trees",
    "rulesets",
    "syntax_trees",
]

#: The span every generated node carries (the printer ignores spans).
SPAN = Span(Source("<generated>", ""), 1, 1, 1, 2)
#: No generated expression can reach a value larger than this for the facts ``testing`` draws,
#: so that exact arithmetic, division rounding and ``round(x, 10)`` stay far from the limits of
#: the decimal contexts (see the BUG tests in tests/test_fuzz.py for what lies beyond).
MAGNITUDE_LIMIT = Decimal(10) ** 12
#: How deep a generated expression nests (each level may be an operator, a call, an if, a table).
EXPR_DEPTH = 3
#: A bound on the scores and totals that ranking and award rules read.
_SCORES = Decimal(10) ** 6
#: A bound on the units scored together, for the magnitude of a cohort sum, count or rank.
_COHORT_UNITS = Decimal(10)

_VI = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
#: Characters of generated texts: Vietnamese in both cases, digits, punctuation, and the four
#: characters that need an escape (quote, backslash, line break, tab). Line separators other than
#: "\n" are left out on purpose: they shift line numbers (see the BUG test on U+2028).
_TEXT = _VI + _VI.upper() + "0123456789     .,;:()/-–%&#'“”…\"\\\n\t"
_WORDS = ("xuất sắc", "hoàn thành tốt", "hoàn thành", "không hoàn thành", "tốt", "khá", "đạt",
          "chưa đạt", "trung bình", "yếu", "Loại A", "loại \"B\"", "mức\\1")
_ROUND_NAMES = ("self", "appraised", "council", "vong_1", "thẩm_định", "hội_đồng")
_COMPARE = ("<", "<=", ">", ">=", "=", "!=")

# ================================================================ small pieces


#: Strategies the builder draws from thousands of times, made (and validated by hypothesis) once.
_PER_MILLE = st.integers(0, 999)


@functools.cache
def _index(size: int) -> st.SearchStrategy[int]:
    """A position in a sequence of ``size`` items."""
    return st.integers(0, size - 1)


@functools.cache
def texts(min_size: int = 0, max_size: int = 24) -> st.SearchStrategy[str]:
    """Labels and titles: Vietnamese, punctuation, and characters that need escapes."""
    return st.text(alphabet=_TEXT, min_size=min_size, max_size=max_size).map(nfc)


@functools.cache
def _literals() -> st.SearchStrategy[Decimal]:
    return st.one_of(
        st.integers(0, 20).map(Decimal),
        st.sampled_from(["0.5", "2.50", "0.25", "1.5", "100", "0.0000000001", "12.3456789012", "3", "7"]).map(
            Decimal
        ),
        st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False),
    )


def _quantize(value: Decimal, mode: str) -> Decimal:
    """``value`` with at most 10 decimal places, rounded towards ``mode``."""
    return value.quantize(Decimal("1e-10"), rounding=mode).normalize() + 0


# ================================================================ the model being built


@attrs.define
class _Fact:
    name: str
    kind: str  # count, number, percent, rank, boolean or a scale's name
    scale: str | None
    interval: Interval  # the checker's view of a numeric fact
    magnitude: Decimal  # a bound on |value| over what thidua_rules.testing draws
    has_default: bool
    optional: bool
    monotone: str | None
    used: bool = False


@attrs.define
class _Let:
    name: str
    type: str  # number, bool or level
    scale: str | None
    interval: Interval
    magnitude: Decimal
    cohort: bool = False  # it reads a cohort aggregate, so no aggregate may read it


@attrs.frozen
class _Scope:
    top: Decimal | None = None  # the criterion's max: assessed and max may be read
    ranking: bool = False  # total, score(CODE) and percentage may be read
    #: The row's max is read from the unit's facts (``max (…)``): assessed and max range from 0 up,
    #: and this bounds them (the max expression's magnitude, or what testing draws for a judged score).
    unit_max: Decimal | None = None
    cohort: bool = False  # cohort aggregates may be read (rules, lets, conditions, rankings)
    #: Inside a criterion's rule: the earlier sections whose scores (and levels in a classification
    #: over them) an aggregate may read. They never read this rule, so no order of units has a cycle.
    earlier: tuple[str, ...] = ()
    inside: bool = False  # in an aggregate's argument or ``where``: no aggregate nor let reading one


@attrs.frozen
class _Num:
    """A generated number expression with its checker range and a bound on its magnitude."""

    expr: n.Expr
    interval: Interval
    magnitude: Decimal
    sound: bool = True  # its range is exactly what the checker computes from fact bounds


class _Builder:
    """Draws one valid ruleset: declarations first, then the tree, then what keeps it valid."""

    def __init__(self, draw: st.DrawFn, *, cohorts: bool = False) -> None:
        self.draw = draw
        #: Whether rules may read cohort aggregates (the ruleset is then scored as a cohort).
        self.cohorts = cohorts
        #: The codes of the sections built so far: a later section's aggregates may read their scores.
        self.earlier: tuple[str, ...] = ()
        #: Classifications over an earlier section's score, with that section and their levels.
        self.classifications: list[tuple[n.ClassifyDecl, str, tuple[str, ...]]] = []
        self.facts: list[_Fact] = []
        self.lets: list[_Let] = []
        self.scales: dict[str, list[tuple[str, ...]]] = {}  # name -> levels (spellings), best first
        self.codes: list[str] = []
        self.counter = 0
        self.formulas: list[n.FormulaDecl] = []
        self.judged: list[n.FactDecl] = []
        #: Categories (names with aliases, no order) and the facts of each, for "x in (…)" rules.
        self.categories: dict[str, list[tuple[str, ...]]] = {}
        self.category_facts: list[tuple[str, str]] = []

    # ------------------------------------------------------------ helpers
    def chance(self, p: float) -> bool:
        return self.draw(_PER_MILLE) < int(p * 1000)

    def pick(self, items: Sequence[object]) -> object:
        return items[self.draw(_index(len(items)))]

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def literal(self) -> Decimal:
        return self.draw(_literals())

    # ------------------------------------------------------------ scales and facts
    def scale(self) -> n.ScaleDecl:
        name = self.fresh(self.draw(st.sampled_from(["thang_", "xếp_loại_", "scale_"])))
        count = self.draw(st.integers(2, 4))
        seen: set[str] = set()
        levels: list[tuple[str, ...]] = []
        for index in range(count):
            spellings: list[str] = []
            for _ in range(self.draw(st.integers(1, 3))):
                word = self.draw(st.one_of(st.sampled_from(_WORDS), texts(1, 12)))
                spelling = nfc(f"{word} {self.fresh('')}" if self.chance(0.8) else word)
                key = fold(spelling)
                if key and key not in seen:
                    seen.add(key)
                    spellings.append(spelling)
            if not spellings:
                spelling = f"mức {name} {index}"
                seen.add(fold(spelling))
                spellings.append(spelling)
            levels.append(tuple(spellings))
        self.scales[name] = levels
        label = self.draw(st.none() | texts())
        return n.ScaleDecl(name, label, tuple(n.Level(s, SPAN) for s in levels), SPAN)

    def category(self) -> list[n.Decl]:
        """A category of 2 to 4 names (some with aliases) and one or two facts of it."""
        name = self.fresh(self.draw(st.sampled_from(["cum_", "loai_", "cap_"])))
        names = [tuple(nfc(f"{word} {self.fresh('')}") for word in self.draw(
            st.lists(st.sampled_from(_WORDS), min_size=1, max_size=2)))
            for _ in range(self.draw(st.integers(2, 4)))]
        self.categories[name] = names
        decls: list[n.Decl] = [n.CategoryDecl(name, self.draw(st.none() | texts()),
                                              tuple(n.Level(s, SPAN) for s in names), SPAN)]
        for _ in range(self.draw(st.integers(1, 2))):
            fact = self.fresh("nhom_")
            self.category_facts.append((fact, name))  # read by a rule, or only grouping units
            decls.append(n.FactDecl(fact, self.draw(texts()), name, SPAN, None, None, False, (), SPAN))
        return decls

    def fact(self, kind: str, *, monotone: str | None = None) -> n.FactDecl:
        scale = kind if kind in self.scales else None
        name = self.fresh(self.draw(st.sampled_from(["so_", "hang_", "co_", "ty_le_", "điểm_", "f_"])))
        low: Decimal | None = None
        high: Decimal | None = None
        has_range = False
        if kind in ("count", "rank", "number", "percent") and self.chance(0.6):
            has_range = True
            low, high = self.bounds(kind)
        # the checker's view: natural bounds of the kind applied
        natural_low = {"count": Decimal(0), "rank": Decimal(1), "percent": Decimal(0)}.get(kind)
        eff_low = low if low is not None else natural_low
        eff_high = high if high is not None else (Decimal(100) if kind == "percent" else None)
        integral = kind in ("count", "rank")
        interval = Interval(
            eff_low if eff_low is not None else NEG_INF, eff_high if eff_high is not None else INF, integral
        )
        # thidua_rules.testing draws open facts up to 60 (whole) or 1000 (decimal) from their low end
        open_span = Decimal(60) if integral else Decimal(1000)
        draw_low = eff_low if eff_low is not None else -open_span
        draw_high = eff_high if eff_high is not None else max(open_span, draw_low + open_span)
        magnitude = max(abs(draw_low), abs(draw_high))
        options: list[n.FactOption] = []
        has_default = False
        optional = False
        default = self.default_of(kind, scale, eff_low, eff_high) if self.chance(0.4) else None
        if default is not None:
            options.append(n.FactOption("default", default, SPAN))
            has_default = True
        if self.chance(0.15) and (monotone is None or has_default):  # a rule reads a monotone fact
            options.append(n.FactOption("optional", None, SPAN))
            optional = True
        if self.chance(0.15):
            options.append(n.FactOption("appraised_only", None, SPAN))
        if monotone is not None:
            options.append(n.FactOption("monotone", monotone, SPAN))
        parts: tuple[tuple[Decimal | None, Decimal | None], ...] = ()
        if not has_default and kind in ("count", "number", "percent") and self.chance(0.45):
            # a range with a hole, "0 | 2..5", or values that go by a step (judged scores' shapes)
            if low is not None and (high is None or high - low >= 2) and self.chance(0.6):
                parts = ((low, low), (low + 1, high))  # "0 | 2..5", or "0 | 2.." open above
            else:
                whole = st.sampled_from(["1", "2"]) if kind == "count" else st.sampled_from(["0.25", "0.5", "1"])
                options.append(n.FactOption("step", n.Number(Decimal(self.draw(whole)), SPAN), SPAN))
        options = list(self.draw(st.permutations(options)))
        self.facts.append(
            _Fact(name, kind, scale, interval, magnitude, has_default, optional, monotone)
        )
        label = self.draw(texts())
        return n.FactDecl(name, label, kind, SPAN, low, high, has_range, tuple(options), SPAN, parts)

    def bounds(self, kind: str) -> tuple[Decimal | None, Decimal | None]:
        whole = st.integers(0, 80).map(Decimal)
        if kind == "count":
            low, high = self.draw(st.none() | whole), self.draw(st.none() | whole)
        elif kind == "rank":
            low, high = self.draw(st.none() | st.integers(1, 10).map(Decimal)), self.draw(
                st.none() | st.integers(10, 80).map(Decimal)
            )
        elif kind == "percent":
            low, high = self.draw(st.none() | st.integers(0, 40).map(Decimal)), self.draw(
                st.none() | st.integers(50, 100).map(Decimal)
            )
        else:
            value = st.decimals(min_value=-500, max_value=500, places=2, allow_nan=False, allow_infinity=False)
            low, high = self.draw(st.none() | value), self.draw(st.none() | value)
        if low is not None and high is not None and low >= high:
            low, high = min(low, high), max(low, high) + 1
        return low, high

    def default_of(
        self, kind: str, scale: str | None, low: Decimal | None, high: Decimal | None
    ) -> n.Number | n.String | n.Bool | None:
        if kind == "boolean":
            return n.Bool(self.draw(st.booleans()), SPAN)
        if scale is not None:
            level = self.pick(self.scales[scale])
            assert isinstance(level, tuple)
            spelling = str(self.pick(level))
            return n.String(spelling.upper() if self.chance(0.2) else spelling, SPAN)
        start = max(low if low is not None else Decimal(0), Decimal(0))  # a default has no sign
        if high is not None and start > high:
            return None
        top = high if high is not None else start + 50
        if kind in ("count", "rank"):
            return n.Number(Decimal(self.draw(st.integers(int(start), int(top)))), SPAN)
        value = self.draw(st.decimals(min_value=start, max_value=top, places=2, allow_nan=False, allow_infinity=False))
        return n.Number(value, SPAN)

    # ------------------------------------------------------------ names readable in a scope
    def readable_facts(self, scope: _Scope, want: Callable[[_Fact], bool]) -> list[_Fact]:
        """Facts a rule may read: not those kept for a monotone rule, nor optional ones without default."""
        return [f for f in self.facts if want(f) and f.monotone is None and not (f.optional and not f.has_default)]

    def lets_of(self, scope: _Scope, type_: str, scale: str | None = None) -> list[_Let]:
        return [x for x in self.lets if x.type == type_ and (scale is None or x.scale == scale)
                and not (scope.inside and x.cohort)]

    def scope(self, **fields: Any) -> _Scope:
        """A scope where cohort aggregates may be read when this ruleset has them."""
        return _Scope(cohort=self.cohorts, **fields)

    # ------------------------------------------------------------ number expressions
    def num(self, depth: int, scope: _Scope) -> _Num:
        if depth <= 0 or self.chance(0.3):
            return self.num_leaf(scope)
        kind = self.draw(st.sampled_from(
            ["neg", "add", "sub", "mul", "div", "minmax", "clamp", "round", "abs", "if", "table"]
        ))
        result = self.num_composite(kind, depth - 1, scope)
        if result is None or result.magnitude > MAGNITUDE_LIMIT or result.interval.low > result.interval.high:
            return self.num_leaf(scope)
        return result

    def num_leaf(self, scope: _Scope) -> _Num:
        options = ["literal"]
        facts = self.readable_facts(scope, lambda f: f.kind in ("count", "number", "percent", "rank"))
        lets = self.lets_of(scope, "number")
        if facts:
            options += ["fact", "fact"]
        if lets:
            options.append("let")
        if scope.top is not None or scope.unit_max is not None:
            options += ["assessed", "max"]
        if scope.ranking:
            options += ["total", "score", "percentage"]
        if scope.cohort and not scope.inside:
            options.append("cohort")
        if scope.inside and scope.earlier:  # often: other units' scores are what item 15 is about
            options += ["score"] * 3
        choice = self.pick(options)
        if choice == "fact":
            fact = self.pick(facts)
            assert isinstance(fact, _Fact)
            fact.used = True
            return _Num(n.Ref(fact.name, SPAN), fact.interval, fact.magnitude)
        if choice == "let":
            let = self.pick(lets)
            assert isinstance(let, _Let)
            return _Num(n.Ref(let.name, SPAN), let.interval, let.magnitude, sound=False)
        if choice in ("assessed", "max") and scope.top is None:
            assert scope.unit_max is not None  # this unit's max: the checker ranges it from 0 up
            node: n.Expr = n.Assessed(SPAN) if choice == "assessed" else n.SelfMax(SPAN)
            return _Num(node, Interval(Decimal(0), INF), scope.unit_max, sound=False)
        if choice == "assessed":
            assert scope.top is not None
            return _Num(n.Assessed(SPAN), Interval(Decimal(0), scope.top), scope.top)
        if choice == "max":
            assert scope.top is not None
            return _Num(n.SelfMax(SPAN), Interval.point(scope.top), scope.top)
        if choice == "total":
            return _Num(n.TotalRef(SPAN), Interval(), _SCORES, sound=False)
        if choice == "cohort":
            return self.aggregate(EXPR_DEPTH - 2, scope)
        if choice == "score" and scope.inside:  # another unit's score of an earlier section
            return _Num(n.ScoreRef(str(self.pick(scope.earlier)), SPAN), Interval(), _SCORES, sound=False)
        if choice == "score":
            code = str(self.pick(self.codes))
            return _Num(n.ScoreRef(code.lower() if self.chance(0.2) else code, SPAN), Interval(), _SCORES, sound=False)
        if choice == "percentage":
            return _Num(n.PercentageRef(SPAN), Interval(Decimal(0), Decimal(100)), Decimal(100))
        value = self.literal()
        return _Num(n.Number(value, SPAN), Interval.point(value), value)

    def num_composite(self, kind: str, depth: int, scope: _Scope) -> _Num | None:
        if kind == "neg":
            x = self.num(depth, scope)
            return _Num(n.Neg(x.expr, SPAN), -x.interval, x.magnitude, x.sound)
        if kind in ("add", "sub", "mul"):
            a, b = self.num(depth, scope), self.num(depth, scope)
            op = {"add": "+", "sub": "-", "mul": "*"}[kind]
            ops: dict[str, Callable[[Interval, Interval], Interval]] = {
                "+": Interval.__add__, "-": Interval.__sub__, "*": Interval.__mul__,
            }
            interval = ops[op](a.interval, b.interval)
            magnitude = a.magnitude * b.magnitude if op == "*" else a.magnitude + b.magnitude
            return _Num(n.Binary(op, a.expr, b.expr, SPAN), interval, magnitude, a.sound and b.sound)
        if kind == "div":
            a = self.num(depth, scope)
            divisor = self.divisor(scope)
            # an inexact quotient is rounded to the ruleset's places, which the range may not hold
            return _Num(n.Binary("/", a.expr, divisor.expr, SPAN), a.interval / divisor.interval, a.magnitude,
                        sound=False)
        if kind == "minmax":
            func = str(self.pick(["min", "max"]))
            parts = [self.num(depth, scope) for _ in range(self.draw(st.integers(2, 4)))]
            interval = parts[0].interval
            for other in parts[1:]:
                interval = interval.min(other.interval) if func == "min" else interval.max(other.interval)
            return _Num(n.Call(func, tuple(a.expr for a in parts), SPAN), interval,
                        max(a.magnitude for a in parts), all(a.sound for a in parts))
        if kind == "clamp":
            x = self.num(depth, scope)
            low, high = sorted([self.literal(), self.literal()])
            if x.interval.high < low or x.interval.low > high:
                return None  # see the BUG test on clamp: the checker's range would be empty
            interval = Interval(max(x.interval.low, low), min(x.interval.high, high))
            call = n.Call("clamp", (x.expr, n.Number(low, SPAN), n.Number(high, SPAN)), SPAN)
            return _Num(call, interval, max(x.magnitude, high), x.sound)
        if kind == "round":
            x = self.num(depth, scope)
            func = str(self.pick(list(ROUNDING)))
            places = self.draw(st.none() | st.integers(0, 10))
            quantum = Decimal(1).scaleb(-(places or 0))
            mode = ROUNDING[func]

            def q(end: Decimal) -> Decimal:
                return end.quantize(quantum, rounding=mode) if end.is_finite() else end

            args: tuple[n.Expr, ...] = (x.expr,) if places is None else (x.expr, n.Number(Decimal(places), SPAN))
            return _Num(n.Call(func, args, SPAN), Interval(q(x.interval.low), q(x.interval.high)),
                        x.magnitude + 1, x.sound)
        if kind == "abs":
            x = self.num(depth, scope)
            r = x.interval
            top = max(abs(r.low), abs(r.high))
            bottom = Decimal(0) if r.low <= 0 <= r.high else min(abs(r.low), abs(r.high))
            return _Num(n.Call("abs", (x.expr,), SPAN), Interval(bottom, top, r.integral), x.magnitude, x.sound)
        if kind == "if":
            cond = self.boolean(depth, scope)
            a, b = self.num(depth, scope), self.num(depth, scope)
            return _Num(n.If(cond, a.expr, b.expr, SPAN), a.interval.union(b.interval),
                        max(a.magnitude, b.magnitude), a.sound and b.sound)
        if kind == "table":
            values: list[_Num] = []

            def value() -> n.Expr:
                v = self.num(depth, scope)
                values.append(v)
                return v.expr

            table = self.table(depth, scope, value)
            if table is None:
                return None
            interval = values[0].interval
            for v in values[1:]:
                interval = interval.union(v.interval)
            return _Num(table, interval, max(v.magnitude for v in values), all(v.sound for v in values))
        raise AssertionError(kind)

    def divisor(self, scope: _Scope) -> _Num:
        """A divisor that is never 0: a positive number, a rank, or ``(count + k)``."""
        options = ["literal"]
        ranks = self.readable_facts(scope, lambda f: f.kind == "rank")
        counts = self.readable_facts(scope, lambda f: f.kind == "count")
        if ranks:
            options.append("rank")
        if counts:
            options.append("count")
        choice = self.pick(options)
        if choice == "rank":
            fact = self.pick(ranks)
            assert isinstance(fact, _Fact)
            fact.used = True
            return _Num(n.Ref(fact.name, SPAN), fact.interval, fact.magnitude)
        k = Decimal(self.draw(st.sampled_from([1, 2, 3, 4, 7, 8, 10])))
        if choice == "count":
            fact = self.pick(counts)
            assert isinstance(fact, _Fact)
            fact.used = True
            expr = n.Binary("+", n.Ref(fact.name, SPAN), n.Number(k, SPAN), SPAN)
            return _Num(expr, fact.interval + Interval.point(k), fact.magnitude + k)
        return _Num(n.Number(k, SPAN), Interval.point(k), k)

    # ------------------------------------------------------------ cohort aggregates
    def aggregate(self, depth: int, scope: _Scope) -> _Num:
        """``cohort max(x)``, ``min``, ``sum``, ``mean``, ``rank(x)``, ``count``, ``count(C)``,
        maybe ``where C``: over facts, and in a criterion's rule over the scores of earlier
        sections and the levels of a classification over one of them (issue 13, item 15)."""
        inner = _Scope(earlier=scope.earlier, inside=True)
        func = str(self.pick(["max", "min", "sum", "mean", "rank", "count", "count of"]))
        if func == "count":
            return _Num(n.Cohort("count", None, SPAN), AGGREGATES["count"].range(Interval()), _COHORT_UNITS,
                        sound=False)
        levels = bool(self.class_levels(inner)) and self.chance(0.5)  # "every subordinate is Khá or better"
        where = self.class_test(inner) if levels and func != "count of" else (
            self.boolean(1, inner) if self.chance(0.3) else None)
        if func == "count of":
            counted = self.class_test(inner) if levels else self.boolean(max(depth, 0), inner)
            return _Num(n.Cohort("count", counted, SPAN, where), COUNT_OF.range(Interval()), _COHORT_UNITS,
                        sound=False)
        x = self.num(max(depth, 0), inner)
        magnitude = {"sum": x.magnitude * _COHORT_UNITS, "rank": _COHORT_UNITS}.get(func, x.magnitude + 1)
        if magnitude > MAGNITUDE_LIMIT:
            return _Num(n.Cohort("count", None, SPAN), AGGREGATES["count"].range(Interval()), _COHORT_UNITS,
                        sound=False)
        # Unsound: an aggregate over no unit is 0, and a mean is rounded, either maybe outside the range.
        return _Num(n.Cohort(func, x.expr, SPAN, where), AGGREGATES[func].range(x.interval), magnitude, sound=False)

    def class_levels(self, scope: _Scope) -> list[tuple[str, tuple[str, ...]]]:
        """The classifications whose levels an aggregate in ``scope`` may read, with their levels."""
        if not scope.inside:
            return []
        return [(decl.name, labels) for decl, root, labels in self.classifications if root in scope.earlier]

    def class_test(self, scope: _Scope) -> n.Expr:
        """Another unit's level, inside an aggregate: ``class(xep_loai) < "khá"``."""
        levels = self.class_levels(scope)
        name, labels = levels[self.draw(st.integers(0, len(levels) - 1))]
        level = n.String(str(self.pick(labels)), SPAN)
        return n.Compare(str(self.pick(_COMPARE)), n.ClassRef(name, SPAN), level, SPAN)

    def classification(self, root: str) -> n.ClassifyDecl:
        """Bands over an earlier section's score, whose levels later sections' aggregates read."""
        name = self.fresh("xep_loai_")
        words = self.draw(st.lists(st.sampled_from(_WORDS), min_size=2, max_size=3))
        labels = tuple(nfc(f"{word} {self.fresh('')}") for word in words)
        thresholds = sorted(self.draw(st.lists(st.integers(0, 30), min_size=len(labels) - 1,
                                               max_size=len(labels) - 1, unique=True)), reverse=True)
        rows = [n.Row(n.PCompare(">=", n.Number(Decimal(k), SPAN), SPAN), n.String(label, SPAN), SPAN)
                for k, label in zip(thresholds, labels, strict=False)]
        rows.append(n.Row(n.POtherwise(SPAN), n.String(labels[-1], SPAN), SPAN))
        decl = n.ClassifyDecl(name, self.draw(st.none() | texts()), n.ScoreRef(root, SPAN), tuple(rows), (), SPAN)
        self.classifications.append((decl, root, labels))
        return decl

    # ------------------------------------------------------------ true/false and levels
    def boolean(self, depth: int, scope: _Scope) -> n.Expr:
        facts = self.readable_facts(scope, lambda f: f.kind == "boolean")
        lets = self.lets_of(scope, "bool")
        if depth <= 0 or self.chance(0.25):
            options = ["literal"] + ["fact"] * bool(facts) + ["let"] * bool(lets) + ["compare"]
            choice = self.pick(options)
        else:
            choice = self.pick(["compare", "compare", "level", "eq", "and", "or", "not", "if", "table"]
                               + ["class"] * bool(self.class_levels(scope)))
        if choice == "fact":
            fact = self.pick(facts)
            assert isinstance(fact, _Fact)
            fact.used = True
            return n.Ref(fact.name, SPAN)
        if choice == "let":
            let = self.pick(lets)
            assert isinstance(let, _Let)
            return n.Ref(let.name, SPAN)
        if choice == "literal":
            return n.Bool(self.draw(st.booleans()), SPAN)
        sub = max(depth - 1, 0)
        if choice == "compare":
            a, b = self.num(sub, scope), self.num(sub, scope)
            return n.Compare(str(self.pick(_COMPARE)), a.expr, b.expr, SPAN)
        if choice == "level":
            scales = [s for s in self.scales if self.has_level(s, scope)]
            if not scales:
                return self.boolean(sub, scope)
            scale = str(self.pick(scales))
            left = self.level(scale, sub, scope)
            right = self.level(scale, sub, scope) if self.chance(0.3) else self.level_literal(scale)
            if self.chance(0.3):
                left, right = right, left
            return n.Compare(str(self.pick(_COMPARE)), left, right, SPAN)
        if choice == "class":
            return self.class_test(scope)
        if choice == "eq":
            return n.Compare(str(self.pick(["=", "!="])), self.boolean(sub, scope), self.boolean(sub, scope), SPAN)
        if choice in ("and", "or"):
            return n.Logic(choice, self.boolean(sub, scope), self.boolean(sub, scope), SPAN)
        if choice == "not":
            return n.Not(self.boolean(sub, scope), SPAN)
        if choice == "if":
            return n.If(self.boolean(sub, scope), self.boolean(sub, scope), self.boolean(sub, scope), SPAN)
        table = self.table(sub, scope, lambda: self.boolean(sub, scope))
        return table if table is not None else n.Bool(True, SPAN)

    def has_level(self, scale: str, scope: _Scope) -> bool:
        return bool(self.readable_facts(scope, lambda f: f.scale == scale) or self.lets_of(scope, "level", scale))

    def level_literal(self, scale: str) -> n.String:
        level = self.pick(self.scales[scale])
        assert isinstance(level, tuple)
        spelling = str(self.pick(level))
        variant = self.draw(st.sampled_from([spelling, spelling, spelling.upper(), f"  {spelling} "]))
        return n.String(nfc(variant), SPAN)

    def level(self, scale: str, depth: int, scope: _Scope) -> n.Expr:
        facts = self.readable_facts(scope, lambda f: f.scale == scale)
        lets = self.lets_of(scope, "level", scale)
        if depth > 0 and self.chance(0.3):
            sub = depth - 1
            if self.chance(0.5):
                cond = self.boolean(sub, scope)
                return n.If(cond, self.level(scale, sub, scope), self.level(scale, sub, scope), SPAN)
            table = self.table(sub, scope, lambda: self.level(scale, sub, scope))
            if table is not None:
                return table
        choice = self.pick(["fact"] * bool(facts) + ["let"] * bool(lets))
        if choice == "fact":
            fact = self.pick(facts)
            assert isinstance(fact, _Fact)
            fact.used = True
            return n.Ref(fact.name, SPAN)
        let = self.pick(lets)
        assert isinstance(let, _Let)
        return n.Ref(let.name, SPAN)

    # ------------------------------------------------------------ tier tables
    def table(self, depth: int, scope: _Scope, value: Callable[[], n.Expr]) -> n.Table | None:
        subjects = ["number", "bool"] + [s for s in self.scales if self.has_level(s, scope)]
        subject_kind = str(self.pick(subjects))
        if subject_kind == "number":
            subject = self.num(depth, scope)
            rows = self.number_rows(subject, value)
            if rows is None:
                return None
            return n.Table(subject.expr, rows, SPAN)
        if subject_kind == "bool":
            universe: list[object] = [True, False]
            subject_expr = self.boolean(depth, scope)
        else:
            universe = list(range(len(self.scales[subject_kind])))  # indexes, best first
            subject_expr = self.level(subject_kind, depth, scope)
        rows_out: list[n.Row] = []
        seen: set[object] = set()
        for _ in range(self.draw(st.integers(1, 4))):
            if subject_kind == "bool":
                truth = self.draw(st.booleans())
                op = str(self.pick(["", "=", "!="]))
                pattern: n.Pattern = (
                    n.PEqual(n.Bool(truth, SPAN), SPAN) if not op else n.PCompare(op, n.Bool(truth, SPAN), SPAN)
                )
                matched = {x for x in universe if (x == truth) == (op != "!=")}
            else:
                levels = self.scales[subject_kind]
                index = self.draw(st.integers(0, len(levels) - 1))
                spelling = str(self.pick(levels[index]))
                literal = n.String(spelling.upper() if self.chance(0.2) else spelling, SPAN)
                op = str(self.pick(["", *_COMPARE]))
                pattern = n.PEqual(literal, SPAN) if not op else n.PCompare(op, literal, SPAN)
                # better is greater: the worst level has rank 0
                mine = len(levels) - 1 - index
                ranks = {len(levels) - 1 - i for i in range(len(levels))}
                matched = {len(levels) - 1 - r for r in ranks if _holds(op or "=", r, mine)}
            if not matched - seen:
                continue  # the checker reports a row that can never match
            seen |= matched
            rows_out.append(n.Row(pattern, value(), SPAN))
        full = not [x for x in universe if x not in seen]
        if not full or self.chance(0.3):  # a useless otherwise is only a warning
            rows_out.append(n.Row(n.POtherwise(SPAN), value(), SPAN))
        return n.Table(subject_expr, tuple(rows_out), SPAN)

    def number_rows(self, subject: _Num, value: Callable[[], n.Expr]) -> tuple[n.Row, ...] | None:
        domain = subject.interval
        if domain.low > domain.high:
            return None
        everything = NumberSet.everything(domain.low, domain.high, domain.integral)
        if everything.empty():
            return None
        points = self.points(domain)
        covered = NumberSet((), domain.integral)
        rows: list[n.Row] = []
        for _ in range(self.draw(st.integers(1, 5))):
            form = self.pick(["compare", "compare", "range", "range", "equal"])
            if form == "compare":
                op = str(self.pick(_COMPARE))
                v = Decimal(str(self.pick(points)))
                pattern: n.Pattern = n.PCompare(op, n.Number(v, SPAN), SPAN)
                matched = compare_set(op, v, domain.integral)
            elif form == "equal":
                v = Decimal(str(self.pick(points)))
                pattern = n.PEqual(n.Number(v, SPAN), SPAN)
                matched = compare_set("=", v, domain.integral)
            else:
                a, b = sorted([Decimal(str(self.pick(points))), Decimal(str(self.pick(points)))])
                low = None if self.chance(0.2) else a
                high = None if self.chance(0.2) else b
                pattern = n.PRange(
                    None if low is None else n.Number(low, SPAN), None if high is None else n.Number(high, SPAN), SPAN
                )
                matched = NumberSet.interval(low if low is not None else NEG_INF, True,
                                             high if high is not None else INF, True, domain.integral)
            mine = matched.intersect(everything)
            if mine.minus(covered).empty():
                continue  # the checker reports a row that can never match
            if isinstance(pattern, n.PRange | n.PEqual) and not mine.intersect(covered).empty():
                continue  # the checker reports overlapping ranges
            covered = covered.union(mine)
            rows.append(n.Row(pattern, value(), SPAN))
        full = everything.minus(covered).empty()
        # Leave the otherwise row out only where the subject's range is sure: a fact's bounds.
        # (Ranges through division or clamp can be too narrow: see the BUG tests.)
        if not full or not (subject.sound and isinstance(subject.expr, n.Ref)) or self.chance(0.3):
            rows.append(n.Row(n.POtherwise(SPAN), value(), SPAN))
        return tuple(rows)

    def points(self, domain: Interval) -> list[Decimal]:
        """Row boundaries worth trying: the ends of the domain and values between them."""
        low = domain.low if domain.low.is_finite() else (domain.high - 30 if domain.high.is_finite() else Decimal(-30))
        high = domain.high if domain.high.is_finite() else low + 60
        low, high = _quantize(low, ROUND_FLOOR), _quantize(high, ROUND_CEILING)
        found = {low, high, _quantize((low + high) / 2, ROUND_HALF_UP)}
        for _ in range(self.draw(st.integers(1, 4))):
            if domain.integral:
                found.add(Decimal(self.draw(st.integers(int(low) - 1, int(high) + 1))))
            else:
                found.add(self.draw(st.decimals(min_value=low - 1, max_value=high + 1, places=2,
                                                allow_nan=False, allow_infinity=False)))
        return sorted(v for v in found if abs(v) < Decimal("1e14"))

    # ------------------------------------------------------------ lets
    def let(self) -> n.LetDecl:
        name = self.fresh(self.draw(st.sampled_from(["l_", "tổng_", "tang_"])))
        scope = self.scope()
        types = ["number", "bool"] + [s for s in self.scales if self.has_level(s, scope)]
        chosen = str(self.pick(types))
        let: _Let
        if chosen == "number":
            x = self.num(EXPR_DEPTH - 1, scope)
            let, expr = _Let(name, "number", None, x.interval, x.magnitude), x.expr
        elif chosen == "bool":
            expr = self.boolean(EXPR_DEPTH - 1, scope)
            let = _Let(name, "bool", None, Interval(), Decimal(0))
        else:
            expr = self.level(chosen, EXPR_DEPTH - 1, scope)
            let = _Let(name, "level", chosen, Interval(), Decimal(0))
        cohort_lets = {x.name for x in self.lets if x.cohort}
        let.cohort = any(isinstance(p, n.Cohort) or (isinstance(p, n.Ref) and p.name in cohort_lets)
                         for p in n.walk(expr))
        self.lets.append(let)
        return n.LetDecl(name, self.draw(st.none() | texts()), expr, SPAN)

    # ------------------------------------------------------------ the tree
    def annotations(self, kinds: Sequence[str]) -> list[n.Annotation]:
        out = []
        for _ in range(self.draw(st.integers(0, 2))):
            out.append(n.Annotation(str(self.pick(kinds)), self.draw(texts()), SPAN))
        return out

    def max_value(self) -> Decimal:
        halves = st.sampled_from(["0.5", "2.5", "12.25"]).map(Decimal)
        return self.draw(st.one_of(st.integers(0, 20).map(Decimal), halves))

    def criterion(
        self, kind: str, prefix: str, inherited_cap: Decimal | None, rule: Callable[[Decimal | None], n.Expr] | None
    ) -> tuple[n.CriterionDecl, Decimal | None]:
        code = self.code(prefix)
        may_omit = inherited_cap is not None or kind == "deduction"
        # issue 13: a row with no max (max open) or with a max read from the unit's facts (max (…))
        shape = "fixed"
        if kind != "deduction":
            shape = str(self.pick(["open"] + ["read"] * (rule is None) + ["fixed"] * 6))
        top = None if shape != "fixed" or (may_omit and self.chance(0.4)) else self.max_value()
        # a criterion without max takes the cap around it, except in a deduction section
        effective = top if top is not None else inherited_cap if kind != "deduction" and shape == "fixed" else None
        limits: list[n.NodeLimit] = [n.Limit("max", top, SPAN)] if top is not None else []
        scope = self.scope(top=effective, earlier=self.earlier)
        if shape == "open":
            limits.append(n.Flag("open", SPAN))
        elif shape == "read":
            read = self.unit_max()
            limits.append(n.MaxExpr(read.expr, SPAN))
            # a judged score is drawn up to 1000 when given as a fact of its own ("assessed as")
            scope = attrs.evolve(scope, unit_max=max(read.magnitude, Decimal(1000)))
        expr = rule(effective) if rule is not None else self.num(EXPR_DEPTH, scope).expr
        items: list[n.Annotation | n.ScoreStmt | n.Applicable | n.Column] = [n.ScoreStmt(expr, SPAN)]
        items += self.annotations(["evidence", "verifier", "note", "assume", "allow_unreachable", "allow_exceed"])
        if rule is None and self.chance(0.15):
            items.append(n.Applicable(self.boolean(2, self.scope()), SPAN))
        if kind == "standard" and rule is None:  # the row's own bonus and deduction columns
            for word in ("bonus", "deduction"):
                if self.chance(0.1):
                    column = self.num(EXPR_DEPTH - 2, self.scope()).expr  # no judged value: facts only
                    cap = self.max_value() if self.chance(0.7) else None
                    items.append(n.Column(word, column, cap, SPAN))
        items = list(self.draw(st.permutations(items)))
        # a negative value written in the rule counts only where the row says how low it goes
        negative = _negative_value(expr)
        floor = str(self.pick(["signed", "at least", "none"] if not negative else ["signed", "at least"]))
        if floor == "signed" and (negative or self.chance(0.1)):
            limits.append(n.Flag("signed", SPAN))
        elif floor == "at least" and (negative or self.chance(0.1)):
            low = Decimal(0) if self.chance(0.5) else -self.max_value()
            limits.append(n.Bound("least", low, SPAN))
        if rule is None and self.chance(0.08):
            limits.append(n.Bound("most", self.max_value(), SPAN) if top is None
                          else n.Bound("most", top / 2, SPAN))
        if rule is None and self.chance(0.05):
            limits.append(n.Flag("not counted", SPAN))
        limits = list(self.draw(st.permutations(limits)))
        return n.CriterionDecl(code, SPAN, self.draw(texts(1)), tuple(limits), tuple(items), SPAN), effective

    def unit_max(self) -> _Num:
        """A max read from the unit's facts, never below 0 (the checker refuses one that can be)."""
        x = self.num(EXPR_DEPTH - 1, self.scope())
        if x.sound and x.interval.low >= 0:
            return x
        zero = n.Number(Decimal(0), SPAN)
        return _Num(n.Call("max", (x.expr, zero), SPAN), x.interval.max(Interval.point(Decimal(0))), x.magnitude,
                    x.sound)

    def code(self, prefix: str) -> str:
        index = self.fresh("")
        base = f"{prefix}.{index}" if prefix else self.draw(st.sampled_from(["I", "II", "A", "B", "V", "1"])) + index
        style = self.draw(st.integers(0, 9))
        code = base.lower() if style == 0 else f"{base}-b" if style == 1 else base
        self.codes.append(code)
        return code

    def group(
        self, kind: str, prefix: str, depth: int, inherited_cap: Decimal | None, *, is_section: bool,
        top_level: bool = False, extra: Sequence[Callable[[Decimal | None], n.Expr]] = (),
    ) -> tuple[n.GroupDecl, Decimal | None]:
        code = self.code(prefix) if not top_level else self.code("")
        modes = ["max", "cap", "none", "maxcap", "gap"] if kind != "deduction" else ["none", "cap", "max"]
        mode = str(self.pick(modes))
        cap = self.max_value() + 1 if mode in ("cap", "maxcap") else None
        own_cap = cap if cap is not None else inherited_cap
        items: list[n.GroupDecl | n.CriterionDecl | n.Annotation | n.Applicable] = []
        maxima: list[Decimal | None] = []
        rules: list[Callable[[Decimal | None], n.Expr] | None] = [*extra]
        rules += [None] * self.draw(st.integers(0 if rules else 1, 3))
        for rule in rules:
            if rule is None and depth > 0 and self.chance(0.3):
                child_g, child_max = self.group(kind, code, depth - 1, own_cap, is_section=self.draw(st.booleans()))
                items.append(child_g)
                maxima.append(child_max)
            else:
                child_c, child_max = self.criterion(kind, code, own_cap, rule)
                if not maxima and any(isinstance(x, n.Flag) and x.name == "not counted" for x in child_c.limits):
                    # the first item always counts: a group adds up at least one
                    child_c = attrs.evolve(child_c, limits=tuple(
                        x for x in child_c.limits if not (isinstance(x, n.Flag) and x.name == "not counted")))
                items.append(child_c)
                if any(isinstance(x, n.Flag) and x.name == "not counted" for x in child_c.limits):
                    continue  # shown, not counted: its max is not the group's
                maxima.append(child_max)
        # a group counting one part: its best, or the first that applies (its max is the largest)
        choose = "sum"
        if kind != "deduction" and mode in ("max", "none") and len(maxima) > 1 and self.chance(0.25):
            choose = str(self.pick(["best", "either"]))
        known = [m for m in maxima if m is not None]
        total: Decimal | None = None
        if len(known) == len(maxima):
            total = max(known, default=Decimal(0)) if choose != "sum" else sum(known, Decimal(0))
        if cap is not None and kind != "deduction" and (total is None or total < cap):
            child_c, child_max = self.criterion_without_max(kind, code, cap)
            items.append(child_c)
            total = (total or Decimal(0)) + cap
        limits: list[n.NodeLimit] = []
        effective: Decimal | None
        if kind == "deduction":
            if mode == "cap":
                assert cap is not None
                limits.append(n.Limit("cap", cap, SPAN))
                effective = cap
            elif mode == "max":
                effective = self.max_value()
                limits.append(n.Limit("max", effective, SPAN))
            else:
                effective = None
        elif total is None:  # an open part (max open, max (…)): nothing to add up, its own max or none
            if mode in ("max", "gap"):
                effective = self.max_value() + 1
                limits.append(n.Limit("max", effective, SPAN))
            else:
                effective = None
        else:
            if mode == "max":
                limits.append(n.Limit("max", total, SPAN))
                effective = total
            elif mode == "gap":
                effective = total + self.max_value() + 1
                limits.append(n.Limit("max", effective, SPAN))
                items.append(n.Annotation("allow_gap", self.draw(texts()), SPAN))
            elif mode == "cap":
                assert cap is not None
                limits.append(n.Limit("cap", cap, SPAN))
                effective = cap
            elif mode == "maxcap":
                assert cap is not None
                limits += [n.Limit("max", cap, SPAN), n.Limit("cap", cap, SPAN)]
                effective = cap
            elif self.chance(0.1):  # written open: no max though every part has one
                limits.append(n.Flag("open", SPAN))
                effective = None
            else:
                effective = total
        items += self.annotations(["note", "assume"])
        if not extra and not top_level and self.chance(0.1):
            items.append(n.Applicable(self.boolean(2, self.scope()), SPAN))
        items = list(self.draw(st.permutations(items)))
        bounds: list[n.NodeLimit] = [*limits]
        if choose != "sum":
            bounds.append(n.Flag(choose, SPAN))
        if self.chance(0.08):
            bounds.append(n.Bound("least", Decimal(0), SPAN))
        if self.chance(0.05) and effective is not None:
            bounds.append(n.Bound("most", effective, SPAN))
        limits = list(self.draw(st.permutations(bounds)))
        group_kind = None
        if is_section and (top_level or self.chance(0.2)):
            group_kind = kind if (kind != "standard" or self.chance(0.3)) else None
        title = self.draw(texts()) if self.chance(0.8) else None
        decl = n.GroupDecl(is_section, group_kind, code, SPAN, title, tuple(limits), tuple(items), SPAN)
        return decl, effective

    # ------------------------------------------------------------ formulas and local lets
    def reshape(self, decl: n.GroupDecl) -> n.GroupDecl:
        """``decl`` with some rules moved into a formula (called with what they read) or into a
        local let of their criterion or of the group around it: the same scores, other constructs."""
        items: list[n.GroupDecl | n.CriterionDecl | n.Annotation | n.Applicable | n.LetDecl] = []
        locals_here: list[n.LetDecl] = []
        for item in decl.items:
            if isinstance(item, n.GroupDecl):
                item = self.reshape(item)
            elif isinstance(item, n.CriterionDecl):
                item, local = self.reshape_criterion(item)
                if local is not None:
                    locals_here.append(local)
            items.append(item)
        return attrs.evolve(decl, items=(*items, *locals_here))

    def reshape_criterion(self, decl: n.CriterionDecl) -> tuple[n.CriterionDecl, n.LetDecl | None]:
        """The criterion, its rule maybe moved; and a let for the group around it to hold, if any."""
        stmt = next((i for i in decl.items if isinstance(i, n.ScoreStmt)), None)
        choice = self.draw(st.sampled_from(["keep", "keep", "formula", "local", "group local", "category"]))
        if stmt is None or choice == "keep":
            return decl, None
        rule = stmt.expr
        if choice == "category":
            if not self.category_facts:
                return decl, None
            fact, category = self.category_facts[self.draw(st.integers(0, len(self.category_facts) - 1))]
            chosen = self.draw(st.lists(st.sampled_from(self.categories[category]), min_size=1, max_size=2))
            test: n.Expr = n.Compare("=", n.Ref(fact, SPAN), n.String(str(self.pick(chosen[0])), SPAN), SPAN)
            for spellings in chosen[1:]:  # "x in (a, b)" as the parser reads it
                other = n.Compare("=", n.Ref(fact, SPAN), n.String(str(self.pick(spellings)), SPAN), SPAN)
                test = n.Logic("or", test, other, SPAN)
            if self.chance(0.3):
                test = n.Compare("!=", n.Ref(fact, SPAN), n.String(str(self.pick(chosen[0])).upper(), SPAN), SPAN)
            guarded = n.ScoreStmt(n.If(test, rule, n.Number(Decimal(0), SPAN), SPAN), SPAN)
            if _refused_negative(decl, guarded.expr):
                return decl, None
            return attrs.evolve(decl, items=tuple(guarded if i is stmt else i for i in decl.items)), None
        if any(isinstance(p, n.Assessed) and p.name is None for p in n.walk(rule)) and self.chance(0.3):
            # the judged score given as a fact of its own: "assessed as diem_cham_3"
            judged = self.fresh("diem_cham_")
            step = (n.FactOption("step", n.Number(Decimal("0.25"), SPAN), SPAN),) if self.chance(0.3) else ()
            self.judged.append(n.FactDecl(judged, self.draw(texts()), "number", SPAN, Decimal(0), None, True,
                                          step, SPAN))
            rule = rename_assessed(rule, judged)
            stmt = n.ScoreStmt(rule, SPAN)
            decl = attrs.evolve(decl, items=tuple(stmt if isinstance(i, n.ScoreStmt) else i for i in decl.items))
        parts = list(n.walk(rule))
        # A let's scope has no max nor judged score; a division by a name may rely on a guard
        # (an applicable if) that only the criterion's own rule sees.
        if any(isinstance(p, n.Assessed | n.SelfMax | n.Cohort) for p in parts) or any(
            isinstance(p, n.Binary) and p.op == "/" and not isinstance(p.right, n.Number) for p in parts
        ):
            return decl, None
        if choice == "formula":
            return self.formula_of(decl, stmt), None
        name = self.fresh("cuc_bo_")
        let = n.LetDecl(name, self.draw(st.none() | texts()), rule, SPAN)
        score = n.ScoreStmt(n.Ref(name, SPAN), SPAN)
        items = tuple(score if i is stmt else i for i in decl.items)
        if choice == "local":
            return attrs.evolve(decl, items=(*items, let)), None
        return attrs.evolve(decl, items=items), let

    def formula_of(self, decl: n.CriterionDecl, stmt: n.ScoreStmt) -> n.CriterionDecl:
        """``stmt``'s rule as a formula over the facts it reads, called with those facts."""
        facts = {f.name: f for f in self.facts}
        read = sorted({p.name for p in n.walk(stmt.expr) if isinstance(p, n.Ref)})
        # Arguments are evaluated before the formula: a fact the rule reads in one branch only is
        # then read always, so an optional one (no default) would be missing; lets are left alone.
        if any(name not in facts or (facts[name].optional and not facts[name].has_default) for name in read):
            return decl
        if any(isinstance(p, n.Table) for p in n.walk(stmt.expr)):
            return decl  # a table's rows are checked against the subject's range, unknown at a definition
        params = {name: f"x{i}" for i, name in enumerate(read)}
        kinds = {name: "boolean" if facts[name].kind == "boolean" else facts[name].scale for name in read}
        body = rename(stmt.expr, params)
        name = self.fresh("cong_thuc_")
        formula = n.FormulaDecl(
            name, self.draw(st.none() | texts()),
            tuple(n.Param(params[r], kinds[r], SPAN) for r in read), body, SPAN,
        )
        self.formulas.append(formula)
        call = n.Call(name, tuple(n.Ref(r, SPAN) for r in read), SPAN)
        if not read:  # a formula takes one parameter at least: give it one it ignores
            formula = attrs.evolve(formula, params=(n.Param("x0", None, SPAN),))
            self.formulas[-1] = formula
            call = n.Call(name, (n.Number(Decimal(0), SPAN),), SPAN)
        return attrs.evolve(decl, items=tuple(n.ScoreStmt(call, SPAN) if i is stmt else i for i in decl.items))

    def reading(self, root: n.GroupDecl, earlier: list[n.GroupDecl]) -> n.GroupDecl:
        """Sometimes a row of ``root`` reads the score of an earlier section (``score(II)``): the
        rule becomes ``if score(X) >= k then RULE else RULE``, the same value whatever X scores,
        so the rule's range is unchanged while the reading is exercised on both paths."""
        if not earlier or not self.chance(0.3):
            return root
        target = earlier[self.draw(st.integers(0, len(earlier) - 1))]
        row = _first_rule(root)
        if row is None:
            return root
        stmt = next(i for i in row.items if isinstance(i, n.ScoreStmt))
        test = n.Compare(">=", n.ScoreRef(target.code, SPAN), n.Number(self.max_value(), SPAN), SPAN)
        read = n.ScoreStmt(n.If(test, stmt.expr, stmt.expr, SPAN), SPAN)
        if _refused_negative(row, read.expr):
            return root
        changed = attrs.evolve(row, items=tuple(read if i is stmt else i for i in row.items))
        return _replaced(root, row, changed)

    def criterion_without_max(self, kind: str, prefix: str, cap: Decimal) -> tuple[n.CriterionDecl, Decimal]:
        code = self.code(prefix)
        scope = self.scope(top=cap, earlier=self.earlier)
        expr = self.num(EXPR_DEPTH - 1, scope).expr
        title = self.draw(texts(1))
        return n.CriterionDecl(code, SPAN, title, (), (n.ScoreStmt(expr, SPAN),), SPAN), cap


def _first_rule(decl: n.GroupDecl | n.CriterionDecl) -> n.CriterionDecl | None:
    """The first criterion in ``decl`` (depth first) that has a score rule."""
    if isinstance(decl, n.CriterionDecl):
        return decl if any(isinstance(i, n.ScoreStmt) for i in decl.items) else None
    for item in decl.items:
        if isinstance(item, n.GroupDecl | n.CriterionDecl):
            found = _first_rule(item)
            if found is not None:
                return found
    return None


def _replaced(decl: n.GroupDecl, old: n.CriterionDecl, new: n.CriterionDecl) -> n.GroupDecl:
    items = tuple(
        new if item is old else _replaced(item, old, new) if isinstance(item, n.GroupDecl) else item
        for item in decl.items
    )
    return attrs.evolve(decl, items=items)


def _negative_value(expr: n.Expr) -> bool:
    """Whether a tier row or an ``if`` branch of ``expr`` is a negative number as written."""
    return any(number < 0 for _, number in n.written_values(expr))


def _refused_negative(row: n.CriterionDecl, expr: n.Expr) -> bool:
    """Whether ``expr`` as the rule of ``row`` writes a negative value (``-1`` as an ``if``
    branch) that the row's floor at 0 refuses: a rule wrapped in an ``if`` may become one."""
    floored = not any((isinstance(x, n.Bound) and x.side == "least")
                      or (isinstance(x, n.Flag) and x.name == "signed") for x in row.limits)
    return floored and _negative_value(expr)


def rename_assessed(expr: n.Expr, name: str) -> n.Expr:
    """``expr`` with each ``assessed`` read as ``assessed as name``."""
    def rebuilt(node: Any) -> Any:
        if isinstance(node, n.Assessed):
            return attrs.evolve(node, name=name)
        changes: dict[str, Any] = {}
        for field in attrs.fields(type(node)):
            value = getattr(node, field.name)
            if isinstance(value, n.NODE_TYPES):
                changes[field.name] = rebuilt(value)
            elif isinstance(value, tuple) and any(isinstance(i, n.NODE_TYPES) for i in value):
                changes[field.name] = tuple(rebuilt(i) if isinstance(i, n.NODE_TYPES) else i for i in value)
        return attrs.evolve(node, **changes) if changes else node

    made: n.Expr = rebuilt(expr)
    return made


def _holds(op: str, left: int, right: int) -> bool:
    return {
        "=": left == right, "!=": left != right, "<": left < right, "<=": left <= right,
        ">": left > right, ">=": left >= right,
    }[op]


def _monotone_rule(fact: _Fact) -> Callable[[Decimal | None], n.Expr]:
    """A rule that moves with ``fact`` in its declared direction (and reads nothing else)."""
    ref = n.Ref(fact.name, SPAN)

    def rule(top: Decimal | None) -> n.Expr:
        if fact.monotone == "increasing":
            return n.Call("min", (ref, n.SelfMax(SPAN)), SPAN) if top is not None else ref
        return n.Binary("-", n.Number(Decimal(50), SPAN), n.Binary("*", n.Number(Decimal(2), SPAN), ref, SPAN), SPAN)

    return rule


@st.composite
def _ruleset_trees(draw: st.DrawFn, cohorts: bool) -> n.RulesetDecl:
    b = _Builder(draw, cohorts=cohorts and draw(st.booleans()))  # some scored alone, some together
    decls: list[n.Decl] = [b.scale() for _ in range(draw(st.integers(0, 2)))]
    kinds = ["count", "number", "percent", "rank", "boolean", *b.scales]
    for _ in range(draw(st.integers(1, 6))):
        decls.append(b.fact(str(b.pick(kinds))))
    for scale in b.scales:  # a scale is used by at least one fact, most of the time
        if draw(st.booleans()):
            decls.append(b.fact(scale))
    monotone = [
        b.fact(str(b.pick(["count", "number", "percent", "rank"])), monotone=str(b.pick(["increasing", "decreasing"])))
        for _ in range(draw(st.integers(0, 2)))
    ]
    decls += monotone
    for _ in range(draw(st.integers(0, 3))):
        decls.append(b.let())
    if draw(st.booleans()):
        decls += b.category()
    # the tree: standard and bonus sections add up to the total; deductions stand outside
    roots: list[n.GroupDecl] = []
    total = Decimal(0)
    section_kinds = [str(b.pick(["standard", "standard", "bonus"])) for _ in range(draw(st.integers(1, 3)))]
    section_kinds += ["deduction"] * draw(st.integers(0, 1))
    extra = [_monotone_rule(f) for f in b.facts if f.monotone is not None]
    for index, kind in enumerate(section_kinds):
        b.earlier = tuple(root.code for root in roots)
        section, top = b.group(kind, "", 2, None, is_section=True, top_level=True,
                               extra=extra if index == 0 else ())
        roots.append(section)
        if kind != "deduction" and top is not None:  # an open section adds no max to the total
            total += top
        if b.cohorts and index == 0 and b.chance(0.5):  # levels that later sections' aggregates read
            decls.append(b.classification(section.code))
    for fact in b.facts:
        if fact.monotone is not None:
            fact.used = True
    roots = [b.reshape(root) for root in roots]
    roots = [b.reading(root, roots[:index]) for index, root in enumerate(roots)]
    decls += roots
    decls += b.formulas
    decls += b.judged
    # ranking: a few orders, then one that reads every fact a rule may need and that has no
    # default, so that the checker makes those facts required (testing.facts always gives them)
    orders: list[n.Order] = []
    ranking_scope = b.scope(ranking=True)
    for _ in range(draw(st.integers(0, 2))):
        orders.append(n.Order(str(b.pick(["highest", "lowest"])), b.num(2, ranking_scope).expr, SPAN))
    awards: list[n.AwardDecl] = []
    for _ in range(draw(st.integers(0, 2))):
        requirements = tuple(
            n.Requirement(b.boolean(2, ranking_scope), draw(texts()), SPAN) for _ in range(draw(st.integers(0, 2)))
        )
        awards.append(n.AwardDecl(b.fresh("giai_"), draw(texts()), draw(st.integers(1, 3)), requirements, SPAN))
    anchors = [_anchor(b, f) for f in b.facts if f.used and not f.has_default and not f.optional]
    if anchors:
        expr = anchors[0]
        for term in anchors[1:]:
            expr = n.Binary("+", expr, term, SPAN)
        orders.append(n.Order("lowest", expr, SPAN))
    if orders or b.chance(0.5):
        if not orders:
            orders.append(n.Order("highest", n.TotalRef(SPAN), SPAN))
        decls.append(n.RankingDecl(tuple(orders), SPAN))
    # issue 13: named rankings, some within the levels of a scale fact every unit is given
    groupable = [f for f in b.facts if f.scale is not None and not f.optional]
    for index in range(draw(st.integers(0, 2))):
        keys = tuple(n.Order(str(b.pick(["highest", "lowest"])), b.num(2, ranking_scope).expr, SPAN)
                     for _ in range(draw(st.integers(1, 2))))
        within = str(b.pick([f.name for f in groupable])) if groupable and b.chance(0.7) else None
        decls.append(n.RankingDecl(keys, SPAN, f"xếp hạng {index + 1}", within))
    decls += awards
    decls = list(draw(st.permutations(decls)))
    header = _header(b, total)
    return n.RulesetDecl(header, tuple(decls), SPAN)


def _anchor(b: _Builder, fact: _Fact) -> n.Expr:
    """A number that reads ``fact`` whatever the other facts are."""
    ref = n.Ref(fact.name, SPAN)
    one, zero = n.Number(Decimal(1), SPAN), n.Number(Decimal(0), SPAN)
    if fact.kind == "boolean":
        return n.If(ref, one, zero, SPAN)
    if fact.scale is not None:
        return n.If(n.Compare(">=", ref, b.level_literal(fact.scale), SPAN), one, zero, SPAN)
    return ref


def _header(b: _Builder, total: Decimal) -> n.Header:
    draw = b.draw
    items: list[n.HeaderItem | n.Annotation] = []
    gap = b.chance(0.1)
    items.append(n.HeaderItem("total", (total + (b.max_value() + 1 if gap else 0),), SPAN))
    if gap:
        items.append(n.Annotation("allow_gap", draw(texts()), SPAN))
    if b.chance(0.6):
        items.append(n.HeaderItem("title", (draw(texts()),), SPAN))
    if b.chance(0.4):
        parts: list[tuple[str, str, Span]] = []
        if b.chance(0.7):
            parts.append(("number", draw(texts(0, 12)), SPAN))
        if b.chance(0.5):
            parts.append(("dated", draw(st.dates()).isoformat(), SPAN))
        if b.chance(0.5) or not parts:
            parts.append(("issuer", draw(texts()), SPAN))
        items.append(n.HeaderItem("document", tuple(parts), SPAN))
    if b.chance(0.4):
        items.append(n.HeaderItem("year", (draw(st.integers(1990, 2100)),), SPAN))
    if b.chance(0.4):
        names = draw(st.lists(st.sampled_from(_ROUND_NAMES), min_size=1, max_size=3, unique=True))
        rounds = tuple(n.RoundDecl(name, draw(texts()), SPAN) for name in names)
        final = draw(st.none() | st.sampled_from(names))
        items.append(n.HeaderItem("rounds", (rounds, final), SPAN))
    if b.chance(0.4):
        items.append(n.HeaderItem("rounding", (draw(st.integers(0, 10)),), SPAN))
    if b.chance(0.1):
        bounds = [n.Bound("least", Decimal(0), SPAN)] + ([n.Bound("most", total, SPAN)] if b.chance(0.5) else [])
        items.append(n.HeaderItem("total_bounds", tuple(bounds), SPAN))
    items += b.annotations(["note", "assume"])
    items = list(draw(st.permutations(items)))
    ident = draw(texts(1, 20).filter(lambda s: s.strip() != ""))
    return n.Header(ident, tuple(items), SPAN)


def ruleset_trees(*, cohorts: bool = False) -> st.SearchStrategy[n.RulesetDecl]:
    """Valid rulesets as syntax nodes (every span is ``SPAN``); print them with ``printer``.

    With ``cohorts``, rules, lets, conditions and rankings also read cohort aggregates (of facts,
    and in a row's rule of earlier sections' scores and of the levels of a classification over
    one): such a ruleset is scored with ``evaluate_cohort``, or given its aggregates (``cohort=``).
    """
    return _ruleset_trees(cohorts)


def rulesets(*, cohorts: bool = False) -> st.SearchStrategy[str]:
    """Valid rulesets as canonical source text: they load, and evaluate on ``testing.facts`` (as a
    cohort, ``evaluate_cohort``, when drawn with ``cohorts`` and ``rs.cohorts`` is not empty)."""
    return ruleset_trees(cohorts=cohorts).map(print_ruleset)


# ================================================================ arbitrary expressions


_NAMES = st.sampled_from(["x", "so_van_ban", "hạng_dti", "f1", "tổng"])
_CODES = st.sampled_from(["I", "II.4", "A.III.2", "3.1", "a.1", "VII.1-b", "x y"])


def _leaf_expressions() -> st.SearchStrategy[n.Expr]:
    return st.one_of(
        _literals().map(lambda v: n.Number(v, SPAN)),
        texts().map(lambda s: n.String(s, SPAN)),
        st.booleans().map(lambda v: n.Bool(v, SPAN)),
        _NAMES.map(lambda s: n.Ref(s, SPAN)),
        _NAMES.map(lambda name: n.Assessed(SPAN, name)),
        st.sampled_from([n.Assessed(SPAN), n.SelfMax(SPAN), n.TotalRef(SPAN), n.PercentageRef(SPAN),
                         n.Cohort("count", None, SPAN)]),
        _CODES.map(lambda c: n.ScoreRef(c, SPAN)),
    )


def _pvalues() -> st.SearchStrategy[n.Number | n.String | n.Bool]:
    return st.one_of(
        st.decimals(min_value=-100, max_value=100, places=2, allow_nan=False, allow_infinity=False).map(
            lambda v: n.Number(v, SPAN)
        ),
        texts(0, 8).map(lambda s: n.String(s, SPAN)),
        st.booleans().map(lambda v: n.Bool(v, SPAN)),
    )


def _patterns() -> st.SearchStrategy[n.Pattern]:
    numbers = st.decimals(min_value=-100, max_value=100, places=1, allow_nan=False, allow_infinity=False).map(
        lambda v: n.Number(v, SPAN)
    )
    return st.one_of(
        st.builds(n.PCompare, st.sampled_from(_COMPARE), _pvalues(), st.just(SPAN)),
        st.builds(n.PRange, st.none() | numbers, st.none() | numbers, st.just(SPAN)),
        st.builds(n.PEqual, _pvalues(), st.just(SPAN)),
    )


def _extend(children: st.SearchStrategy[n.Expr]) -> st.SearchStrategy[n.Expr]:
    row = st.builds(n.Row, _patterns(), children, st.just(SPAN))
    otherwise = st.builds(n.Row, st.just(n.POtherwise(SPAN)), children, st.just(SPAN))
    rows: st.SearchStrategy[tuple[list[n.Row], list[n.Row]]] = st.one_of(  # one row at least
        st.tuples(st.lists(row, min_size=1, max_size=3), st.lists(otherwise, max_size=1)),
        st.tuples(st.just([]), st.lists(otherwise, min_size=1, max_size=1)),
    )
    return st.one_of(
        st.builds(n.Neg, children, st.just(SPAN)),
        st.builds(n.Binary, st.sampled_from(["+", "-", "*", "/"]), children, children, st.just(SPAN)),
        st.builds(n.Compare, st.sampled_from(_COMPARE), children, children, st.just(SPAN)),
        st.builds(n.Logic, st.sampled_from(["and", "or"]), children, children, st.just(SPAN)),
        st.builds(n.Not, children, st.just(SPAN)),
        st.builds(n.If, children, children, children, st.just(SPAN)),
        st.builds(n.Call, st.sampled_from(list(FUNCTIONS)),
                  st.lists(children, min_size=1, max_size=3).map(tuple), st.just(SPAN)),
        st.builds(n.Cohort, st.sampled_from([a.name for a in AGGREGATES.values() if a.takes_value]), children,
                  st.just(SPAN), st.none() | children),  # issue 13: "where", the units taken part
        st.builds(lambda subject, parts: n.Table(subject, (*parts[0], *parts[1]), SPAN), children, rows),
    )


def expressions(max_leaves: int = 12) -> st.SearchStrategy[n.Expr]:
    """Expression trees of every node kind, nested at random; not type-checked."""
    # deferred: hypothesis shows the strategy as this line, not as its (huge) expansion
    return st.deferred(lambda: st.recursive(_leaf_expressions(), _extend, max_leaves=max_leaves))


# ================================================================ arbitrary rulesets

_NAME_WORDS = st.sampled_from(["x", "so_van_ban", "hạng_dti", "cap_don_vi", "sum", "mean", "zero", "skip", "lower"])
_KINDS = st.sampled_from(["count", "number", "percent", "rank", "boolean", "xep_loai"])
_AMOUNTS = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False)
_SIGNED = st.decimals(min_value=-1000, max_value=1000, places=1, allow_nan=False, allow_infinity=False)


def _by_values() -> st.SearchStrategy[tuple[tuple[str, Decimal, Span], ...]]:
    return st.lists(st.tuples(texts(0, 8), _AMOUNTS, st.just(SPAN)), min_size=1, max_size=3).map(tuple)


def _limits() -> st.SearchStrategy[tuple[n.NodeLimit, ...]]:
    plain = st.builds(n.Limit, st.sampled_from(["max", "cap"]), _AMOUNTS, st.just(SPAN))
    by = _by_values().map(lambda values: n.Limit("max", max(v for _, v, _ in values), SPAN, values))
    bound = st.builds(n.Bound, st.sampled_from(["least", "most"]), _SIGNED, st.just(SPAN))
    flag = st.builds(n.Flag, st.sampled_from(["open", "signed", "not counted", "best", "either"]), st.just(SPAN))
    read = st.builds(n.MaxExpr, expressions(3), st.just(SPAN))
    return st.lists(plain | by | bound | flag | read, max_size=3).map(tuple)


def _annotation(kinds: Sequence[str]) -> st.SearchStrategy[n.Annotation]:
    return st.builds(n.Annotation, st.sampled_from(list(kinds)), texts(), st.just(SPAN))


def _local_lets() -> st.SearchStrategy[n.LetDecl]:
    return st.builds(n.LetDecl, _NAME_WORDS, st.none() | texts(), expressions(4), st.just(SPAN))


def _formulas() -> st.SearchStrategy[n.FormulaDecl]:
    params = st.builds(n.Param, _NAME_WORDS, st.none() | st.sampled_from(["boolean", "number", "xep_loai"]),
                       st.just(SPAN))
    return st.builds(n.FormulaDecl, _NAME_WORDS, st.none() | texts(), st.lists(params, min_size=1, max_size=3)
                     .map(tuple), expressions(6), st.just(SPAN))


def _criteria() -> st.SearchStrategy[n.CriterionDecl]:
    items = st.one_of(
        st.builds(n.ScoreStmt, expressions(6), st.just(SPAN)),
        st.builds(n.Applicable, expressions(4), st.just(SPAN)),
        _annotation(["evidence", "verifier", "note", "assume", "allow_unreachable", "allow_exceed"]),
        st.builds(n.Column, st.sampled_from(["bonus", "deduction"]), expressions(4), st.none() | _AMOUNTS,
                  st.just(SPAN)),
        _local_lets(),
    )
    return st.builds(n.CriterionDecl, _CODES, st.just(SPAN), texts(), _limits(),
                     st.lists(items, max_size=3).map(tuple), st.just(SPAN))


def _groups(children: st.SearchStrategy[n.GroupDecl | n.CriterionDecl]) -> st.SearchStrategy[n.GroupDecl]:
    items = st.one_of(children, _annotation(["note", "assume", "allow_gap"]),
                      st.builds(n.Applicable, expressions(4), st.just(SPAN)), _local_lets())

    def build(is_section: bool, kind: str | None, code: str, title: str | None, limits: tuple[n.NodeLimit, ...],
              body: list[object]) -> n.GroupDecl:
        return n.GroupDecl(is_section, kind if is_section else None, code, SPAN, title, limits,
                           tuple(body), SPAN)  # type: ignore[arg-type]

    return st.builds(build, st.booleans(), st.none() | st.sampled_from(["standard", "bonus", "deduction"]),
                     _CODES, st.none() | texts(), _limits(), st.lists(items, max_size=3))


def _declarations() -> st.SearchStrategy[n.Decl]:
    option = st.one_of(
        st.builds(n.FactOption, st.just("default"), st.one_of(
            _AMOUNTS.map(lambda v: n.Number(v, SPAN)), texts(0, 8).map(lambda t: n.String(t, SPAN)),
            st.booleans().map(lambda v: n.Bool(v, SPAN))), st.just(SPAN)),
        st.builds(n.FactOption, st.sampled_from(["optional", "appraised_only"]), st.none(), st.just(SPAN)),
        st.builds(n.FactOption, st.just("monotone"), st.sampled_from(["increasing", "decreasing"]), st.just(SPAN)),
        st.builds(n.FactOption, st.just("step"), _AMOUNTS.map(lambda v: n.Number(abs(v), SPAN)), st.just(SPAN)),
    )

    def fact(name: str, label: str, kind: str, bounds: tuple[Decimal | None, Decimal | None] | None,
             options: list[n.FactOption], holes: list[Decimal]) -> n.FactDecl:
        low, high = bounds if bounds is not None else (None, None)
        if bounds is not None and holes:  # a range of several parts: "low | v1 | v2..high" as written
            parts = ((low, low if low is not None else holes[0]), *((v, v) for v in holes), (holes[-1], high))
            lows, highs = [p[0] for p in parts], [p[1] for p in parts]
            low = None if None in lows else min(x for x in lows if x is not None)
            high = None if None in highs else max(x for x in highs if x is not None)
            return n.FactDecl(name, label, kind, SPAN, low, high, True, tuple(options), SPAN, parts)
        return n.FactDecl(name, label, kind, SPAN, low, high, bounds is not None, tuple(options), SPAN)

    bounds = st.none() | st.tuples(st.none() | _SIGNED, st.none() | _SIGNED)
    facts = st.builds(fact, _NAME_WORDS, texts(), _KINDS, bounds, st.lists(option, max_size=3),
                      st.lists(_SIGNED, max_size=2))
    levels = st.lists(st.lists(texts(0, 8), min_size=1, max_size=3).map(lambda names: n.Level(tuple(names), SPAN)),
                      min_size=1, max_size=3).map(tuple)
    scales = st.builds(n.ScaleDecl, _NAME_WORDS, st.none() | texts(), levels, st.just(SPAN))
    categories = st.builds(n.CategoryDecl, _NAME_WORDS, st.none() | texts(), levels, st.just(SPAN))
    lets = st.builds(n.LetDecl, _NAME_WORDS, st.none() | texts(), expressions(6), st.just(SPAN))
    tree = st.recursive(_criteria(), _groups, max_leaves=6)
    sections = _groups(tree).map(lambda group: attrs.evolve(group, is_section=True))
    orders = st.builds(n.Order, st.sampled_from(["highest", "lowest"]), expressions(4), st.just(SPAN))
    rankings = st.builds(n.RankingDecl, st.lists(orders, min_size=1, max_size=3).map(tuple), st.just(SPAN),
                         st.none() | texts(), st.none() | _NAME_WORDS)
    requirement = st.builds(n.Requirement, expressions(4), texts(), st.just(SPAN))
    awards = st.builds(n.AwardDecl, _NAME_WORDS, texts(), st.integers(0, 10 ** 6),
                       st.lists(requirement, max_size=2).map(tuple), st.just(SPAN))
    rollup_item = st.one_of(
        st.lists(texts(0, 8), min_size=1, max_size=4).map(lambda p: n.RollupItem("periods", tuple(p), SPAN)),
        st.builds(lambda k, v: n.RollupItem(k, (v,), SPAN), st.sampled_from(["combine", "missing"]), _NAME_WORDS),
        st.builds(lambda c, v: n.RollupItem("cap", (c, v, SPAN), SPAN), _CODES, _AMOUNTS),
        st.lists(_NAME_WORDS, min_size=1, max_size=3).map(lambda p: n.RollupItem("of", tuple(p), SPAN)),
    )
    rollups = st.builds(n.RollupDecl, st.none() | texts(), st.lists(rollup_item, max_size=4).map(tuple), st.just(SPAN),
                        st.none() | _NAME_WORDS)
    class_rule = st.one_of(
        st.builds(lambda c, o, r, onward: n.ClassRule(o, c, None, None, False, r, SPAN, onward), expressions(4),
                  st.sampled_from(["lower", "unclassified"]), texts(), st.booleans()),
        st.builds(lambda c, level, r, onward: n.ClassRule("at_most", c, level, None, False, r, SPAN, onward),
                  expressions(4), texts(), texts(), st.booleans()),
        st.builds(lambda level, amount, percent: n.ClassRule("quota", None, level, amount, percent, "", SPAN),
                  texts(), _AMOUNTS, st.booleans()),
    )
    rows = st.lists(st.builds(n.Row, _patterns() | st.just(n.POtherwise(SPAN)),
                              texts(0, 8).map(lambda t: n.String(t, SPAN)), st.just(SPAN)), min_size=1, max_size=3)
    # issue 13: bands by conditions (no "by"), printed before the otherwise row
    whens = st.lists(st.builds(n.ClassWhen, expressions(4), texts(0, 8).map(lambda t: n.String(t, SPAN)),
                               st.just(SPAN)), min_size=1, max_size=2).map(tuple)
    classifications = st.builds(n.ClassifyDecl, _NAME_WORDS, st.none() | texts(), expressions(4),
                                rows.map(tuple), st.lists(class_rule, max_size=3).map(tuple), st.just(SPAN))
    by_conditions = st.builds(
        n.ClassifyDecl, _NAME_WORDS, st.none() | texts(), st.none(),
        st.lists(st.builds(n.Row, st.just(n.POtherwise(SPAN)), texts(0, 8).map(lambda t: n.String(t, SPAN)),
                           st.just(SPAN)), max_size=1).map(tuple),
        st.lists(class_rule, max_size=3).map(tuple), st.just(SPAN),
        whens)
    classifications = classifications | by_conditions
    return st.one_of(scales, facts, lets, sections, rankings, awards, rollups, classifications, _formulas(),
                     categories)


def _header_items() -> st.SearchStrategy[n.HeaderItem | n.Annotation]:
    document_part = st.one_of(
        st.tuples(st.just("number"), texts(0, 12), st.just(SPAN)),
        st.tuples(st.just("dated"), st.dates().map(lambda d: d.isoformat()), st.just(SPAN)),
        st.tuples(st.just("issuer"), texts(0, 12), st.just(SPAN)),
    )
    rounds = st.lists(st.builds(n.RoundDecl, _NAME_WORDS, texts(), st.just(SPAN)), min_size=1, max_size=3)
    return st.one_of(
        texts().map(lambda t: n.HeaderItem("title", (t,), SPAN)),
        st.lists(document_part, min_size=1, max_size=3).map(lambda p: n.HeaderItem("document", tuple(p), SPAN)),
        st.integers(0, 10 ** 6).map(lambda v: n.HeaderItem("year", (v,), SPAN)),
        st.integers(0, 99).map(lambda v: n.HeaderItem("rounding", (v,), SPAN)),
        _AMOUNTS.map(lambda v: n.HeaderItem("total", (v,), SPAN)),
        _by_values().map(lambda values: n.HeaderItem("total_by", values, SPAN)),
        st.lists(st.builds(n.Bound, st.sampled_from(["least", "most"]), _SIGNED, st.just(SPAN)), min_size=1,
                 max_size=2).map(lambda bounds: n.HeaderItem("total_bounds", tuple(bounds), SPAN)),
        _NAME_WORDS.map(lambda name: n.HeaderItem("variants", (name,), SPAN)),
        st.builds(lambda r, final: n.HeaderItem("rounds", (tuple(r), final), SPAN), rounds, st.none() | _NAME_WORDS),
        _annotation(["note", "assume", "allow_gap"]),
    )


def syntax_trees() -> st.SearchStrategy[n.RulesetDecl]:
    """Rulesets of every header item and declaration, filled at random: they parse, not check."""
    header = st.builds(n.Header, texts(), st.lists(_header_items(), max_size=4).map(tuple), st.just(SPAN))
    decls = st.lists(_declarations(), max_size=5).map(tuple)
    return st.deferred(lambda: st.builds(n.RulesetDecl, header, decls, st.just(SPAN)))


# ================================================================ mutations

#: The kinds of damage ``mutations`` may do.
MUTATION_KINDS = (
    "delete", "duplicate", "swap", "replace", "insert", "truncate", "huge_number", "parentheses",
    "nesting", "unicode", "whitespace", "bytes", "invalid_utf8",
)
_BYTE_KINDS = frozenset({"bytes", "invalid_utf8"})
_TOKEN = re.compile(
    r'"(?:[^"\\\n]|\\.)*"?|#[^\n]*|\d+(?:\.\d+)?|[^\W\d]\w*|\.\.|<=|>=|!=|\s+|.', re.DOTALL
)
_INSERTIONS = (
    "ruleset", "section", "group", "criterion", "score", "table", "otherwise", "if", "then", "else",
    "max", "cap", "fact", "let", "scale", "{", "}", "(", ")", ":", ",", "..", "-", "=", "<=", ">",
    '"', '"x"', "0", "1.5", "assessed", "not", "and", "or", "allow", "gap", "ranking", "award", "#",
    "\\", "total", "score(I)", "cohort", "percentage", "true", "false", "|",
    "formula", "f(x)", "category", "in", "as", "step",
)
_INVALID_UTF8 = (
    b"\xff", b"\xfe", b"\xc0\xaf", b"\xc3\x28", b"\xe1\xba", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
    b"\x80", b"\xf8\x88\x80\x80\x80", b"\xe2\x82",
)
_ODD_CHARACTERS = (
    "\ufeff", "\u200b", "\u00a0", "\u202e", "\u0301", "\u0430", "\U0001f600", "\x00", "\x7f",
    "\u3000", "\u0300\u0301\u0302",
)
_LINE_BREAKS = ("\r", "\r\n", "\x0c", "\x0b", "\x85", "\u2028", "\u2029", "\x1c")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _solid(tokens: list[str]) -> list[int]:
    """Indexes of the tokens that are not whitespace."""
    return [i for i, t in enumerate(tokens) if not t.isspace()]


@st.composite
def _text_mutation(draw: st.DrawFn, text: str, kind: str, max_depth: int, max_digits: int) -> str:
    tokens = _tokens(text)
    solid = _solid(tokens) or [0]
    if not tokens:
        tokens = [""]
    at = draw(st.sampled_from(solid))
    if kind == "delete":
        del tokens[at]
    elif kind == "duplicate":
        tokens.insert(draw(st.integers(0, len(tokens))), tokens[at] + " ")
    elif kind == "swap":
        other = draw(st.sampled_from(solid))
        if draw(st.booleans()):  # neighbours are the likeliest slip
            position = solid.index(at)
            other = solid[min(position + 1, len(solid) - 1)]
        tokens[at], tokens[other] = tokens[other], tokens[at]
    elif kind == "replace":
        tokens[at] = draw(st.sampled_from([tokens[i] for i in solid] + list(_INSERTIONS)))
    elif kind == "insert":
        tokens.insert(draw(st.integers(0, len(tokens))), " " + draw(st.sampled_from(_INSERTIONS)) + " ")
    elif kind == "truncate":
        cut = draw(st.integers(0, len(text)))
        return text[:cut]
    elif kind == "huge_number":
        numbers = [i for i in solid if tokens[i][:1].isdigit()] or [at]
        at = draw(st.sampled_from(numbers))
        size = draw(st.sampled_from([16, 29, 61, 400, max_digits]))
        tokens[at] = draw(st.sampled_from([
            "1" + "0" * size, "9" * size, "0." + "0" * size + "1", "1." + "5" * size, "1" + "0" * size + ".0",
        ]))
    elif kind == "parentheses":
        depth = draw(st.sampled_from([1, 2, 50, max_depth]))
        tokens[at] = "(" * depth + tokens[at] + ")" * depth
    elif kind == "nesting":
        depth = draw(st.sampled_from([2, 20, max_depth]))
        form = draw(st.sampled_from(["-", "not ", "(1 + ", "min(1, ", "if true then 1 else ", "section X {"]))
        close = {"(1 + ": ")", "min(1, ": ")", "section X {": "}"}.get(form, "")
        tokens[at] = form * depth + tokens[at] + close * depth
    elif kind == "unicode":
        choice = draw(st.sampled_from(["nfd", "nfkd", "odd", "upper"]))
        if choice == "nfd":
            return unicodedata.normalize("NFD", text)
        if choice == "nfkd":
            tokens[at] = unicodedata.normalize("NFKD", tokens[at])
        elif choice == "upper":
            tokens[at] = tokens[at].upper()
        else:
            tokens.insert(draw(st.integers(0, len(tokens))), draw(st.sampled_from(_ODD_CHARACTERS)))
    elif kind == "whitespace":
        choice = draw(st.sampled_from(["tabs", "squeeze", "breaks", "insert"]))
        if choice == "tabs":
            return text.replace("    ", "\t").replace(" ", draw(st.sampled_from(["\t", " \t", "\t\t"])))
        if choice == "squeeze":
            return "".join(t if not t.isspace() else " " for t in tokens)
        if choice == "breaks":
            return text.replace("\n", draw(st.sampled_from(_LINE_BREAKS)))
        tokens.insert(draw(st.integers(0, len(tokens))), draw(st.sampled_from(["\t", "\n", *_LINE_BREAKS])))
    else:
        raise ValueError(f"unknown mutation {kind!r}")
    return "".join(tokens)


@st.composite
def _byte_mutation(draw: st.DrawFn, data: bytes, kind: str) -> bytes:
    at = draw(st.integers(0, len(data)))
    if kind == "bytes":
        inserted = draw(st.binary(min_size=1, max_size=8))
    else:
        inserted = draw(st.sampled_from(_INVALID_UTF8))
        if draw(st.booleans()) and data:  # cut a character in half
            at = draw(st.integers(0, len(data)))
            return data[:at] + inserted
    return data[:at] + inserted + data[at:]


@st.composite
def _mutations(
    draw: st.DrawFn, text: str, kinds: tuple[str, ...], steps: int, max_depth: int, max_digits: int
) -> str | bytes:
    chosen = draw(st.lists(st.sampled_from(kinds), min_size=1, max_size=steps))
    for kind in (k for k in chosen if k not in _BYTE_KINDS):
        text = draw(_text_mutation(text, kind, max_depth, max_digits))
    byte_kinds = [k for k in chosen if k in _BYTE_KINDS]
    if not byte_kinds:
        return text
    data = text.encode("utf-8")
    for kind in byte_kinds:
        data = draw(_byte_mutation(data, kind))
    return data


def mutations(
    text: str,
    *,
    kinds: Sequence[str] = MUTATION_KINDS,
    steps: int = 3,
    max_depth: int = 5000,
    max_digits: int = 5000,
) -> st.SearchStrategy[str | bytes]:
    """Damaged versions of ``text``: 1 to ``steps`` damages of the given ``kinds``.

    ``max_depth`` bounds the nesting added (parentheses, unary minus, ``not``, sums, calls, ifs,
    groups); ``max_digits`` the length of a huge number. The result is ``bytes`` when a
    byte-level damage (``bytes``, ``invalid_utf8``) was applied, ``str`` otherwise.
    """
    unknown = set(kinds) - set(MUTATION_KINDS)
    if unknown or not kinds:
        raise ValueError(f"unknown or no mutation kinds: {sorted(unknown)}")
    return _mutations(text, tuple(kinds), steps, max_depth, max_digits)
