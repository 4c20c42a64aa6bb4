"""Fuzzing what a unit sends in: unit files and facts (needs the ``test`` extra, like ``thidua_rules.testing``).

``thidua_rules.testing.fuzzing`` damages rulesets; this module damages the other input:

- ``unit_files(rs)`` draws **valid** unit files for a ruleset (``UnitCase``): JSON or TOML text
  with one or several of ``rs.rounds`` (or the single-round ``"facts"`` layout, or rounds given
  as their facts alone), optional claims, facts drawn by ``thidua_rules.testing.facts``, and
  ``UnitCase.rounds``, the facts and claims the text encodes.
- ``mutations(rs)`` draws damaged files (``Mutation``) and ``fact_mutations(rs)`` damaged fact
  mappings for ``rs.evaluate`` (``FactsMutation``), each with the kind of damage named, one of
  ``MUTATION_KINDS``: ``type_swap``, ``key_misspelt``, ``key_duplicate``, ``key_form`` (a key in
  another case or Unicode form), ``number_huge``, ``number_tiny``, ``number_negative``,
  ``number_nan`` (NaN and infinities), ``decimal_comma`` (a number as text such as ``"2,5"``),
  ``level_nfd``, ``level_case``, ``level_misspelt``, ``nesting``, ``truncation`` and
  ``invalid_utf8``. Pass ``kinds=[kind]`` to test one kind.
- The oracle: ``check_input(rs, data, original_facts=…)`` reads the bytes as a unit file
  (``read_unit`` then ``rs.evaluate_submission``), ``check_facts(rs, facts, original_facts=…)``
  scores a mapping (``rs.evaluate``, traced and untraced), ``check_cli(rs, data, …)`` runs
  ``thidua_rules.cli.main(["score", path])`` in this process (and with ``--json``). Each returns a
  ``Verdict``; ``verdict.ok`` says whether the library behaved.

Meaning, and what counts as the same value
-------------------------------------------

A damaged input is judged against its *meaning*: the facts and claims per round that a correct
reader must see in it, or ``None`` when it has none and must be refused. ``Mutation.expected``
holds it. For damage that must not change a value (a type swapped, a number written as text with
a decimal comma, a value nested in lists or objects, bytes that are not UTF-8) the meaning is the
original file's: the library may refuse the input, or read exactly the original values. For
damage that writes something new (a huge, tiny, negative or NaN number; a level in NFD, in
another case or misspelt; a key misspelt, duplicated or in another form; a file truncated where
it still parses) the meaning is what the damaged text literally says, read by these rules:

- **fact names** are text and are compared in NFC, also with the characters a spreadsheet header
  brings removed (a BOM, zero-width spaces and joiners, a word joiner, a soft hyphen), no-break
  spaces made plain and the ends trimmed; the names of assessed facts (criterion codes) also
  case-insensitively; any other key names no fact: no meaning. Two keys naming one fact:
  no meaning, unless both give the same value. **Claims** are keyed by criterion or group codes,
  compared like criterion codes, and claim numbers.
- **round names** are NFC-equal to a declared round. The top-level keys and the keys of a round
  are exactly those of the unit-file shape, each with its type (``unit``, ``ruleset``, ``note``:
  text; ``illustrative``: true/false; ``rounds``, ``facts``, ``claims``: objects); an unknown
  key, a wrong type, ``"rounds"`` beside ``"facts"``, claims without facts, or a key given twice
  in one object with different values: no meaning. A round that is an object without
  ``"facts"`` and ``"claims"`` is its facts alone.
- **boolean** facts: true or false only; the same value is the same bool (a number is never one).
- **scale** facts: text spelling one of the scale's levels by any of its spellings
  (``rs.facts[name].spellings``), compared after NFC, removing invisible characters, case folding,
  collapsing and trimming white space, and moving a tone mark from the first to the second vowel
  of "oa", "oe", "oy", "ua", "ue", "uy" ("hòa" is "hoà"); the same value is that level (``"HOÀN THÀNH"`` and NFD
  ``"hoàn thành"`` are the level ``"hoàn thành"``).
- **numbers** (counts, ranks, numbers, percents, assessed scores, claims): an int, a Decimal, a
  float (by its shortest repr) or a Fraction with an exact decimal value, finite; the same value
  is the numerically equal Decimal (``2.5``, ``2.50`` and ``5/2`` are one value). A bool is never
  a number and text never is.

Ranges (whole counts, ranks from 1, declared bounds, at most 15 digits before the point and 10
after) are not part of the meaning: the *reference* decides them. The reference is the library's
own evaluation of the meaning written cleanly (plain Decimals, bools and the levels' canonical
names, through ``rs.evaluate_submission`` or ``rs.evaluate``), so a damaged input is compared
with a clean input of the same meaning, never with itself.

The verdict (``Verdict.outcome``):

- ``refused`` (ok): the library raised its own ``ThiduaError`` with a message, and for a
  ``FactsError`` every problem names a fact, key or file and says what is wrong;
- ``accepted_same`` (ok): accepted, and every round's normalised facts (``Result.facts``, type
  and value: the bool true is not the number 1), every score, total, final choice, claim and flag
  equals the reference's;
- ``changed`` (failure): accepted with any of those different: a value silently changed;
- ``accepted_invalid`` (failure): accepted though it has no meaning, or though the reference
  refuses its clean meaning (a huge number out of range read from a file, say);
- ``crash`` (failure): any other exception escaped (also from the reference run);
- ``hang`` (failure): not finished within ``time_limit`` seconds (``HANG_LIMIT``; the alarm is
  SIGALRM, so only in the main thread on Unix; elsewhere nothing times a check out);
- ``bad_error`` (failure): a ``ThiduaError`` with an empty message or a problem naming nothing;
- ``inconsistent`` (failure, ``check_facts``): the traced and untraced evaluations disagree on
  refusing the facts;
- ``cli`` (failure, ``check_cli``): an exit code other than 0 or 1, a Python traceback in the output,
  exit 1 with nothing on stderr, or exit 0 whose ``--json`` totals differ from the reference.

The nightly run
---------------

``python -m thidua_rules.testing.inputs --cases 100000`` spreads that many cases over both shipped
rulesets, every kind and both paths (files, facts), checks one file case in ``--cli-every`` through
the CLI too, and prints the counts per kind and per outcome and each distinct failure with its
smallest reproducer; it exits 1 when a failure was found. ``tests/test_input_fuzz.py`` runs the
same properties under the suite's hypothesis profiles (``THIDUA_HYPOTHESIS_PROFILE=nightly``).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import re
import reprlib
import signal
import sys
import tempfile
import threading
import time
import tomllib
import traceback
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from types import FrameType
from typing import Any, TypeAlias, TypeVar

import attrs
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

import thidua_rules as tr
from thidua_rules import FactsError, FactSpec, OptionError, Result, Ruleset, Submission, ThiduaError
from thidua_rules.cli import main as cli_main

from . import facts as fact_sets
from . import value_of

__all__ = [
    "HANG_LIMIT",
    "MUTATION_KINDS",
    "FactsMutation",
    "Mutation",
    "Raw",
    "Table",
    "Tally",
    "UnitCase",
    "Verdict",
    "check_cli",
    "check_facts",
    "check_input",
    "fact_mutations",
    "main",
    "meaning_of_facts",
    "meaning_of_file",
    "mutations",
    "run",
    "unit_files",
]

#: Every kind of damage, each drawn alone with ``kinds=[kind]``.
MUTATION_KINDS: tuple[str, ...] = (
    "type_swap", "key_misspelt", "key_duplicate", "key_form",
    "number_huge", "number_tiny", "number_negative", "number_nan", "decimal_comma",
    "level_nfd", "level_case", "level_misspelt",
    "nesting", "truncation", "invalid_utf8",
)
#: The verdicts that mean the library behaved.
OK_OUTCOMES = frozenset({"refused", "accepted_same"})
#: Every verdict, the good ones first (the order of the nightly report's columns).
OUTCOMES: tuple[str, ...] = (
    "refused", "accepted_same", "crash", "hang", "bad_error", "changed", "accepted_invalid", "inconsistent", "cli",
)
#: Seconds after which one check is taken to hang (far above any honest case: they take milliseconds).
HANG_LIMIT = 20.0
#: How deep the nesting damage goes: shallow, around the interpreter's recursion limit, and far past it.
DEPTHS: tuple[int, ...] = (1, 2, 3, 10, 100, 500, 900, 990, 1000, 1100, 5000, 100_000)

Value: TypeAlias = Decimal | bool | str
_T = TypeVar("_T")
#: A unit's meaning: round name -> {"facts": {fact: value}, "claims": {code: Decimal}}.
Rounds: TypeAlias = dict[str, dict[str, dict[str, Any]]]

class _ShortRepr(reprlib.Repr):
    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > 200:  # no text of a 100 000-digit int (Python refuses past 4300 digits)
            return f"<an int of about {int(x.bit_length() * 0.30103) + 1} digits>"
        return super().repr_int(x, level)

    def repr_Decimal(self, x: Decimal, level: int) -> str:
        text = repr(x)
        return text if len(text) <= self.maxother else text[: self.maxother // 2] + "..." + text[-12:]


_SHORT = _ShortRepr()
_SHORT.maxlevel, _SHORT.maxstring, _SHORT.maxother, _SHORT.maxlong = 4, 80, 80, 60
_SHORT.maxdict = _SHORT.maxlist = _SHORT.maxtuple = 8


def _short(value: object) -> str:
    """A repr that stays short and safe for values 100 000 deep or a megabyte long."""
    return _SHORT.repr(value)


# ================================================================ the meaning of an input


class _NoMeaning(Exception):
    """An input a correct reader must refuse: the message says why."""


_TONES = "\u0300\u0301\u0303\u0309\u0323"
#: A tone mark between "o"/"u" and a following "a", "e" or "y" (the new orthography's "hòa", "thủy"),
#: moved after that vowel, where the old orthography puts it ("hoà", "thuỷ"), as the library folds.
_TONE_FIRST = re.compile(f"([ou])([{_TONES}])([aey])(?![\u0302\u0306])")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


#: Characters that show as nothing (a BOM, zero-width spaces and joiners, a word joiner, a soft hyphen),
#: and spaces that look like a plain one: spreadsheet headers bring them into names.
_INVISIBLE = re.compile("[\ufeff\u200b\u200c\u200d\u2060\u00ad]")
_ODD_SPACE = re.compile("[\u00a0\u2007\u202f]")


def _visible(text: str) -> str:
    return _ODD_SPACE.sub(" ", _INVISIBLE.sub("", text)).strip()


def _fold(text: str) -> str:
    """The comparison key of a level or code: NFC, invisible characters removed, case-folded, white
    space collapsed, one tone orthography."""
    folded = " ".join(_nfc(_INVISIBLE.sub("", text)).casefold().split())
    decomposed = unicodedata.normalize("NFD", folded)
    return _nfc(_TONE_FIRST.sub(r"\1\3\2", decomposed))


def _number(value: object) -> Decimal:
    """The exact finite Decimal an input number stands for."""
    if isinstance(value, bool):
        raise _NoMeaning(f"{value} is true/false, not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        if value.is_finite():
            return value
        raise _NoMeaning(f"{value} is not a finite number")
    if isinstance(value, float):
        if math.isfinite(value):
            return Decimal(repr(value))
        raise _NoMeaning(f"{value} is not a finite number")
    if isinstance(value, Fraction):
        denominator = value.denominator
        for prime in (2, 5):
            while denominator % prime == 0:
                denominator //= prime
        if denominator == 1:
            return Decimal(value.numerator) / Decimal(value.denominator)
        raise _NoMeaning(f"{value} has no exact decimal value")
    raise _NoMeaning(f"{_short(value)} is not a number")


def _value(spec: FactSpec, value: object) -> Value:
    """The canonical value of one fact: a bool, a scale's level, or a Decimal."""
    if spec.kind == "boolean":
        if isinstance(value, bool):
            return value
        raise _NoMeaning(f"{spec.name}: {_short(value)} is not true/false")
    if spec.kind in ("scale", "category"):  # a category's names are read as a scale's levels
        if isinstance(value, str):
            key = _fold(value)
            for spelling, level in (*((lv, lv) for lv in spec.levels), *spec.spellings):
                if _fold(spelling) == key:
                    return level
        raise _NoMeaning(f"{spec.name}: {_short(value)} is no level of {spec.scale or spec.category}")
    return _number(value)


