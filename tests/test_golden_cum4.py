"""Golden values for the cum4-2023 ruleset: seven illustrative units of Cụm Thi đua số 4.

Every expected number below was worked out BY HAND from the source document, letter
1956/CTĐS4-STTTTTN of 19/07/2023 (tests/seeds/000_b93d6200b07857a3.txt), and the unit's facts in
examples/cum4-2023/*.json -- not copied from the engine. The arithmetic is in the comment next to
each value.

Where the document is silent, the ruleset records an assumption and these values follow it:
  * II.5 (no violating postal/telecom business): no violating business -> max 5, otherwise the
    advisory group's judged score ("assume" line of II.5);
  * IV.3 (CCHC rank: Top 5 3đ; Top 10 2đ; Top 15 1đ): a rank outside the Top 15 scores 0
    ("assume" line of IV.3).

Rules read from the document (column (3) is the max; every criterion is kept in [0, max]):
  I.2, I.4  2 points each, capped at 10          II.1  10 - 5 per violation, floored at 0
  II.2      no violation to handle -> 5, else judged       II.4  DTI rank ≤10: 10, ≤20: 8, ≤30: 6, >30: 2
  III.1/4   2 or 0      III.2/3  xuất sắc 3, hoàn thành tốt 2, hoàn thành 1, không hoàn thành 0
  IV.1      3 (done well) + 2 (advanced models)        VI.1  2 if recognised, VI.2  3 if DTI rose ≥ 5 places
  VII.1     5 per reprimand + 10 per warning            VII.2 5 per missed conference + 2 per wrong delegate
  total = sections I–V (standard, 95) + VI (bonus, 5) - VII (deductions)
"""

from __future__ import annotations

import json
import unicodedata
from decimal import Decimal as D
from pathlib import Path

import pytest

import thidua_rules as tr
from thidua_rules.io.units import read_unit

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "cum4-2023"
QUOTE = "không vượt quá số điểm tối đa quy định"

SLUGS = {
    "Sở TTTT Thái Nguyên": "thai-nguyen",
    "Sở TTTT Hòa Bình": "hoa-binh",
    "Sở TTTT Phú Thọ": "phu-tho",
    "Sở TTTT Tuyên Quang": "tuyen-quang",
    "Sở TTTT Yên Bái": "yen-bai",
    "Sở TTTT Bắc Kạn": "bac-kan",
    "Sở TTTT Bắc Giang": "bac-giang",
}

# ---------------------------------------------------------------- appraised round, by hand

