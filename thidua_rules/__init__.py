"""thidua_rules: Vietnamese emulation (thi đua) scoring sheets as checked, explainable rules.

>>> import thidua_rules as tr
>>> rs = tr.rulesets.load("cum4-2023")           # doctest: +SKIP
>>> rs.evaluate({...}).total                      # doctest: +SKIP

Every type a public method returns or raises is importable from here.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .errors import Diagnostic as Diagnostic
from .errors import EvaluationError as EvaluationError
from .errors import ExtraNeededError as ExtraNeededError
from .errors import FactProblem as FactProblem
from .errors import FactsError as FactsError
from .errors import NotFoundError as NotFoundError
from .errors import OptionError as OptionError
from .errors import RulesetError as RulesetError
from .errors import ThiduaError as ThiduaError
from .errors import UnknownUnitError as UnknownUnitError

if TYPE_CHECKING:  # what the type checker sees; at run time each is imported when first read
    from .evaluation.result import SCHEMA_VERSION as SCHEMA_VERSION
    from .evaluation.result import NodeResult as NodeResult
    from .evaluation.result import Result as Result
    from .evaluation.result import Step as Step
    from .evaluation.result import UnknownCodeError as UnknownCodeError
    from .evaluation.runtime import parse_number as parse_number
    from .forms import Ranked as Ranked
    from .forms import error_text as error_text
    from .forms import explain as explain
    from .forms import rank_files as rank_files
    from .forms import read_form as read_form
    from .forms import read_units_csv as read_units_csv
    from .forms import render as render
    from .forms import render_diff as render_diff
    from .forms import render_standings as render_standings
    from .forms import write_standings_xlsx as write_standings_xlsx
    from .forms import write_template as write_template
    from .forms import write_xlsx as write_xlsx
    from .io import rulesets as rulesets
    from .io.cases import CaseFailure as CaseFailure
    from .io.cases import RulesetCase as RulesetCase
    from .io.cases import cases as ruleset_tests
    from .io.cases import run as run_ruleset_tests
    from .io.distributed import PartitionScorer as PartitionScorer
    from .io.distributed import score_partitions as score_partitions
    from .io.rulesets import Shipped as Shipped
    from .io.scaffold import scaffold as scaffold
    from .io.units import UnitFile as UnitFile
    from .io.units import read_unit as read_unit
    from .model import Award as Award
    from .model import Criterion as Criterion
    from .model import Derived as Derived
    from .model import FactSpec as FactSpec
    from .model import Group as Group
    from .model import Header as Header
    from .model import Round as Round
    from .numbers import plain as format_number
    from .reports.classify import Classification as Classification
    from .reports.classify import UnitClass as UnitClass
    from .reports.diff import Difference as Difference
    from .reports.diff import Impact as Impact
    from .reports.diff import RulesetDiff as RulesetDiff
    from .reports.diff import UnitImpact as UnitImpact
    from .reports.ranking import PassedOver as PassedOver
    from .reports.ranking import Placed as Placed
    from .reports.ranking import Ranking as Ranking
    from .reports.ranking import Standing as Standing
    from .reports.ranking import Standings as Standings
    from .reports.rollup import RolledNode as RolledNode
    from .reports.rollup import Rollup as Rollup
    from .reports.submission import Row as Row
    from .reports.submission import Submission as Submission
    from .ruleset import Ruleset as Ruleset
    from .ruleset import diff as diff
    from .ruleset import format_ruleset as format_ruleset
    from .ruleset import impact as impact
    from .ruleset import load as load
    from .ruleset import loads as loads
    from .source import Span as Span

#: Every other public name: (module, attribute), imported when first read (PEP 562), so that
#: ``import thidua_rules`` stays cheap and the language, the checks and lark load with a ruleset.
_LAZY: dict[str, tuple[str, str]] = {
    "SCHEMA_VERSION": (".evaluation.result", "SCHEMA_VERSION"),
    "NodeResult": (".evaluation.result", "NodeResult"),
    "Result": (".evaluation.result", "Result"),
    "Step": (".evaluation.result", "Step"),
    "UnknownCodeError": (".evaluation.result", "UnknownCodeError"),
    "parse_number": (".evaluation.runtime", "parse_number"),
    "Ranked": (".forms", "Ranked"),
    "error_text": (".forms", "error_text"),
    "explain": (".forms", "explain"),
    "rank_files": (".forms", "rank_files"),
    "read_form": (".forms", "read_form"),
    "read_units_csv": (".forms", "read_units_csv"),
    "render": (".forms", "render"),
    "render_diff": (".forms", "render_diff"),
    "render_standings": (".forms", "render_standings"),
    "write_standings_xlsx": (".forms", "write_standings_xlsx"),
    "write_template": (".forms", "write_template"),
    "write_xlsx": (".forms", "write_xlsx"),
    "rulesets": (".io", "rulesets"),
    "CaseFailure": (".io.cases", "CaseFailure"),
    "PartitionScorer": (".io.distributed", "PartitionScorer"),
    "score_partitions": (".io.distributed", "score_partitions"),
    "RulesetCase": (".io.cases", "RulesetCase"),
    "ruleset_tests": (".io.cases", "cases"),
    "run_ruleset_tests": (".io.cases", "run"),
    "Shipped": (".io.rulesets", "Shipped"),
    "scaffold": (".io.scaffold", "scaffold"),
    "UnitFile": (".io.units", "UnitFile"),
    "read_unit": (".io.units", "read_unit"),
    "Award": (".model", "Award"),
    "Criterion": (".model", "Criterion"),
    "Derived": (".model", "Derived"),
    "FactSpec": (".model", "FactSpec"),
    "Group": (".model", "Group"),
    "Header": (".model", "Header"),
    "Round": (".model", "Round"),
    "format_number": (".numbers", "plain"),
    "Classification": (".reports.classify", "Classification"),
    "UnitClass": (".reports.classify", "UnitClass"),
    "Difference": (".reports.diff", "Difference"),
    "Impact": (".reports.diff", "Impact"),
    "RulesetDiff": (".reports.diff", "RulesetDiff"),
    "UnitImpact": (".reports.diff", "UnitImpact"),
    "PassedOver": (".reports.ranking", "PassedOver"),
    "Placed": (".reports.ranking", "Placed"),
    "Ranking": (".reports.ranking", "Ranking"),
    "Standing": (".reports.ranking", "Standing"),
    "Standings": (".reports.ranking", "Standings"),
    "RolledNode": (".reports.rollup", "RolledNode"),
    "Rollup": (".reports.rollup", "Rollup"),
    "Row": (".reports.submission", "Row"),
    "Submission": (".reports.submission", "Submission"),
    "Ruleset": (".ruleset", "Ruleset"),
    "diff": (".ruleset", "diff"),
    "format_ruleset": (".ruleset", "format_ruleset"),
    "impact": (".ruleset", "impact"),
    "load": (".ruleset", "load"),
    "loads": (".ruleset", "loads"),
    "Span": (".source", "Span"),
}


def __getattr__(name: str) -> Any:
    where = _LAZY.get(name)
    if where is None:
        raise AttributeError(f"module 'thidua_rules' has no attribute {name!r}")
    module, attribute = where
    found = import_module(module, __name__)
    # ``rulesets`` is a submodule (of ``io``): imported by name, not read as an attribute.
    value = getattr(found, attribute) if hasattr(found, attribute) else import_module(f"{module}.{attribute}", __name__)
    globals()[name] = value  # read once: the next read is a plain module attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "SCHEMA_VERSION",
    "Award",
    "CaseFailure",
    "Classification",
    "Criterion",
    "Derived",
    "Diagnostic",
    "Difference",
    "EvaluationError",
    "ExtraNeededError",
    "FactProblem",
    "FactSpec",
    "FactsError",
    "Group",
    "Header",
    "Impact",
    "NodeResult",
    "NotFoundError",
    "OptionError",
    "PartitionScorer",
    "PassedOver",
    "Placed",
    "Ranked",
    "Ranking",
    "Result",
    "RolledNode",
    "Rollup",
    "Round",
    "Row",
    "Ruleset",
    "RulesetCase",
    "RulesetDiff",
    "RulesetError",
    "Shipped",
    "Span",
    "Standing",
    "Standings",
    "Step",
    "Submission",
    "ThiduaError",
    "UnitClass",
    "UnitFile",
    "UnitImpact",
    "UnknownCodeError",
    "UnknownUnitError",
    "diff",
    "error_text",
    "explain",
    "format_number",
    "format_ruleset",
    "impact",
    "load",
    "loads",
    "parse_number",
    "rank_files",
    "read_form",
    "read_unit",
    "read_units_csv",
    "render",
    "render_diff",
    "render_standings",
    "ruleset_tests",
    "rulesets",
    "run_ruleset_tests",
    "scaffold",
    "score_partitions",
    "write_standings_xlsx",
    "write_template",
    "write_xlsx",
]
__version__ = "0.1.0"