def _fact_name(rs: Ruleset, key: object) -> str:
    if not isinstance(key, str):
        raise _NoMeaning(f"the key {_short(key)} is not text")
    name = _nfc(key)
    if name in rs.facts:
        return name
    if _visible(name) in rs.facts:
        return _visible(name)
    for other, spec in rs.facts.items():
        if spec.kind == "assessed" and _fold(other) == _fold(name):
            return other
    raise _NoMeaning(f"no fact {_short(key)}")


def _claim_code(rs: Ruleset, key: object) -> str:
    if not isinstance(key, str):
        raise _NoMeaning(f"the claim key {_short(key)} is not text")
    for code in (*rs.criteria, *rs.groups):
        if _fold(code) == _fold(key):
            return code
    raise _NoMeaning(f"no criterion {_short(key)} to claim")


def _tagged(value: object) -> tuple[str, object]:
    """A value with its kind, so that equal means equal in kind too (True is not Decimal(1))."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | Decimal):
        return ("number", Decimal(value))
    return (type(value).__name__, value)


def _canonical_facts(rs: Ruleset, given: object) -> dict[str, Value]:
    if not isinstance(given, Mapping):
        raise _NoMeaning(f"the facts are {type(given).__name__}, not an object")
    out: dict[str, Value] = {}
    for key, raw in given.items():
        name = _fact_name(rs, key)
        value = _value(rs.facts[name], raw)
        if name in out and _tagged(out[name]) != _tagged(value):
            raise _NoMeaning(f"{name} given twice with different values")
        out[name] = value
    return out


def _canonical_claims(rs: Ruleset, given: object) -> dict[str, Decimal]:
    if not isinstance(given, Mapping):
        raise _NoMeaning(f"the claims are {type(given).__name__}, not an object")
    out: dict[str, Decimal] = {}
    for key, raw in given.items():
        code = _claim_code(rs, key)
        number = _number(raw)
        if code in out and out[code] != number:
            raise _NoMeaning(f"the claim {code} given twice with different values")
        out[code] = number
    return out


def meaning_of_facts(rs: Ruleset, given: object) -> dict[str, Value] | None:
    """The canonical facts ``given`` stands for by the rules of the module docstring, or None."""
    try:
        return _canonical_facts(rs, given)
    except _NoMeaning:
        return None


_TOP_TYPES: dict[str, type | tuple[type, ...]] = {
    "unit": str, "ruleset": str, "note": str, "illustrative": bool,
    "rounds": Mapping, "facts": Mapping, "claims": Mapping,
}


def _meaning(rs: Ruleset, content: object) -> Rounds:
    """The rounds a parsed unit file stands for (see the module docstring), or ``_NoMeaning``."""
    if not isinstance(content, Mapping):
        raise _NoMeaning("the file is not an object")
    for key, value in content.items():
        wanted = _TOP_TYPES.get(key) if isinstance(key, str) else None
        if wanted is None:
            raise _NoMeaning(f"unknown key {_short(key)}")
        if not isinstance(value, wanted):
            raise _NoMeaning(f"{key} has the wrong type")
    declared = [r.name for r in rs.rounds]
    blocks: dict[str, tuple[object, object]] = {}
    if "rounds" in content:
        if "facts" in content or "claims" in content:
            raise _NoMeaning('"rounds" beside "facts" or "claims"')
        for raw_name, block in content["rounds"].items():
            name = _nfc(raw_name) if isinstance(raw_name, str) else None
            if name not in declared or name in blocks:
                raise _NoMeaning(f"round {_short(raw_name)} unknown or given twice")
            if not isinstance(block, Mapping):
                raise _NoMeaning(f"round {name} is not an object")
            if "facts" in block or "claims" in block:
                if set(block) - {"facts", "claims"} or "facts" not in block:
                    raise _NoMeaning(f"round {name} has other keys beside facts, or claims without facts")
                blocks[name] = (block["facts"], block.get("claims", {}))
            else:
                blocks[name] = (block, {})
        if not blocks:
            raise _NoMeaning("no round")
    elif "facts" in content:
        blocks[declared[-1]] = (content["facts"], content.get("claims", {}))
    else:
        raise _NoMeaning('neither "rounds" nor "facts"')
    return {
        name: {"facts": _canonical_facts(rs, given), "claims": _canonical_claims(rs, claims)}
        for name, (given, claims) in blocks.items()
    }


def meaning_of_file(rs: Ruleset, data: str | bytes, *, suffix: str = ".json") -> Rounds | None:
    """What a unit file's text stands for, read with the standard library's JSON or TOML reader, or None."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        text = text.removeprefix("\ufeff")
        content: object
        if suffix == ".toml":
            content = tomllib.loads(text, parse_float=Decimal)
        else:
            content = json.loads(text, parse_float=Decimal, parse_int=Decimal, object_pairs_hook=_refuse_twice)
        return _meaning(rs, content)
    except (_NoMeaning, ValueError, RecursionError, ArithmeticError):
        return None  # not UTF-8, not JSON/TOML (ValueErrors), too deep, or a number past Decimal's range


def _refuse_twice(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out and _tagged(out[key]) != _tagged(value):
            raise _NoMeaning(f'the key "{key}" given twice')
        out[key] = value
    return out


def _expected_rounds(rs: Ruleset, original: Mapping[str, Any] | None) -> tuple[Rounds | None, str]:
    """The canonical form of the meaning a caller gives (round -> facts, or -> {"facts", "claims"})."""
    if original is None:
        return None, "the input has no meaning"
    declared = [r.name for r in rs.rounds]
    out: Rounds = {}
    try:
        for raw_name, block in original.items():
            name = declared[-1] if raw_name == "*" else _nfc(str(raw_name))
            if isinstance(block, Mapping) and isinstance(block.get("facts"), Mapping):
                given, claims = block["facts"], block.get("claims", {})
            else:
                given, claims = block, {}
            out[name] = {"facts": _canonical_facts(rs, given), "claims": _canonical_claims(rs, claims)}
    except _NoMeaning as why:
        return None, str(why)
    return out, ""


# ================================================================ a unit file as a tree


@attrs.frozen
class Raw:
    """Text written as is into a file (its JSON and its TOML spelling), and the number a correct reader
    reads in it (None: it stands for no value, like ``NaN``, a 100 000-deep list or ``1e9999999999999999999``)."""

    json: str
    toml: str
    meaning: Decimal | None = None


@attrs.frozen
class Table:
    """A JSON object or TOML table as its pairs in order: a key may be given twice."""

    pairs: tuple[tuple[str, Node], ...]

    def get(self, key: str) -> Node | None:
        return next((value for k, value in self.pairs if k == key), None)


Node: TypeAlias = "Table | tuple[Node, ...] | str | bool | int | Decimal | Raw | None"


def _json_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _json_value(node: Node, indent: int = 0) -> str:
    if isinstance(node, Table):
        if not node.pairs:
            return "{}"
        pad = "  " * (indent + 1)
        items = [f"{pad}{_json_string(k)}: {_json_value(v, indent + 1)}" for k, v in node.pairs]
        return "{\n" + ",\n".join(items) + "\n" + "  " * indent + "}"
    if isinstance(node, tuple):
        return "[" + ", ".join(_json_value(v, indent) for v in node) + "]"
    if isinstance(node, Raw):
        return node.json
    if node is None:
        return "null"
    if isinstance(node, bool):
        return "true" if node else "false"
    if isinstance(node, str):
        return _json_string(node)
    return str(node)


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _toml_string(text: str) -> str:
    out = ['"']
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch < " " or ch == "\x7f":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out) + '"'


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _toml_string(key)


def _toml_value(node: Node) -> str:
    if isinstance(node, Table):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in node.pairs) + " }" if node.pairs \
            else "{}"
    if isinstance(node, tuple):
        return "[" + ", ".join(_toml_value(v) for v in node) + "]"
    if isinstance(node, Raw):
        return node.toml
    if node is None:
        raise ValueError("TOML has no null")
    if isinstance(node, bool):
        return "true" if node else "false"
    if isinstance(node, str):
        return _toml_string(node)
    return str(node)


def _toml(root: Table) -> str:
    lines: list[str] = []

    def table(node: Table, path: tuple[str, ...]) -> None:
        scalars = [(k, v) for k, v in node.pairs if not isinstance(v, Table)]
        tables = [(k, v) for k, v in node.pairs if isinstance(v, Table)]
        if path and (scalars or not tables):
            if lines:
                lines.append("")
            lines.append("[" + ".".join(_toml_key(p) for p in path) + "]")
        lines.extend(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in scalars)
        for key, sub in tables:
            assert isinstance(sub, Table)
            table(sub, (*path, key))

    table(root, ())
    return "\n".join(lines) + "\n"


