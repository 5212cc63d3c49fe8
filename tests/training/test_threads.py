"""The thread guard shared by the command line and the window: training follows the free cores."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import torch

from explorer.training.threads import ThreadGovernor, governed


class Machine:
    """A machine whose clock, total and own CPU seconds the test moves by hand."""

    def __init__(self) -> None:
        self.now = self.busy = self.own = 0.0


def test_governed_drops_to_the_free_cores_and_puts_the_count_back():
    machine = Machine()
    governor = ThreadGovernor(2, period=1.0, busy=lambda: machine.busy, own=lambda: machine.own,
                              clock=lambda: machine.now)
    before = torch.get_num_threads()
    seen = []
    stream = governed(iter(range(4)), governor=governor)
    for i in stream:
        seen.append(torch.get_num_threads())
        machine.now += 1.0
        machine.own += 2.0                # training used both cores
        machine.busy += 2.0 + (1.0 if i < 2 else 0.0)  # another program spins a core, then stops
    assert seen[0] == before
    assert 1 in seen, "a busy core should take a thread away"
    assert seen[-1] == 2, "the thread comes back when the core is free again"
    assert torch.get_num_threads() == before


def test_the_command_line_trains_under_the_guard(monkeypatch):
    import explorer.training.threads as threads
    from explorer.cli import main

    calls = []
    real = threads.governed

    def spy(snapshots, *args, **kwargs):
        calls.append(True)
        return real(snapshots, *args, **kwargs)

    monkeypatch.setattr(threads, "governed", spy)
    preset = Path(__file__).resolve().parents[2] / "presets" / "mlp-moons.json"
    assert main(["train", str(preset), "--steps", "3"]) == 0
    assert calls, "the command line trained without the thread guard"


def test_governed_applies_a_smaller_most_from_the_first_snapshot():
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        seen = [torch.get_num_threads() for _ in governed(iter(range(2)), threads=1)]
        assert seen == [1, 1] and torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_spinning_is_set_before_torch_loads_and_a_users_choice_stays(monkeypatch):
    from explorer.training.threads import OPENMP_SPIN_COUNT, spin_between_operations

    monkeypatch.delenv("GOMP_SPINCOUNT", raising=False)
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    spin_between_operations()
    assert os.environ["GOMP_SPINCOUNT"] == str(OPENMP_SPIN_COUNT)
    monkeypatch.setenv("GOMP_SPINCOUNT", "1000")
    spin_between_operations()
    assert os.environ["GOMP_SPINCOUNT"] == "1000"
    monkeypatch.delenv("GOMP_SPINCOUNT")
    monkeypatch.setenv("OMP_WAIT_POLICY", "PASSIVE")
    spin_between_operations()
    assert "GOMP_SPINCOUNT" not in os.environ


def test_the_command_line_and_the_window_set_the_spin_count_before_torch_loads():
    """In a fresh interpreter: the CLI's entry and the window's preload set it while torch is not loaded yet."""
    probe = ("import os, sys\n"
             "import explorer.training.threads as threads\n"
             "seen = []\n"
             "original = threads.spin_between_operations\n"
             "def spy():\n"
             "    seen.append('torch' in sys.modules)\n"
             "    original()\n"
             "threads.spin_between_operations = spy\n"
             "import explorer.cli as cli\n"
             "cli.main(['presets'])\n"
             "from explorer.qt.preload import import_torch_first\n"
             "import_torch_first()\n"
             "print(seen, os.environ.get('GOMP_SPINCOUNT'))\n")
    env = {k: v for k, v in os.environ.items() if k not in ("GOMP_SPINCOUNT", "OMP_WAIT_POLICY")}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.returncode == 0, out.stderr
    last = out.stdout.strip().splitlines()[-1]
    assert last == f"[False, False] {30_000_000}", last  # called twice, torch not loaded either time
