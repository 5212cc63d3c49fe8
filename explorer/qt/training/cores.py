"""How the window and its training thread share the CPU cores.

Two facts, both measured with ``tests/benchmarks/bench_responsiveness.py`` on a 2-core machine:

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
  lenet-shapes fell from ~110 steps/s to 3 (one thread kept ~90). So a :class:`ThreadGovernor`
  watches what other programs use (Linux's /proc/stat) and trains on the cores they leave free.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable

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


def _busy_cpu_seconds() -> float | None:
    """CPU seconds all programs have used since boot (Linux), or None where that cannot be read.

    Approximate in a container: /proc/stat is the whole host's, so this counts other containers'
    load too, and on a host with more cores than the container may use (a cgroup CPU quota or
    cpuset) the "others" figure can exceed what actually competes with this program. The cgroup's
    own cpu.stat would measure the right thing where it exists; until then the governor may train
    on fewer threads than it could inside a container on a busy host, never on more.
    """
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = stat.readline().split()
    except OSError:
        return None
    if not fields or fields[0] != "cpu":
        return None
    # user nice system idle iowait irq softirq steal ...: the programs of this machine are user to
    # softirq; time a hypervisor steals hits every thread alike, and the headless trainer too.
    ticks = [int(f) for f in fields[1:8]]
    busy = sum(ticks) - ticks[3] - ticks[4]
    return busy / os.sysconf("SC_CLK_TCK")


def _own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


class ThreadGovernor:
    """Chooses the training thread count from the cores other programs leave free, every ``period`` s.

    :meth:`poll` is cheap and is called between training steps, on the training thread; about once a
    ``period`` it measures how many cores other programs kept busy and returns a new thread count
    when that should change, else None. It lowers the count when others take ``drop_at`` of a core
    or more beyond what training leaves, and raises it back only when they use under ``restore_below``,
    so it does not flap. Where the system's CPU use cannot be read, it never changes anything.
    """

    def __init__(self, threads: int, *, period: float = 1.0, drop_at: float = 0.5, restore_below: float = 0.25,
                 busy: Callable[[], float | None] = _busy_cpu_seconds, own: Callable[[], float] = _own_cpu_seconds,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.most = max(1, threads)
        self.threads = self.most
        self.period, self.drop_at, self.restore_below = period, drop_at, restore_below
        self._busy, self._own, self._clock = busy, own, clock
        self._mark = self._measure()

    def _measure(self) -> tuple[float, float | None, float]:
        return self._clock(), self._busy(), self._own()

    def poll(self) -> int | None:
        """The thread count to switch to now, or None to keep the current one."""
        if self.most == 1 or self._mark[1] is None:
            return None
        now = self._clock()
        if now - self._mark[0] < self.period:
            return None
        (t0, busy0, own0), (t1, busy1, own1) = self._mark, self._measure()
        self._mark = (t1, busy1, own1)
        if busy1 is None or t1 <= t0:
            return None
        others = max(0.0, (busy1 - busy0) - (own1 - own0)) / (t1 - t0)  # cores used by other programs
        free = self.most - others
        if others >= self.drop_at:
            wanted = max(1, int(free + 0.25))  # whole free cores: a thread on a shared core stalls the others
        elif others < self.restore_below:
            wanted = self.most
        else:
            wanted = self.threads
        wanted = min(wanted, self.most)
        if wanted == self.threads:
            return None
        self.threads = wanted
        return wanted
