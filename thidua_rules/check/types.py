"""Pass 4: types and ranges of every expression; tier tables; derived values in order."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import assert_never

import attrs

from ..language import nodes as n
from ..language.builtins import AGGREGATES, FUNCTIONS, rounding_step
from ..language.intervals import INF, Interval
from ..model import LOCAL, UNCLASSIFIED, Criterion, Derived, Scale, written_name
from ..numbers import COMPARE, PLACES_LIMIT, plain, quantum
from ..source import fold
from ..text import suggest
from .patterns import NumberSet, compare_set
from .state import BOOL, NUMBER, TEXT, UNKNOWN, Checker, Info, Scope, Type, reaches_assessed, refs, under_condition
from .sums import FLIP


def check_types(c: Checker) -> None:
    _order_lets(c)
    for name in c.let_order:
        decl = c.lets[name]
        info = infer(c, decl.expr, Scope("let"))
        c.let_info[name] = info
        c.derived[name] = Derived(name, decl.label, decl.expr.span.text(), decl.span)
    for expr in c.applicability.values():
        expect(c, infer(c, expr, Scope("applicable")), BOOL, expr, "an applicability condition")
    for code, expr in c.rules.items():
        criterion = c.criteria[code]
        guards: frozenset[str] = frozenset()
        node: str | None = code
        while node is not None:  # "applicable if x > 0" on it or an ancestor guards "/ x"
            if node in c.applicability:
                guards |= _zero_tests(c.applicability[node])
            node = c.parent_of(node)
        errors_before = sum(d.severity == "error" for d in c.diagnostics)
        info = infer(c, expr, Scope("criterion", criterion, guards=guards))
        clean = sum(d.severity == "error" for d in c.diagnostics) == errors_before
        number = expect(c, info, NUMBER, expr, "a score rule") and clean
        if number:
            _check_reach(c, criterion, info.range)
        if not under_condition(c, code) and reaches_assessed(expr):
            c.unconditional_assessed.add(code)
        floored = clean and criterion.floor == 0 and criterion.low is None
        if floored and not _check_negative_values(c, criterion, expr) and number and info.type == NUMBER:
            _check_implicit_floor(c, criterion, expr, info.range)  # a known range (not a rule in error)
    for code, columns in c.columns.items():
        criterion = c.criteria[code]
        for column in columns.values():
            if any(isinstance(node, n.Assessed) for node in n.walk(column.expr)):
                c.error(f"a {column.kind} column is computed from facts, not judged", column.expr.span,
                        "give the judged points as a fact and read it here")
                continue
            info = infer(c, column.expr, Scope("criterion", criterion))
            expect(c, info, NUMBER, column.expr, f"a {column.kind} rule")
    for code, expr in c.max_exprs.items():
        info = infer(c, expr, Scope("max"))
        # a division's rounding widens the range by one quantum: not a max below 0
        slack = Decimal(1).scaleb(-c.header.rounding)
        if expect(c, info, NUMBER, expr, "a max") and info.range.low < -slack:
            c.error(f'the max of "{code}" can be {plain(info.range.low)}, below 0', expr.span,
                    "a max is a number of points: keep it at 0 or more, e.g. with max(…, 0)")


def _check_negative_values(c: Checker, criterion: Criterion, expr: n.Expr) -> bool:
    """A negative number the author wrote as a row's value (a tier row "Không đạt giải: −5") is
    meant to count: raising it to 0, the default floor of a row, would drop it silently. True
    when one was reported."""
    for value, number in n.written_values(expr):
        if number < 0:
            c.error(
                f'"{criterion.code}" gives {plain(number)} here, but a row is raised to 0 unless it says '
                "otherwise", value.span,
                f'write "signed" after the max of "{criterion.code}" to let it count negative, or '
                '"at least 0" to keep the floor',
            )
            return True
    return False


def _check_implicit_floor(c: Checker, criterion: Criterion, expr: n.Expr, raw: Interval) -> None:
    """A row whose rule can go below 0 ("2 đ mỗi lượt, trừ 3 đ mỗi đơn thư") and that says neither
    "signed" nor "at least": the default floor would act without the ruleset saying so. Whether a
    row stops at 0 is the document's choice, so the writer declares it (either keeps the results
    of today's default; "at least 0" on a row without columns is exactly that floor). Not for a
    row with bonus or deduction columns (its standard part is floored by the layout, section
    10.8 of docs/language.md) or one reading another node's score (whose range is unknown here)."""
    if criterion.code in c.columns or any(isinstance(x, n.ScoreRef) for x in n.walk(expr)):
        return  # a standard column is floored at 0 by its layout; another node's range is not known here
    slack = Decimal(1).scaleb(-c.header.rounding)  # a division's rounding widens the range by one quantum
    if raw.low >= -slack:
        return
    low = f" (down to {plain(raw.low)})" if raw.low.is_finite() else ""
    c.warn(
        f'the rule of "{criterion.code}" can be below 0{low}, and a row is raised to 0 unless it says so',
        expr.span,
        f'write "at least 0" after the max of "{criterion.code}" to keep that floor, or "signed" to let '
        "its negative points count",
    )


