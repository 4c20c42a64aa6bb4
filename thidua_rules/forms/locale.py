"""Numbers, dates and words as a Vietnamese (or English) reader expects them.

Vietnamese: a decimal comma and a dot between thousands (``1.000``, ``29,5``), dates as
``dd/mm/yyyy``. English: ``1,000``, ``29.5``. JSON never goes through here: it keeps the
machine form of ``thidua_rules.format_number``.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Literal

from ..errors import OptionError
from ..numbers import plain

Lang = Literal["vi", "en"]
LANGS: tuple[Lang, ...] = ("vi", "en")


def check_lang(lang: object) -> Lang:
    """``lang`` itself when it is ``"vi"`` or ``"en"``; else an ``OptionError``."""
    if lang == "vi":
        return "vi"
    if lang == "en":
        return "en"
    raise OptionError(f"Expected 'vi' or 'en' for lang, got {lang!r}")


def number(value: Decimal | int | None, lang: Lang = "vi", *, none: str = "—") -> str:
    """A number for a reader: ``29,5`` and ``1.000`` in Vietnamese, ``29.5`` and ``1,000`` in English."""
    if value is None:
        return none
    text = plain(value if isinstance(value, Decimal) else Decimal(value))
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        return text  # not finite
    sign = "-" if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    thousands, decimal = (".", ",") if lang == "vi" else (",", ".")
    out = thousands.join(groups)
    return sign + out + (decimal + fraction if fraction else "")


def points(value: Decimal | None, lang: Lang = "vi") -> str:
    """A score with its unit: ``10 đ`` / ``10 pts``."""
    if value is None:
        return "—"
    return f"{number(value, lang)} {'đ' if lang == 'vi' else 'pts' if value != 1 else 'pt'}"


def date(iso: str | None, lang: Lang = "vi") -> str:
    """An ISO date (``2023-07-19``) as ``19/07/2023`` in Vietnamese; kept as is in English."""
    if not iso:
        return ""
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", iso)
    if match is None or lang == "en":
        return iso
    year, month, day = match.groups()
    return f"{day}/{month}/{year}"


def truth(value: bool, lang: Lang = "vi") -> str:
    """A yes/no fact as a reader says it."""
    if lang == "vi":
        return "có" if value else "không"
    return "yes" if value else "no"


def value(v: object, lang: Lang = "vi") -> str:
    """Any fact or step value for a reader: numbers localised, booleans as yes/no, text as is."""
    if isinstance(v, bool):
        return truth(v, lang)
    if isinstance(v, Decimal | int):
        return number(v, lang)
    return "—" if v is None else str(v)
