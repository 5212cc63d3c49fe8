"""Training threads that share the machine: torch's thread count follows the cores others leave free.

PyTorch's CPU build runs its intra-op work on OpenMP (GNU libgomp), whose helper threads wait for
each other by spinning. When another program keeps a core busy, a two-thread training step waits a
whole time slice for its descheduled helper: ``lenet-shapes`` fell from ~110 steps/s to 3 in the
window, and ``nn-explorer train mlp-moons`` ran at 15-39 steps/s instead of ~930 with one thread.
A :class:`ThreadGovernor` watches what other programs use (Linux's /proc/stat) and trains on the
cores they leave free; :func:`governed` applies it to any stream of training snapshots, so the
window's worker and the command line share one guard.

/proc/stat counts the whole machine as the kernel sees it; in a container that shares a host's
cores it also counts the other containers' load, which is what the spinning threads contend with.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def _busy_cpu_seconds() -> float | None:
    """CPU seconds all programs have used since boot (Linux), or None where that cannot be read."""
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
                 resumed_period: float = 0.25,
                 busy: Callable[[], float | None] = _busy_cpu_seconds, own: Callable[[], float] = _own_cpu_seconds,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.most = max(1, threads)
        self.threads = self.most
        self.period, self.drop_at, self.restore_below = period, drop_at, restore_below
        self.resumed_period = min(period, resumed_period)
        self._busy, self._own, self._clock = busy, own, clock
        self._mark = self._measure()
        self._wait = period  # until the next measurement: shorter right after a pause
        self._paused_seconds = 0.0

    def _measure(self) -> tuple[float, float | None, float]:
        return self._clock(), self._busy(), self._own()

    def poll(self, paused_seconds: float = 0.0) -> int | None:
        """The thread count to switch to now, or None to keep the current one.

        ``paused_seconds``: the run's time paused so far (:attr:`RunControls.paused_seconds`). When it
        grew since the last measurement, the run waited meanwhile, and what other programs did then says
        nothing about the cores now (a paused window beside another trainer dropped to one thread for a
        second at every resume): the measurement starts again, and ends after ``resumed_period``, so a
        run resumed for less than ``period`` at a time is judged too (with a full period, half-second
        turns beside a one-core hog kept two threads and trained at 1.5 steps/s; now 149).
        """
        if self.most == 1 or self._mark[1] is None:
            return None
        if paused_seconds != self._paused_seconds:
            self._paused_seconds = paused_seconds
            self._mark = self._measure()
            self._wait = self.resumed_period
            return None
        now = self._clock()
        if now - self._mark[0] < self._wait:
            return None
        (t0, busy0, own0), (t1, busy1, own1) = self._mark, self._measure()
        self._mark = (t1, busy1, own1)
        self._wait = self.period
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


def governed(snapshots: Iterable[T], threads: int | None = None, governor: ThreadGovernor | None = None
             ) -> Iterator[T]:
    """Yield from ``snapshots`` while a :class:`ThreadGovernor` sets torch's intra-op thread count.

    Call it on the thread that trains (torch's thread count is per thread). ``threads`` is the
    most to use (default: torch's count now); the count in force before is put back at the end.
    """
    import torch

    previous = torch.get_num_threads()
    governor = governor or ThreadGovernor(threads or previous)
    try:
        if governor.threads < previous:  # ``threads`` is the most: fewer than in force apply from the start
            torch.set_num_threads(governor.threads)
        for snap in snapshots:
            if (wanted := governor.poll()) is not None:
                torch.set_num_threads(wanted)
            yield snap
    finally:
        torch.set_num_threads(previous)
