"""A minimal, Qt-free observer signal, so the document can be followed by any view."""

from __future__ import annotations

from typing import Any, Callable


class Signal:
    """A list of callbacks called in order by :meth:`emit`; ``connect`` ignores duplicates."""

    def __init__(self) -> None:
        self._slots: list[Callable[..., Any]] = []

    def connect(self, slot: Callable[..., Any]) -> None:
        if slot not in self._slots:
            self._slots.append(slot)

    def disconnect(self, slot: Callable[..., Any]) -> None:
        if slot in self._slots:
            self._slots.remove(slot)

    def emit(self, *args: Any) -> None:
        for slot in list(self._slots):
            slot(*args)
