"""The adversarial-examples (FGSM) view in the real window: trained weights attacked, the curve in the
background, epsilon out of range refused, a paused run attacked through a copy of its weights."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from explorer.qt.training import attach
from explorer.training.fgsm import CURVE_EPSILONS, FgsmAttack, network_of

PRESETS = Path(__file__).resolve().parents[2] / "presets"
TIMEOUT = 30_000


@pytest.fixture
def digits_panel(window, program_threads):
    panel = attach(window)
    assert window.open_document(PRESETS / "cnn-digits.json", as_copy=True)
    yield panel
    panel.views.fgsm_view.shutdown()


def test_trained_weights_are_attacked_and_the_curve_comes_from_the_background(digits_panel, qtbot):
    panel = digits_panel
    view = panel.views.fgsm_view
    panel.trainer_options = {"steps": 300}
    with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT):
        assert panel.train()
    tabs = panel.tabs
    assert tabs.isTabVisible(tabs.indexOf(view))
    with qtbot.waitSignal(view.curve_ready, timeout=TIMEOUT) as blocker:
        tabs.setCurrentWidget(view)  # showing the tab attacks the run's weights
        assert view.attack is not None and view.curve is None  # the curve is not computed on the GUI thread
    curve = blocker.args[0]
    data = panel.datasets.load("digits", {}, seed=0, val_fraction=0.2)
    direct = FgsmAttack(network_of(panel.document, panel.weights.state_dicts), data.x_val, data.y_val)
    assert curve == direct.accuracy_curve(CURVE_EPSILONS)
    assert curve[0] > 0.8 and curve[-1] < curve[0] - 0.3
    x, y = view.curve_item.getData()
    assert list(y) == curve and len(x) == len(CURVE_EPSILONS)
    print(f"cnn-digits after 300 steps: clean {curve[0]:.1%}, epsilon 0.2 {curve[8]:.1%}")

    # the slider and the typed value move epsilon; the images and answers are the attack's
    view.index_spin.setValue(5)
    assert view.set_epsilon(0.2)
    example = view.example
    expected = direct.example(5, 0.2)
    assert example.after == expected.after and np.allclose(example.perturbed, expected.perturbed)
    assert view.slider.value() == 40 and view.marker.value() == pytest.approx(0.2)
    shown = view.image_items[2].image
    assert np.allclose(shown, expected.perturbed[0])
    assert f"predicted {expected.after} (" in view.titles[2].text
    view.slider.setValue(10)
    assert view.epsilon == pytest.approx(0.05) and view.example.epsilon == pytest.approx(0.05)

    # out of range: refused with a message, nothing changed
    for bad in ("0.7", "-0.1", "abc", "nan"):
        view.epsilon_edit.setText(bad)
        view.epsilon_edit.editingFinished.emit()
        assert view.epsilon == pytest.approx(0.05), bad
        assert "epsilon must be a number from 0 to 0.5" in view.message.text(), bad
        assert view.epsilon_edit.text() == "0.050"
    assert not view.set_epsilon(0.51)


def test_a_running_network_is_not_attacked_until_paused(digits_panel, qtbot):
    panel = digits_panel
    view = panel.views.fgsm_view
    panel.trainer_options = {"steps": 10**6}
    assert panel.train()
    try:
        qtbot.waitUntil(lambda: panel.latest_step is not None, timeout=TIMEOUT)
        panel.tabs.setCurrentWidget(view)
        assert view.attack is None and "pause or stop" in view.message.text()
        with qtbot.waitSignal(view.curve_ready, timeout=TIMEOUT):
            panel.pause_button.click()  # the pause lands after the step in progress; the link looks again
        assert view.attack is not None and "(paused)" in view.message.text()
        # the copy was attacked: the run's own network is still in training mode and unchanged in place
        assert panel.run.trainer.module.training
    finally:
        with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT):
            panel.stop()


def test_the_tab_hides_for_networks_that_are_not_image_classifiers(window, qtbot, program_threads):
    panel = attach(window)
    assert window.open_document(PRESETS / "mlp-moons.json", as_copy=True)
    panel.trainer_options = {"steps": 3}
    with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT):
        assert panel.train()
    tabs = panel.tabs
    assert not tabs.isTabVisible(tabs.indexOf(panel.views.fgsm_view))
    panel.views.fgsm_view.refresh_requested.emit()  # the button, should it be reached: a message, no crash
    assert "FGSM attacks image classifiers" in panel.views.fgsm_view.message.text()


def test_a_single_step_while_paused_is_attacked_afresh(digits_panel, qtbot):
    panel = digits_panel
    view = panel.views.fgsm_view
    try:
        panel.step()  # from idle: a run starts held and takes one step
        qtbot.waitUntil(lambda: panel.latest_step is not None and not panel.drawing, timeout=TIMEOUT)
        with qtbot.waitSignal(view.curve_ready, timeout=TIMEOUT):
            panel.tabs.setCurrentWidget(view)
        assert "after step 1 (paused)" in view.message.text()
        first, before_prob = view.example.perturbation.copy(), view.example.before_prob
        with qtbot.waitSignal(view.curve_ready, timeout=TIMEOUT):
            panel.step()
        assert "after step 2 (paused)" in view.message.text()
        # the new weights' gradient: the example is recomputed (the signs of one step apart may agree, the
        # network's answer probabilities not)
        assert view.example.before_prob != before_prob or not np.array_equal(first, view.example.perturbation)
    finally:
        with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT):
            panel.stop()


def test_a_loaded_checkpoint_can_be_attacked_before_any_run(digits_panel, window):
    from explorer.training.trainer import Trainer

    panel, tabs = digits_panel, digits_panel.tabs
    view = panel.views.fgsm_view
    assert not tabs.isTabVisible(tabs.indexOf(view))  # no run has decided the tabs yet
    trainer = Trainer(window.document, steps=3, probes=False)
    for _ in trainer.run():
        pass
    assert panel.use_weights(trainer.state_dicts())  # as File ▸ Load Checkpoint… does
    assert tabs.isTabVisible(tabs.indexOf(view))
    tabs.setCurrentWidget(view)
    assert view.attack is not None and "loaded checkpoint's weights" in view.message.text()
