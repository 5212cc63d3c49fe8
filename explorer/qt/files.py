"""Recent files (kept in QSettings) and the presets shipped in ``presets/``."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings

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


@dataclass(frozen=True)
class Preset:
    path: Path
    name: str
    description: str


def presets_dir() -> Path:
    """``presets/`` next to the package (a source checkout), or ``$NN_EXPLORER_PRESETS``."""
    override = os.environ.get("NN_EXPLORER_PRESETS")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "presets"


def list_presets(folder: Path | None = None) -> list[Preset]:
    """Every ``*.json`` in ``folder`` with the name and description from its file, sorted by name.

    Only the two texts are read here; a broken preset still appears and explains itself when opened.
    """
    folder = presets_dir() if folder is None else folder
    presets = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        name, description = path.stem, ""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict):
                name = str(data.get("name") or name)
                description = str(data.get("description") or "")
        except (OSError, ValueError):
            description = "(this file cannot be read)"
        presets.append(Preset(path, name, description))
    return sorted(presets, key=lambda p: p.name.lower())
