"""The live training panel: the worker thread around the trainer, its controls and its plots.

:func:`attach` is the one call the main window makes: it creates the panel, docks it, and
connects it to the window's document, canvas clicks, editing lock, status bar and closing.
"""

from __future__ import annotations


def attach(window):
    """Create a :class:`~explorer.qt.training.panel.TrainingPanel` hosted by ``window``; returns it."""
    from . import compare_launch
    from .panel import TrainingPanel

    panel = TrainingPanel(window.document)
    panel.attach(window)
    compare_launch.install(window, panel)  # Training ▸ Compare with a variant…
    return panel


__all__ = ["attach"]
