"""How smooth the window stays while it trains, and what the live plots cost the training.

Trains ``lenet-shapes`` in the real main window (offscreen unless a display is asked for) with every
view live: loss and accuracy, the gradient heatmap and bars, the feature-map mosaic, the activation
table and the canvas tinted by gradient size. A 10 ms QTimer measures the event loop: each gap
between two of its ticks beyond 10 ms is time the window could not react. The same settings are
trained headless (the trainer's generator in a plain loop, probes on) before and after the window
run, and the window's training speed is compared with their mean.

    python tests/benchmarks/bench_responsiveness.py [--seconds 15] [--threads N]

Targets: worst gap under 50 ms, 99th percentile under 20 ms, steps/s at least 0.8 of headless.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import torch  # noqa: E402  (before any QApplication: pytorch #11326)

ROOT = Path(__file__).resolve().parents[2]
PRESET = ROOT / "presets" / "lenet-shapes.json"


def headless_steps_per_second(seconds: float, threads: int) -> float:
    """Steps/s of the trainer on its own, probes on, over ``seconds`` after a short warm-up."""
    from explorer.graph.fileformat import load
    from explorer.training.trainer import Trainer

    torch.set_num_threads(threads)
    trainer = Trainer(load(PRESET), steps=10**7)
    first = None
    for snap in trainer.run():
        if type(snap).__name__ != "StepSnapshot":
            continue
        if snap.step == 20:
            first = (snap.elapsed, snap.step)
        elif first is not None and snap.elapsed - first[0] >= seconds:
            trainer.stop()
            return (snap.step - first[1]) / (snap.elapsed - first[0])
    raise RuntimeError("the headless run ended early")


def window_run(seconds: float, threads: int | None) -> dict:
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    from explorer.qt import MainWindow
    from explorer.qt.training import attach
    from explorer.qt.training.panel import TrainingPanel

    window = MainWindow()
    window.resize(1600, 1000)
    window.show()
    panel = window.findChild(TrainingPanel, "trainingPanel") or attach(window)
    assert window.open_document(PRESET, as_copy=True)
    if threads is not None:
        panel.torch_threads = threads
    panel.trainer_options = {"steps": 10**7}
    panel.gradient_view.tint_check.setChecked(True)
    panel.tabs.setCurrentWidget(panel.feature_view)
    for _ in range(20):
        app.processEvents()

    clock = QElapsedTimer()
    clock.start()
    ticks: list[int] = []
    steps: list[tuple[float, int]] = []
    measuring = {"on": False, "until": 0.0, "done": False}

    def on_tick() -> None:
        if measuring["on"]:
            ticks.append(clock.nsecsElapsed())

    cpu = {}

    def on_batch(batch) -> None:
        if batch.steps:
            last = batch.steps[-1]
            if measuring["done"]:
                return
            if not measuring["on"] and last.step >= 20:  # past the warm-up: start measuring
                measuring["on"] = True
                measuring["until"] = time.monotonic() + seconds
                cpu["start"] = (time.thread_time(), time.monotonic())
            if measuring["on"]:
                steps.append((last.elapsed, last.step))
                if time.monotonic() >= measuring["until"]:
                    measuring["on"] = False
                    measuring["done"] = True
                    cpu["end"] = (time.thread_time(), time.monotonic())
                    app.quit()

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(on_tick)
    timer.start()
    panel.batch_applied.connect(on_batch)
    started = panel.train()
    assert started, panel.message.text.text()
    used_threads = panel.torch_threads
    QTimer.singleShot(int((seconds + 60) * 1000), app.quit)  # a safety net
    app.exec()
    timer.stop()
    panel.shutdown()
    counts = {"feature maps": panel.feature_view.updates, "activations": panel.activation_view.updates}
    window.close()
    app.processEvents()
    gaps = np.diff(np.array(ticks, dtype=np.float64)) / 1e6  # milliseconds between ticks
    (t0, s0), (t1, s1) = steps[0], steps[-1]
    gui_cpu = (cpu["end"][0] - cpu["start"][0]) / (cpu["end"][1] - cpu["start"][1])
    return {"gaps": gaps, "steps_per_s": (s1 - s0) / (t1 - t0), "threads": used_threads, "gui_cpu": gui_cpu,
            **counts}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each measurement")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch threads of the window's training (default: the panel's choice)")
    args = parser.parse_args()
    from explorer.qt.training.panel import default_torch_threads

    threads = args.threads or default_torch_threads()
    cores = os.cpu_count()
    default_threads = torch.get_num_threads()
    print(f"lenet-shapes, {cores} cores; torch {torch.__version__}; window trains with {threads} thread(s)")

    headless = {}
    for n in sorted({threads, default_threads}):
        headless[n] = [headless_steps_per_second(args.seconds / 2, n)]
    result = window_run(args.seconds, args.threads)
    for n in headless:
        headless[n].append(headless_steps_per_second(args.seconds / 2, n))
    torch.set_num_threads(default_threads)

    gaps = result["gaps"]
    worst, p99, p50 = float(gaps.max()), float(np.percentile(gaps, 99)), float(np.percentile(gaps, 50))
    print(f"event loop: {len(gaps)} ticks of a 10 ms timer; gap worst {worst:.1f} ms, p99 {p99:.1f} ms, "
          f"median {p50:.1f} ms   (targets: worst < 50, p99 < 20)")
    print(f"views drawn: feature maps {result['feature maps']}, activation tables {result['activations']}; "
          f"the GUI thread used {100 * result['gui_cpu']:.0f}% of a core")
    best = max(headless, key=lambda n: np.mean(headless[n]))
    for n, runs in headless.items():
        print(f"headless, {n} torch thread(s): {np.mean(runs):.1f} steps/s (before {runs[0]:.1f}, after {runs[1]:.1f})")
    reference = float(np.mean(headless[best]))
    ratio = result["steps_per_s"] / reference
    print(f"window: {result['steps_per_s']:.1f} steps/s = {ratio:.2f} of the fastest headless "
          f"({best} thread(s))   (target >= 0.8)")
    ok = worst < 50 and p99 < 20 and ratio >= 0.8
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