#: How long a chain of derived values reading each other may be (evaluation recurses along it).
MAX_LET_CHAIN = 100


def _order_lets(c: Checker) -> None:
    """Order derived values so each comes after those it reads; report cycles and long chains.

    Iterative, so a chain of thousands of ``let`` cannot exhaust the stack.
    """
    state: dict[str, int] = {}
    depth: dict[str, int] = {}
    for start in c.lets:
        if start in state:
            continue
        path: list[str] = [start]
        pending: list[list[str]] = [sorted(r for r in refs(c.lets[start].expr) if r in c.lets)]
        state[start] = 1
        while path:
            if pending[-1]:
                ref = pending[-1].pop()
                if state.get(ref) == 1:
                    cycle = " -> ".join(written_name(x) for x in [*path[path.index(ref):], ref])
                    c.error(f"derived values depend on each other in a cycle: {cycle}", c.lets[ref].span)
                elif ref not in state:
                    state[ref] = 1
                    path.append(ref)
                    pending.append(sorted(r for r in refs(c.lets[ref].expr) if r in c.lets))
                continue
            name = path.pop()
            pending.pop()
            state[name] = 2
            reads = [r for r in refs(c.lets[name].expr) if r in c.lets]
            depth[name] = 1 + max((depth.get(r, 0) for r in reads), default=0)
            if depth[name] > MAX_LET_CHAIN:
                if not any(r in c.broken for r in reads):  # once a chain, where it crosses the limit
                    c.error(f"derived values read each other more than {MAX_LET_CHAIN} deep", c.lets[name].span,
                            "compute the chain in fewer steps")
                c.broken.add(name)
            c.let_order.append(name)


def expect(c: Checker, info: Info, wanted: Type, expr: n.Expr, what: str) -> bool:
    if info.type == UNKNOWN:
        return False
    if info.type != wanted:
        c.error(f"{what} must be {wanted}, not {info.type}", expr.span)
        return False
    return True


def _check_reach(c: Checker, criterion: Criterion, raw: Interval) -> None:
    if criterion.max is None or criterion.kind == "deduction":
        return
    decl = c.decls_of[criterion.code]
    allowed = any(isinstance(i, n.Annotation) and i.kind == "allow_unreachable" for i in decl.items)
    exceed = any(isinstance(i, n.Annotation) and i.kind == "allow_exceed" for i in decl.items)
    if raw.high < criterion.max and not allowed:
        c.warn(
            f'the best case of "{criterion.code}" is {plain(raw.high)}, below its max {plain(criterion.max)}',
            c.rules[criterion.code].span,
            'if the document says so, acknowledge it with: allow unreachable "reason"',
        )
    elif raw.high.is_finite() and raw.high > criterion.max and not exceed:
        c.warn(
            f'the best case of "{criterion.code}" is {plain(raw.high)}, above its max '
            f"{plain(criterion.max)}: the cap will cut it",
            c.rules[criterion.code].span,
            'if the document caps it on purpose, acknowledge it with: allow exceed "reason"',
        )



def _record(c: Checker, expr: n.Expr, info: Info) -> Info:
    c.types[id(expr)] = info.type
    return info


def infer(c: Checker, expr: n.Expr, scope: Scope) -> Info:
    """Type and range of ``expr``; reports every problem found inside it."""
    return _record(c, expr, _infer(c, expr, scope))


