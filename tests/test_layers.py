"""Imports go one way (docs/architecture.md): floors, no circles, no private names across modules, no
command importing another. Lazy imports inside functions count; ``corrector/__init__.py``'s lazy
re-exports (the facade) do not."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "corrector"
# The main flow, bottom up; top-level modules (defaults, config, files, …) are the ground floor.
FLOORS = {
    "corrector.text": 0,
    "corrector.candidates": 1,
    "corrector.lm": 1,
    "corrector.restore": 2,
    "corrector.batch": 3,
    "corrector.api": 4,
    "corrector.commands": 5,
    "corrector.cli": 6,
}
# Side packages use the main flow up to the API; of the main flow only their commands import them.
SIDE = ("corrector.adapt", "corrector.research", "corrector.builders")


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


MODULES = _modules()


def _imports(name: str) -> list[tuple[str, str]]:
    """(imported module, imported name or '') of every corrector import in ``name``."""
    out = []
    for node in ast.walk(ast.parse(MODULES[name].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(alias.name, "") for alias in node.names if alias.name.startswith("corrector")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("corrector"):
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                out.append((submodule, "") if submodule in MODULES else (node.module, alias.name))
    return out


GRAPH = {
    name: {module for module, _ in _imports(name) if module != name}
    for name in MODULES
    if name != "corrector"
}


def _floor(module: str) -> int | None:
    for prefix, floor in FLOORS.items():
        if module == prefix or module.startswith(prefix + "."):
            return floor
    if module.startswith(SIDE):
        return None
    return 0  # corrector itself and its top-level modules


@pytest.mark.parametrize("name", sorted(GRAPH))
def test_imports_go_down_the_floors(name: str) -> None:
    floor = _floor(name)
    for module in GRAPH[name]:
        target = _floor(module)
        if floor is None:  # a side package: the main flow up to the API, or another side package
            assert target is None or target <= FLOORS["corrector.api"], f"{name} imports {module}"
        elif target is None:  # of the main flow, only the commands use the side packages
            assert floor >= FLOORS["corrector.commands"], f"{name} imports side package {module}"
        else:
            assert target <= floor, f"{name} (floor {floor}) imports {module} (floor {target})"


def test_no_import_circle() -> None:
    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            module = todo.pop()
            if module == goal:
                return True
            if module not in seen:
                seen.add(module)
                todo += GRAPH.get(module, ())
        return False

    circles = [(a, b) for a in GRAPH for b in GRAPH[a] if reaches(b, a)]
    assert circles == []


def test_no_private_name_is_imported_from_another_module() -> None:
    private = [
        (name, module, imported)
        for name in GRAPH
        for module, imported in _imports(name)
        if imported.startswith("_") and not imported.startswith("__") and module != name
    ]
    assert private == []


def test_no_command_imports_another() -> None:
    commands = {m for m in MODULES if m.startswith("corrector.commands.") and "._" not in m}
    assert [(c, m) for c in commands for m in GRAPH[c] if m in commands] == []
