"""The comparison window: both runs live in one window, controls on both, the pair saved and reopened, a variant
that cannot train refused with its reason and nothing lost."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from explorer.graph import fileformat
from explorer.graph.variant import copy_document, has_variant, variant_of
from explorer.qt.training.compare_launch import VariantDialog
from explorer.qt.training.compare_window import CompareWindow
from explorer.training.comparison import ComparisonTrainer

PRESETS = Path(__file__).resolve().parents[2] / "presets"
TIMEOUT = 30_000


@pytest.fixture
def launcher(window, docked_panel):
    yield window.compare_launcher
    window.compare_launcher.shutdown()


def open_preset(window, name: str) -> None:
    assert window.open_document(PRESETS / f"{name}.json", as_copy=True), window.last_error


def test_the_menu_action_is_in_the_training_menu(window, launcher):
    action = window.findChild(type(window.menuBar().actions()[0]), "compareAction")
    assert action is not None and action.text().replace("&", "") == "Compare with a variant…"
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert "Training" in menus


def test_the_window_shows_both_runs_live_and_pause_step_stop_act_on_both(window, launcher, qtbot):
    open_preset(window, "compare-sigmoid-relu")
    assert has_variant(window.document)
    compare = launcher.compare(variant_of(window.document), start=False)
    qtbot.addWidget(compare)
    assert compare.caption.text() == "B: Sigmoid → ReLU after fc1–fc6"
    compare.start()
    # live: both runs' curves and gradient bars grow while the run goes on
    qtbot.waitUntil(lambda: min(compare.steps.values()) >= 30, timeout=TIMEOUT)
    # the pictures are drawn a few turns of the event loop after their batch is taken in (staged drawing)
    qtbot.waitUntil(lambda: all(compare.boundary_views[run].updates > 0 for run in "AB"), timeout=TIMEOUT)
    assert compare.end is None
    for run in "AB":
        assert compare.curves.points(run, "loss") > 0
        assert compare.gradient_views[run].history.first_step is not None
    assert compare.gradient_views["A"].history.layers == compare.gradient_views["B"].history.layers
    compare.toggle_pause()
    assert compare.run.trainer.wait_idle(10)
    with qtbot.waitSignal(compare.batch_applied, timeout=TIMEOUT):
        pass  # the last steps before the pause are drawn
    qtbot.wait(100)
    a, b = (compare.run.trainer.trainers[n].step for n in "AB")
    assert a == b
    compare.step()
    qtbot.waitUntil(lambda: compare.steps == {"A": a + 1, "B": b + 1}, timeout=TIMEOUT)
    assert compare.status.text().startswith("Paused.")
    with qtbot.waitSignal(compare.run_finished, timeout=TIMEOUT) as finished:
        compare.stop()
    assert finished.args[0].reason == "stopped"
    assert not compare.stop_button.isEnabled()


def test_a_pair_finishes_and_the_relu_run_ends_lower(window, launcher, qtbot):
    open_preset(window, "compare-sigmoid-relu")
    doc = window.document
    short = copy_document(doc)
    short.set_meta(training={**doc.training, "epochs": 4})
    b = copy_document(variant_of(doc))
    b.set_meta(training={**b.training, "epochs": 4})
    compare = CompareWindow(ComparisonTrainer(short, b), window, torch_threads=1)
    qtbot.addWidget(compare)
    compare.show()
    with qtbot.waitSignal(compare.run_finished, timeout=TIMEOUT) as finished:
        compare.start()
    assert finished.args[0].reason == "finished"
    assert compare.steps == {"A": 100, "B": 100}
    # drawn in stages, yet nothing is left undrawn at the end: every curve shows its last step
    assert not compare._stages and all(not run.dirty for run in compare.curves.runs.values())
    for name in "AB":
        drawn = compare.curves.runs[name].items["loss"]
        assert drawn.getData()[0][-1] == 100, name
    a_val, b_val = (compare.curves.last_validation(n) for n in "AB")
    assert compare.curves.points("A", "val_loss") == compare.curves.points("B", "val_loss") == 4
    assert b_val.val_loss < a_val.val_loss
    assert compare.status.text().startswith("Finished.")


def test_the_dialog_makes_the_variant_it_names(window, launcher):
    open_preset(window, "mlp-moons")
    dialog = VariantDialog(window.document, window)
    assert not dialog.saved.isEnabled()  # mlp-moons carries no variant
    dialog.swap.setChecked(True)
    dialog.swap_to.setCurrentText("Tanh")
    assert dialog.preview.text() == "B: ReLU → Tanh after fc1, fc2"
    dialog.dropout.setChecked(True)
    assert dialog.preview.text() == "B: + Dropout(p=0.5) after relu1, relu2"
    assert [n.kind for n in dialog.variant().nodes()].count("Dropout") == 2
    dialog.setting.setChecked(True)
    dialog.setting_key.setCurrentText("weight_decay")
    dialog.setting_value.setText("0.001")
    assert dialog.preview.text() == "B: weight_decay 0 → 0.001"
    dialog.setting_value.setText("-1")
    assert dialog.preview.text().startswith("Cannot make B: training setting 'weight_decay'")
    assert not dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()
    dialog.close()


def test_a_variant_that_cannot_train_is_refused_and_nothing_is_lost(window, launcher, qtbot, monkeypatch):
    open_preset(window, "compare-dropout")
    before = fileformat.to_dict(window.document)
    broken = copy_document(window.document)
    broken.set_param("out", "out_features", 7)
    assert launcher.compare(broken) is None
    assert launcher.last_error.startswith("Cannot compare: the variant (B) cannot be trained: dataset 'moons' has 2")
    box = window.findChild(QMessageBox, "compareRefusal")
    assert box is not None and launcher.last_error in box.text()
    box.close()
    assert fileformat.to_dict(window.document) == before
    # a saved pair whose variant no longer reads: refused by name, A opens and trains as before
    window.document.compare = {"variant": {"format": "nn-explorer", "schema_version": 1, "nodes": "none"}}
    dialog = VariantDialog(window.document, window)
    assert dialog.saved.isChecked()
    assert dialog.preview.text().startswith("Cannot make B: the variant (B) of ")
    dialog.close()


def test_save_pair_writes_a_file_that_reopens_as_the_same_comparison(window, launcher, qtbot, tmp_path):
    open_preset(window, "mlp-moons")
    doc = window.document
    b = copy_document(doc)
    b.set_meta(training={**doc.training, "weight_decay": 0.01})
    compare = launcher.compare(b, start=False)
    qtbot.addWidget(compare)
    target = tmp_path / "pair.json"
    assert compare.save_pair(target) is None
    assert not has_variant(window.document)  # saving the pair leaves the open document alone
    assert window.open_document(target)
    assert has_variant(window.document)
    assert fileformat.to_dict(variant_of(window.document))["training"]["weight_decay"] == 0.01
    dialog = VariantDialog(window.document, window)
    assert dialog.saved.isChecked() and dialog.preview.text() == "B: weight_decay 0 → 0.01"
    dialog.close()
    assert compare.save_pair(tmp_path / "no-such-folder" / "pair.json").startswith("Could not save")
    compare.close()


def test_an_image_pair_shows_feature_maps_side_by_side_for_one_probe(window, launcher, qtbot):
    from explorer.graph.variant import swap_kind
    from explorer.training.probes import LIVE_RATES

    open_preset(window, "cnn-digits")
    a = copy_document(window.document)
    b = swap_kind(a, "ReLU", "Tanh")
    compare = CompareWindow(ComparisonTrainer(a, b, steps=100_000, probe_rates=LIVE_RATES), window, torch_threads=1)
    qtbot.addWidget(compare)
    compare.show()
    assert compare.caption.text() == "B: ReLU → Tanh after conv1, conv2, fc1"
    assert set(compare.feature_views) == {"A", "B"} and not compare.boundary_views
    shown: dict[str, int] = {}
    compare.batch_applied.connect(lambda batch: shown.update(
        {name: run.feature_maps.probe_index for name, run in batch.runs.items() if run.feature_maps is not None}))
    compare.start()
    qtbot.waitUntil(lambda: all(v.updates > 0 for v in compare.feature_views.values()), timeout=TIMEOUT)
    assert compare.feature_views["A"].shown_node == compare.feature_views["B"].shown_node == "conv1"
    compare.feature_views["B"].choose_node("pool1")
    assert compare.feature_views["A"].shown_node == "pool1"  # one layer on both sides
    shown.clear()
    compare.feature_views["A"].probe_spin.setValue(7)
    qtbot.waitUntil(lambda: shown.get("A") == 7 and shown.get("B") == 7, timeout=TIMEOUT)
    assert compare.feature_views["B"].probe_spin.value() == 7
    compare.close()  # closing the window stops both runs
    assert compare.end is not None and compare.end.reason == "stopped"


def test_closing_the_main_window_stops_a_running_comparison(window, launcher, qtbot):
    open_preset(window, "compare-sigmoid-relu")
    b = copy_document(variant_of(window.document))
    compare = launcher.compare(b)
    qtbot.waitUntil(lambda: min(compare.steps.values()) > 0, timeout=TIMEOUT)
    assert window.close()
    assert compare.end is not None and not compare.isVisible()


def test_b_can_be_any_network_edited_and_saved_to_a_file(window, launcher, tmp_path):
    open_preset(window, "mlp-moons")
    edited = copy_document(window.document)
    edited.set_param("fc1", "out_features", 32)
    fileformat.save(edited, tmp_path / "wider.json")
    dialog = VariantDialog(window.document, window)
    dialog.from_file.setChecked(True)
    assert dialog.preview.text() == "Cannot make B: choose the file of network B"
    dialog.file_path.setText(str(tmp_path / "missing.json"))
    assert dialog.preview.text().startswith("Cannot make B:") and "no such file" in dialog.preview.text()
    dialog.file_path.setText(str(tmp_path / "wider.json"))
    assert dialog.preview.text() == "B: fc1.out_features 16 → 32"
    trainer = ComparisonTrainer(copy_document(window.document), dialog.variant(), steps=1, probes=False)
    assert trainer.shared_layers == ["fc3"]  # fc1 and fc2 changed shape: only the last layer starts the same
    dialog.close()
