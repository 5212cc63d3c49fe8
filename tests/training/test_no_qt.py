"""The training engine and the command line never import Qt (STYLE 1)."""

import subprocess
import sys


def test_training_imports_no_qt():
    code = ("import sys; import explorer.training.trainer, explorer.commands.train, explorer.cli, explorer.export.animation, explorer.export.recording; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6')); "
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