APPRAISED: dict[str, dict[str, D]] = {
    "Sở TTTT Thái Nguyên": {
        "I.1": D("5"),  # judged 5 (max 5)
        "I.2": D("10"),  # 2 × 7 = 14, capped at max 10
        "I.3": D("4.5"),  # judged 4.5
        "I.4": D("10"),  # 2 × 6 = 12, capped at max 10
        "I": D("29.5"),  # 5 + 10 + 4.5 + 10
        "II.1": D("10"),  # 10 − 5 × 0
        "II.2": D("5"),  # 0 violations to handle → max 5
        "II.3": D("5"),  # judged 5
        "II.4": D("10"),  # DTI rank 3 ≤ 10 → 10
        "II.5": D("5"),  # 0 violating businesses → max 5 (assumption of II.5)
        "II": D("35"),  # 10 + 5 + 5 + 10 + 5
        "III.1": D("2"),  # done well → 2
        "III.2": D("3"),  # "xuất sắc" → 3
        "III.3": D("2"),  # "Hoàn thành tốt" (capitalised) → 2
        "III.4": D("2"),  # cultural office met the standard → 2
        "III": D("9"),  # 2 + 3 + 2 + 2
        "IV.1": D("5"),  # done well 3 + advanced models 2
        "IV.2": D("2"),  # judged 2
        "IV.3": D("3"),  # CCHC rank 4 ≤ 5 → 3
        "IV": D("10"),  # 5 + 2 + 3
        "V.1": D("3"),  # judged 3
        "V.2": D("5"),  # judged 5
        "V.3": D("2"),  # judged 2
        "V": D("10"),  # 3 + 5 + 2
        "VI.1": D("2"),  # recognised initiative → 2
        "VI.2": D("3"),  # DTI 8 → 3: rose 8 − 3 = 5 places (exactly 5, "tăng 05 bậc trở lên") → 3
        "VI": D("5"),  # 2 + 3
        "VII.1": D("0"),  # 5 × 0 + 10 × 0
        "VII.2": D("0"),  # 5 × 0 + 2 × 0
        "VII": D("0"),
        "standard": D("93.5"),  # 29.5 + 35 + 9 + 10 + 10
        "bonus": D("5"),  # VI
        "deductions": D("0"),  # VII
        "total": D("98.5"),  # 93.5 + 5 − 0
    },
    "Sở TTTT Hòa Bình": {
        "I.1": D("3"),  # judged 3
        "I.2": D("6"),  # 2 × 3 = 6, below the max 10
        "I.3": D("2.5"),  # judged 2.5
        "I.4": D("10"),  # 2 × 5 = 10, exactly the max
        "I": D("21.5"),  # 3 + 6 + 2.5 + 10
        "II.1": D("0"),  # 10 − 5 × 3 = −5, floored at 0
        "II.2": D("3.5"),  # 2 violations → judged 3.5
        "II.3": D("3"),  # judged 3
        "II.4": D("2"),  # DTI rank 31 > 30 → 2
        "II.5": D("3"),  # 1 violating business → judged 3 (assumption of II.5)
        "II": D("11.5"),  # 0 + 3.5 + 3 + 2 + 3
        "III.1": D("0"),  # violation → 0
        "III.2": D("0"),  # "không hoàn thành" → 0
        "III.3": D("1"),  # "hoàn thành" → 1
        "III.4": D("0"),  # not up to standard → 0
        "III": D("1"),  # 0 + 0 + 1 + 0
        "IV.1": D("3"),  # done well 3 + no advanced models 0
        "IV.2": D("1"),  # judged 1
        "IV.3": D("0"),  # CCHC rank 16 > 15 → 0 (assumption of IV.3)
        "IV": D("4"),  # 3 + 1 + 0
        "V.1": D("2"),  # judged 2
        "V.2": D("4"),  # judged 4
        "V.3": D("1"),  # judged 1
        "V": D("7"),  # 2 + 4 + 1
        "VI.1": D("0"),  # no recognised initiative
        "VI.2": D("0"),  # DTI 35 → 31: rose 4 places < 5 → 0
        "VI": D("0"),
        "VII.1": D("15"),  # 5 × 1 reprimand + 10 × 1 warning
        "VII.2": D("7"),  # 5 × 1 missed conference + 2 × 1 wrong delegate
        "VII": D("22"),  # 15 + 7
        "standard": D("45"),  # 21.5 + 11.5 + 1 + 4 + 7
        "bonus": D("0"),
        "deductions": D("22"),
        "total": D("23"),  # 45 + 0 − 22
    },
    "Sở TTTT Phú Thọ": {
        "I.1": D("4"),  # judged 4
        "I.2": D("8"),  # 2 × 4 = 8
        "I.3": D("5"),  # judged 5
        "I.4": D("4"),  # 2 × 2 = 4
        "I": D("21"),  # 4 + 8 + 5 + 4
        "II.1": D("5"),  # 10 − 5 × 1
        "II.2": D("5"),  # 0 violations → max 5
        "II.3": D("4.5"),  # judged 4.5
        "II.4": D("10"),  # DTI rank 10 (boundary) ≤ 10 → 10
        "II.5": D("5"),  # 0 violating businesses → max 5 (assumption of II.5)
        "II": D("29.5"),  # 5 + 5 + 4.5 + 10 + 5
        "III.1": D("2"),
        "III.2": D("2"),  # alias "hoàn thành tốt nhiệm vụ" = "hoàn thành tốt" → 2
        "III.3": D("3"),  # "xuất sắc" → 3
        "III.4": D("2"),
        "III": D("9"),  # 2 + 2 + 3 + 2
        "IV.1": D("2"),  # not done well 0 + advanced models 2
        "IV.2": D("2"),  # judged 2
        "IV.3": D("3"),  # CCHC rank 5 (boundary) ≤ 5 → 3
        "IV": D("7"),  # 2 + 2 + 3
        "V.1": D("3"),
        "V.2": D("5"),
        "V.3": D("1.5"),
        "V": D("9.5"),  # 3 + 5 + 1.5
        "VI.1": D("2"),  # recognised initiative
        "VI.2": D("0"),  # DTI 14 → 10: rose 4 places < 5 → 0
        "VI": D("2"),
        "VII.1": D("0"),
        "VII.2": D("4"),  # 2 × 2 wrong delegates
        "VII": D("4"),
        "standard": D("76"),  # 21 + 29.5 + 9 + 7 + 9.5
        "bonus": D("2"),
        "deductions": D("4"),
        "total": D("74"),  # 76 + 2 − 4
    },
    "Sở TTTT Tuyên Quang": {
        "I.1": D("4.5"),  # judged 4.5
        "I.2": D("10"),  # 2 × 5 = 10, exactly the max
        "I.3": D("4"),  # judged 4
        "I.4": D("8"),  # 2 × 4 = 8
        "I": D("26.5"),  # 4.5 + 10 + 4 + 8
        "II.1": D("0"),  # 10 − 5 × 2 = 0
        "II.2": D("4"),  # 1 violation → judged 4
        "II.3": D("4"),  # judged 4
        "II.4": D("8"),  # DTI rank 11 (boundary) in 11–20 → 8
        "II.5": D("5"),  # 0 violating businesses → max 5 (assumption of II.5)
        "II": D("21"),  # 0 + 4 + 4 + 8 + 5
        "III.1": D("2"),
        "III.2": D("1"),  # "hoàn thành" → 1
        "III.3": D("0"),  # "KHÔNG HOÀN THÀNH" (upper case) → 0
        "III.4": D("2"),
        "III": D("5"),  # 2 + 1 + 0 + 2
        "IV.1": D("5"),  # 3 + 2
        "IV.2": D("1.5"),  # judged 1.5
        "IV.3": D("2"),  # CCHC rank 6 (boundary) in 6–10 → 2
        "IV": D("8.5"),  # 5 + 1.5 + 2
        "V.1": D("2.5"),
        "V.2": D("4"),
        "V.3": D("2"),
        "V": D("8.5"),  # 2.5 + 4 + 2
        "VI.1": D("0"),
        "VI.2": D("3"),  # DTI 16 → 11: rose exactly 5 places → 3
        "VI": D("3"),
        "VII.1": D("5"),  # 5 × 1 reprimand
        "VII.2": D("0"),
        "VII": D("5"),
        "standard": D("69.5"),  # 26.5 + 21 + 5 + 8.5 + 8.5
        "bonus": D("3"),
        "deductions": D("5"),
        "total": D("67.5"),  # 69.5 + 3 − 5
    },
    "Sở TTTT Yên Bái": {
        "I.1": D("4"),  # judged 4
        "I.2": D("4"),  # 2 × 2 = 4
        "I.3": D("3.5"),  # judged 3.5
        "I.4": D("6"),  # 2 × 3 = 6
        "I": D("17.5"),  # 4 + 4 + 3.5 + 6
        "II.1": D("10"),  # 10 − 5 × 0
        "II.2": D("5"),  # 0 violations → max 5
        "II.3": D("4"),  # judged 4
        "II.4": D("8"),  # DTI rank 20 (boundary) ≤ 20 → 8
        "II.5": D("2.5"),  # 2 violating businesses → judged 2.5 (assumption of II.5)
        "II": D("29.5"),  # 10 + 5 + 4 + 8 + 2.5
        "III.1": D("2"),
        "III.2": D("2"),  # "hoàn thành tốt" → 2
        "III.3": D("3"),  # "Xuất sắc" (capitalised) → 3
        "III.4": D("2"),
        "III": D("9"),  # 2 + 2 + 3 + 2
        "IV.1": D("3"),  # done well 3 + no advanced models 0
        "IV.2": D("1.5"),  # judged 1.5
        "IV.3": D("2"),  # CCHC rank 10 (boundary) ≤ 10 → 2
        "IV": D("6.5"),  # 3 + 1.5 + 2
        "V.1": D("2.5"),
        "V.2": D("5"),
        "V.3": D("2"),
        "V": D("9.5"),  # 2.5 + 5 + 2
        "VI.1": D("2"),  # recognised initiative
        "VI.2": D("0"),  # DTI 18 → 20: fell 2 places → 0
        "VI": D("2"),
        "VII.1": D("0"),
        "VII.2": D("0"),
        "VII": D("0"),
        "standard": D("72"),  # 17.5 + 29.5 + 9 + 6.5 + 9.5
        "bonus": D("2"),
        "deductions": D("0"),
        "total": D("74"),  # 72 + 2 − 0  (ties with Phú Thọ)
    },
    "Sở TTTT Bắc Kạn": {
        "I.1": D("2.5"),  # judged 2.5
        "I.2": D("2"),  # 2 × 1 = 2
        "I.3": D("3"),  # judged 3
        "I.4": D("0"),  # 2 × 0 = 0
        "I": D("7.5"),  # 2.5 + 2 + 3 + 0
        "II.1": D("5"),  # 10 − 5 × 1
        "II.2": D("2"),  # 3 violations → judged 2
        "II.3": D("2"),  # judged 2
        "II.4": D("6"),  # DTI rank 30 (boundary) ≤ 30 → 6
        "II.5": D("5"),  # 0 violating businesses → max 5 (assumption of II.5)
        "II": D("20"),  # 5 + 2 + 2 + 6 + 5
        "III.1": D("2"),
        "III.2": D("1"),  # "hoàn thành" → 1
        "III.3": D("1"),  # "hoàn thành" → 1
        "III.4": D("0"),
        "III": D("4"),  # 2 + 1 + 1 + 0
        "IV.1": D("0"),  # 0 + 0
        "IV.2": D("1"),  # judged 1
        "IV.3": D("1"),  # CCHC rank 15 (boundary) ≤ 15 → 1
        "IV": D("2"),  # 0 + 1 + 1
        "V.1": D("1.5"),
        "V.2": D("3"),
        "V.3": D("0.5"),
        "V": D("5"),  # 1.5 + 3 + 0.5
        "VI.1": D("0"),
        "VI.2": D("0"),  # DTI 30 → 30: no rise → 0
        "VI": D("0"),
        "VII.1": D("0"),
        "VII.2": D("5"),  # 5 × 1 missed conference
        "VII": D("5"),
        "standard": D("38.5"),  # 7.5 + 20 + 4 + 2 + 5
        "bonus": D("0"),
        "deductions": D("5"),
        "total": D("33.5"),  # 38.5 + 0 − 5
    },
    "Sở TTTT Bắc Giang": {
        "I.1": D("5"),  # judged 5
        "I.2": D("10"),  # 2 × 6 = 12, capped at max 10
        "I.3": D("5"),  # judged 5
        "I.4": D("10"),  # 2 × 5 = 10
        "I": D("30"),  # 5 + 10 + 5 + 10
        "II.1": D("10"),  # 10 − 5 × 0
        "II.2": D("5"),  # 0 violations → max 5
        "II.3": D("4.5"),  # judged 4.5
        "II.4": D("2"),  # DTI rank 45 > 30 → 2
        "II.5": D("5"),  # 0 violating businesses → max 5 (assumption of II.5)
        "II": D("26.5"),  # 10 + 5 + 4.5 + 2 + 5
        "III.1": D("2"),
        "III.2": D("3"),  # "xuất sắc" → 3
        "III.3": D("3"),  # alias "hoàn thành xuất sắc nhiệm vụ" = "xuất sắc" → 3
        "III.4": D("2"),
        "III": D("10"),  # 2 + 3 + 3 + 2
        "IV.1": D("5"),  # 3 + 2
        "IV.2": D("2"),
        "IV.3": D("1"),  # CCHC rank 12 in 11–15 → 1
        "IV": D("8"),  # 5 + 2 + 1
        "V.1": D("3"),
        "V.2": D("4.5"),
        "V.3": D("2"),
        "V": D("9.5"),  # 3 + 4.5 + 2
        "VI.1": D("2"),
        "VI.2": D("3"),  # DTI 52 → 45: rose 7 places ≥ 5 → 3
        "VI": D("5"),  # 2 + 3
        "VII.1": D("0"),
        "VII.2": D("2"),  # 2 × 1 wrong delegate
        "VII": D("2"),
        "standard": D("84"),  # 30 + 26.5 + 10 + 8 + 9.5
        "bonus": D("5"),
        "deductions": D("2"),
        "total": D("87"),  # 84 + 5 − 2
    },
}

