"""The settings form shows the subset options (train_samples, per_class, only_classes) with tooltips, and
says what the user typed."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QSpinBox

from explorer.qt.training.settings_form import SettingsForm, classes_from_text


def test_classes_are_read_from_what_is_typed():
    assert classes_from_text("5, 6,7 8") == [5, 6, 7, 8]
    assert classes_from_text("  ") is None
    assert classes_from_text("five") == "five"  # the settings check names it


def test_the_form_shows_and_edits_the_subset_options(qtbot):
    form = SettingsForm()
    qtbot.addWidget(form)
    edits = []
    form.edited.connect(edits.append)
    form.set_settings({"dataset": "digits", "dataset_options": {"only_classes": [5, 6, 7, 8, 9], "per_class": 10}})
    classes = form.findChild(QLineEdit, "option_only_classes")
    per_class = form.findChild(QSpinBox, "option_per_class")
    train_samples = form.findChild(QSpinBox, "option_train_samples")
    assert classes.text() == "5, 6, 7, 8, 9" and per_class.value() == 10
    assert train_samples.value() == 0 and train_samples.text() == "all" and not edits
    for widget in (classes, per_class, train_samples):
        assert widget.toolTip()
    assert "labels and the number of classes stay" in classes.toolTip()
    train_samples.setValue(50)
    assert edits[-1]["dataset_options"] == {"only_classes": [5, 6, 7, 8, 9], "per_class": 10, "train_samples": 50}
    classes.setText("0 1 2")
    classes.editingFinished.emit()
    assert edits[-1]["dataset_options"]["only_classes"] == [0, 1, 2]
    classes.setText("")
    classes.editingFinished.emit()
    assert "only_classes" not in edits[-1]["dataset_options"]


def test_a_regression_dataset_shows_only_train_samples(qtbot):
    form = SettingsForm()
    qtbot.addWidget(form)
    form.set_settings({"dataset": "function"})
    assert form.findChild(QSpinBox, "option_train_samples") is not None
    assert form.findChild(QSpinBox, "option_per_class") is None
    assert form.findChild(QLineEdit, "option_only_classes") is None
