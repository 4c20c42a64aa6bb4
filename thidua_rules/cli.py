"""The thidua command: check a ruleset, score and explain a unit, rank units, write templates.

Uses the public API only."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence

from . import (
    Diagnostic,
    FactProblem,
    FactsError,
    OptionError,
    Ruleset,
    RulesetError,
    ThiduaError,
    UnitFile,
    __version__,
    diff,
    error_text,
    explain,
    format_ruleset,
    impact,
    load,
    rank_files,
    read_form,
    read_unit,
    render,
    render_diff,
    render_standings,
    rulesets,
    run_ruleset_tests,
    scaffold,
    write_standings_xlsx,
    write_template,
    write_xlsx,
)
from . import format_number as plain

DESCRIPTION = """\
Score Vietnamese emulation (thi đua) sheets with checked, explainable rules.

  thidua score UNIT            the unit's scoring form (UNIT: .json, .toml or the form's .xlsx)
  thidua explain UNIT [CODE]   every step of a criterion's score, in words
  thidua rank RULESET UNITS…   standings, awards and classes (UNITS: files, folders, a .csv)
  thidua template RULESET      an empty unit file to fill (json, csv or xlsx)
  thidua diff OLD NEW          what changed between two rulesets (--impact UNITS…: for whom)
  thidua check RULESET         load and check a ruleset
  thidua list                  the shipped rulesets

Output is in Vietnamese unless --lang en is given.
"""

#: Batches larger than this show a progress line on a terminal's error stream.
PROGRESS_FROM = 300


#: The rounds' labels of the ruleset a command scores by: its unit's problems name them.
_LABELS: dict[str, str] = {}


def _ruleset(name: str) -> Ruleset:
    """A ruleset by file path, or a shipped one by id."""
    rs = load(name) if os.path.exists(name) or name.endswith(".thidua") else rulesets.load(name)
    _LABELS.update({r.name: r.label for r in rs.rounds if r.label})
    return rs


def _unit(path: str, ruleset: str | None) -> tuple[UnitFile, Ruleset]:
    """A unit's file (JSON, TOML or the form's xlsx) and the ruleset it is scored by."""
    rs = _ruleset(ruleset) if ruleset else None
    unit = read_form(path, rs) if path.lower().endswith(".xlsx") else read_unit(path)
    if rs is not None:
        _same_ruleset(unit, rs)
    if rs is None:
        if not unit.ruleset:
            raise FactsError([FactProblem(path, 'the file names no ruleset: add "ruleset": "…" or give --ruleset')])
        rs = _ruleset(unit.ruleset)
    return unit, rs


def _same_ruleset(unit: UnitFile, rs: Ruleset) -> None:
    """Refuse a unit's file written for another ruleset than ``--ruleset``, naming both."""
    if not unit.ruleset or unit.ruleset in (rs.id, rs.source.name):
        return
    try:
        named = _ruleset(unit.ruleset).id
    except ThiduaError:
        named = unit.ruleset
    if named != rs.id:
        raise FactsError([FactProblem(unit.path, f'the file is for the ruleset "{unit.ruleset}", not "{rs.id}"')])


