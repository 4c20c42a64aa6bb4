"""Facts in, exact values out: validation of a unit's facts and the evaluation context."""

from __future__ import annotations

import math
import re
import reprlib
from collections.abc import Mapping
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction

from ..errors import FactProblem, FactsError
from ..model import FactSpec
from ..numbers import NUMBER_LIMIT, PLACES_LIMIT, plain
from ..source import fold, nfc, shown, visible
from ..text import suggest
from .result import Step, Value


class MissingFact(Exception):
    """Raised inside evaluation when a rule reads a fact the unit did not give."""

    def __init__(self, name: str, code: str | None = None) -> None:
        super().__init__(name)
        self.name = name
        self.code = code


class NotScored(Exception):
    """Raised when a rule reads the score of a node that could not be scored (a fact it needs
    is missing, and is already reported): the reading row cannot be scored either."""


class CohortNeeded(Exception):
    """Raised inside evaluation when a rule reads a cohort aggregate no one supplied."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class Ctx:
    """The state of one evaluation: the unit's values, and the trace being written (or None)."""

    __slots__ = ("cohort", "defaults", "frames", "inputs", "lets", "result", "shown", "trace", "values")

    def __init__(self, values: Mapping[str, Value], defaults: frozenset[str], trace: bool) -> None:
        self.values = values
        self.defaults = defaults
        self.trace: list[Step] | None = [] if trace else None
        self.inputs: dict[str, Value] = {}
        #: Each derived value computed: its value, its steps, the inputs it read, the derived
        #: values whose steps its own steps hold.
        self.lets: dict[str, tuple[Value, tuple[Step, ...], dict[str, Value], frozenset[str]]] = {}
        #: The derived values whose steps the trace being written already holds (and that trace):
        #: a value read twice in one rule shows its working once.
        self.shown: tuple[list[Step] | None, set[str]] = (None, set())
        #: The arguments of the formulas being evaluated, innermost last.
        self.frames: list[tuple[Value, ...]] = []
        self.result: object = None
        #: This unit's view of each cohort aggregate: key -> (value, who set it / how).
        self.cohort: Mapping[str, tuple[Decimal, str]] | None = None


# ---------------------------------------------------------------- numbers from outside

_GROUPED_VI = re.compile(r"^\d{1,3}(\.\d{3})+(,\d+)?$")
_GROUPED_EN = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN = re.compile(r"^\d+([.,]\d+)?$")


def parse_number(text: str) -> Decimal:
    """Read a number as written in a Vietnamese or English spreadsheet cell.

    ``"2,5"`` and ``"2.5"`` are 2.5; ``"1.234,5"`` and ``"1,234.5"`` are 1234.5. A single
    separator followed by exactly three digits (``"1.000"``, ``"1,000"``) means a thousand in one
    convention and one in the other, so it is rejected rather than guessed.

    >>> parse_number("2,5")
    Decimal('2.5')
    """
    if not isinstance(text, str):
        raise FactsError([FactProblem(repr(text), "parse_number reads text only")])
    raw = nfc(text).strip().replace("\u00a0", "").replace(" ", "")
    sign = ""
    if raw[:1] in "+-" and raw:
        sign, raw = ("-" if raw[0] == "-" else ""), raw[1:]
    problem = None
    if re.fullmatch(r"\d{1,3}[.,]\d{3}", raw):
        problem = (
            f'"{text}" is ambiguous: a thousand with a grouping separator, or a number with three '
            "decimals; write it without grouping (1000) or with more or fewer decimals"
        )
    elif _GROUPED_VI.match(raw):
        return Decimal(sign + raw.replace(".", "").replace(",", "."))
    elif _GROUPED_EN.match(raw):
        return Decimal(sign + raw.replace(",", ""))
    elif _PLAIN.match(raw):
        return Decimal(sign + raw.replace(",", "."))
    else:
        problem = f'"{text}" is not a number'
    raise FactsError([FactProblem(repr(text), problem)])


