"""An integrator's and a spreadsheet's bad input (issue 15): the same facts always give the same
number, nothing is dropped silently, and only the library's own errors escape.

Each test here failed on the main branch before the fix it names.
"""

from __future__ import annotations

import decimal
import json
import os
import subprocess
import sys
import threading
import unicodedata
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO
from hypothesis import given, settings
from hypothesis import strategies as st

import thidua_rules as tr

EXAMPLES = REPO / "examples"
TONG_HOP = EXAMPLES / "vpubnd-tayninh-2023" / "tong-hop.json"
BAC_KAN = EXAMPLES / "cum4-2023" / "bac-kan.json"
THIDUA = Path(sys.executable).parent / "thidua"


def _rounds(path: Path) -> dict[str, Any]:
    return dict(tr.read_unit(path).rounds)


def _example_rounds() -> list[tuple[str, str, dict[str, Any]]]:
    """(file, ruleset id, facts) of every round of every example unit file."""
    out = []
    for path in sorted(EXAMPLES.glob("*/*.json")):
        unit = tr.read_unit(path)
        assert unit.ruleset is not None
        rs = tr.rulesets.load(unit.ruleset)
        for name, block in unit.rounds.items():
            try:  # a self round may claim a judged score above its max on purpose (a flag)
                rs.evaluate(block["facts"], trace=False)
            except tr.FactsError:
                continue
            out.append((f"{path.name}:{name}", unit.ruleset, dict(block["facts"])))
    return out


ROUNDS = _example_rounds()
#: Each round's total under Python's default context, the reference the other contexts must give.
EXPECTED = {name: tr.rulesets.load(rid).evaluate(facts).to_dict() for name, rid, facts in ROUNDS}

# ================================================================ 1. the caller's decimal context


def test_the_appraised_total_of_tong_hop_is_exact_at_any_precision() -> None:
    # Was: 953 untraced and 952 traced at prec = 3; 9.1E+2 and an InvalidOperation at prec = 2.
    # The appraised total is 952.5 (tests/test_golden_tayninh.py: 857.5 + 95).
    rs = tr.rulesets.load("vpubnd-tayninh-2023")
    facts = _rounds(TONG_HOP)["appraised"]["facts"]
    for prec in (2, 3, 5):
        with decimal.localcontext() as ctx:
            ctx.prec = prec
            traced, untraced = rs.evaluate(facts), rs.evaluate(facts, trace=False)
            assert traced.total == untraced.total == D("952.5")
            assert traced.percentage == untraced.percentage == D("95.25")  # 952.5 / 1000 × 100
            assert traced.to_dict()["total"] == "952.5"


_CONTEXTS = st.builds(
    lambda prec, rounding, traps, emax: decimal.Context(prec=prec, rounding=rounding, traps=traps, Emax=emax),
    st.integers(1, 30),
    st.sampled_from([decimal.ROUND_DOWN, decimal.ROUND_HALF_EVEN, decimal.ROUND_CEILING, decimal.ROUND_FLOOR,
                     decimal.ROUND_UP, decimal.ROUND_05UP, decimal.ROUND_HALF_DOWN, decimal.ROUND_HALF_UP]),
    st.lists(st.sampled_from([decimal.Inexact, decimal.Rounded, decimal.Overflow, decimal.InvalidOperation,
                              decimal.DivisionByZero, decimal.Subnormal]), unique=True),
    st.integers(3, 999999),
)


@settings(max_examples=40)
@given(_CONTEXTS, st.sampled_from(ROUNDS), st.booleans())
def test_results_do_not_depend_on_the_callers_context(
    context: decimal.Context, case: tuple[str, str, dict[str, Any]], trace: bool
) -> None:
    name, ruleset_id, facts = case
    rs = tr.rulesets.load(ruleset_id)
    with decimal.localcontext(context):
        got = rs.evaluate(facts, trace=trace).to_dict()
    if not trace:
        assert got["total"] == EXPECTED[name]["total"] and got["percentage"] == EXPECTED[name]["percentage"]
        assert {c: node["score"] for c, node in got["nodes"].items()} == {
            c: node["score"] for c, node in EXPECTED[name]["nodes"].items()}
    else:
        assert got == EXPECTED[name]