def _write(text: str, out: str | None) -> None:
    if out is None:
        print(text, end="" if text.endswith("\n") else "\n")
        return
    try:
        with open(out, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as error:
        raise FactsError([FactProblem(out, f"cannot write: {error.strerror or error}")]) from None


def _json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _score(args: argparse.Namespace) -> int:
    unit, rs = _unit(args.unit, args.ruleset)
    fmt = "json" if args.json else args.format
    sub = rs.evaluate_submission(unit.rounds, unit=unit.unit)
    if fmt == "json":
        _write(_json(sub.to_dict()), args.output)
    elif fmt == "xlsx":
        if not args.output:
            raise OptionError("the xlsx form is written to a file: give -o FILE.xlsx")
        write_xlsx(rs, sub, args.output, lang=args.lang, explanations=unit.explanations,
                   illustrative=unit.illustrative, given=unit.rounds)
    else:
        _write(render(rs, sub, format=fmt, lang=args.lang, explanations=unit.explanations,
                      illustrative=unit.illustrative), args.output)
    return 0


def _explain(args: argparse.Namespace) -> int:
    unit, rs = _unit(args.unit, args.ruleset)
    sub = rs.evaluate_submission(unit.rounds, unit=unit.unit)
    _write(explain(rs, sub, args.code, lang=args.lang), args.output)
    return 0


def _progress(done: int, total: int) -> None:
    if total <= PROGRESS_FROM:
        return
    if done == total or done % 50 == 0:
        end = "\n" if done == total else ""
        print(f"\rthidua: {done}/{total}", end=end, file=sys.stderr, flush=True)


def _rank(args: argparse.Namespace) -> int:
    rs = _ruleset(args.ruleset)
    ranked = rank_files(rs, args.units, progress=_progress if sys.stderr.isatty() else None)
    fmt = "json" if args.json else args.format
    if fmt == "json":
        data = ranked.standings.to_dict()
        data["classifications"] = [c.to_dict() for c in ranked.classifications]
        _write(_json(data), args.output)
    elif fmt == "xlsx":
        if not args.output:
            raise OptionError("the standings workbook is written to a file: give -o FILE.xlsx")
        write_standings_xlsx(rs, ranked.standings, args.output, submissions=ranked.submissions,
                             classifications=ranked.classifications, lang=args.lang,
                             explanations={n: u.explanations for n, u in ranked.units.items()},
                             given={n: u.rounds for n, u in ranked.units.items()})
    else:
        _write(render_standings(rs, ranked.standings, ranked.classifications, format=fmt, lang=args.lang),
               args.output)
    return 0


def _template(args: argparse.Namespace) -> int:
    rs = _ruleset(args.ruleset)
    text = write_template(rs, args.format, args.output if args.format == "xlsx" else None, lang=args.lang)
    if args.format != "xlsx":
        _write(text, args.output)
    return 0


def _check(args: argparse.Namespace) -> int:
    rs = _ruleset(args.ruleset)
    for warning in rs.warnings:
        print(warning.render())
    total = plain(rs.total) if rs.total is not None else "—"
    print(f"{rs.id}: ok ({len(rs.criteria)} criteria, total {total}, {len(rs.warnings)} warning(s))")
    unbounded = rs.open_nodes
    if unbounded:
        print(f"không giới hạn (no max): {', '.join(unbounded)}")
    return 0


def _read_text(path: str) -> str:
    """A ruleset file's text; an unreadable file is a ``RulesetError`` naming it."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise RulesetError([Diagnostic("error", f"cannot read {path}: {reason}", None)]) from None


def _format_files(args: argparse.Namespace) -> int:
    """``thidua fmt``: rewrite each file in the canonical layout, comments kept; ``--check`` only
    names the files that would change (exit status 1 if any). Every file is tried."""
    changed: list[str] = []
    problems: list[Diagnostic] = []
    for path in args.files:
        try:
            text = _read_text(path)
            formatted = format_ruleset(text, source=path)
        except RulesetError as error:
            problems.extend(error.diagnostics)
            continue
        if formatted == text.replace("\r\n", "\n"):
            continue
        changed.append(path)
        if not args.check:
            with open(path, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(formatted)
    for path in changed:
        print(f"would reformat {path}" if args.check else f"reformatted {path}")
    if problems:
        raise RulesetError(problems)
    return 1 if args.check and changed else 0


def _unit_files(given: Sequence[str]) -> list[str]:
    """The unit files named, a folder standing for its ``*.json`` and ``*.toml`` files (sorted)."""
    files: list[str] = []
    for path in given:
        if os.path.isdir(path):
            files += sorted(os.path.join(path, f) for f in os.listdir(path) if f.endswith((".json", ".toml")))
        else:
            files.append(path)
    return files


def _diff(args: argparse.Namespace) -> int:
    """``thidua diff OLD NEW``: the semantic difference, and with ``--impact`` each unit's change."""
    old, new = _ruleset(args.old), _ruleset(args.new)
    changes = diff(old, new)
    effect = None
    if args.impact:
        units: dict[str, Mapping[str, object]] = {}
        for path in _unit_files(args.impact):
            unit = read_unit(path)
            if unit.unit in units:
                raise FactsError([FactProblem(path, f'the unit "{unit.unit}" is given twice')])
            units[unit.unit] = unit.rounds
        effect = impact(old, new, units)
    if args.format == "json":
        data: dict[str, object] = {"diff": changes.to_dict()}
        if effect is not None:
            data["impact"] = effect.to_dict()
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(render_diff(changes, effect, format=args.format, lang=args.lang), end="")
    return 0


def _test(args: argparse.Namespace) -> int:
    """``thidua test FILE...``: one line per failure (unit, code, expected, got, the first step
    that gives the value got); exit status 1 if any."""
    failures = run_ruleset_tests(args.files)
    for failure in failures:
        print(failure.line())
    if failures:
        print(f"{len(failures)} failure(s)", file=sys.stderr)
        return 1
    print(f"ok: {len(args.files)} test file(s)")
    return 0


def _new(args: argparse.Namespace) -> int:
    """``thidua new --from BASE --year YEAR [-o FILE]``: next year's ruleset as an extension."""
    text = scaffold(args.base, args.year, output=args.output)
    if args.output is None:
        print(text, end="")
        return 0
    if os.path.exists(args.output):
        raise RulesetError([Diagnostic("error", f"{args.output} exists; it is left as it is", None,
                                       "give another -o, or remove the file first")])
    with open(args.output, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    print(f"wrote {args.output}: extends {args.base}, year {args.year}")
    return 0


def _show(args: argparse.Namespace) -> int:
    """``thidua show RULESET``: the sheet as JSON, each row with where it was defined and overridden."""
    print(json.dumps(_ruleset(args.ruleset).to_dict(), ensure_ascii=False, indent=2))
    return 0


def _common(p: argparse.ArgumentParser, formats: Sequence[str] | None, default: str = "text") -> None:
    if formats:
        p.add_argument("--format", choices=formats, default=default, help=f"output format (default: {default})")
    p.add_argument("-o", "--output", metavar="OUT", help="write to this file instead of the screen")
    p.add_argument("--lang", choices=("vi", "en"), default="vi", help="language of the output (default: vi)")


def parser() -> argparse.ArgumentParser:
    """The command line's parser (its help is plain text)."""
    top = argparse.ArgumentParser(prog="thidua", description=DESCRIPTION,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    top.add_argument("--version", action="version", version=f"thidua {__version__}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = sub.add_parser("check", help="parse and check a ruleset (path or shipped id)")
    check.add_argument("ruleset")
    check.set_defaults(run=_check)
    score = sub.add_parser("score", help="score one unit's file and print its form")
    score.add_argument("unit", help="the unit's file: .json, .toml or the form's .xlsx")
    score.add_argument("--ruleset", help='path or shipped id (default: the file\'s "ruleset")')
    _common(score, ("text", "json", "md", "html", "xlsx"))
    score.add_argument("--json", action="store_true", help="the same as --format json")
    score.set_defaults(run=_score)
    expl = sub.add_parser("explain", help="every step of one criterion's score (or the whole unit's), in words")
    expl.add_argument("unit", help="the unit's file: .json, .toml or the form's .xlsx")
    expl.add_argument("code", nargs="?", help="a criterion, group or section code such as I.2 (default: all)")
    expl.add_argument("--ruleset", help='path or shipped id (default: the file\'s "ruleset")')
    _common(expl, None)
    expl.set_defaults(run=_explain)
    ranking = sub.add_parser("rank", help="rank units' files, give the awards and the classes")
    ranking.add_argument("ruleset")
    ranking.add_argument("units", nargs="+", help="unit files, folders of them, or .csv files with a row per unit")
    _common(ranking, ("text", "json", "md", "html", "xlsx"))
    ranking.add_argument("--json", action="store_true", help="the same as --format json")
    ranking.set_defaults(run=_rank)
    template = sub.add_parser("template", help="an empty unit file listing every fact to fill")
    template.add_argument("ruleset")
    _common(template, ("json", "xlsx", "csv"), "json")
    template.set_defaults(run=_template)
    fmt = sub.add_parser("fmt", help="rewrite ruleset files in the canonical layout, comments kept")
    fmt.add_argument("files", nargs="+", metavar="FILE")
    fmt.add_argument("--check", action="store_true", help="change nothing; name the files that would change")
    fmt.set_defaults(run=_format_files)
    differ = sub.add_parser("diff", help="what changed between two rulesets, and its impact on units")
    differ.add_argument("old", help="path or shipped id")
    differ.add_argument("new", help="path or shipped id")
    differ.add_argument("--format", choices=("text", "json", "md"), default="text")
    differ.add_argument("--impact", nargs="+", metavar="UNITS", help="unit files, or a folder of them")
    differ.add_argument("--lang", choices=("vi", "en"), default="vi", help="language of the output (default: vi)")
    differ.set_defaults(run=_diff)
    tests = sub.add_parser("test", help="run ruleset test files (TOML): units and their expected scores")
    tests.add_argument("files", nargs="+", metavar="FILE")
    tests.set_defaults(run=_test)
    new = sub.add_parser("new", help="write next year's ruleset as an extension of a ruleset")
    new.add_argument("--from", dest="base", required=True, help="shipped id or path of the base")
    new.add_argument("--year", type=int, required=True)
    new.add_argument("-o", "--output", help="the file to write (default: print it)")
    new.set_defaults(run=_new)
    show = sub.add_parser("show", help="print a ruleset's rows as JSON, with their provenance")
    show.add_argument("ruleset")
    show.set_defaults(run=_show)
    sub.add_parser("list", help="list the shipped rulesets").set_defaults(
        run=lambda a: print("\n".join(f"{s.id}  {s.year}  {s.title}" for s in rulesets.available())) or 0
    )
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    _console()
    _LABELS.clear()
    try:
        return int(args.run(args))
    except ThiduaError as error:
        # The ruleset author's tools (check, fmt, test, new, show) have no --lang: a unit's facts
        # are said in Vietnamese, their ruleset diagnostics as the checker words them.
        lang = getattr(args, "lang", None)
        if lang is None and not isinstance(error, FactsError):
            print(str(error), file=sys.stderr)
        else:
            print(error_text(error, lang=lang or "vi", rounds=_LABELS), file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader stopped early (``thidua score … | head``): not an error of ours. Point stdout
        # at devnull so that Python's flush at exit does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141  # as a process killed by SIGPIPE


#: A word every console must be able to show for Vietnamese output to read right.
_PROBE = "Điểm thẩm định ữ"


def _console() -> None:
    """On a console whose encoding cannot show Vietnamese, replace what it cannot show (and say so
    once) instead of failing on the first accented letter."""
    unable = []
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "utf-8"
        try:
            _PROBE.encode(encoding)
        except (UnicodeEncodeError, LookupError):
            unable.append(encoding)
            reconfigure = getattr(stream, "reconfigure", None)
            if reconfigure is not None:
                reconfigure(errors="replace")
    if unable:
        print(f"thidua: the console's encoding ({unable[0]}) cannot show Vietnamese; letters it lacks "
              "are shown as '?'. Set PYTHONIOENCODING=utf-8 for the full text.", file=sys.stderr)
