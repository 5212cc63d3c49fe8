"""Autosave and recovery: unsaved work is kept in a recovery file while it is unsaved, offered back
after a kill -9, and removed by a save or a discard. Saves that fail leave the old file and say why."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from explorer.graph import fileformat
from explorer.qt import MainWindow
from explorer.qt.recovery import leftovers

from .editor_helpers import lenet, open_doc

ROOT = Path(__file__).resolve().parents[2]
PRESETS = ROOT / "presets"
TIMEOUT = 20_000
YES, NO, CANCEL = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No, QMessageBox.StandardButton.Cancel


def recovery_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("autosave-*.json")) if folder.is_dir() else []


def new_window(qtbot, tmp_path, folder: Path) -> MainWindow:
    window = MainWindow(QSettings(str(tmp_path / "second.ini"), QSettings.Format.IniFormat), recovery_dir=folder)
    window.unsaved_answer = QMessageBox.StandardButton.Discard
    qtbot.addWidget(window)
    return window


def test_unsaved_work_is_autosaved_on_the_timer_and_removed_by_a_save(window, qtbot, tmp_path, recovery_folder):
    path = open_doc(window, lenet(), tmp_path)
    assert recovery_files(recovery_folder) == []
    window.editor.add_node("ReLU", (300.0, 700.0))
    window.autosaver.set_interval(50)
    with qtbot.waitSignal(window.autosaver.saved, timeout=TIMEOUT):
        pass
    [file] = recovery_files(recovery_folder)
    record = json.loads(file.read_text(encoding="utf-8"))
    assert record["network"] == fileformat.to_dict(window.document)
    assert record["source"] == str(Path(path).resolve()) and record["pid"] == os.getpid()
    assert window.save()
    assert recovery_files(recovery_folder) == []


def test_undoing_back_to_the_saved_state_removes_the_recovery_file(window, tmp_path, recovery_folder):
    open_doc(window, lenet(), tmp_path)
    window.editor.add_node("ReLU", (300.0, 700.0))
    assert window.autosaver.autosave() and len(recovery_files(recovery_folder)) == 1
    window.undo()
    assert window.undo_stack.isClean() and recovery_files(recovery_folder) == []
    assert window.autosaver.autosave() is False  # nothing unsaved: nothing written


def test_discarding_on_close_removes_the_recovery_file(window, recovery_folder):
    window.editor.add_node("Input", (0.0, 0.0))
    assert window.autosaver.autosave()
    assert window.close()
    assert recovery_files(recovery_folder) == []


def test_work_is_autosaved_before_each_training_run(window, qtbot, recovery_folder):
    from explorer.qt.training import attach

    panel = attach(window)
    panel.trainer_options = {"steps": 3}
    assert window.open_document(PRESETS / "mlp-moons.json", as_copy=True)
    window.editor.set_param("fc1", "out_features", 12)
    with qtbot.waitSignal(window.autosaver.saved, timeout=TIMEOUT):
        with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT):
            assert panel.train()
    [file] = recovery_files(recovery_folder)
    network = json.loads(file.read_text(encoding="utf-8"))["network"]
    assert next(n for n in network["nodes"] if n["id"] == "fc1")["params"]["out_features"] == 12


SCRIPT = textwrap.dedent("""
    import json, sys
    from explorer.qt.preload import import_torch_first
    import_torch_first()
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication
    from explorer.graph import fileformat
    from explorer.qt import MainWindow

    app = QApplication(sys.argv[:1])
    window = MainWindow(QSettings({ini!r}, QSettings.Format.IniFormat))
    window.show()
    assert window.open_document({preset!r}, as_copy=True)
    editor = window.editor
    editor.add_after_selection("ReLU", window.view.visible_centre())
    editor.set_param("fc1", "out_features", 24)
    editor.rename_node("fc2", "hidden")

    def saved(_file):
        print(json.dumps(fileformat.to_dict(window.document)), flush=True)

    window.autosaver.saved.connect(saved)
    window.autosaver.set_interval(100)
    app.exec()   # until killed
""")


def test_after_a_kill_9_the_work_is_offered_back(qtbot, tmp_path, recovery_folder):
    script = SCRIPT.format(ini=str(tmp_path / "killed.ini"), preset=str(PRESETS / "mlp-moons.json"))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "NN_EXPLORER_RECOVERY_DIR": str(recovery_folder)}
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=env, cwd=ROOT)
    try:
        line = child.stdout.readline()  # the first autosave has happened
        assert line, child.stderr.read()
        edited = json.loads(line)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    assert len(leftovers(recovery_folder)) == 1

    window = new_window(qtbot, tmp_path, recovery_folder)
    window.recovery_answer = YES
    assert window.offer_recovery()
    assert fileformat.to_dict(window.document) == edited
    assert window.document.has_node("hidden") and window.document.node("fc1").params["out_features"] == 24
    assert not window.undo_stack.isClean() and "*" in window.windowTitle()
    assert leftovers(recovery_folder) == []  # the window's own autosave has taken over
    target = tmp_path / "rescued.json"
    assert window.save_to(target)
    assert recovery_files(recovery_folder) == []
    assert fileformat.to_dict(fileformat.load(target)) == edited


def _leave_work_behind(folder: Path, tmp_path: Path) -> None:
    # A recovery file of a program that is gone: a pid that cannot be running.
    record = {"format": "nn-explorer-recovery", "pid": 2**22 + 12345, "saved_at": 1.0e9, "source": None,
              "network": fileformat.to_dict(lenet())}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "autosave-999999-1.json").write_text(json.dumps(record), encoding="utf-8")


def test_no_discards_the_left_work_and_cancel_keeps_it(qtbot, tmp_path, recovery_folder):
    _leave_work_behind(recovery_folder, tmp_path)
    window = new_window(qtbot, tmp_path, recovery_folder)
    window.recovery_answer = CANCEL
    assert not window.offer_recovery() and len(leftovers(recovery_folder)) == 1
    window.recovery_answer = NO
    assert not window.offer_recovery() and leftovers(recovery_folder) == []
    assert len(window.document) == 0


def test_a_broken_recovery_file_is_explained_and_removed(qtbot, tmp_path, recovery_folder):
    _leave_work_behind(recovery_folder, tmp_path)
    file = recovery_folder / "autosave-999999-1.json"
    record = json.loads(file.read_text(encoding="utf-8"))
    record["network"]["nodes"][1]["kind"] = ["Conv2d"]
    file.write_text(json.dumps(record), encoding="utf-8")
    window = new_window(qtbot, tmp_path, recovery_folder)
    window.recovery_answer = YES
    assert not window.offer_recovery()
    assert "recovered copy" in window.last_error and recovery_files(recovery_folder) == []


def test_a_running_programs_autosave_is_not_offered(window, tmp_path, recovery_folder):
    window.editor.add_node("Input", (0.0, 0.0))
    assert window.autosaver.autosave()
    assert leftovers(recovery_folder) == []  # this process is alive: its file is not left over


def test_a_failed_save_keeps_the_old_file_says_why_and_keeps_the_work(window, tmp_path, monkeypatch,
                                                                        recovery_folder):
    path = Path(open_doc(window, lenet(), tmp_path))
    os.chmod(path, 0o644)
    before = path.read_bytes()
    window.editor.add_node("ReLU", (300.0, 700.0))

    def disk_full(_fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileformat.os, "fsync", disk_full)
    assert not window.save()
    assert "No space left on device" in window.last_error and str(path) in window.last_error
    assert path.read_bytes() == before and not window.undo_stack.isClean()
    monkeypatch.undo()
    assert window.save()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644  # and the file keeps its permissions
