"""The window's GUI thread and its training thread share the cores as explorer/qt/training/cores.py says."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from explorer.qt.training.cores import TRAINING_NICENESS, lower_this_thread_priority


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
