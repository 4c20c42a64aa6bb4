"""An empty unit file for a ruleset, listing every fact and judged score with its label, kind,
bounds and levels: JSON (read back by ``read_unit``), CSV (for ``thidua rank``) or xlsx (the form)."""

from __future__ import annotations

import csv
import io
import json
import os
from typing import Any

from ..errors import OptionError
from ..numbers import plain
from ..ruleset import Ruleset
from .locale import check_lang
from .sheet import blank_sheet, describe

TEMPLATE_FORMATS = ("json", "csv", "xlsx")


def fields(rs: Ruleset, lang: str = "vi") -> dict[str, dict[str, Any]]:
    """Every input of a unit: label, kind, bounds, levels, default, the criterion it scores."""
    language = check_lang(lang)
    out = {}
    for name, spec in rs.facts.items():
        entry: dict[str, Any] = {"label": spec.label or name, "kind": spec.kind, "how": describe(spec, language)}
        if spec.low is not None:
            entry["low"] = plain(spec.low)
        if spec.high is not None:
            entry["high"] = plain(spec.high)
        if spec.levels:
            entry["levels"] = list(spec.levels)
        if spec.default is not None:
            entry["default"] = plain(spec.default) if not isinstance(spec.default, bool | str) else spec.default
        if spec.criterion:
            entry["criterion"] = spec.criterion
        entry["required"] = spec.required
        out[name] = entry
    return out


def template_json(rs: Ruleset, lang: str = "vi") -> str:
    """The JSON template: ``unit`` and every fact of the first round left empty (``null``)."""
    first = rs.rounds[0].name if rs.rounds else None
    facts = {name: None for name in rs.facts}
    body: dict[str, Any] = {"unit": "", "ruleset": rs.id}
    if first is not None and len(rs.rounds) > 1:
        body["rounds"] = {first: {"facts": facts}}
    else:
        body["facts"] = facts
    body["explanations"] = {}
    body["fields"] = fields(rs, lang)
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def template_csv(rs: Ruleset, lang: str = "vi") -> str:
    """The CSV template: a header of fact names, then two comment rows of labels and kinds."""
    info = fields(rs, lang)
    vi = check_lang(lang) == "vi"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Đơn vị" if vi else "unit", *rs.facts])
    writer.writerow(["# nội dung" if vi else "# label", *(info[n]["label"] for n in rs.facts)])
    writer.writerow(["# cách ghi" if vi else "# how to fill", *(info[n]["how"] for n in rs.facts)])
    return out.getvalue()


def write_template(rs: Ruleset, format: str, out: str | os.PathLike[str] | None = None, *, lang: str = "vi") -> str:
    """The template as text (json, csv), or written to ``out`` (xlsx needs ``out``)."""
    if format == "json":
        return template_json(rs, lang)
    if format == "csv":
        return template_csv(rs, lang)
    if format == "xlsx":
        if out is None:
            raise OptionError("an .xlsx template is written to a file: give its path (-o FILE.xlsx)")
        from .xlsx import write_sheet

        write_sheet(blank_sheet(rs, lang=check_lang(lang)), out)
        return ""
    raise OptionError(f"Expected one of {', '.join(TEMPLATE_FORMATS)} for format, got {format!r}")
