"""Writing several files so that either all of them appear whole or none does."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from .errors import ExportError

Writer = Callable[[Path], None]  # writes the whole file at the temporary path it is given


def write_atomically(files: dict[Path, Writer]) -> None:
    """Write each file to a temporary name in its folder, then move them all into place.

    If any writer fails nothing is left behind: the temporary files are removed and no target is
    touched. An unwritable folder raises :class:`ExportError` with one line naming it.
    """
    temporary: dict[Path, Path] = {}
    try:
        for target, write in files.items():
            folder = target.parent if str(target.parent) else Path(".")
            try:
                fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
            except FileNotFoundError:
                raise ExportError(f"cannot write {target}: the folder {folder} does not exist") from None
            except PermissionError:
                raise ExportError(f"cannot write {target}: the folder {folder} is not writable") from None
            os.close(fd)
            temporary[target] = Path(name)
            write(Path(name))
        for target, tmp in temporary.items():
            os.replace(tmp, target)
        temporary.clear()
    except OSError as error:
        raise ExportError(f"cannot write {error.filename or 'the export'}: {error.strerror or error}") from None
    finally:
        for tmp in temporary.values():
            tmp.unlink(missing_ok=True)
