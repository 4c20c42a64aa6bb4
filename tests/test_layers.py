"""The layers contract of thidua_rules, enforced on the import graph read from the source.

The graph is read with `ast`, nothing is imported or executed. Every import statement counts: at
module level, inside functions and methods, and under `if TYPE_CHECKING:` (a module that names
another's type depends on it). Relative imports are resolved to absolute module names, and
`from pkg import name` counts as importing the module `pkg.name` when that is a module of the
package, else as reading the attribute `name` of `pkg`. The parent packages that Python runs
implicitly before a submodule (`thidua_rules/__init__.py` before every module) are not edges.

The rules, one test each:

* every module sits in exactly one layer of `LAYERS` (a new module must be placed there);
* a module imports modules of its own layer or of lower layers only;
* no import cycles at all, within a layer too;
* only `thidua_rules.language` imports lark;
* the entry points (`ENTRY_POINTS`) use the public face only: `thidua_rules` itself and the
  names in its `__all__` (and one another);
* no private reach-ins: no module takes a `_name` (dunders excepted) from another module of the
  package, by import or as an attribute of an imported module; a private *submodule* is private
  to its parent package;
* the test suite (tests/**/*.py) takes no private name of the package either.

Run as a script from the project root to list every violation, with a summary line:

    .venv/bin/python tests/test_layers.py [PACKAGE_DIR [TESTS_DIR]]

It exits with status 1 when there is any violation. The defaults are this checkout's
`thidua_rules/` and `tests/`.
"""

from __future__ import annotations

import ast
import functools
import gc
import re
import shutil
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pytest

# The layers, lowest first; a layer's number is its position. A module may import modules of its own
# layer and of lower layers only. An entry is a module name ("thidua_rules.model") or a package and
# everything under it ("thidua_rules.language" with "thidua_rules.language.*").
LAYERS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    # 0 base: spans, errors, text helpers (suggestions), packaged files, exact numbers (context, limits).
    ("base", ("thidua_rules.source", "thidua_rules.errors", "thidua_rules.text", "thidua_rules.files",
              "thidua_rules.numbers")),
    # 1 language: text ⇄ syntax nodes (grammar, parser, transformer, printer, intervals); the only lark user.
    ("language", ("thidua_rules.language", "thidua_rules.language.*")),
    # 2 model: the frozen checked model (facts, criteria, groups, awards, rounds).
    ("model", ("thidua_rules.model",)),
    # 3 check: syntax nodes to the checked model, every problem collected.
    ("check", ("thidua_rules.check", "thidua_rules.check.*")),
    # 4 evaluation: one unit's evaluation to a Result, traced and generated (fast path).
    ("evaluation", ("thidua_rules.evaluation", "thidua_rules.evaluation.*")),
    # 5 reports: many units, rounds and periods: submissions, cohorts, ranking, classification, roll-ups.
    ("reports", ("thidua_rules.reports", "thidua_rules.reports.*")),
    # 6 ruleset: the Ruleset object tying language, check, evaluation and reports together.
    ("ruleset", ("thidua_rules.ruleset",)),
    # 7 io: the outside world: unit files and the rulesets shipped with the library.
    ("io", ("thidua_rules.io", "thidua_rules.io.*")),
    # 8 forms: what people fill and read: explanations in Vietnamese or English, the form as text, Markdown,
    # HTML and xlsx, CSV and xlsx in, templates, batches of files. Reads results; never scores.
    ("forms", ("thidua_rules.forms", "thidua_rules.forms.*")),
    # 9 public face: the package __init__, whose __all__ is the public API.
    ("public face", ("thidua_rules",)),
    # 10 clients of the public face: the property-testing toolkit and the command line.
    ("clients", ("thidua_rules.testing", "thidua_rules.testing.*", "thidua_rules.cli", "thidua_rules.__main__")),
)

# The modules allowed to import lark (same notation as LAYERS).
LARK_USERS: Final[tuple[str, ...]] = ("thidua_rules.language", "thidua_rules.language.*")
# The entry points: they import the public face only (and one another: __main__ runs the cli).
ENTRY_POINTS: Final[tuple[str, ...]] = ("thidua_rules.cli", "thidua_rules.__main__")

