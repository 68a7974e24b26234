"""The import layers (pyproject.toml's import-linter contract) hold, and the contract would
catch the core importing a layer above it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("arena", "games", "agents", "tournaments")

pytestmark = pytest.mark.skipif(not LINT.exists(), reason="import-linter is not installed")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT), "--no-cache"], cwd=root, capture_output=True, text=True,
                          env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}, timeout=120)


def _copy(tmp_path: Path) -> Path:
    for pkg in PACKAGES:
        shutil.copytree(ROOT / pkg, tmp_path / pkg,
                        ignore=shutil.ignore_patterns("__pycache__", "*.toml"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_layers_hold(tmp_path):
    res = _lint(_copy(tmp_path))
    assert res.returncode == 0, res.stdout + res.stderr


@pytest.mark.parametrize("module, line", [
    ("arena/core/game.py", "import tournaments.run"),
    ("arena/stats/basic.py", "from agents import random"),
    ("games/dhumbal/cards.py", "import agents.random"),
])
def test_an_upward_import_breaks_the_contract(tmp_path, module, line):
    root = _copy(tmp_path)
    path = root / module
    path.write_text(path.read_text() + f"\n{line}\n")
    res = _lint(root)
    assert res.returncode != 0, f"{module} importing upwards passed: {res.stdout}"
    assert "BROKEN" in res.stdout