def test_rank_submission_and_loading_in_a_narrow_context() -> None:
    # Submissions, ranking and loading a ruleset run in the library's context too.
    files = sorted((EXAMPLES / "cum4-2023").glob("*.json"))
    rs = tr.rulesets.load("cum4-2023")

    def standings() -> list[tuple[str, str]]:
        subs = {tr.read_unit(p).unit: rs.evaluate_submission(tr.read_unit(p).rounds, trace=False) for p in files}
        return [(e.unit, str(e.total)) for e in rs.rank(subs)]

    want = standings()
    with decimal.localcontext() as ctx:
        ctx.prec, ctx.traps[decimal.Inexact] = 2, True
        assert standings() == want
        assert tr.loads(rs.source.text).total == D(100)


def test_a_thread_with_its_own_context_gets_the_same_total() -> None:
    rs = tr.rulesets.load("vpubnd-tayninh-2023")
    facts = _rounds(TONG_HOP)["appraised"]["facts"]
    box: list[D] = []

    def worker() -> None:
        decimal.getcontext().prec = 3  # decimal contexts are per thread
        box.append(rs.evaluate(facts, trace=False).total)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert box == [D("952.5")]


# ================================================================ 2. a ranking drops no unit


def test_rank_refuses_two_files_of_one_unit(tmp_path: Path) -> None:
    # Was: one line printed, exit 0: a unit's score lost.
    copy = tmp_path / "copy.json"
    copy.write_text(BAC_KAN.read_text(encoding="utf-8"), encoding="utf-8")
    for second in (str(BAC_KAN), str(copy)):
        done = subprocess.run([str(THIDUA), "rank", "cum4-2023", str(BAC_KAN), second, "--lang", "en"],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 1 and "Traceback" not in done.stderr
        if second == str(BAC_KAN):
            assert f"{BAC_KAN}: the file is given twice; a unit is ranked once" in done.stderr
        else:
            assert f'{copy}: the unit "Sở TTTT Bắc Kạn" is also in {BAC_KAN}; a unit is ranked once' in done.stderr


def test_the_api_refuses_names_that_differ_only_in_form() -> None:
    rs = tr.rulesets.load("cum4-2023")
    facts = _rounds(BAC_KAN)["appraised"]["facts"]
    nfd = unicodedata.normalize("NFD", "Sở Bắc Kạn")
    with pytest.raises(tr.FactsError, match='the same unit as "Sở Bắc Kạn"'):
        rs.rank({"Sở Bắc Kạn": facts, nfd: facts})
    with pytest.raises(tr.FactsError, match='the same unit as "Sở Bắc Kạn"'):
        rs.rank({"Sở Bắc Kạn": facts, "sở  bắc kạn": facts})


def test_a_unit_with_only_its_self_round_is_ranked_as_not_yet_appraised() -> None:
    rs = tr.rulesets.load("cum4-2023")
    rounds = _rounds(BAC_KAN)
    both = rs.evaluate_submission(rounds, unit="A", trace=False)
    only_self = rs.evaluate_submission({"self": rounds["self"]}, unit="B", trace=False)
    standings = rs.rank({"A": both, "B": only_self})
    assert any(note.startswith("chưa thẩm định") for note in standings["B"].notes)
    assert not any(note.startswith("chưa thẩm định") for note in standings["A"].notes)


# ================================================================ 3. no Python error escapes


@pytest.mark.parametrize("value", [10**4301, D("1e999999999999"), D("-1e999999999999"), D("1e-999999999")],
                         ids=["4302 digits", "1e999999999999", "-1e999999999999", "1e-999999999"])
@pytest.mark.parametrize("trace", [True, False])
def test_huge_and_tiny_facts_are_out_of_range(value: object, trace: bool) -> None:
    # Was: ValueError (int to text past 4300 digits) and decimal.Overflow.
    rs = tr.rulesets.load("cum4-2023")
    facts = {**_rounds(BAC_KAN)["appraised"]["facts"], "hang_dti": value}
    with pytest.raises(tr.FactsError) as caught:
        rs.evaluate(facts, trace=trace)
    assert [p.fact for p in caught.value.problems] == ["hang_dti"]
    message = caught.value.problems[0].message
    assert "is out of range" in message and len(message) < 160


def _unit_file(tmp_path: Path, text: str, name: str = "u.json") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _cli(*args: str, env: dict[str, str] | None = None, shell_tail: str = "") -> subprocess.CompletedProcess[str]:
    if shell_tail:
        return subprocess.run(" ".join(f"'{a}'" for a in (str(THIDUA), *args)) + shell_tail, shell=True,
                              capture_output=True, text=True, timeout=120)
    return subprocess.run([str(THIDUA), *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})}, errors="replace")


