"""Everything that draws: the main window, editor, inspector, training panel and plots.

``MainWindow`` is imported on first use. Importing this package applies the guarded work-around of
:mod:`explorer.qt.compat` first, so every window and panel of the program is covered by it.
"""

from __future__ import annotations

from .compat import keep_none_alive

keep_none_alive()

__all__ = ["MainWindow"]


def __getattr__(name: str):
    if name == "MainWindow":
        from .main_window import MainWindow
        return MainWindow
    raise AttributeError(f"module 'explorer.qt' has no attribute {name!r}")
