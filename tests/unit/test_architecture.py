"""The domain imports only the standard library and itself (import-linter checks the layers; this
checks that nothing third-party creeps in under a name the contracts do not list)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imported_roots(package: str) -> set[str]:
    roots: set[str] = set()
    for source in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Import):
                roots.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                roots.add(node.module.split(".")[0])
    return roots


def test_the_domain_uses_only_the_standard_library() -> None:
    outside = _imported_roots("domain") - set(sys.stdlib_module_names) - {"domain"}
    assert outside == set()


def test_the_application_uses_only_the_domain_and_the_standard_library() -> None:
    allowed = set(sys.stdlib_module_names) | {"domain", "application"}
    assert _imported_roots("application") - allowed == set()