# ---------------------------------------------------------------- self round, by hand

SELF: dict[str, dict[str, D]] = {
    "Sở TTTT Thái Nguyên": {
        "I.1": D("5"),  # self-assessed 6 > max 5: flagged, the max 5 is counted
        "I.2": D("10"),  # 2 × 7 = 14 → 10 (the unit claimed 14 on the form: flagged)
        "I.3": D("5"),
        "I": D("30"),  # 5 + 10 + 5 + 10
        "standard": D("94"),  # 30 + 35 + 9 + 10 + 10
        "bonus": D("5"),
        "deductions": D("0"),
        "total": D("99"),  # 94 + 5
    },
    "Sở TTTT Hòa Bình": {
        "I.2": D("8"),  # 2 × 4
        "I": D("23.5"),  # 3 + 8 + 2.5 + 10
        "II.1": D("5"),  # 10 − 5 × 1 (the unit reported 1 violation, appraised 3)
        "II.2": D("4"),  # 2 violations → judged 4
        "II": D("17"),  # 5 + 4 + 3 + 2 + 3
        "V": D("8"),  # 2 + 5 + 1
        "VII.1": D("5"),  # 5 × 1 reprimand, 0 warnings reported
        "VII.2": D("2"),  # 5 × 0 + 2 × 1
        "standard": D("53.5"),  # 23.5 + 17 + 1 + 4 + 8
        "bonus": D("0"),
        "deductions": D("7"),  # 5 + 2
        "total": D("46.5"),  # 53.5 − 7
    },
    "Sở TTTT Phú Thọ": {
        "I": D("22"),  # 5 + 8 + 5 + 4
        "V": D("10"),  # 3 + 5 + 2
        "standard": D("77.5"),  # 22 + 29.5 + 9 + 7 + 10
        "bonus": D("2"),
        "deductions": D("4"),
        "total": D("75.5"),  # 77.5 + 2 − 4
    },
    "Sở TTTT Tuyên Quang": {
        "II.2": D("5"),  # 1 violation → judged 5
        "II": D("22"),  # 0 + 5 + 4 + 8 + 5
        "III.3": D("1"),  # self: "hoàn thành" → 1
        "III": D("6"),  # 2 + 1 + 1 + 2
        "V": D("9"),  # 3 + 4 + 2
        "standard": D("72"),  # 26.5 + 22 + 6 + 8.5 + 9
        "bonus": D("3"),
        "deductions": D("5"),
        "total": D("70"),  # 72 + 3 − 5
    },
    "Sở TTTT Yên Bái": {
        "I": D("18"),  # 4 + 4 + 4 + 6
        "IV.1": D("3"),  # 3 + 0 (the unit claimed 5 on the form: flagged)
        "IV.2": D("2"),  # self-assessed 3 > max 2: flagged, the max 2 is counted
        "IV": D("7"),  # 3 + 2 + 2
        "standard": D("73"),  # 18 + 29.5 + 9 + 7 + 9.5
        "bonus": D("2"),
        "deductions": D("0"),
        "total": D("75"),  # 73 + 2
    },
    "Sở TTTT Bắc Kạn": {
        "I.4": D("2"),  # 2 × 1
        "I": D("9.5"),  # 2.5 + 2 + 3 + 2
        "V": D("6"),  # 1.5 + 4 + 0.5
        "standard": D("41.5"),  # 9.5 + 20 + 4 + 2 + 6
        "bonus": D("0"),
        "deductions": D("5"),
        "total": D("36.5"),  # 41.5 − 5
    },
    "Sở TTTT Bắc Giang": {
        "II": D("27"),  # 10 + 5 + 5 + 2 + 5
        "V": D("10"),  # 3 + 5 + 2
        "standard": D("85"),  # 30 + 27 + 10 + 8 + 10
        "bonus": D("5"),
        "deductions": D("2"),
        "total": D("88"),  # 85 + 5 − 2
    },
}