REPO: Final = Path(__file__).resolve().parent.parent
PACKAGE_DIR: Final = REPO / "thidua_rules"
TESTS_DIR: Final = REPO / "tests"
THIS_FILE: Final = Path(__file__).resolve().relative_to(REPO).as_posix()


# --- reading the graph -------------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Import:
    """One imported thing: a module, or one name read from a module (one record per name)."""

    path: str  # the importing file, relative to the package's parent: thidua_rules/check/checker.py
    line: int
    importer: str  # the importing module: thidua_rules.check.sums
    statement: str  # the import statement as written, on one line
    frm: str | None  # the resolved X of `from X import name`; None for `import name`
    name: str  # a dotted module for `import`; one name (or "*") for `from`
    target: str  # the module depended on: thidua_rules.language.nodes, lark, lark.exceptions
    attribute: str | None  # the name read from target when it is not a module itself


@dataclass(frozen=True, order=True)
class AttributeUse:
    """`alias.attr` where alias is bound by an import to a module of the package."""

    path: str
    line: int
    importer: str
    module: str  # the module the alias stands for
    attribute: str
    text: str  # the expression as written


@dataclass(frozen=True, order=True)
class Unresolved:
    """A relative import reaching above the top of the package."""

    path: str
    line: int
    importer: str
    statement: str


@dataclass(frozen=True)
class Scan:
    """What one file, or the test suite, imports."""

    imports: tuple[Import, ...]
    attributes: tuple[AttributeUse, ...]
    unresolved: tuple[Unresolved, ...]


@dataclass(frozen=True)
class Package:
    """The import graph of one package directory."""

    root: Path
    name: str  # its import name: the directory's name
    modules: Mapping[str, str]  # module name -> file, relative to root.parent; sorted by name
    imports: tuple[Import, ...]
    attributes: tuple[AttributeUse, ...]
    unresolved: tuple[Unresolved, ...]
    public: frozenset[str] | None  # the __init__'s __all__; None when it is not a literal list of strings

    def internal(self, module: str) -> bool:
        """Whether the dotted name is in the package (a module of it or not)."""
        return module == self.name or module.startswith(self.name + ".")


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(importer: str, is_package: bool, level: int, module: str | None) -> str | None:
    """The absolute X of `from <level dots>module import ...` in importer; None above the top."""
    if level == 0:
        return module
    parts = importer.split(".")
    if not is_package:
        parts.pop()
    if level - 1 >= len(parts):
        return None
    parts = parts[: len(parts) - (level - 1)]
    return ".".join([*parts, module] if module else parts)


def _is_dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def _is_private(name: str) -> bool:
    return name.startswith("_") and not _is_dunder(name)


def _dotted(node: ast.expr) -> list[str] | None:
    """`a.b.c` as ["a", "b", "c"]; None for anything but names and attributes."""
    names: list[str] = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    names.append(node.id)
    return names[::-1]


_BLOCKS: Final = ("body", "orelse", "finalbody", "handlers", "cases")  # the fields holding nested statements


def _statements(tree: ast.Module) -> Iterator[ast.stmt]:
    """Every statement, nested ones too (in functions, classes, ifs, trys, withs, loops, matches)."""
    stack: list[ast.AST] = list(reversed(tree.body))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.stmt):
            yield node
        for field in _BLOCKS:
            block = getattr(node, field, None)
            if isinstance(block, list):
                stack.extend(reversed(block))


def _source(lines: Sequence[str], node: ast.stmt) -> str:
    """The statement as written, on one line (ast's offsets count UTF-8 bytes)."""
    end = node.end_lineno or node.lineno
    chunk = [line.encode("utf-8") for line in lines[node.lineno - 1 : end]]
    chunk[-1] = chunk[-1][: node.end_col_offset]
    chunk[0] = chunk[0][node.col_offset :]
    return " ".join(b" ".join(chunk).decode("utf-8").replace("\\", " ").split())