def _infer(c: Checker, expr: n.Expr, scope: Scope) -> Info:
    match expr:
        case n.Number():
            c.check_number(expr.value, expr.span)
            return Info(NUMBER, Interval.point(expr.value))
        case n.Bool():
            return Info(BOOL)
        case n.String():
            return Info(TEXT)
        case n.Ref():
            return _infer_ref(c, expr, scope)
        case n.Assessed() | n.SelfMax():
            word = "assessed" if isinstance(expr, n.Assessed) else "max"
            if scope.where != "criterion" or scope.criterion is None:
                c.error(f'"{word}" can only be used in a criterion\'s score rule', expr.span)
                return Info(UNKNOWN)
            top = scope.criterion.max
            if top is None and scope.criterion.code in c.max_exprs:
                return Info(NUMBER, Interval(Decimal(0), INF))  # this unit's max, read from its facts
            if top is None:
                c.error(f'"{word}" needs the criterion to have a max', expr.span)
                return Info(UNKNOWN)
            if isinstance(expr, n.SelfMax):
                return Info(NUMBER, Interval.point(top))
            if expr.name is not None:
                return _infer_judged(c, expr, expr.name, scope.criterion, top)
            return Info(NUMBER, Interval(Decimal(0), top))
        case n.PercentageRef():
            if scope.where not in ("ranking", "award"):
                c.error('"percentage" can only be read in ranking, award and classification rules', expr.span)
                return Info(UNKNOWN)
            return Info(NUMBER, Interval(Decimal(0), Decimal(100)))
        case n.Cohort():
            return _infer_cohort(c, expr, scope)
        case n.ClassRef():
            return _infer_class_ref(c, expr, scope)
        case n.ScoreRef() if scope.where == "criterion" and scope.criterion is not None:
            target = next((code for code in [*c.criteria, *c.groups] if fold(code) == fold(expr.code)), None)
            if target is None:
                c.error(f'unknown code "{expr.code}"', expr.span, suggest(expr.code, [*c.criteria, *c.groups]))
                return Info(UNKNOWN)
            c.score_reads.append((scope.criterion.code, target, expr.span))
            return Info(NUMBER)
        case n.TotalRef() | n.ScoreRef():
            # in "cohort": other units' scores (issue 13; where they may be read: check.cohort_order)
            if scope.where not in ("ranking", "award", "cohort"):
                rules = ", a criterion's rules" if isinstance(expr, n.ScoreRef) else ""
                where = f"ranking, award and classification rules{rules}"
                c.error(f"a unit's scores can only be read in {where}", expr.span,
                        "a score rule reads facts and derived values (let); a criterion's score is not an input")
                return Info(UNKNOWN)
            if isinstance(expr, n.ScoreRef) and fold(expr.code) not in c.codes:
                c.error(f'unknown code "{expr.code}"', expr.span, suggest(expr.code, [*c.criteria, *c.groups]))
                return Info(UNKNOWN)
            return Info(NUMBER)
        case n.Neg():
            info = infer(c, expr.operand, scope)
            if _arith_operand(c, info, expr.operand, "-"):
                return Info(NUMBER, -info.range)
            return Info(UNKNOWN)
        case n.Binary():
            left, right = infer(c, expr.left, scope), infer(c, expr.right, scope)
            ok = _arith_operand(c, left, expr.left, expr.op) & _arith_operand(c, right, expr.right, expr.op)
            if not ok:
                return Info(UNKNOWN)
            ops: dict[str, Callable[[Interval, Interval], Interval]] = {
                "+": Interval.__add__, "-": Interval.__sub__, "*": Interval.__mul__,
                "/": Interval.__truediv__,
            }
            if expr.op == "/" and right.range.low == right.range.high == 0:
                c.error("division by zero", expr.span)
            elif expr.op == "/" and right.range.low <= 0 <= right.range.high \
                    and _text(expr.right) not in scope.guards:
                divisor = _text(expr.right)
                c.error(
                    f'division by "{divisor}", which can be 0',
                    expr.right.span,
                    f"say what scores then: if {divisor} = 0 then … else …",
                )
            result = ops[expr.op](left.range, right.range)
            if expr.op == "/" and not _terminates(expr.right):
                # an inexact quotient is rounded: its value may lie a quantum outside the exact range
                quantum = Decimal(1).scaleb(-c.header.rounding)
                result = Interval(result.low - quantum, result.high + quantum)
            return Info(NUMBER, result)
        case n.Compare():
            return _infer_compare(c, expr, scope)
        case n.Logic() | n.Not():
            operands = [expr.operand] if isinstance(expr, n.Not) else [expr.left, expr.right]
            word = "not" if isinstance(expr, n.Not) else expr.op
            for operand in operands:
                info = infer(c, operand, scope)
                if info.type not in (BOOL, UNKNOWN):
                    c.error(f'"{word}" needs true/false, not {info.type}', operand.span)
            return Info(BOOL)
        case n.If():
            cond = infer(c, expr.cond, scope)
            expect(c, cond, BOOL, expr.cond, "the condition of an if")
            then = attrs.evolve(scope, conditional=True, guards=scope.guards | _zero_tests(expr.cond, True))
            other = attrs.evolve(scope, conditional=True, guards=scope.guards | _zero_tests(expr.cond, False))
            branches = [(expr.then, infer(c, expr.then, then)), (expr.otherwise, infer(c, expr.otherwise, other))]
            return _join(c, branches, "the branches of an if")
        case n.Call():
            return _infer_call(c, expr, scope)
        case n.Table():
            return _infer_table(c, expr, scope)
        case _:
            assert_never(expr)