# Rows that must carry a flag (code -> texts each flag must contain); every other row has none.
FLAGGED: dict[str, dict[str, tuple[str, ...]]] = {
    "Sở TTTT Thái Nguyên": {
        "I.1": ("self", "judged score 6", "above the max 5", QUOTE, "counted as 5"),
        "I.2": ("self", "claimed 14", "above the max 10", QUOTE),
    },
    "Sở TTTT Yên Bái": {
        "IV.2": ("self", "judged score 3", "above the max 2", QUOTE, "counted as 2"),
        "IV.1": ("self", "claimed 5", "rule gives 3"),
    },
}

TOTAL_KEYS = ("standard", "bonus", "deductions", "total")


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def rs() -> tr.Ruleset:
    return tr.load(REPO / "rulesets/cum4-2023.thidua")


@pytest.fixture(scope="module")
def units() -> dict[str, object]:
    out = {}
    for name, slug in SLUGS.items():
        unit = read_unit(EXAMPLES / f"{slug}.json")
        assert unit.unit == name
        out[name] = unit
    return out


@pytest.fixture(scope="module")
def submissions(rs: tr.Ruleset, units: dict[str, object]) -> dict[str, object]:
    return {name: rs.evaluate_submission(u.rounds, unit=u.unit) for name, u in units.items()}


