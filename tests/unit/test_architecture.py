"""The house rules of DESIGN §1, checked on the source: no import circles, no module importing
another's private names, and no Qt below the user interface.

The import graph counts every import that runs, at module level and inside functions alike (a
lazy import is still an arrow between two modules); imports under ``if TYPE_CHECKING:`` never
run, so they are names for the type checker, not arrows. Importing a package's submodule does
not count as an arrow to the package itself, though Python runs its ``__init__`` first: a package
that re-exports its parts would otherwise be a circle with each of them.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "smtpgui"
QT_FREE = ("smtpgui.core", "smtpgui.storage", "smtpgui.transport", "smtpgui.services", "smtpgui.cli")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if p.name != "resources_rc.py"}


def _type_checking_only(tree: ast.AST) -> set[int]:
    """The ids of the nodes under ``if TYPE_CHECKING:`` (they never run)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else test.attr if isinstance(test, ast.Attribute) else ""
            if name == "TYPE_CHECKING":
                skipped.update(id(child) for part in node.body for child in ast.walk(part))
    return skipped


def _imports(name: str, path: Path, known: set[str], *, runtime_only: bool = False) -> list[tuple[str, list[str], int]]:
    """(imported module, names taken from it, line) for every import statement in the file."""
    is_package = path.name == "__init__.py"
    found: list[tuple[str, list[str], int]] = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_only(tree) if runtime_only else set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.extend((alias.name, [], node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            names = [alias.name for alias in node.names]
            submodules = [n for n in names if f"{target}.{n}" in known]
            found.extend((f"{target}.{n}", [], node.lineno) for n in submodules)
            others = [n for n in names if n not in submodules]
            if others or not submodules:
                found.append((target, others, node.lineno))
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        for target, _names, _line in _imports(name, path, known, runtime_only=True):
            if target in known and target != name:
                graph[name].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def test_the_import_graph_has_no_circles() -> None:
    assert _cycles(_graph()) == []


def test_the_circle_finder_finds_a_circle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_imports_another_modules_private_names() -> None:
    modules = _modules()
    known = set(modules)
    offences = [
        f"{name}:{line} takes {taken} from {target}"
        for name, path in modules.items()
        for target, names, line in _imports(name, path, known)
        if target.startswith("smtpgui")
        for taken in names
        if taken.startswith("_") and not taken.startswith("__")
    ]
    assert offences == []


def test_no_qt_below_the_user_interface_in_the_source() -> None:
    modules = _modules()
    known = set(modules)
    offences = [
        f"{name}:{line} imports {target}"
        for name, path in modules.items()
        if name.startswith(QT_FREE)
        for target, _names, line in _imports(name, path, known)
        if target.split(".")[0] in {"PySide6", "shiboken6", "PyQt5", "PyQt6"}
    ]
    assert offences == []


def test_the_command_line_runs_without_loading_qt() -> None:
    """Import every Qt-free module in a fresh interpreter: none of them may pull PySide6 in."""
    names = [m for m in _modules() if m.startswith(QT_FREE)]
    script = "import importlib, sys\n" + "".join(f"importlib.import_module({n!r})\n" for n in names)
    script += "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))))\n"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=PACKAGE.parent
    )
    assert done.stdout.strip() == "[]"
