"""The package's layers hold: no import climbs to a higher layer, no import circle.

Layers, top to bottom: ``cli`` → ``web`` → ``map`` → ``report`` → ``rules`` → ``locate`` →
``store`` → ``sources`` → ``io`` → ``pointindex``, then the base modules (``zoning/*.py``:
errors, settings, ``_http``...); ``zoning/__main__.py`` sits above them all (it runs the
command line). A module may import from its own layer or lower ones only, and modules
never import each other in a circle, within a layer either.

Every import counts: inside functions, under ``if TYPE_CHECKING:`` (a type-only import
still ties the two layers together), relative ones, and ``from zoning.x import y`` where
``y`` is a submodule counts as an import of ``zoning.x.y``. The package's ``__init__``
that Python runs before a submodule is not counted: it is no choice of the importer.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import zoning

ROOT = Path(zoning.__file__).resolve().parent
LAYERS = ("cli", "web", "map", "report", "rules", "locate", "store", "sources", "io", "pointindex")
#: Rank of the base modules (``zoning/*.py`` and the package itself): below every layer.
BASE_RANK = len(LAYERS)


@dataclass(frozen=True)
class Import:
    """One import statement's edge: ``source`` imports ``target`` at ``file:line``."""

    source: str
    target: str
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.source} imports {self.target}"


def module_name(path: Path) -> str:
    """Dotted name of the module in ``path`` (a package is named by its folder)."""
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    """Every module of the package, by dotted name."""
    return {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def rank(module: str) -> int:
    """Height of ``module``'s layer: 0 for ``cli`` (the top), :data:`BASE_RANK` for base
    modules, -1 for ``zoning.__main__`` (above the command line it runs)."""
    parts = module.split(".")
    if module == "zoning.__main__":
        return -1
    if len(parts) > 1 and parts[1] in LAYERS:
        return LAYERS.index(parts[1])
    return BASE_RANK


def layer_name(module: str) -> str:
    r = rank(module)
    return "__main__" if r < 0 else "base" if r == BASE_RANK else LAYERS[r]


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The module ``name`` designates: itself, else its nearest existing parent."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> Iterator[Import]:
    """The package modules that ``module`` (in ``path``) imports, anywhere in its body."""
    is_package = path.name == "__init__.py"
    package = module if is_package else module.rpartition(".")[0]
    file = str(path.relative_to(ROOT.parent))
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        names: list[str] = []
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            # ``from a import b``: ``a.b`` when b is a submodule, else ``a`` itself.
            names = [
                f"{origin}.{a.name}" if f"{origin}.{a.name}" in modules else origin
                for a in node.names
            ]
        for name in names:
            if name != "zoning" and not name.startswith("zoning."):
                continue
            target = _resolve(name, modules)
            if target is not None and target != module:
                yield Import(module, target, file, node.lineno)


def package_imports() -> list[Import]:
    """Every import between the package's modules, each statement once per target."""
    modules = all_modules()
    found = {i for m, p in modules.items() for i in imports_of(m, p, modules)}
    return sorted(found, key=lambda i: (i.file, i.line, i.target))


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components of ``graph`` with more than one node."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component: list[str] = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return circles


def test_no_import_climbs_to_a_higher_layer() -> None:
    climbs = [
        f"{i}  ({layer_name(i.source)} → {layer_name(i.target)})"
        for i in package_imports()
        if rank(i.target) < rank(i.source)
    ]
    assert not climbs, "imports from a lower layer to a higher one:\n" + "\n".join(climbs)


def test_no_import_circle() -> None:
    imports = package_imports()
    graph: dict[str, set[str]] = {}
    for i in imports:
        graph.setdefault(i.source, set()).add(i.target)
    report = []
    for circle in strongly_connected(graph):
        members = set(circle)
        inside = [str(i) for i in imports if i.source in members and i.target in members]
        report.append(" ↔ ".join(circle) + ":\n  " + "\n  ".join(inside))
    assert not report, "import circles:\n" + "\n".join(report)


def test_the_walk_sees_every_kind_of_import() -> None:
    # web/app.py: « from zoning.web.routes import api » is an import of the submodule;
    # the command line imports lazily, inside functions.
    found = {(i.source, i.target) for i in package_imports()}
    assert ("zoning.__main__", "zoning.cli") in found
    assert any(s == "zoning.web.app" and t.startswith("zoning.web.routes.") for s, t in found)
    assert any(s.startswith("zoning.pointindex.") for s, _ in found)