def _value(result: tr.Result, key: str) -> D:
    if key in TOTAL_KEYS:
        return getattr(result, key)
    return result[key].score


# ---------------------------------------------------------------- files


def test_files_are_marked_illustrative(units: dict[str, object]) -> None:
    for name, unit in units.items():
        assert unit.illustrative, name
        assert unit.ruleset == "cum4-2023"
        data = json.loads((EXAMPLES / f"{SLUGS[name]}.json").read_text(encoding="utf-8"))
        assert "minh họa" in data["note"] and "Illustrative" in data["note"]
        assert set(data["rounds"]) == {"self", "appraised"}


def test_every_fact_given_in_every_round(rs: tr.Ruleset, units: dict[str, object]) -> None:
    declared = {n for n, spec in rs.facts.items() if spec.kind != "assessed"}
    assert len(declared) == 19
    for name, unit in units.items():
        for round_name, value in unit.rounds.items():
            given = set(value["facts"])
            assert declared <= given, (name, round_name, declared - given)


# ---------------------------------------------------------------- appraised round


@pytest.mark.parametrize(
    ("unit", "key"), [(u, k) for u, table in APPRAISED.items() for k in table]
)
def test_appraised(submissions: dict[str, object], unit: str, key: str) -> None:
    sub = submissions[unit]
    assert _value(sub.rounds["appraised"], key) == APPRAISED[unit][key]