def _parse(text: str) -> ast.Module:
    """ast.parse without the garbage collector, which would scan the whole heap (pytest's too) many times
    over while the tree's nodes are made; a tree holds no reference cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return ast.parse(text)
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True)
class _Raw:
    """One file's imports and attribute chains, before they are resolved against the package's modules."""

    imports: tuple[tuple[int, str, str | None, str, str | None], ...]  # line, statement, frm, name, asname
    unresolved: tuple[Unresolved, ...]
    chains: tuple[tuple[int, tuple[str, ...], str], ...]  # line, the dotted value, the attribute read from it


@functools.cache  # the copies made by the planted-import tests reparse only the files they change
def _raw_scan(text: str, path: str, importer: str, is_package: bool, every_attribute: bool) -> _Raw:
    tree = _parse(text)
    lines = text.splitlines()
    imports: list[tuple[int, str, str | None, str, str | None]] = []
    unresolved: list[Unresolved] = []
    bound: set[str] = set()  # the local names the imports bind
    for node in _statements(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        statement = _source(lines, node)
        frm = None
        if isinstance(node, ast.ImportFrom):
            frm = _resolve(importer, is_package, node.level, node.module)
            if frm is None:
                unresolved.append(Unresolved(path, node.lineno, importer, statement))
                continue
        for alias in node.names:
            imports.append((node.lineno, statement, frm, alias.name, alias.asname))
            bound.add(alias.asname or (alias.name.split(".")[0] if frm is None else alias.name))
    chains: list[tuple[int, tuple[str, ...], str]] = []
    # Walking every expression is slow: a file is walked only when its text may hold `alias(.name)*._name`.
    pattern = r"\b(?:" + "|".join(map(re.escape, sorted(bound))) + r")(?:\.\w+)*\._"
    if bound and (every_attribute or re.search(pattern, text)):
        for expr in ast.walk(tree):
            if (isinstance(expr, ast.Attribute) and (every_attribute or _is_private(expr.attr))
                    and (names := _dotted(expr.value)) and names[0] in bound):
                chains.append((expr.lineno, tuple(names), expr.attr))
    return _Raw(tuple(imports), tuple(unresolved), tuple(chains))


def scan(text: str, path: str, importer: str, is_package: bool, modules: frozenset[str],
         every_attribute: bool = False) -> Scan:
    """Every import in one file, wherever it stands, and the attributes read from imported modules:
    the private ones, or with every_attribute all of them."""
    raw = _raw_scan(text, path, importer, is_package, every_attribute)
    imports: list[Import] = []
    aliases: dict[str, str] = {}  # a local name bound to a module of the package -> that module
    for line, statement, frm, name, asname in raw.imports:
        if frm is None:
            imports.append(Import(path, line, importer, statement, None, name, name, None))
            # `import a.b` binds a to the package a; `import a.b as c` binds c to the module a.b
            module = name if asname else name.split(".")[0]
            if module in modules:
                aliases[asname or module] = module
        elif name != "*" and (sub := f"{frm}.{name}") in modules:
            imports.append(Import(path, line, importer, statement, frm, name, sub, None))
            aliases[asname or name] = sub
        else:
            imports.append(Import(path, line, importer, statement, frm, name, frm, name))
    attributes: set[AttributeUse] = set()
    for line, names, attribute in raw.chains:
        if names[0] in aliases and (module := ".".join([aliases[names[0]], *names[1:]])) in modules:
            attributes.add(AttributeUse(path, line, importer, module, attribute, ".".join([*names, attribute])))
    return Scan(tuple(sorted(imports)), tuple(sorted(attributes)), raw.unresolved)


def _public_names(init: Path) -> frozenset[str] | None:
    """The literal `__all__` of a package __init__ (`=`, annotated `=`, `+=`); None when not literal."""
    if not init.exists():
        return None
    names: set[str] = set()
    found = False
    for node in _parse(init.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign | ast.AugAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        if not any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            continue
        if not isinstance(value, ast.List | ast.Tuple):
            return None
        if not all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in value.elts):
            return None
        if not isinstance(node, ast.AugAssign):
            names.clear()
        names.update(str(e.value) for e in value.elts if isinstance(e, ast.Constant))
        found = True
    return frozenset(names) if found else None


def read_package(package_dir: Path) -> Package:
    """The import graph of the package in package_dir (its name is the directory's name)."""
    root = package_dir.resolve()
    files = {_module_name(root, p): p for p in sorted(root.rglob("*.py")) if "__pycache__" not in p.parts}
    modules = frozenset(files)
    imports: list[Import] = []
    attributes: list[AttributeUse] = []
    unresolved: list[Unresolved] = []
    for module, file in sorted(files.items()):
        rel = file.relative_to(root.parent).as_posix()
        text = file.read_text(encoding="utf-8")
        found = scan(text, rel, module, file.name == "__init__.py", modules, module in ENTRY_POINTS)
        imports += found.imports
        attributes += found.attributes
        unresolved += found.unresolved
    return Package(
        root=root,
        name=root.name,
        modules={m: files[m].relative_to(root.parent).as_posix() for m in sorted(files)},
        imports=tuple(imports),
        attributes=tuple(attributes),
        unresolved=tuple(unresolved),
        public=_public_names(root / "__init__.py"),
    )


def read_tests(tests_dir: Path, package: Package) -> Scan:
    """Every import in the test suite, resolved against the package's modules."""
    modules = frozenset(package.modules)
    root = tests_dir.resolve()
    imports: list[Import] = []
    attributes: list[AttributeUse] = []
    for file in sorted(root.rglob("*.py")):
        if "__pycache__" in file.parts:
            continue
        rel = file.relative_to(root.parent).as_posix()
        module = _module_name(root, file)
        found = scan(file.read_text(encoding="utf-8"), rel, module, file.name == "__init__.py", modules)
        imports += found.imports
        attributes += found.attributes
    return Scan(tuple(imports), tuple(attributes), ())


@functools.cache
def _package(package_dir: Path) -> Package:
    return read_package(package_dir)


# --- the rules ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Violation:
    """One breach of the contract, printed as `path:line: [rule] message`."""

    path: str
    line: int
    module: str  # the offending module
    rule: str
    imported: str  # what it imports (for a cycle: its members)
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: [{self.rule}] {self.message}"


def _matches(module: str, patterns: Iterable[str]) -> bool:
    """Whether module is one of patterns: a module name, or "pkg.*" for everything under pkg."""
    return any(module.startswith(p[:-1]) if p.endswith(".*") else module == p for p in patterns)


@functools.cache
def layers_of(module: str) -> tuple[int, ...]:
    return tuple(number for number, (_, patterns) in enumerate(LAYERS) if _matches(module, patterns))


def _layer(number: int) -> str:
    return f"layer {number} {LAYERS[number][0]}"


def check_assignment(package: Package) -> list[Violation]:
    """Every module in exactly one layer."""
    found: list[Violation] = []
    for module, path in package.modules.items():
        numbers = layers_of(module)
        if len(numbers) != 1:
            where = "no layer" if not numbers else "several layers: " + ", ".join(_layer(n) for n in numbers)
            message = f"{module} is in {where}; place it in LAYERS"
            found.append(Violation(path, 1, module, "assignment", module, message))
    return found


def check_layer_table(package: Package) -> list[Violation]:
    """Every entry of LAYERS names something that exists (the table documents the package)."""
    found: list[Violation] = []
    for number, (_, patterns) in enumerate(LAYERS):
        for pattern in patterns:
            if not any(_matches(m, [pattern]) for m in package.modules):
                message = f"LAYERS entry {pattern!r} ({_layer(number)}) matches no module; update the table"
                found.append(Violation(THIS_FILE, 1, pattern, "table", pattern, message))
    return found


def check_resolution(package: Package) -> list[Violation]:
    """Every import of the package names a module of it."""
    found = [
        Violation(u.path, u.line, u.importer, "resolution", "?", f"{u.importer}: relative import above the package: "
                  f"{u.statement}")
        for u in package.unresolved
    ]
    for imp in package.imports:
        if package.internal(imp.target) and imp.target not in package.modules:
            message = f"{imp.importer} imports {imp.target}, which is no module of the package: {imp.statement}"
            found.append(Violation(imp.path, imp.line, imp.importer, "resolution", imp.target, message))
    return sorted(set(found))


def check_layers(package: Package) -> list[Violation]:
    """No import of a higher layer."""
    found: set[Violation] = set()
    for imp in package.imports:
        if imp.target == imp.importer or imp.target not in package.modules:
            continue
        mine, theirs = layers_of(imp.importer), layers_of(imp.target)
        if len(mine) == 1 and len(theirs) == 1 and theirs[0] > mine[0]:
            message = (f"{imp.importer} ({_layer(mine[0])}) imports {imp.target} ({_layer(theirs[0])}), "
                       f"a higher layer: {imp.statement}")
            found.add(Violation(imp.path, imp.line, imp.importer, "layers", imp.target, message))
    return sorted(found)


def _edges(package: Package) -> dict[str, dict[str, list[Import]]]:
    edges: dict[str, dict[str, list[Import]]] = {m: {} for m in package.modules}
    for imp in package.imports:
        if imp.target in package.modules and imp.target != imp.importer:
            edges[imp.importer].setdefault(imp.target, []).append(imp)
    return {m: dict(sorted(targets.items())) for m, targets in edges.items()}


def _strongly_connected(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Tarjan's components, iteratively, in a deterministic order; each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, list[str]]] = [(start, sorted(graph[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, pending = work[-1]
            if pending:
                nxt = pending.pop(0)
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, sorted(graph[nxt])))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return sorted(components)


