"""The window's GUI thread and its training thread share the cores as explorer/qt/training/cores.py says."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from explorer.qt.training.cores import TRAINING_NICENESS, lower_this_thread_priority
from explorer.training.threads import ThreadGovernor


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice values are Linux's")
def test_a_training_thread_lowers_its_own_priority_and_no_other():
    seen = {}

    def train():
        lower_this_thread_priority()
        seen["training"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    thread = threading.Thread(target=train)
    thread.start()
    thread.join()
    assert seen["training"] == max(before, TRAINING_NICENESS)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before


def test_the_gui_thread_runs_torch_serially_and_training_gets_the_cores():
    # A fresh process: making the GUI thread serial is for the program's life, not for a test run.
    code = ("import torch; torch.set_num_threads(2); "
            "from explorer.qt.training.cores import keep_gui_thread_serial, training_threads; "
            "keep_gui_thread_serial(); print(torch.get_num_threads(), training_threads())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["1", "2"]


class FakeMachine:
    """CPU seconds as /proc/stat and os.times would report them, advanced by hand."""

    def __init__(self):
        self.now = self.busy = self.own = 0.0

    def run(self, seconds: float, ours: float, others: float) -> None:
        """``seconds`` pass with training using ``ours`` cores and other programs ``others``."""
        self.now += seconds
        self.own += ours * seconds
        self.busy += (ours + others) * seconds


def make_governor(machine: FakeMachine, threads: int, busy=None) -> ThreadGovernor:
    return ThreadGovernor(threads, period=1.0, busy=busy or (lambda: machine.busy), own=lambda: machine.own,
                          clock=lambda: machine.now)


def test_the_governor_trains_on_the_cores_other_programs_leave_free():
    machine = FakeMachine()
    governor = make_governor(machine, 2)
    machine.run(0.5, ours=2.0, others=0.0)
    assert governor.poll() is None                      # not a period yet
    machine.run(0.5, ours=2.0, others=0.0625)
    assert governor.poll() is None and governor.threads == 2
    machine.run(1.0, ours=1.0, others=1.0)              # another program takes a core
    assert governor.poll() == 1
    machine.run(1.0, ours=1.0, others=0.4)              # between the marks: no flapping
    assert governor.poll() is None and governor.threads == 1
    machine.run(1.0, ours=1.0, others=0.1)              # it is gone
    assert governor.poll() == 2


def test_the_governor_does_not_judge_the_cores_by_a_pause():
    machine = FakeMachine()
    governor = make_governor(machine, 2)
    machine.run(1.0, ours=2.0, others=0.0)
    assert governor.poll(0.0) is None
    machine.run(0.5, ours=2.0, others=0.0)
    machine.run(3.0, ours=0.0, others=2.0)              # paused while another program trained
    machine.run(0.1, ours=2.0, others=0.0)              # resumed, that program paused in turn
    assert governor.poll(3.0) is None and governor.threads == 2
    machine.run(1.0, ours=2.0, others=0.0)
    assert governor.poll(3.0) is None and governor.threads == 2
    machine.run(1.0, ours=1.0, others=1.0)              # contention after the pause still counts
    assert governor.poll(3.0) == 1


def test_the_governor_judges_runs_resumed_for_less_than_a_period():
    machine = FakeMachine()
    governor = make_governor(machine, 2)
    paused = 0.0
    for turn in range(3):                               # half a second of training, then a pause, ...
        machine.run(0.5, ours=0.0, others=1.0)
        paused += 0.5
        assert governor.poll(paused) is None            # resumed: the measurement starts again
        machine.run(0.2, ours=1.0, others=1.0)          # ... beside a program that keeps a core busy
        assert governor.poll(paused) is None            # not yet the short period after a resume
        machine.run(0.3, ours=1.0, others=1.0)
        assert governor.poll(paused) == (1 if turn == 0 else None) and governor.threads == 1
    machine.run(1.0, ours=2.0, others=0.0)              # the same period as ever once it runs on
    assert governor.poll(paused) == 2


def test_the_governor_keeps_whole_free_cores_on_a_bigger_machine():
    machine = FakeMachine()
    governor = make_governor(machine, 8)
    machine.run(1.0, ours=6.0, others=2.5)
    assert governor.poll() == 5
    machine.run(1.0, ours=5.0, others=9.0)              # busier than the machine has cores
    assert governor.poll() == 1


def test_the_governor_changes_nothing_where_cpu_use_cannot_be_read():
    machine = FakeMachine()
    governor = make_governor(machine, 2, busy=lambda: None)
    machine.run(2.0, ours=1.0, others=2.0)
    assert governor.poll() is None and governor.threads == 2


def test_the_system_cpu_reading_works_here_or_says_it_cannot():
    from explorer.training.threads import _busy_cpu_seconds

    first = _busy_cpu_seconds()
    if sys.platform.startswith("linux"):
        assert first is not None and first > 0 and _busy_cpu_seconds() >= first
    else:
        assert first is None
