"""The layer order of docs/architecture.md, enforced on every import in src/digindex.

An AST scan sees every import statement (module level and inside functions, relative and
absolute) and ``importlib.import_module`` / ``__import__`` with a literal module name. The
tier table is read from docs/architecture.md (the one place it is written). Checked:

- every module is placed in a tier;
- (a) every import goes to the same or a lower tier;
- (b) there are no import cycles, between modules nor between the packages of digindex;
- (c) only the top tier imports the root package ``digindex`` (the public API facade).

Plugins loaded by module name are not imports: the literal names a module lists in a
module-level tuple ``BUILTIN_KEY_OWNERS`` (framework keys owned by upper layers) or
``BUILTIN_METHOD_MODULES`` (the registry's built-in method families), loaded the way Datasette
loads DEFAULT_PLUGINS, may be passed to ``import_module`` in that module.
"""
from __future__ import annotations

import ast
import re
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIR = ROOT / "src" / "digindex"
DOC = ROOT / "docs" / "architecture.md"
PACKAGE = "digindex"
PLUGIN_LISTS = ("BUILTIN_KEY_OWNERS", "BUILTIN_METHOD_MODULES")

# Edges (importer, imported) that are being removed in other branches. Temporary: the test
# fails when one of them no longer exists (or is no longer a violation), so this only shrinks.
KNOWN_VIOLATIONS: dict = {}


# ---- the tier table ---------------------------------------------------------------------

@dataclass(frozen=True)
class Tier:
    rank: int
    name: str
    modules: tuple[str, ...]


def read_tiers(text: str) -> list[Tier]:
    """The rows of the table between the ``tiers: start/end`` markers, lowest tier first."""
    block = re.search(r"<!-- tiers: start -->(.*?)<!-- tiers: end -->", text, re.S)
    assert block, f"{DOC} has no tier table between <!-- tiers: start --> and <!-- tiers: end -->"
    rows = [line for line in block.group(1).splitlines() if line.startswith("|")][2:]
    tiers = []
    for line in rows:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        tiers.append(Tier(int(cells[0]), cells[1], tuple(re.findall(r"`(digindex[\w.]*)`", cells[2]))))
    return tiers


TIERS = read_tiers(DOC.read_text(encoding="utf-8"))


def tier_of(module: str) -> Tier | None:
    """The tier of the longest listed name covering ``module`` (the root covers only itself)."""
    best, length = None, -1
    for tier in TIERS:
        for name in tier.modules:
            covers = module == name or (name != PACKAGE and module.startswith(name + "."))
            if covers and len(name) > length:
                best, length = tier, len(name)
    return best


# ---- the import scan --------------------------------------------------------------------

@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int
    in_function: bool

    def where(self) -> str:
        return f"{self.importer}:{self.line}{' (in a function)' if self.in_function else ''}"


def module_files(package_dir: Path = PACKAGE_DIR, package: str = PACKAGE) -> dict[str, tuple[Path, bool]]:
    """module name -> (file, is a package __init__)."""
    out = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(package_dir).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        out[".".join([package, *parts])] = (path, is_package)
    return out


def _existing(name: str, modules) -> str:
    """``name`` or its longest prefix that is a module (``a.b.Class`` -> ``a.b``)."""
    while name not in modules and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def _relative_base(module: str, is_package: bool, level: int) -> str | None:
    parts = module.split(".") if is_package else module.split(".")[:-1]
    if level - 1 > len(parts) - 1:
        return None  # above the top package
    return ".".join(parts[: len(parts) - (level - 1)])


def _plugin_names(tree: ast.Module) -> set[str]:
    """String elements of the module-level plugin tuples (``BUILTIN_KEY_OWNERS = (...)`` …)."""
    names = set()
    for node in tree.body:
        targets = (node.targets if isinstance(node, ast.Assign)
                   else [node.target] if isinstance(node, ast.AnnAssign) else [])
        value = getattr(node, "value", None)
        if any(isinstance(t, ast.Name) and t.id in PLUGIN_LISTS for t in targets) \
                and isinstance(value, ast.Tuple):
            names |= {e.value for e in value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
    return names


def _dynamic_name(node: ast.Call, module: str, is_package: bool) -> str | None:
    """The module named by ``import_module("…")`` / ``__import__("…")`` with a literal."""
    func = node.func
    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if called not in ("import_module", "__import__") or not node.args:
        return None
    first = node.args[0]
    if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
        return None
    name = first.value
    if name.startswith("."):  # relative to the calling module's package (package=__package__)
        level = len(name) - len(name.lstrip("."))
        base = _relative_base(module, is_package, level)
        name = f"{base}.{name.lstrip('.')}".rstrip(".") if base else ""
    return name


def imports_of(module: str, source: str, is_package: bool, modules) -> list[Import]:
    """Every import of a digindex module in ``source``, resolved to module names."""
    tree = ast.parse(source)
    functions = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
                 for n in ast.walk(f) if n is not f}
    plugins = _plugin_names(tree)
    found = []

    def add(name: str, node):
        if name == PACKAGE or name.startswith(PACKAGE + "."):
            found.append(Import(module, _existing(name, modules), node.lineno, id(node) in functions))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node)
        elif isinstance(node, ast.ImportFrom):
            base = _relative_base(module, is_package, node.level) if node.level else ""
            if base is None:
                continue
            base = ".".join(p for p in (base, node.module or "") if p)
            for alias in node.names:  # `from pkg import submodule` imports the submodule
                sub = f"{base}.{alias.name}"
                add(sub if sub in modules else base, node)
        elif isinstance(node, ast.Call):
            name = _dynamic_name(node, module, is_package)
            if name and name not in plugins:
                add(name, node)
    unique = dict.fromkeys(i for i in found if i.imported != i.importer)  # `from m import a, b`: once
    return sorted(unique, key=lambda i: i.line)


