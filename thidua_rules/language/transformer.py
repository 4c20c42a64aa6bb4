"""Parse tree to syntax nodes: shape only, no judgement (the checker judges)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
from lark import Token, Tree
from lark.tree import Meta

from ..source import Source, Span, nfc
from . import nodes as n

_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}


def unquote(token: str) -> str:
    """The text of a ``"…"`` literal with its escapes resolved, in NFC."""
    body = token[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            # A known escape is resolved; any other backslash is kept as written.
            out.append(_ESCAPES.get(body[i + 1], body[i : i + 2]))
            i += 2
            continue
        out.append(char)
        i += 1
    return nfc("".join(out))


class ToNodes:
    """Builds ``nodes`` from a Lark tree; one method per grammar alternative, called with the
    tree's ``meta`` and its children already built (as Lark's ``@v_args(meta=True)`` would).

    Not a Lark ``Transformer``: its dispatch (a ``v_args`` wrapper made per call, a look-up per
    token for token callbacks this class does not have) was a fifth of a load; ``transform``
    below calls the methods directly. An error in a method propagates as itself.
    """

    def __default__(self, data: str, children: list[Any], meta: Meta) -> Any:
        # A grammar alternative with no method here would leave a lark Tree among the nodes,
        # to fail far away; say at once which rule needs one.
        raise NotImplementedError(f"the transformer has no method for the grammar rule {data!r}")

    def __init__(self, source: Source) -> None:
        self.source = source

    def transform(self, tree: Tree[Token]) -> Any:
        """The node ``tree`` stands for, its children built first (bottom-up, as Lark does)."""
        children = [self.transform(child) if isinstance(child, Tree) else child for child in tree.children]
        method = getattr(self, tree.data, None)
        if method is None:
            return self.__default__(tree.data, children, tree.meta)
        return method(tree.meta, children)

    # ------------------------------------------------------------ helpers
    def span(self, meta: Meta) -> Span:
        if getattr(meta, "empty", True):
            return Span(self.source, 1, 1, 1, 2)
        return Span(self.source, meta.line, meta.column, meta.end_line, meta.end_column)

    def tspan(self, token: Token) -> Span:
        line = token.line or 1
        column = token.column or 1
        end_line = token.end_line or line
        end_column = token.end_column or column + 1
        return Span(self.source, line, column, end_line, end_column)

    @staticmethod
    def strings(children: list[Any]) -> list[str]:
        return [unquote(c) for c in children if isinstance(c, Token) and c.type == "STRING"]

    # ------------------------------------------------------------ header
    def start(self, meta: Meta, children: list[Any]) -> n.RulesetDecl:
        header, *decls = children
        changes: tuple[n.Change, ...] = tuple(d for d in decls if isinstance(d, n.Override | n.Remove | n.Move | n.Add))
        rest = tuple(d for d in decls if not isinstance(d, n.CHANGE_TYPES))
        return n.RulesetDecl(header, rest, self.span(meta), changes)

    def header(self, meta: Meta, children: list[Any]) -> n.Header:
        ident, *items = children
        return n.Header(unquote(ident), tuple(items), self.span(meta))

    def h_title(self, meta: Meta, children: list[Any]) -> n.HeaderItem:
        return n.HeaderItem("title", (unquote(children[0]),), self.span(meta))

    def h_document(self, meta: Meta, children: list[Any]) -> n.HeaderItem:
        return n.HeaderItem("document", tuple(children), self.span(meta))

    def doc_number(self, meta: Meta, children: list[Any]) -> tuple[str, str, Span]:
        return "number", unquote(children[0]), self.span(meta)

    def doc_dated(self, meta: Meta, children: list[Any]) -> tuple[str, str, Span]:
        return "dated", str(children[0]), self.span(meta)

    def doc_issuer(self, meta: Meta, children: list[Any]) -> tuple[str, str, Span]:
        return "issuer", unquote(children[0]), self.span(meta)

    def h_year(self, meta: Meta, children: list[Any]) -> n.HeaderItem:
        return n.HeaderItem("year", (Decimal(children[0]),), self.span(meta))

    def h_total(self, meta: Meta, children: list[Any]) -> n.HeaderItem:
        return n.HeaderItem("total", (Decimal(children[0]),), self.span(meta))

    def h_rounding(self, meta: Meta, children: list[Any]) -> n.HeaderItem:
        return n.HeaderItem("rounding", (Decimal(children[0]),), self.span(meta))

    def h_rounds(self, meta: Meta, children: list[Any]) -> n.HeaderItem:
        rounds = tuple(c for c in children if isinstance(c, n.RoundDecl))
        final = next((nfc(str(c)) for c in children if isinstance(c, Token)), None)
        return n.HeaderItem("rounds", (rounds, final), self.span(meta))

    def round(self, meta: Meta, children: list[Any]) -> n.RoundDecl:
        return n.RoundDecl(nfc(str(children[0])), unquote(children[1]), self.span(meta))

    # ------------------------------------------------------------ facts
    def scale_decl(self, meta: Meta, children: list[Any]) -> n.ScaleDecl:
        name = nfc(str(children[0]))
        label = self.strings(children[1:2])
        levels = tuple(c for c in children if isinstance(c, n.Level))
        return n.ScaleDecl(name, label[0] if label else None, levels, self.span(meta))

    def category_decl(self, meta: Meta, children: list[Any]) -> n.CategoryDecl:
        name = nfc(str(children[0]))
        label = self.strings(children[1:2])
        names = tuple(c for c in children if isinstance(c, n.Level))
        return n.CategoryDecl(name, label[0] if label else None, names, self.span(meta))

    def level(self, meta: Meta, children: list[Any]) -> n.Level:
        return n.Level(tuple(self.strings(children)), self.span(meta))

    def fact_decl(self, meta: Meta, children: list[Any]) -> n.FactDecl:
        name, label, type_token, *rest = children
        low = high = None
        has_range = False
        parts: tuple[tuple[Decimal | None, Decimal | None], ...] = ()
        options: list[n.FactOption] = []
        for item in rest:
            if isinstance(item, list):
                has_range = True
                if len(item) == 1:
                    low, high = item[0]
                else:
                    parts = tuple(item)
                    lows, highs = [p[0] for p in item], [p[1] for p in item]
                    low = None if None in lows else min(x for x in lows if x is not None)
                    high = None if None in highs else max(x for x in highs if x is not None)
            else:
                options.append(item)
        return n.FactDecl(
            nfc(str(name)), unquote(label), nfc(str(type_token)), self.tspan(type_token),
            low, high, has_range, tuple(options), self.span(meta), parts,
        )

    def range(self, meta: Meta, children: list[Any]) -> list[tuple[Decimal | None, Decimal | None]]:
        return list(children)

    def range_part(self, meta: Meta, children: list[Any]) -> tuple[Decimal | None, Decimal | None]:
        dots = next(i for i, c in enumerate(children) if isinstance(c, Token) and c.type == "DOTDOT")
        low = children[dots - 1].value if dots > 0 else None
        high = children[dots + 1].value if dots + 1 < len(children) else None
        return low, high

    def range_point(self, meta: Meta, children: list[Any]) -> tuple[Decimal | None, Decimal | None]:
        value: Decimal = children[0].value
        return value, value

    def step(self, meta: Meta, children: list[Any]) -> n.FactOption:
        return n.FactOption("step", n.Number(Decimal(str(children[0])), self.tspan(children[0])), self.span(meta))

    def signed(self, meta: Meta, children: list[Any]) -> n.Number:
        value = Decimal(str(children[-1]))
        return n.Number(-value if len(children) == 2 else value, self.span(meta))

    def default(self, meta: Meta, children: list[Any]) -> n.FactOption:
        return n.FactOption("default", children[0], self.span(meta))

    def optional(self, meta: Meta, children: list[Any]) -> n.FactOption:
        return n.FactOption("optional", None, self.span(meta))

    def appraised_only(self, meta: Meta, children: list[Any]) -> n.FactOption:
        return n.FactOption("appraised_only", None, self.span(meta))

    def monotone(self, meta: Meta, children: list[Any]) -> n.FactOption:
        return n.FactOption("monotone", str(children[0]), self.span(meta))

    def let_decl(self, meta: Meta, children: list[Any]) -> n.LetDecl:
        label = self.strings(children[1:-1])
        return n.LetDecl(nfc(str(children[0])), label[0] if label else None, children[-1], self.span(meta))

    # ------------------------------------------------------------ formulas
    def formula_decl(self, meta: Meta, children: list[Any]) -> n.FormulaDecl:
        name, *rest = children
        label = unquote(rest[0]) if isinstance(rest[0], Token) else None
        params = tuple(c for c in rest if isinstance(c, n.Param))
        return n.FormulaDecl(nfc(str(name)), label, params, rest[-1], self.span(meta))

    def param(self, meta: Meta, children: list[Any]) -> n.Param:
        kind = nfc(str(children[1])) if len(children) == 2 else None
        return n.Param(nfc(str(children[0])), kind, self.span(meta))

    # ------------------------------------------------------------ tree of sections
    def code(self, meta: Meta, children: list[Any]) -> tuple[str, Span]:
        token = children[0]
        text = unquote(token) if token.type == "STRING" else nfc(str(token))
        return text, self.tspan(token)

    def _group(self, meta: Meta, children: list[Any], *, is_section: bool) -> n.GroupDecl:
        kind = None
        if isinstance(children[0], Token) and children[0].type == "KIND":
            kind = str(children[0])
            children = children[1:]
        (code, code_span), *rest = children
        title = None
        if rest and isinstance(rest[0], Token):
            title = unquote(rest[0])
            rest = rest[1:]
        limits = tuple(c for c in rest if isinstance(c, LIMITS))
        items = tuple(c for c in rest if not isinstance(c, LIMITS))
        return n.GroupDecl(is_section, kind, code, code_span, title, limits, items, self.span(meta))

    def section(self, meta: Meta, children: list[Any]) -> n.GroupDecl:
        return self._group(meta, children, is_section=True)

    def group(self, meta: Meta, children: list[Any]) -> n.GroupDecl:
        return self._group(meta, children, is_section=False)

    def criterion(self, meta: Meta, children: list[Any]) -> n.CriterionDecl:
        (code, code_span), title, *rest = children
        limits = tuple(c for c in rest if isinstance(c, LIMITS))
        items = tuple(c for c in rest if not isinstance(c, LIMITS))
        return n.CriterionDecl(code, code_span, unquote(title), limits, items, self.span(meta))

    def max_limit(self, meta: Meta, children: list[Any]) -> n.Limit:
        return n.Limit("max", Decimal(children[0]), self.span(meta))

    def max_by(self, meta: Meta, children: list[Any]) -> n.Limit:
        by = tuple(children)
        return n.Limit("max", max(v for _, v, _ in by), self.span(meta), by)

    def by_value(self, meta: Meta, children: list[Any]) -> tuple[str, Decimal, Span]:
        return unquote(children[0]), Decimal(children[1]), self.span(meta)

    def h_total_by(self, meta: Meta, children: list[Any]) -> n.HeaderItem:
        return n.HeaderItem("total_by", tuple(children), self.span(meta))

    def h_variants(self, meta: Meta, children: list[Any]) -> n.HeaderItem:
        return n.HeaderItem("variants", (nfc(str(children[0])),), self.span(meta))

    def cap_limit(self, meta: Meta, children: list[Any]) -> n.Limit:
        return n.Limit("cap", Decimal(children[0]), self.span(meta))

    def max_expr(self, meta: Meta, children: list[Any]) -> n.MaxExpr:
        return n.MaxExpr(children[0], self.span(meta))

    def max_open(self, meta: Meta, children: list[Any]) -> n.Flag:
        return n.Flag("open", self.span(meta))

    def signed_flag(self, meta: Meta, children: list[Any]) -> n.Flag:
        return n.Flag("signed", self.span(meta))

    def best_flag(self, meta: Meta, children: list[Any]) -> n.Flag:
        return n.Flag("best", self.span(meta))

    def either_flag(self, meta: Meta, children: list[Any]) -> n.Flag:
        return n.Flag("either", self.span(meta))

    def not_counted(self, meta: Meta, children: list[Any]) -> n.Flag:
        return n.Flag("not counted", self.span(meta))

    def at_least(self, meta: Meta, children: list[Any]) -> n.Bound:
        return n.Bound("least", children[0].value, self.span(meta))

    def at_most(self, meta: Meta, children: list[Any]) -> n.Bound:
        return n.Bound("most", children[0].value, self.span(meta))

    def h_total_bounds(self, meta: Meta, children: list[Any]) -> n.HeaderItem:
        return n.HeaderItem("total_bounds", tuple(children), self.span(meta))

    def column(self, meta: Meta, children: list[Any]) -> n.Column:
        cap = Decimal(children[2]) if len(children) > 2 else None
        return n.Column(str(children[0]), children[1], cap, self.span(meta))

    def score(self, meta: Meta, children: list[Any]) -> n.ScoreStmt:
        return n.ScoreStmt(children[0], self.span(meta))

    def applicable(self, meta: Meta, children: list[Any]) -> n.Applicable:
        return n.Applicable(children[0], self.span(meta))

    def _annotation(self, kind: str, meta: Meta, children: list[Any]) -> n.Annotation:
        return n.Annotation(kind, unquote(children[0]), self.span(meta))

    def evidence(self, meta: Meta, children: list[Any]) -> n.Annotation:
        return self._annotation("evidence", meta, children)

    def verifier(self, meta: Meta, children: list[Any]) -> n.Annotation:
        return self._annotation("verifier", meta, children)

    def note(self, meta: Meta, children: list[Any]) -> n.Annotation:
        return self._annotation("note", meta, children)

    def assume(self, meta: Meta, children: list[Any]) -> n.Annotation:
        return self._annotation("assume", meta, children)

    def allow_gap(self, meta: Meta, children: list[Any]) -> n.Annotation:
        return self._annotation("allow_gap", meta, children)

    def allow_unreachable(self, meta: Meta, children: list[Any]) -> n.Annotation:
        return self._annotation("allow_unreachable", meta, children)

    def allow_exceed(self, meta: Meta, children: list[Any]) -> n.Annotation:
        return self._annotation("allow_exceed", meta, children)

    # ------------------------------------------------------------ ranking and awards
    def ranking_decl(self, meta: Meta, children: list[Any]) -> n.RankingDecl:
        name = unquote(children[0]) if children and isinstance(children[0], Token) else None
        within = next((c for c in children if isinstance(c, tuple)), None)
        orders = tuple(c for c in children if isinstance(c, n.Order))
        return n.RankingDecl(orders, self.span(meta), name, within[0] if within else None,
                             within[1] if within else None)

    def ranking_within(self, meta: Meta, children: list[Any]) -> tuple[str, Span]:
        return nfc(str(children[0])), self.tspan(children[0])

    def order(self, meta: Meta, children: list[Any]) -> n.Order:
        return n.Order(str(children[0]), children[1], self.span(meta))

    def award_decl(self, meta: Meta, children: list[Any]) -> n.AwardDecl:
        name, title, count, *requirements = children
        # The count stays a Decimal here (any length parses); the checker bounds it.
        return n.AwardDecl(
            nfc(str(name)), unquote(title), Decimal(count), tuple(requirements), self.span(meta)  # type: ignore[arg-type]
        )

    def requirement(self, meta: Meta, children: list[Any]) -> n.Requirement:
        return n.Requirement(children[0], unquote(children[1]), self.span(meta))

    # ------------------------------------------------------------ periods and classification
    def rollup_decl(self, meta: Meta, children: list[Any]) -> n.RollupDecl:
        tokens = [c for c in children if isinstance(c, Token)]
        name = next((nfc(str(t)) for t in tokens if t.type == "NAME"), None)
        title = next((unquote(t) for t in tokens if t.type == "STRING"), None)
        items = tuple(c for c in children if isinstance(c, n.RollupItem))
        return n.RollupDecl(title, items, self.span(meta), name)

    def r_periods(self, meta: Meta, children: list[Any]) -> n.RollupItem:
        return n.RollupItem("periods", tuple(unquote(c) for c in children), self.span(meta))

    def r_combine(self, meta: Meta, children: list[Any]) -> n.RollupItem:
        return n.RollupItem("combine", (str(children[0]),), self.span(meta))

    def r_missing(self, meta: Meta, children: list[Any]) -> n.RollupItem:
        return n.RollupItem("missing", (str(children[0]),), self.span(meta))

    def r_of(self, meta: Meta, children: list[Any]) -> n.RollupItem:
        return n.RollupItem("of", tuple(nfc(str(c)) for c in children), self.span(meta))

    def r_cap(self, meta: Meta, children: list[Any]) -> n.RollupItem:
        (code, code_span), value = children
        return n.RollupItem("cap", (code, Decimal(value), code_span), self.span(meta))

    def classify_decl(self, meta: Meta, children: list[Any]) -> n.ClassifyDecl:
        name, *rest = children
        title = unquote(rest[0]) if isinstance(rest[0], Token) else None
        if title is not None:
            rest = rest[1:]
        bands = (n.Row, n.ClassRule, n.ClassWhen)
        subject = rest.pop(0) if rest and not isinstance(rest[0], bands) else None
        rows = tuple(c for c in rest if isinstance(c, n.Row))
        rules = tuple(c for c in rest if isinstance(c, n.ClassRule))
        whens = tuple(c for c in rest if isinstance(c, n.ClassWhen))
        return n.ClassifyDecl(nfc(str(name)), title, subject, rows, rules, self.span(meta), whens)

    def c_when(self, meta: Meta, children: list[Any]) -> n.ClassWhen:
        condition, level = children
        return n.ClassWhen(condition, n.String(unquote(level), self.tspan(level)), self.span(meta))

    def c_require(self, meta: Meta, children: list[Any]) -> n.ClassRule:
        condition, outcome, reason, *onward = children
        return n.ClassRule(str(outcome), condition, None, None, False, unquote(reason), self.span(meta),
                           bool(onward))

    def c_at_most(self, meta: Meta, children: list[Any]) -> n.ClassRule:
        condition, level, reason, *onward = children
        return n.ClassRule("at_most", condition, unquote(level), None, False, unquote(reason), self.span(meta),
                           bool(onward))

    def c_quota(self, meta: Meta, children: list[Any]) -> n.ClassRule:
        level, amount, *percent = children
        return n.ClassRule("quota", None, unquote(level), Decimal(amount), bool(percent), "", self.span(meta))

    # ------------------------------------------------------------ expressions
    def if_expr(self, meta: Meta, children: list[Any]) -> n.If:
        return n.If(children[0], children[1], children[2], self.span(meta))

    def or_(self, meta: Meta, children: list[Any]) -> n.Logic:
        return n.Logic("or", children[0], children[1], self.span(meta))

    def and_(self, meta: Meta, children: list[Any]) -> n.Logic:
        return n.Logic("and", children[0], children[1], self.span(meta))

    def not_(self, meta: Meta, children: list[Any]) -> n.Not:
        return n.Not(children[0], self.span(meta))

    def compare(self, meta: Meta, children: list[Any]) -> n.Compare:
        return n.Compare(str(children[1]), children[0], children[2], self.span(meta))

    def in_(self, meta: Meta, children: list[Any]) -> n.Expr:
        """``x in ("a", "b")`` is ``x = "a" or x = "b"``: a name among several, written once."""
        subject, *names = children
        span = self.span(meta)
        tests = [n.Compare("=", subject, n.String(unquote(t), self.tspan(t)), span) for t in names]
        made: n.Expr = tests[0]
        for test in tests[1:]:
            made = n.Logic("or", made, test, span)
        return made

    def _binary(self, op: str, meta: Meta, children: list[Any]) -> n.Binary:
        return n.Binary(op, children[0], children[1], self.span(meta))

    def add(self, meta: Meta, children: list[Any]) -> n.Binary:
        return self._binary("+", meta, children)

    def sub(self, meta: Meta, children: list[Any]) -> n.Binary:
        return self._binary("-", meta, children)

    def mul(self, meta: Meta, children: list[Any]) -> n.Binary:
        return self._binary("*", meta, children)

    def div(self, meta: Meta, children: list[Any]) -> n.Binary:
        return self._binary("/", meta, children)

    def neg(self, meta: Meta, children: list[Any]) -> n.Neg:
        return n.Neg(children[0], self.span(meta))

    def ref(self, meta: Meta, children: list[Any]) -> n.Ref:
        return n.Ref(nfc(str(children[0])), self.span(meta))

    def assessed(self, meta: Meta, children: list[Any]) -> n.Assessed:
        return n.Assessed(self.span(meta))

    def assessed_as(self, meta: Meta, children: list[Any]) -> n.Assessed:
        return n.Assessed(self.span(meta), nfc(str(children[0])))

    def self_max(self, meta: Meta, children: list[Any]) -> n.SelfMax:
        return n.SelfMax(self.span(meta))

    def total_ref(self, meta: Meta, children: list[Any]) -> n.TotalRef:
        return n.TotalRef(self.span(meta))

    def score_ref(self, meta: Meta, children: list[Any]) -> n.ScoreRef:
        return n.ScoreRef(children[0][0], self.span(meta))

    def percentage_ref(self, meta: Meta, children: list[Any]) -> n.PercentageRef:
        return n.PercentageRef(self.span(meta))

    def cohort(self, meta: Meta, children: list[Any]) -> n.Cohort:
        where = children.pop()[1] if children and isinstance(children[-1], tuple) else None
        func = nfc(str(children[0])) if len(children) == 2 else "max"
        return n.Cohort(func, children[-1], self.span(meta), where)

    def cohort_where(self, meta: Meta, children: list[Any]) -> tuple[str, n.Expr]:
        return "where", children[0]

    def cohort_count(self, meta: Meta, children: list[Any]) -> n.Cohort:
        return n.Cohort("count", None, self.span(meta))

    def cohort_count_of(self, meta: Meta, children: list[Any]) -> n.Cohort:
        where = children.pop()[1] if isinstance(children[-1], tuple) else None
        return n.Cohort("count", children[0], self.span(meta), where)

    def call(self, meta: Meta, children: list[Any]) -> n.Call | n.ClassRef:
        name, args = nfc(str(children[0])), children[1:]
        if name == "class" and len(args) == 1 and isinstance(args[0], n.Ref):  # class(NAME): a level
            return n.ClassRef(args[0].name, self.span(meta))
        return n.Call(name, tuple(args), self.span(meta))

    def max_call(self, meta: Meta, children: list[Any]) -> n.Call:
        return n.Call("max", tuple(children), self.span(meta))

    def table(self, meta: Meta, children: list[Any]) -> n.Table:
        return n.Table(children[0], tuple(children[1:]), self.span(meta))

    def row(self, meta: Meta, children: list[Any]) -> n.Row:
        return n.Row(children[0], children[1], self.span(meta))

    def p_compare(self, meta: Meta, children: list[Any]) -> n.PCompare:
        return n.PCompare(str(children[0]), children[1], self.span(meta))

    def p_range(self, meta: Meta, children: list[Any]) -> n.PRange:
        dots = next(i for i, c in enumerate(children) if isinstance(c, Token) and c.type == "DOTDOT")
        low = children[dots - 1] if dots > 0 else None
        high = children[dots + 1] if dots + 1 < len(children) else None
        return n.PRange(low, high, self.span(meta))

    def p_equal(self, meta: Meta, children: list[Any]) -> n.PEqual:
        return n.PEqual(children[0], self.span(meta))

    def p_otherwise(self, meta: Meta, children: list[Any]) -> n.POtherwise:
        return n.POtherwise(self.span(meta))

    def number(self, meta: Meta, children: list[Any]) -> n.Number:
        child = children[0]
        if isinstance(child, n.Number):
            return child
        return n.Number(Decimal(str(child)), self.span(meta))

    def string(self, meta: Meta, children: list[Any]) -> n.String:
        return n.String(unquote(children[0]), self.span(meta))

    def true(self, meta: Meta, children: list[Any]) -> n.Bool:
        return n.Bool(True, self.span(meta))

    def false(self, meta: Meta, children: list[Any]) -> n.Bool:
        return n.Bool(False, self.span(meta))


#: The node classes written between a node's title and its block.
LIMITS = (n.Limit, n.Bound, n.Flag, n.MaxExpr)


# ---------------------------------------------------------------- extends: changes to a base ruleset
# (a class of its own, so the changes read as one block)


class ToNodesWithChanges(ToNodes):
    """``ToNodes`` and the changes of an extending ruleset (``extends``, ``override`` …)."""

    def h_extends(self, meta: Meta, children: list[Any]) -> n.HeaderItem:
        return n.HeaderItem("extends", (unquote(children[0]),), self.span(meta))

    def criterion_body(self, meta: Meta, children: list[Any]) -> tuple[Any, ...]:
        return tuple(children)

    def group_body(self, meta: Meta, children: list[Any]) -> tuple[Any, ...]:
        return tuple(children)

    def _override(self, target: str, meta: Meta, children: list[Any]) -> n.Override:
        kind = None
        if isinstance(children[0], Token) and children[0].type == "KIND":
            kind, children = str(children[0]), children[1:]
        (code, code_span), *rest = children
        title = None
        if rest and isinstance(rest[0], Token):
            title, rest = unquote(rest[0]), rest[1:]
        limits = tuple(c for c in rest if isinstance(c, LIMITS))
        items = next((c for c in rest if isinstance(c, tuple)), ())
        return n.Override(target, kind, code, code_span, title, limits, items, self.span(meta))

    def override_criterion(self, meta: Meta, children: list[Any]) -> n.Override:
        return self._override("criterion", meta, children)

    def override_section(self, meta: Meta, children: list[Any]) -> n.Override:
        return self._override("section", meta, children)

    def override_group(self, meta: Meta, children: list[Any]) -> n.Override:
        return self._override("group", meta, children)

    def remove_node(self, meta: Meta, children: list[Any]) -> n.Remove:
        (code, code_span), = children
        return n.Remove(code, code_span, self.span(meta))

    def move_node(self, meta: Meta, children: list[Any]) -> n.Move:
        (code, code_span), placement = children
        return n.Move(code, code_span, placement, self.span(meta))

    def _place(self, how: str, meta: Meta, children: list[Any]) -> n.Placement:
        (code, code_span), = children
        return n.Placement(how, code, code_span, self.span(meta))

    def place_after(self, meta: Meta, children: list[Any]) -> n.Placement:
        return self._place("after", meta, children)

    def place_before(self, meta: Meta, children: list[Any]) -> n.Placement:
        return self._place("before", meta, children)

    def place_in(self, meta: Meta, children: list[Any]) -> n.Placement:
        return self._place("in", meta, children)

    def _added(self, node: n.GroupDecl | n.CriterionDecl, meta: Meta) -> n.Add:
        found: tuple[Any, ...] = node.items
        placement = next(i for i in found if isinstance(i, n.Placement))
        items = tuple(i for i in found if not isinstance(i, n.Placement))
        placed: n.GroupDecl | n.CriterionDecl = attrs.evolve(node, items=items)  # type: ignore[arg-type]
        return n.Add(placed, placement, self.span(meta))

    def add_criterion(self, meta: Meta, children: list[Any]) -> n.Add:
        return self._added(self.criterion(meta, children), meta)

    def add_group(self, meta: Meta, children: list[Any]) -> n.Add:
        return self._added(self.group(meta, children), meta)

    def add_section(self, meta: Meta, children: list[Any]) -> n.Add:
        return self._added(self.section(meta, children), meta)


def to_nodes(tree: Tree[Token], source: Source) -> n.RulesetDecl:
    """Turn a parse tree into the syntax nodes of one ruleset."""
    built: n.RulesetDecl = ToNodesWithChanges(source).transform(tree)
    return built
