"""Trace steps as sentences a council member reads without knowing the rule language.

``sentence`` reads a structured ``Step`` (rule, expr, operands, value, note) and words it in
Vietnamese (``lang="vi"``, the default) or English. A step kind it does not know (the core adds
kinds such as floors or clamps) gets a generic sentence that still shows its values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

import attrs

from ..evaluation.result import NodeResult, Step
from ..reports.rollup import share_case
from .locale import Lang, number, points, value
from .messages import final_reason

_OPS = {"+": "+", "-": "−", "*": "×", "/": "÷"}
_COMPARE = {"=": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}
_WORDS_VI = {
    "and": "và",
    "or": "hoặc",
    "not": "không",
    "min": "nhỏ nhất",
    "max": "lớn nhất",
    "round": "làm tròn",
    "floor": "làm tròn xuống",
    "ceil": "làm tròn lên",
    "mean": "trung bình",
    "sum": "tổng",
    "abs": "giá trị tuyệt đối",
    "period": "kỳ",
    "cut": "trừ",
    "clamp": "giới hạn",
    "bonus": "điểm cộng",
    "floor0": "sàn",
}


@attrs.frozen
class Words:
    """What a sentence may name besides the step: labels of facts and derived values, round labels."""

    labels: Mapping[str, str] = attrs.field(factory=dict)
    rounds: Mapping[str, str] = attrs.field(factory=dict)


def _expr(text: str) -> str:
    """Rule text tidied for reading: one line, comparison signs as a mathematician writes them."""
    text = " ".join(text.split())
    return re.sub(r"(>=|<=|!=)", lambda m: _COMPARE[m.group(1)], text)


def _pattern(label: str, lang: Lang) -> str:
    """A table row's pattern (``<= 10``, ``"xuất sắc"``, ``11..30``) in words."""
    label = label.strip()
    m = re.fullmatch(r"(<=|<|>=|>)\s*(-?[\d.]+)", label)
    if m:
        op, n = m.groups()
        return f"{_COMPARE.get(op, op)} {number(Decimal(n), lang)}"
    m = re.fullmatch(r"(-?[\d.]+)\s*\.\.\s*(-?[\d.]+)", label)
    if m:
        a, b = m.groups()
        return (
            f"từ {number(Decimal(a), lang)} đến {number(Decimal(b), lang)}"
            if lang == "vi"
            else f"{number(Decimal(a), lang)} to {number(Decimal(b), lang)}"
        )
    if label == "otherwise":
        return "các trường hợp còn lại" if lang == "vi" else "otherwise"
    return label


