"""Pass 9: cohort aggregates of other units' scores: where they may be read, and the order in
which they are computed, with the cycle that forbids one (issue 13, item 15).

``cohort min(score(II) where cap_don_vi = "trực thuộc")`` reads every unit's score of ``II``, so
it can only be known once ``II`` is scored for every unit. A criterion reading it must not lie
under ``II`` (its own score would take part in the aggregate), directly or through a chain of
such aggregates; those are reported as cycles. Otherwise each aggregate gets a level: 0 when the
scores it reads depend on no such aggregate, else one more than the highest level they read.
"""

from __future__ import annotations

from ..language import nodes as n
from ..source import fold
from .state import Checker


def reads_scores(cohort: n.Cohort) -> bool:
    """Whether an aggregate reads units' scores (``score(CODE)`` or ``total``)."""
    parts = [p for p in (cohort.arg, cohort.where) if p is not None]
    return any(isinstance(x, n.ScoreRef | n.TotalRef) for part in parts for x in n.walk(part))


def check_cohort_order(c: Checker) -> None:
    scored = {key: node for key, node in c.cohorts.items() if reads_scores(node)}
    if not scored:
        return
    for where, exprs in (("a derived value", [d.expr for d in c.lets.values()]),
                         ("an applicability condition", list(c.applicability.values()))):
        for expr in exprs:
            for node in n.walk(expr):
                if isinstance(node, n.Cohort) and node.key in scored:
                    c.error(f"a cohort aggregate of scores cannot be read in {where}", node.span,
                            "read it in a criterion's score rule, a ranking, an award or a classification")
    canonical = {fold(code): code for code in [*c.criteria, *c.groups]}

    def under(code: str) -> set[str]:
        """The criteria at or under ``code``."""
        if code in c.criteria:
            return {code}
        found: set[str] = set()
        for child in c.groups[code].children if code in c.groups else ():
            found |= under(child)
        return found

    reads: dict[str, set[str]] = {}  # aggregate -> the criteria whose scores it takes in
    for key, node in scored.items():
        codes: set[str] = set()
        for part in (node.arg, node.where):
            for x in n.walk(part) if part is not None else ():
                if isinstance(x, n.TotalRef):
                    codes |= {crit for root in c.roots for crit in under(root)}
                elif isinstance(x, n.ScoreRef) and fold(x.code) in canonical:
                    codes |= under(canonical[fold(x.code)])
        reads[key] = codes
    readers: dict[str, set[str]] = {}  # criterion -> the aggregates of scores its rule reads
    for key in scored:
        for user in c.cohort_users.get(key, set()):
            if user is not None:
                readers.setdefault(user, set()).add(key)
    levels: dict[str, int] = {}
    state: dict[str, int] = {}  # 1: being ordered, 2: done

    def level(key: str, path: list[str]) -> int | None:
        if state.get(key) == 2:
            return levels.get(key)
        if state.get(key) == 1:
            return None  # reported where the cycle closes
        state[key] = 1
        best = 0
        for criterion in sorted(reads[key] & set(readers)):
            for inner in sorted(readers[criterion]):
                if inner in path or inner == key:
                    chain = ""
                    if inner in path:  # through other aggregates: name the chain
                        chain = " (" + " -> ".join([*path[path.index(inner):], key, inner]) + ")"
                    c.error(f"criterion {criterion} reads the cohort aggregate {inner}, which takes in the "
                            f"score of {criterion} itself{chain}", scored[inner].span,
                            "aggregate a part of the sheet that does not contain the criterion reading it")
                    state[key] = 2
                    return None
                got = level(inner, [*path, key])
                if got is None:
                    state[key] = 2
                    return None
                best = max(best, got + 1)
        state[key] = 2
        levels[key] = best
        return best

    for key in scored:
        level(key, [])
    c.cohort_levels = levels
