"""The dependency direction of DESIGN.md holds, and no module imports itself in a circle.

Reads the source with `ast`, so it checks every import, including those inside functions
(a late import is still a dependency)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"

# Shared plumbing that imports no feature.
LEAVES = {"db", "extensions", "errors", "timeutil", "vocabulary", "planitems", "i18n", "web", "uploads"}
# What each feature may import besides the leaves. reports, dashboard and api read everything;
# the app factory, the model registry, the scheduler, the demo and the bench hooks wire features
# together.
FEATURES = {
    "accounts": set(),
    "traces": {"accounts"},
    "courses": {"accounts", "traces"},
    "questions": {"accounts", "courses"},
    "exams": {"accounts", "courses", "questions", "traces"},
    "ledger": {"accounts", "traces"},
    "plans": {"accounts", "courses", "exams"},
    "reports": {"accounts", "courses", "questions", "traces", "exams", "ledger", "plans"},
    "dashboard": {"accounts", "courses", "questions", "traces", "exams", "ledger", "plans", "reports"},
    "navigation": {"accounts"},
}
WIRING = {"__init__", "model_registry", "scheduler", "cli", "api", "benchmark"}
READERS = {"reports", "dashboard", "api"}


def _modules() -> dict[str, Path]:
    found = {}
    for path in APP.rglob("*.py"):
        parts = path.relative_to(APP.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _imports(path: Path, *, top_level_only: bool = False) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    targets = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            targets |= {a.name for a in node.names if a.name.startswith("app")}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module \
                and node.module.startswith("app"):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                targets.add(sub if sub in MODULES else node.module)
    return targets


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _package_edges() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    for module, path in MODULES.items():
        source = _package(module)
        for target in _imports(path):
            if _package(target) != source:
                edges[source].add(_package(target))
    return edges


def test_leaves_import_no_feature():
    edges = _package_edges()
    for leaf in LEAVES:
        assert edges.get(leaf, set()) <= LEAVES, (leaf, edges.get(leaf, set()) - LEAVES)


def test_features_import_only_what_lies_below_them():
    edges = _package_edges()
    known = LEAVES | set(FEATURES) | WIRING
    assert set(edges) <= known | {"__init__"}, set(edges) - known
    for feature, allowed in FEATURES.items():
        extra = edges.get(feature, set()) - LEAVES - allowed
        assert not extra, f"{feature} must not import {sorted(extra)}"


def test_the_ledger_never_imports_courses_or_exams():
    assert not _package_edges().get("ledger", set()) & {"courses", "exams"}


def test_readers_are_imported_by_no_feature():
    for source, targets in _package_edges().items():
        if source in WIRING or source in READERS:
            continue  # the readers may read one another as FEATURES allows
        assert not targets & READERS - {source}, (source, targets & READERS)


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_no_cycle_between_packages():
    edges = {k: v for k, v in _package_edges().items() if k not in WIRING}
    assert _cycle(edges) is None, _cycle(edges)


def test_no_cycle_between_modules():
    # Top-level imports only: a cycle there breaks depending on which module loads first.
    graph = {module: {t for t in _imports(path, top_level_only=True) if t in MODULES and t != module}
             for module, path in MODULES.items()}
    assert _cycle(graph) is None, _cycle(graph)


def test_the_check_sees_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
