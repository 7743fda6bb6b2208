"""The providers package imports downwards only (issue 15): http -> policy -> spec -> leak -> verify ->
revoke -> orchestration -> manual, and nothing in it imports the pipeline or a command. Checked on the
source, lazy (function-level) imports included; ``if TYPE_CHECKING:`` imports are only types."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "scanner" / "providers"
ORDER = ("http", "auditlog", "cache", "runner", "policy", "spec", "leak", "verify", "revoke", "orchestration",
         "manual")
"""Each module may import only the ones before it."""
ABOVE = ("scanner.pipeline", "scanner.collect", "scanner.cli", "scanner.entry", "scanner.ci", "scanner.commands")


def runtime_imports(path: Path) -> set[str]:
    """Every module ``path`` imports outside ``if TYPE_CHECKING:`` (``from a import b`` counts as ``a.b``
    too, since ``b`` may be a module)."""
    tree = ast.parse(path.read_text())
    types_only = {id(node) for block in ast.walk(tree)
                  if isinstance(block, ast.If) and isinstance(block.test, ast.Name) and block.test.id == "TYPE_CHECKING"
                  for node in ast.walk(block)}
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in types_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module:
            out |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
    return out


def test_every_module_is_placed_in_the_order() -> None:
    assert {p.stem for p in PACKAGE.glob("*.py")} - {"__init__"} == set(ORDER)


def test_the_package_module_imports_nothing() -> None:
    assert not {m for m in runtime_imports(PACKAGE / "__init__.py") if m.startswith("scanner")}


def test_modules_import_downwards_only() -> None:
    for i, name in enumerate(ORDER):
        imported = {m.split(".")[2] for m in runtime_imports(PACKAGE / f"{name}.py")
                    if m.startswith("scanner.providers.")}
        assert imported <= set(ORDER[:i]), f"{name} imports {sorted(imported - set(ORDER[:i]))} from above it"


def test_nothing_reaches_back_up_the_pipeline() -> None:
    for name in ORDER[:-1]:  # manual is the ``revoke`` command's own logic: it writes the report
        up = {m for m in runtime_imports(PACKAGE / f"{name}.py") if m.startswith(ABOVE)}
        assert not up, f"{name} imports {sorted(up)}"