@pytest.mark.parametrize("number", ["1" * 4301, "1e999999999999"])
def test_huge_numbers_in_a_unit_file(tmp_path: Path, number: str) -> None:
    text = BAC_KAN.read_text(encoding="utf-8").replace('"hang_dti": ', f'"hang_dti": {number}, "x_": ', 1)
    done = _cli("score", str(_unit_file(tmp_path, text)), "--lang", "en")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "hang_dti" in done.stderr and "out of range" in done.stderr
    vi = _cli("score", str(_unit_file(tmp_path, text)))
    assert vi.returncode == 1 and "hang_dti" in vi.stderr and "vượt giới hạn" in vi.stderr


def test_a_100000_deep_unit_file(tmp_path: Path) -> None:
    deep = '{"ruleset": "cum4-2023", "facts": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(tr.FactsError, match="nested too deeply"):
        tr.read_unit(_unit_file(tmp_path, deep))
    toml = "a = " + "[" * 100_000 + "]" * 100_000 + "\n"
    with pytest.raises(tr.FactsError, match="nested too deeply"):
        tr.read_unit(_unit_file(tmp_path, toml, "u.toml"))


def test_output_piped_into_head_and_a_cp1252_console() -> None:
    piped = _cli("score", str(BAC_KAN), shell_tail=" | head -1")
    assert "Traceback" not in piped.stderr and piped.stdout.strip() == "(dữ liệu minh họa / illustrative data)"
    narrow = _cli("score", str(BAC_KAN), env={"PYTHONIOENCODING": "cp1252"})
    assert narrow.returncode == 0 and "Traceback" not in narrow.stderr
    assert "cannot show Vietnamese" in narrow.stderr and "PYTHONIOENCODING=utf-8" in narrow.stderr


def test_a_result_is_indexed_by_text_and_hashes() -> None:
    rs = tr.rulesets.load("cum4-2023")
    facts = _rounds(BAC_KAN)["appraised"]["facts"]
    result = rs.evaluate(facts)
    with pytest.raises(tr.UnknownCodeError, match='no criterion, group or section "1"; codes are text'):
        result[1]  # type: ignore[index]
    assert hash(result) == hash(rs.evaluate(facts)) and len({result, rs.evaluate(facts)}) == 1
    assert hash(result["I.2"]) == hash(rs.evaluate(facts)["I.2"])


def test_read_unit_takes_a_bytes_path_and_refuses_other_things() -> None:
    assert tr.read_unit(os.fsencode(BAC_KAN)).unit == "Sở TTTT Bắc Kạn"
    with pytest.raises(tr.FactsError, match="expected the path of a unit file"):
        tr.read_unit(42)  # type: ignore[arg-type]


def test_the_toolkit_without_hypothesis_says_which_extra_to_install() -> None:
    code = "import sys; sys.modules['hypothesis'] = None; import thidua_rules.testing"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        "thidua_rules.errors.ExtraNeededError: thidua_rules.testing needs hypothesis: install the test extra, "
        "pip install 'thidua_rules[test]'"
    )


# ================================================================ 4. unit files have one strict shape


def _unit(**top: Any) -> str:
    base: dict[str, Any] = {"unit": "Đơn vị", "ruleset": "cum4-2023"}
    return json.dumps({**base, **top}, ensure_ascii=False)


