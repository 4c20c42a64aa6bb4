"""The public entry points of the forms: explain, render a unit or the standings in a format."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import OptionError
from ..evaluation.result import Result
from ..reports.classify import Classification
from ..reports.diff import Impact, RulesetDiff
from ..reports.ranking import Standings
from ..reports.submission import Submission
from ..ruleset import Ruleset
from .explain import explain_node
from .locale import check_lang
from .sheet import build_sheet, words
from .standings import build_board
from .text import board_markdown, board_text, render_markdown, render_text

#: The text formats of ``render`` and ``render_standings`` (xlsx is written with ``write_xlsx``).
TEXT_FORMATS = ("text", "md", "html")


def explain(rs: Ruleset, scored: Submission | Result, code: str | None = None, *, lang: str = "vi") -> str:
    """Every step of one criterion's score (or of every node without ``code``) as sentences.

    ``lang`` is ``"vi"`` (the default) or ``"en"``. An unknown code raises ``UnknownCodeError``.
    """
    language = check_lang(lang)
    result = scored.final if isinstance(scored, Submission) else scored
    if not isinstance(result, Result):
        raise OptionError(f"Expected a Submission or a Result to explain, got {type(scored).__name__}")
    said = words(rs)
    nodes = [result[code]] if code is not None else list(result)
    return "\n\n".join(explain_node(node, language, said) for node in nodes)


def render(
    rs: Ruleset,
    sub: Submission,
    *,
    format: str = "text",
    lang: str = "vi",
    explanations: Mapping[str, str] | None = None,
    illustrative: bool = False,
) -> str:
    """A unit's scoring form as ``text``, ``md`` (Markdown) or ``html``, in ``lang``."""
    language = check_lang(lang)
    if not isinstance(sub, Submission):
        raise OptionError(f"Expected a Submission to render, got {type(sub).__name__}")
    sheet = build_sheet(rs, sub, lang=language, explanations=explanations, illustrative=illustrative)
    if format == "text":
        return render_text(sheet)
    if format == "md":
        return render_markdown(sheet)
    if format == "html":
        from .html import sheet_html

        return sheet_html(sheet)
    raise OptionError(f"Expected one of {', '.join(TEXT_FORMATS)} for format, got {format!r}")


def render_standings(
    rs: Ruleset,
    standings: Standings,
    classifications: tuple[Classification, ...] = (),
    *,
    format: str = "text",
    lang: str = "vi",
) -> str:
    """The standings (and classifications) as ``text``, ``md`` or ``html``, in ``lang``."""
    language = check_lang(lang)
    if not isinstance(standings, Standings):
        raise OptionError(f"Expected Standings to render, got {type(standings).__name__}")
    board = build_board(rs, standings, tuple(classifications), lang=language)
    if format == "text":
        return board_text(board)
    if format == "md":
        return board_markdown(board)
    if format == "html":
        from .html import board_html

        return board_html(board)
    raise OptionError(f"Expected one of {', '.join(TEXT_FORMATS)} for format, got {format!r}")


def write_standings_xlsx(
    rs: Ruleset,
    standings: Standings,
    path: str,
    *,
    submissions: Mapping[str, Submission] | None = None,
    classifications: tuple[Classification, ...] = (),
    lang: str = "vi",
    explanations: Mapping[str, Mapping[str, str]] | None = None,
    given: Mapping[str, Mapping[str, Any]] | None = None,
) -> None:
    """Save the standings workbook: positions, totals, ties and awards, each classification,
    and one sheet per unit's form (for the units whose ``submissions`` are given; ``given``:
    each unit's rounds as its file gave them, as for ``write_xlsx``)."""
    from .xlsx import for_typing, write_board

    language = check_lang(lang)
    board = build_board(rs, standings, tuple(classifications), lang=language)
    notes = explanations or {}
    typed = given or {}
    sheets = [
        for_typing(rs, sub, build_sheet(rs, sub, lang=language, explanations=notes.get(name)), typed.get(name))
        for name, sub in (submissions or {}).items()
    ]
    write_board(board, sheets, path)


def render_diff(
    changes: RulesetDiff, effect: Impact | None = None, *, format: str = "text", lang: str = "vi"
) -> str:
    """``diff(old, new)`` (and ``impact(…)``) as ``text`` or ``md``, in ``lang`` ("vi" or "en")."""
    from .changes import diff_markdown, diff_text, impact_markdown, impact_text

    language = check_lang(lang)
    if not isinstance(changes, RulesetDiff) or not isinstance(effect, Impact | None):
        raise OptionError(f"Expected a RulesetDiff (and an Impact) to render, got {type(changes).__name__}")
    if format == "text":
        parts = [diff_text(changes, language), *([impact_text(effect, language)] if effect is not None else [])]
    elif format == "md":
        parts = [diff_markdown(changes, language),
                 *([impact_markdown(effect, language)] if effect is not None else [])]
    else:
        raise OptionError(f"Expected text or md for format, got {format!r}")
    return "\n\n".join(parts) + "\n"


def error_text(error: Exception, *, lang: str = "vi", rounds: Mapping[str, str] | None = None) -> str:
    """A library error as a person reads it, in ``lang``: a ``FactsError``'s problems (in Vietnamese
    each round by its label, ``rounds``: name -> label), a ruleset not found, a code unknown …"""
    from ..errors import FactsError
    from .messages import facts_error, other_error

    if isinstance(error, FactsError):
        return facts_error(error, check_lang(lang), rounds=rounds)
    return other_error(error, check_lang(lang))
