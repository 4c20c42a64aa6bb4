"""Results of evaluation: per-node scores with their traces, totals, and ``to_dict``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple, TypeVar

import attrs

from ..errors import NotFoundError
from ..numbers import ARITHMETIC, ZERO, exact, plain, quantum, tidy
from ..source import fold
from ..text import suggest

Value = Decimal | bool | str

K = TypeVar("K")
V = TypeVar("V")


class FrozenMap(Mapping[K, V]):
    """A read-only mapping that pickles (``MappingProxyType`` does not): results cross processes."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[K, V] | None = None) -> None:
        self._data: dict[K, V] = dict(data or {})

    def __getitem__(self, key: K) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"

    def __reduce__(self) -> tuple[type[FrozenMap[K, V]], tuple[dict[K, V]]]:
        return (FrozenMap, (self._data,))

    @classmethod
    def owning(cls, data: dict[K, V]) -> FrozenMap[K, V]:
        """Wrap a dict nobody else keeps, without copying it."""
        made: FrozenMap[K, V] = cls.__new__(cls)
        made._data = data
        return made


EMPTY: FrozenMap[Any, Any] = FrozenMap()


class Step(NamedTuple):
    """One step of a trace: which rule ran, on what, with what result.

    ``rule`` names the operation (``fact``, ``default``, ``assessed``, ``derived``, ``+``, ``*``,
    ``compare``, ``and``, ``if``, ``table``, ``min``, ``round``, ``cap``, ``sum``…); ``expr`` is the
    ruleset text it came from; ``operands`` the values it read; ``value`` what it produced.
    A named tuple: a traced unit makes about a hundred of them, so they must be cheap.
    """

    rule: str
    expr: str
    operands: tuple[Value | None, ...]
    value: Value | None
    note: str = ""

    @exact
    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "expr": self.expr,
            "operands": [jsonable(v) for v in self.operands],
            "value": jsonable(self.value),
            "note": self.note,
        }


_SYMBOLS = {"+": "+", "-": "−", "*": "×", "/": "÷"}


def _show(value: object) -> str:
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, bool):
        return "đúng" if value else "sai"
    return "—" if value is None else str(value)


def _sentence(step: Step) -> str:
    """One trace step in words; every number shown is one of the step's own values."""
    ops, value = step.operands, _show(step.value)
    if step.rule in _SYMBOLS and len(ops) == 2:
        text = f"{_show(ops[0])} {_SYMBOLS[step.rule]} {_show(ops[1])} = {value}"
        return text + (f" ({step.note})" if step.note else "")
    if step.rule == "sum":
        parts = " + ".join(_show(v) for v in ops) or "0"
        return f"{step.expr} = {parts} = {value}"
    if step.rule in ("cap", "bonus", "deduction", "bound"):
        raw, low, top = ops
        bound = f"[{_show(low) if low is not None else '…'}, {_show(top) if top is not None else '…'}]"
        what = {"cap": "", "bonus": " bonus", "deduction": " deduction", "bound": " score"}[step.rule]
        note = f" ({step.note})" if step.note else ""
        return f"{step.expr}{what}: {_show(raw)} kept within {bound}: {value}{note}"
    if step.rule == "net":
        main, bonus, deduction, adjustment = ops
        text = f"{step.expr}: {_show(main)} + {_show(bonus)} − {_show(deduction)}"
        return text + (f" + {_show(adjustment)}" if adjustment else "") + f" = {value} (standard + bonus − deduction)"
    if step.rule in ("best", "either"):
        return f"{step.expr} counts {step.note}: {value}"
    if step.rule == "score":
        return f"score of {step.note} = {value}"
    if step.rule in ("fact", "default", "assessed", "derived", "cohort"):
        label = f" ({step.note})" if step.note else ""
        return f"{step.rule} {step.expr}{label} = {value}"
    if step.rule == "table":
        return f"{' '.join(step.expr.split())} with {_show(ops[0])}: {step.note} → {value}"
    if step.rule == "formula":  # the note names the formula with each argument's value
        return f"formula {step.note} = {value}"
    if step.rule == "final":
        return f"final score {value} ({step.note}; rounds gave {', '.join(_show(v) for v in ops)})"
    detail = f" ({step.note})" if step.note else ""
    args = ", ".join(_show(v) for v in ops)
    return f"{step.rule} {' '.join(step.expr.split())}{f' [{args}]' if args else ''}{detail} = {value}"


#: The version of the shape of ``to_dict()`` (docs/schema/*.schema.json): bumped when a key changes.
SCHEMA_VERSION = "1"


def jsonable(value: object) -> object:
    """A value for JSON: a Decimal as its plain text (``"29.5"``, never ``"29.50"`` or ``"3E+1"``)."""
    if isinstance(value, Decimal):
        return plain(value)
    return value


