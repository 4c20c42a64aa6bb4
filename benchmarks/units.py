"""Reproducible fact sets of Cluster 4 units (ruleset ``cum4-2023``), from ``random.Random(seed)``.

The values stay inside every fact's bounds and reach the boundaries of the sheet's rules (5 and 6
documents, DTI ranks 10/11, 20/21, 30/31, CCHC ranks 5/6, 10/11, 15/16, a DTI rise of 4/5 places).
Counts and ranks are ``int``, judged scores ``Decimal`` multiples of 0.25 within ``[0, max]``,
booleans ``bool``, scale levels the canonical level names of ``xep_loai``. A judged score that the
rule reads only in one branch (II.2, II.5) is given whenever that branch is taken, and sometimes
also when it is not (the ruleset then ignores it).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

LEVELS = ("xuất sắc", "hoàn thành tốt", "hoàn thành", "không hoàn thành")

#: Judged scores (``score assessed``) and their maxima.
ASSESSED = {"I.1": 5, "I.3": 5, "II.3": 5, "IV.2": 2, "V.1": 3, "V.2": 5, "V.3": 2}
#: Judged scores read only when there were violations (II.2: mạng xã hội; II.5: doanh nghiệp).
CONDITIONAL = {"II.2": ("so_vi_pham_mxh", 5), "II.5": ("so_dn_vi_pham", 5)}

_QUARTER = Decimal("0.25")
_EDGE_RANKS = (1, 5, 6, 10, 11, 15, 16, 20, 21, 30, 31, 63)


def _judged(rnd: random.Random, top: int) -> Decimal:
    return rnd.randint(0, 4 * top) * _QUARTER


def _rank(rnd: random.Random) -> int:
    return rnd.choice(_EDGE_RANKS) if rnd.random() < 0.3 else rnd.randint(1, 63)


def _few(rnd: random.Random, p_zero: float, high: int) -> int:
    return 0 if rnd.random() < p_zero else rnd.randint(1, high)


def unit(rnd: random.Random) -> dict[str, Any]:
    """One unit's facts."""
    hang_dti = _rank(rnd)
    if rnd.random() < 0.3:  # near the "rose by 5 places" boundary of VI.2
        hang_dti_ky_truoc = max(1, min(63, hang_dti + rnd.choice((3, 4, 5, 6))))
    else:
        hang_dti_ky_truoc = rnd.randint(1, 63)
    facts: dict[str, Any] = {
        "so_van_ban_tham_muu": rnd.randint(0, 9),
        "so_chuong_trinh": rnd.randint(0, 9),
        "so_vi_pham_bao_chi": _few(rnd, 0.6, 3),
        "so_vi_pham_mxh": _few(rnd, 0.5, 3),
        "hang_dti": hang_dti,
        "hang_dti_ky_truoc": hang_dti_ky_truoc,
        "dan_chu_tot": rnd.random() < 0.8,
        "xep_loai_dang": rnd.choice(LEVELS),
        "xep_loai_doan": rnd.choice(LEVELS),
        "van_hoa_dat_chuan": rnd.random() < 0.7,
        "thi_dua_tot": rnd.random() < 0.8,
        "co_dien_hinh": rnd.random() < 0.5,
        "so_dn_vi_pham": _few(rnd, 0.5, 3),
        "hang_cchc": _rank(rnd),
        "co_sang_kien": rnd.random() < 0.4,
        "so_khien_trach": _few(rnd, 0.85, 2),
        "so_canh_cao": _few(rnd, 0.92, 1),
        "so_vang_hoi_nghi": _few(rnd, 0.85, 2),
        "so_sai_thanh_phan": _few(rnd, 0.8, 3),
    }
    for code, top in ASSESSED.items():
        facts[code] = _judged(rnd, top)
    for code, (count, top) in CONDITIONAL.items():
        if facts[count] > 0 or rnd.random() < 0.3:
            facts[code] = _judged(rnd, top)
    return facts


def units(n: int, seed: int = 2023) -> list[dict[str, Any]]:
    """``n`` units from ``seed``: the same list on every run."""
    rnd = random.Random(seed)
    return [unit(rnd) for _ in range(n)]


def stream(n: int, seed: int = 2023) -> Iterator[dict[str, Any]]:
    """``n`` units from ``seed``, generated lazily (for the memory check)."""
    rnd = random.Random(seed)
    for _ in range(n):
        yield unit(rnd)
