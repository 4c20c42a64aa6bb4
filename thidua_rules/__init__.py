"""thidua_rules: Vietnamese emulation (thi đua) scoring sheets as checked, explainable rules.

>>> import thidua_rules as tr
>>> rs = tr.rulesets.load("cum4-2023")           # doctest: +SKIP
>>> rs.evaluate({...}).total                      # doctest: +SKIP
"""

from __future__ import annotations

from .errors import Diagnostic as Diagnostic
from .errors import EvaluationError as EvaluationError
from .errors import FactProblem as FactProblem
from .errors import FactsError as FactsError
from .errors import OptionError as OptionError
from .errors import RulesetError as RulesetError
from .errors import ThiduaError as ThiduaError
from .evaluation.result import NodeResult as NodeResult
from .evaluation.result import Result as Result
from .evaluation.result import Step as Step
from .evaluation.runtime import parse_number as parse_number
from .io import rulesets as rulesets
from .model import Criterion as Criterion
from .model import FactSpec as FactSpec
from .model import Group as Group
from .ruleset import Ruleset as Ruleset
from .ruleset import load as load
from .ruleset import loads as loads

__all__ = [
    "Criterion",
    "Diagnostic",
    "EvaluationError",
    "FactProblem",
    "FactSpec",
    "FactsError",
    "Group",
    "NodeResult",
    "OptionError",
    "Result",
    "Ruleset",
    "RulesetError",
    "Step",
    "ThiduaError",
    "load",
    "loads",
    "parse_number",
    "rulesets",
]
__version__ = "0.1.0"
