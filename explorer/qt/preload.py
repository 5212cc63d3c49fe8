"""Imports that must happen on the main thread before Qt is loaded.

PySide6 installs an import hook; a module imported in a worker thread while the GUI thread handles
events crashed the program (seen with ``torch._dynamo``, which PyTorch's optimisers import when the
first one is made, and with the profiler module a first optimiser step imports). So the program
imports them up front, before any QApplication exists; torch itself must come first anyway
(pytorch #11326).
"""

from __future__ import annotations

import importlib

# Modules PyTorch would otherwise import lazily during the first Train, some of them in the
# training thread; private ones are optional, as they differ between torch versions.
LAZY_TORCH_MODULES = ("torch._dynamo", "torch.profiler._cupti_monitor")


def import_torch_first() -> None:
    """Import torch and the modules it would import lazily while training."""
    import torch  # noqa: F401

    for name in LAZY_TORCH_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
