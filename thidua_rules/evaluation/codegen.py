"""Generated Python, compiled once: the one place the evaluation stage turns source into a function.

Only the checks' own nodes become code, and every number, level and name reaches the function as
a bound constant of ``namespace``, never as text spliced into the source, so a ruleset cannot
inject code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, ClassVar


class Generator:
    """What every code generator of this stage shares: the pool of bound constants (one name per
    value) and fresh names for temporaries. ``TEMP`` is the temporaries' pattern."""

    TEMP: ClassVar[str] = "_t{}"

    def __init__(self, consts: dict[str, object]) -> None:
        self.consts = consts
        self.by_value: dict[tuple[str, object], str] = {}
        self.temps = 0

    def const(self, value: object, prefix: str = "K") -> str:
        # A Decimal by its text: 2.50 and 2.5 are equal but print apart (a max shows as written).
        keyed = str(value) if isinstance(value, Decimal) else value if not isinstance(value, dict) else id(value)
        key = (type(value).__name__, keyed)
        name = self.by_value.get(key)
        if name is None:
            name = f"{prefix}{len(self.consts)}"
            self.consts[name] = value
            self.by_value[key] = name
        return name

    def temp(self) -> str:
        self.temps += 1
        return self.TEMP.format(self.temps)


def define(name: str, lines: Sequence[str], namespace: Mapping[str, object], *, label: str) -> Any:
    """Compile ``lines`` (which define ``name``) with ``namespace`` bound; return ``name``.

    ``label`` names the code in tracebacks and profiles: ``<thidua fast path cum4-2023>``.
    """
    scope: dict[str, Any] = dict(namespace)
    exec(compile("\n".join(lines), f"<{label}>", "exec"), scope)
    return scope[name]
