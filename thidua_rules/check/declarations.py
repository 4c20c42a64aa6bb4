"""Pass 2: scales, facts and derived values declared once each, with valid options."""

from __future__ import annotations

import itertools
from decimal import Decimal

import attrs

from ..language import nodes as n
from ..language.parser import expression_words
from ..model import DECLARABLE_KINDS, Category, FactSpec, Scale
from ..source import Span, fold
from ..text import suggest
from .state import Checker


def declare_once(c: Checker, name: str, span: Span, taken: dict[str, Span]) -> bool:
    """Record a declared name (an award, a classification); report it when taken already."""
    if name in taken:
        first = taken[name]
        c.error(f'"{name}" is declared twice (first at line {first.line})', span)
        return False
    taken[name] = span
    return True


def declare(c: Checker, name: str, span: Span, taken: dict[str, Span], what: str) -> bool:
    """Record a declared name; report it when taken already or when it is a word of the language."""
    # a scale or a category is named where a kind may be
    reserved = DECLARABLE_KINDS if what in ("scale", "category") else expression_words()
    if name in reserved:
        c.error(f'"{name}" is a word of the language and cannot name a {what}', span,
                f'choose another name, such as "{name}_1" or a Vietnamese word')
        return False
    return declare_once(c, name, span, taken)


def check_declarations(c: Checker) -> None:
    names: dict[str, Span] = {}
    scale_names: dict[str, Span] = {}
    for decl in c.tree.decls:
        if isinstance(decl, n.ScaleDecl) and declare(c, decl.name, decl.span, scale_names, "scale"):
            _scale(c, decl)
        elif isinstance(decl, n.CategoryDecl) and declare(c, decl.name, decl.span, scale_names, "category"):
            _category(c, decl)
    for decl in c.tree.decls:
        if isinstance(decl, n.FactDecl) and declare(c, decl.name, decl.span, names, "fact"):
            _fact(c, decl)
        elif isinstance(decl, n.LetDecl) and declare(c, decl.name, decl.span, names, "derived value"):
            c.lets[decl.name] = decl


def _scale(c: Checker, decl: n.ScaleDecl) -> None:
    keys: dict[str, str] = {}
    levels: list[str] = []
    for level in decl.levels:
        for spelling in level.names:
            key = fold(spelling)
            if not key:
                c.error("a scale level cannot be empty", level.span)
            elif key in keys:
                c.error(
                    f'level "{spelling}" appears twice in scale "{decl.name}"',
                    level.span,
                    "levels are compared without regard to case, accents' encoding or spacing",
                )
            keys[key] = level.names[0]
        levels.append(level.names[0])
    if len(levels) < 2:
        c.error(f'scale "{decl.name}" needs at least two levels', decl.span)
    c.scales[decl.name] = Scale(decl.name, decl.label, tuple(levels), keys)


def _category(c: Checker, decl: n.CategoryDecl) -> None:
    """Names without order, each with its aliases, compared folded as a scale's levels are."""
    keys: dict[str, str] = {}
    names: list[str] = []
    for level in decl.names:
        for spelling in level.names:
            key = fold(spelling)
            if not key:
                c.error("a category's name cannot be empty", level.span)
            elif key in keys:
                c.error(f'name "{spelling}" appears twice in category "{decl.name}"', level.span,
                        "names are compared without regard to case, accents' encoding or spacing")
            keys[key] = level.names[0]
        names.append(level.names[0])
    if len(names) < 2:
        c.error(f'category "{decl.name}" needs at least two names', decl.span)
    c.categories[decl.name] = Category(decl.name, decl.label, tuple(names), keys)


def _literal_default(
    c: Checker, decl: n.FactDecl, option: n.FactOption, kind: str, scale: Scale | Category | None
) -> Decimal | bool | str | None:
    value = option.value
    if isinstance(value, n.Number) and kind in ("count", "number", "percent", "rank"):
        c.check_number(value.value, value.span)
        return value.value
    if isinstance(value, n.Bool) and kind == "boolean":
        return value.value
    if isinstance(value, n.String) and scale is not None:
        level = scale.keys.get(fold(value.value))
        what = "a name of category" if isinstance(scale, Category) else "a level of scale"
        if level is None:
            c.error(
                f'default "{value.value}" is not {what} "{scale.name}"',
                value.span,
                suggest(value.value, scale.levels),
            )
        return level
    c.error(f'the default of fact "{decl.name}" does not fit its kind {kind}', option.span)
    return None


