"""The compact path of ``evaluate_many(processes=N)`` (reports/parallel.py): units out as tuples
(or, forked, read by the workers from the caller's list), totals back as a few ints or a text,
Results rebuilt in the parent, all equal to one process's; a worker that dies is an error."""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from decimal import Decimal as D
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import thidua_rules as tr
from thidua_rules import rulesets
from thidua_rules.evaluation.result import Result
from thidua_rules.reports import parallel
from thidua_rules.reports.parallel import fact_names, pack, result_of, totals_text, unpack
from thidua_rules.testing import facts

RS = rulesets.load("cum4-2023")
NAMES = fact_names(RS.evaluator)


def _same(a: object, b: object) -> bool:
    """Equal, of the same type, and for Decimals of the same digits (1.50 is not 1.5 here)."""
    return type(a) is type(b) and (str(a) == str(b) if isinstance(a, D) else a == b)


def _unit(**changes: Any) -> dict[str, Any]:
    unit: dict[str, Any] = {name: 0 for name, spec in RS.facts.items() if spec.kind == "count"}
    unit.update(hang_dti=15, hang_dti_ky_truoc=15, hang_cchc=3, dan_chu_tot=True, van_hoa_dat_chuan=True,
                thi_dua_tot=True, co_dien_hinh=False, co_sang_kien=False, xep_loai_dang="hoàn thành",
                xep_loai_doan="xuất sắc")
    unit.update({code: D(1) for code, spec in RS.facts.items() if spec.kind == "assessed"})
    unit.update(changes)
    return unit


@given(facts(RS), st.sampled_from([D("1.50"), D("0.250"), D("3"), "2,5", 1.5, True, None, ..., "văn bản"]))
def test_pack_then_unpack_gives_the_unit_back(unit: dict[str, Any], odd: object) -> None:
    for sample in (unit, {**unit, "I.1": odd}, {k: v for k, v in unit.items() if k != "hang_dti"}):
        back = unpack(NAMES, pack(NAMES, sample))
        assert set(back) == set(sample)
        assert all(_same(back[name], value) for name, value in sample.items())


def test_pack_sends_other_mappings_and_undeclared_names_as_they_are() -> None:
    odd = OrderedDict(_unit())
    assert pack(NAMES, odd) is odd
    extra = {**_unit(), "khong_co": 1}
    assert pack(NAMES, extra) is extra
    # 28 facts declared: 9 counts, 9 judged scores, 5 booleans, 3 ranks, 2 scales. This unit
    # leaves out II.2 and II.5 (judged only when there were violations) and gives 7 judged scores.
    unit = {k: v for k, v in _unit().items() if k not in ("II.2", "II.5")}
    packed = pack(NAMES, unit)
    assert isinstance(packed, tuple)
    values, absent, decimals = packed
    assert len(values) == len(NAMES) == 28
    assert sorted(NAMES[i] for i in absent) == ["II.2", "II.5"]
    assert len(decimals) == 7 and all(values[i] == "1" for i in decimals)
    # every declared fact given (the short path): nothing absent, the 9 judged scores as text
    full = _unit(**{"II.2": D("0.50"), "II.5": D(2)})
    values, absent, decimals = pack(NAMES, full)  # type: ignore[misc]
    assert absent == () and len(decimals) == 9
    back = unpack(NAMES, (values, absent, decimals))
    assert set(back) == set(full) and all(_same(back[k], v) for k, v in full.items())


def test_a_rebuilt_result_equals_one_process() -> None:
    unit = _unit()
    text = totals_text(RS.evaluator, unit)
    assert text is not None
    rebuilt = result_of(RS.evaluator, text, unit)
    alone = RS.evaluate(unit, trace=False)
    assert rebuilt == alone and rebuilt.to_dict() == alone.to_dict()
    # By hand (tests/test_batch.py): I 2 + II 29 + III 8 + IV 7 + V 3 + VI 0 + VII 0 = 49
    # (the judged scores here are 1 each, as there).
    assert rebuilt.total == D(49)
    assert rebuilt.standard == alone.standard and str(rebuilt.standard) == str(alone.standard)


def test_of_tidy_totals_builds_what_the_constructor_builds() -> None:
    made = Result.of_tidy_totals("x", {}, ("A",), (D("12.5"), D(1), D(0), D("-0.5"), D(20)), {"a": 1}, 2)
    plain = Result(ruleset="x", nodes={}, sections=("A",), standard=D("12.50"), bonus=D("1.0"), deductions=D(0),
                   applicable_max=D("20"), facts={"a": 1}, cohort={}, places=2, adjustment=D("-0.5"))
    assert made == plain
    assert made.total == D(13)  # 12.5 + 1 - 0 - 0.5
    assert made.percentage == D("65.00")  # 13 / 20 = 65 %