def _render(document: Node, form: str) -> str:
    if form == "toml":
        assert isinstance(document, Table), "a TOML document is a table"
        return _toml(document)
    return _json_value(document) + "\n"


def _plain(node: Node) -> object:
    """The Python value a correct reader makes of a tree (a key given twice with two values has none)."""
    if isinstance(node, Table):
        out: dict[str, object] = {}
        for key, value in node.pairs:
            plain = _plain(value)
            if key in out and _tagged(out[key]) != _tagged(plain):
                raise _NoMeaning(f'the key "{key}" given twice with different values')
            out[key] = plain
        return out
    if isinstance(node, tuple):
        return [_plain(v) for v in node]
    if isinstance(node, Raw):
        if node.meaning is None:
            raise _NoMeaning(f"{node.json[:40]} stands for no value")
        return node.meaning
    return node


def _tree_meaning(rs: Ruleset, document: Node) -> Rounds | None:
    try:
        return _meaning(rs, _plain(document))
    except _NoMeaning:
        return None


# ================================================================ valid unit files


@attrs.frozen(repr=False)
class UnitCase:
    """A valid unit file: its format, its tree and text, and the facts and claims it encodes per round."""

    ruleset: str
    format: str  # "json" or "toml"
    document: Table
    text: str
    rounds: Rounds

    @property
    def suffix(self) -> str:
        return "." + self.format

    @property
    def data(self) -> bytes:
        return self.text.encode("utf-8")

    def __repr__(self) -> str:
        return f"UnitCase({self.format}, {self.text!r})" if len(self.text) < 2000 else \
            f"UnitCase({self.format}, {len(self.text)} characters)"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # hypothesis's reports: short, too
        printer.text(repr(self))


_VI = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
_TEXT = _VI + _VI.upper() + "0123456789 .,-/()'\"\\\n\t\u00a0\u2028😀"


def _texts(min_size: int = 0, max_size: int = 20) -> st.SearchStrategy[str]:
    return st.text(alphabet=_TEXT, min_size=min_size, max_size=max_size)


def _claims(rs: Ruleset) -> st.SearchStrategy[dict[str, Decimal]]:
    """Claimed scores of a few criteria or groups: halves in [0, max], a few above their max (flagged)."""
    tops: dict[str, Decimal] = {}
    for code, criterion in rs.criteria.items():
        tops[code] = criterion.max if criterion.max is not None else Decimal(10)
    for code, group in rs.groups.items():
        tops[code] = group.max if group.max is not None else Decimal(10)
    if not tops:
        return st.just({})
    values = {code: st.integers(0, int(top * 2) + 2).map(lambda h: Decimal(h) / 2) for code, top in tops.items()}
    return st.lists(st.sampled_from(sorted(tops)), unique=True, max_size=4).flatmap(
        lambda codes: st.fixed_dictionaries({code: values[code] for code in codes})
    )


@attrs.frozen(repr=False)
class _Plan:
    """What the strategies of one ruleset draw from (built once; a short repr in hypothesis's reports)."""

    rs: Ruleset
    facts: st.SearchStrategy[dict[str, Any]]
    claims: st.SearchStrategy[dict[str, Decimal]]
    values: Mapping[str, st.SearchStrategy[Any]]
    formats: tuple[str, ...] = ("json", "toml")
    kinds: tuple[str, ...] = MUTATION_KINDS

    def __repr__(self) -> str:
        return f"<{self.rs.id}: {'/'.join(self.formats)}, {len(self.kinds)} kind(s)>"


def _plan(rs: Ruleset, formats: Sequence[str] = ("json", "toml"), kinds: Sequence[str] = MUTATION_KINDS) -> _Plan:
    values = {name: value_of(rs, spec) for name, spec in rs.facts.items()}
    return _Plan(rs, fact_sets(rs), _claims(rs), values, tuple(formats), tuple(kinds))


@st.composite
def _unit_files(draw: st.DrawFn, plan: _Plan) -> UnitCase:
    rs, facts, claims = plan.rs, plan.facts, plan.claims
    form = draw(st.sampled_from(plan.formats))
    names = [r.name for r in rs.rounds]
    layout = draw(st.sampled_from(("rounds", "rounds", "bare", "single")))
    chosen = [names[-1]] if layout == "single" else [n for n in names if draw(st.integers(0, 3))] or [names[-1]]
    if len(chosen) > 1 and draw(st.booleans()):
        chosen = list(draw(st.permutations(chosen)))  # a file need not list its rounds in order
    meaning: Rounds = {}
    blocks: list[tuple[str, Node]] = []
    top: list[tuple[str, Node]] = []
    for name in chosen:
        given = draw(facts)
        if draw(st.booleans()):
            given = dict(draw(st.permutations(list(given.items()))))
        claimed = draw(claims) if layout != "bare" and draw(st.booleans()) else {}
        meaning[name] = {"facts": _canonical_facts(rs, given), "claims": _canonical_claims(rs, claimed)}
        facts_table = Table(tuple(given.items()))
        if layout == "bare":
            blocks.append((name, facts_table))
            continue
        pairs: list[tuple[str, Node]] = [("facts", facts_table)]
        if claimed or draw(st.integers(0, 3)) == 0:
            pairs.append(("claims", Table(tuple(claimed.items()))))
        if layout == "single":
            top += pairs
        else:
            blocks.append((name, Table(tuple(pairs))))
    if layout != "single":
        top.append(("rounds", Table(tuple(blocks))))
    if draw(st.integers(0, 7)) < 7:  # the simplest file names its ruleset: the CLI needs it
        top.append(("ruleset", rs.id))
    if draw(st.booleans()):
        top.append(("unit", draw(_texts(1))))
    if draw(st.integers(0, 3)) == 0:
        top.append(("illustrative", draw(st.booleans())))
    if draw(st.integers(0, 3)) == 0:
        top.append(("note", draw(_texts())))
    document = Table(tuple(draw(st.permutations(top))))
    return UnitCase(rs.id, form, document, _render(document, form), meaning)


def _check_ruleset(rs: object, name: str) -> Ruleset:
    if not isinstance(rs, Ruleset):
        raise OptionError(f"{name}() expects a Ruleset, got {type(rs).__name__}")
    return rs


def unit_files(rs: Ruleset, *, formats: Sequence[str] = ("json", "toml")) -> st.SearchStrategy[UnitCase]:
    """Valid unit files for ``rs`` (JSON or TOML), each with the facts and claims it encodes per round."""
    _check_ruleset(rs, "unit_files")
    if not formats or set(formats) - {"json", "toml"}:
        raise OptionError(f'formats must be "json" and/or "toml", got {formats!r}')
    return _unit_files(_plan(rs, formats))


# ================================================================ damage: shared pieces


def _kinds(kinds: Sequence[str]) -> tuple[str, ...]:
    if isinstance(kinds, str) or not kinds or set(kinds) - set(MUTATION_KINDS):
        raise OptionError(f"unknown or no mutation kinds: {kinds!r}; known: {', '.join(MUTATION_KINDS)}")
    return tuple(kinds)


def _pick(draw: st.DrawFn, items: Sequence[_T]) -> _T:
    return draw(st.sampled_from(list(items)))


def _known_names(rs: Ruleset) -> set[str]:
    """Every key a unit file or a fact mapping may use, folded: a misspelling must hit none of them."""
    names = {*rs.facts, *rs.criteria, *rs.groups, *(r.name for r in rs.rounds), *_TOP_TYPES, "*"}
    return {_fold(n) for n in names}


_TYPO_CHARS = "aeiouy_.-019xs" + "àáạđươ"