def _terminates(divisor: n.Expr) -> bool:
    """Whether dividing by ``divisor`` always gives a terminating decimal (a constant 2^a·5^b…)."""
    if not isinstance(divisor, n.Number) or divisor.value == 0:
        return False
    denominator = (Fraction(1) / Fraction(divisor.value)).denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    return denominator == 1


def _text(expr: n.Expr) -> str:
    return " ".join(expr.span.text().split())


def _zero_tests(cond: n.Expr, holds: bool = True) -> frozenset[str]:
    """Expressions known to be non-zero where ``cond`` is ``holds``: the divisors it guards.

    ``x != 0``, ``x > 0`` and ``x < 0`` guard the then-branch; ``x = 0``, ``x >= 0`` and
    ``x <= 0`` guard the else-branch; ``and``, ``or`` and ``not`` combine these as logic does.
    """
    match cond:
        case n.Not():
            return _zero_tests(cond.operand, not holds)
        case n.Logic():
            left, right = _zero_tests(cond.left, holds), _zero_tests(cond.right, holds)
            # both true (and / not-or): either guard holds; one of them (or / not-and): both must
            return left | right if (cond.op == "and") == holds else left & right
        case n.Compare():
            for side, other, op in ((cond.left, cond.right, cond.op), (cond.right, cond.left, FLIP[cond.op])):
                if isinstance(other, n.Number) and other.value == 0:
                    nonzero_when_true = op in ("!=", ">", "<")
                    if nonzero_when_true == holds:
                        return frozenset({_text(side)})
            return frozenset()
        case (
            n.Number() | n.String() | n.Bool() | n.Ref() | n.Assessed() | n.SelfMax() | n.TotalRef() | n.ScoreRef()
            | n.PercentageRef() | n.ClassRef() | n.Cohort() | n.Neg() | n.Binary() | n.If() | n.Call() | n.Table()
        ):
            return frozenset()  # guards no divisor
        case _:
            assert_never(cond)


def _infer_cohort(c: Checker, expr: n.Cohort, scope: Scope) -> Info:
    aggregate = AGGREGATES.get(expr.func)
    if aggregate is None:
        c.error(f'unknown cohort aggregate "{expr.func}"', expr.span, suggest(expr.func, AGGREGATES))
        return Info(UNKNOWN)
    if scope.where == "cohort":
        c.error("a cohort aggregate cannot sit inside another", expr.span)
        return Info(UNKNOWN)
    if scope.where == "formula":
        c.error("a formula cannot read a cohort aggregate", expr.span, "pass it as an argument")
        return Info(UNKNOWN)
    user = scope.criterion.code if scope.where == "criterion" and scope.criterion is not None else None
    c.cohort_users.setdefault(expr.key, set()).add(user)
    if expr.arg is None:
        c.cohorts.setdefault(expr.key, expr)
        return Info(NUMBER, aggregate.range(Interval()))
    inner = infer(c, expr.arg, Scope("cohort"))
    if expr.where is not None:  # issue 13: the units taken part
        expect(c, infer(c, expr.where, Scope("cohort")), BOOL, expr.where, "the units an aggregate is over")
    read = [x.name for part in (expr.arg, expr.where) if part is not None for x in n.walk(part)
            if isinstance(x, n.ClassRef) and class_decl(c, x.name) is not None]
    if read:  # issue 13 item 15: the aggregate reads the units' levels in these classifications
        c.cohort_levels[expr.key] = tuple(dict.fromkeys(read))
    if not aggregate.takes_value:  # cohort count(CONDITION): the units for which it holds
        if not expect(c, inner, BOOL, expr.arg, "what a cohort count counts (a condition)"):
            return Info(UNKNOWN)
        c.cohorts.setdefault(expr.key, expr)
        return Info(NUMBER, Interval(Decimal(0), INF, True))
    if not expect(c, inner, NUMBER, expr.arg, "what a cohort aggregates"):
        return Info(UNKNOWN)
    c.cohorts.setdefault(expr.key, expr)
    return Info(NUMBER, aggregate.range(inner.range))


def class_scale(name: str) -> str:
    """The name of the scale of ``class(NAME)``'s levels (a space: never a scale's own name)."""
    return f"class {name}"


def band_labels(decl: n.ClassifyDecl) -> tuple[str, ...]:
    """A classification's levels, best first: in the order of first appearance in its bands."""
    labels: list[str] = [when.level.value for when in decl.whens]
    labels += [row.value.value for row in decl.rows if isinstance(row.value, n.String)]
    return tuple(dict.fromkeys(labels))


def class_decl(c: Checker, name: str) -> n.ClassifyDecl | None:
    return next((d for d in c.tree.decls if isinstance(d, n.ClassifyDecl) and d.name == name), None)


