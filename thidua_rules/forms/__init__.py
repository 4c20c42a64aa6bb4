"""The forms people fill and read: explanations in Vietnamese (or English), the scoring form as
text, Markdown, HTML and xlsx, the standings, CSV and xlsx in, and a template per ruleset.

Everything here reads the results the core produced; nothing here scores.
"""

from .batch import Ranked as Ranked
from .batch import rank_files as rank_files
from .csv_in import read_units_csv as read_units_csv
from .render import error_text as error_text
from .render import explain as explain
from .render import render as render
from .render import render_diff as render_diff
from .render import render_standings as render_standings
from .render import write_standings_xlsx as write_standings_xlsx
from .template import write_template as write_template
from .xlsx import read_form as read_form
from .xlsx import write_xlsx as write_xlsx

__all__ = [
    "Ranked",
    "error_text",
    "explain",
    "rank_files",
    "read_form",
    "read_units_csv",
    "render",
    "render_diff",
    "render_standings",
    "write_standings_xlsx",
    "write_template",
    "write_xlsx",
]