def scan() -> tuple[dict[str, tuple[Path, bool]], list[Import]]:
    modules = module_files()
    found = []
    for module, (path, is_package) in modules.items():
        found += imports_of(module, path.read_text(encoding="utf-8"), is_package, modules)
    return modules, found


MODULES, IMPORTS = scan()


def edges(imports=IMPORTS, skip=()) -> dict[tuple[str, str], list[Import]]:
    out: dict[tuple[str, str], list[Import]] = defaultdict(list)
    for i in imports:
        if (i.importer, i.imported) not in skip:
            out[(i.importer, i.imported)].append(i)
    return out


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One shortest cycle per strongly connected component of more than one node."""
    index, low, stack, on_stack, components = {}, {}, [], set(), []
    counter = [0]

    def visit(v):  # Tarjan, iteratively (no recursion limit)
        work = [(v, iter(sorted(graph.get(v, ()))))]
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        while work:
            node, children = work[-1]
            for w in children:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph.get(w, ())))))
                    break
                if w in on_stack:
                    low[node] = min(low[node], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        component.add(w)
                        if w == node:
                            break
                    if len(component) > 1:
                        components.append(component)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    cycles = []
    for component in components:
        start = min(component)
        previous, queue = {}, deque([start])
        while queue:  # shortest path from start back to start, inside the component
            v = queue.popleft()
            for w in sorted(graph.get(v, ())):
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    cycles.append([start, *reversed(path[:-1]), start])
                    queue.clear()
                    break
                if w in component and w not in previous:
                    previous[w] = v
                    queue.append(w)
    return cycles


def graph_of(edge_map) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for a, b in edge_map:
        graph[a].add(b)
    return graph


def package_of(module: str) -> str:
    """The first-level package (or module) of digindex that ``module`` belongs to."""
    return ".".join(module.split(".")[:2])


def _describe_cycle(cycle, edge_map) -> str:
    steps = []
    for a, b in zip(cycle, cycle[1:]):
        where = ", ".join(i.where() for i in edge_map.get((a, b), [])[:2])
        steps.append(f"  {a} -> {b}" + (f"   [{where}]" if where else ""))
    return "\n".join(steps)


# ---- the checks -------------------------------------------------------------------------

def test_tier_table_is_well_formed_and_the_diagram_follows_it():
    assert [t.rank for t in TIERS] == list(range(1, len(TIERS) + 1)), "number the tiers 1, 2, … lowest first"
    listed = [m for t in TIERS for m in t.modules]
    assert all(t.modules for t in TIERS)
    assert len(listed) == len(set(listed)), "a module is listed in two tiers"
    assert PACKAGE in listed, "the root package (the facade) needs a tier"
    text = DOC.read_text(encoding="utf-8")
    diagram = re.search(r"```mermaid\n(.*?)```", text, re.S).group(1)
    order = []
    for a, b in re.findall(r"^\s*(\w+)(?:\[[^\]]*\])?\s*-->\s*(\w+)", diagram, re.M):
        order += [n for n in (a, b) if n not in order]
    assert order == [t.name for t in reversed(TIERS)], "the diagram must show the tier table's order"


def test_every_module_is_in_a_tier():
    unplaced = sorted(m for m in MODULES if tier_of(m) is None)
    assert not unplaced, f"place these modules in the tier table of {DOC.name}: {unplaced}"


def test_imports_go_to_the_same_or_a_lower_tier():
    upward = []
    for (a, b), found in sorted(edges(skip=KNOWN_VIOLATIONS).items()):
        ta, tb = tier_of(a), tier_of(b)
        if ta and tb and tb.rank > ta.rank:
            upward.append(f"{a} ({ta.name}) imports {b} ({tb.name}) at "
                          + ", ".join(i.where() for i in found))
    assert not upward, "imports must not go up the layers:\n" + "\n".join(upward)


def test_no_import_cycles_between_modules():
    edge_map = edges(skip=KNOWN_VIOLATIONS)
    cycles = find_cycles(graph_of(edge_map))
    assert not cycles, "import cycles:\n" + "\n\n".join(_describe_cycle(c, edge_map) for c in cycles)


def test_no_import_cycles_between_packages():
    by_package = defaultdict(list)
    for (a, b), found in edges(skip=KNOWN_VIOLATIONS).items():
        if package_of(a) != package_of(b):
            by_package[(package_of(a), package_of(b))] += found
    cycles = find_cycles(graph_of(by_package))
    assert not cycles, "import cycles between packages:\n" + "\n\n".join(
        _describe_cycle(c, by_package) for c in cycles)


def test_only_the_top_tier_imports_the_root_package():
    top = TIERS[-1]
    wrong = sorted(i.where() for i in IMPORTS if i.imported == PACKAGE and tier_of(i.importer) != top
                   and (i.importer, i.imported) not in KNOWN_VIOLATIONS)
    assert not wrong, (f"only the {top.name} tier may import the root package {PACKAGE!r}; import "
                       f"from the defining module instead (e.g. ..version, ..data):\n" + "\n".join(wrong))


def test_known_violations_still_exist():
    """The allowlist only shrinks: remove an entry as soon as its edge is gone or allowed."""
    all_edges = edges()
    cycles_graph = graph_of(all_edges)

    def on_cycle(a, b):
        seen, queue = {b}, deque([b])
        while queue:
            v = queue.popleft()
            if v == a:
                return True
            for w in cycles_graph.get(v, ()):
                if w not in seen:
                    seen.add(w)
                    queue.append(w)
        return False

    stale = []
    for (a, b), reason in KNOWN_VIOLATIONS.items():
        assert reason.startswith("being replaced"), f"say what replaces {a} -> {b}"
        if (a, b) not in all_edges:
            stale.append(f"{a} -> {b} no longer exists")
        elif not (tier_of(b).rank > tier_of(a).rank or on_cycle(a, b)
                  or (b == PACKAGE and tier_of(a) != TIERS[-1])):
            stale.append(f"{a} -> {b} is no longer a violation")
    assert not stale, "remove from KNOWN_VIOLATIONS:\n" + "\n".join(stale)


def test_plugin_lists_name_modules_of_digindex():
    for module, (path, _) in MODULES.items():
        for name in _plugin_names(ast.parse(path.read_text(encoding="utf-8"))):
            assert name in MODULES, f"{module} plugin list names {name!r}, which is not a module"


# ---- the scanner itself -----------------------------------------------------------------

FAKE_MODULES = {"digindex", "digindex.low", "digindex.pkg", "digindex.pkg.mod", "digindex.pkg.sub",
                "digindex.high", "digindex.high.owner"}
FAKE_SOURCE = '''
import os
import digindex.low
from . import sub
from .. import low as low2, SomeName
from ..high import owner
from digindex.low import function
import importlib
BUILTIN_KEY_OWNERS = ("digindex.high.owner",)

if True:
    from ..low import thing

def later():
    from digindex.high import owner
    importlib.import_module("digindex.pkg.sub")
    importlib.import_module("digindex.high.owner")   # declared plugin: not an import
    importlib.import_module(".sub", __package__)
    for name in BUILTIN_KEY_OWNERS:
        importlib.import_module(name)                 # not a literal: not seen
'''


def test_scanner_sees_every_kind_of_import():
    found = imports_of("digindex.pkg.mod", FAKE_SOURCE, False, FAKE_MODULES)
    seen = [(i.imported, i.line, i.in_function) for i in found]
    assert seen == [
        ("digindex.low", 3, False),
        ("digindex.pkg.sub", 4, False),
        ("digindex.low", 5, False), ("digindex", 5, False),
        ("digindex.high.owner", 6, False),
        ("digindex.low", 7, False),
        ("digindex.low", 12, False),
        ("digindex.high.owner", 15, True),
        ("digindex.pkg.sub", 16, True),
        ("digindex.pkg.sub", 18, True),
    ], seen


def test_cycle_finder_reports_the_path():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e2"}, "e2": {"e"}}
    assert sorted(find_cycles(graph)) == [["a", "b", "c", "a"], ["e", "e2", "e"]]


@pytest.mark.parametrize("module, tier", [
    ("digindex", "facade"), ("digindex.cli", "apps"), ("digindex.web.routes.pages_work", "apps"),
    ("digindex.files", "base"), ("digindex.methods.context", "methods"),
    ("digindex.framework.parse", "framework"), ("digindex.frameworks.workbook", "products"),
])
def test_tier_lookup(module, tier):
    assert tier_of(module).name == tier
