"""Units read and scored in the worker processes (io/distributed.evaluate_sources): the same
Results as one process, in order, errors as one process raises them."""

from __future__ import annotations

import json
import pickle
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

import thidua_rules as tr
from thidua_rules import rulesets
from thidua_rules.io.distributed import evaluate_sources

RS = rulesets.load("cum4-2023")


def _unit(**changes: Any) -> dict[str, Any]:
    unit: dict[str, Any] = {name: 0 for name, spec in RS.facts.items() if spec.kind == "count"}
    unit.update(hang_dti=15, hang_dti_ky_truoc=15, hang_cchc=3, dan_chu_tot=True, van_hoa_dat_chuan=True,
                thi_dua_tot=True, co_dien_hinh=False, co_sang_kien=False, xep_loai_dang="hoàn thành",
                xep_loai_doan="xuất sắc")
    unit.update({code: 1 for code, spec in RS.facts.items() if spec.kind == "assessed"})
    unit.update(changes)
    return unit


def read_json_lines(path: str) -> list[dict[str, Any]]:
    """One unit per line; judged scores written as text become Decimals (as a reader would)."""
    units = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        unit = json.loads(line)
        units.append({k: D(v) if isinstance(v, str) and k[:1].isupper() else v for k, v in unit.items()})
    return units


def _files(tmp_path: Path, groups: list[list[dict[str, Any]]]) -> list[str]:
    paths = []
    for index, group in enumerate(groups):
        path = tmp_path / f"units-{index}.jsonl"
        path.write_text("".join(json.dumps({k: str(v) if isinstance(v, D) else v for k, v in u.items()},
                                           ensure_ascii=False) + "\n" for u in group), encoding="utf-8")
        paths.append(str(path))
    return paths


def test_units_read_in_the_workers_score_as_in_one_process(tmp_path: Path) -> None:
    groups = [
        [_unit(), _unit(so_khien_trach=1), _unit(**{"I.1": D("2.50")})],
        [],
        [_unit(so_van_ban_tham_muu=3, hang_dti=40)],
        [_unit(co_sang_kien=True), _unit()],
    ]
    paths = _files(tmp_path, groups)
    got = list(evaluate_sources(RS, paths, read_json_lines, processes=2))
    alone = [RS.evaluate(u, trace=False) for path in paths for u in read_json_lines(path)]
    assert [r.to_dict() for r in got] == [r.to_dict() for r in alone]
    assert got == alone
    # By hand (tests/test_batch.py): 2 + 29 + 8 + 7 + 3 = 49
    assert got[0].total == D(49)
    assert pickle.loads(pickle.dumps(got[2])).to_dict() == alone[2].to_dict()
    assert str(got[2].facts["I.1"]) == "2.50"


def test_a_bad_unit_read_in_a_worker_raises_as_one_process_does(tmp_path: Path) -> None:
    paths = _files(tmp_path, [[_unit()], [_unit(hang_dti="ba")], [_unit()]])
    got = evaluate_sources(RS, paths, read_json_lines, processes=2)
    assert next(got).total == D(49)
    with pytest.raises(tr.FactsError) as caught:
        next(got)
    with pytest.raises(tr.FactsError) as alone:
        RS.evaluate(_unit(hang_dti="ba"), trace=False)
    assert str(caught.value) == str(alone.value)


def test_evaluate_sources_checks_its_options() -> None:
    with pytest.raises(tr.OptionError, match="Expected a positive int for processes, got 0"):
        evaluate_sources(RS, [], read_json_lines, processes=0)
    with pytest.raises(tr.OptionError, match="Expected a Ruleset"):
        evaluate_sources("cum4-2023", [], read_json_lines)  # type: ignore[arg-type]
    with pytest.raises(tr.OptionError, match="for read"):
        evaluate_sources(RS, [], "read")  # type: ignore[arg-type]
    with pytest.raises(tr.OptionError, match="iterable of sources"):
        evaluate_sources(RS, "units.jsonl", read_json_lines)
