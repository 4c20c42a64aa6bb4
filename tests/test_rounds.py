"""Scoring rounds: any number of named rounds, partial rounds, and the declared final rule."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

import thidua_rules as tr

BODY = '''
fact n "số văn bản": count
section A "A" max 20 {
    criterion A.1 "văn bản (2đ/văn bản)" max 10 { score 2 * n }
    criterion A.2 "chấm" max 10 { score assessed }
}
'''


def ruleset(final: str) -> tr.Ruleset:
    return tr.loads(
        'ruleset "r" { total 20 rounds self "Tự chấm", first "Thẩm định lần 1", '
        f'explain "Giải trình", second "Thẩm định lần 2" final {final} }}' + BODY
    )


ROUNDS = {
    "self": {"n": 5, "A.2": 9},       # A.1 = 2 × 5 = 10, A.2 = 9
    "first": {"n": 3, "A.2": 6},      # A.1 = 2 × 3 = 6,  A.2 = 6
    "explain": {"A.2": 8},            # partial: only A.2 (the unit explains), 8
    "second": {"n": 4},               # partial: only A.1 = 2 × 4 = 8
}


def test_last_round_that_scored_each_criterion() -> None:
    sub = ruleset("last").evaluate_submission(ROUNDS)
    # A.1: last scored in "second" → 8; A.2: last scored in "explain" → 8; total 16
    assert (sub.row("A.1").final, sub.row("A.1").decided_by) == (D(8), "second")
    assert (sub.row("A.2").final, sub.row("A.2").decided_by) == (D(8), "explain")
    assert sub.total == D(16)
    assert dict(sub.row("A.1").scores) == {"self": D(10), "first": D(6), "explain": None, "second": D(8)}
    assert sub.row("A.1").difference == D(-2)  # final 8 − self 10
    step = sub.final["A.2"].trace[-1]
    assert (step.rule, step.operands, step.value) == ("final", (D(9), D(6), D(8)), D(8))
    assert step.note == "explain: the last round that scored it"
    assert set(sub.rounds) == {"self", "first"}  # only complete rounds have a full result


def test_highest_and_lowest() -> None:
    high = ruleset("highest").evaluate_submission(ROUNDS)
    # A.1: max(10, 6, 8) = 10 (self); A.2: max(9, 6, 8) = 9 (self); 10 + 9 = 19
    assert (high.row("A.1").final, high.row("A.1").decided_by) == (D(10), "self")
    assert high.total == D(19)
    low = ruleset("lowest").evaluate_submission(ROUNDS)
    # A.1: min(10, 6, 8) = 6 (first); A.2: min(9, 6, 8) = 6 (first); 6 + 6 = 12
    assert low.total == D(12)
    assert low.row("A.2").reason == "the lowest score of the rounds that scored it"


def test_override_by_a_named_round() -> None:
    sub = ruleset("first").evaluate_submission(ROUNDS)
    # "first" scored both: A.1 = 6, A.2 = 6, total 12, whatever later rounds said
    assert sub.total == D(12)
    assert sub.row("A.1").reason == "the first round decides"
    only_later = ruleset("first").evaluate_submission({"self": {"n": 1, "A.2": 3}, "second": {"n": 2}})
    # "first" is absent: A.1 falls back to the last round that scored it (second: 2 × 2 = 4),
    # A.2 to self (3): 4 + 3 = 7
    assert only_later.total == D(7)
    assert only_later.row("A.1").reason == "the last round that scored it (first did not)"


def test_a_criterion_no_round_scored_is_reported() -> None:
    with pytest.raises(tr.FactsError) as info:
        ruleset("last").evaluate_submission({"self": {"n": 1}})
    assert [p.fact for p in info.value.problems] == ["self: A.2"]


def test_unknown_final_rule_is_a_ruleset_error() -> None:
    with pytest.raises(tr.RulesetError) as info:
        ruleset("hightest")
    assert 'unknown final round "hightest"' in str(info.value)
    assert 'did you mean "highest"?' in str(info.value)


def test_a_single_round_file_is_scored_as_the_last_round(tmp_path: pytest.TempPathFactory) -> None:
    import json
    from pathlib import Path

    from thidua_rules.io.units import read_unit

    rs_path = Path(str(tmp_path)) / "r.thidua"
    rs_path.write_text('ruleset "r" { total 20 rounds self "Tự chấm", council "Hội đồng" }' + BODY, encoding="utf-8")
    unit_path = Path(str(tmp_path)) / "u.json"
    unit_path.write_text(json.dumps({"ruleset": "r.thidua", "facts": {"n": 2, "A.2": 7}}), encoding="utf-8")
    unit = read_unit(unit_path)
    assert unit.ruleset == str(rs_path)  # relative to the unit file's folder
    sub = tr.load(unit.ruleset).evaluate_submission(unit.rounds)
    assert list(sub.rounds) == ["council"]  # the ruleset's last round
    assert sub.total == D(11)  # 2 × 2 + 7


def test_a_judged_score_above_its_variant_max_is_flagged_in_a_submission() -> None:
    rs = tr.loads('''
ruleset "v" { variants by cap total by { "xã": 10, "huyện": 30 } }
scale cap_don_vi { "huyện" > "xã" }
fact cap "Cấp": cap_don_vi
section A "A" max by { "xã": 10, "huyện": 30 } {
    criterion A.1 "chấm" max by { "xã": 10, "huyện": 30 } { score assessed }
}''')
    sub = rs.evaluate_submission({"self": {"cap": "xã", "A.1": 12}, "appraised": {"cap": "xã", "A.1": 9}})
    # a commune's max is 10: the self score 12 is flagged and counted as 10; appraised 9
    assert sub.row("A.1").scores["self"] == D(10)
    assert sub.row("A.1").flags == (
        "self: judged score 12 is above the max 10 (không vượt quá số điểm tối đa quy định); counted as 10",
    )
    assert sub.total == D(9)


def test_the_form_shows_every_round_and_the_final_column() -> None:
    rs = ruleset("last")
    sub = rs.evaluate_submission(ROUNDS)
    text = tr.render(rs, sub)
    header = next(line for line in text.splitlines() if line.startswith("STT"))
    assert header.split("  ")[-3:] == ["Điểm cuối cùng", "Chênh lệch", "Giải trình / TLKC"]
    a1 = next(line for line in text.splitlines() if line.strip().startswith("A.1"))
    # self 2 × 5 = 10, first 2 × 3 = 6, explain did not score it, second 2 × 4 = 8; final 8; 8 − 10 = −2
    assert a1.split()[-6:] == ["10", "6", "—", "8", "8", "-2"]
    assert "Tổng (Điểm cuối cùng): 16" in text  # A.1 8 (second) + A.2 8 (explain)
