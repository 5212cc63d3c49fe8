"""A wheel built from the repository, installed without the source tree, finds its presets and style sheet.

This is the new user's ``pip install .``: the presets and the style sheet live at the repository's top
level and must travel inside the package. The fresh environment reuses this one's installed
dependencies (torch, PySide6...) through a path file, which adds their folder but not this
environment's own path files, so the editable install of the source tree stays out of reach.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".git", ".venv", "tests", "build", "dist", "__pycache__", ".pytest_cache", ".hypothesis"}

WINDOW_CHECK = """
import json, os, sys
import torch  # before Qt, as the program does
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
import explorer
from explorer.qt import MainWindow
from explorer.qt import theme
app = QApplication([])
window = MainWindow(QSettings(os.path.join(sys.argv[1], "settings.ini"), QSettings.Format.IniFormat))
window.fill_presets_menu()
actions = [a for a in window.menu_actions.presets_menu.actions() if a.isEnabled()]
opened = 0
for action in actions:
    action.trigger()
    opened += window.last_error is None and len(window.document) > 0
print(json.dumps({"explorer": explorer.__file__, "presets": len(actions), "opened": opened,
                  "style_sheet": len(app.styleSheet()), "qss": len(theme.style_sheet(theme.LIGHT))}))
window.close()
"""


def _copy_source(target: Path) -> None:
    def ignore(folder, names):
        return [n for n in names if n in SKIP_DIRS or n.endswith(".egg-info")]
    shutil.copytree(ROOT, target, ignore=ignore)


def _run(cmd, **kw) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, env=env, timeout=300, **kw)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel installed; returns its folder."""
    base = tmp_path_factory.mktemp("wheel")
    _copy_source(base / "src")
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                  "-q", "-w", base / "dist", base / "src"])
    assert built.returncode == 0, built.stderr
    wheel = next((base / "dist").glob("nn_explorer-*.whl"))
    env_dir = base / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    own = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    (own / "_dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    done = _run([python, "-m", "pip", "install", "--no-deps", "--no-index", "-q", wheel])
    assert done.returncode == 0, done.stderr
    return env_dir


def test_the_wheel_holds_the_presets_and_the_style_sheet(installed):
    wheel = next(installed.parent.glob("dist/*.whl"))
    names = set(subprocess.run(["unzip", "-Z1", wheel], capture_output=True, text=True).stdout.split()) \
        if shutil.which("unzip") else None
    if names is None:
        import zipfile
        names = set(zipfile.ZipFile(wheel).namelist())
    presets = sorted(p.name for p in (ROOT / "presets").glob("*.json"))
    assert {f"explorer/presets/{p}" for p in presets} <= names
    assert "explorer/resources/style.qss" in names


def test_info_on_a_packaged_preset_outside_the_source_tree(installed, tmp_path):
    result = _run([installed / "bin" / "nn-explorer", "info", "--json", "lenet-shapes"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["total_params"] == 61_366
    assert "using the preset lenet-shapes" in result.stderr
    listed = _run([installed / "bin" / "nn-explorer", "presets"], cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert len(listed.stdout.splitlines()) == len(list((ROOT / "presets").glob("*.json")))


def test_the_installed_window_opens_every_preset_and_is_styled(installed, tmp_path):
    result = _run([installed / "bin" / "python", "-c", WINDOW_CHECK, tmp_path], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert Path(found["explorer"]).is_relative_to(installed), found["explorer"]  # not the source tree
    count = len(list((ROOT / "presets").glob("*.json")))
    assert found["presets"] == count and found["opened"] == count
    assert found["qss"] > 1000 and found["style_sheet"] > 1000
