"""Generated Python, compiled once: the one place the evaluation stage turns source into a function.

Only the checks' own nodes become code, and every number, level and name reaches the function as
a bound constant of ``namespace``, never as text spliced into the source, so a ruleset cannot
inject code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def define(name: str, lines: Sequence[str], namespace: Mapping[str, object], *, label: str) -> Any:
    """Compile ``lines`` (which define ``name``) with ``namespace`` bound; return ``name``.

    ``label`` names the code in tracebacks and profiles: ``<thidua fast path cum4-2023>``.
    """
    scope: dict[str, Any] = dict(namespace)
    exec(compile("\n".join(lines), f"<{label}>", "exec"), scope)
    return scope[name]
