"""Fixtures of the editor tests: a real MainWindow, shown offscreen, with its own settings file."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox


@pytest.fixture
def editor_settings(tmp_path) -> QSettings:
    """Settings in a temporary ini file, so tests never read or write the user's."""
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, editor_settings):
    """The real window, shown; unsaved changes are discarded without asking (tests change that)."""
    from explorer.qt import MainWindow

    win = MainWindow(editor_settings)
    win.unsaved_answer = QMessageBox.StandardButton.Discard
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.fixture(autouse=True)
def no_thread_left_running():
    """Every Qt test must end with no training thread left running (closing and stopping join them)."""
    yield
    from explorer.qt.training.worker import TrainingRun

    assert not TrainingRun.running_threads(), "a training thread outlived its test"


@pytest.fixture(autouse=True)
def recovery_folder(tmp_path, monkeypatch):
    """Autosaves go to a temporary folder, never into the user's data folder."""
    folder = tmp_path / "recovery"
    monkeypatch.setenv("NN_EXPLORER_RECOVERY_DIR", str(folder))
    return folder


@pytest.fixture
def docked_panel(window):
    """The window's training panel, docked as the program docks it; no run outlives the test."""
    from explorer.qt.training import attach
    from explorer.qt.training.panel import TrainingPanel

    found = window.findChild(TrainingPanel, "trainingPanel")
    panel = found if found is not None else attach(window)
    yield panel
    assert panel.shutdown()


@pytest.fixture
def program_threads():
    """The process set up as ``run_app`` sets it up (the GUI thread's torch serial, start-up's objects out of the
    garbage collector's full passes), put back for the tests that follow."""
    import torch

    from explorer.qt.collector import freeze_startup_objects, thaw_startup_objects
    from explorer.qt.training.cores import keep_gui_thread_serial

    before = torch.get_num_threads()
    keep_gui_thread_serial()
    freeze_startup_objects()
    yield
    thaw_startup_objects()
    torch.set_num_threads(before)