def _shortest_cycle(graph: Mapping[str, Iterable[str]], start: str, members: set[str]) -> list[str]:
    """The shortest path start -> ... -> start inside members (breadth first, sorted successors)."""
    previous: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in sorted(graph[node]):
            if nxt not in members:
                continue
            if nxt == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [*path[::-1], start]
            if nxt not in previous:
                previous[nxt] = node
                queue.append(nxt)
    return [start]


def check_cycles(package: Package) -> list[Violation]:
    """No import cycles: one violation per strongly connected component, with the imports inside it."""
    edges = _edges(package)
    found: list[Violation] = []
    for component in _strongly_connected(edges):
        if len(component) < 2:
            continue
        members = set(component)
        cycle = _shortest_cycle(edges, component[0], members)
        inside = sorted({(i.path, i.line, i.importer, i.target, i.statement)
                         for m in component for t, imps in edges[m].items() if t in members for i in imps})
        first = edges[cycle[0]][cycle[1]][0]
        lines = "".join(f"\n    {p}:{ln}: {src} -> {dst}: {stmt}" for p, ln, src, dst, stmt in inside)
        message = (f"import cycle among {len(component)} modules: {', '.join(component)}; "
                   f"for example {' -> '.join(cycle)}; the imports inside it:{lines}")
        found.append(Violation(first.path, first.line, first.importer, "cycles", ", ".join(component), message))
    return found


