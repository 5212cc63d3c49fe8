"""Starting the application: QApplication, theme, main window."""

from __future__ import annotations

import sys


def run_app(path: str | None = None) -> int:
    """Open the main window (optionally with a file) and run the event loop."""
    import torch  # noqa: F401  (import torch before any QApplication exists: pytorch #11326)
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = QLabel("Neural Network Explorer")
    window.resize(800, 600)
    window.show()
    return app.exec()