def _unaccent(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return _nfc("".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def _typo(draw: st.DrawFn, text: str, taken: Callable[[str], bool]) -> str:
    """``text`` misspelt once (a letter deleted, doubled, swapped, replaced or added; accents or
    separators lost), such that ``taken`` is false for the result."""
    for _ in range(8):
        op = draw(st.sampled_from(("delete", "double", "swap", "replace", "insert", "unaccent", "separator", "plural")))
        i = draw(st.integers(0, max(len(text) - 1, 0)))
        if op == "delete" and text:
            new = text[:i] + text[i + 1:]
        elif op == "double" and text:
            new = text[:i] + text[i] + text[i:]
        elif op == "swap" and len(text) > 1:
            i = min(i, len(text) - 2)
            new = text[:i] + text[i + 1] + text[i] + text[i + 2:]
        elif op == "replace" and text:
            new = text[:i] + draw(st.sampled_from(_TYPO_CHARS)) + text[i + 1:]
        elif op == "insert":
            new = text[:i] + draw(st.sampled_from(_TYPO_CHARS)) + text[i:]
        elif op == "unaccent":
            new = _unaccent(text)
        elif op == "separator":
            new = text.replace("_", "-", 1) if "_" in text else text.replace(".", "", 1) if "." in text \
                else text.replace(" ", "_", 1)
        else:
            new = text + "s"
        if new != text and not taken(new):
            return new
    new = text + "_x"
    while taken(new):
        new += "x"
    return new


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def _alternating(text: str) -> str:
    return "".join(ch.upper() if i % 2 else ch.lower() for i, ch in enumerate(text))


_KEY_FORMS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("upper case", str.upper), ("lower case", str.lower), ("title case", str.title), ("swapped case", str.swapcase),
    ("NFD", lambda k: unicodedata.normalize("NFD", k)), ("full-width letters", _fullwidth),
    ("a leading space", lambda k: " " + k), ("a trailing space", lambda k: k + " "),
    ("a zero-width space", lambda k: k + "\u200b"), ("a non-breaking space", lambda k: k.replace("_", "\u00a0")),
)


def _key_form(draw: st.DrawFn, key: str) -> tuple[str, str]:
    forms = [(name, form(key)) for name, form in _KEY_FORMS if form(key) != key]
    name, new = _pick(draw, forms or [("a trailing space", key + " ")])
    return name, new


def _level_forms(spec: FactSpec, level: str) -> list[str]:
    """Every spelling of ``level`` on its scale (its name first)."""
    return [level, *(s for s, lv in spec.spellings if lv == level and s != level)]


def _mixed_nfd(draw: st.DrawFn, text: str) -> str:
    """Some characters decomposed, others not: a text no normal form would write."""
    return "".join(unicodedata.normalize("NFD", ch) if draw(st.booleans()) else ch for ch in text)


def _cased(draw: st.DrawFn, text: str, current: str | None = None) -> str:
    """``text`` in another case (upper, lower, title, swapped, alternating…), never ``current``."""
    forms = {f(text) for f in (str.upper, str.lower, str.title, str.swapcase, str.capitalize, _alternating)}
    forms -= {text, current if current is not None else text}
    return _pick(draw, sorted(forms)) if forms else text.upper() + " "


def _group(digits: str, separator: str) -> str:
    head = len(digits) % 3 or 3
    return separator.join([digits[:head], *(digits[i:i + 3] for i in range(head, len(digits), 3))])


def _comma_texts(value: Decimal) -> list[str]:
    """``value`` written as a Vietnamese spreadsheet would: decimal comma, "." or spaces between thousands."""
    sign = "-" if value < 0 else ""
    whole, _, fraction = format(abs(value), "f").partition(".")
    out = []
    if fraction:
        out += [f"{sign}{whole},{fraction}", f" {sign}{whole},{fraction} ", f"{sign}{whole},{fraction}0"]
        if len(whole) > 3:
            out += [f"{sign}{_group(whole, '.')},{fraction}", f"{sign}{_group(whole, chr(0xA0))},{fraction}"]
    else:
        out += [f"{sign}{whole},0", f"{sign}{whole},00"]
        if len(whole) > 3:
            out += [f"{sign}{_group(whole, '.')}", f"{sign}{_group(whole, ' ')}"]
    return out


def _text_of(value: Decimal | int) -> str:
    return str(value)


#: (JSON, TOML, meaning) of huge numbers; None: a correct reader reads no number (it must refuse).
_HUGE: tuple[tuple[str, str, Decimal | None], ...] = (
    ("1000000000000000", "1000000000000000", Decimal(10) ** 15),
    ("999999999999999", "999999999999999", Decimal(10) ** 15 - 1),
    ("999999999999999.9999999999", "999999999999999.9999999999", Decimal("999999999999999.9999999999")),
    ("1e15", "1e15", Decimal("1e15")), ("1E16", "1E16", Decimal("1E16")), ("1e308", "1e308", Decimal("1e308")),
    ("1e309", "1e309", Decimal("1e309")), ("1e999999999999", "1e999999999999", Decimal("1e999999999999")),
    ("99999999999999999999", "99999999999999999999", Decimal("99999999999999999999")),
    ("1" * 4301, "1" * 4301, Decimal("1" * 4301)), ("1" * 5000 + ".5", "1" * 5000 + ".5", Decimal("1" * 5000 + ".5")),
    # past the largest exponent a Decimal can hold: not a number anyone can read
    ("1e9999999999999999999", "1e9999999999999999999", None),
)
_TINY: tuple[tuple[str, str, Decimal | None], ...] = (
    ("1e-10", "1e-10", Decimal("1e-10")), ("0.0000000001", "0.0000000001", Decimal("1e-10")),
    ("1e-11", "1e-11", Decimal("1e-11")), ("0.00000000001", "0.00000000001", Decimal("1e-11")),
    ("5e-324", "5e-324", Decimal("5e-324")), ("1e-400", "1e-400", Decimal("1e-400")),
    ("1e-999999999", "1e-999999999", Decimal("1e-999999999")), ("0e-11", "0e-11", Decimal("0e-11")),
    ("2.2250738585072014e-308", "2.2250738585072014e-308", Decimal("2.2250738585072014e-308")),
    ("1e-9999999999999999999", "1e-9999999999999999999", None),
)
_NEGATIVE: tuple[tuple[str, str, Decimal | None], ...] = (
    ("-1", "-1", Decimal(-1)), ("-0", "-0", Decimal("-0")), ("-0.0", "-0.0", Decimal("-0.0")),
    ("-0.5", "-0.5", Decimal("-0.5")), ("-999999999999999", "-999999999999999", Decimal(-(10**15 - 1))),
    ("-1e-10", "-1e-10", Decimal("-1e-10")), ("-1e15", "-1e15", Decimal("-1e15")),
)
_NAN: tuple[tuple[str, str, Decimal | None], ...] = (
    ("NaN", "nan", None), ("Infinity", "inf", None), ("-Infinity", "-inf", None), ("NaN", "+nan", None),
    ("Infinity", "+inf", None), ("-Infinity", "-nan", None),
)


def _numbers(draw: st.DrawFn, kind: str, value: object) -> tuple[str, str, Decimal | None]:
    """A damaged number (JSON text, TOML text, meaning), some derived from the value it replaces."""
    table = {"number_huge": _HUGE, "number_tiny": _TINY, "number_negative": _NEGATIVE, "number_nan": _NAN}[kind]
    choices = list(table)
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        v = Decimal(value)
        if kind == "number_huge":
            for places in (6, 12, 14, 20):
                big = v.scaleb(places)
                choices.append((f"{_text_of(v)}e{places}", f"{_text_of(v)}e{places}", big))
        elif kind == "number_tiny":
            for delta in (Decimal("1e-10"), Decimal("-1e-10"), Decimal("1e-11")):
                near = v + delta
                choices.append((format(near, "f"), format(near, "f"), near))
        elif kind == "number_negative" and v:
            choices.append((_text_of(-v), _text_of(-v), -v))
    return _pick(draw, choices)


# ================================================================ damaged unit files


@attrs.frozen(repr=False)
class Mutation:
    """A damaged unit file: the kind of damage, what was done, the bytes, and what they must mean.

    ``expected`` is the meaning (see the module docstring): the rounds a correct reader must see if it
    accepts the file, or None when it must refuse it.
    """

    kind: str
    detail: str
    data: bytes
    suffix: str
    expected: Rounds | None
    unit: UnitCase

    def __repr__(self) -> str:
        shown = self.data if len(self.data) <= 1500 else self.data[:600] + b"..." + self.data[-300:]
        return f"Mutation({self.kind}: {self.detail}; {self.suffix}, {len(self.data)} bytes: {shown!r})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # hypothesis's reports: short, too
        printer.text(repr(self))


@attrs.frozen
class _Site:
    """A place in a unit file's tree: the pair at ``path`` (indexes of pairs from the root)."""

    path: tuple[int, ...]
    role: str  # top, round, block (a round's "facts"/"claims"), fact, claim
    round: str | None
    key: str
    value: Node

    @property
    def where(self) -> str:
        return f"{self.role} {self.key!r}" + (f" (round {self.round})" if self.round else "")


def _sites(rs: Ruleset, document: Table) -> list[_Site]:
    last = rs.rounds[-1].name
    out: list[_Site] = []

    def inner(table: Node, path: tuple[int, ...], role: str, round_name: str | None) -> None:
        if isinstance(table, Table):
            out.extend(_Site((*path, n), role, round_name, k, v) for n, (k, v) in enumerate(table.pairs))

    for i, (key, value) in enumerate(document.pairs):
        out.append(_Site((i,), "top", None, key, value))
        if key == "rounds" and isinstance(value, Table):
            for j, (name, block) in enumerate(value.pairs):
                out.append(_Site((i, j), "round", name, name, block))
                if not isinstance(block, Table):
                    continue
                if block.get("facts") is None and block.get("claims") is None:
                    inner(block, (i, j), "fact", name)
                    continue
                for m, (bkey, bvalue) in enumerate(block.pairs):
                    out.append(_Site((i, j, m), "block", name, bkey, bvalue))
                    inner(bvalue, (i, j, m), "fact" if bkey == "facts" else "claim", name)
        elif key in ("facts", "claims"):
            inner(value, (i,), "fact" if key == "facts" else "claim", last)
    return out


def _edit(table: Table, path: tuple[int, ...], change: Callable[[Table, int], Table]) -> Table:
    """``table`` with ``change(parent, index)`` applied to the parent of the pair at ``path``."""
    if len(path) == 1:
        return change(table, path[0])
    key, child = table.pairs[path[0]]
    assert isinstance(child, Table)
    pairs = list(table.pairs)
    pairs[path[0]] = (key, _edit(child, path[1:], change))
    return Table(tuple(pairs))


def _replace(document: Table, site: _Site, key: str, value: Node) -> Table:
    def change(parent: Table, i: int) -> Table:
        pairs = list(parent.pairs)
        pairs[i] = (key, value)
        return Table(tuple(pairs))

    return _edit(document, site.path, change)


def _insert(document: Table, site: _Site, at: int, pair: tuple[str, Node]) -> Table:
    def change(parent: Table, _: int) -> Table:
        pairs = list(parent.pairs)
        pairs.insert(min(at, len(pairs)), pair)
        return Table(tuple(pairs))

    return _edit(document, site.path, change)


#: How often each role of a site is damaged (facts most, but every key of the shape often enough).
_ROLE_WEIGHTS = {"fact": 5, "claim": 2, "top": 3, "round": 1, "block": 1}


def _choose_site(draw: st.DrawFn, sites: list[_Site], weights: Mapping[str, int] = _ROLE_WEIGHTS) -> _Site:
    """A site: a role first (by ``weights``, among the roles present), then one of its sites."""
    roles = [role for role, weight in weights.items() for _ in range(weight) if any(s.role == role for s in sites)]
    role = _pick(draw, roles) if roles else None
    return _pick(draw, [s for s in sites if s.role == role] or sites)


def _is_number(value: object) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def _swapped(draw: st.DrawFn, value: Node, form: str) -> tuple[Node, str]:
    """``value`` as another type: numbers as text or true/false, levels as numbers, objects as lists…"""
    choices: list[tuple[Node, str]]
    if _is_number(value):
        assert isinstance(value, int | Decimal)
        text = _text_of(value)
        choices = [(text, "as text"), (bool(value), "as true/false"), ((value,), "in a list"),
                   (Table((("value", value),)), "in an object"), (f"{text} điểm", "as text with a unit")]
        if Decimal(value) == Decimal(value).to_integral_value() and "e" not in text.lower():
            choices.append((Raw(text + ".0", text + ".0", Decimal(value)), "as a float"))
    elif isinstance(value, bool):
        choices = [(int(value), "as a number"), ("true" if value else "false", "as text"),
                   ("có" if value else "không", "as a Vietnamese word"), ((value,), "in a list")]
    elif isinstance(value, str):
        choices = [(1, "as a number"), (True, "as true/false"), ((value,), "in a list"),
                   (Table(((value, True),)), "as an object")]
    elif isinstance(value, Table):
        choices = [(tuple(v for _, v in value.pairs), "as a list of its values"), ((), "as an empty list"),
                   ("facts", "as text"), (1, "as a number"), (True, "as true/false")]
    else:
        choices = [(0, "as a number"), ("", "as empty text"), (Table(()), "as an object")]
    if form == "json":
        choices.append((None, "as null"))
    return _pick(draw, choices)


def _deep(value: Node, depth: int, container: str) -> Raw:
    """``value`` inside ``depth`` lists or objects, as text (too deep to build as a tree)."""
    if container == "list":
        return Raw("[" * depth + _json_value(value) + "]" * depth, "[" * depth + _toml_value(value) + "]" * depth)
    return Raw('{"a": ' * depth + _json_value(value) + "}" * depth,
               "{ a = " * depth + _toml_value(value) + " }" * depth)


def _nested(value: Node, depth: int, container: str) -> Node:
    if depth > 3:
        return _deep(value, depth, container)
    for _ in range(depth):
        value = (value,) if container == "list" else Table((("value", value),))
    return value


_INVALID_UTF8: tuple[bytes, ...] = (
    b"\xff", b"\xfe", b"\xc0\xaf", b"\xc3\x28", b"\xe1\xba", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80",
    b"\xf8\x88\x80\x80\x80", b"\xe2\x82", b"\xc3",
)


def _file_damage(
    draw: st.DrawFn, rs: Ruleset, unit: UnitCase, kind: str, values: Mapping[str, st.SearchStrategy[Any]],
) -> tuple[Node | bytes, str, Rounds | None]:
    """One damage of ``kind``: the damaged tree (or bytes), what was done, and the meaning."""
    doc = unit.document
    original = unit.rounds
    sites = _sites(rs, doc)
    form = unit.format

    def facts_or_claims(site: _Site) -> bool:
        return site.role in ("fact", "claim")

    if kind == "truncation":
        data = unit.data
        newlines = [i for i, b in enumerate(data) if b == 0x0A]
        cut = draw(st.one_of(st.integers(0, len(data) - 1), st.sampled_from(newlines or [0]),
                             st.integers(max(len(data) - 4, 0), len(data) - 1)))
        damaged = data[:cut]
        meaning = meaning_of_file(rs, damaged, suffix=unit.suffix)
        parses = _parses(damaged, unit.suffix)
        return damaged, f"cut after byte {cut} of {len(data)}", meaning if parses else original

    if kind == "invalid_utf8":
        data = unit.data
        how = draw(st.sampled_from(("insert", "inside a text", "replace", "encoding")))
        bad = _pick(draw, _INVALID_UTF8)
        if how == "encoding":
            codec = _pick(draw, ("utf-16", "cp1258", "latin-1"))
            encoded = unit.text.encode(codec, errors="replace")
            if encoded != data and not _valid_utf8(encoded):
                return encoded, f"the file written in {codec}", original
            how = "insert"
        quotes = [i + 1 for i, b in enumerate(data) if b == 0x22] or [0]
        at = draw(st.sampled_from(quotes)) if how == "inside a text" else draw(st.integers(0, len(data)))
        if how == "replace" and at < len(data):
            damaged = data[:at] + bad + data[at + 1:]
        else:
            damaged = data[:at] + bad + data[at:]
        if _valid_utf8(damaged):  # the bad bytes completed a character: make sure
            damaged += b"\xff"
        return damaged, f"bytes {bad!r} at byte {at} ({how})", original

    if kind == "type_swap":
        site = _choose_site(draw, sites)
        new, how = _swapped(draw, site.value, form)
        return _replace(doc, site, site.key, new), f"{site.where}: {_short(site.value)} {how}", original

    if kind == "nesting":
        site = _choose_site(draw, sites, {"fact": 6, "claim": 2, "top": 1, "round": 1, "block": 1})
        if isinstance(site.value, Table) or draw(st.integers(0, 9)) == 0:
            if form == "json" and draw(st.booleans()):
                return (doc,), "the whole file inside a list", original
            wrapper = "facts" if site.role in ("top", "block") and site.key == "facts" else "value"
            wrapped: Node = Table(((wrapper, site.value),))
            return _replace(doc, site, site.key, wrapped), f"{site.where}: inside another object", original
        depth = draw(st.sampled_from(DEPTHS))
        container = draw(st.sampled_from(("list", "object")))
        detail = f"{site.where}: {_short(site.value)} inside {depth} {container}s"
        return _replace(doc, site, site.key, _nested(site.value, depth, container)), detail, original

    if kind in ("key_misspelt", "key_form", "key_duplicate"):
        site = _choose_site(draw, sites)
        if kind == "key_misspelt":
            known = _known_names(rs)
            new_key = _typo(draw, site.key, lambda k: _fold(k) in known)
            detail = f"{site.where} misspelt {new_key!r}"
            damaged_doc = _replace(doc, site, new_key, site.value)
            return damaged_doc, detail, _tree_meaning(rs, damaged_doc)
        if kind == "key_form":
            how, new_key = _key_form(draw, site.key)
            damaged_doc = _replace(doc, site, new_key, site.value)
            return damaged_doc, f"{site.where} written {new_key!r} ({how})", _tree_meaning(rs, damaged_doc)
        # key_duplicate: the same key again (or an equivalent spelling of it), with the same or another value
        forms = [site.key]
        if site.role in ("fact", "claim"):
            forms += [f for f in (site.key.lower(), site.key.upper(), unicodedata.normalize("NFD", site.key))
                      if f != site.key and (site.role == "claim" or _same_fact_key(rs, f, site.key))]
        key = _pick(draw, forms)
        value: Node = site.value
        if draw(st.booleans()):
            if site.role == "fact":
                name = _fact_name(rs, site.key)
                value = draw(values[name])
            elif site.role == "claim" and _is_number(site.value):
                assert isinstance(site.value, int | Decimal)
                value = site.value + Decimal("0.5")
        parent = _edit_parent_len(doc, site.path)
        at = draw(st.sampled_from((site.path[-1] + 1, 0, parent)))
        damaged_doc = _insert(doc, site, at, (key, value))
        same = _same_node(rs, site, site.value, value)
        detail = f"{site.where} given again as {key!r}: {_short(value)} ({'same' if same else 'another'} value)"
        return damaged_doc, detail, original if same else None

    if kind in ("number_huge", "number_tiny", "number_negative", "number_nan", "decimal_comma"):
        numeric = [s for s in sites if facts_or_claims(s) and _is_number(s.value)]
        site = _pick(draw, numeric) if numeric else _choose_site(draw, sites)
        if kind == "decimal_comma":
            number = site.value if _is_number(site.value) else Decimal("1.5")
            assert isinstance(number, int | Decimal)
            text = _pick(draw, _comma_texts(Decimal(number)))
            return _replace(doc, site, site.key, text), f"{site.where}: {site.value!r} as {text!r}", original
        json_text, toml_text, number = _numbers(draw, kind, site.value)
        damaged_doc = _replace(doc, site, site.key, Raw(json_text, toml_text, number))
        detail = f"{site.where}: {_short(site.value)} -> {_short(json_text if form == 'json' else toml_text)}"
        return damaged_doc, detail, _tree_meaning(rs, damaged_doc)

    # the level kinds: a scale fact's value; without one, another text of the file (the unit's name…)
    levels = [s for s in sites if s.role == "fact" and isinstance(s.value, str) and _scale_of(rs, s.key)]
    texts = [s for s in sites if isinstance(s.value, str) and s.value]
    site_or_none = _pick(draw, levels) if levels else _pick(draw, texts) if texts else None
    if site_or_none is None:
        damaged_doc = Table((*doc.pairs, ("note", unicodedata.normalize("NFD", "Ghi chú: đã kiểm tra"))))
        return damaged_doc, "a note in NFD added (no text to damage)", _tree_meaning(rs, damaged_doc)
    site = site_or_none
    current = site.value
    assert isinstance(current, str)
    spec = _scale_of(rs, site.key)
    spellings = [current]
    if spec is not None:
        spellings += _level_forms(spec, str(_value(spec, current)))
    base = _pick(draw, spellings)
    if kind == "level_nfd":
        candidates = {unicodedata.normalize("NFD", base), _mixed_nfd(draw, base)} - {current}
        new_text = _pick(draw, sorted(candidates)) if candidates else unicodedata.normalize("NFD", base.upper())
        how = "in NFD"
    elif kind == "level_case":
        new_text = _cased(draw, base, current)
        how = "in another case"
    else:
        new_text = _typo(draw, base, lambda t: _fold(t) == _fold(current))
        how = "misspelt"
    damaged_doc = _replace(doc, site, site.key, new_text)
    return damaged_doc, f"{site.where}: {current!r} {how}: {new_text!r}", _tree_meaning(rs, damaged_doc)


def _edit_parent_len(document: Table, path: tuple[int, ...]) -> int:
    node: Node = document
    for i in path[:-1]:
        assert isinstance(node, Table)
        node = node.pairs[i][1]
    assert isinstance(node, Table)
    return len(node.pairs)


def _same_fact_key(rs: Ruleset, key: str, original: str) -> bool:
    try:
        return _fact_name(rs, key) == _fact_name(rs, original)
    except _NoMeaning:
        return False


def _same_node(rs: Ruleset, site: _Site, a: Node, b: Node) -> bool:
    """Whether two values of one site mean the same (for a fact, by its spec)."""
    try:
        if site.role == "fact":
            spec = rs.facts[_fact_name(rs, site.key)]
            return _tagged(_value(spec, _plain(a))) == _tagged(_value(spec, _plain(b)))
        return _tagged(_plain(a)) == _tagged(_plain(b))
    except _NoMeaning:
        return False


def _scale_of(rs: Ruleset, key: str) -> FactSpec | None:
    try:
        spec = rs.facts[_fact_name(rs, key)]
    except _NoMeaning:
        return None
    return spec if spec.kind == "scale" else None


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _parses(data: bytes, suffix: str) -> bool:
    """Whether the standard library reads ``data`` as JSON/TOML at all (then its meaning is what it says)."""
    try:
        text = data.decode("utf-8")
        if suffix == ".toml":
            tomllib.loads(text, parse_float=Decimal)
        else:
            json.loads(text, parse_float=Decimal, parse_int=Decimal)
    except (ValueError, RecursionError, ArithmeticError):
        return False
    return True


@st.composite
def _mutations(draw: st.DrawFn, plan: _Plan, units: st.SearchStrategy[UnitCase]) -> Mutation:
    unit = draw(units)
    kind = draw(st.sampled_from(plan.kinds))
    damaged, detail, expected = _file_damage(draw, plan.rs, unit, kind, plan.values)
    data = damaged if isinstance(damaged, bytes) else _render(damaged, unit.format).encode("utf-8")
    if data == unit.data:  # a damage that changed nothing: say so, and damage for sure
        data += b"\xff"
        detail += "; and a byte 0xff at the end"
        expected = unit.rounds
    return Mutation(kind, detail, data, unit.suffix, expected, unit)


def mutations(
    rs: Ruleset, *, kinds: Sequence[str] = MUTATION_KINDS, units: st.SearchStrategy[UnitCase] | None = None,
) -> st.SearchStrategy[Mutation]:
    """Damaged unit files for ``rs`` (one damage of one of ``kinds`` each), drawn from ``units``
    (``unit_files(rs)`` by default), each with its meaning in ``Mutation.expected``."""
    _check_ruleset(rs, "mutations")
    plan = _plan(rs, kinds=_kinds(kinds))
    return _mutations(plan, units if units is not None else _unit_files(plan))


# ================================================================ damaged fact mappings


@attrs.frozen(repr=False)
class FactsMutation:
    """A damaged mapping of facts for ``rs.evaluate``, with the kind, what was done and its meaning."""

    kind: str
    detail: str
    facts: Mapping[Any, Any]
    expected: dict[str, Value] | None
    original: Mapping[str, Any]

    def __repr__(self) -> str:
        return f"FactsMutation({self.kind}: {self.detail}; facts {_short(self.facts)})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # hypothesis's reports: short, too
        printer.text(repr(self))


class _Key(str):
    """A key of a ``str`` subclass (what some readers and ORMs hand over): the same text, the same key."""

    __slots__ = ()


class _Opaque:
    def __repr__(self) -> str:
        return "<opaque object>"


def _py_swapped(draw: st.DrawFn, value: object) -> tuple[object, str]:
    choices: list[tuple[object, str]]
    if _is_number(value):
        assert isinstance(value, int | Decimal)
        choices = [(str(value), "as text"), (float(value), "as a float"), (Fraction(value), "as a Fraction"),
                   (bool(value), "as a bool"), ([value], "in a list"), ({"value": value}, "in a dict"),
                   ((value,), "in a tuple"), (complex(value), "as a complex"), (str(value).encode(), "as bytes")]
    elif isinstance(value, bool):
        choices = [(int(value), "as an int"), (Decimal(int(value)), "as a Decimal"), (str(value).lower(), "as text"),
                   ([value], "in a list"), (float(value), "as a float")]
    elif isinstance(value, str):
        choices = [(1, "as a number"), (True, "as a bool"), ([value], "in a list"), (value.encode(), "as bytes"),
                   ({value: True}, "as a dict"), ((value,), "in a tuple")]
    else:
        choices = [(0, "as a number"), ("", "as text")]
    choices += [(None, "as None"), (_Opaque(), "as an object")]
    return _pick(draw, choices)


def _py_nested(value: object, depth: int, container: str) -> object:
    for _ in range(depth):
        value = [value] if container == "list" else (value,) if container == "tuple" else {"a": value}
    return value


_PY_HUGE: tuple[object, ...] = (
    10**15, 10**15 - 1, Decimal("999999999999999.9999999999"), 10**4301, 10**20_000, Decimal("1e999999999999"),
    Decimal("1E+999999999999999999"), 1e308, 1e16, 1.7976931348623157e308, Decimal(10) ** 15,
)
_PY_TINY: tuple[object, ...] = (
    Decimal("1e-10"), Decimal("1e-11"), 5e-324, 1e-10, Decimal("1E-999999999999999999"), Fraction(1, 3),
    Fraction(1, 1024), Fraction(1, 2**40), Decimal("0E-11"),
)
_PY_NEGATIVE: tuple[object, ...] = (-1, Decimal("-0"), -0.0, Decimal("-1e-10"), -(10**14), Fraction(-1, 2), -1.5)
_PY_NAN: tuple[object, ...] = (
    float("nan"), Decimal("NaN"), Decimal("sNaN"), float("inf"), float("-inf"), Decimal("-Infinity"), Decimal("-NaN"),
)


def _facts_damage(
    draw: st.DrawFn, rs: Ruleset, given: dict[str, Any], kind: str, values: Mapping[str, st.SearchStrategy[Any]],
) -> tuple[dict[Any, Any], str, dict[str, Value] | None]:
    original = _canonical_facts(rs, given)
    if not given:  # every fact defaulted: damage one given explicitly
        name = _pick(draw, list(rs.facts))
        given = {name: draw(values[name])}
        original = _canonical_facts(rs, given)
    keys = list(given)
    numeric = [k for k in keys if _is_number(given[k])]
    levels = [k for k in keys if rs.facts[_fact_name(rs, k)].kind == "scale"]

    def with_value(key: str, value: object) -> dict[Any, Any]:
        return {**given, key: value}

    def literal(damaged: Mapping[Any, Any]) -> dict[str, Value] | None:
        return meaning_of_facts(rs, damaged)

    if kind == "type_swap":
        key = _pick(draw, keys)
        new, how = _py_swapped(draw, given[key])
        return with_value(key, new), f"{key}: {_short(given[key])} {how}", original
    if kind in ("key_misspelt", "key_form"):
        key = _pick(draw, keys)
        if kind == "key_misspelt":
            known = _known_names(rs)
            new_key: object = _typo(draw, key, lambda k: _fold(k) in known)
            how = "misspelt"
        else:
            form = draw(st.sampled_from(("form", "form", "bytes", "subclass")))
            if form == "form":
                how, new_key = _key_form(draw, key)
            else:
                how, new_key = ("as bytes", key.encode()) if form == "bytes" else ("as a str subclass", _Key(key))
        renamed = {(new_key if k == key else k): v for k, v in given.items()}
        return renamed, f"{key!r} {how}: {_short(new_key)}", literal(renamed)
    if kind == "key_duplicate":
        key = _pick(draw, keys)
        forms = [f for f in (key.lower(), key.upper(), key.swapcase(), unicodedata.normalize("NFD", key))
                 if f != key and _same_fact_key(rs, f, key)]
        twin = _pick(draw, forms) if forms else key + " "
        value = draw(values[_fact_name(rs, key)]) if draw(st.booleans()) else given[key]
        damaged = {**given, twin: value}
        spec = rs.facts[_fact_name(rs, key)]
        same = bool(forms) and _tagged(_value(spec, value)) == _tagged(_value(spec, given[key]))
        return damaged, f"{key!r} given again as {twin!r}: {_short(value)}", original if same else None
    if kind in ("number_huge", "number_tiny", "number_negative", "number_nan"):
        key = _pick(draw, numeric or keys)
        table = {"number_huge": _PY_HUGE, "number_tiny": _PY_TINY, "number_negative": _PY_NEGATIVE,
                 "number_nan": _PY_NAN}[kind]
        choices = list(table)
        if _is_number(given[key]):
            v = Decimal(given[key])
            derived: dict[str, list[object]] = {
                "number_huge": [v.scaleb(12), int(v) * 10**20], "number_tiny": [v + Decimal("1e-10")],
                "number_negative": [-v], "number_nan": [],
            }
            choices += derived[kind]
        new = _pick(draw, choices)
        damaged = with_value(key, new)
        return damaged, f"{key}: {_short(given[key])} -> {_short(new)}", literal(damaged)
    if kind == "decimal_comma":
        key = _pick(draw, numeric or keys)
        number = Decimal(given[key]) if _is_number(given[key]) else Decimal("1.5")
        text = _pick(draw, _comma_texts(number))
        return with_value(key, text), f"{key}: {_short(given[key])} as {text!r}", original
    if kind in ("level_nfd", "level_case", "level_misspelt"):
        if not levels:  # no scale among the facts: a key in NFD or another case instead
            key = _pick(draw, keys)
            twin = unicodedata.normalize("NFD", key) if kind == "level_nfd" else _cased(draw, key)
            renamed = {(twin if k == key else k): v for k, v in given.items()}
            return renamed, f"no level: the key {key!r} as {twin!r}", literal(renamed)
        key = _pick(draw, levels)
        spec = rs.facts[_fact_name(rs, key)]
        base = _pick(draw, [given[key], *_level_forms(spec, str(original[_fact_name(rs, key)]))])
        if kind == "level_nfd":
            candidates = {unicodedata.normalize("NFD", base), _mixed_nfd(draw, base)} - {given[key]}
            text = _pick(draw, sorted(candidates)) if candidates else unicodedata.normalize("NFD", base.upper())
        elif kind == "level_case":
            text = _cased(draw, base, given[key])
        else:
            text = _typo(draw, base, lambda t: _fold(t) == _fold(given[key]))
        damaged = with_value(key, text)
        return damaged, f"{key}: {given[key]!r} as {text!r}", literal(damaged)
    if kind == "nesting":
        key = _pick(draw, keys)
        depth = draw(st.sampled_from(DEPTHS))
        container = draw(st.sampled_from(("list", "tuple", "dict")))
        nested = _py_nested(given[key], depth, container)
        return with_value(key, nested), f"{key}: {_short(given[key])} inside {depth} {container}s", original
    if kind == "truncation":
        how = draw(st.sampled_from(("items", "value", "key")))
        texts = [k for k in keys if isinstance(given[k], str)]
        if how == "items" or (how == "value" and not texts):
            n = draw(st.integers(0, len(keys) - 1))
            damaged = dict(list(given.items())[:n])
            return damaged, f"only the first {n} of {len(keys)} facts", literal(damaged)
        key = _pick(draw, texts if how == "value" else keys)
        if how == "value":
            cut = draw(st.integers(0, max(len(given[key]) - 1, 0)))
            damaged = with_value(key, given[key][:cut])
            return damaged, f"{key}: {given[key]!r} cut to {given[key][:cut]!r}", literal(damaged)
        cut = draw(st.integers(0, max(len(key) - 1, 0)))
        damaged = {(key[:cut] if k == key else k): v for k, v in given.items()}
        return damaged, f"the key {key!r} cut to {key[:cut]!r}", literal(damaged)
    # invalid_utf8: what reading bytes with errors="surrogateescape" gives, or undecoded bytes
    key = _pick(draw, keys)
    bad = draw(st.sampled_from(("\udcff", "\udcc3", "\ud800", "\udfff")))
    how = draw(st.sampled_from(("in the value", "in the key", "the value as bytes")))
    if how == "in the key":
        at = draw(st.integers(0, len(key)))
        twin = key[:at] + bad + key[at:]
        return {(twin if k == key else k): v for k, v in given.items()}, f"{key!r} as {twin!r}", original
    if how == "in the value" and isinstance(given[key], str):
        at = draw(st.integers(0, len(given[key])))
        return with_value(key, given[key][:at] + bad + given[key][at:]), f"{key}: {bad!r} in the value", original
    encoded = str(given[key]).encode("utf-8") + b"\xff"
    return with_value(key, encoded), f"{key}: {_short(given[key])} as bytes {encoded!r}", original


@st.composite
def _fact_mutations(draw: st.DrawFn, plan: _Plan) -> FactsMutation:
    given = draw(plan.facts)
    kind = draw(st.sampled_from(plan.kinds))
    damaged, detail, expected = _facts_damage(draw, plan.rs, given, kind, plan.values)
    return FactsMutation(kind, detail, damaged, expected, given)


def fact_mutations(rs: Ruleset, *, kinds: Sequence[str] = MUTATION_KINDS) -> st.SearchStrategy[FactsMutation]:
    """Damaged fact mappings for ``rs.evaluate`` (the same kinds as files, in Python values: floats,
    Fractions, bytes, lone surrogates, str subclasses, 100 000-deep lists…), each with its meaning."""
    _check_ruleset(rs, "fact_mutations")
    return _fact_mutations(_plan(rs, kinds=_kinds(kinds)))


# ================================================================ the oracle


@attrs.frozen
class Verdict:
    """How the library took one input: ``outcome`` (see the module docstring) and what happened."""

    outcome: str
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome in OK_OUTCOMES

    def __str__(self) -> str:
        return f"{self.outcome}: {self.detail}" if self.detail else self.outcome


class _Overtime(BaseException):
    """Raised by the alarm into a check that runs too long (a BaseException: nothing swallows it)."""


@contextlib.contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    main_thread = threading.current_thread() is threading.main_thread()
    usable = seconds is not None and hasattr(signal, "setitimer") and main_thread
    if not usable:
        yield
        return
    assert seconds is not None

    def expire(signum: int, frame: FrameType | None) -> None:
        raise _Overtime

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.25)  # and again: a raise inside a finalizer is lost
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _run(call: Callable[[], Any], seconds: float | None) -> tuple[str, Any]:
    """("value", result), ("error", exception) or ("hang", None)."""
    try:
        with _time_limit(seconds):
            try:
                return "value", call()
            except _Overtime:
                raise
            except Exception as error:  # judging every escape is the point
                return "error", error
    except _Overtime:
        return "hang", None