def test_a_unit_the_worker_cannot_score_is_scored_in_the_parent() -> None:
    bad = _unit(hang_dti="ba")
    assert totals_text(RS.evaluator, bad) is None
    assert totals_text(RS.evaluator, {**_unit(), "khong_co": 1}) is None


def test_two_processes_equal_one_for_every_kind_of_unit() -> None:
    units: list[Any] = [
        _unit(),
        _unit(**{"I.1": D("2.50"), "V.2": D("4.75")}),  # trailing zeros kept
        OrderedDict(_unit(so_khien_trach=1)),  # not a dict: sent as it is
        {k: v for k, v in _unit().items() if k != "so_canh_cao"},  # a required fact missing
        _unit(khong_co=1),  # an unknown name
        _unit(hang_dti="ba"),  # a bad value
        _unit(so_van_ban_tham_muu="7"),  # a number as text
    ]

    def outcome(results: Any) -> list[Any]:
        out: list[Any] = []
        while True:
            try:
                out.append(next(results).to_dict())
            except StopIteration:
                return out
            except tr.FactsError as error:
                out.append(("FactsError", str(error)))
                return out

    for index in range(len(units)):
        sample = units[index:] + units[:index]
        assert outcome(RS.evaluate_many(sample, processes=2, batch=2)) == outcome(RS.evaluate_many(sample))


def _spread(rs: tr.Ruleset, sample: list[Any], how: str, trace: bool, monkeypatch: pytest.MonkeyPatch,
            batch: int = 5) -> list[dict[str, Any]]:
    """``sample`` scored over 2 processes: forked reading the caller's list, forked from a stream
    of units sent packed, or spawned (as on macOS and Windows, or with threads running)."""
    if how == "spawned":
        monkeypatch.setattr(parallel, "forking", lambda: False)
    units = iter(sample) if how == "forked stream" else sample
    return [r.to_dict() for r in rs.evaluate_many(units, processes=2, batch=batch, trace=trace)]


@pytest.mark.parametrize(("how", "trace"), [("forked list", False), ("forked list", True),
                                            ("forked stream", False), ("spawned", False), ("spawned", True)])
def test_many_generated_units_over_two_processes(how: str, trace: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    sample: list[dict[str, Any]] = []

    @given(facts(RS))
    def draw(unit: dict[str, Any]) -> None:
        sample.append(unit)

    draw()
    alone = [r.to_dict() for r in RS.evaluate_many(sample, trace=trace)]
    assert _spread(RS, sample, how, trace, monkeypatch) == alone


#: A ruleset off the scaled path (a division): its workers send the Decimal path's totals text
#: untraced, and whole Results traced.
DIVIDING = tr.loads(
    'ruleset "chia" { total 10 }\nfact dat "Số chỉ tiêu đạt": count\nfact tong "Số chỉ tiêu": count 1..\n'
    'section I "Chỉ tiêu" max 10 { criterion I.1 "Tỷ lệ đạt" max 10 { score 10 * dat / tong } }'
)


@pytest.mark.parametrize("how", ["forked list", "spawned"])
@pytest.mark.parametrize("trace", [False, True])
def test_a_ruleset_off_the_scaled_path_over_two_processes(how: str, trace: bool,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    assert DIVIDING.evaluator.scaled is None  # division: the Decimal path
    sample = [{"dat": d, "tong": 3} for d in range(4)] + [{"dat": 1, "tong": 0}]
    got = _spread(DIVIDING, sample[:4], how, trace, monkeypatch, batch=1)
    # 10 × 0/3 = 0; 10 × 1/3 = 3.333… rounded half up to 2 places: 3.33; 10 × 2/3 = 6.67; 10 × 3/3 = 10.
    assert [r["total"] for r in got] == ["0", "3.33", "6.67", "10"]
    assert got == [r.to_dict() for r in DIVIDING.evaluate_many(sample[:4], trace=trace)]
    with pytest.raises(tr.FactsError, match="tong"):  # 0 is below the fact's bound: the worker's unit is rescored here
        _spread(DIVIDING, sample, how, trace, monkeypatch, batch=1)


class _DiesInAWorker(Mapping[str, Any]):
    """A unit that ends the process reading it, unless it is the test's own process (a worker
    killed by the system, or out of memory, looks the same to the pool)."""

    parent = os.getpid()

    def __init__(self, facts: dict[str, Any]) -> None:
        self.facts = facts

    def _read(self) -> dict[str, Any]:
        if os.getpid() != self.parent:
            os._exit(3)
        return self.facts

    def __getitem__(self, key: str) -> Any:
        return self._read()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._read())

    def __len__(self) -> int:
        return len(self._read())


def test_a_worker_that_dies_is_a_library_error_not_a_hang() -> None:
    units: list[Any] = [_unit(), _DiesInAWorker(_unit()), _unit()]
    with pytest.raises(tr.EvaluationError, match="a worker process stopped before it finished"):
        list(RS.evaluate_many(units, processes=2, batch=1))
