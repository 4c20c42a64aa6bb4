"""The Cluster 4 sheet (``cum4-2023``) in three peer rule engines, for ``benchmarks/run.py``.

Each peer is written in its engine's own rule language, from the same reading of the document as
``handwritten_cum4`` (the two assumptions included: II.5 with no violating business → the max,
otherwise judged; IV.3 outside the Top 15 → 0), and gives every criterion, section, ``standard``,
``bonus``, ``deductions`` and ``total``:

* ``zen-engine`` (GoRules): a JDM decision graph built here as a dict: four decision tables
  (hit policy "first") for the tiers — II.4 DTI rank, III.2 and III.3 ratings, IV.3 CCHC rank —
  chained with ``passThrough``, then one expression node for the criteria, sections and totals.
  Evaluated one unit per call (``ZenDecision.evaluate``) and, as a second row, through
  ``ZenEngine.evaluate_batch``. Numbers reach Python as ``float`` (or ``int``).
* ``datalogic-py`` (JSON Logic, Rust core): one templated rule (``Engine(templating=True)``)
  whose keys are the codes; JSON Logic has no variables, so a section's rule repeats its
  criteria's rules and the totals repeat the sections'. ``float`` results.
* ``rule-engine`` (pure Python, its own expression language): one ``Rule`` per criterion over the
  facts, one per section over the criteria, and one each for the totals. Its numbers are
  ``decimal.Decimal``: exact.

The engines cannot read a key such as ``"I.1"`` as a name (a dot is a path), so each peer's
``prepare`` renames the judged scores (``"I.1"`` → ``I_1``), and, for the engines that take JSON
numbers, turns ``Decimal`` into ``float``; ``prepare`` is part of the timed call. The peers take
the canonical spellings of the rating levels and their "… nhiệm vụ" aliases, but, unlike
``thidua_rules``, not other cases, NFD text or extra spaces.

Float engines are compared with the hand-written scorer after rounding both to 2 decimal places
(every generated value is a multiple of 0.25, exact in binary, so this loses nothing here).
"""

from __future__ import annotations

import importlib.metadata
import itertools
import json
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from .handwritten_cum4 import CRITERIA, MAX, SECTION_MAX, SECTIONS, STANDARD

TOTALS = ("standard", "bonus", "deductions", "total")
CODES = (*CRITERIA, *SECTIONS, *TOTALS)
CENT = Decimal("0.01")

#: Judged scores (``score assessed``) as the peers name them.
JUDGED = ("I.1", "I.3", "II.2", "II.3", "II.5", "IV.2", "V.1", "V.2", "V.3")
#: III.2 and III.3: each level with its alias, and its points.
RATINGS = (
    (("xuất sắc", "hoàn thành xuất sắc nhiệm vụ"), 3),
    (("hoàn thành tốt", "hoàn thành tốt nhiệm vụ"), 2),
    (("hoàn thành", "hoàn thành nhiệm vụ"), 1),
    (("không hoàn thành", "không hoàn thành nhiệm vụ"), 0),
)
DTI_TIERS = ((10, 10), (20, 8), (30, 6))  # Top10: 10đ; Top 20: 8đ; Top 30: 6đ; above 30: 2đ
DTI_OTHERWISE = 2
CCHC_TIERS = ((5, 3), (10, 2), (15, 1))  # Top 5: 3đ; Top 10: 2đ; Top 15: 1đ; (assumed) else 0
CCHC_OTHERWISE = 0


def ident(code: str) -> str:
    """A code as a name the engines accept: ``II.4`` → ``II_4``."""
    return code.replace(".", "_")


def _top(code: str) -> str:
    return format(MAX[code], "f")


