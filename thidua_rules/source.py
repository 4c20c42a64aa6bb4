"""Source texts, spans inside them, and the caret excerpt shown under a message."""

from __future__ import annotations

import re
import unicodedata

import attrs


def nfc(text: str) -> str:
    """Return ``text`` in Unicode normal form C, the one form names are compared in."""
    return unicodedata.normalize("NFC", text)


def unaccent(text: str) -> str:
    """``fold`` without Vietnamese diacritics (``"Hoàn thành"`` → ``"hoan thanh"``), for hints."""
    decomposed = unicodedata.normalize("NFD", fold(text).replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


#: A tone mark on the first vowel of "oa", "oe" or "uy" (the new orthography: "hòa", "thủy"), in
#: NFD: fold moves it to the second vowel, where the old orthography puts it ("hoà", "thuỷ").
_TONE_FIRST = re.compile("([ou])([\u0300\u0301\u0303\u0309\u0323])([aey])(?![\u0302\u0306])")


#: Characters that show as nothing (a BOM, zero-width spaces and joiners, a word joiner, a soft hyphen)
#: and spaces that look like a plain one; spreadsheets and CSV headers bring them into names.
_INVISIBLE = re.compile("[\ufeff\u200b\u200c\u200d\u2060\u00ad]")
_ODD_SPACE = re.compile("[\u00a0\u2007\u202f]")
_UNSEEN = re.compile(f"{_INVISIBLE.pattern}|{_ODD_SPACE.pattern}")


def visible(text: str) -> str:
    """``text`` without invisible characters, odd spaces made plain, stripped at its ends."""
    return _ODD_SPACE.sub(" ", _INVISIBLE.sub("", text)).strip()


def shown(text: str) -> str:
    """``text`` for a message, quoted with its invisible characters and odd spaces escaped."""
    if not text:
        return '""'
    if not _UNSEEN.search(text):
        return text
    return '"' + _UNSEEN.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + '"'


def fold(text: str) -> str:
    """Return the comparison key of a label: case-folded, inner spaces collapsed, NFC, and one
    tone-mark orthography ("hoà" and "hòa", "thuỷ" and "thủy" fold alike)."""
    folded = " ".join(_INVISIBLE.sub("", text).casefold().split())
    if folded.isascii():
        return folded
    return nfc(_TONE_FIRST.sub(r"\1\3\2", unicodedata.normalize("NFD", folded)))


def _uncommented(line: str) -> str:
    """``line`` up to its comment (a ``#`` outside quoted text), trailing spaces removed."""
    quoted = escaped = False
    for index, char in enumerate(line):
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "#" and not quoted:
            return line[:index].rstrip()
    return line.rstrip()


@attrs.frozen(eq=False)
class Source:
    """A named source text (a ruleset file, or a string given to ``loads``)."""

    name: str
    text: str
    # Split once, and on "\n" only, as the parser counts lines (not at form feeds, U+2028…).
    lines: tuple[str, ...] = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "lines", tuple(line.removesuffix("\r") for line in self.text.split("\n")))

    def line(self, number: int) -> str:
        """Return line ``number`` (1-based) without its newline, or '' past the end."""
        if 1 <= number <= len(self.lines):
            return self.lines[number - 1]
        return ""


@attrs.frozen
class Span:
    """A region of a source: 1-based line and column, end column exclusive."""

    source: Source = attrs.field(eq=False, repr=False)
    line: int
    column: int
    end_line: int
    end_column: int

    @property
    def where(self) -> str:
        """``file:line:column``, the prefix of every message about this span."""
        return f"{self.source.name}:{self.line}:{self.column}"

    def text(self) -> str:
        """The source text this span covers, every line of it (a rule may span several)."""
        if self.line == self.end_line:
            return self.source.line(self.line)[self.column - 1 : self.end_column - 1]
        first = self.source.line(self.line)[self.column - 1 :]
        middle = [self.source.line(number) for number in range(self.line + 1, self.end_line)]
        last = self.source.line(self.end_line)[: self.end_column - 1]
        return "\n".join([first, *middle, last])

    def code(self) -> str:
        """``text()`` without its comments: what a trace or a form shows of a rule. A ``#`` inside
        quoted text is kept; a line left empty by its comment goes."""
        lines = [_uncommented(line) for line in self.text().split("\n")]
        return "\n".join(line for index, line in enumerate(lines) if line.strip() or index == 0)

    def excerpt(self) -> str:
        """The span's first line, numbered, with carets under the span.

        A line longer than ``EXCERPT_WIDTH`` is cut to a window around the span, with "…" where
        text was left out, and at most ``EXCERPT_WIDTH`` carets.
        """
        text = self.source.line(self.line)
        number = str(self.line)
        pad = " " * len(number)
        end = self.end_column if self.end_line == self.line else len(text) + 1
        start = self.column - 1  # 0-based start of the span in ``text``
        width = min(max(1, end - self.column), EXCERPT_WIDTH)
        if len(text) > EXCERPT_WIDTH:
            left = max(0, min(start - EXCERPT_CONTEXT, len(text) - EXCERPT_WIDTH))
            right = min(len(text), left + EXCERPT_WIDTH)
            head, tail = ("…" if left > 0 else ""), ("…" if right < len(text) else "")
            text = head + text[left:right] + tail
            start = start - left + len(head)
        # Tabs stay tabs under the line, so the caret lines up however a terminal shows them.
        lead = "".join("\t" if ch == "\t" else " " for ch in text[:start])
        caret = lead + " " * (start - len(lead)) + "^" * width
        return f"  {number} | {text}\n  {pad} | {caret}"


#: The most characters of a source line an excerpt shows, and how many before the span.
EXCERPT_WIDTH = 160
EXCERPT_CONTEXT = 60
