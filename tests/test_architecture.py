"""The direction of every import (issue 12): handlers/ -> bot/ -> storage/, one composition root nothing imports
back, only bot/slack/ talking to Slack, no import cycle and no import hidden in a function to dodge one. The
contracts themselves are in pyproject.toml ([tool.importlinter]); this runs them and adds the two checks
import-linter has no contract for."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "handlers", "storage")
# The entry point imports lazily so that `kaizen-bot --help` does not load Bolt, SQLAlchemy and matplotlib.
LAZY_ENTRY_POINTS = {"bot.cli"}


def project_modules() -> Iterator[tuple[str, Path]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            yield name, path


def test_the_import_contracts_in_pyproject_hold() -> None:
    lint = "from importlinter.cli import lint_imports_command; lint_imports_command()"
    result = subprocess.run(
        [sys.executable, "-c", lint, "--no-cache", "--no-logo", str(ROOT / "pyproject.toml")],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 kept, 0 broken" in result.stdout, result.stdout


def test_there_is_no_import_cycle() -> None:
    graph = grimp.build_graph(*PACKAGES)
    modules = sorted(graph.modules)
    # Tarjan's strongly connected components, iteratively: any component of more than one module is a cycle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    cycles: list[list[str]] = []
    counter = 0
    for start in modules:
        if start in index:
            continue
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    assert cycles == [], f"import cycles: {cycles}"


class _Hidden(ast.NodeVisitor):
    """Imports of project modules inside functions or under `if TYPE_CHECKING:`."""

    def __init__(self) -> None:
        self.depth = 0
        self.found: list[tuple[int, str]] = []

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_If(self, node: ast.If) -> None:
        if isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            self.depth += 1
            self.generic_visit(node)
            self.depth -= 1
        else:
            self.generic_visit(node)

    def _check(self, node: ast.Import | ast.ImportFrom, names: list[str]) -> None:
        if self.depth and any(name.split(".")[0] in PACKAGES for name in names):
            self.found.append((node.lineno, ", ".join(names)))

    def visit_Import(self, node: ast.Import) -> None:
        self._check(node, [alias.name for alias in node.names])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        self._check(node, [node.module or ""] if not node.level else ["bot"])


@pytest.mark.parametrize("module", [name for name, _ in project_modules() if name not in LAZY_ENTRY_POINTS])
def test_no_import_of_our_own_code_is_hidden_in_a_function(module: str) -> None:
    path = dict(project_modules())[module]
    hidden = _Hidden()
    hidden.visit(ast.parse(path.read_text(encoding="utf-8")))
    assert hidden.found == [], f"{module} imports our own code late (a cycle dodged?): {hidden.found}"


def test_the_architecture_in_the_readme_names_every_package() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    packages = sorted(
        path.parent.relative_to(ROOT).as_posix() + "/"
        for package in PACKAGES
        for path in (ROOT / package).rglob("__init__.py")
        if "migrations" not in path.parts
    )
    missing = [package for package in packages if package not in readme]
    assert missing == [], f"the README's Architecture section does not mention {missing}"