def _infer_class_ref(c: Checker, expr: n.ClassRef, scope: Scope) -> Info:
    """``class(NAME)``: a unit's level in classification NAME, inside a cohort aggregate only."""
    if scope.where != "cohort":
        c.error("class(…) reads the units' levels, inside a cohort aggregate only", expr.span,
                'e.g. cohort count(class(xep_loai) < "hoàn thành" where …); rs.classify gives each unit\'s level')
        return Info(UNKNOWN)
    decl = class_decl(c, expr.name)
    if decl is None:
        names = [d.name for d in c.tree.decls if isinstance(d, n.ClassifyDecl)]
        c.error(f'no classification "{expr.name}"', expr.span,
                suggest(expr.name, names) or ("the ruleset declares: " + ", ".join(names) if names
                                              else "declare it with classify NAME … { … }"))
        return Info(UNKNOWN)
    scale = class_scale(decl.name)
    if scale not in c.scales:
        labels = band_labels(decl)
        c.scales[scale] = Scale(scale, decl.title, (*labels, UNCLASSIFIED), {fold(label): label for label in labels})
    return Info(Type("level", scale))


def _infer_ref(c: Checker, expr: n.Ref, scope: Scope) -> Info:
    if scope.where == "formula":
        return _infer_param(c, expr, scope)
    if expr.name in c.facts:
        spec = c.facts[expr.name]
        if spec.kind == "boolean":
            return Info(BOOL)
        if spec.kind == "scale":
            return Info(Type("level", spec.scale))
        if spec.kind == "category":
            return Info(Type("category", spec.category))
        low = spec.low if spec.low is not None else Interval().low
        high = spec.high if spec.high is not None else INF
        return Info(NUMBER, Interval(low, high, spec.integral))
    if expr.name in c.lets:
        if expr.name in c.let_info:
            return c.let_info[expr.name]
        return Info(UNKNOWN)  # a cycle, reported once by _order_lets
    if expr.name in c.broken:
        return Info(UNKNOWN)
    candidates = [*c.facts, *(name for name in c.lets if LOCAL not in name)]
    hint = suggest(expr.name, candidates)
    what = "fact or derived value"
    if expr.name in c.local_lets:
        where = ", ".join(f'"{code}"' for code in c.local_lets[expr.name])
        hint = f'"{expr.name}" is a derived value local to {where}, seen only inside it'
    if expr.name in c.scales:
        hint = f'"{expr.name}" is a scale; compare a fact of that scale with one of its levels'
    c.error(f'unknown {what} "{expr.name}"', expr.span, hint)
    return Info(UNKNOWN)


def _arith_operand(c: Checker, info: Info, expr: n.Expr, op: str) -> bool:
    if info.type == NUMBER:
        return True
    if info.type != UNKNOWN:
        c.error(f'"{op}" needs numbers, not {info.type}', expr.span)
    return False


def _resolve_level(c: Checker, expr: n.Expr, scale_name: str) -> bool:
    """Resolve a text literal as a level of ``scale_name``; report it if it is none."""
    if not isinstance(expr, n.String):
        c.error(f'a level of scale "{scale_name}" is compared with a level name in quotes, '
                "not with a computed text", expr.span)
        return False
    scale = c.scales[scale_name]
    level = scale.keys.get(fold(expr.value))
    if level is None:
        writable = [lv for lv in scale.levels if fold(lv) in scale.keys]  # not class(…)'s unclassified
        c.error(
            f'"{expr.value}" is not {Type("level", scale_name)}',
            expr.span,
            suggest(expr.value, writable) or "levels: " + ", ".join(f'"{lv}"' for lv in writable),
        )
        return False
    c.levels[id(expr)] = level
    c.types[id(expr)] = Type("level", scale_name)
    return True


def _infer_compare(c: Checker, expr: n.Compare, scope: Scope) -> Info:
    left, right = infer(c, expr.left, scope), infer(c, expr.right, scope)
    if UNKNOWN in (left.type, right.type):
        return Info(BOOL)
    if "category" in (left.type.kind, right.type.kind):
        return _compare_names(c, expr, left.type, right.type)
    if left.type == TEXT and right.type.kind == "level":
        _resolve_level(c, expr.left, right.type.scale or "")
    elif right.type == TEXT and left.type.kind == "level":
        _resolve_level(c, expr.right, left.type.scale or "")
    elif left.type != right.type or left.type == TEXT:
        c.error(f"cannot compare {left.type} with {right.type}", expr.span)
    elif left.type == BOOL and expr.op not in ("=", "!="):
        c.error(f'true/false values can only be compared with = or !=, not "{expr.op}"', expr.span)
    return Info(BOOL)


