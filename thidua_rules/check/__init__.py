"""The checks: syntax nodes to the frozen checked model, every problem collected.

Each pass is a plain function over the ``Checker`` state, in its own module, run in the order
of ``PASSES``. No pass evaluates a rule; they read the nodes and record what evaluation needs.
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import RulesetError
from ..language import nodes as n
from ..model import CheckedRuleset
from .build import build
from .classify import check_classify
from .cohort_order import check_cohort_order
from .declarations import check_declarations
from .formulas import check_formulas
from .header import check_header
from .locals import check_locals
from .ranking import check_ranking
from .reads import check_reads
from .required import check_required
from .rollup import check_rollup
from .state import Checker
from .sums import check_sums
from .tree import check_tree, check_variants
from .types import check_types

PASSES: tuple[Callable[[Checker], None], ...] = (
    check_header,
    check_locals,
    check_declarations,
    check_variants,
    check_tree,
    check_formulas,
    check_types,
    check_reads,
    check_sums,
    check_ranking,
    check_rollup,
    check_classify,
    check_cohort_order,
    check_required,
)


def check(tree: n.RulesetDecl) -> CheckedRuleset:
    """Run every pass over ``tree`` and build the frozen model; ``RulesetError`` with every
    diagnostic when any is an error."""
    checked = Checker(tree)
    for check_pass in PASSES:
        check_pass(checked)
    if checked.failed:
        raise RulesetError(checked.diagnostics)
    return build(checked)
