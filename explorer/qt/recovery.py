"""Autosave and recovery: unsaved work survives a crash, a kill or a power cut.

While a window has unsaved changes, :class:`Autosaver` writes them every 30 seconds (and before each
training run) to a recovery file of its own in the user's data folder
(``QStandardPaths.AppDataLocation``/recovery). A normal save, a discard, or undoing back to the
saved state removes the file, so only work that was really lost is left behind. At the next start,
:func:`leftovers` finds the files whose program is no longer running, and the window offers them back.

A recovery file is JSON: the network in the file format, where it came from, and when.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QStandardPaths, QTimer, Signal

from ..graph import Document, fileformat

AUTOSAVE_SECONDS = 30.0
RECOVERY_FORMAT = "nn-explorer-recovery"
FOLDER_ENV = "NN_EXPLORER_RECOVERY_DIR"  # another folder (tests, a portable install)

_numbers = count(1)


def recovery_folder() -> Path:
    """Where recovery files live: ``$NN_EXPLORER_RECOVERY_DIR``, else the user's data folder."""
    override = os.environ.get(FOLDER_ENV)
    if override:
        return Path(override)
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".nn-explorer") / "recovery"


@dataclass(frozen=True)
class Recovered:
    """Work a program left behind: the network (file-format dict), its file if it had one, when."""

    file: Path
    network: dict[str, Any]
    source: str | None
    saved_at: float

    @property
    def name(self) -> str:
        return Path(self.source).name if self.source else str(self.network.get("name") or "Untitled")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):  # someone else's process, or no way to tell: leave its file alone
        return True
    return True


def leftovers(folder: Path | None = None) -> list[Recovered]:
    """Recovery files of programs that are no longer running, newest first. Unreadable ones are skipped."""
    folder = recovery_folder() if folder is None else folder
    found = []
    for path in folder.glob("autosave-*.json") if folder.is_dir() else []:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("format") != RECOVERY_FORMAT:
                continue
            pid = data.get("pid")
            if isinstance(pid, int) and _alive(pid):
                continue
            source = data.get("source")
            found.append(Recovered(path, data["network"], source if isinstance(source, str) else None,
                                   float(data.get("saved_at", 0.0))))
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            continue
    return sorted(found, key=lambda r: -r.saved_at)


def discard(recovered: Recovered) -> None:
    try:
        recovered.file.unlink()
    except FileNotFoundError:
        pass


class Autosaver(QObject):
    """Keeps one window's unsaved work in a recovery file of its own.

    ``window`` needs ``document``, ``undo_stack`` and ``path``. ``saved`` (the file written) tells
    tests and the status bar that a write happened; a write that fails is retried at the next tick.
    """

    saved = Signal(str)
    interval_ms = int(AUTOSAVE_SECONDS * 1000)

    def __init__(self, window, folder: Path | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.folder = recovery_folder() if folder is None else Path(folder)
        self.file = self.folder / f"autosave-{os.getpid()}-{next(_numbers)}.json"
        self.last_error: str | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(self.interval_ms)
        self._timer.timeout.connect(self.autosave)
        self._timer.start()
        window.undo_stack.cleanChanged.connect(self._on_clean_changed)

    def set_interval(self, ms: int) -> None:
        self._timer.setInterval(ms)

    def autosave(self) -> bool:
        """Write the unsaved work now (nothing when there is none); True if a file was written."""
        window = self.window
        if window.undo_stack.isClean():
            self.remove()
            return False
        record = {"format": RECOVERY_FORMAT, "pid": os.getpid(), "saved_at": time.time(),
                  "source": str(window.path) if window.path is not None else None,
                  "network": fileformat.to_dict(window.document)}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fileformat.write_text_atomically(self.file, json.dumps(record, ensure_ascii=False))
        except (OSError, ValueError) as error:  # a full disk: keep working, try again at the next tick
            self.last_error = f"{self.file}: {getattr(error, 'strerror', None) or error}"
            return False
        self.last_error = None
        self.saved.emit(str(self.file))
        return True

    def remove(self) -> None:
        """The work is saved or discarded: no recovery file is needed."""
        try:
            self.file.unlink()
        except FileNotFoundError:
            pass
        except OSError:
            pass

    def stop(self) -> None:
        self._timer.stop()

    def _on_clean_changed(self, clean: bool) -> None:
        if clean:
            self.remove()


def restore_into(window, recovered: Recovered) -> Document:
    """Open ``recovered`` in ``window`` as unsaved work (its file kept), replacing the leftover file
    by the window's own; raises :class:`~explorer.graph.FileFormatError` if it cannot be read."""
    doc = fileformat.from_dict(recovered.network, f"the recovered copy of {recovered.name}")
    window.adopt_recovered(doc, Path(recovered.source) if recovered.source else None)
    window.autosaver.autosave()
    discard(recovered)
    return doc
