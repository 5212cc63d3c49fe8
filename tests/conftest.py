"""Shared test set-up: Qt runs offscreen, torch is imported before any QApplication."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import torch  # noqa: E402,F401  (before Qt: pytorch #11326)

torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