@attrs.frozen
class NodeResult:
    """The score of one criterion, group or section for one unit.

    ``raw`` is the rule's value before the cap to ``[0, max]`` (for groups: the children's sum);
    ``score`` is None when the node is not applicable to the unit.
    """

    code: str
    title: str | None
    kind: str
    is_criterion: bool
    score: Decimal | None
    max: Decimal | None
    applicable_max: Decimal
    raw: Decimal | None
    inputs: Mapping[str, Value]
    trace: tuple[Step, ...]
    assumptions: tuple[str, ...] = ()
    children: tuple[str, ...] = ()
    #: Whether its score enters its parent's (a section's: the total's): False for a row shown
    #: but ``not counted``, a part a ``best``/``either`` group did not choose, or one not applicable.
    counted: bool = True
    #: Its columns, main (its own points), bonus, deduction and the adjustment bounds made, when
    #: it has row columns or bounds (or holds such rows); None when ``score`` is its only column.
    columns: tuple[Decimal, Decimal, Decimal, Decimal] | None = None
    #: Provenance, for a ruleset that ``extends`` another (None and () otherwise): the file that
    #: defined the node and ``file:line:col`` of each override of it.
    defined_in: str | None = None
    overridden_by: tuple[str, ...] = ()

    @property
    def applicable(self) -> bool:
        return self.score is not None

    @property
    def standard(self) -> Decimal | None:
        """The standard part: the points of its standard rows, before their bonus and deductions."""
        if self.score is None:
            return None
        if self.kind != "standard":
            return ZERO
        return self.columns[0] if self.columns is not None else self.score

    @property
    def bonus(self) -> Decimal | None:
        """The bonus points in it: a bonus node's score, or its rows' own bonus columns."""
        if self.score is None:
            return None
        if self.kind == "bonus":
            return self.score
        return self.columns[1] if self.columns is not None and self.kind == "standard" else ZERO

    @property
    def deduction(self) -> Decimal | None:
        """The points deducted in it: a deduction node's score, or its rows' own deduction columns."""
        if self.score is None:
            return None
        if self.kind == "deduction":
            return self.score
        return self.columns[2] if self.columns is not None and self.kind == "standard" else ZERO

    @property
    def adjustment(self) -> Decimal:
        """What bounds (``at least``/``at most``) on it or its parts changed in its standard score."""
        return self.columns[3] if self.columns is not None and self.kind == "standard" else ZERO

    def __hash__(self) -> int:
        return hash((self.code, self.score, self.max, self.raw, self.applicable_max))

    def explain(self) -> str:
        """The trace as plain lines, one per step, e.g. ``2 × 7 = 14`` and ``capped at max 10: 10``."""
        head = f"{self.code} {self.title or ''}".rstrip()
        if self.defined_in is not None:
            changed = f"; overridden by {', '.join(self.overridden_by)}" if self.overridden_by else ""
            head += f" (defined in {self.defined_in}{changed})"
        if not self.trace:
            return f"{head}: {_show(self.score)} (evaluated without a trace)"
        return "\n".join([head, *(f"  {_sentence(step)}" for step in self.trace)])

    @exact
    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "kind": self.kind,
            "criterion": self.is_criterion,
            "applicable": self.applicable,
            "score": jsonable(self.score),
            "max": jsonable(self.max),
            "applicable_max": jsonable(self.applicable_max),
            "raw": jsonable(self.raw),
            "inputs": {k: jsonable(v) for k, v in self.inputs.items()},
            "assumptions": list(self.assumptions),
            "children": list(self.children),
            "counted": self.counted,
            "standard": jsonable(self.standard),
            "bonus": jsonable(self.bonus),
            "deduction": jsonable(self.deduction),
            "adjustment": jsonable(self.adjustment),
            "trace": [s.to_dict() for s in self.trace],
            **({"defined_in": self.defined_in, "overridden_by": list(self.overridden_by)}
               if self.defined_in is not None else {}),
        }


