"""Words for people: the "did you mean" suggestion for a mistyped name or level."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from .source import fold, unaccent


def suggest(word: str, candidates: Iterable[str]) -> str | None:
    """``did you mean "x"?`` for the closest candidate, or None."""
    pool = list(candidates)
    folded = {fold(c): c for c in pool}
    if fold(word) in folded:
        return f'did you mean "{folded[fold(word)]}"?'
    plain = {unaccent(c): c for c in pool}  # a word typed without its accents
    close = difflib.get_close_matches(unaccent(word), list(plain), n=1, cutoff=0.6)
    if close:
        return f'did you mean "{plain[close[0]]}"?'
    close = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    return f'did you mean "{close[0]}"?' if close else None
