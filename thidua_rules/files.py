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


class UnreadableFile(Exception):
    """A file that cannot be read as UTF-8 text: why, and where the first bad byte is."""

    def __init__(self, reason: str, *, line: int | None = None, column: int | None = None, text: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.column = column
        #: The file's text with bad bytes replaced, for showing the place.
        self.text = text


def read_utf8(path: str) -> str:
    """The text of a UTF-8 file, with or without a BOM; ``UnreadableFile`` saying why not."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise UnreadableFile(str(error.strerror)) from None
    except (ValueError, TypeError) as error:  # a NUL in the path, a path that is no path
        raise UnreadableFile(f"not a file name ({error})") from None
    body = without_bom(data)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        line = body[: error.start].count(b"\n") + 1
        line_start = body.rfind(b"\n", 0, error.start) + 1
        column = len(body[line_start : error.start].decode("utf-8", errors="replace")) + 1
        raise UnreadableFile(
            "not valid UTF-8", line=line, column=column, text=body.decode("utf-8", errors="replace")
        ) from None
