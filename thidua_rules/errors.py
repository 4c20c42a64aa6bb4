"""The library's exceptions: every failure a caller can see is one of these."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import attrs

from .source import Span

Severity = Literal["error", "warning"]

#: How many problems an exception message lists before "… and N more".
MESSAGE_LIMIT = 25


@attrs.frozen
class Diagnostic:
    """One problem found in a ruleset: a message about a span, with an optional hint."""

    severity: Severity
    message: str
    span: Span | None
    hint: str | None = None

    def render(self) -> str:
        """``file:line:col: error: message`` then the source line with a caret."""
        where = f"{self.span.where}: " if self.span is not None else ""
        text = f"{where}{self.severity}: {self.message}"
        if self.hint:
            text += f"; {self.hint}"
        if self.span is not None:
            text += "\n" + self.span.excerpt()
        return text


@attrs.frozen
class FactProblem:
    """One bad fact: its name, what is wrong, and the value given (if any)."""

    fact: str
    message: str

    def render(self) -> str:
        return f"{self.fact}: {self.message}"


def _listing(lines: Sequence[str]) -> str:
    shown = list(lines[:MESSAGE_LIMIT])
    if len(lines) > MESSAGE_LIMIT:
        shown.append(f"… and {len(lines) - MESSAGE_LIMIT} more")
    return "\n".join(shown)


class ThiduaError(Exception):
    """Base class of every exception raised by ``thidua_rules``."""


class RulesetError(ThiduaError):
    """A ruleset could not be loaded: syntax, names, types or sums; lists every problem."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        errors = [d for d in self.diagnostics if d.severity == "error"]
        head = f"{len(errors)} error(s) in ruleset"
        super().__init__(head + "\n" + _listing([d.render() for d in self.diagnostics]))

    def __reduce__(self) -> tuple[type[RulesetError], tuple[tuple[Diagnostic, ...]]]:
        # Pickled by its diagnostics (as a worker process sends it back), not by its message.
        return (RulesetError, (self.diagnostics,))


class FactsError(ThiduaError):
    """The facts of a unit do not fit the ruleset; lists every bad fact and why."""

    def __init__(self, problems: Sequence[FactProblem], *, unit: str | None = None) -> None:
        self.problems: tuple[FactProblem, ...] = tuple(problems)
        self.unit = unit
        who = f" of unit {unit!r}" if unit else ""
        head = f"{len(self.problems)} problem(s) with the facts{who}"
        super().__init__(head + "\n" + _listing(["  " + p.render() for p in self.problems]))

    def __reduce__(self) -> tuple[Any, tuple[tuple[FactProblem, ...], str | None]]:
        # Pickled by its problems (as a worker process sends it back), not by its message.
        return (_facts_error, (self.problems, self.unit))


def _facts_error(problems: Sequence[FactProblem], unit: str | None) -> FactsError:
    return FactsError(problems, unit=unit)


class NotFoundError(ThiduaError, KeyError):
    """A name asked of a result that does not hold it (a ``KeyError`` too, for mappings' sake)."""

    def __str__(self) -> str:
        return str(self.args[0])  # KeyError would quote the message

    def __reduce__(self) -> tuple[Any, tuple[type[NotFoundError], str]]:
        # Pickled by its message (as a worker process sends it back), not by its arguments.
        return (_not_found, (type(self), str(self.args[0])))


def _not_found(kind: type[NotFoundError], message: str) -> NotFoundError:
    error = kind.__new__(kind)
    KeyError.__init__(error, message)
    return error


class UnknownUnitError(NotFoundError):
    """A unit asked of a ranking or a classification that does not hold it."""

    def __init__(self, unit: object, known: Sequence[str]) -> None:
        shown = ", ".join(known[:5]) + (" …" if len(known) > 5 else "")
        super().__init__(f"no unit {unit!r} among the units: {shown or 'none'}")


class ExtraNeededError(ThiduaError, ImportError):
    """A part of the library needs an optional extra that is not installed (the message names it)."""


class OptionError(ThiduaError, TypeError):
    """A keyword option of the API was given a value it cannot take."""


class EvaluationError(ThiduaError):
    """A ruleset cannot be evaluated the way it was asked (e.g. a cohort rule without a cohort)."""