@pytest.mark.parametrize(("text", "fact", "message"), [
    (_unit(facts={}, claim={}), "claim", 'unknown key; did you mean "claims"?'),
    (_unit(rounds={"self": {"facts": {}, "claim": {}}}), "rounds.self.claim", 'unknown key; did you mean "claims"?'),
    (_unit(facts={}, claims=[1, 2]), "claims", "must be an object of criterion codes to claimed scores, not a list"),
    (_unit(facts={}, rounds={}), "facts",
     'give a unit\'s facts either in "rounds" or at the top with "facts", not both'),
    (_unit(facts={}, illustrative="false"), "illustrative", "must be true or false, not text"),
    (_unit(facts=[1, 2]), "facts", "must be an object of fact names to values, not a list"),
    (_unit(rounds={"self": [1]}), "rounds.self", 'must be an object with "facts", not a list'),
])
def test_a_unit_file_with_a_mistake_is_refused(tmp_path: Path, text: str, fact: str, message: str) -> None:
    # Was: each accepted, the mistake dropped silently (and a facts list gave 28 messages).
    path = _unit_file(tmp_path, text)
    with pytest.raises(tr.FactsError) as caught:
        tr.read_unit(path)
    assert [(p.fact, p.message) for p in caught.value.problems] == [(f"{path}: {fact}", message)]


def test_a_key_given_twice_in_one_object(tmp_path: Path) -> None:
    text = BAC_KAN.read_text(encoding="utf-8").replace('"hang_dti": ', '"hang_dti": 60, "hang_dti": ', 1)
    path = _unit_file(tmp_path, text)
    with pytest.raises(tr.FactsError) as caught:
        tr.read_unit(path)
    assert [(p.fact, p.message) for p in caught.value.problems] == [
        (str(path), 'the key "hang_dti" is given twice in one object')]


def test_every_example_file_has_the_strict_shape() -> None:
    for path in EXAMPLES.glob("*/*.json"):
        assert tr.read_unit(path).ruleset is not None


# ================================================================ 5. names that are words of the language


@pytest.mark.parametrize(("decl", "what"), [
    ('fact max "Số văn bản": count', "fact"),
    ('fact total "Tổng": count', "fact"),
    ('let cohort = 1', "derived value"),
    ('let if = 1', "derived value"),
])
def test_a_word_of_the_language_cannot_name_a_fact_or_derived_value(decl: str, what: str) -> None:
    # Was: `fact max` loaded, and `score min(max, 10)` read the criterion's max, not the fact.
    text = ('ruleset "kw" { total 10 }\n' + decl + '\n'
            'section I "I" max 10 {\n    criterion I.1 "x" max 10 { score min(max, 10) }\n}\n')
    with pytest.raises(tr.RulesetError) as caught:
        tr.loads(text, source="kw.thidua")
    name = decl.split()[1]
    first = caught.value.diagnostics[0]
    assert first.message == f'"{name}" is a word of the language and cannot name a {what}'
    assert first.span is not None and (first.span.line, first.span.column) == (2, 1)


def test_a_scale_cannot_be_named_like_a_kind_of_fact() -> None:
    text = 'ruleset "kw" { total 10 }\nscale count { "tốt" > "đạt" }\n'
    with pytest.raises(tr.RulesetError, match='"count" is a word of the language and cannot name a scale'):
        tr.loads(text)


# ================================================================ also: both tone-mark orthographies


def test_levels_in_both_tone_mark_orthographies_are_one_level() -> None:
    text = ('ruleset "dau" { total 10 }\nscale kq { "hoàn thành tốt" > "hoà" > "không" }\n'
            'fact muc "Mức": kq\n'
            'section I "I" max 10 {\n    criterion I.1 "x" max 10 {\n'
            '        score table muc { "hòa": 5, "hoàn thành tốt": 10, otherwise: 0 }\n    }\n}\n')
    rs = tr.loads(text)
    for spelling in ("hoà", "hòa", "HÒA", unicodedata.normalize("NFD", "hòa")):
        assert rs.evaluate({"muc": spelling})["I.1"].score == 5  # the row "hòa": 5 names the level "hoà"
        assert rs.evaluate({"muc": spelling}, trace=False)["I.1"].score == 5


# ================================================================ also: invisible characters, long lines, long chains


