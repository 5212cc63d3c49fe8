"""The one error every export and import refusal raises."""

from __future__ import annotations


class ExportError(Exception):
    """An export or import that cannot be done; ``message`` is one line saying why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
