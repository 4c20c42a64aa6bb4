"""The grammar and the shipped rulesets load from an installed wheel, not only from a checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from conftest import REPO

SCRIPT = """
import json, thidua_rules as tr
from thidua_rules import rulesets as shipped
assert "site-packages" in tr.__file__, tr.__file__
rs = tr.loads('ruleset "w" { total 5 } fact n "n": count section S "S" max 5 { criterion S.1 "c" max 5 { score n } }')
print(json.dumps({
    "score": str(rs.evaluate({"n": 3})["S.1"].score),
    "shipped": [s.id for s in shipped.available()],
    "cum4_total": str(shipped.load("cum4-2023").total),
}))
"""


@pytest.mark.skipif(os.environ.get("THIDUA_SKIP_WHEEL") == "1", reason="THIDUA_SKIP_WHEEL=1")
def test_wheel_installs_and_parses_in_a_fresh_venv(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(REPO)],
        check=True, cwd=tmp_path,
    )
    wheels = list(dist.glob("thidua_rules-*.whl"))
    assert len(wheels) == 1
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheels[0])], check=True, cwd=tmp_path)
    out = subprocess.run(
        [str(python), "-c", SCRIPT], check=True, cwd=tmp_path, capture_output=True, text=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )
    import json

    data = json.loads(out.stdout)
    assert data["score"] == "3"  # n = 3 points, under the max 5
    assert data["shipped"] == ["cum4-2023", "vpubnd-tayninh-2023"]
    assert data["cum4_total"] == "100"
