"""The thread guard shared by the command line and the window: training follows the free cores."""

from __future__ import annotations

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
