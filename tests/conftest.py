"""Shared test setup: paths, and the hypothesis profiles (CI bounded, nightly larger)."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, settings

from thidua_rules import Diagnostic
from thidua_rules.check import PASSES
from thidua_rules.check.state import Checker
from thidua_rules.language.parser import parse
from thidua_rules.language.transformer import to_nodes
from thidua_rules.source import Source

REPO = Path(__file__).resolve().parent.parent

# The suite loads rulesets through the on-disk cache of checked rulesets (check/cache.py), as users
# do, but in a directory of its own: a test run never writes to the user's ~/.cache.
if "THIDUA_RULES_CACHE_DIR" not in os.environ:
    os.environ["THIDUA_RULES_CACHE_DIR"] = _cache = tempfile.mkdtemp(prefix="thidua-test-cache-")
    atexit.register(shutil.rmtree, _cache, True)  # only the process that made it (xdist's workers inherit it)

settings.register_profile(
    "ci", max_examples=60, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "nightly", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("THIDUA_HYPOTHESIS_PROFILE", "ci"))


def run_pass(check_pass: Callable[[Checker], None], text: str) -> tuple[Checker, list[Diagnostic]]:
    """Parse ``text``, run the passes of ``PASSES`` before ``check_pass``, then ``check_pass``: the
    state after it, and the diagnostics that pass alone reported (for tests/test_check_*.py)."""
    src = Source("<t>", text)
    c = Checker(to_nodes(parse(src), src))
    position = PASSES.index(check_pass)
    for earlier in PASSES[:position]:
        earlier(c)
    before = len(c.diagnostics)
    check_pass(c)
    return c, c.diagnostics[before:]


def reported(found: list[Diagnostic]) -> list[tuple[str, str]]:
    """Severity and message of each diagnostic, for exact comparisons."""
    return [(d.severity, d.message) for d in found]
