"""The Cluster 4 sheet (Cụm thi đua số 4, 2023) scored by hand, in plain Python with Decimal.

Written from the document, letter 1956/CTĐS4-STTTTTN of 19/07/2023
(/work/shared/seeds/000_b93d6200b07857a3.txt, also tests/seeds/), not from the ruleset: this is the
baseline that ``benchmarks/run.py`` times ``thidua_rules`` against, and the oracle that
``tests/test_bench_scorers.py`` checks it with. Every criterion is kept in ``[0, max]`` (column
(3) of the form), sections are the sums of their items, and

    total = standard (I–V, 95) + bonus (VI, 5) − deductions (VII, outside the 100 points).

Where the document is silent, the two assumptions the ruleset states with ``assume`` are followed:

* II.5 (no violating postal/telecom business): none → the max 5, otherwise the judged score;
* IV.3 (CCHC rank: Top 5 3đ, Top 10 2đ, Top 15 1đ): a rank outside the Top 15 scores 0.

Facts use the ruleset's names; judged scores come in under the criterion codes (``"I.1"`` …).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from decimal import Decimal

ZERO = Decimal(0)

#: Column (3) of the form: the max of every criterion.
MAX = {
    "I.1": Decimal(5), "I.2": Decimal(10), "I.3": Decimal(5), "I.4": Decimal(10),
    "II.1": Decimal(10), "II.2": Decimal(5), "II.3": Decimal(5), "II.4": Decimal(10), "II.5": Decimal(5),
    "III.1": Decimal(2), "III.2": Decimal(3), "III.3": Decimal(3), "III.4": Decimal(2),
    "IV.1": Decimal(5), "IV.2": Decimal(2), "IV.3": Decimal(3),
    "V.1": Decimal(3), "V.2": Decimal(5), "V.3": Decimal(2),
    "VI.1": Decimal(2), "VI.2": Decimal(3),
}
SECTIONS = {
    "I": ("I.1", "I.2", "I.3", "I.4"),
    "II": ("II.1", "II.2", "II.3", "II.4", "II.5"),
    "III": ("III.1", "III.2", "III.3", "III.4"),
    "IV": ("IV.1", "IV.2", "IV.3"),
    "V": ("V.1", "V.2", "V.3"),
    "VI": ("VI.1", "VI.2"),
    "VII": ("VII.1", "VII.2"),
}
SECTION_MAX = {"I": Decimal(30), "II": Decimal(35), "III": Decimal(10), "IV": Decimal(10),
               "V": Decimal(10), "VI": Decimal(5)}
STANDARD = ("I", "II", "III", "IV", "V")
CRITERIA = tuple(code for codes in SECTIONS.values() for code in codes)

#: III.2 / III.3: "Xuất sắc: 3đ; hoàn thành tốt: 2đ; hoàn thành: 1đ; không hoàn thành: 0đ",
#: with the "… nhiệm vụ" spellings of the same levels.
_RATING = {
    "xuất sắc": Decimal(3), "hoàn thành xuất sắc nhiệm vụ": Decimal(3),
    "hoàn thành tốt": Decimal(2), "hoàn thành tốt nhiệm vụ": Decimal(2),
    "hoàn thành": Decimal(1), "hoàn thành nhiệm vụ": Decimal(1),
    "không hoàn thành": ZERO, "không hoàn thành nhiệm vụ": ZERO,
}


def _rating(level: str) -> Decimal:
    points = _RATING.get(level)
    if points is None:  # another spelling: any case, NFC or NFD, extra spaces
        points = _RATING[" ".join(unicodedata.normalize("NFC", level).casefold().split())]
    return points


def _dec(value: object) -> Decimal:
    if type(value) is Decimal:
        return value
    if type(value) is int:
        return Decimal(value)
    if type(value) is float:
        return Decimal(repr(value))
    raise TypeError(f"not a number: {value!r}")


def _cap(value: Decimal, top: Decimal) -> Decimal:
    """Keep a criterion in [0, max]."""
    if value < 0:
        return ZERO
    return top if value > top else value


def score(facts: Mapping[str, object]) -> dict[str, Decimal]:
    """Every criterion, section, ``standard``, ``bonus``, ``deductions`` and ``total`` of one unit."""
    f = facts
    s: dict[str, Decimal] = {}

    # I. CÔNG TÁC THAM MƯU VÀ BAN HÀNH VĂN BẢN (30)
    s["I.1"] = _cap(_dec(f["I.1"]), MAX["I.1"])                         # judged
    s["I.2"] = _cap(2 * _dec(f["so_van_ban_tham_muu"]), MAX["I.2"])     # 2đ per document
    s["I.3"] = _cap(_dec(f["I.3"]), MAX["I.3"])                         # judged
    s["I.4"] = _cap(2 * _dec(f["so_chuong_trinh"]), MAX["I.4"])         # 2đ per programme/plan

    # II. KẾT QUẢ THỰC HIỆN NHIỆM VỤ QUẢN LÝ NGÀNH (35)
    s["II.1"] = _cap(MAX["II.1"] - 5 * _dec(f["so_vi_pham_bao_chi"]), MAX["II.1"])  # minus 5 per case
    # No violation to handle: the max; otherwise the judged score.
    s["II.2"] = MAX["II.2"] if f["so_vi_pham_mxh"] == 0 else _cap(_dec(f["II.2"]), MAX["II.2"])
    s["II.3"] = _cap(_dec(f["II.3"]), MAX["II.3"])                      # judged
    dti = _dec(f["hang_dti"])  # DTI rank of the previous year: Top10 10; Top 20 8; Top 30 6; above 30: 2
    s["II.4"] = (Decimal(10) if dti <= 10 else Decimal(8) if dti <= 20
                 else Decimal(6) if dti <= 30 else Decimal(2))
    # Assumption: no violating business → the max; otherwise the judged score.
    s["II.5"] = MAX["II.5"] if f["so_dn_vi_pham"] == 0 else _cap(_dec(f["II.5"]), MAX["II.5"])

    # III. XÂY DỰNG TỔ CHỨC ĐẢNG, CƠ QUAN, ĐOÀN THỂ (10)
    s["III.1"] = Decimal(2) if f["dan_chu_tot"] else ZERO
    s["III.2"] = _rating(str(f["xep_loai_dang"]))
    s["III.3"] = _rating(str(f["xep_loai_doan"]))
    s["III.4"] = Decimal(2) if f["van_hoa_dat_chuan"] else ZERO

    # IV. KẾT QUẢ TRIỂN KHAI CÁC PHONG TRÀO THI ĐUA (10)
    s["IV.1"] = _cap((Decimal(3) if f["thi_dua_tot"] else ZERO) + (Decimal(2) if f["co_dien_hinh"] else ZERO),
                     MAX["IV.1"])
    s["IV.2"] = _cap(_dec(f["IV.2"]), MAX["IV.2"])                      # judged
    cchc = _dec(f["hang_cchc"])  # Top 5: 3đ; Top 10: 2đ; Top 15: 1đ; (assumption) outside the Top 15: 0
    s["IV.3"] = Decimal(3) if cchc <= 5 else Decimal(2) if cchc <= 10 else Decimal(1) if cchc <= 15 else ZERO

    # V. CÔNG TÁC KHÁC (10): all judged
    s["V.1"] = _cap(_dec(f["V.1"]), MAX["V.1"])
    s["V.2"] = _cap(_dec(f["V.2"]), MAX["V.2"])
    s["V.3"] = _cap(_dec(f["V.3"]), MAX["V.3"])

    # VI. ĐIỂM CỘNG (5)
    s["VI.1"] = Decimal(2) if f["co_sang_kien"] else ZERO
    rise = _dec(f["hang_dti_ky_truoc"]) - _dec(f["hang_dti"])  # a smaller rank is better
    s["VI.2"] = Decimal(3) if rise >= 5 else ZERO

    # VII. ĐIỂM TRỪ (outside the 100 points; no upper limit written)
    s["VII.1"] = max(5 * _dec(f["so_khien_trach"]) + 10 * _dec(f["so_canh_cao"]), ZERO)  # 5/10 per person
    s["VII.2"] = max(5 * _dec(f["so_vang_hoi_nghi"]) + 2 * _dec(f["so_sai_thanh_phan"]), ZERO)  # 5/2 per time

    for section, codes in SECTIONS.items():
        part = sum((s[code] for code in codes), ZERO)
        top = SECTION_MAX.get(section)
        s[section] = part if top is None or part <= top else top
    s["standard"] = sum((s[section] for section in STANDARD), ZERO)
    s["bonus"] = s["VI"]
    s["deductions"] = s["VII"]
    s["total"] = s["standard"] + s["bonus"] - s["deductions"]
    return s