def check_lark(package: Package) -> list[Violation]:
    """Only LARK_USERS import lark."""
    found: set[Violation] = set()
    for imp in package.imports:
        if imp.target.split(".")[0] == "lark" and not _matches(imp.importer, LARK_USERS):
            message = f"{imp.importer} imports {imp.target} outside {LARK_USERS[0]}: {imp.statement}"
            found.add(Violation(imp.path, imp.line, imp.importer, "lark", imp.target, message))
    return sorted(found)


def check_entry_points(package: Package) -> list[Violation]:
    """The ENTRY_POINTS take from the package only `thidua_rules` itself and the names in its `__all__`."""
    public = package.public
    if public is None:
        init = package.modules.get(package.name, f"{package.name}/__init__.py")
        return [Violation(init, 1, package.name, "entry points", "__all__", f"{package.name} has no literal __all__")]
    found: list[Violation] = []

    def allowed_name(name: str) -> bool:
        # `*` takes __all__; a dunder (__version__) is metadata; __main__ may run the cli
        return name in public or name == "*" or _is_dunder(name) or f"{package.name}.{name}" in ENTRY_POINTS

    for imp in package.imports:
        if imp.importer not in ENTRY_POINTS or not package.internal(imp.target):
            continue
        if imp.frm == package.name:
            ok = allowed_name(imp.name)
            what = f"{package.name}.{imp.name}"
        else:
            ok = imp.target == package.name or imp.target in ENTRY_POINTS
            what = f"{imp.target}.{imp.attribute}" if imp.attribute else imp.target
        if not ok:
            message = (f"{imp.importer} reaches past the public face for {what}: {imp.statement} "
                       f"(use `{package.name}` and the names in its __all__)")
            found.append(Violation(imp.path, imp.line, imp.importer, "entry points", what, message))
    for use in package.attributes:
        if use.importer in ENTRY_POINTS and use.module == package.name and not allowed_name(use.attribute):
            what = f"{package.name}.{use.attribute}"
            message = f"{use.importer} reaches past the public face for {what}: {use.text} (not in __all__)"
            found.append(Violation(use.path, use.line, use.importer, "entry points", what, message))
    return sorted(set(found))


