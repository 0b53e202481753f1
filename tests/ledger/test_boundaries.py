"""The ledger listens to traces only: it never imports courses or exams."""

import ast
from pathlib import Path

LEDGER = Path(__file__).resolve().parents[2] / "app" / "ledger"


def test_the_ledger_never_imports_courses_or_exams():
    imported = set()
    for path in LEDGER.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add((path.name, node.module))
            elif isinstance(node, ast.Import):
                imported |= {(path.name, alias.name) for alias in node.names}
    bad = {(f, m) for f, m in imported if m.startswith(("app.courses", "app.exams"))}
    assert bad == set()