def _join(c: Checker, parts: list[tuple[n.Expr, Info]], what: str) -> Info:
    known = [(e, i) for e, i in parts if i.type != UNKNOWN]
    if not known:
        return Info(UNKNOWN)
    first = known[0][1]
    rng = first.range
    for expr, info in known[1:]:
        if info.type != first.type:
            c.error(f"{what} must all be {first.type}, but this is {info.type}", expr.span)
            return Info(UNKNOWN)
        rng = rng.union(info.range)
    return Info(first.type, rng if first.type == NUMBER else Interval())


def _infer_call(c: Checker, expr: n.Call, scope: Scope) -> Info:
    if expr.func in c.formulas or expr.func in c.broken:
        return _infer_formula_call(c, expr, scope)
    func = FUNCTIONS.get(expr.func)
    if func is None:
        c.error(f'unknown function "{expr.func}"', expr.span, suggest(expr.func, [*FUNCTIONS, *c.formulas]))
        for arg in expr.args:
            infer(c, arg, scope)
        return Info(UNKNOWN)
    infos = [infer(c, arg, scope) for arg in expr.args]
    if not func.fewest <= len(infos) <= func.most:
        c.error(f'"{expr.func}" takes {func.arity} arguments, not {len(infos)}', expr.span)
        return Info(UNKNOWN)
    ok = all([_arith_operand(c, info, arg, expr.func) for info, arg in zip(infos, expr.args, strict=True)])
    if not ok:
        return Info(UNKNOWN)
    ranges = [i.range for i in infos]
    if func.rounding is None:
        return Info(NUMBER, func.range(*ranges))
    if len(expr.args) == 2:
        arg = expr.args[1]
        if not (isinstance(arg, n.Number) and arg.value == arg.value.to_integral_value()
                and 0 <= arg.value <= PLACES_LIMIT):
            c.error(f"the places of {expr.func} must be a whole number from 0 to {PLACES_LIMIT}", arg.span)
            return Info(NUMBER, func.range(ranges[0], quantum(0)))
    return Info(NUMBER, func.range(ranges[0], rounding_step(expr.args)))


# ---------------------------------------------------------------- categories


def _compare_names(c: Checker, expr: n.Compare, left: Type, right: Type) -> Info:
    """``cum = "Cụm 1"``, ``cum != loai``, ``cum in (…)``: names of a category, equal or not."""
    category = left.scale if left.kind == "category" else right.scale
    assert category is not None
    if expr.op not in ("=", "!="):
        c.error(f'the names of category "{category}" have no order: "{expr.op}" cannot compare them', expr.span,
                "compare them with =, != or in (…); declare a scale instead if its names are ordered")
        return Info(BOOL)
    for side, other, other_type in ((expr.left, expr.right, right), (expr.right, expr.left, left)):
        if other_type == TEXT:
            _resolve_name(c, other, category)
        elif other_type != Type("category", category) and side is expr.left:
            c.error(f"cannot compare {left} with {right}", expr.span)
    return Info(BOOL)


def _resolve_name(c: Checker, expr: n.Expr, category_name: str) -> bool:
    """Resolve a text literal as a name of ``category_name``; report it if it is none."""
    if not isinstance(expr, n.String):
        c.error(f'a name of category "{category_name}" is compared with a name in quotes, '
                "not with a computed text", expr.span)
        return False
    category = c.categories[category_name]
    name = category.keys.get(fold(expr.value))
    if name is None:
        c.error(f'"{expr.value}" is not a name of category "{category_name}"', expr.span,
                suggest(expr.value, category.levels) or "names: " + ", ".join(f'"{x}"' for x in category.levels))
        return False
    c.levels[id(expr)] = name
    c.types[id(expr)] = Type("category", category_name)
    return True


# ---------------------------------------------------------------- judged values under a fact's name


def _infer_judged(c: Checker, expr: n.Assessed, name: str, criterion: Criterion, top: Decimal) -> Info:
    """``assessed as NAME``: the judged score is the numeric fact NAME, kept within [0, max]."""
    spec = c.facts.get(name)
    if spec is None:
        if name not in c.broken:
            c.error(f'unknown fact "{name}" for the judged score of "{criterion.code}"', expr.span,
                    suggest(name, c.facts) or f'declare it: fact {name} "…": number 0..{plain(top)}')
        return Info(UNKNOWN)
    if spec.kind not in ("number", "percent", "count"):
        c.error(f'the judged score "{name}" must be a number fact, not a {spec.kind}', expr.span)
        return Info(UNKNOWN)
    owner = c.judged_by.setdefault(name, criterion.code)
    if owner != criterion.code:
        c.error(f'fact "{name}" is already the judged score of "{owner}"', expr.span,
                "each criterion's judged score is a fact of its own")
        return Info(UNKNOWN)
    low = max(spec.low, Decimal(0)) if spec.low is not None else Decimal(0)
    high = min(spec.high, top) if spec.high is not None else top
    return Info(NUMBER, Interval(low, high, spec.integral))