def _private_reach(importer: str, full: str, package: Package) -> str | None:
    """The private part of the dotted name full that importer may not take, if any.

    A private name is private to its module; a private submodule to its parent package."""
    parts = full.split(".")
    for i in range(1, len(parts)):
        if not _is_private(parts[i]):
            continue
        owner = ".".join(parts[:i])
        if importer == owner:
            return None
        if ".".join(parts[: i + 1]) in package.modules and importer.startswith(owner + "."):
            continue
        return ".".join(parts[: i + 1])
    return None


def _private_violations(imports: Iterable[Import], attributes: Iterable[AttributeUse], package: Package,
                        rule: str) -> list[Violation]:
    found: set[Violation] = set()
    for imp in imports:
        if not package.internal(imp.target):
            continue
        full = f"{imp.target}.{imp.attribute}" if imp.attribute else imp.target
        if (private := _private_reach(imp.importer, full, package)) is not None:
            message = f"{imp.importer} reaches into the private {private}: {imp.statement}"
            found.add(Violation(imp.path, imp.line, imp.importer, rule, private, message))
    for use in attributes:
        if (private := _private_reach(use.importer, f"{use.module}.{use.attribute}", package)) is not None:
            message = f"{use.importer} reaches into the private {private}: {use.text}"
            found.add(Violation(use.path, use.line, use.importer, rule, private, message))
    return sorted(found)


def check_private(package: Package) -> list[Violation]:
    """No module takes another module's private names."""
    return _private_violations(package.imports, package.attributes, package, "private")


def check_tests_private(package: Package, tests_dir: Path) -> list[Violation]:
    """The test suite takes no private name of the package."""
    found = read_tests(tests_dir, package)
    return _private_violations(found.imports, found.attributes, package, "tests private")


CHECKS: Final[tuple[tuple[str, Callable[[Package], list[Violation]]], ...]] = (
    ("assignment", check_assignment),
    ("table", check_layer_table),
    ("resolution", check_resolution),
    ("layers", check_layers),
    ("cycles", check_cycles),
    ("lark", check_lark),
    ("entry points", check_entry_points),
    ("private", check_private),
)


def all_violations(package: Package, tests_dir: Path) -> dict[str, list[Violation]]:
    found = {name: check(package) for name, check in CHECKS}
    found["tests private"] = check_tests_private(package, tests_dir)
    return found


# --- the tests ---------------------------------------------------------------------------------------------------


def _fail_on(violations: Sequence[Violation], what: str) -> None:
    if violations:
        pytest.fail(f"{len(violations)} {what}:\n" + "\n".join(str(v) for v in violations), pytrace=False)


def test_every_module_is_in_exactly_one_layer() -> None:
    _fail_on(check_assignment(_package(PACKAGE_DIR)), "modules outside LAYERS or in several layers")


def test_the_layer_table_names_existing_modules() -> None:
    _fail_on(check_layer_table(_package(PACKAGE_DIR)), "stale LAYERS entries")


def test_every_import_of_the_package_resolves() -> None:
    _fail_on(check_resolution(_package(PACKAGE_DIR)), "imports naming no module of the package")


def test_no_module_imports_a_higher_layer() -> None:
    _fail_on(check_layers(_package(PACKAGE_DIR)), "imports of a higher layer")


