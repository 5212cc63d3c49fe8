"""Runs given up on: a training thread that did not stop in time, kept alive until it ends by itself.

Closing the window (or opening another network) stops the run and waits a moment for its thread.
A step can take longer than that (a giant batch, a slow layer); blocking the window until it ends
would freeze it, and dropping the last reference to a running ``QThread`` aborts the process
("QThread: Destroyed while thread is still running"). So the run is *adopted* here instead: its
results are no longer delivered to anyone, this module holds it until its thread has finished,
and :func:`finish_before_exit` waits for what is left when the program ends.
"""

from __future__ import annotations

import os
import sys
import time

from .worker import TrainingRun

EXIT_GRACE = 60.0  # seconds the ending program waits for abandoned steps before leaving regardless

_adopted: set[TrainingRun] = set()


def adopt(run: TrainingRun) -> None:
    """Keep ``run`` (already told to stop) until its thread has ended; nobody receives its results."""
    for signal in (run.batch_ready, run.finished):
        try:
            signal.disconnect()
        except (RuntimeError, TypeError, RuntimeWarning):  # nothing was connected (PySide6 warns)
            pass
    run.setParent(None)  # outlives the panel that made it
    _adopted.add(run)
    run.finished.connect(lambda _end, run=run: _release(run))


def _release(run: TrainingRun) -> None:
    _adopted.discard(run)
    run.deleteLater()


def adopted() -> list[TrainingRun]:
    """Runs still held because their thread has not ended."""
    return list(_adopted)


def finish_before_exit(grace: float = EXIT_GRACE) -> bool:
    """At exit, with no event loop left: wait up to ``grace`` s for training threads; True if all ended.

    If one still runs after that, the caller should leave at once with :func:`exit_now`: Python
    tearing down a running ``QThread`` would abort with a core dump instead.
    """
    deadline = time.monotonic() + grace
    for thread in TrainingRun.running_threads():
        if not thread.wait(max(0, int((deadline - time.monotonic()) * 1000))):
            return False
    _adopted.clear()
    return True


def exit_now(status: int) -> None:
    """Leave the process without tearing down a still-running thread (see :func:`finish_before_exit`)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status)


__all__ = ["adopt", "adopted", "finish_before_exit", "exit_now"]