class Peer:
    """One engine's version of the sheet.

    ``run(facts)`` is what is timed: adapt the facts, evaluate, return the engine's own output.
    ``scores(output)`` turns that output into Decimals by code, for the equality check.
    ``exact`` is False for engines that compute in binary floating point (compared at 2 places).
    """

    name: str = ""
    package: str = ""
    exact: bool = False

    def prepare(self, facts: Mapping[str, Any]) -> Any:
        raise NotImplementedError

    def evaluate(self, data: Any) -> Any:
        raise NotImplementedError

    def run(self, facts: Mapping[str, Any]) -> Any:
        return self.evaluate(self.prepare(facts))

    def scores(self, output: Any) -> dict[str, Decimal]:
        raise NotImplementedError

    def score(self, facts: Mapping[str, Any]) -> dict[str, Decimal]:
        return self.scores(self.run(facts))

    #: A batch entry point, when the engine has one: list of facts → list of outputs.
    run_batch: Callable[[Sequence[Mapping[str, Any]]], list[Any]] | None = None

    @property
    def version(self) -> str:
        return importlib.metadata.version(self.package)


def _json_ready(facts: Mapping[str, Any]) -> dict[str, Any]:
    """Rename the judged scores and make every number a JSON number (Decimal → float)."""
    out: dict[str, Any] = {}
    for key, value in facts.items():
        out[key.replace(".", "_")] = float(value) if type(value) is Decimal else value
    return out