def _where(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if f"{os.sep}thidua_rules{os.sep}" in f.filename and "testing" not in f.filename]
    if not (ours or frames):
        return ""
    frame = (ours or frames)[-1]
    return f" at {os.path.basename(frame.filename)}:{frame.lineno} in {frame.name}"


def _crash(error: BaseException) -> str:
    return f"{type(error).__module__}.{type(error).__name__}: {str(error)[:200]}{_where(error)}"


def _message_problem(error: ThiduaError) -> str | None:
    if not str(error).strip():
        return f"{type(error).__name__} with an empty message"
    if isinstance(error, FactsError):
        if not error.problems:
            return "a FactsError listing no problem"
        for problem in error.problems:
            if not str(problem.fact).strip() or not str(problem.message).strip():
                return f"a problem that names nothing: {_short(problem)}"
    return None


def _first_lines(error: BaseException, n: int = 3) -> str:
    return " | ".join(str(error).splitlines()[:n])[:300]


@attrs.frozen
class _Reference:
    """The library's result for the clean meaning: kind "ok" (with ``result``), "refused", "crash" or "none"."""

    kind: str
    why: str = ""
    result: Any = None


def _reference(call: Callable[[], Any] | None, why: str, seconds: float | None) -> _Reference:
    if call is None:
        return _Reference("none", why)
    kind, value = _run(call, seconds)
    if kind == "hang":
        return _Reference("crash", f"the clean meaning did not finish within {seconds} s")
    if kind == "error":
        if isinstance(value, ThiduaError):
            return _Reference("refused", _first_lines(value))
        return _Reference("crash", _crash(value))
    return _Reference("ok", result=value)


