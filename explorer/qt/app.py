"""Starting the application: QApplication, theme, main window."""

from __future__ import annotations

import sys


def run_app(path: str | None = None, settings=None, as_copy: bool = False) -> int:
    """Open the main window (optionally with a file) and run the event loop.

    ``settings`` (a QSettings) replaces the user's, for tests; ``as_copy`` opens the file as a preset is
    opened, without a path, so Save asks where to put it.
    """
    from .preload import import_torch_first

    import_torch_first()  # before Qt is loaded: see explorer/qt/preload.py
    from .training.cores import keep_gui_thread_serial

    keep_gui_thread_serial()  # the training thread gets the cores: see explorer/qt/training/cores.py
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Neural Network Explorer")
    app.setOrganizationName("nn-explorer")
    app.setApplicationDisplayName("Neural Network Explorer")

    from .main_window import MainWindow

    window = MainWindow(settings)
    from .training import attach

    attach(window)  # the live training panel, docked under the canvas
    window.show()
    if path:
        window.open_document(path, as_copy=as_copy)
    return app.exec()
