"""Faults in training end the run with a clear message; the network and its last good weights stay,
and Train works again (continuing from those weights).

The faults are real exceptions raised inside the run by torch hooks (``faults.py``): in a layer's
forward pass, in the optimiser's step, and the allocator's own out-of-memory error; NaN in the
data is refused before a thread starts.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import torch

from explorer.graph import fileformat
from explorer.qt.training.panel import TrainingPanel
from explorer.qt.training.worker import TrainingRun
from explorer.training.faults import OUT_OF_MEMORY_HINT, hint_for
from explorer.training.snapshots import ErrorSnapshot

from .faults import Fault, trainer_with

PRESETS = Path(__file__).resolve().parents[2] / "presets"
TIMEOUT = 20_000
STEPS = 6
OOM = "DefaultCPUAllocator: not enough memory: you tried to allocate 68719476736 bytes."


@pytest.fixture
def panel(qtbot):
    panel = TrainingPanel(fileformat.load(PRESETS / "mlp-moons.json"))
    qtbot.addWidget(panel)
    panel.resize(1200, 450)
    panel.show()
    panel.trainer_options = {"steps": STEPS}
    yield panel
    assert panel.shutdown()


def train_to_end(qtbot, panel):
    with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT) as ended:
        assert panel.train(), panel.message.text.text()
    return ended.args[0]


def saved_weights(panel) -> dict[str, torch.Tensor]:
    """The weights the panel keeps for the next run (the one network's state dict)."""
    [state] = panel.weights.state_dicts.values()
    return {k: v.clone() for k, v in state.items()}


class FirstWeights:
    """A forward hook that records the weights a run starts from (before its first step)."""

    def __init__(self) -> None:
        self.state: dict[str, torch.Tensor] | None = None

    def hook(self, module, _inputs) -> None:
        if self.state is None:
            self.state = {k: v.detach().clone() for k, v in module.state_dict().items()}


@pytest.mark.parametrize("where, error, words", [
    ("forward", RuntimeError("a layer broke"), "a layer broke"),
    ("optimizer", RuntimeError("the optimiser broke"), "the optimiser broke"),
    ("forward", RuntimeError(OOM), OUT_OF_MEMORY_HINT),
    ("forward", MemoryError(), OUT_OF_MEMORY_HINT),
])
def test_a_fault_ends_the_run_keeps_the_network_and_weights_and_train_works_again(qtbot, panel, where, error,
                                                                                   words):
    doc = panel.document
    before = fileformat.to_dict(doc)
    assert train_to_end(qtbot, panel).reason == "finished"
    good = saved_weights(panel)

    fault = Fault(error, at=2)
    hooks = {"forward_pre_hook": fault.hook} if where == "forward" else {"optimizer_pre_hook": fault.hook}
    panel.trainer_factory = trainer_with(**hooks)
    end = train_to_end(qtbot, panel)
    assert isinstance(end, ErrorSnapshot)
    assert panel.message.kind == "error" and words in panel.message.text.text()
    assert type(error).__name__ in panel.message.details.toPlainText()  # the traceback, behind Details
    assert fileformat.to_dict(doc) == before
    assert all(torch.equal(good[k], v) for k, v in saved_weights(panel).items())
    assert panel.train_button.isEnabled() and not TrainingRun.running_threads()

    start = FirstWeights()
    panel.trainer_factory = trainer_with(forward_pre_hook=start.hook)
    assert train_to_end(qtbot, panel).reason == "finished"
    assert all(torch.equal(good[k], start.state[k]) for k in good)  # it went on from the last good weights


def test_nan_in_the_data_is_refused_before_training_with_words_about_the_data(qtbot, panel):
    real = panel.datasets.load

    def with_nan(*args, **kwargs):
        dataset = real(*args, **kwargs)
        x = dataset.x_train.copy()
        x[3, 1] = np.nan
        return dataclasses.replace(dataset, x_train=x)

    panel.datasets.load = with_nan
    assert panel.train() is False
    text = panel.message.text.text()
    assert text.startswith("Cannot train: the dataset") and "NaN" in text and "training inputs" in text
    assert panel.run is None and not TrainingRun.running_threads()
    panel.datasets.load = real
    assert train_to_end(qtbot, panel).reason == "finished"


def test_out_of_memory_is_recognised_in_the_usual_words():
    for message in (OOM, "CUDA out of memory. Tried to allocate 2.00 GiB", "MemoryError: ",
                    "RuntimeError: [enforce fail at alloc_cpu.cpp:117] err == 0. Cannot allocate memory"):
        assert hint_for(message) == OUT_OF_MEMORY_HINT
    assert hint_for("RuntimeError: mat1 and mat2 shapes cannot be multiplied") is None