def sentence(step: Step, lang: Lang = "vi", words: Words | None = None) -> str:
    """One trace step as a sentence in ``lang``; every number shown is one of the step's own."""
    w = words or Words()
    vi = lang == "vi"
    ops, v, note, rule = step.operands, step.value, step.note, step.rule

    def show(x: object) -> str:
        return value(x, lang)

    if rule in _OPS and len(ops) == 2:
        return f"{show(ops[0])} {_OPS[rule]} {show(ops[1])} = {show(v)}" + (f" ({note})" if note else "")
    if rule == "-" and not ops:
        return f"{_expr(step.expr)} = {show(v)}"
    if rule in ("fact", "default"):
        label = w.labels.get(step.expr) or note or step.expr
        tail = (" (giá trị mặc định)" if vi else " (the default)") if rule == "default" else ""
        return f"{label}: {show(v)}{tail}"
    if rule == "derived":
        label = w.labels.get(step.expr) or note or step.expr
        return f"{label} = {show(v)}"
    if rule == "assessed":
        code = note.rsplit(" ", 1)[-1] if note else ""
        return (
            f"điểm chấm trực tiếp tiêu chí {code}: {points(_dec(v), lang)}"
            if vi
            else f"judged score of {code}: {points(_dec(v), lang)}"
        )
    if rule == "cohort":
        return (
            f"{_expr(step.expr)} của các đơn vị cùng chấm = {show(v)}"
            if vi
            else f"{_expr(step.expr)} over the units scored together = {show(v)}"
        ) + (f" ({note})" if note else "")
    if rule == "compare" and len(ops) == 2:
        sign = _COMPARE.get(note, note)
        verdict = ("đạt điều kiện" if v else "không đạt điều kiện") if vi else ("holds" if v else "does not hold")
        left = step.expr.split()[0] if step.expr.split() else ""
        subject = w.labels.get(left) if len(step.expr.split()) == 3 else None
        return f"{subject or _expr(step.expr)}: {show(ops[0])} {sign} {show(ops[1])}, {verdict}"
    if rule == "if" and len(ops) == 1:
        if vi:
            branch = "điều kiện đúng" if ops[0] else "điều kiện không đúng"
            return f"{branch}: {show(v)}"
        return f"the condition {'holds' if ops[0] else 'does not hold'}: {show(v)}"
    if rule in ("and", "or"):
        joined = f" {_WORDS_VI[rule] if vi else rule} ".join(show(x) for x in ops)
        return f"{joined} = {show(v)}"
    if rule == "not":
        return f"{'không' if vi else 'not'} {show(ops[0]) if ops else ''} = {show(v)}".replace("  ", " ")
    if rule == "table" and ops:
        row = re.sub(r"^row \d+: ", "", note)
        subject = step.expr.split()[1] if step.expr.startswith("table ") and len(step.expr.split()) > 1 else ""
        label = w.labels.get(subject, subject)
        x = ops[0]
        if vi:
            head = f"{label}: {show(x)}" if label else show(x)
            return f"{head}, thuộc mức {_pattern(row, lang)}: {show(v)}"
        head = f"{label}: {show(x)}" if label else show(x)
        return f"{head}, in the row {_pattern(row, lang)}: {show(v)}"
    if rule == "cap" and len(ops) == 3:
        raw, _low, top = ops
        r, t, s = _dec(raw), _dec(top), _dec(v)
        if t is not None and r is not None and r > t:
            return (
                f"{points(r, lang)} vượt điểm tối đa {points(t, lang)}, tính {points(s, lang)}"
                if vi
                else f"{points(r, lang)} is above the max {points(t, lang)}: counted as {points(s, lang)}"
            )
        low = _dec(_low)
        if r is not None and s is not None and low is not None and r < low:
            if low == 0:
                return (
                    f"{points(r, lang)} là số âm, tính {points(s, lang)}"
                    if vi
                    else f"{points(r, lang)} is below 0: counted as {points(s, lang)}"
                )
            return (
                f"{points(r, lang)} thấp hơn mức sàn {points(low, lang)}, tính {points(s, lang)}"
                if vi
                else f"{points(r, lang)} is below the floor {points(low, lang)}: counted as {points(s, lang)}"
            )
        if t is None:
            return f"{'điểm' if vi else 'score'}: {points(s, lang)}"
        return (
            f"điểm: {points(s, lang)} (tối đa {points(t, lang)})"
            if vi
            else f"score: {points(s, lang)} (max {points(t, lang)})"
        )
    if rule in ("bonus", "deduction") and len(ops) == 3:
        raw, _zero, cap = ops
        r, c, got = _dec(raw), _dec(cap), _dec(v)
        what = ("điểm thưởng" if rule == "bonus" else "điểm trừ") if vi else rule
        if r is not None and c is not None and r > c:
            counted = points(got, lang)
            return (f"{what}: {points(r, lang)} vượt mức tối đa {points(c, lang)}, tính {counted}" if vi
                    else f"{what}: {points(r, lang)} is above its cap {points(c, lang)}: counted as {counted}")
        if r is not None and r < 0:
            return (f"{what}: {points(r, lang)} là số âm, tính {points(got, lang)}" if vi
                    else f"{what}: {points(r, lang)} is below 0: counted as {points(got, lang)}")
        tail = (f" (tối đa {points(c, lang)})" if vi else f" (cap {points(c, lang)})") if c is not None else ""
        return f"{what}: {points(got, lang)}{tail}"
    if rule == "net" and len(ops) == 4:
        main, bonus, deduction, adjustment = (_dec(x) for x in ops)
        extra = f" + {show(adjustment)}" if adjustment else ""
        return (
            f"điểm chuẩn {show(main)} + điểm thưởng {show(bonus)} − điểm trừ {show(deduction)}{extra} "
            f"= {points(_dec(v), lang)}"
            if vi
            else f"standard {show(main)} + bonus {show(bonus)} − deduction {show(deduction)}{extra} "
            f"= {points(_dec(v), lang)}"
        )
    if rule == "bound" and len(ops) == 3:
        before, low, high = (_dec(x) for x in ops)
        kept = _dec(v)
        if before is not None and low is not None and before < low:
            return (f"{points(before, lang)} thấp hơn mức sàn {points(low, lang)}, tính {points(kept, lang)}" if vi
                    else f"{points(before, lang)} is below the floor {points(low, lang)}: counted as "
                    f"{points(kept, lang)}")
        if before is not None and high is not None and before > high:
            return (f"{points(before, lang)} vượt mức trần {points(high, lang)}, tính {points(kept, lang)}" if vi
                    else f"{points(before, lang)} is above the ceiling {points(high, lang)}: counted as "
                    f"{points(kept, lang)}")
        span = " – ".join(x for x in (points(low, lang) if low is not None else "", points(high, lang)
                                       if high is not None else "") if x)
        return (f"{points(kept, lang)}, trong giới hạn {span}" if vi else f"{points(kept, lang)}, within {span}")
    if rule in ("best", "either"):
        m = re.match(r"(\S+), the (highest|first that applies)(?: \(not counted: (.+)\))?", note)
        chosen, others = (m.group(1), m.group(3)) if m else (note, None)
        if vi:
            how = "mức cao nhất" if rule == "best" else "mục được áp dụng"
            tail = f"; không tính {others}" if others else ""
            return f"tính {chosen} ({how}): {points(_dec(v), lang)}{tail}"
        how = "the highest" if rule == "best" else "the one that applies"
        tail = f"; not counted: {others}" if others else ""
        return f"counts {chosen} ({how}): {points(_dec(v), lang)}{tail}"
    if rule == "share" and len(ops) == 3 and all(_dec(x) is not None for x in ops):
        return _share(step, lang)
    if rule == "score":
        return (f"điểm của {note}: {points(_dec(v), lang)}" if vi else f"score of {note}: {points(_dec(v), lang)}")
    if rule == "sum":
        parts = " + ".join(show(x) for x in ops) or "0"
        codes = note or step.expr
        return (
            f"cộng {codes}: {parts} = {points(_dec(v), lang)}"
            if vi
            else f"sum of {codes}: {parts} = {points(_dec(v), lang)}"
        )
    if rule == "final":
        why = final_reason(note, lang, w.rounds)
        labels = list(w.rounds.values())
        given = ", ".join(f"{labels[i]} {show(x)}" if len(ops) == len(labels) else show(x) for i, x in enumerate(ops))
        return (
            f"điểm cuối cùng {points(_dec(v), lang)}: {why} ({given})"
            if vi
            else f"final score {points(_dec(v), lang)}: {why} (rounds gave {given})"
        )
    if rule == "not applicable":
        if vi:
            why = {"no item applies": "không mục nào áp dụng"}.get(note, "")
            m = re.fullmatch(r"(\S+) does not apply", note)
            if m:
                why = f"{m.group(1)} không áp dụng"
            if note.startswith("applicable if"):
                why = "điều kiện áp dụng không thỏa"
            return "không áp dụng" + (f": {why}" if why else "")
        return "not applicable" + (f": {note}" if note else "")
    if rule in ("round", "floor", "ceil") and len(ops) == 1:
        places = re.match(r"(-?\d+) decimal places", note)
        n_places = places.group(1) if places else "?"
        return (
            f"{_WORDS_VI[rule]} {show(ops[0])} đến {n_places} chữ số thập phân: {show(v)}"
            if vi
            else f"{rule} {show(ops[0])} to {n_places} decimal places: {show(v)}"
        )
    # Any other kind, known or new: its name, its values, its note.
    name = _WORDS_VI.get(rule, rule) if vi else rule
    args = ", ".join(show(x) for x in ops)
    detail = f" ({note})" if note else ""
    text = _expr(step.expr)
    body = f"{name}" + (f" {text}" if text and text != rule else "")
    return f"{body}" + (f" [{args}]" if args else "") + f"{detail} = {show(v)}"


