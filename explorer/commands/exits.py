"""Exit statuses of the sub-commands, and the one line of error they print before exiting."""

from __future__ import annotations

import sys

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_DIVERGED = 0, 1, 2, 3


def fail(message: str, status: int = EXIT_INVALID) -> int:
    """Print ``error: message`` on stderr (no traceback) and return ``status`` for the caller to exit with."""
    print(f"error: {message}", file=sys.stderr, flush=True)
    return status
