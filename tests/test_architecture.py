"""Imports point one way: the project's modules form no cycle, and each layer imports only the
layers below it.

    transfer (the core)
      <- web.config, web.services, web.security, web.memory, web.abuse (the shell's base)
      <- components (the panels)
      <- web.serving, web.routes, web.factory, web.notebook (the shell)
      <- app.py

Every import counts, at module level or inside a function: a function-level import is still a
dependency, and only hides a cycle until the function runs. Read from the source with `ast`, so
nothing is imported.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {
    ".venv", ".git", "__pycache__", "node_modules", "results", "artifacts", "instance", "data", "docs", "assets",
}
# Folders whose scripts run with the folder itself on sys.path (pytest.ini's pythonpath, and the
# benchmarks' own sys.path line), so `import conftest` there is tests/conftest.py.
SCRIPT_DIRS = ("tests", "benchmarks")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_files() -> dict[str, Path]:
    """Every .py file of the project, by module name (`web.routes`, `tests.conftest`)."""
    files = {}
    for path in sorted(ROOT.rglob("*.py")):
        if SKIPPED_DIRS.intersection(path.relative_to(ROOT).parts[:-1]) or path.name.startswith("."):
            continue
        files[_module_name(path)] = path
    return files


MODULES = project_files()
PACKAGES = {name for name, path in MODULES.items() if path.name == "__init__.py"}


def _package_of(module: str) -> str:
    return module if module in PACKAGES else module.rpartition(".")[0]


def _resolve(name: str, importer: str) -> str | None:
    """The project module `name` means when `importer` imports it, None for a library."""
    top = importer.split(".")[0]
    candidates = [name] + [f"{folder}.{name}" for folder in SCRIPT_DIRS if top == folder] + [f"tests.{name}"]
    return next((candidate for candidate in candidates if candidate in MODULES), None)


def _is_namespace(name: str) -> bool:
    """A folder of modules without __init__.py (`components`)."""
    return name not in MODULES and any(module.startswith(name + ".") for module in MODULES)


def imported_modules(module: str) -> set[str]:
    """The project modules `module` imports anywhere in its file, and the packages whose
    __init__ such an import runs first."""
    tree = ast.parse(MODULES[module].read_text(), filename=str(MODULES[module]))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _package_of(module).split(".")
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            # `from package import name`: a submodule when there is one, else a name of the package
            for alias in node.names:
                names.append(f"{prefix}.{alias.name}" if _resolve(f"{prefix}.{alias.name}", module) else prefix)
        for name in names:
            target = _resolve(name, module)
            if target is None and not _is_namespace(name):
                # `import a.b.c` of a library, or a module nested in a project package
                while "." in name and target is None:
                    name = name.rpartition(".")[0]
                    target = _resolve(name, module)
            if target is None or target == module:
                continue
            found.add(target)
            # Importing a.b.c first runs a/__init__.py and a/b/__init__.py (unless the importer
            # is inside them: then they are already being imported).
            parts = target.split(".")
            for depth in range(1, len(parts)):
                package = ".".join(parts[:depth])
                if package in PACKAGES and not (module + ".").startswith(package + "."):
                    found.add(package)
    return found


GRAPH = {module: imported_modules(module) for module in MODULES}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of `graph` as [a, b, ..., a], or None (depth-first search)."""
    colour: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        colour[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if colour.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in colour and (cycle := visit(nxt)):
                return cycle
        path.pop()
        colour[node] = 2
        return None

    for start in sorted(graph):
        if start not in colour and (cycle := visit(start)):
            return cycle
    return None


def test_the_graph_sees_the_projects_modules():
    assert {"app", "transfer.matrix", "transfer.parsing", "components.state", "tests.conftest"} <= set(GRAPH)
    assert "transfer.matrix" in GRAPH["transfer.parsing"]
    assert "tests.conftest" in GRAPH["tests.test_arrival"]  # `from conftest import ...`
    assert "components.ids" in GRAPH["components.state"]  # `from . import ids`


def test_no_import_cycle_anywhere():
    cycle = find_cycle(GRAPH)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def _layer(module: str) -> int | None:
    """The module's layer (higher imports lower), None for modules outside the app (tests...)."""
    if module == "transfer" or module.startswith("transfer."):
        return 0
    if module in ("web", "web.config", "web.services", "web.security", "web.memory", "web.abuse"):
        return 1
    if module.startswith("components."):
        return 2
    if module.startswith("web."):
        return 3
    if module == "app":
        return 4
    return None


APP_MODULES = sorted(module for module in GRAPH if _layer(module) is not None)


@pytest.mark.parametrize("module", APP_MODULES)
def test_imports_point_down_the_layers(module):
    upward = sorted(target for target in GRAPH[module] if _layer(target) is None or _layer(target) > _layer(module))
    assert not upward, f"{module} (layer {_layer(module)}) imports {upward}"


def test_the_core_imports_nothing_outside_itself():
    for module in APP_MODULES:
        if _layer(module) == 0:
            assert all(target.split(".")[0] == "transfer" for target in GRAPH[module]), (module, GRAPH[module])


def test_panels_never_import_the_shell_that_wires_them():
    wiring = {"web.factory", "web.routes", "web.serving", "web.notebook", "app"}
    for module in APP_MODULES:
        if module.startswith("components."):
            assert not GRAPH[module] & wiring, (module, GRAPH[module] & wiring)


def test_every_app_module_has_a_layer():
    """A new top-level module or package belongs in a layer: the shell's modules go in web/."""
    top_level = {module.split(".")[0] for module in MODULES} - set(SCRIPT_DIRS) - {"scripts", "gunicorn"}
    assert top_level <= {"app", "transfer", "components", "web"}, top_level
