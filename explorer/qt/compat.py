"""Work-arounds for bugs of the Qt bindings, each guarded to the versions that have it.

PySide6 6.12.0 on Python 3.11 drops a reference to ``None`` on every call of a C++ method that
returns nothing: ``sys.getrefcount(None)`` falls by one per ``QLabel.setText`` or
``QPainter.setPen``, and Python aborts with "deallocating None" after a few thousand such calls,
i.e. seconds of painting (6.11.3 does not; 6.12's limited-API wheel assumes Python 3.12's immortal
``None``, PEP 683). Pin the bindings where you can; until then :func:`keep_none_alive` does for 3.11
what 3.12 does: it gives ``None`` a reference count so large that no number of calls reaches zero.
"""

from __future__ import annotations

import ctypes
import sys

IMMORTAL = 1 << 60


def needs_none_fix(pyside_version: str, python: tuple[int, int] = sys.version_info[:2]) -> bool:
    return python < (3, 12) and sys.implementation.name == "cpython" and pyside_version.startswith("6.12.")


def keep_none_alive() -> bool:
    """Make ``None``'s reference count unreachable by the bindings' leak; True when it was applied."""
    import PySide6

    if not needs_none_fix(PySide6.__version__):
        return False
    count = ctypes.c_ssize_t.from_address(id(None))  # ob_refcnt, the first field of every object
    expected = sys.getrefcount(None) - 1  # minus the argument's own reference
    if abs(count.value - expected) > 2:  # not the layout we know (a debug build?): leave it alone
        return False
    count.value = max(count.value, IMMORTAL)
    return True