def number_of(value: object, places: int = PLACES_LIMIT) -> Decimal | str:
    """The exact Decimal of an input, or why it is not a number; at most ``places`` decimal places
    (a fact's limit; a cohort aggregate given back may have the places the arithmetic gave it)."""
    if isinstance(value, bool):
        return f"expected a number, got {value} (true/false)"
    if isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            return f"expected a finite number, got {value}"
        result = value
    elif isinstance(value, float):
        if not math.isfinite(value):
            return f"expected a finite number, got {value}"
        result = Decimal(repr(value))
    elif isinstance(value, Fraction):
        quotient = Decimal(value.numerator) / Decimal(value.denominator)
        if Fraction(quotient) != value:
            return f"{value} has no exact decimal value; round it first"
        result = quotient
    elif isinstance(value, str):
        return (
            f'expected a number, got the text "{value}"; read spreadsheet cells with '
            "thidua_rules.parse_number (it accepts a decimal comma such as \"2,5\")"
        )
    else:
        return f"expected a number, got {type(value).__name__}"
    # adjusted(), copy_abs() and the exponent need no arithmetic: no context, no overflow.
    if result.copy_abs() >= NUMBER_LIMIT or -result.as_tuple().exponent > places:  # type: ignore[operator]
        shown = str(value) if result.adjusted() < 40 and len(result.as_tuple().digits) <= 40 else _shown(result)
        return f"{shown} is out of range (at most 15 digits before the point, {places} after)"
    return result


#: Python's repr, cut short and safe for values nested a thousand deep (reprlib stops at a depth).
_BRIEF = reprlib.Repr()
_BRIEF.maxlevel, _BRIEF.maxstring, _BRIEF.maxother = 3, 60, 60


def _brief(value: object) -> str:
    """A value as it was given, for a message: short, whatever its size or nesting."""
    return _BRIEF.repr(value)


def _shown(number: Decimal) -> str:
    """A huge number for a message: its first digits, or its size in digits."""
    text = str(number)
    digits = len(number.as_tuple().digits)
    return f"{text[:12]}… (a number of {digits} digits)" if number.adjusted() < 40 else \
        f"a number of {number.adjusted() + 1} digits before the point"



def check_value(spec: FactSpec, value: object) -> tuple[Value | None, str | None]:
    """The normalised value of one fact, or why it does not fit ``spec``."""
    if spec.kind == "boolean":
        if isinstance(value, bool):
            return value, None
        return None, f"expected true or false, got {_brief(value)}"
    if spec.kind == "scale":
        if not isinstance(value, str):
            return None, f"expected a level of scale {spec.scale}, got {_brief(value)}"
        key = fold(value)
        for spelling, level in spec.spellings:
            if spelling == key:
                return level, None
        from ..text import suggest

        hint = suggest(value, spec.levels) or "levels: " + ", ".join(f'"{lv}"' for lv in spec.levels)
        return None, f'"{value}" is not a level of scale {spec.scale}; {hint}'
    if spec.kind == "category":
        return _category_name(spec, value)
    number = number_of(value)
    if isinstance(number, str):
        return None, number
    if spec.integral and number != number.to_integral_value():
        return None, f"expected a whole number for a {spec.kind}, got {plain(number)}"
    if spec.kind == "count" and number < 0:
        return None, f"a count cannot be negative, got {plain(number)}"
    if spec.kind == "rank" and number < 1:
        return None, f"a rank starts at 1, got {plain(number)}"
    if spec.kind == "assessed" and spec.high is not None and number > spec.high:
        return None, f"the assessed score {plain(number)} is above the max {plain(spec.high)} of {spec.criterion}"
    if spec.criterion is not None and spec.kind != "assessed" and spec.high is not None and number > spec.high:
        return None, f"the judged score {plain(number)} is above the max {plain(spec.high)} of {spec.criterion}"
    if spec.low is not None and number < spec.low:
        return None, f"{plain(number)} is below the lowest allowed value {plain(spec.low)}"
    if spec.high is not None and number > spec.high:
        return None, f"{plain(number)} is above the highest allowed value {plain(spec.high)}"
    return _shape(spec, number)


