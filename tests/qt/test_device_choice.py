"""The device choice in the training panel: CPU and each CUDA device, saved with the settings."""

from __future__ import annotations

import pytest
import torch

from explorer.training.devices import available_devices, check_available
from explorer.training.settings import SettingsError, TrainingSettings


@pytest.fixture
def form(qtbot):
    from explorer.qt.training.settings_form import SettingsForm

    widget = SettingsForm()
    qtbot.addWidget(widget)
    return widget


def test_the_choices_are_the_cpu_and_each_cuda_device(form):
    keys = [form.device.itemData(i) for i in range(form.device.count())]
    expected = ["cpu"] + [f"cuda:{i}" for i in range(torch.cuda.device_count() if torch.cuda.is_available() else 0)]
    assert keys == expected == [k for k, _ in available_devices()]
    assert form.settings()["device"] == "cpu"


def test_the_choice_is_saved_with_the_settings_and_shown_again(form, qtbot):
    with qtbot.waitSignal(form.edited) as edited:
        form.device.activated.emit(0)
    assert edited.args[0]["device"] == "cpu"
    assert TrainingSettings.from_dict(edited.args[0]).device == "cpu"
    form.set_settings({"device": "cuda:3"})  # a file from a machine with four GPUs keeps its choice
    assert form.settings()["device"] == "cuda:3"
    assert "not on this machine" in form.device.currentText() or torch.cuda.device_count() > 3


def test_the_choice_is_locked_while_training(form):
    form.set_running(True)
    assert not form.device.isEnabled()
    form.set_running(False)
    assert form.device.isEnabled()


def test_a_device_this_machine_lacks_is_refused_with_the_reason():
    assert check_available("cpu") == "cpu"
    if not torch.cuda.is_available():
        with pytest.raises(SettingsError, match="no CUDA device; choose the CPU"):
            check_available("cuda:0")
    with pytest.raises(SettingsError, match="must be cpu, cuda or cuda:N"):
        TrainingSettings.from_dict({"device": "tpu"})