def _diff(expected: object, got: object, path: str = "") -> list[str]:
    if isinstance(expected, Mapping) and isinstance(got, Mapping):
        out = []
        for key in [*expected, *(k for k in got if k not in expected)]:
            if key not in got or key not in expected:
                out.append(f"{path}{key}: {'missing' if key not in got else 'unexpected'}")
            else:
                out += _diff(expected[key], got[key], f"{path}{key}.")
        return out
    if expected != got:
        return [f"{path.rstrip('.')}: expected {_short(expected)}, got {_short(got)}"]
    return []


def _submission_print(sub: Submission) -> dict[str, object]:
    return {
        "final round rule": sub.final_round,
        "round scores": {r: dict(scores) for r, scores in sub.round_scores.items()},
        "round facts": {r: {str(k): _tagged(v) for k, v in res.facts.items()} for r, res in sub.rounds.items()},
        "round totals": {r: res.total for r, res in sub.rounds.items()},
        "final scores": {node.code: node.score for node in sub.final},
        "final facts": {str(k): _tagged(v) for k, v in sub.final.facts.items()},
        "total": sub.final.total,
        "rows": {row.code: {"final": row.final, "decided by": row.decided_by, "claims": dict(row.claims),
                            "flags": row.flags} for row in sub.rows},
    }