# ---------------------------------------------------------------- formulas


def _infer_param(c: Checker, expr: n.Ref, scope: Scope) -> Info:
    """A name in a formula's body: one of its parameters, nothing else."""
    bound = dict(scope.params)
    if expr.name in bound:
        return bound[expr.name]
    names = ", ".join(bound)
    c.error(f'a formula reads only its parameters ({names}); "{expr.name}" is not one of them', expr.span,
            f'add it as a parameter and pass it at each call: ({names}, {expr.name})')
    return Info(UNKNOWN)


def _infer_formula_call(c: Checker, expr: n.Call, scope: Scope) -> Info:
    """A call of a formula: its arity and argument types; its range, from the body read again with
    the arguments' ranges (the definition's range when the budget of such readings is spent)."""
    infos = [infer(c, arg, scope) for arg in expr.args]
    decl = c.formulas.get(expr.func)
    if decl is None:  # a formula with an error of its own, reported at its definition
        return Info(UNKNOWN)
    params = c.formula_params[expr.func]
    if len(infos) != len(params):
        names = ", ".join(p for p, _ in params)
        c.error(f'formula "{expr.func}" takes {len(params)} argument{"s" if len(params) != 1 else ""} '
                f"({names}), not {len(infos)}", expr.span)
        return Info(UNKNOWN)
    bound: list[tuple[str, Info]] = []
    ok = True
    for (name, wanted), arg, info in zip(params, expr.args, infos, strict=True):
        if wanted.kind == "level" and info.type == TEXT:
            ok = _resolve_level(c, arg, wanted.scale or "") and ok
            info = Info(wanted)
        elif wanted.kind == "category" and info.type == TEXT:
            ok = _resolve_name(c, arg, wanted.scale or "") and ok
            info = Info(wanted)
        elif info.type == UNKNOWN:
            ok = False
        elif info.type != wanted:
            c.error(f'argument "{name}" of formula "{expr.func}" must be {wanted}, not {info.type}', arg.span)
            ok = False
        bound.append((name, info))
    defined = c.formula_info.get(expr.func, Info(UNKNOWN))
    if not ok or defined.type == UNKNOWN:
        return Info(UNKNOWN) if not ok else defined
    size = sum(1 for _ in n.walk(decl.expr))
    if c.formula_budget < size:
        return defined
    c.formula_budget -= size
    reported = len(c.diagnostics)
    info = infer(c, decl.expr, Scope("formula", params=tuple(bound)))
    del c.diagnostics[reported:]  # the body was checked at its definition; this reading is for the range
    return info


# ---------------------------------------------------------------- tier tables


def _row_set_number(
    c: Checker, row: n.Row, domain: Interval
) -> NumberSet | None:
    pattern = row.pattern
    integral = domain.integral
    if isinstance(pattern, n.PCompare | n.PEqual):
        value = pattern.value
        if not isinstance(value, n.Number):
            c.error("this row compares a number with a text or true/false", pattern.span)
            return None
        op = pattern.op if isinstance(pattern, n.PCompare) else "="
        return compare_set(op, value.value, integral)
    if isinstance(pattern, n.PRange):
        for end in (pattern.low, pattern.high):
            if end is not None and not isinstance(end, n.Number):
                c.error("a range row needs numbers at both ends", pattern.span)
                return None
        low = pattern.low.value if pattern.low is not None else Interval().low
        high = pattern.high.value if pattern.high is not None else INF
        if low > high:
            c.error(f"the range {pattern.span.text()} is empty", pattern.span)
        return NumberSet.interval(low, True, high, True, integral)
    return None


def _row_set_finite(
    c: Checker, row: n.Row, subject: Type, universe: list[object]
) -> set[object] | None:
    """Rows over a scale or true/false: the set of values (levels, booleans) they match."""
    pattern = row.pattern
    if isinstance(pattern, n.PRange):
        c.error(f"a range row does not apply to {subject}", pattern.span)
        return None
    assert isinstance(pattern, n.PCompare | n.PEqual)
    op = pattern.op if isinstance(pattern, n.PCompare) else "="
    value = pattern.value
    if subject == BOOL:
        if not isinstance(value, n.Bool) or op not in ("=", "!="):
            c.error("a row over true/false matches true or false", pattern.span)
            return None
        return {x for x in universe if (x == value.value) == (op == "=")}
    assert subject.scale is not None
    if not isinstance(value, n.String):
        c.error(f"a row over {subject} needs a level in quotes", pattern.span)
        return None
    if not _resolve_level(c, value, subject.scale):
        return None
    scale = c.scales[subject.scale]
    mine = scale.rank(c.levels[id(value)])
    test = COMPARE[op]
    return {x for x in universe if test(scale.rank(str(x)), mine)}