def test_a_bom_or_zero_width_space_in_a_fact_name_from_a_csv_header() -> None:
    rs = tr.rulesets.load("cum4-2023")
    facts = dict(_rounds(BAC_KAN)["appraised"]["facts"])
    want = rs.evaluate(facts).total
    value = facts.pop("hang_dti")
    for dirty in ("\ufeffhang_dti", "hang_dti\u200b", "\u00a0hang_dti"):
        cleaned = {**facts, dirty: value}
        assert rs.evaluate(cleaned).total == rs.evaluate(cleaned, trace=False).total == want  # stripped: safe
    with pytest.raises(tr.FactsError) as caught:
        rs.evaluate({**facts, "hang\u200bdti_x": value})
    assert caught.value.problems[0].render() == '"hang\\u200bdti_x": unknown fact; did you mean "hang_dti"?'


def test_a_level_with_a_zero_width_space_is_the_level() -> None:
    rs = tr.rulesets.load("cum4-2023")
    facts = dict(_rounds(BAC_KAN)["appraised"]["facts"])
    level = facts["xep_loai_dang"]
    assert rs.evaluate({**facts, "xep_loai_dang": level.replace(" ", "\u200b ", 1)}).total == rs.evaluate(facts).total


def test_an_18000_character_line_is_excerpted_around_the_caret() -> None:
    title = "Tiêu chí rất dài " * 1000  # a title of 17,000 characters, then a comment of 1,000
    line = f'    criterion A.1 "{title}" max 1 {{ score min(a, khong_co) }} # {"x" * 1000}'
    assert len(line) > 18_000
    text = 'ruleset "x" { total 1 }\nfact a "a": count\nsection A max 1 {\n' + line + "\n}\n"
    with pytest.raises(tr.RulesetError) as caught:
        tr.loads(text)
    rendered = str(caught.value)
    assert max(len(row) for row in rendered.splitlines()) < 200
    excerpt = caught.value.diagnostics[0].render().splitlines()
    source_row, caret_row = excerpt[-2], excerpt[-1]
    start = caret_row.index("^")
    assert source_row[start:].startswith("khong_co") and source_row.rstrip().endswith("…")


def test_3000_chained_lets_give_one_error() -> None:
    # Was: 2,901 errors, one for every let past the 100th.
    lets = "\n".join(["let l0 = a", *(f"let l{i} = l{i - 1} + 1" for i in range(1, 3000))])
    text = (f'ruleset "x" {{ total 1 }}\nfact a "a": count\n{lets}\n'
            'section A max 1 { criterion A.1 "t" max 1 { score min(l2999, 1) } }\n')
    with pytest.raises(tr.RulesetError) as caught:
        tr.loads(text)
    assert [(d.message, d.span.line if d.span else 0) for d in caught.value.diagnostics] == [
        ("derived values read each other more than 100 deep", 103)]  # l100 is on line 3 + 100


# ================================================================ found while documenting unit files


def test_an_untraced_submission_decides_as_the_traced_one() -> None:
    # Was: with trace=False (as `thidua rank` scores) each complete round's scores were lost, so
    # `final highest` fell back to the last round: self 9, appraised 4 gave 4 instead of 9.
    rs = tr.loads('ruleset "fh" {\n    total 10\n    rounds self "Tự chấm", appraised "Thẩm định" final highest\n}\n'
                  'fact a "a": count\nsection I "I" max 10 {\n    criterion I.1 "x" max 10 { score a }\n}\n')
    for trace in (True, False):
        sub = rs.evaluate_submission({"self": {"a": 9}, "appraised": {"a": 4}}, trace=trace)
        assert sub.total == 9  # the higher of 9 and 4
        assert sub.round_scores["self"]["I.1"] == 9 and sub.round_scores["appraised"]["I.1"] == 4
    for path in sorted(EXAMPLES.glob("*/*.json")):
        unit = tr.read_unit(path)
        shipped = tr.rulesets.load(str(unit.ruleset))
        traced = shipped.evaluate_submission(unit.rounds, unit=unit.unit)
        untraced = shipped.evaluate_submission(unit.rounds, unit=unit.unit, trace=False)
        assert untraced.total == traced.total and untraced.round_scores == traced.round_scores, path.name
        assert [r.flags for r in untraced.rows] == [r.flags for r in traced.rows], path.name


