"""Whatever the clipboard, the settings file or a network's training section holds, the window goes on:
a paste either adds valid layers or says there are none, a broken settings file opens the window as
if fresh, and a broken training section shows in the form and is refused by Train with a message.

Counts are printed at the end of the run ("robustness counts").
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox

from explorer.graph import Document, fileformat
from explorer.qt.training.worker import TrainingRun

from ..graph.mutations import DEEP_MARK_JSON, NUMBERS, ORIGINALS, TORCH_NAMES, VALUES, mutated_document, paths

PRESETS = Path(__file__).resolve().parents[2] / "presets"
HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]
SETTING_KEYS = ["dataset", "dataset_options", "optimizer", "lr", "momentum", "weight_decay", "batch_size",
                "epochs", "seed", "init", "init_std", "val_fraction", "noise", ""]


@st.composite
def clipboard_texts(draw) -> str:
    """What a clipboard may hold: a copied payload (mutated), any JSON, or any text."""
    kind = draw(st.sampled_from(["payload", "payload", "payload", "json", "text"]))
    if kind == "text":
        return draw(st.text(max_size=60))
    if kind == "json":
        return json.dumps(draw(VALUES))
    _name, tree, _done = draw(mutated_document())
    if not isinstance(tree, dict):
        return json.dumps(tree)
    payload = {k: tree[k] for k in ("nodes", "edges") if k in tree}
    text = json.dumps(payload)
    if DEEP_MARK_JSON in text:
        text = text.replace(DEEP_MARK_JSON, "[" * 5_000 + "]" * 5_000)
    return text


@settings(max_examples=120, deadline=None, suppress_health_check=HEALTH)
@given(text=clipboard_texts())
def test_pasting_anything_adds_valid_layers_or_says_there_are_none(window, tally, text):
    # The real window: pasted layers are selected, so the inspector shows them too.
    window._set_document(fileformat.load(PRESETS / "mlp-moons.json"), None)
    scene, stack, editor = window.scene, window.undo_stack, window.editor
    before = fileformat.to_dict(scene.document)
    said = []
    editor.status.connect(said.append)
    QGuiApplication.clipboard().setText(text)
    editor.paste()
    editor.status.disconnect(said.append)
    doc = scene.document
    if stack.count() == 0:
        assert said == ["The clipboard holds no layers to paste"]
        assert fileformat.to_dict(doc) == before
        tally("clipboard", "refused: no layers")
    else:
        again = fileformat.loads(fileformat.dumps(doc))  # what is on the canvas can be saved and read
        assert fileformat.to_dict(again) == fileformat.to_dict(doc)
        assert set(scene.nodes) == {n.id for n in doc.nodes()}
        window.inspector.refresh()
        stack.undo()
        assert fileformat.to_dict(doc) == before
        tally("clipboard", "pasted")


SETTINGS_VALUES = st.one_of(VALUES, st.binary(max_size=40).map(QByteArray), st.sampled_from(
    ["light", "dark", "system", "/nowhere", "", "\u0000", str(PRESETS), str(PRESETS / "mlp-moons.json")]))


@settings(max_examples=6, deadline=None, suppress_health_check=HEALTH)
@given(values=st.dictionaries(st.sampled_from(["files/recent", "view/theme", "window/geometry", "window/state",
                                               "files/last_dir", "trainingDock", "view/zoom"]),
                              SETTINGS_VALUES, max_size=5),
       raw=st.one_of(st.none(), st.binary(max_size=200)))
def test_a_broken_settings_file_opens_the_window_as_usual(qtbot, tmp_path_factory, tally, values, raw):
    from explorer.qt import MainWindow
    from explorer.qt.training import attach

    folder = tmp_path_factory.mktemp("settings")
    ini = folder / "settings.ini"
    if raw is not None:
        ini.write_bytes(b"[files]\nrecent=" + raw + b"\n[window]\ngeometry=" + raw[::-1] + b"\n")
    store = QSettings(str(ini), QSettings.Format.IniFormat)
    for key, value in values.items():
        store.setValue(key, _storable(value))
    store.sync()
    window = MainWindow(QSettings(str(ini), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    attach(window)
    window.unsaved_answer = QMessageBox.StandardButton.Discard
    window.show()
    window.fill_recent_menu()
    window.fill_presets_menu()
    assert window.open_document(PRESETS / "mlp-moons.json", as_copy=True)
    assert window.close()
    tally("settings files", "opened the window")


def _storable(value):
    """``value`` with integers QSettings cannot hold written as text (as a hand-edited file has them)."""
    if isinstance(value, bool) or not isinstance(value, (int, list, dict)):
        return value
    if isinstance(value, int):
        return value if -(2**63) <= value < 2**63 else str(value)
    if isinstance(value, list):
        return [_storable(v) for v in value]
    return {k: _storable(v) for k, v in value.items()}


@st.composite
def training_sections(draw) -> dict:
    base = copy.deepcopy(ORIGINALS["mlp-moons.json"]["training"])
    for _ in range(draw(st.integers(1, 3))):
        key = draw(st.sampled_from(SETTING_KEYS))
        action = draw(st.sampled_from(["set", "set", "number", "delete", "options"]))
        key = "dataset_options" if action == "options" else key
        if action == "delete":
            base.pop(key, None)
        elif key == "dataset_options":
            option = draw(st.sampled_from(["n_samples", "noise", "factor", "x"]))
            base[key] = {**base.get(key, {}), option: draw(st.one_of(NUMBERS, VALUES))}
        elif action == "number":
            base[key] = draw(NUMBERS)
        else:
            base[key] = draw(VALUES)
    return base


@settings(max_examples=15, deadline=None, suppress_health_check=HEALTH)
@given(training=training_sections())
def test_any_training_section_shows_and_train_refuses_or_runs(window, qtbot, tally, training):
    from explorer.qt.training import attach
    from explorer.qt.training.panel import TrainingPanel

    panel = window.findChild(TrainingPanel, "trainingPanel") or attach(window)
    panel.trainer_options = {"steps": 3}
    doc = fileformat.load(PRESETS / "mlp-moons.json")
    doc.training = training
    scene_doc = fileformat.from_dict(fileformat.to_dict(doc), "fuzzed")  # as if opened from a file
    window._set_document(scene_doc, None)
    assert panel.document is scene_doc
    if panel.train():
        with qtbot.waitSignal(panel.run_finished, timeout=20_000) as ended:
            pass
        end = ended.args[0]
        assert getattr(end, "reason", None) in ("finished", "diverged"), getattr(end, "message", end)
        tally("training sections", f"trained ({end.reason})")
    else:
        assert panel.message.kind == "error" and panel.message.text.text().startswith("Cannot train")
        tally("training sections", "refused by Train")
    assert not TrainingRun.running_threads()


def test_the_fuzz_names_cover_torch(tally):
    # The id mutations draw from nn.Module's own attribute names (the first bug of issue 15).
    assert {"compile", "add_module", "dump_patches", "call_super_init", "_parameters", "__class__"} <= set(
        TORCH_NAMES)
    assert paths({"a": [1, {"b": 2}]}) == [(), ("a",), ("a", 0), ("a", 1), ("a", 1, "b")]
    assert isinstance(Document(), Document)
