"""Pass 9: cohort aggregates of other units' scores: where they may be read, what they read,
and the cycles that forbid one (issue 13, item 15).

``cohort min(total where cap = "trực thuộc")`` reads the total of every subordinate unit, so it
can only be known once those units are scored. Evaluation (``reports.cohort``) computes such
aggregates in the order the units allow; here the checker records, for each, the criteria whose
scores it reads, and refuses what can never be ordered: a criterion reading an aggregate without
``where`` that takes in its own score (the units that take part are then exactly those the
criterion applies to), directly or through a chain of such aggregates. With ``where``, whether
a unit both takes part and reads the aggregate depends on its facts: evaluation reports it.
"""

from __future__ import annotations

from ..language import nodes as n
from ..source import fold
from .state import Checker


def reads_scores(cohort: n.Cohort) -> bool:
    """Whether an aggregate reads units' results: their scores (``score(CODE)``, ``total``) or
    their levels (``class(NAME)``, which the classification gives from their scores)."""
    parts = [p for p in (cohort.arg, cohort.where) if p is not None]
    return any(isinstance(x, n.ScoreRef | n.TotalRef | n.ClassRef) for part in parts for x in n.walk(part))


def _class_exprs(decl: n.ClassifyDecl) -> list[n.Expr]:
    """What a classification reads of a unit: its number, its bands' and requirements' conditions."""
    exprs = [decl.subject] if decl.subject is not None else []
    exprs += [when.condition for when in decl.whens]
    return exprs + [rule.condition for rule in decl.rules if rule.condition is not None]


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

    def criteria_read(part: n.Expr | None) -> frozenset[str]:
        codes: set[str] = set()
        for x in n.walk(part) if part is not None else ():
            if isinstance(x, n.TotalRef):
                codes |= {crit for root in c.roots for crit in under(root)}
            elif isinstance(x, n.ScoreRef) and fold(x.code) in canonical:
                codes |= under(canonical[fold(x.code)])
        return frozenset(codes)

    everything = frozenset(crit for root in c.roots for crit in under(root))
    levels_read: dict[str, frozenset[str]] = {}  # classification -> the criteria a unit's level reads
    for decl, _labels in c.classifications:
        if any(decl.name in names for names in c.cohort_levels.values()):
            exprs = _class_exprs(decl)
            found: frozenset[str] = frozenset().union(*(criteria_read(e) for e in exprs))
            if any(isinstance(x, n.PercentageRef) for e in exprs for x in n.walk(e)):
                found = everything
            levels_read[decl.name] = found
            c.class_cohorts[decl.name] = frozenset(x.key for e in exprs for x in n.walk(e) if isinstance(x, n.Cohort))

    def levels(part: n.Expr | None) -> frozenset[str]:
        """The criteria the levels read in ``part`` depend on, for the units that take part."""
        names = {x.name for x in n.walk(part) if isinstance(x, n.ClassRef)} if part is not None else set()
        return frozenset().union(*(levels_read.get(name, frozenset()) for name in names))

    def quota(node: n.Cohort) -> frozenset[str]:
        """A quota follows the ranking of every unit given: each one's level reads every score."""
        names = {x.name for part in (node.arg, node.where) if part is not None
                 for x in n.walk(part) if isinstance(x, n.ClassRef)}
        has_quota = any(rule.kind == "quota" for decl, _ in c.classifications if decl.name in names
                        for rule in decl.rules)
        return everything if has_quota else frozenset()

    reads = {key: (criteria_read(node.arg) | levels(node.arg),
                   criteria_read(node.where) | levels(node.where) | quota(node))
             for key, node in scored.items()}
    c.cohort_scores = reads
    readers: dict[str, set[str]] = {}  # criterion -> the aggregates of scores its rule reads
    for key in scored:
        for user in c.cohort_users.get(key, set()):
            if user is not None:
                readers.setdefault(user, set()).add(key)
    # Definite cycles: through aggregates without "where" only.
    plain = {key for key, node in scored.items() if node.where is None}
    edges = {key: sorted({inner for crit in reads[key][0] for inner in readers.get(crit, ()) if inner in plain})
             for key in plain}
    done: set[str] = set()
    for start in sorted(plain):
        path: list[str] = []
        _cycles(c, start, edges, path, done, scored, reads, readers)


def _cycles(c: Checker, key: str, edges: dict[str, list[str]], path: list[str], done: set[str],
            scored: dict[str, n.Cohort], reads: dict[str, tuple[frozenset[str], frozenset[str]]],
            readers: dict[str, set[str]]) -> None:
    """Depth first along 'an aggregate reads a criterion that reads an aggregate'; report once."""
    if key in done:
        return
    path.append(key)
    for inner in edges[key]:
        if inner in path:
            criterion = sorted(crit for crit in reads[key][0] if inner in readers.get(crit, ()))[0]
            cycle = path[path.index(inner):]
            chain = f" ({' -> '.join([*cycle, inner])})" if len(cycle) > 1 else ""
            names = c.cohort_levels.get(inner, ())
            through = (f"the levels of classification {', '.join(names)}, which read the " if names
                       else "the ")
            c.error(f"criterion {criterion} reads the cohort aggregate {inner}, which takes in "
                    f"{through}score of {criterion} itself{chain}", scored[inner].span,
                    "aggregate a part of the sheet that does not contain the criterion reading it, "
                    "or pick the units it is over with where …")
            done.update(cycle)
            continue
        _cycles(c, inner, edges, path, done, scored, reads, readers)
    path.pop()
    done.add(key)
