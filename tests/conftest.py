"""Shared test set-up: Qt runs offscreen, torch is imported before any QApplication."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import torch  # noqa: E402  (before Qt: pytorch #11326)

from explorer.qt.preload import import_torch_first  # noqa: E402

import_torch_first()  # as the program does, before any Qt import

torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