def test_appraised_covers_every_node(rs: tr.Ruleset, submissions: dict[str, object]) -> None:
    for unit, table in APPRAISED.items():
        result = submissions[unit].final
        codes = {node.code for node in result}
        assert codes | set(TOTAL_KEYS) == set(table), unit


def test_final_is_appraised(submissions: dict[str, object]) -> None:
    for unit, sub in submissions.items():
        # Every criterion's final score is the appraised round's (the ruleset's last round).
        appraised = sub.rounds["appraised"]
        assert {n.code: n.score for n in sub.final} == {n.code: n.score for n in appraised}
        assert all(row.decided_by == "appraised" for row in sub.rows if row.is_criterion)
        assert sub.total == APPRAISED[unit]["total"]


# ---------------------------------------------------------------- self round


@pytest.mark.parametrize(("unit", "key"), [(u, k) for u, table in SELF.items() for k in table])
def test_self(submissions: dict[str, object], unit: str, key: str) -> None:
    assert _value(submissions[unit].rounds["self"], key) == SELF[unit][key]


def test_flagged_rows(submissions: dict[str, object]) -> None:
    for unit, sub in submissions.items():
        expected = FLAGGED.get(unit, {})
        flagged = {row.code for row in sub.rows if row.flags}
        assert flagged == set(expected), unit
        for code, texts in expected.items():
            flags = sub.row(code).flags
            assert len(flags) == 1, (unit, code, flags)
            for text in texts:
                assert text in flags[0], (unit, code, text, flags[0])


