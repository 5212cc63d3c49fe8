"""Where training can run: the CPU and each CUDA device this machine has."""

from __future__ import annotations

import torch


def available_devices() -> list[tuple[str, str]]:
    """``(key, label)`` pairs: ``("cpu", "CPU")`` and ``("cuda:N", "GPU N: <name>")`` for each CUDA device."""
    devices = [("cpu", "CPU")]
    if torch.cuda.is_available():
        devices += [(f"cuda:{i}", f"GPU {i}: {torch.cuda.get_device_name(i)}") for i in range(torch.cuda.device_count())]
    return devices
