"""The Qt-free core stays free of Qt: importing it loads neither PySide6 nor pyqtgraph."""

import subprocess
import sys
from pathlib import Path

CORE = ("explorer.graph", "explorer.data", "explorer.training")


def test_core_imports_no_qt_modules():
    code = ("import sys, importlib, pkgutil\n"
            f"for name in {CORE!r}:\n"
            "    package = importlib.import_module(name)\n"
            "    for info in pkgutil.walk_packages(package.__path__, name + '.'):\n"
            "        importlib.import_module(info.name)\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6'))\n"
            "print(','.join(bad))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_core_sources_never_mention_qt_imports():
    root = Path(__file__).resolve().parents[1] / "explorer"
    for package in ("graph", "data", "training"):
        for path in (root / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for line in text.splitlines():
                stripped = line.strip()
                assert not (stripped.startswith(("import PySide6", "from PySide6", "import pyqtgraph",
                                                 "from pyqtgraph"))), f"{path}: {stripped}"
