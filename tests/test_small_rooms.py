"""Rooms stay small (issue 13): no module of the product or its tests over 450 lines, and no size budget written as
a bare number outside `bot/limits.py` (a clip length is a number that cuts or bounds text: `text[:200]`,
`clip(text, 64)`, `escape_clipped(text, 500)`, `max_length=60`)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 450
SIZED = ("bot", "handlers", "storage", "tests", "doubles", "bench")
PRODUCT = ("bot", "handlers", "storage")
LIMITS_MODULE = ROOT / "bot" / "limits.py"
CLIPPING_CALLS = {"clip", "escape_clipped"}
BOUNDING_KEYWORDS = {"max_length", "min_length", "max_selected_items"}


def python_files(folders: tuple[str, ...]) -> Iterator[Path]:
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts and ".venv" not in path.parts:
                yield path


@pytest.mark.parametrize("path", list(python_files(SIZED)), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_module_is_over_450_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines: split it by what it does"


def _number(node: ast.expr | None) -> bool:
    # A bare whole number of 2 or more (0 and 1 are list positions, not budgets: `ids[:0] = …`, `parts[:1]`).
    return isinstance(node, ast.Constant) and type(node.value) is int and node.value >= 2


def literal_clip_lengths(source: str) -> list[tuple[int, str]]:
    """(line, what) of every size budget written as a bare number in `source`."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
            if node.slice.lower is None and _number(node.slice.upper):
                found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in CLIPPING_CALLS and any(_number(arg) for arg in node.args[1:]):
                found.append((node.lineno, ast.unparse(node)))
            found += [
                (node.lineno, ast.unparse(node))
                for k in node.keywords
                if k.arg in BOUNDING_KEYWORDS and _number(k.value)
            ]
    return found


def test_the_check_finds_every_kind_of_literal_clip_length() -> None:
    source = (
        "a = text[:200]\nb = bk.clip(text, 64)\nc = escape_clipped(text, 500)\nd = Input(max_length=60)\n"
        "e = text[:limits.LIST_LINE]\nf = ids[:0]\ng = clip(text, limits.CHART_NOTE)\nh = values[:-1]\n"
    )
    assert [line for line, _ in literal_clip_lengths(source)] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    "path",
    [p for p in python_files(PRODUCT) if p != LIMITS_MODULE],
    ids=lambda p: p.relative_to(ROOT).as_posix(),
)
def test_no_literal_clip_length_outside_the_limits_module(path: Path) -> None:
    found = literal_clip_lengths(path.read_text(encoding="utf-8"))
    assert found == [], f"{path.relative_to(ROOT)}: name these budgets in bot/limits.py: {found}"


def test_every_budget_in_the_limits_module_is_used() -> None:
    # A limit nobody reads checks nothing (issue 13 found 10 of 20 so): each name is read outside bot/limits.py.
    tree = ast.parse(LIMITS_MODULE.read_text(encoding="utf-8"))
    names = [
        t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets if isinstance(t, ast.Name)
    ]
    sources = "\n".join(p.read_text(encoding="utf-8") for p in python_files(PRODUCT) if p != LIMITS_MODULE)
    unused = [name for name in names if not re.search(rf"\b{name}\b", sources)]
    assert names and unused == [], f"unused budgets in bot/limits.py: {unused}"