def _share(step: Step, lang: Lang) -> str:
    """A period's share of a cap over the periods (a roll-up's ``share`` step), in its case."""
    value, before, cap = (x for x in step.operands if isinstance(x, Decimal))
    case = share_case(value, before, cap)
    period = step.note.split(": ", 1)[0] + ": " if ": " in step.note else ""

    def p(x: Decimal) -> str:
        return points(x, lang)

    if lang == "vi":
        over = f"mức tối đa {p(cap)} qua các kỳ"
        if case.how == "left":
            cut = f"; không tính {p(case.cut)}" if case.cut else ""
            return f"{period}tính {p(case.share)} trong {p(case.left)} còn lại của {over}{cut}"
        if case.how == "in full":
            return f"{period}{p(value)}, tính đủ; còn lại {p(case.left)} của {over}"
        return f"{period}{p(value)}, trừ trước vào {p(case.above)} vượt {over}; tính {p(case.share)}"
    over = f"the cap {p(cap)} over the periods"
    if case.how == "left":
        cut = f"; {p(case.cut)} not counted" if case.cut else ""
        return f"{period}{p(case.share)} of the {p(case.left)} left of {over}{cut}"
    if case.how == "in full":
        return f"{period}{p(value)}, counted in full; {p(case.left)} left of {over}"
    return f"{period}{p(value)}, first off the {p(case.above)} above {over}; {p(case.share)} counted"


