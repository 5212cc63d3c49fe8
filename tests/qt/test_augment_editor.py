"""The form's augmentation editor: it shows and edits the ``augment`` setting, appears for image datasets,
and previews one training sample under several draws of the engine's own augmenter."""

from __future__ import annotations

import numpy as np

from explorer.data import load_dataset
from explorer.qt.training.augment_editor import DRAWS, summary
from explorer.qt.training.settings_form import SettingsForm


def _form(qtbot, training, sample=None):
    form = SettingsForm()
    qtbot.addWidget(form)
    loads = []

    def loader():
        loads.append(1)
        return sample

    form.augment.sample_loader = loader
    form.set_settings(training)
    form.show()
    return form, loads


def test_summary_names_what_is_on():
    assert summary({}) == "off"
    assert summary({"shift": 2, "rotate": 10.0, "flip": True, "noise": 0.05}) == \
        "shift 2 px, rotate 10°, flip, noise 0.05"


def test_the_editor_shows_and_edits_the_setting(qtbot):
    form, loads = _form(qtbot, {"dataset": "digits", "augment": {"shift": 2, "flip": True}})
    editor = form.augment
    edits = []
    form.edited.connect(edits.append)
    assert editor.isVisible() and editor.toggle.text() == "Augmentation: shift 2 px, flip"
    assert not editor.body.isVisible() and not loads  # closed: no dataset loaded for a preview
    assert form.settings()["augment"] == {"shift": 2, "flip": True} and not edits
    for widget in editor.widgets.values():
        assert widget.toolTip()
    editor.widgets["rotate"].setValue(12.5)
    assert edits[-1]["augment"] == {"shift": 2, "flip": True, "rotate": 12.5}
    editor.widgets["flip"].setChecked(False)
    editor.widgets["shift"].setValue(0)  # off is left out, not written as 0
    assert edits[-1]["augment"] == {"rotate": 12.5}
    form.set_running(True)
    assert not editor.body.isEnabled()


def test_it_shows_for_image_datasets_and_for_a_file_that_asks(qtbot):
    form, _ = _form(qtbot, {"dataset": "moons"})
    assert not form.augment.isVisible()
    form.set_settings({"dataset": "shapes"})
    assert form.augment.isVisible()
    form.set_settings({"dataset": "moons", "augment": {"noise": 0.1}})  # so that it can be switched off
    assert form.augment.isVisible()


def test_the_preview_is_the_sample_then_the_draws(qtbot):
    sample = load_dataset("digits").x_train[0]
    form, loads = _form(qtbot, {"dataset": "digits", "augment": {"shift": 1, "noise": 0.1}}, sample)
    editor = form.augment
    editor.toggle.click()
    assert editor.body.isVisible() and len(loads) == 1
    pixmap = editor.preview.pixmap()
    assert not pixmap.isNull()
    factor = pixmap.width() // (4 * 8 + 3)  # four 8-pixel tiles a row, 1-pixel gaps
    assert factor >= 4 and pixmap.height() == factor * (2 * 8 + 1)
    grey = np.array([[pixmap.toImage().pixelColor(x * factor, y * factor).red() for x in range(35)]
                     for y in range(17)])
    expected = np.clip(sample[0], 0, 1) * 255
    assert np.abs(grey[:8, :8] - expected).max() <= 1  # the top-left tile is the sample as it is
    assert np.abs(grey[:8, 9:17] - expected).max() > 20  # the next one is a draw
    assert 1 + DRAWS == 8
    editor.widgets["cutout"].setValue(8)  # as large as the image: the preview says why instead
    assert editor.preview.pixmap().isNull() and "use less than 8" in editor.note.text()


def test_in_the_window_the_preview_loads_the_documents_data(window, docked_panel, qtbot):
    from .editor_helpers import open_preset

    open_preset(window, "cnn-digits")
    editor = docked_panel.form.augment
    editor.widgets["noise"].setValue(0.1)  # an edit: the document takes it
    assert docked_panel.document.training["augment"] == {"noise": 0.1}
    editor.toggle.click()
    assert not editor.preview.pixmap().isNull() and editor.note.text().startswith("Top left")
    cached = docked_panel.datasets.load("digits", {}, seed=0, val_fraction=0.2)  # what Train will use
    assert np.shares_memory(editor._sample, cached.x_train)  # the preview's load was Train's, not another
