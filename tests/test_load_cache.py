"""The on-disk cache of checked rulesets (thidua_rules/check/cache.py): same rulesets, never trusted.

Every test points the cache at its own temporary directory (``THIDUA_RULES_CACHE_DIR``).
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from decimal import Decimal
from pathlib import Path

import pytest

import thidua_rules as tr
from thidua_rules.check import cache as loadcache
from thidua_rules.model import CheckedRuleset

REPO = Path(__file__).resolve().parent.parent
SHIPPED = sorted(path.stem for path in (REPO / "rulesets").glob("*.thidua"))
UNIT = json.loads((REPO / "examples" / "cum4-2023" / "bac-giang.json").read_text(encoding="utf-8"))

SMALL = """ruleset "nho" { total 10 }
fact a "Số văn bản": count
section A "Mục A" max 10 {
    criterion A.1 "Văn bản" max 10 {
        score min(2 * a, max)
    }
}
"""


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv("THIDUA_RULES_CACHE_DIR", str(where))
    monkeypatch.delenv("THIDUA_RULES_NO_CACHE", raising=False)
    return where


def entries(where: Path) -> list[Path]:
    return sorted(where.iterdir()) if where.exists() else []


def facts_of(unit: dict[str, object]) -> dict[str, object]:
    rounds = unit["rounds"]
    assert isinstance(rounds, dict)
    found = rounds["self"]["facts"]
    assert isinstance(found, dict)
    return found


def test_a_second_load_reads_the_model_back(cache: Path) -> None:
    first = tr.loads(SMALL, source="nho.thidua", cache=True)
    (entry,) = entries(cache)
    assert entry.name == loadcache.key(SMALL, "nho.thidua")
    assert isinstance(loadcache.get(SMALL, "nho.thidua"), CheckedRuleset)
    second = tr.loads(SMALL, source="nho.thidua", cache=True)
    # a = 3: 2 × 3 = 6 ≤ max 10; a = 7: 2 × 7 = 14, capped at 10
    assert first.evaluate({"a": 3}).total == second.evaluate({"a": 3}).total == Decimal(6)
    assert second.evaluate({"a": 7}).total == Decimal(10)
    assert second.to_dict() == first.to_dict()
    assert second.source.name == "nho.thidua"


@pytest.mark.parametrize("ident", SHIPPED)
def test_shipped_rulesets_are_the_same_from_the_cache(cache: Path, ident: str) -> None:
    path = REPO / "rulesets" / f"{ident}.thidua"
    fresh = tr.load(path, cache=False)
    assert entries(cache) == []
    tr.load(path)  # stores
    assert len(entries(cache)) == 1
    cached = tr.load(path)
    assert loadcache.get(fresh.source.text, str(path)) is not None
    assert cached.to_dict() == fresh.to_dict()
    assert [d.where + d.message for d in cached.warnings] == [d.where + d.message for d in fresh.warnings]
    assert cached.constants == fresh.constants
    assert cached.cohorts == fresh.cohorts
    if ident == "cum4-2023":
        facts = facts_of(UNIT)
        for trace in (False, True):
            assert cached.evaluate(facts, trace=trace).to_dict() == fresh.evaluate(facts, trace=trace).to_dict()


def test_errors_are_never_cached_and_read_the_same(cache: Path) -> None:
    bad = SMALL.replace("2 * a", "2 * b")
    messages = []
    for _ in range(2):
        with pytest.raises(tr.RulesetError) as caught:
            tr.loads(bad, source="nho.thidua", cache=True)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert "nho.thidua:5:" in messages[0]
    assert entries(cache) == []


def test_the_source_name_is_part_of_the_key(cache: Path) -> None:
    tr.loads(SMALL, source="mot.thidua", cache=True)
    other = tr.loads(SMALL, source="hai.thidua", cache=True)
    assert len(entries(cache)) == 2
    assert other.source.name == "hai.thidua"
    assert loadcache.key(SMALL, "mot.thidua") != loadcache.key(SMALL, "hai.thidua")
    assert loadcache.key(SMALL, "mot.thidua") != loadcache.key(SMALL + " ", "mot.thidua")


def test_loads_does_not_cache_unless_asked(cache: Path) -> None:
    tr.loads(SMALL, source="nho.thidua")
    assert entries(cache) == []


@pytest.mark.parametrize("variable", ["THIDUA_RULES_NO_CACHE", "THIDUA_RULES_CACHE_DIR"])
def test_the_cache_can_be_turned_off(cache: Path, monkeypatch: pytest.MonkeyPatch, variable: str) -> None:
    monkeypatch.setenv(variable, "1" if variable == "THIDUA_RULES_NO_CACHE" else "")
    assert loadcache.directory() is None
    assert tr.loads(SMALL, cache=True).evaluate({"a": 1}).total == Decimal(2)  # 2 × 1
    assert entries(cache) == []


def _stored(cache: Path) -> Path:
    tr.loads(SMALL, source="nho.thidua", cache=True)
    (entry,) = entries(cache)
    return entry


def _rewrite(entry: Path, payload: bytes) -> None:
    head = len(b"thidua-checked-1\n")
    data = entry.read_bytes()
    entry.write_bytes(data[:head] + hashlib.sha256(payload).digest() + payload)


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty", "header"])
def test_a_corrupt_entry_is_ignored_and_removed(cache: Path, damage: str) -> None:
    entry = _stored(cache)
    data = bytearray(entry.read_bytes())
    if damage == "flip":
        data[-10] ^= 0xFF
    elif damage == "truncate":
        del data[len(data) // 2:]
    elif damage == "empty":
        data.clear()
    else:
        data[:4] = b"XXXX"
    entry.write_bytes(bytes(data))
    assert loadcache.get(SMALL, "nho.thidua") is None
    assert not entry.exists()
    rs = tr.loads(SMALL, source="nho.thidua", cache=True)  # loaded from the text, stored again
    assert rs.evaluate({"a": 4}).total == Decimal(8)  # 2 × 4
    assert entry.exists()


class _Planted:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.remove, ("/nonexistent/planted",))


def test_a_planted_pickle_with_a_valid_digest_runs_nothing(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    entry = _stored(cache)
    planted = pickle.dumps(_Planted())
    called: list[object] = []
    monkeypatch.setattr(os, "remove", lambda *args: called.append(args))
    _rewrite(entry, planted)
    assert loadcache.get(SMALL, "nho.thidua") is None
    assert called == []


def test_a_valid_pickle_of_something_else_is_refused(cache: Path) -> None:
    entry = _stored(cache)
    _rewrite(entry, pickle.dumps({"not": "a model"}))
    assert loadcache.get(SMALL, "nho.thidua") is None
    _rewrite(_stored(cache), pickle.dumps(Decimal("1")))
    assert loadcache.get(SMALL, "nho.thidua") is None


def test_an_unwritable_cache_only_costs_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("THIDUA_RULES_CACHE_DIR", str(blocker / "cache"))
    assert tr.loads(SMALL, cache=True).evaluate({"a": 2}).total == Decimal(4)  # 2 × 2
    assert loadcache.get(SMALL, "<string>") is None


def test_old_entries_are_trimmed(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loadcache, "MAX_ENTRIES", 3)
    for points in range(1, 6):
        tr.loads(SMALL.replace("2 * a", f"{points} * a"), cache=True)
    assert len(entries(cache)) == 3


def test_a_ruleset_that_extends_another_is_never_cached(cache: Path, tmp_path: Path) -> None:
    base = tmp_path / "goc.thidua"
    base.write_text(SMALL, encoding="utf-8")
    child = tmp_path / "con.thidua"
    child.write_text('ruleset "con" {\n    extends "goc.thidua"\n}\n', encoding="utf-8")
    assert tr.load(child).evaluate({"a": 3}).total == Decimal(6)  # 2 × 3
    base.write_text(SMALL.replace("2 * a", "3 * a"), encoding="utf-8")
    assert tr.load(child).evaluate({"a": 3}).total == Decimal(9)  # the base changed: 3 × 3
    assert loadcache.get(child.read_text(encoding="utf-8"), str(child)) is None
    assert len(entries(cache)) == 0  # the child is not stored; the base was read by the child only