def _category_name(spec: FactSpec, value: object) -> tuple[Value | None, str | None]:
    """The name a category fact's value means (folded: case, accents' encoding, spacing), or why not."""
    if not isinstance(value, str):
        return None, f"expected a name of category {spec.category}, got {_brief(value)}"
    key = fold(value)
    for spelling, name in spec.spellings:
        if spelling == key:
            return name, None
    hint = suggest(value, spec.levels) or "names: " + ", ".join(f'"{name}"' for name in spec.levels)
    return None, f'"{value}" is not a name of category {spec.category}; {hint}'


def _shape(spec: FactSpec, number: Decimal) -> tuple[Value | None, str | None]:
    """A value within the bounds, checked against the range's holes and the step."""
    if spec.allowed and not any(
        (low is None or low <= number) and (high is None or number <= high) for low, high in spec.allowed
    ):
        return None, f"{plain(number)} is not an allowed value: the values are {_parts(spec.allowed)}"
    step = spec.step
    if step is not None and number % step != 0:
        below = (number / step).to_integral_value(rounding=ROUND_FLOOR) * step  # also below 0
        return None, (f"{plain(number)} is not a multiple of the step {plain(step)}; the nearest allowed "
                      f"values are {plain(below)} and {plain(below + step)}")
    return number, None


def _parts(parts: tuple[tuple[Decimal | None, Decimal | None], ...]) -> str:
    """``0, or from 2 to 5``: the parts of a range with holes, in words."""
    words = []
    for low, high in parts:
        if low is not None and low == high:
            words.append(plain(low))
        elif low is None:
            words.append(f"up to {plain(high)}" if high is not None else "any number")
        elif high is None:
            words.append(f"from {plain(low)} up")
        else:
            words.append(f"from {plain(low)} to {plain(high)}")
    return ", or ".join(words)


def validate(
    specs: Mapping[str, FactSpec], facts: Mapping[str, object]
) -> tuple[dict[str, Value], frozenset[str], list[FactProblem]]:
    """Check a unit's facts against the specs: values, the names given defaults, and problems.

    The slow path that words every problem; the plainly valid case is checked by the validator
    generated per ruleset (``evaluation/validation.py``), which accepts nothing this refuses.
    """
    problems: list[FactProblem] = []
    values: dict[str, Value] = {}
    if not isinstance(facts, Mapping):
        problem = f"expected a mapping of fact names to values, got {type(facts).__name__}"
        return values, frozenset(), [FactProblem("(facts)", problem)]
    seen: dict[str, str] = {}
    for key, value in facts.items():
        if not isinstance(key, str):
            problems.append(FactProblem(repr(key), "a fact name must be text"))
            continue
        name = nfc(key)
        if name not in specs and visible(name) in specs:
            name = visible(name)  # a BOM or a zero-width space from a spreadsheet's header
        if name not in specs:
            match = {fold(n): n for n in specs}.get(fold(name))  # the slow path only
            if match is not None and specs[match].kind == "assessed":
                name = match  # criterion codes are not case-sensitive
            else:
                hint = suggest(visible(name), specs)
                problems.append(FactProblem(shown(key), "unknown fact" + (f"; {hint}" if hint else "")))
                continue
        if name in seen:
            problems.append(FactProblem(key, f'given twice (also as "{seen[name]}")'))
            continue
        seen[name] = key
        checked, problem = check_value(specs[name], value)
        if problem is not None:
            problems.append(FactProblem(name, problem))
        elif checked is not None:
            values[name] = checked
    defaults = set()
    if len(seen) < len(specs):
        for name, spec in specs.items():
            if spec.default is not None and name not in values and name not in seen:
                values[name] = spec.default
                defaults.add(name)
    return values, frozenset(defaults), problems
