"""Recent files (kept in QSettings) and the presets shipped with the package."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings

from ..packaged import Preset, list_presets, presets_dir

RECENT_KEY = "files/recent"
RECENT_LIMIT = 10


class RecentFiles:
    """Most recent first, at most :data:`RECENT_LIMIT`, stored as absolute paths."""

    def __init__(self, settings: QSettings):
        self.settings = settings

    def paths(self) -> list[str]:
        value = self.settings.value(RECENT_KEY, [])
        if isinstance(value, str):  # QSettings returns a lone string for a one-element list
            value = [value]
        if not isinstance(value, (list, tuple)):  # a settings file edited or damaged by hand
            return []
        return [v for v in value if isinstance(v, str) and v]

    def add(self, path: str | os.PathLike) -> None:
        path = str(Path(path).resolve())
        self._store([path] + [p for p in self.paths() if p != path])

    def remove(self, path: str | os.PathLike) -> None:
        path = str(Path(path).resolve())
        self._store([p for p in self.paths() if p != path])

    def clear(self) -> None:
        self._store([])

    def _store(self, paths: list[str]) -> None:
        self.settings.setValue(RECENT_KEY, paths[:RECENT_LIMIT])
        self.settings.sync()


# The presets are found by explorer.packaged, which the command line shares; re-exported for the window.
__all__ = ["RECENT_KEY", "RECENT_LIMIT", "Preset", "RecentFiles", "list_presets", "presets_dir"]