def test_no_import_cycles() -> None:
    _fail_on(check_cycles(_package(PACKAGE_DIR)), "import cycles")


def test_only_the_language_imports_lark() -> None:
    _fail_on(check_lark(_package(PACKAGE_DIR)), "lark imports outside thidua_rules.language")


def test_the_entry_points_use_the_public_face_only() -> None:
    _fail_on(check_entry_points(_package(PACKAGE_DIR)), "entry-point imports past the public face")


def test_no_private_reach_ins() -> None:
    _fail_on(check_private(_package(PACKAGE_DIR)), "private reach-ins")


def test_the_test_suite_takes_no_private_names() -> None:
    _fail_on(check_tests_private(_package(PACKAGE_DIR), TESTS_DIR), "private reach-ins from the tests")


@dataclass(frozen=True)
class Plant:
    """An import planted in a copy of the package, and the one violation it must add."""

    id: str
    file: str  # relative to the package directory
    code: str  # appended; the planted line carries the marker "# planted"
    check: Callable[[Package], list[Violation]]
    rule: str
    module: str  # the offending module the violation names
    imported: str  # what the violation says it imports
    also: tuple[tuple[str, str], ...] = ()  # more (file, code) appended, to make the plant independent of today's code
    new_file: bool = False  # file is created


PLANTS: Final[tuple[Plant, ...]] = (
    Plant("upward import at module level", "evaluation/result.py",
          "from ..reports import submission  # noqa  # planted\n",
          check_layers, "layers", "thidua_rules.evaluation.result", "thidua_rules.reports.submission"),
    Plant("upward import inside a function", "check/sums.py",
          "\n\ndef _planted() -> None:\n    from ..ruleset import Ruleset  # noqa  # planted\n",
          check_layers, "layers", "thidua_rules.check.sums", "thidua_rules.ruleset"),
    Plant("upward import under TYPE_CHECKING", "language/nodes.py",
          "import typing  # noqa\n\nif typing.TYPE_CHECKING:\n    from ..model import Criterion  # noqa  # planted\n",
          check_layers, "layers", "thidua_rules.language.nodes", "thidua_rules.model"),
    Plant("cycle within the base layer", "source.py",
          "\n\ndef _planted() -> None:\n    from .errors import Diagnostic  # noqa  # planted\n",
          check_cycles, "cycles", "thidua_rules.errors", "thidua_rules.errors, thidua_rules.source",
          also=(("errors.py", "\n\ndef _planted() -> None:\n    from . import source  # noqa\n"),)),
    Plant("lark outside the language", "model.py", "import lark.tree  # noqa  # planted\n",
          check_lark, "lark", "thidua_rules.model", "lark.tree"),
    Plant("entry point past the public face", "cli.py", "from .model import Criterion  # noqa  # planted\n",
          check_entry_points, "entry points", "thidua_rules.cli", "thidua_rules.model.Criterion"),
    Plant("private reach-in by import", "io/units.py",
          "from ..evaluation.result import _planted, __doc__  # noqa  # planted\n",
          check_private, "private", "thidua_rules.io.units", "thidua_rules.evaluation.result._planted"),
    Plant("private reach-in by attribute", "io/units.py",
          "from ..language import nodes  # noqa\n\nnodes._planted  # noqa  # planted\n",
          check_private, "private", "thidua_rules.io.units", "thidua_rules.language.nodes._planted"),
    Plant("unplaced module", "planted.py", "# planted\n",
          check_assignment, "assignment", "thidua_rules.planted", "thidua_rules.planted", new_file=True),
)