@attrs.frozen
class Result:
    """A unit's evaluation: every node by code, totals per section kind and the grand total.

    ``total = standard + bonus - deductions + adjustment`` (``adjustment``: what bounds changed).
    """

    ruleset: str
    nodes: Mapping[str, NodeResult]
    sections: tuple[str, ...]
    # The totals in one form whatever the inputs' trailing zeros (945, never 945.0; 103.5).
    standard: Decimal = attrs.field(converter=tidy)
    bonus: Decimal = attrs.field(converter=tidy)
    deductions: Decimal = attrs.field(converter=tidy)
    applicable_max: Decimal = attrs.field(converter=tidy)
    facts: Mapping[str, Value] = attrs.field(factory=dict, repr=False)
    #: The cohort aggregates as this unit saw them: key -> (value, which unit set it).
    cohort: Mapping[str, tuple[Decimal, str]] = attrs.field(factory=dict, repr=False)
    #: Decimal places of ``percentage`` (the ruleset's declared rounding).
    places: int = attrs.field(default=2, repr=False)
    #: What bounds changed (``at least``/``at most`` on the total or on standard sections).
    adjustment: Decimal = ZERO

    @classmethod
    def made(
        cls, ruleset: str, nodes: Mapping[str, NodeResult], sections: tuple[str, ...], standard: Decimal,
        bonus: Decimal, deductions: Decimal, applicable_max: Decimal, facts: Mapping[str, Value],
        cohort: Mapping[str, tuple[Decimal, str]], places: int, adjustment: Decimal,
    ) -> Result:
        """A Result of totals already in ``tidy``'s form (the scaled path's), without running the
        converters again: the same object ``Result(…)`` makes, for less."""
        made: Result = object.__new__(cls)
        s = _SLOTS
        s[0](made, ruleset), s[1](made, nodes), s[2](made, sections), s[3](made, standard)
        s[4](made, bonus), s[5](made, deductions), s[6](made, applicable_max), s[7](made, facts)
        s[8](made, cohort), s[9](made, places), s[10](made, adjustment)
        return made

    @classmethod
    def of_tidy_totals(
        cls, ruleset: str, nodes: Mapping[str, NodeResult], sections: tuple[str, ...],
        totals: tuple[Decimal, Decimal, Decimal, Decimal, Decimal], facts: Mapping[str, Value],
        places: int,
    ) -> Result:
        """``made`` for the totals a batch's worker process sends (standard, bonus, deductions,
        adjustment, applicable max; already in ``tidy`` form; no cohort): the parent builds one
        of these per unit (reports/parallel.py)."""
        standard, bonus, deductions, adjustment, applicable_max = totals
        return cls.made(ruleset, nodes, sections, standard, bonus, deductions, applicable_max, facts, EMPTY,
                        places, adjustment)

    @property
    def total(self) -> Decimal:
        total = ARITHMETIC.subtract(ARITHMETIC.add(self.standard, self.bonus), self.deductions)
        return tidy(ARITHMETIC.add(total, self.adjustment) if self.adjustment else total)

    @property
    def percentage(self) -> Decimal | None:
        """``total`` as a percentage of ``applicable_max``, rounded half up to ``places``; None if 0."""
        if self.applicable_max == 0:
            return None
        value = ARITHMETIC.divide(ARITHMETIC.multiply(self.total, 100), self.applicable_max)
        return value.quantize(quantum(self.places), rounding=ROUND_HALF_UP, context=ARITHMETIC)

    def __hash__(self) -> int:
        # The totals and the sections identify a result well enough; equal results hash equal.
        return hash((self.ruleset, self.sections, self.standard, self.bonus, self.deductions, self.applicable_max,
                     self.adjustment))

    def __getitem__(self, code: str) -> NodeResult:
        if not isinstance(code, str):
            raise UnknownCodeError(str(code), self.nodes, "codes are text, such as a criterion's \"I.2\"")
        node = self.nodes.get(code)
        if node is not None:
            return node
        key = fold(code)
        for candidate, result in self.nodes.items():
            if fold(candidate) == key:
                return result
        raise UnknownCodeError(code, self.nodes)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and any(fold(c) == fold(code) for c in self.nodes)

    def __iter__(self) -> Iterator[NodeResult]:
        return iter(self.nodes.values())

    def criteria(self) -> list[NodeResult]:
        """The criteria, in the sheet's order."""
        return [node for node in self.nodes.values() if node.is_criterion]

    @exact
    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict: Decimals as strings, nodes in the sheet's order."""
        return {
            "schema_version": SCHEMA_VERSION,
            "ruleset": self.ruleset,
            "total": jsonable(self.total),
            "standard": jsonable(self.standard),
            "bonus": jsonable(self.bonus),
            "deductions": jsonable(self.deductions),
            "adjustment": jsonable(self.adjustment),
            "applicable_max": jsonable(self.applicable_max),
            "percentage": jsonable(self.percentage),
            "facts": {k: jsonable(v) for k, v in self.facts.items()},
            "sections": list(self.sections),
            "nodes": {code: node.to_dict() for code, node in self.nodes.items()},
        }


#: The setters of Result's slots, in field order (``Result.made``).
_SLOTS = tuple(getattr(Result, field.name).__set__ for field in attrs.fields(Result))
assert len(_SLOTS) == 11


class UnknownCodeError(NotFoundError):
    """A code asked of a result that the ruleset does not have."""

    def __init__(self, code: str, known: Mapping[str, object] | None = None, hint: str | None = None) -> None:
        hint = hint or suggest(code, known or ())
        super().__init__(f'no criterion, group or section "{code}"' + (f"; {hint}" if hint else ""))
