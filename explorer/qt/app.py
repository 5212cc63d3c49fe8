"""Starting the application: QApplication, theme, main window."""

from __future__ import annotations

import sys


def run_app(path: str | None = None, settings=None, as_copy: bool = False) -> int:
    """Open the main window (optionally with a file) and run the event loop.

    ``settings`` (a QSettings) replaces the user's, for tests; ``as_copy`` opens the file as a preset is
    opened, without a path, so Save asks where to put it. Torch's thread count is put back when the
    loop ends (and start-up's objects handed back to the garbage collector, see ``collector.py``), and a
    training step still running then is waited for (see ``training/orphans.py``).
    """
    from .preload import import_torch_first

    import_torch_first()  # before Qt is loaded: see explorer/qt/preload.py
    import torch

    threads_before = torch.get_num_threads()
    from .collector import thaw_startup_objects
    from .training.cores import keep_gui_thread_serial

    keep_gui_thread_serial()  # the training thread gets the cores: see explorer/qt/training/cores.py
    try:
        status = _run_window(path, settings, as_copy)
    finally:
        torch.set_num_threads(threads_before)  # a caller (a test session) keeps its own setting
        thaw_startup_objects()  # and its garbage collector as it was
    from .training import orphans

    if not orphans.finish_before_exit():
        orphans.exit_now(status)
    return status


def _run_window(path: str | None, settings, as_copy: bool) -> int:
    from PySide6.QtWidgets import QApplication

    from .collector import freeze_startup_objects

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Neural Network Explorer")
    app.setOrganizationName("nn-explorer")
    app.setApplicationDisplayName("Neural Network Explorer")

    from .main_window import MainWindow

    window = MainWindow(settings)
    from .training import attach

    attach(window)  # the live training panel, docked under the canvas
    window.show()
    freeze_startup_objects()  # no full garbage collection stalls the window later: see explorer/qt/collector.py
    restored = window.offer_recovery()  # work a crash or a kill left unsaved comes first
    if path and not restored:
        window.open_document(path, as_copy=as_copy)
    return app.exec()
