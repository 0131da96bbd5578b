"""core's public API: everything in __all__ resolves, and the Function lab's names load lazily."""
import subprocess
import sys
from pathlib import Path

import core

ROOT = Path(__file__).resolve().parent.parent


def test_every_public_name_resolves():
    for name in core.__all__:
        assert getattr(core, name) is not None, name


def test_formula_names_are_lazy_but_real():
    code = ("import sys, core; assert 'sympy' not in sys.modules; "
            "e = core.parse_formula('log(2 + cos(x))'); "
            "assert str(core.derive(e).result) == str(core.formula.derive(e).result); print('ok')")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "ok", result.stderr
