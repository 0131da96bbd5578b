"""core/ is a plain numpy + sympy library: it must never import Qt or pyqtgraph."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "core"
FORBIDDEN = {"PySide6", "PySide2", "PyQt5", "PyQt6", "pyqtgraph", "shiboken6", "shiboken2", "qtpy"}


def _core_files():
    return sorted(CORE.rglob("*.py"))


def _forbidden_imports(source, name):
    """Lines of `source` that import a forbidden module (absolute imports only)."""
    tree = ast.parse(source, filename=name)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for module in names:
            if module.split(".")[0] in FORBIDDEN:
                yield f"{name}:{node.lineno}: imports {module}"


def test_core_has_python_files():
    assert (CORE / "__init__.py").is_file()


@pytest.mark.parametrize("path", _core_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_core_module_imports_no_qt(path):
    offences = list(_forbidden_imports(path.read_text(encoding="utf-8"),
                                       str(path.relative_to(ROOT))))
    assert not offences, "core/ must not import Qt or pyqtgraph:\n" + "\n".join(offences)


def test_importing_core_loads_no_qt():
    code = (
        "import sys, core\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {sorted(FORBIDDEN)!r})\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"`import core` loaded: {result.stdout.strip()}"


def test_the_checker_catches_qt_imports():
    source = ("import os\nimport PySide6.QtCore\nfrom pyqtgraph import PlotWidget\n"
              "from . import sibling\nimport numpy as np, qtpy\n")
    offences = list(_forbidden_imports(source, "sample.py"))
    assert offences == ["sample.py:2: imports PySide6.QtCore", "sample.py:3: imports pyqtgraph",
                        "sample.py:5: imports qtpy"]
