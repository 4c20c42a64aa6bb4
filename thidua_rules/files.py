"""Files from outside: packaged data found in the wheel or in a checkout, UTF-8 text with or without a BOM."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

#: The checkout's root (the folder holding ``grammars/`` and ``rulesets/``) when not installed.
_CHECKOUT = Path(__file__).resolve().parent.parent
_BOM = b"\xef\xbb\xbf"


def packaged(name: str) -> Path:
    """A data file or folder shipped in the wheel (``grammars/thidua.lark``, ``rulesets``), or the checkout's."""
    inside = resources.files("thidua_rules").joinpath(name)
    if inside.is_file() or inside.is_dir():
        return Path(str(inside))
    return _CHECKOUT / name


def without_bom(data: bytes) -> bytes:
    """The bytes of a UTF-8 file without the byte-order mark some editors write first."""
    return data[len(_BOM):] if data.startswith(_BOM) else data