def _dec(x: object) -> Decimal | None:
    return x if isinstance(x, Decimal) and not isinstance(x, bool) else None


#: Steps that read or choose a value rather than compute one: left out of the one-line summary.
_READS = ("fact", "default", "derived", "final", "not applicable", "cohort", "assessed")


def summary(node: NodeResult, lang: Lang = "vi", words: Words | None = None) -> str:
    """A criterion's computation on one line: ``I.2: 2 × 7 = 14; 14 đ vượt điểm tối đa 10 đ, tính 10 đ``.

    Empty for a node whose score is a judged or read value that nothing changed."""
    if not node.is_criterion:
        return ""  # a section's or group's one step is its sum: the lines below say it
    parts = []
    for step in node.trace:
        if step.rule in _READS:
            continue
        if step.rule == "cap" and len(step.operands) == 3 and step.operands[0] == step.value:
            continue  # within its bounds: nothing to say
        parts.append(sentence(step, lang, words))
    return f"{node.code}: " + "; ".join(parts) if parts else ""


def explain_node(node: NodeResult, lang: Lang = "vi", words: Words | None = None) -> str:
    """A node's score and every step of its trace, one sentence a line."""
    head = f"{node.code} {node.title or ''}".rstrip()
    score = (
        points(node.score, lang) if node.score is not None else ("không áp dụng" if lang == "vi" else "not applicable")
    )
    top = f" / {points(node.max, lang)}" if node.max is not None and node.score is not None else ""
    lines = [f"{head}", f"  {'Điểm' if lang == 'vi' else 'Score'}: {score}{top}"]
    if node.defined_in is not None:  # a ruleset that extends another: where the row comes from
        vi = lang == "vi"
        origin = f"  {'Định nghĩa tại' if vi else 'Defined in'} {node.defined_in}"
        if node.overridden_by:
            origin += f"; {'sửa tại' if vi else 'overridden at'} {', '.join(node.overridden_by)}"
        lines.append(origin)
    brief = summary(node, lang, words)
    if brief:
        lines.append(f"  {brief}")
    if not node.trace:
        lines.append("  (chấm không ghi vết)" if lang == "vi" else "  (evaluated without a trace)")
    lines += [f"  - {sentence(step, lang, words)}" for step in node.trace]
    label = "Giả định" if lang == "vi" else "Assumption"
    lines += [f"  {label}: {a}" for a in node.assumptions]
    return "\n".join(lines)
