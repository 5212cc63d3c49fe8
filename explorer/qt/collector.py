"""The cyclic garbage collector and the GUI thread: start-up's objects are left out of its full passes.

After start-up the process holds about 350,000 objects the collector tracks (torch, Qt's wrappers,
pyqtgraph, the window's widgets), nearly all of them alive until the program ends. A full collection
walks every one of them while holding the GIL: 80–150 ms measured here, a stall of the event loop
(the worst gap the responsiveness benchmark saw) and of the training thread alike, at a moment
nobody chooses. Freezing them once the window is up moves them out of the collector's reach; later
objects (a run's snapshots, its history) are still collected as before.
"""

from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    """Collect start-up's garbage, then exempt every object alive now from later full collections."""
    gc.collect()  # nothing that is already garbage is frozen (frozen objects are never collected)
    gc.freeze()


def thaw_startup_objects() -> None:
    """Hand the frozen objects back to the collector (when the window's event loop has ended)."""
    gc.unfreeze()
