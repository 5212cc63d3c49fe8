"""Where training can run: the CPU and each CUDA device this machine has."""

from __future__ import annotations

import torch

from .settings import SettingsError


def available_devices() -> list[tuple[str, str]]:
    """``(key, label)`` pairs: ``("cpu", "CPU")`` and ``("cuda:N", "GPU N: <name>")`` for each CUDA device."""
    devices = [("cpu", "CPU")]
    if torch.cuda.is_available():
        devices += [(f"cuda:{i}", f"GPU {i}: {torch.cuda.get_device_name(i)}") for i in range(torch.cuda.device_count())]
    return devices


def check_available(device: str) -> str:
    """``device`` if this machine has it, else :class:`SettingsError` saying what it has instead."""
    if device == "cpu":
        return device
    if not torch.cuda.is_available():
        raise SettingsError(f"training setting 'device' is {device}, but this machine has no CUDA device; "
                            "choose the CPU", "device")
    index = int(device.partition(":")[2] or 0)
    if index >= torch.cuda.device_count():
        raise SettingsError(f"training setting 'device' is {device}, but this machine has "
                            f"{torch.cuda.device_count()} CUDA device(s)", "device")
    return device