def _from_float(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise TypeError(f"expected a number, got {value!r}")
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


# ---------------------------------------------------------------- zen-engine (GoRules JDM)


def _zen_clamp(expr: str, code: str) -> str:
    return f"min([max([{expr}, 0]), {_top(code)}])"


#: The criteria, sections and totals of the expression node, in order (``$`` is this node's output).
ZEN_EXPRESSIONS: dict[str, str] = {
    "I.1": _zen_clamp("I_1", "I.1"),
    "I.2": _zen_clamp("2 * so_van_ban_tham_muu", "I.2"),
    "I.3": _zen_clamp("I_3", "I.3"),
    "I.4": _zen_clamp("2 * so_chuong_trinh", "I.4"),
    "II.1": _zen_clamp("10 - 5 * so_vi_pham_bao_chi", "II.1"),
    "II.2": f"so_vi_pham_mxh == 0 ? 5 : {_zen_clamp('II_2', 'II.2')}",
    "II.3": _zen_clamp("II_3", "II.3"),
    "II.4": "tier.II_4",
    "II.5": f"so_dn_vi_pham == 0 ? 5 : {_zen_clamp('II_5', 'II.5')}",
    "III.1": "dan_chu_tot ? 2 : 0",
    "III.2": "tier.III_2",
    "III.3": "tier.III_3",
    "III.4": "van_hoa_dat_chuan ? 2 : 0",
    "IV.1": _zen_clamp("(thi_dua_tot ? 3 : 0) + (co_dien_hinh ? 2 : 0)", "IV.1"),
    "IV.2": _zen_clamp("IV_2", "IV.2"),
    "IV.3": "tier.IV_3",
    "V.1": _zen_clamp("V_1", "V.1"),
    "V.2": _zen_clamp("V_2", "V.2"),
    "V.3": _zen_clamp("V_3", "V.3"),
    "VI.1": "co_sang_kien ? 2 : 0",
    "VI.2": "hang_dti_ky_truoc - hang_dti >= 5 ? 3 : 0",
    "VII.1": "max([5 * so_khien_trach + 10 * so_canh_cao, 0])",
    "VII.2": "max([5 * so_vang_hoi_nghi + 2 * so_sai_thanh_phan, 0])",
}
for _section, _codes in SECTIONS.items():
    _sum = " + ".join(f"$.{ident(c)}" for c in _codes)
    _cap = SECTION_MAX.get(_section)
    ZEN_EXPRESSIONS[_section] = f"min([{_sum}, {_cap}])" if _cap is not None else _sum
ZEN_EXPRESSIONS["standard"] = " + ".join(f"$.{s}" for s in STANDARD)
ZEN_EXPRESSIONS["bonus"] = "$.VI"
ZEN_EXPRESSIONS["deductions"] = "$.VII"
ZEN_EXPRESSIONS["total"] = "$.standard + $.bonus - $.deductions"


def _zen_table(code: str, field: str, rows: list[tuple[str, str]]) -> dict[str, Any]:
    """A decision table, hit policy "first": one input column (unary tests), one output."""
    key = ident(code)
    return {
        "id": f"table-{key}", "type": "decisionTableNode", "name": f"{code} tiers",
        "position": {"x": 0, "y": 0},
        "content": {
            "hitPolicy": "first",
            "passThrough": True,
            "inputs": [{"id": f"in-{key}", "name": field, "field": field}],
            "outputs": [{"id": f"out-{key}", "name": code, "field": f"tier.{key}"}],
            "rules": [{"_id": f"{key}-{i}", f"in-{key}": test, f"out-{key}": points}
                      for i, (test, points) in enumerate(rows)],
        },
    }


def _zen_rank_rows(tiers: tuple[tuple[int, int], ...], otherwise: int) -> list[tuple[str, str]]:
    return [(f"<= {limit}", str(points)) for limit, points in tiers] + [("", str(otherwise))]


def _zen_rating_rows() -> list[tuple[str, str]]:
    return [(", ".join(json.dumps(s, ensure_ascii=False) for s in spellings), str(points))
            for spellings, points in RATINGS]


def zen_graph() -> dict[str, Any]:
    """The JDM decision graph of the sheet."""
    tables = [
        _zen_table("II.4", "hang_dti", _zen_rank_rows(DTI_TIERS, DTI_OTHERWISE)),
        _zen_table("III.2", "xep_loai_dang", _zen_rating_rows()),
        _zen_table("III.3", "xep_loai_doan", _zen_rating_rows()),
        _zen_table("IV.3", "hang_cchc", _zen_rank_rows(CCHC_TIERS, CCHC_OTHERWISE)),
    ]
    scores = {
        "id": "scores", "type": "expressionNode", "name": "criteria, sections, totals",
        "position": {"x": 0, "y": 0},
        "content": {
            "passThrough": False,
            "expressions": [{"id": f"x-{i}", "key": ident(code), "value": value}
                            for i, (code, value) in enumerate(ZEN_EXPRESSIONS.items())],
        },
    }
    nodes = [
        {"id": "request", "type": "inputNode", "name": "Request", "position": {"x": 0, "y": 0}},
        *tables,
        scores,
        {"id": "response", "type": "outputNode", "name": "Response", "position": {"x": 0, "y": 0}},
    ]
    chain = [node["id"] for node in nodes]
    edges = [{"id": f"edge-{i}", "type": "edge", "sourceId": a, "targetId": b}
             for i, (a, b) in enumerate(itertools.pairwise(chain))]
    return {"contentType": "application/vnd.gorules.decision", "nodes": nodes, "edges": edges}


class ZenPeer(Peer):
    name = "zen-engine (JDM graph, evaluate)"
    package = "zen-engine"
    exact = False

    def __init__(self) -> None:
        import zen

        content = json.dumps(zen_graph(), ensure_ascii=False)
        self.engine = zen.ZenEngine({"loader": lambda key: content})
        self.decision = self.engine.create_decision(content)
        self.decision.validate()

    def prepare(self, facts: Mapping[str, Any]) -> Any:
        return _json_ready(facts)

    def evaluate(self, data: Any) -> Any:
        return self.decision.evaluate(data)["result"]

    def scores(self, output: Any) -> dict[str, Decimal]:
        return {code: _from_float(output[ident(code)]) for code in CODES}


class ZenBatchPeer(ZenPeer):
    """The same graph through ``ZenEngine.evaluate_batch`` (one call for a list of units)."""

    name = "zen-engine (JDM graph, evaluate_batch)"

    def __init__(self) -> None:
        super().__init__()
        self.run_batch = self._run_batch

    def _run_batch(self, batch: Sequence[Mapping[str, Any]]) -> list[Any]:
        requests: list[Any] = [{"key": "cum4-2023", "context": _json_ready(f)} for f in batch]
        answers = self.engine.evaluate_batch(requests)
        out = []
        for answer in answers:
            if not answer.get("success"):
                raise RuntimeError(f"zen-engine batch item failed: {answer.get('error')}")
            out.append(answer["data"]["result"])
        return out


# ---------------------------------------------------------------- datalogic-py (JSON Logic)


def _var(name: str) -> dict[str, Any]:
    return {"var": name}


def _jl_clamp(rule: Any, code: str) -> dict[str, Any]:
    return {"min": [{"max": [rule, 0]}, int(MAX[code])]}


def _jl_tiers(field: str, tiers: tuple[tuple[int, int], ...], otherwise: int) -> dict[str, Any]:
    args: list[Any] = []
    for limit, points in tiers:
        args += [{"<=": [_var(field), limit]}, points]
    return {"if": [*args, otherwise]}


def _jl_rating(field: str) -> dict[str, Any]:
    args: list[Any] = []
    for spellings, points in RATINGS:
        args += [{"in": [_var(field), list(spellings)]}, points]
    return {"if": [*args, None]}


def _jl_bool(field: str, points: int) -> dict[str, Any]:
    return {"if": [_var(field), points, 0]}


#: One JSON Logic rule per criterion.
JSONLOGIC_CRITERIA: dict[str, Any] = {
    "I.1": _jl_clamp(_var("I_1"), "I.1"),
    "I.2": _jl_clamp({"*": [2, _var("so_van_ban_tham_muu")]}, "I.2"),
    "I.3": _jl_clamp(_var("I_3"), "I.3"),
    "I.4": _jl_clamp({"*": [2, _var("so_chuong_trinh")]}, "I.4"),
    "II.1": _jl_clamp({"-": [10, {"*": [5, _var("so_vi_pham_bao_chi")]}]}, "II.1"),
    "II.2": {"if": [{"==": [_var("so_vi_pham_mxh"), 0]}, 5, _jl_clamp(_var("II_2"), "II.2")]},
    "II.3": _jl_clamp(_var("II_3"), "II.3"),
    "II.4": _jl_tiers("hang_dti", DTI_TIERS, DTI_OTHERWISE),
    "II.5": {"if": [{"==": [_var("so_dn_vi_pham"), 0]}, 5, _jl_clamp(_var("II_5"), "II.5")]},
    "III.1": _jl_bool("dan_chu_tot", 2),
    "III.2": _jl_rating("xep_loai_dang"),
    "III.3": _jl_rating("xep_loai_doan"),
    "III.4": _jl_bool("van_hoa_dat_chuan", 2),
    "IV.1": _jl_clamp({"+": [_jl_bool("thi_dua_tot", 3), _jl_bool("co_dien_hinh", 2)]}, "IV.1"),
    "IV.2": _jl_clamp(_var("IV_2"), "IV.2"),
    "IV.3": _jl_tiers("hang_cchc", CCHC_TIERS, CCHC_OTHERWISE),
    "V.1": _jl_clamp(_var("V_1"), "V.1"),
    "V.2": _jl_clamp(_var("V_2"), "V.2"),
    "V.3": _jl_clamp(_var("V_3"), "V.3"),
    "VI.1": _jl_bool("co_sang_kien", 2),
    "VI.2": {"if": [{">=": [{"-": [_var("hang_dti_ky_truoc"), _var("hang_dti")]}, 5]}, 3, 0]},
    "VII.1": {"max": [{"+": [{"*": [5, _var("so_khien_trach")]},
                             {"*": [10, _var("so_canh_cao")]}]}, 0]},
    "VII.2": {"max": [{"+": [{"*": [5, _var("so_vang_hoi_nghi")]},
                             {"*": [2, _var("so_sai_thanh_phan")]}]}, 0]},
}


def jsonlogic_template() -> dict[str, Any]:
    """The templated rule: ``{code: rule}`` for every criterion, section and total."""
    out: dict[str, Any] = {ident(code): rule for code, rule in JSONLOGIC_CRITERIA.items()}
    sections: dict[str, Any] = {}
    for section, codes in SECTIONS.items():
        rule: Any = {"+": [JSONLOGIC_CRITERIA[code] for code in codes]}
        cap = SECTION_MAX.get(section)
        sections[section] = {"min": [rule, int(cap)]} if cap is not None else rule
    out.update(sections)
    standard = {"+": [sections[s] for s in STANDARD]}
    out["standard"] = standard
    out["bonus"] = sections["VI"]
    out["deductions"] = sections["VII"]
    out["total"] = {"-": [{"+": [standard, sections["VI"]]}, sections["VII"]]}
    return out


class DatalogicPeer(Peer):
    name = "datalogic-py (JSON Logic)"
    package = "datalogic-py"
    exact = False

    def __init__(self) -> None:
        import datalogic_py

        self.engine = datalogic_py.Engine(templating=True)
        template = jsonlogic_template()
        problems = [d for d in self.engine.check(template, "template") if d["severity"] == "error"]
        if problems:
            raise RuntimeError(f"datalogic-py rejects the rule: {problems}")
        self.rule = self.engine.compile(template)

    def prepare(self, facts: Mapping[str, Any]) -> Any:
        return _json_ready(facts)

    def evaluate(self, data: Any) -> Any:
        return self.rule.evaluate(data)

    def scores(self, output: Any) -> dict[str, Decimal]:
        return {code: _from_float(output[ident(code)]) for code in CODES}


# ---------------------------------------------------------------- rule-engine


def _re_clamp(expr: str, code: str) -> str:
    return f"$min([$max([{expr}, 0]), {_top(code)}])"


def _re_tiers(field: str, tiers: tuple[tuple[int, int], ...], otherwise: int) -> str:
    text = str(otherwise)
    for limit, points in reversed(tiers):
        text = f"({field} <= {limit} ? {points} : {text})"
    return text


def _re_rating(field: str) -> str:
    text = "null"
    for spellings, points in reversed(RATINGS):
        listed = ", ".join(json.dumps(s, ensure_ascii=False) for s in spellings)
        text = f"({field} in [{listed}] ? {points} : {text})"
    return text


#: One rule-engine expression per criterion (judged scores are ``j_I_1`` …).
RULE_ENGINE_CRITERIA: dict[str, str] = {
    "I.1": _re_clamp("j_I_1", "I.1"),
    "I.2": _re_clamp("2 * so_van_ban_tham_muu", "I.2"),
    "I.3": _re_clamp("j_I_3", "I.3"),
    "I.4": _re_clamp("2 * so_chuong_trinh", "I.4"),
    "II.1": _re_clamp("10 - 5 * so_vi_pham_bao_chi", "II.1"),
    "II.2": f"so_vi_pham_mxh == 0 ? 5 : {_re_clamp('j_II_2', 'II.2')}",
    "II.3": _re_clamp("j_II_3", "II.3"),
    "II.4": _re_tiers("hang_dti", DTI_TIERS, DTI_OTHERWISE),
    "II.5": f"so_dn_vi_pham == 0 ? 5 : {_re_clamp('j_II_5', 'II.5')}",
    "III.1": "dan_chu_tot ? 2 : 0",
    "III.2": _re_rating("xep_loai_dang"),
    "III.3": _re_rating("xep_loai_doan"),
    "III.4": "van_hoa_dat_chuan ? 2 : 0",
    "IV.1": _re_clamp("(thi_dua_tot ? 3 : 0) + (co_dien_hinh ? 2 : 0)", "IV.1"),
    "IV.2": _re_clamp("j_IV_2", "IV.2"),
    "IV.3": _re_tiers("hang_cchc", CCHC_TIERS, CCHC_OTHERWISE),
    "V.1": _re_clamp("j_V_1", "V.1"),
    "V.2": _re_clamp("j_V_2", "V.2"),
    "V.3": _re_clamp("j_V_3", "V.3"),
    "VI.1": "co_sang_kien ? 2 : 0",
    "VI.2": "hang_dti_ky_truoc - hang_dti >= 5 ? 3 : 0",
    "VII.1": "$max([5 * so_khien_trach + 10 * so_canh_cao, 0])",
    "VII.2": "$max([5 * so_vang_hoi_nghi + 2 * so_sai_thanh_phan, 0])",
}
#: Sections over the criteria (``c_I_1`` …), then the totals over the sections (``s_I`` …).
RULE_ENGINE_SECTIONS: dict[str, str] = {}
for _section, _codes in SECTIONS.items():
    _sum = " + ".join(f"c_{ident(c)}" for c in _codes)
    _cap = SECTION_MAX.get(_section)
    RULE_ENGINE_SECTIONS[_section] = f"$min([{_sum}, {_cap}])" if _cap is not None else _sum
RULE_ENGINE_TOTALS: dict[str, str] = {
    "standard": " + ".join(f"s_{s}" for s in STANDARD),
    "bonus": "s_VI",
    "deductions": "s_VII",
    "total": " + ".join(f"s_{s}" for s in STANDARD) + " + s_VI - s_VII",
}


class RuleEnginePeer(Peer):
    name = "rule-engine"
    package = "rule-engine"
    exact = True  # rule-engine computes with decimal.Decimal

    def __init__(self) -> None:
        import rule_engine  # type: ignore[import-untyped]

        context = rule_engine.Context()
        self.criteria = [(code, rule_engine.Rule(text, context=context))
                         for code, text in RULE_ENGINE_CRITERIA.items()]
        self.sections = [(code, rule_engine.Rule(text, context=context))
                         for code, text in RULE_ENGINE_SECTIONS.items()]
        self.totals = [(code, rule_engine.Rule(text, context=context))
                       for code, text in RULE_ENGINE_TOTALS.items()]

    def prepare(self, facts: Mapping[str, Any]) -> Any:
        return {("j_" + key.replace(".", "_") if "." in key else key): value for key, value in facts.items()}

    def evaluate(self, data: Any) -> Any:
        crit = {f"c_{ident(code)}": rule.evaluate(data) for code, rule in self.criteria}
        sect = {f"s_{code}": rule.evaluate(crit) for code, rule in self.sections}
        tot = {code: rule.evaluate(sect) for code, rule in self.totals}
        return crit, sect, tot

    def scores(self, output: Any) -> dict[str, Decimal]:
        crit, sect, tot = output
        out = {code: crit[f"c_{ident(code)}"] for code in CRITERIA}
        out.update({code: sect[f"s_{code}"] for code in SECTIONS})
        out.update(tot)
        for code, value in out.items():
            if not isinstance(value, Decimal):
                raise TypeError(f"rule-engine gave {value!r} for {code}")
        return out


# ---------------------------------------------------------------- discovery

PEERS: tuple[type[Peer], ...] = (ZenPeer, ZenBatchPeer, DatalogicPeer, RuleEnginePeer)


def available() -> tuple[list[Peer], list[tuple[str, str]]]:
    """The peers that import and build here, and (name, reason) for those that do not."""
    ok: list[Peer] = []
    missing: list[tuple[str, str]] = []
    for cls in PEERS:
        try:
            ok.append(cls())
        except ImportError as error:
            missing.append((cls.name, f"not installed ({error.name}); pip install -e '.[bench]'"))
        except Exception as error:  # an engine that installs but refuses the sheet
            missing.append((cls.name, f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"))
    return ok, missing


def same(expected: Mapping[str, Decimal], got: Mapping[str, Decimal], exact: bool) -> list[str]:
    """The codes where ``got`` differs from ``expected`` (at 2 places when not ``exact``)."""
    bad = []
    for code in CODES:
        want, have = expected[code], got.get(code)
        if have is None:
            bad.append(f"{code}: missing (expected {want})")
            continue
        if not exact:
            want, have = want.quantize(CENT), have.quantize(CENT)
        if want != have:
            bad.append(f"{code}: expected {want}, got {have}")
    return bad