def _infer_table(c: Checker, expr: n.Table, scope: Scope) -> Info:
    subject = infer(c, expr.subject, scope)
    values = [(row.value, infer(c, row.value, attrs.evolve(scope, conditional=True))) for row in expr.rows]
    if subject.type in (UNKNOWN, TEXT) or subject.type.kind == "category":
        if subject.type == TEXT:
            c.error("a table needs a number, a level or true/false to look up", expr.subject.span)
        elif subject.type.kind == "category":
            c.error(f"a table needs a number, a level or true/false to look up, not {subject.type}",
                    expr.subject.span, 'for names without order write: if x in ("…", "…") then … else …')
        return _join(c, values, "the values of a table's rows")
    for before, after in zip(expr.rows, expr.rows[1:], strict=False):
        value = before.value
        if (isinstance(after.pattern, n.PRange) and after.pattern.low is None
                and isinstance(value, n.Binary) and value.op == "-" and isinstance(value.right, n.Number)
                and not before.span.text().rstrip().endswith(",")):
            c.error(
                f'"{value.span.text()}" followed by "{after.pattern.span.text()}" reads as a subtraction',
                before.span,
                "put a comma after a row when the next row starts with a negative number",
            )
    otherwise = [row for row in expr.rows if isinstance(row.pattern, n.POtherwise)]
    for row in otherwise[1:]:
        c.error("a table has one otherwise row at most", row.span)
    if otherwise and otherwise[0] is not expr.rows[-1]:
        c.error("the otherwise row must be the table's last row", otherwise[0].span)
    reachable: list[tuple[n.Expr, Info]] = []
    if subject.type == NUMBER:
        domain = subject.range
        everything = NumberSet.everything(domain.low, domain.high, domain.integral)
        covered = NumberSet((), domain.integral)
        for index, row in enumerate(expr.rows, 1):
            if isinstance(row.pattern, n.POtherwise):
                continue
            matched = _row_set_number(c, row, domain)
            if matched is None:
                continue
            mine = matched.intersect(everything)
            new = mine.minus(covered)
            if new.empty():
                _unreachable(c, expr, row, index, mine)
            else:
                if isinstance(row.pattern, n.PRange | n.PEqual) and not mine.intersect(covered).empty():
                    c.error(
                        f"row {index} overlaps an earlier row ({mine.intersect(covered).describe()})",
                        row.pattern.span,
                        "with first-match rows, give ranges that do not overlap",
                    )
                reachable.append((row.value, values[index - 1][1]))
            covered = covered.union(mine)
        gap = everything.minus(covered)
        _coverage(c, expr, otherwise, gap.empty(), lambda: gap.describe())
    else:
        if subject.type == BOOL:
            universe: list[object] = [True, False]
        else:
            universe = list(c.scales[subject.type.scale or ""].levels)
        seen: set[object] = set()
        for index, row in enumerate(expr.rows, 1):
            if isinstance(row.pattern, n.POtherwise):
                continue
            matched_values = _row_set_finite(c, row, subject.type, universe)
            if matched_values is None:
                continue
            if not matched_values - seen:
                c.error(f"row {index} can never match: earlier rows take all its values", row.pattern.span)
            else:
                reachable.append((row.value, values[index - 1][1]))
            seen |= matched_values
        rest = [x for x in universe if x not in seen]
        _coverage(c, expr, otherwise, not rest, lambda: ", ".join(_show(x) for x in rest))
    if otherwise:
        reachable.append((otherwise[0].value, values[expr.rows.index(otherwise[0])][1]))
    return _join(c, reachable or values, "the values of a table's rows")


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return f'"{value}"'


def _unreachable(c: Checker, expr: n.Table, row: n.Row, index: int, mine: NumberSet) -> None:
    pattern = row.pattern
    if mine.empty():
        c.error(f"row {index} ({pattern.span.text()}) matches no possible value of the subject", pattern.span)
    elif isinstance(pattern, n.PCompare):
        c.error(
            f"row {index} ({pattern.span.text()}) can never match: earlier rows take all its values",
            pattern.span,
            "tier rows are tried in order; put them from the narrowest to the widest",
        )
    else:
        c.error(f"row {index} ({pattern.span.text()}) can never match: earlier rows take all its values", pattern.span)


def _coverage(
    c: Checker, expr: n.Table, otherwise: list[n.Row], full: bool, gap: Callable[[], str]
) -> None:
    if full and otherwise:
        c.warn("the otherwise row can never match: the rows above cover every value", otherwise[0].span)
    elif not full and not otherwise:
        c.error(
            f"the table has no otherwise row, and no row matches {gap()}",
            expr.span,
            'add a last row "otherwise: …"',
        )
