"""The formatter (``thidua fmt``, ``format_ruleset``): canonical layout, every comment kept where
it was written, idempotent, and the formatted ruleset scores the same. The shipped rulesets are
formatted: ``thidua fmt --check rulesets/*.thidua`` runs here, so it is part of the test command."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import thidua_rules as tr
from thidua_rules import cli
from thidua_rules.language.formatter import comments
from thidua_rules.language.printer import print_ruleset
from thidua_rules.source import Source
from thidua_rules.testing import facts, fuzzing

REPO = Path(__file__).resolve().parent.parent
SHIPPED = sorted((REPO / "rulesets").glob("*.thidua"))
SHAPES = sorted((REPO / "examples" / "shapes").glob("*.thidua"))


def comment_texts(text: str) -> Counter[str]:
    return Counter(c.text for c in comments(Source("x", text)))


def test_fmt_check_passes_on_the_shipped_rulesets(capsys: object) -> None:
    assert cli.main(["fmt", "--check", *map(str, SHIPPED)]) == 0


def test_every_comment_of_the_shipped_and_example_rulesets_is_kept() -> None:
    for path in [*SHIPPED, *SHAPES]:
        text = path.read_text(encoding="utf-8")
        formatted = tr.format_ruleset(text)
        assert comment_texts(formatted) == comment_texts(text), path.name
        assert tr.format_ruleset(formatted) == formatted, path.name


SCATTERED = '''# before the header
ruleset "x" {   # on the header line
    total 10
    # before the header's end
}
# before a fact

fact a "a (# not a comment)": count   # after a fact
section I "Mục I" max 10 {
    # before a criterion
    criterion I.1 "Dòng 1" max 10 {
        score table a {
            <= 1: 10   # top tier
            otherwise: 0 }
    }   # after the criterion
    # at the end of section I
}
# at the end of the file
'''

SCATTERED_FORMATTED = '''# before the header
ruleset "x" {  # on the header line
    total 10
    # before the header's end
}

# before a fact

fact a "a (# not a comment)": count  # after a fact

section I "Mục I" max 10 {
    # before a criterion
    criterion I.1 "Dòng 1" max 10 {
        score table a {
            <= 1: 10,  # top tier
            otherwise: 0,
        }
    }  # after the criterion
    # at the end of section I
}
# at the end of the file
'''


def test_each_comment_goes_back_where_it_was_written() -> None:
    assert tr.format_ruleset(SCATTERED) == SCATTERED_FORMATTED
    assert tr.format_ruleset(SCATTERED_FORMATTED) == SCATTERED_FORMATTED


def test_two_trailing_comments_on_one_printed_line_stay_two() -> None:
    text = 'ruleset "x" { total 1 }\nfact a "a": count\nsection I max 1 {\n    criterion I.1 "t" max 1 {\n' \
        '        score min(a,   # one\n            1)   # two\n    }\n}\n'
    formatted = tr.format_ruleset(text)
    # The first keeps the line end; the second goes on its own line before it.
    assert "        # two\n        score min(a, 1)  # one\n" in formatted
    assert comment_texts(formatted) == comment_texts(text)
    assert tr.format_ruleset(formatted) == formatted


def test_fmt_rewrites_and_check_names_the_files(tmp_path: Path, capsys: object) -> None:
    messy = tmp_path / "messy.thidua"
    messy.write_text('ruleset "m" { total 1 }  # id m\nsection I max 1 { criterion I.1 "t" max 1 { score 1 } }\n',
                     encoding="utf-8")
    tidy = tmp_path / "tidy.thidua"
    tidy.write_text(tr.format_ruleset(messy.read_text(encoding="utf-8")), encoding="utf-8")
    before = messy.read_text(encoding="utf-8")
    assert cli.main(["fmt", "--check", str(messy), str(tidy)]) == 1
    assert capsys.readouterr().out == f"would reformat {messy}\n"  # type: ignore[attr-defined]
    assert messy.read_text(encoding="utf-8") == before
    assert cli.main(["fmt", str(messy)]) == 0
    assert cli.main(["fmt", "--check", str(messy)]) == 0
    assert "# id m" in messy.read_text(encoding="utf-8")


def test_fmt_reports_a_syntax_error_and_an_unreadable_file_without_a_traceback(tmp_path: Path, capsys: object) -> None:
    bad = tmp_path / "bad.thidua"
    bad.write_text('ruleset "x" {\n', encoding="utf-8")
    assert cli.main(["fmt", str(bad), str(tmp_path / "missing.thidua")]) == 1
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert f"{bad}:1:14: error: syntax error: unexpected end of file" in err
    assert f"cannot read {tmp_path / 'missing.thidua'}" in err
    assert "Traceback" not in err


@st.composite
def commented(draw: st.DrawFn) -> str:
    """A generated ruleset with comments put at random line ends and on lines of their own."""
    lines = draw(fuzzing.rulesets()).splitlines()
    out = []
    for i, line in enumerate(lines):
        if draw(st.integers(0, 3)) == 0:
            out.append(f"# chú thích {i} trước")
        if draw(st.integers(0, 3)) == 0 and line.strip():
            line += f"  # chú thích {i} sau"
        out.append(line)
    return "\n".join(out) + "\n"


@settings(deadline=None, max_examples=20, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_formatting_is_idempotent_keeps_comments_and_scores_the_same(data: st.DataObject) -> None:
    text = data.draw(commented(), label="ruleset")
    once = tr.format_ruleset(text)
    assert tr.format_ruleset(once) == once
    assert comment_texts(once) == comment_texts(text)
    before, after = tr.loads(text), tr.loads(once)
    unit = data.draw(facts(before), label="unit")
    assert after.evaluate(unit).to_dict() == before.evaluate(unit).to_dict()


@settings(deadline=None, max_examples=20, suppress_health_check=[HealthCheck.too_slow])
@given(fuzzing.syntax_trees(), st.data())
def test_comments_among_every_construct_are_kept_and_formatting_is_idempotent(
    tree: object, data: st.DataObject
) -> None:
    # syntax_trees reach every header item and declaration (they parse, they need not check).
    lines = print_ruleset(tree).splitlines()  # type: ignore[arg-type]
    out = []
    for i, line in enumerate(lines):
        if data.draw(st.integers(0, 3)) == 0:
            out.append(f"# c{i} trước")
        if data.draw(st.integers(0, 2)) == 0 and line.strip():
            line += f"  # c{i} sau"
        out.append(line)
    text = "\n".join(out) + "\n"
    once = tr.format_ruleset(text)
    assert tr.format_ruleset(once) == once
    assert comment_texts(once) == comment_texts(text)
