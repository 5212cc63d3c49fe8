"""How the window and its training thread share the CPU cores.

What was measured with ``tests/benchmarks/bench_responsiveness.py`` on a 2-core machine:

* PyTorch's CPU build runs its intra-op work on OpenMP (GNU libgomp). Each thread that starts
  parallel work keeps its own team of helper threads for as long as it lives, and once the process
  holds more such threads than there are cores, libgomp stops letting them spin between operations,
  which made a training thread a third slower. So the GUI thread keeps torch to one thread
  (:func:`keep_gui_thread_serial`): it then never starts a team, and the training thread alone
  uses every core, as fast as the headless trainer.
* With every core training, the window still has to get a core the moment it has something to
  draw. The training thread lowers its own scheduling priority (:func:`lower_this_thread_priority`);
  the helper threads it starts inherit it, so the GUI thread wins every core it asks for and the
  training gets all the rest.
* But libgomp's helper threads wait for each other by spinning: when another program keeps a core
  busy, a two-thread training step waits a whole time slice for its descheduled helper, and
  lenet-shapes fell from ~110 steps/s to 3 (one thread kept ~90). So the worker trains under
  :func:`explorer.training.threads.governed`, on the cores other programs leave free, as the
  command line does.
* A longer OpenMP spin (GOMP_SPINCOUNT 30 M, about 0.85 s against the default 7 ms) seemed to help
  the window (0.88-0.93 of headless against 0.78-0.85), but that was the benchmark: a paused run's
  helpers kept spinning into the other's turn. With both sides spinning, the slices alternated
  0.5 / 1.0 by order, so the default stays.
* Python's GIL switch interval stays at its default (5 ms): a shorter one let the GUI thread's
  drawing interrupt the training thread more often and cost training speed (window/headless
  0.86 at 5 ms, 0.80 at 1 ms, 0.72 at 0.2 ms, in alternating rounds on 2 cores).
"""

from __future__ import annotations

import os
import sys
import threading

TRAINING_NICENESS = 10  # Linux nice value of the training threads; the GUI keeps 0

_training_threads: int | None = None  # torch's thread count before the GUI thread was made serial


def keep_gui_thread_serial() -> None:
    """On the GUI thread, before it does any torch work: torch runs serially here from now on.

    Remembers torch's own thread count, which :func:`training_threads` hands to training runs.
    """
    global _training_threads
    import torch

    if _training_threads is None:
        _training_threads = torch.get_num_threads()
    torch.set_num_threads(1)


def training_threads() -> int:
    """Intra-op threads for a training run: all that torch would use (the GUI thread needs none)."""
    if _training_threads is not None:
        return _training_threads
    import torch

    return torch.get_num_threads()


def lower_this_thread_priority() -> None:
    """Make the calling thread, and the threads it starts from now on, yield to the GUI thread.

    Linux keeps a nice value per thread; elsewhere Qt's thread priority does the same job.
    Failure to change it is harmless (training is then merely less polite), so it is ignored.
    """
    if sys.platform.startswith("linux"):
        try:
            tid = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, tid, max(os.getpriority(os.PRIO_PROCESS, tid), TRAINING_NICENESS))
        except OSError:
            pass
        return
    from PySide6.QtCore import QThread

    thread = QThread.currentThread()
    if thread is not None:
        thread.setPriority(QThread.Priority.LowPriority)
