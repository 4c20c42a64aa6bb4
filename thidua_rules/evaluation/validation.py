"""Facts validation compiled per ruleset: one generated function checks a unit's facts inline.

``runtime.validate`` explains every problem in words; it is slow by design (a spec lookup and a
message-ready check per fact). The generated function checks the common, valid case only: each
declared fact read once by name, its type and bounds tested inline, one count for unknown names.
It returns the values (and the names given defaults), or None whenever anything is not plainly
valid, and the caller then runs ``validate``, which finds and words the problem. So it can only
accept what ``validate`` accepts with the same values: tests/test_properties.py checks both paths.

As in the fast path, every name, bound and level reaches the code as a bound constant.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from ..model import FactSpec
from ..numbers import NUMBER_LIMIT, PLACES_LIMIT
from .codegen import define

#: The generated validator: the unit's values and the names given defaults, or None.
QuickFn = Callable[[Mapping[str, object]], "tuple[dict[str, Any], frozenset[str]] | None"]

_MISSING = object()
#: The largest whole magnitude a fact may have (numbers stay below ``NUMBER_LIMIT``).
_TOP = Decimal(int(NUMBER_LIMIT) - 1)
_BOTTOM = Decimal(1 - int(NUMBER_LIMIT))  # int arithmetic: exact, whatever the caller's context


def bounds(spec: FactSpec) -> tuple[Decimal, Decimal]:
    """The closed range a number fact's value must lie in (the kind's own floor included)."""
    low = spec.low if spec.low is not None else _BOTTOM
    high = spec.high if spec.high is not None else _TOP
    if spec.kind == "count":
        low = max(low, Decimal(0))
    elif spec.kind == "rank":
        low = max(low, Decimal(1))
    elif spec.kind == "assessed":
        low = max(low, Decimal(0))
    return max(low, _BOTTOM), min(high, _TOP)


class _Gen:
    def __init__(self) -> None:
        self.consts: dict[str, object] = {
            "MISSING": _MISSING, "Decimal": Decimal, "PLACES": -PLACES_LIMIT,
        }
        self.lines: list[str] = []

    def const(self, value: object, prefix: str) -> str:
        name = f"{prefix}{len(self.consts)}"
        self.consts[name] = value
        return name

    def number(self, spec: FactSpec, key: str, v: str) -> list[str]:
        """Lines accepting an int or a finite Decimal within the spec's bounds, else returning None."""
        low, high = bounds(spec)
        lo, hi = self.const(low, "L"), self.const(high, "H")
        integral = spec.kind in ("count", "rank")
        shape = self.shape(spec, v)
        lines = [
            f"    if type({v}) is int:",
            f"        if not ({lo} <= {v} <= {hi}{shape}): return None",
            f"        values[{key}] = Decimal({v})",
        ]
        if integral:
            # A whole Decimal is rare here: leave it to validate (which also checks it is whole).
            lines.append("    else: return None")
        else:
            lines += [
                f"    elif type({v}) is Decimal and {v}.is_finite() and {lo} <= {v} <= {hi} "
                f"and {v}.as_tuple().exponent >= PLACES{shape}:",  # as validate: at most PLACES_LIMIT places
                f"        values[{key}] = {v}",
                "    else: return None",
            ]
        return lines

    def shape(self, spec: FactSpec, v: str) -> str:
        """`` and …``: the tests of a range with holes and of a step, or nothing."""
        tests = ""
        if spec.allowed:
            parts = []
            for low, high in spec.allowed:
                ends = [f"{self.const(low, 'L')} <= {v}" if low is not None else "",
                        f"{v} <= {self.const(high, 'H')}" if high is not None else ""]
                parts.append(" and ".join(e for e in ends if e) or "True")
            tests += " and (" + " or ".join(f"({p})" for p in parts) + ")"
        if spec.step is not None:
            tests += f" and {v} % {self.const(spec.step, 'P')} == 0"
        return tests

    def fact(self, spec: FactSpec) -> None:
        key = self.const(spec.name, "N")
        v = "v"
        self.lines.append(f"    {v} = get({key}, MISSING)")
        self.lines.append(f"    if {v} is not MISSING:")
        self.lines.append("        found += 1")
        if spec.kind == "boolean":
            body = [f"    if type({v}) is bool: values[{key}] = {v}", "    else: return None"]
        elif spec.kind in ("scale", "category"):
            levels = self.const(frozenset(spec.levels), "S")
            body = [f"    if type({v}) is str and {v} in {levels}: values[{key}] = {v}", "    else: return None"]
        else:
            body = self.number(spec, key, v)
        self.lines += ["    " + line for line in body]
        if spec.default is not None:
            self.lines += [
                "    else:",
                f"        values[{key}] = {self.const(spec.default, 'D')}",
                f"        defaults.append({key})",
            ]
        elif spec.required and spec.kind != "assessed":
            self.lines += ["    else:", "        return None"]

    def build(self, specs: Mapping[str, FactSpec], ruleset: str) -> QuickFn:
        for spec in specs.values():
            self.fact(spec)
        quick: QuickFn = define("quick", [
            "def quick(facts):",
            "    if type(facts) is not dict: return None",
            "    get = facts.get",
            "    values = {}",
            "    defaults = []",
            "    found = 0",
            *self.lines,
            "    if found != len(facts): return None",
            "    return values, frozenset(defaults)",
        ], self.consts, label=f"thidua validation {ruleset}")
        return quick


def build(specs: Mapping[str, FactSpec], ruleset: str) -> QuickFn:
    """The generated validator of the facts ``specs`` declare."""
    return _Gen().build(specs, ruleset)