def test_above_max_self_score_counts_the_max(submissions: dict[str, object]) -> None:
    tn = submissions["Sở TTTT Thái Nguyên"]
    # I.1: self-assessed 6, max 5 → 5 counted (not 6); the appraised 5 equals it: difference 0.
    assert tn.rounds["self"]["I.1"].score == D("5")
    assert tn.row("I.1").scores == {"self": D("5"), "appraised": D("5")}
    assert tn.row("I.1").difference == D("0")
    # I.2: the claim 14 is recorded but the rule's value is counted: 2 × 7 = 14 → max 10.
    assert tn.row("I.2").claims == {"self": D("14")}
    assert tn.rounds["self"]["I.2"].score == D("10")
    yb = submissions["Sở TTTT Yên Bái"]
    # IV.2: self-assessed 3, max 2 → 2 counted; appraised 1.5: difference 1.5 − 2 = −0.5.
    assert yb.row("IV.2").scores == {"self": D("2"), "appraised": D("1.5")}
    assert yb.row("IV.2").difference == D("-0.5")


def test_differences(submissions: dict[str, object]) -> None:
    # difference = appraised − self
    tn = submissions["Sở TTTT Thái Nguyên"]
    assert tn.row("I.3").difference == D("-0.5")  # 4.5 − 5
    assert tn.row("I").difference == D("-0.5")  # 29.5 − 30
    hb = submissions["Sở TTTT Hòa Bình"]
    assert hb.row("II.1").difference == D("-5")  # 0 − 5
    assert hb.row("VII.1").difference == D("10")  # 15 − 5
    assert hb.row("VII").difference == D("15")  # 22 − 7
    bg = submissions["Sở TTTT Bắc Giang"]
    assert bg.row("II.3").difference == D("-0.5")  # 4.5 − 5
    assert bg.row("I.2").claims == {"self": D("10")}  # a correct claim: recorded, not flagged
    assert bg.row("I.2").flags == ()


# ---------------------------------------------------------------- ranking


def test_ranking(rs: tr.Ruleset, submissions: dict[str, object]) -> None:
    standings = rs.rank(dict(submissions))
    got = [(e.unit, e.position, e.total) for e in standings]
    # 98.5 > 87 > 74 = 74 > 67.5 > 33.5 > 23 (appraised totals above); no tie-break declared.
    assert [p for _, p, _ in got] == [1, 2, 3, 3, 5, 6, 7]
    assert got[0] == ("Sở TTTT Thái Nguyên", 1, D("98.5"))
    assert got[1] == ("Sở TTTT Bắc Giang", 2, D("87"))
    assert {u for u, _, _ in got[2:4]} == {"Sở TTTT Phú Thọ", "Sở TTTT Yên Bái"}
    assert [t for _, _, t in got[2:4]] == [D("74"), D("74")]
    assert got[4:] == [
        ("Sở TTTT Tuyên Quang", 5, D("67.5")),
        ("Sở TTTT Bắc Kạn", 6, D("33.5")),
        ("Sở TTTT Hòa Bình", 7, D("23")),
    ]
    assert [set(t) for t in standings.ties] == [{"Sở TTTT Phú Thọ", "Sở TTTT Yên Bái"}]
    pt, yb = standings["Sở TTTT Phú Thọ"], standings["Sở TTTT Yên Bái"]
    assert pt.tied_with == ("Sở TTTT Yên Bái",)
    assert yb.tied_with == ("Sở TTTT Phú Thọ",)
    assert any("no tie-break" in n for n in pt.notes)
    assert any("no tie-break" in n for n in yb.notes)
    for entry in standings:
        if entry.unit not in ("Sở TTTT Phú Thọ", "Sở TTTT Yên Bái"):
            assert entry.tied_with == ()
        assert entry.total == APPRAISED[entry.unit]["total"]


# ---------------------------------------------------------------- coverage of the examples
# Read from the JSON files only (not the engine): if an example is edited and a row of a tier
# table is no longer exercised, this fails.

LEVELS = {  # the document's scale, with the aliases "… nhiệm vụ"
    "xuất sắc": "xuất sắc", "hoàn thành xuất sắc nhiệm vụ": "xuất sắc",
    "hoàn thành tốt": "hoàn thành tốt", "hoàn thành tốt nhiệm vụ": "hoàn thành tốt",
    "hoàn thành": "hoàn thành", "hoàn thành nhiệm vụ": "hoàn thành",
    "không hoàn thành": "không hoàn thành", "không hoàn thành nhiệm vụ": "không hoàn thành",
}
CANONICAL = {"xuất sắc", "hoàn thành tốt", "hoàn thành", "không hoàn thành"}


