"""The package's folders are layers, and imports only point down them.

A module may import from its own layer or a lower one, never a higher one, so that (for example)
the warehouse build cannot come to depend on Streamlit, and the model stays free of the database.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "triborough"

# lowest first; see docs/architecture.md
LAYERS = ["settings", "model", "access", "importers", "read", "warehouse", "figures", "views",
          "pack", "ui", "bench", "cli"]
RANK = {name: rank for rank, name in enumerate(LAYERS)}
# access and importers are side by side: neither may import the other
SIDE_BY_SIDE = {frozenset({"access", "importers"})}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "triborough" or len(parts) < 2:
        return None
    return parts[1]


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "triborough":
                found += [(node.lineno, f"triborough.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, node.module))
    return found


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_every_module_sits_in_a_known_layer() -> None:
    strays = [
        str(p.relative_to(PACKAGE))
        for p in _modules()
        if p.parent == PACKAGE and p.stem not in RANK and p.stem != "__init__"
        or p.parent != PACKAGE and p.relative_to(PACKAGE).parts[0] not in RANK
    ]
    assert strays == [], f"modules outside the layers: {strays}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down(path: Path) -> None:
    rel = path.relative_to(PACKAGE)
    own = rel.parts[0] if len(rel.parts) > 1 else rel.stem
    if own == "__init__":
        return
    upward = []
    for line, module in _imports(path):
        target = _layer(module)
        if target is None or target == own:
            continue
        if RANK[target] > RANK[own] or frozenset({own, target}) in SIDE_BY_SIDE:
            upward.append(f"line {line}: {module} ({target} is not below {own})")
    assert upward == [], f"{rel} imports upward: {upward}"


# The libraries a layer may not use: the model stays free of the database and the screen, and
# nothing below the ui draws with Streamlit (the views and the pack are tested without it).
FORBIDDEN = {
    "model": {"duckdb", "streamlit", "plotly"},
    "access": {"streamlit", "plotly"},
    "importers": {"streamlit", "plotly"},
    "read": {"streamlit", "plotly"},
    "warehouse": {"streamlit", "plotly"},
    "views": {"streamlit"},
    "pack": {"streamlit"},
}


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_layers_use_only_their_libraries(path: Path) -> None:
    rel = path.relative_to(PACKAGE)
    own = rel.parts[0] if len(rel.parts) > 1 else rel.stem
    refused = FORBIDDEN.get(own, set())
    used = [f"line {line}: {module}" for line, module in _imports(path)
            if module.split(".")[0] in refused]
    assert used == [], f"{rel} ({own}) uses {used}"