def _fact(c: Checker, decl: n.FactDecl) -> None:
    scale = c.scales.get(decl.type_name)
    category = c.categories.get(decl.type_name)
    if decl.type_name not in DECLARABLE_KINDS and scale is None and category is None:
        c.error(
            f'unknown fact kind "{decl.type_name}"',
            decl.type_span,
            suggest(decl.type_name, [*DECLARABLE_KINDS, *c.scales, *c.categories]),
        )
        c.broken.add(decl.name)  # its uses are not reported again as unknown names
        return
    kind = "scale" if scale is not None else "category" if category is not None else decl.type_name
    low, high = decl.low, decl.high
    if decl.has_range:
        if kind in ("boolean", "scale", "category"):
            c.error(f"a {kind} fact has no numeric bounds", decl.type_span)
        for bound in (low, high):
            if bound is not None:
                c.check_number(bound, decl.span)
        if low is not None and high is not None and low > high:
            c.error(f"bounds {low}..{high} are empty", decl.span)
    natural = {"count": Decimal(0), "rank": Decimal(1), "percent": Decimal(0)}.get(kind)
    if natural is not None:
        if low is not None and low < natural:
            c.error(f"a {kind} cannot be below {natural}", decl.span)
        low = natural if low is None else max(low, natural)
    if kind == "percent":
        if high is not None and high > 100:
            c.error("a percent cannot be above 100", decl.span)
        high = Decimal(100) if high is None else min(high, Decimal(100))
    parts = _parts(c, decl, kind)
    step = _step(c, decl, kind)
    default: Decimal | bool | str | None = None
    optional = False
    monotone = None
    appraised_only = False
    for option in decl.options:
        if option.kind == "default":
            default = _literal_default(c, decl, option, kind, scale if scale is not None else category)
            if isinstance(default, Decimal) and (
                (low is not None and default < low) or (high is not None and default > high)
            ):
                c.error(f'the default {default} of fact "{decl.name}" is outside its bounds', option.span)
        elif option.kind == "optional":
            optional = True
        elif option.kind == "monotone":
            if kind in ("boolean", "scale", "category"):
                c.error("monotone applies to numeric facts only", option.span)
            monotone = option.value
        elif option.kind == "appraised_only":
            appraised_only = True
    if isinstance(default, Decimal) and not fits_shape(default, parts, step):
        c.error(f'the default {default} of fact "{decl.name}" is not one of its allowed values',
                next(o.span for o in decl.options if o.kind == "default"))
    c.facts[decl.name] = FactSpec(
        name=decl.name, kind=kind, label=decl.label,  # type: ignore[arg-type]
        low=low, high=high,
        levels=scale.levels if scale else (), scale=scale.name if scale else None,
        spellings=tuple(sorted(scale.keys.items())) if scale else (),
        default=default, required=default is None and not optional,
        monotone=monotone, appraised_only=appraised_only, span=decl.span,  # type: ignore[arg-type]
        step=step, allowed=parts,
    )
    if category is not None:
        c.facts[decl.name] = attrs.evolve(
            c.facts[decl.name], levels=category.levels, spellings=tuple(sorted(category.keys.items())),
            category=category.name,
        )


# ---------------------------------------------------------------- the shape of judged values


def fits_shape(
    value: Decimal, parts: tuple[tuple[Decimal | None, Decimal | None], ...], step: Decimal | None
) -> bool:
    """Whether ``value`` lies in one of ``parts`` (when any) and on ``step`` (when any)."""
    if parts and not any((lo is None or lo <= value) and (hi is None or value <= hi) for lo, hi in parts):
        return False
    return step is None or value % step == 0


def _parts(c: Checker, decl: n.FactDecl, kind: str) -> tuple[tuple[Decimal | None, Decimal | None], ...]:
    """A range of several parts (``0 | 2..5``), checked: numbers, each part in order, no overlap."""
    if not decl.parts or kind in ("boolean", "scale"):
        return ()
    ordered = sorted(decl.parts, key=lambda p: (p[0] is not None, p[0] if p[0] is not None else 0))
    for low, high in decl.parts:
        for bound in (low, high):
            if bound is not None:
                c.check_number(bound, decl.span)
        if low is not None and high is not None and low > high:
            c.error(f"the part {low}..{high} of the range of \"{decl.name}\" is empty", decl.span)
            return ()
    for (_, high), (low, _) in itertools.pairwise(ordered):
        if high is None or low is None or low <= high:
            c.error(f'the parts of the range of "{decl.name}" overlap', decl.span,
                    "write each allowed value or stretch once, lowest first: 0 | 2..5")
            return ()
    return tuple(ordered)


def _step(c: Checker, decl: n.FactDecl, kind: str) -> Decimal | None:
    option = next((o for o in decl.options if o.kind == "step"), None)
    if option is None or not isinstance(option.value, n.Number):
        return None
    value = option.value.value
    c.check_number(value, option.span)
    if kind not in ("number", "percent", "count", "rank"):
        c.error("a step applies to numeric facts only", option.span)
        return None
    if value <= 0:
        c.error("a step must be above 0", option.span)
        return None
    if kind in ("count", "rank") and value != value.to_integral_value():
        c.error(f"a {kind} is a whole number: its step must be whole, not {value}", option.span)
        return None
    return value