def test_not_json_says_so(tmp_path: Path) -> None:
    for text, name in (('{"facts": {},}', "u.json"), ("", "u.json"), ('facts = {"a" = 1', "u.toml")):
        with pytest.raises(tr.FactsError, match=r"not valid (JSON|TOML)"):
            tr.read_unit(_unit_file(tmp_path, text, name))


def test_not_yet_appraised_is_read_from_the_final_round() -> None:
    rs = tr.loads('ruleset "ba" {\n    total 10\n    rounds self "Tự chấm", appraised "Thẩm định", review "Phúc tra"'
                  ' final appraised\n}\nfact a "a": count\nsection I "I" max 10 {\n'
                  '    criterion I.1 "x" max 10 { score a }\n}\n')
    appraised = rs.evaluate_submission({"self": {"a": 9}, "appraised": {"a": 4}}, unit="A")
    only_self = rs.evaluate_submission({"self": {"a": 9}}, unit="B")
    standings = rs.rank({"A": appraised, "B": only_self})
    assert not any("chưa thẩm định" in note for note in standings["A"].notes)
    assert any(note.startswith("chưa thẩm định") for note in standings["B"].notes)


# ================================================================ found in review


def test_a_bad_unit_in_a_process_batch_raises_instead_of_hanging() -> None:
    # Was: the library's errors could not be unpickled, so the pool's result thread died and
    # evaluate_many(processes=2) never returned.
    rs = tr.loads('ruleset "w" { total 5 }\nfact n "n": count\n'
                  'section S "S" max 5 { criterion S.1 "c" max 5 { score n } }')
    with pytest.raises(tr.FactsError, match="a count cannot be negative, got -1"):
        list(rs.evaluate_many([{"n": 1}, {"n": -1}], processes=2, batch=1))


def test_the_library_errors_pickle() -> None:
    import pickle

    errors: list[tr.ThiduaError] = [tr.FactsError([tr.FactProblem("n", "bad")], unit="u"),
                                    tr.UnknownCodeError("X", {"I.1": 1}), tr.UnknownUnitError("B", ["A"])]
    try:
        tr.loads("ruleset")
    except tr.RulesetError as error:
        errors.append(error)
    for error in errors:
        back = pickle.loads(pickle.dumps(error))
        assert type(back) is type(error) and str(back) == str(error)


def test_the_untraced_result_shows_the_maxima_as_the_traced_one() -> None:
    # Was: equal constants were pooled (max 2.50 printed as 2.5), and a section that did not apply
    # showed the largest of its variant maxima on the traced path, the unit's on the untraced one.
    rs = tr.loads('ruleset "m" { total 5 }\nfact a "a": count\nsection A "A" max 5 {\n'
                  '    criterion A.1 "x" max 2.50 { score a }\n    criterion A.2 "y" max 2.5 { score a }\n}\n')
    traced, untraced = rs.evaluate({"a": 1}).to_dict(), rs.evaluate({"a": 1}, trace=False).to_dict()
    # JSON writes every number one way (plain, no trailing zeros): 2.50 and 2.5 are both "2.5".
    assert [traced["nodes"][c]["max"] for c in ("A.1", "A.2")] == ["2.5", "2.5"]
    assert [untraced["nodes"][c]["max"] for c in ("A.1", "A.2")] == ["2.5", "2.5"]
    assert rs.evaluate({"a": 1})["A.1"].max.as_tuple().exponent == -2  # the Decimal keeps what was written
    varied = tr.loads(
        'ruleset "v" {\n    total by { "xã": 20, "huyện": 40 }\n    variants by cap\n}\n'
        'scale cap_don_vi { "huyện" > "xã" }\nfact cap "Cấp": cap_don_vi\nfact mo "Mở": boolean\nfact a "a": count\n'
        'section A "A" max by { "xã": 10, "huyện": 20 } { criterion A.1 "x" max by { "xã": 10, "huyện": 20 } '
        '{ score a } }\nsection B "B" max by { "xã": 10, "huyện": 20 } {\n    applicable if mo\n'
        '    criterion B.1 "y" max by { "xã": 10, "huyện": 20 } { score a }\n}\n')
    unit = {"cap": "xã", "mo": False, "a": 3}
    for trace in (True, False):
        nodes = varied.evaluate(unit, trace=trace).to_dict()["nodes"]
        assert (nodes["B"]["max"], nodes["B.1"]["max"]) == ("10", "10")  # the xã unit's maxima


