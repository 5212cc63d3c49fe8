"""Everything that draws: the main window, editor, inspector, training panel and plots.

``MainWindow`` is imported on first use, so ``import explorer.qt`` stays cheap.
"""

from __future__ import annotations

__all__ = ["MainWindow"]


def __getattr__(name: str):
    if name == "MainWindow":
        from .main_window import MainWindow
        return MainWindow
    raise AttributeError(f"module 'explorer.qt' has no attribute {name!r}")