def _result_print(res: Result) -> dict[str, object]:
    return {
        "facts": {str(k): _tagged(v) for k, v in res.facts.items()},
        "scores": {node.code: node.score for node in res},
        "standard": res.standard, "bonus": res.bonus, "deductions": res.deductions, "total": res.total,
        "percentage": res.percentage,
    }


def _judge(outcome: tuple[str, Any], reference: _Reference, fingerprint: Callable[[Any], object],
           seconds: float | None) -> Verdict:
    kind, value = outcome
    if reference.kind == "crash":
        return Verdict("crash", f"on the clean meaning: {reference.why}")
    if kind == "hang":
        return Verdict("hang", f"did not finish within {seconds} s")
    if kind == "error":
        if isinstance(value, ThiduaError):
            problem = _message_problem(value)
            return Verdict("bad_error", problem) if problem else Verdict("refused", _first_lines(value))
        return Verdict("crash", _crash(value))
    if reference.kind == "none":
        return Verdict("accepted_invalid", f"accepted, but it means nothing: {reference.why}")
    if reference.kind == "refused":
        return Verdict("accepted_invalid", f"accepted, but its clean meaning is refused: {reference.why}")
    differences = _diff(fingerprint(reference.result), fingerprint(value))
    if differences:
        more = f" (and {len(differences) - 4} more)" if len(differences) > 4 else ""
        return Verdict("changed", "; ".join(differences[:4]) + more)
    return Verdict("accepted_same")


def _bytes(data: str | bytes) -> bytes:
    if isinstance(data, bytes):
        return data
    try:
        return data.encode("utf-8", errors="surrogateescape")
    except UnicodeEncodeError:
        return data.encode("utf-8", errors="surrogatepass")