def test_rounds_and_claims_are_not_dropped_through_the_api() -> None:
    rs = tr.rulesets.load("cum4-2023")
    rounds = _rounds(BAC_KAN)
    cases = [
        ({"appraised": rounds["appraised"], "*": rounds["self"]}, "round *: the round appraised is given twice"),
        ({"self": {**rounds["self"], "claim": {}}}, 'round self: claim: unknown key; did you mean "claims"?'),
        ({"self": {"facts": rounds["self"]["facts"], "claims": [1]}},
         'round self: "claims" must be a mapping of criterion codes to scores'),
    ]
    for submitted, message in cases:
        with pytest.raises(tr.FactsError) as caught:
            rs.evaluate_submission(submitted)
        assert message in [p.render() for p in caught.value.problems]


def test_a_cohort_refuses_one_unit_under_two_names() -> None:
    rs = tr.rulesets.load("cum4-2023")
    facts = _rounds(BAC_KAN)["appraised"]["facts"]
    with pytest.raises(tr.FactsError, match='the same unit as "1"'):
        rs.evaluate_cohort({1: facts, "1": facts})  # type: ignore[dict-item]


@pytest.mark.parametrize(("call", "error"), [
    (lambda: tr.load(1), tr.RulesetError),  # type: ignore[arg-type]
    (lambda: tr.load("a\0b.thidua"), tr.RulesetError),
    (lambda: tr.rulesets.load([1]), tr.RulesetError),  # type: ignore[arg-type]
    (lambda: tr.rulesets.load("cum4-2023").classify(1, {}), tr.EvaluationError),  # type: ignore[arg-type]
    (lambda: tr.rulesets.load("cum4-2023").evaluate({}, cohort="x"), tr.OptionError),  # type: ignore[arg-type]
    (lambda: tr.format_number("1"), tr.OptionError),  # type: ignore[arg-type]
    (lambda: list(tr.rulesets.load("cum4-2023").evaluate_many(1)), tr.OptionError),  # type: ignore[arg-type]
])
def test_bad_arguments_get_the_librarys_errors(call: Any, error: type[tr.ThiduaError]) -> None:
    with pytest.raises(error):
        call()


def test_lookups_by_name_raise_the_librarys_key_errors() -> None:
    rs = tr.rulesets.load("cum4-2023")
    rounds = _rounds(BAC_KAN)
    sub = rs.evaluate_submission(rounds, unit="A")
    standings = rs.rank({"A": sub})
    with pytest.raises(tr.UnknownUnitError, match="no unit 'B' among the units: A"):
        standings["B"]
    with pytest.raises(tr.UnknownCodeError):
        sub.row("X.9")
    with pytest.raises(tr.UnknownCodeError):
        sub.row(1)  # type: ignore[arg-type]
    assert hash(sub) == hash(rs.evaluate_submission(rounds, unit="A")) and isinstance(hash(standings), int)
    assert tr.format_number(12) == "12"


def test_a_self_only_unit_is_classified_as_not_yet_appraised() -> None:
    rs = tr.loads('ruleset "c" {\n    total 10\n}\nfact a "a": count\nsection I "I" max 10 {\n'
                  '    criterion I.1 "x" max 10 { score a }\n}\n'
                  'classify xl "Xếp loại" by total {\n    >= 8: "Tốt"\n    otherwise: "Đạt"\n}\n')
    only_self = rs.evaluate_submission({"self": {"a": 9}}, unit="B")
    appraised = rs.evaluate_submission({"self": {"a": 9}, "appraised": {"a": 9}}, unit="A")
    classes = rs.classify("xl", {"A": appraised, "B": only_self})
    assert any(r.startswith("chưa thẩm định") for r in classes["B"].reasons)
    assert not any(r.startswith("chưa thẩm định") for r in classes["A"].reasons)
