"""Start/stop forever: 200 cycles of Train, a short wait, then Pause/Resume/Step/Stop in random order (and
Reset weights between runs), in the real window. No thread is left, memory does not grow, and every
run's snapshots arrive in order.

The waits are on steps and signals, never on the clock; the seed is printed with the figures.
"""

from __future__ import annotations

import random
import threading
from pathlib import Path

from explorer.qt.training import attach
from explorer.qt.training.worker import TrainingRun

PRESETS = Path(__file__).resolve().parents[2] / "presets"
CYCLES = 200
WARM_UP = 20  # cycles before the reference RSS: caches, pools and the first plots are made by then
TIMEOUT = 20_000
RSS_LIMIT_MB = 50


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def test_200_train_stop_cycles_leave_no_thread_no_growth_and_keep_order(window, qtbot, tally):
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    panel = attach(window)
    assert window.open_document(PRESETS / "mlp-moons.json", as_copy=True)
    training = dict(window.document.training, dataset_options={"n_samples": 200}, batch_size=16)
    window.document.set_meta(training=training)
    panel.form.set_settings(training)
    panel.trainer_options = {"steps": 100_000}
    threads_before = threading.active_count()

    order = {"last": 0, "bad": []}

    def on_started() -> None:
        order["last"] = 0

    def on_batch(batch) -> None:
        for snap in batch.steps:
            if snap.step <= order["last"]:
                order["bad"].append((order["last"], snap.step))
            order["last"] = snap.step

    panel.run_started.connect(on_started)
    panel.batch_applied.connect(on_batch)
    actions = {"pause": 0, "resume": 0, "step": 0, "stop": 0, "reset": 0, "train": 0, "step from idle": 0}
    reference = None
    for cycle in range(CYCLES):
        if cycle == WARM_UP:
            reference = rss_mb()
        if rng.random() < 0.15:
            panel.step()  # Step from idle: a run starts held and takes one step
            actions["step from idle"] += 1
        else:
            assert panel.train(), panel.message.text.text()
            actions["train"] += 1
        wait = rng.choice([0, 0, 1, 2, 4])
        if wait and not panel.run.paused:
            qtbot.waitUntil(lambda: panel.latest_step is not None and panel.latest_step.step >= wait
                            or panel.run is None, timeout=TIMEOUT)
        for _ in range(rng.randint(0, 4)):
            if panel.run is None:
                break
            choice = rng.choice(["pause", "step", "resume"])
            if choice == "pause" and not panel.run.paused:
                panel.toggle_pause()
            elif choice == "resume" and panel.run.paused:
                panel.toggle_pause()
            elif choice == "step":
                panel.step()
            else:
                continue
            actions[choice] += 1
        if panel.run is not None:
            with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT):
                panel.stop()
            actions["stop"] += 1
        assert panel.run is None and not window.locked
        assert not TrainingRun.running_threads()
        if rng.random() < 0.3:
            panel.reset_weights()
            actions["reset"] += 1
    qtbot.waitUntil(lambda: threading.active_count() <= threads_before, timeout=TIMEOUT)
    growth = rss_mb() - reference
    tally.figure("start/stop cycles", f"{CYCLES} cycles (seed {seed}): "
                 + ", ".join(f"{n} {a}" for a, n in actions.items())
                 + f"; threads left: {len(TrainingRun.running_threads())}; "
                 f"RSS growth after warm-up: {growth:+.1f} MB; out-of-order steps: {len(order['bad'])}")
    assert order["bad"] == [], f"seed {seed}"
    assert growth < RSS_LIMIT_MB, f"RSS grew {growth:.1f} MB over {CYCLES - WARM_UP} cycles (seed {seed})"