def _files() -> list[dict[str, object]]:
    return [
        json.loads((EXAMPLES / f"{slug}.json").read_text(encoding="utf-8"), parse_float=D)
        for slug in SLUGS.values()
    ]


def _round(name: str) -> list[dict[str, object]]:
    return [f["rounds"][name]["facts"] for f in _files()]


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def test_coverage_of_tier_tables() -> None:
    facts = _round("appraised")
    dti = {f["hang_dti"] for f in facts}
    assert any(r <= 10 for r in dti) and any(11 <= r <= 20 for r in dti)
    assert any(21 <= r <= 30 for r in dti) and any(r > 30 for r in dti)
    assert {10, 11, 20, 30, 31} <= dti
    cchc = {f["hang_cchc"] for f in facts}
    assert any(r <= 5 for r in cchc) and any(6 <= r <= 10 for r in cchc)
    assert any(11 <= r <= 15 for r in cchc) and any(r > 15 for r in cchc)
    for fact in ("xep_loai_dang", "xep_loai_doan"):
        written = [f[fact] for f in facts]
        assert {LEVELS[_key(w)] for w in written} == CANONICAL, fact
    written = [f[k] for f in facts for k in ("xep_loai_dang", "xep_loai_doan")]
    assert any(w not in CANONICAL for w in written)  # other case or an alias
    assert "hoàn thành tốt nhiệm vụ" in written


def test_coverage_of_rules() -> None:
    facts = _round("appraised")
    for fact in ("so_van_ban_tham_muu", "so_chuong_trinh"):  # I.2, I.4: 2 each, max 10
        assert any(2 * f[fact] < 10 for f in facts) and any(2 * f[fact] > 10 for f in facts)
    assert any(10 - 5 * f["so_vi_pham_bao_chi"] < 0 for f in facts)  # II.1 floored at 0
    assert any(f["so_vi_pham_bao_chi"] == 3 for f in facts)
    for fact, code in (("so_vi_pham_mxh", "II.2"), ("so_dn_vi_pham", "II.5")):  # both branches
        assert any(f[fact] == 0 for f in facts)
        assert any(f[fact] > 0 and code in f for f in facts)
    rises = {f["hang_dti_ky_truoc"] - f["hang_dti"] for f in facts}  # VI.2
    assert {4, 5} <= rises
    for fact in ("so_khien_trach", "so_canh_cao", "so_vang_hoi_nghi", "so_sai_thanh_phan"):
        assert any(f[fact] > 0 for f in facts), fact  # VII.1 and VII.2, both kinds each
    assert any(f["dan_chu_tot"] for f in facts) and not all(f["dan_chu_tot"] for f in facts)
    assert any(f["van_hoa_dat_chuan"] for f in facts) and not all(f["van_hoa_dat_chuan"] for f in facts)


def test_coverage_of_self_round() -> None:
    maxima = {"I.1": 5, "I.3": 5, "II.2": 5, "II.3": 5, "II.5": 5, "IV.2": 2, "V.1": 3, "V.2": 5, "V.3": 2}
    files = _files()
    assert any(
        code in f["rounds"]["self"]["facts"] and f["rounds"]["self"]["facts"][code] > top
        for f in files for code, top in maxima.items()
    )  # a judged score above its max
    claim_maxima = {"I.2": 10, "I.4": 10, "IV.1": 5, "VI.2": 3}
    assert any(
        value > claim_maxima[code]
        for f in files for code, value in f["rounds"]["self"].get("claims", {}).items()
    )  # a claim above its max
    halves = [v for f in files for r in f["rounds"].values() for v in r["facts"].values()
              if isinstance(v, D) and v != v.to_integral_value()]
    assert halves  # some judged scores in 0.5 steps


def test_coverage_of_tie() -> None:
    # the tie itself is checked against hand totals in test_ranking; here the hand table has one
    totals = [t["total"] for t in APPRAISED.values()]
    assert len(totals) != len(set(totals))