@contextlib.contextmanager
def _written(data: bytes, suffix: str) -> Iterator[str]:
    handle, path = tempfile.mkstemp(suffix=suffix, prefix="thidua-unit-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        yield path
    finally:
        os.unlink(path)


def _submission_reference(rs: Ruleset, original_facts: Mapping[str, Any] | None, seconds: float | None) -> _Reference:
    expected, why = _expected_rounds(rs, original_facts)
    call = (lambda: rs.evaluate_submission(expected)) if expected is not None else None
    return _reference(call, why, seconds)


def check_input(
    rs: Ruleset, data: str | bytes, *, original_facts: Mapping[str, Any] | None, suffix: str = ".json",
    time_limit: float | None = HANG_LIMIT,
) -> Verdict:
    """Read ``data`` as a unit file (``read_unit``, then ``rs.evaluate_submission``) and judge it
    against ``original_facts``, the rounds it must mean (round -> facts, or -> ``{"facts", "claims"}``;
    None: it must be refused). See the module docstring for the rules."""
    _check_ruleset(rs, "check_input")
    reference = _submission_reference(rs, original_facts, time_limit)
    with _written(_bytes(data), suffix) as path:
        def score() -> Submission:
            unit = tr.read_unit(path)
            return rs.evaluate_submission(unit.rounds, unit=unit.unit)

        outcome = _run(score, time_limit)
    return _judge(outcome, reference, _submission_print, time_limit)


def check_facts(
    rs: Ruleset, given: Mapping[Any, Any], *, original_facts: Mapping[str, Any] | None,
    time_limit: float | None = HANG_LIMIT,
) -> Verdict:
    """Score ``given`` with ``rs.evaluate`` (traced and untraced) and judge it against
    ``original_facts``, the facts it must mean (None: it must be refused)."""
    _check_ruleset(rs, "check_facts")
    try:
        expected: dict[str, Value] | None = _canonical_facts(rs, original_facts) if original_facts is not None else None
        why = "the input has no meaning"
    except _NoMeaning as error:
        expected, why = None, str(error)
    reference = _reference((lambda: rs.evaluate(expected)) if expected is not None else None, why, time_limit)
    verdicts = []
    for trace in (True, False):
        def evaluate(trace: bool = trace) -> Result:
            return rs.evaluate(given, trace=trace)

        verdicts.append(_judge(_run(evaluate, time_limit), reference, _result_print, time_limit))
    traced, untraced = verdicts
    for verdict, name in ((traced, "traced"), (untraced, "untraced")):
        if not verdict.ok:
            return Verdict(verdict.outcome, f"{name}: {verdict.detail}")
    if traced.outcome != untraced.outcome:
        return Verdict("inconsistent", f"traced {traced}, untraced {untraced}")
    return traced


_NUMBER_TEXT = re.compile(r"-?\d+(\.\d+)?")
#: How Python's report of an uncaught exception begins.
_TRACEBACK = "Traceback (most recent call last)"


def _numbers_in(value: object) -> object:
    """A JSON result with its numbers (written as text) as Decimals, for comparing 2.5 with 2.50."""
    if isinstance(value, dict):
        return {k: _numbers_in(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers_in(v) for v in value]
    if isinstance(value, str) and _NUMBER_TEXT.fullmatch(value):
        return Decimal(value)
    return value


def _cli_print(document: Mapping[str, Any]) -> object:
    return _numbers_in({
        "total": document.get("total"), "totals": document.get("totals"), "flags": document.get("flags"),
        "rows": [{k: row.get(k) for k in ("code", "scores", "final", "claims")} for row in document.get("rows", [])],
    })


def check_cli(
    rs: Ruleset, data: str | bytes, *, original_facts: Mapping[str, Any] | None, suffix: str = ".json",
    ruleset: str | None = None, time_limit: float | None = HANG_LIMIT,
) -> Verdict:
    """Run ``thidua score FILE`` (and ``--json``) in this process on ``data``: exit 0 or 1, no traceback,
    a message on stderr when it fails, and with ``--json`` the reference's scores when it succeeds.
    ``ruleset`` is passed as ``--ruleset`` (else the file's own ``"ruleset"`` is used)."""
    _check_ruleset(rs, "check_cli")
    reference = _submission_reference(rs, original_facts, time_limit)
    if reference.kind == "crash":
        return Verdict("crash", f"on the clean meaning: {reference.why}")
    codes = []
    with _written(_bytes(data), suffix) as path:
        for extra in ([], ["--json"]):
            argv = ["score", path, *(["--ruleset", ruleset] if ruleset else []), *extra]
            out, err = io.StringIO(), io.StringIO()

            def command(argv: list[str] = argv, out: io.StringIO = out, err: io.StringIO = err) -> int:
                with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                    return cli_main(argv)

            kind, value = _run(command, time_limit)
            shown = " ".join(["thidua", *argv[:1], "FILE", *argv[2:]])
            if kind == "hang":
                return Verdict("hang", f"{shown} did not finish within {time_limit} s")
            if kind == "error":
                return Verdict("crash", f"{shown}: {_crash(value)} (a traceback in a terminal)")
            text = out.getvalue() + err.getvalue()
            if _TRACEBACK in text:  # not merely the word: a unit may be named "Traceback"
                return Verdict("cli", f"{shown}: a traceback in the output: {text[-300:]!r}")
            if value not in (0, 1):
                return Verdict("cli", f"{shown}: exit code {value!r}")
            if value == 1 and not err.getvalue().strip():
                return Verdict("cli", f"{shown}: exit 1 with nothing on stderr")
            codes.append(value)
            if value == 0 and extra:
                if reference.kind != "ok":
                    return Verdict("accepted_invalid", f"{shown}: exit 0, but {reference.why or 'it means nothing'}")
                try:
                    printed = json.loads(out.getvalue())
                except ValueError:
                    return Verdict("cli", f"{shown}: exit 0 without JSON on stdout")
                differences = _diff(_cli_print(reference.result.to_dict()), _cli_print(printed))
                if differences:
                    return Verdict("changed", f"{shown}: " + "; ".join(differences[:4]))
    if codes[0] != codes[1]:
        return Verdict("cli", f"exit {codes[0]} without --json but {codes[1]} with it")
    return Verdict("refused" if codes[0] == 1 else "accepted_same", f"exit {codes[0]}")


# ================================================================ the nightly runner


#: What varies between two cases of one failure: quoted texts, codes such as A.III.1, numbers.
_SIGNATURE = re.compile(r"'[^']*'|\"[^\"]*\"|\b[A-Z]{1,4}(\.[A-Z0-9]+)+\b|\d+(\.\d+)?")


@attrs.define
class Tally:
    """Counts per (ruleset, path, kind, outcome), and the smallest reproducer of each distinct failure."""

    counts: Counter[tuple[str, str, str, str]] = attrs.field(factory=Counter)
    failures: dict[tuple[str, str, str, str], tuple[int, str]] = attrs.field(factory=dict)

    def add(self, ruleset: str, path: str, kind: str, verdict: Verdict, reproducer: Callable[[], str]) -> None:
        self.counts[(ruleset, path, kind, verdict.outcome)] += 1
        if verdict.ok:
            return
        signature = _SIGNATURE.sub("_", verdict.detail)[:60]
        key = (path, kind, verdict.outcome, signature)
        text = f"{verdict.detail}\n      reproducer ({ruleset}): {reproducer()}"
        if key not in self.failures or len(text) < self.failures[key][0]:
            self.failures[key] = (len(text), text)

    @property
    def failed(self) -> int:
        return sum(n for (_, _, _, outcome), n in self.counts.items() if outcome not in OK_OUTCOMES)

    def report(self, seconds: float) -> str:
        cases = sum(n for (_, path, _, _), n in self.counts.items() if path != "cli")
        cli = sum(n for (_, path, _, _), n in self.counts.items() if path == "cli")
        lines = [f"{cases} cases ({cli} of the file cases also through the CLI) in {seconds:.1f} s"]
        header = f"{'kind':<16}{'path':<6}{'cases':>7}" + "".join(f"{o:>{max(len(o), 6) + 1}}" for o in OUTCOMES)
        for title, index in (("per kind and path", None), ("per ruleset", 0)):
            lines += ["", title, header if index is None else header.replace("kind", "ruleset", 1)]
            groups: dict[tuple[str, str], Counter[str]] = {}
            order = {k: i for i, k in enumerate((*MUTATION_KINDS, "file", "facts", "cli"))}
            for (ruleset, path, kind, outcome), n in sorted(
                self.counts.items(), key=lambda item: (order.get(item[0][2], 99), order[item[0][1]], item[0][0])
            ):
                groups.setdefault((kind if index is None else ruleset, path), Counter())[outcome] += n
            if index is None:
                totals: dict[str, Counter[str]] = {}
                for (_, path), counter in groups.items():
                    totals.setdefault(path, Counter()).update(counter)
                groups.update({("TOTAL", p): c for p, c in totals.items()})
            for (name, path), counter in groups.items():
                cells = "".join(f"{counter[o]:>{max(len(o), 6) + 1}}" for o in OUTCOMES)
                lines.append(f"{name[:15]:<16}{path:<6}{sum(counter.values()):>7}{cells}")
        lines += ["", f"{len(self.failures)} distinct failure(s)" + (":" if self.failures else "")]
        for (path, kind, outcome, _), (_, text) in sorted(self.failures.items()):
            lines.append(f"  [{path} {kind} {outcome}] {text}")
        return "\n".join(lines)


#: How many cases the runner draws under one seed.
RUN_CHUNK = 10


def run(
    rulesets: Sequence[Ruleset], *, cases: int, kinds: Sequence[str] = MUTATION_KINDS,
    paths: Sequence[str] = ("file", "facts"), cli_every: int = 20, seed: int = 0,
    time_limit: float | None = HANG_LIMIT, progress: Callable[[str], None] | None = None,
) -> Tally:
    """``cases`` damaged inputs spread evenly over rulesets × paths × kinds; every ``cli_every``-th file
    case also through the CLI (0: never). Never stops at a failure: counts it, keeps its smallest case."""
    kinds = _kinds(kinds)
    cells = [(rs, path, kind) for rs in rulesets for path in paths for kind in kinds]
    per_cell = max(1, -(-cases // max(len(cells), 1)))
    tally = Tally()
    shipped = {s.id for s in tr.rulesets.available()}
    for number, (rs, path, kind) in enumerate(cells):
        counter = [0]
        strategy: st.SearchStrategy[Any] = mutations(rs, kinds=[kind]) if path == "file" else \
            fact_mutations(rs, kinds=[kind])
        one = _cell(tally, rs, path, kind, counter, cli_every, rs.id if rs.id in shipped else None, time_limit)
        # Short runs under many seeds: one long run of hypothesis's generator keeps varying a few
        # cases it found (a cell of 200 gave 44 distinct damages; 20 runs of 10 gave 150).
        for chunk, start in enumerate(range(0, per_cell, RUN_CHUNK)):
            test = settings(
                max_examples=min(RUN_CHUNK, per_cell - start), database=None, deadline=None,
                phases=[Phase.generate], suppress_health_check=list(HealthCheck), derandomize=False,
            )(given(strategy)(one))
            hypothesis_seed(seed * 1_000_003 + number * 10_007 + chunk)(test)()
        if progress is not None:
            progress(f"{number + 1}/{len(cells)} {rs.id} {path} {kind}: {counter[0]} cases")
    return tally


def _cell(
    tally: Tally, rs: Ruleset, path: str, kind: str, counter: list[int], cli_every: int, shipped: str | None,
    time_limit: float | None,
) -> Callable[[Any], None]:
    """The body of one cell of the run: judge a case, count it, never fail."""

    def one(case: Any) -> None:
        counter[0] += 1
        if isinstance(case, Mutation):
            verdict = check_input(rs, case.data, original_facts=case.expected, suffix=case.suffix,
                                  time_limit=time_limit)
            tally.add(rs.id, path, kind, verdict, lambda: repr(case))
            if cli_every and counter[0] % cli_every == 0:
                cli = check_cli(rs, case.data, original_facts=case.expected, suffix=case.suffix, ruleset=shipped,
                                time_limit=time_limit)
                tally.add(rs.id, "cli", kind, cli, lambda: repr(case))
        else:
            verdict = check_facts(rs, case.facts, original_facts=case.expected, time_limit=time_limit)
            tally.add(rs.id, path, kind, verdict, lambda: repr(case))

    return one


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m thidua_rules.testing.inputs --cases 100000``: the nightly run, its figures on stdout."""
    parser = argparse.ArgumentParser(prog="python -m thidua_rules.testing.inputs", description=main.__doc__)
    parser.add_argument("--cases", type=int, default=100_000, help="damaged inputs in all (default 100000)")
    parser.add_argument("--ruleset", action="append", help="a shipped id or a .thidua path (default: every shipped)")
    parser.add_argument("--kind", action="append", choices=MUTATION_KINDS, help="only this kind (repeatable)")
    parser.add_argument("--path", action="append", choices=("file", "facts"), help="only this path (repeatable)")
    parser.add_argument("--cli-every", type=int, default=20, help="every Nth file case also through the CLI (0: none)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=HANG_LIMIT, help="seconds before a case counts as a hang")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    args = parser.parse_args(argv)
    names = args.ruleset or [s.id for s in tr.rulesets.available()]
    rulesets = [tr.load(n) if n.endswith(".thidua") else tr.rulesets.load(n) for n in names]
    started = time.perf_counter()

    def progress(line: str) -> None:
        if not args.quiet:
            print(f"[{time.perf_counter() - started:7.1f} s] {line}", file=sys.stderr, flush=True)

    tally = run(rulesets, cases=args.cases, kinds=args.kind or MUTATION_KINDS, paths=args.path or ("file", "facts"),
                cli_every=args.cli_every, seed=args.seed, time_limit=args.time_limit, progress=progress)
    print(f"rulesets: {', '.join(rs.id for rs in rulesets)}; seed {args.seed}")
    print(tally.report(time.perf_counter() - started))
    return 1 if tally.failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
