"""The ``thidua`` command: check a ruleset, score a unit, rank units. Uses the public API only."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from decimal import Decimal

from . import (
    Diagnostic,
    FactProblem,
    FactsError,
    Ruleset,
    RulesetError,
    Submission,
    ThiduaError,
    diff,
    format_ruleset,
    impact,
    load,
    read_unit,
    rulesets,
    run_ruleset_tests,
    scaffold,
)
from . import format_number as plain


def _ruleset(name: str) -> Ruleset:
    """A ruleset by file path, or a shipped one by id."""
    if os.path.exists(name) or name.endswith(".thidua"):
        return load(name)
    return rulesets.load(name)


def _fmt(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return plain(value)


def _short(text: str | None, width: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def render_submission(rs: Ruleset, sub: Submission) -> str:
    """The scoring form as text: one line per row, each round's score, difference, flags."""
    rounds = list(sub.round_scores)
    labels = {r.name: r.label for r in rs.rounds}
    # A final column is needed when the final score is not simply one complete round's.
    extra = sub.final_round not in sub.rounds or len(sub.rounds) < len(rounds)
    final_label = labels.get(sub.final_round, "Điểm cuối cùng") if not extra else "Điểm cuối cùng"
    head = f"{rs.title or rs.id}\nĐơn vị: {sub.unit or '—'}\n"
    names = [*(labels.get(r, r) for r in rounds), *([final_label] if extra else [])]
    columns = ["Mã", "Tiêu chí", "Tối đa", *names, "Chênh lệch"]
    widths = [8, 52, 7, *(max(10, len(name)) for name in names), 10]
    lines = [head, "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    for row in sub.rows:
        indent = "" if not row.is_criterion else "  "
        cells = [
            indent + row.code, _short(row.title, 52 - len(indent)), _fmt(row.max),
            *(_fmt(row.scores[r]) for r in rounds), *([_fmt(row.final)] if extra else []),
            _fmt(row.difference),
        ]
        lines.append("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())
        for flag in row.flags:
            lines.append(f"{'':10}! {flag}")
    final = sub.final
    lines.append("")
    lines.append(
        f"Tổng ({final_label}): {_fmt(final.total)} = "
        f"điểm chuẩn {_fmt(final.standard)} + điểm cộng {_fmt(final.bonus)} − điểm trừ {_fmt(final.deductions)}"
    )
    for r in rounds:
        if r != sub.final_round and r in sub.rounds:
            lines.append(f"Tổng ({labels.get(r, r)}): {_fmt(sub.rounds[r].total)}")
    assumptions = sorted({a for node in final for a in node.assumptions})
    if assumptions:
        lines.append("")
        lines.append("Giả định (văn bản nguồn không quy định rõ):")
        lines += [f"  - {a}" for a in assumptions]
    return "\n".join(lines)


def _score(args: argparse.Namespace) -> int:
    unit = read_unit(args.unit)
    if not (args.ruleset or unit.ruleset):
        raise FactsError([FactProblem(args.unit, 'the file names no ruleset: add "ruleset": "…" or give --ruleset')])
    rs = _ruleset(args.ruleset or unit.ruleset or "")
    sub = rs.evaluate_submission(unit.rounds, unit=unit.unit)
    if args.json:
        print(json.dumps(sub.to_dict(), ensure_ascii=False, indent=2))
    else:
        if unit.illustrative:
            print("(dữ liệu minh họa / illustrative data)")
        print(render_submission(rs, sub))
    return 0


def _rank(args: argparse.Namespace) -> int:
    rs = _ruleset(args.ruleset)
    units = {}
    files: dict[str, str] = {}
    for path in args.units:
        unit = read_unit(path)
        if unit.unit in files:
            if os.path.samefile(files[unit.unit], path):
                raise FactsError([FactProblem(path, "the file is given twice; a unit is ranked once")])
            raise FactsError([FactProblem(path, f'the unit "{unit.unit}" is also in {files[unit.unit]}; '
                                          "a unit is ranked once")])
        files[unit.unit] = path
        if unit.ruleset and unit.ruleset != args.ruleset and _ruleset(unit.ruleset).id != rs.id:
            raise FactsError([FactProblem(path, f'the file is for the ruleset "{unit.ruleset}", not "{rs.id}"')])
        units[unit.unit] = rs.evaluate_submission(unit.rounds, unit=unit.unit, trace=False)
    standings = rs.rank(units)
    if args.json:
        print(json.dumps(standings.to_dict(), ensure_ascii=False, indent=2))
        return 0
    for entry in standings:
        award = f"  [{entry.award_title}]" if entry.award_title else ""
        print(f"{entry.position:>3}. {entry.unit:<40} {_fmt(entry.total):>8}{award}")
        for note in entry.notes:
            print(f"       - {note}")
    for name, units_ in standings.contested.items():
        print(f"! {name}: tied at the boundary: {', '.join(units_)}")
    return 0


def _check(args: argparse.Namespace) -> int:
    rs = _ruleset(args.ruleset)
    for warning in rs.warnings:
        print(warning.render())
    print(f"{rs.id}: ok ({len(rs.criteria)} criteria, total {_fmt(rs.total)}, {len(rs.warnings)} warning(s))")
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
    elif args.format == "md":
        print(changes.markdown())
        if effect is not None:
            print()
            print(effect.markdown())
    else:
        print(changes.text())
        if effect is not None:
            print()
            print(effect.text())
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="thidua", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="parse and check a ruleset (path or shipped id)")
    check.add_argument("ruleset")
    check.set_defaults(run=_check)
    score = sub.add_parser("score", help="score one unit's file (JSON or TOML)")
    score.add_argument("unit")
    score.add_argument("--ruleset", help="path or shipped id (default: the file's \"ruleset\")")
    score.add_argument("--json", action="store_true", help="print the full result as JSON")
    score.set_defaults(run=_score)
    ranking = sub.add_parser("rank", help="rank several units' files and give the awards")
    ranking.add_argument("ruleset")
    ranking.add_argument("units", nargs="+")
    ranking.add_argument("--json", action="store_true")
    ranking.set_defaults(run=_rank)
    fmt = sub.add_parser("fmt", help="rewrite ruleset files in the canonical layout, comments kept")
    fmt.add_argument("files", nargs="+", metavar="FILE")
    fmt.add_argument("--check", action="store_true", help="change nothing; name the files that would change")
    fmt.set_defaults(run=_format_files)
    differ = sub.add_parser("diff", help="what changed between two rulesets, and its impact on units")
    differ.add_argument("old", help="path or shipped id")
    differ.add_argument("new", help="path or shipped id")
    differ.add_argument("--format", choices=("text", "json", "md"), default="text")
    differ.add_argument("--impact", nargs="+", metavar="UNITS", help="unit files, or a folder of them")
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
    args = parser.parse_args(argv)
    _console()
    try:
        return int(args.run(args))
    except ThiduaError as error:
        print(str(error), file=sys.stderr)
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
