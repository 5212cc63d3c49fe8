"""The device choice in the training panel: CPU and each CUDA device, saved with the settings."""

from __future__ import annotations

import pytest
import torch

from explorer.graph import fileformat
from explorer.packaged import presets_dir
from explorer.training.devices import available_devices
from explorer.training.settings import SettingsError, TrainingSettings
from explorer.training.trainer import Trainer


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


def test_the_trainer_takes_the_settings_device_and_refuses_one_this_machine_lacks():
    doc = fileformat.load(presets_dir() / "mlp-moons.json")
    assert Trainer(doc, TrainingSettings.from_dict({**doc.training, "device": "cpu"}), probes=False).device.type == "cpu"
    missing = f"cuda:{torch.cuda.device_count() if torch.cuda.is_available() else 0}"
    with pytest.raises(SettingsError, match="no CUDA GPU is available|this machine has"):
        Trainer(doc, TrainingSettings.from_dict({**doc.training, "device": missing}), probes=False)
    with pytest.raises(SettingsError, match="must be cpu, cuda or cuda:N"):
        TrainingSettings.from_dict({"device": "tpu"})