def _copy(tmp_path: Path) -> Path:
    copy = tmp_path / PACKAGE_DIR.name
    shutil.copytree(PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"), copy_function=shutil.copyfile)
    return copy


def _plant(package_dir: Path, file: str, code: str, new_file: bool = False) -> int:
    """Append code to file in package_dir; the line number of its "# planted" line (0 when none)."""
    target = package_dir / file
    assert target.exists() != new_file, f"{target} {'exists' if new_file else 'is missing'}: update the plant"
    text = target.read_text(encoding="utf-8") if target.exists() else ""
    if text and not text.endswith("\n"):
        text += "\n"
    start = text.count("\n")
    target.write_text(text + code, encoding="utf-8")
    marked = [i for i, line in enumerate(code.splitlines()) if "# planted" in line]
    return start + 1 + marked[0] if marked else 0


@pytest.mark.parametrize("plant", PLANTS, ids=[p.id for p in PLANTS])
def test_a_planted_violation_is_reported_exactly(plant: Plant, tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    before = set(plant.check(read_package(copy)))
    line = _plant(copy, plant.file, plant.code, plant.new_file)
    for file, code in plant.also:
        _plant(copy, file, code)
    after = set(plant.check(read_package(copy)))
    assert before - after == set(), "planting an import made violations disappear"
    added = sorted(after - before)
    assert len(added) == 1, "expected exactly one new violation, got:\n" + "\n".join(map(str, added))
    (violation,) = added
    assert (violation.rule, violation.module, violation.imported) == (plant.rule, plant.module, plant.imported)
    planted_file = f"{PACKAGE_DIR.name}/{plant.file}"
    if plant.rule == "cycles":
        assert f"{planted_file}:{line}:" in violation.message
    elif plant.rule == "assignment":
        assert violation.path == planted_file
    else:
        assert (violation.path, violation.line) == (planted_file, line)
        planted_line = next(c for c in plant.code.splitlines() if "# planted" in c)
        assert planted_line.split("  #")[0].strip() in violation.message


def test_public_names_are_fine_for_the_entry_points(tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    before = set(check_entry_points(read_package(copy)))
    _plant(copy, "cli.py", "from . import Ruleset, __version__, rulesets  # noqa  # planted\n"
                           "import thidua_rules  # noqa\n\nthidua_rules.load  # noqa\n")
    _plant(copy, "__main__.py", "from .cli import main as _main  # noqa  # planted\n")
    assert set(check_entry_points(read_package(copy))) == before


def test_a_private_name_in_the_tests_is_reported(tmp_path: Path) -> None:
    package = tmp_path / PACKAGE_DIR.name
    package.mkdir()
    (package / "__init__.py").write_text("__version__ = '0'\n", encoding="utf-8")
    (package / "ruleset.py").write_text("class Ruleset: ...\nclass _Walk: ...\n", encoding="utf-8")
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_x.py").write_text(
        "import thidua_rules.ruleset as r\nfrom thidua_rules import __version__\n"
        "from thidua_rules.ruleset import Ruleset, _Walk\n\nr._Walk\n", encoding="utf-8")
    found = check_tests_private(read_package(package), tests)
    assert [(v.path, v.line, v.imported) for v in found] == [
        ("tests/test_x.py", 3, "thidua_rules.ruleset._Walk"),
        ("tests/test_x.py", 5, "thidua_rules.ruleset._Walk"),
    ]


def test_relative_imports_resolve() -> None:
    assert _resolve("thidua_rules.reports.classify", False, 2, "ruleset") == "thidua_rules.ruleset"
    assert _resolve("thidua_rules.reports.classify", False, 1, None) == "thidua_rules.reports"
    assert _resolve("thidua_rules.reports", True, 1, "ranking") == "thidua_rules.reports.ranking"
    assert _resolve("thidua_rules", True, 1, None) == "thidua_rules"
    assert _resolve("thidua_rules.cli", False, 2, None) is None
    assert _resolve("thidua_rules.cli", False, 0, "lark") == "lark"


# --- as a script -------------------------------------------------------------------------------------------------


def main(argv: Sequence[str]) -> int:
    package_dir = Path(argv[0]) if argv else PACKAGE_DIR
    tests_dir = Path(argv[1]) if len(argv) > 1 else TESTS_DIR
    found = all_violations(read_package(package_dir), tests_dir)
    for violations in found.values():
        for violation in violations:
            print(violation)
    total = sum(len(v) for v in found.values())
    counts = ", ".join(f"{name} {len(v)}" for name, v in found.items())
    print(f"layers contract: {total} violation{'' if total == 1 else 's'} ({counts})")
    return 1 if total else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
