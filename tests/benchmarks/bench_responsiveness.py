"""How smooth the window stays while it trains, and what the live views cost the training.

Trains ``lenet-shapes`` in the real main window (offscreen unless a display is asked for) with every
view live: loss and accuracy, the gradient heatmap and bars, the feature-map mosaic, the activation
table and the canvas tinted by gradient size. A 10 ms QTimer measures the event loop: each gap
between two of its ticks beyond 10 ms is time the window could not react.

The same settings are trained headless (the trainer's generator in a plain loop, probes on, in a
fresh process of its own, as ``nn-explorer train`` runs), with torch's default thread count and
with the window's if that differs, in rounds that alternate with the window's runs, so a change in
the machine's load (shared cores) hits both alike; the medians are compared. The window's process
is set up as the program sets itself up (see explorer/qt/training/cores.py).

    python tests/benchmarks/bench_responsiveness.py [--seconds 6] [--rounds 3] [--threads N]

Targets: worst gap under 50 ms, 99th percentile under 20 ms, steps/s at least 0.8 of headless.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import torch  # noqa: E402  (before any QApplication: pytorch #11326)

ROOT = Path(__file__).resolve().parents[2]
PRESET = ROOT / "presets" / "lenet-shapes.json"
WARM_UP_STEPS = 20


def headless_steps_per_second(seconds: float, threads: int) -> float:
    """Steps/s of the trainer on its own, probes on, over ``seconds`` after a short warm-up."""
    from explorer.graph.fileformat import load
    from explorer.training.trainer import Trainer

    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        trainer = Trainer(load(PRESET), steps=10**7)
        first = None
        for snap in trainer.run():
            if type(snap).__name__ != "StepSnapshot":
                continue
            if snap.step == WARM_UP_STEPS:
                first = (snap.elapsed, snap.step)
            elif first is not None and snap.elapsed - first[0] >= seconds:
                trainer.stop()
                return (snap.step - first[1]) / (snap.elapsed - first[0])
    finally:
        torch.set_num_threads(previous)
    raise RuntimeError("the headless run ended early")


def headless_in_own_process(seconds: float, threads: int) -> float:
    """:func:`headless_steps_per_second` in a fresh Python process, untouched by the window's threads."""
    out = subprocess.run([sys.executable, __file__, "--headless", "--seconds", str(seconds), "--threads", str(threads)],
                         capture_output=True, text=True, check=True).stdout
    return float(out.split()[-1])


class WindowBench:
    """The real window with the training panel, set up once; :meth:`run` trains and measures once."""

    def __init__(self, threads: int | None) -> None:
        from PySide6.QtCore import QSettings
        from PySide6.QtWidgets import QApplication

        self.app = QApplication.instance() or QApplication(sys.argv[:1])
        from explorer.qt import MainWindow
        from explorer.qt.training import attach
        from explorer.qt.training.panel import TrainingPanel

        self._tmp = tempfile.TemporaryDirectory()
        settings = QSettings(os.path.join(self._tmp.name, "settings.ini"), QSettings.Format.IniFormat)
        self.window = MainWindow(settings)
        self.window.resize(1600, 1000)
        self.window.show()
        self.panel = self.window.findChild(TrainingPanel, "trainingPanel") or attach(self.window)
        assert self.window.open_document(PRESET, as_copy=True), self.window.last_error
        if threads is not None:
            self.panel.torch_threads = threads
        self.panel.trainer_options = {"steps": 10**7}
        self.panel.gradient_view.tint_check.setChecked(True)
        self.panel.tabs.setCurrentWidget(self.panel.feature_view)
        for _ in range(20):
            self.app.processEvents()

    @property
    def threads(self) -> int:
        return self.panel.torch_threads

    def run(self, seconds: float) -> dict:
        from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer

        app, panel = self.app, self.panel
        loop = QEventLoop()
        clock = QElapsedTimer()
        clock.start()
        ticks: list[int] = []
        steps: list[tuple[float, int]] = []
        state = {"on": False, "done": False, "until": 0.0, "cpu": None, "maps": 0}

        def on_tick() -> None:
            if state["on"]:
                ticks.append(clock.nsecsElapsed())

        def on_batch(batch) -> None:
            if state["done"] or not batch.steps:
                return
            last = batch.steps[-1]
            if not state["on"] and last.step >= WARM_UP_STEPS:  # past the warm-up: measure
                state.update(on=True, until=time.monotonic() + seconds, maps=panel.feature_view.updates,
                             cpu=(time.thread_time(), time.monotonic()))
            if state["on"]:
                steps.append((last.elapsed, last.step))
                if time.monotonic() >= state["until"]:
                    cpu, wall = state["cpu"]
                    state.update(on=False, done=True, maps=panel.feature_view.updates - state["maps"],
                                 cpu=(time.thread_time() - cpu) / (time.monotonic() - wall))
                    loop.quit()

        timer = QTimer()
        timer.setInterval(10)
        timer.timeout.connect(on_tick)
        timer.start()
        panel.batch_applied.connect(on_batch)
        assert panel.train(), panel.message.text.text()
        QTimer.singleShot(int((seconds + 60) * 1000), loop.quit)  # a safety net
        loop.exec()
        timer.stop()
        panel.batch_applied.disconnect(on_batch)
        panel.shutdown()
        panel.reset_weights()
        app.processEvents()
        (t0, s0), (t1, s1) = steps[0], steps[-1]
        gaps = np.diff(np.array(ticks, dtype=np.float64)) / 1e6  # milliseconds between ticks
        return {"gaps": gaps, "steps_per_s": (s1 - s0) / (t1 - t0), "gui_cpu": state["cpu"], "maps": state["maps"]}

    def close(self) -> None:
        self.window.close()
        self.app.processEvents()
        self._tmp.cleanup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="length of each measurement")
    parser.add_argument("--rounds", type=int, default=3, help="alternations of headless and window runs")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch threads of the window's training (default: the panel's choice)")
    parser.add_argument("--headless", action="store_true", help="only print the headless steps/s (--threads)")
    parser.add_argument("--gui-budget", type=float, default=None,
                        help="share of a core the views may take (default: the panel's GUI_CPU_BUDGET)")
    args = parser.parse_args()
    if args.headless:
        print(headless_steps_per_second(args.seconds, args.threads or torch.get_num_threads()))
        return 0
    if args.gui_budget is not None:
        from explorer.qt.training.panel import TrainingPanel
        TrainingPanel.GUI_CPU_BUDGET = args.gui_budget

    from explorer.qt.training.cores import keep_gui_thread_serial, training_threads

    keep_gui_thread_serial()  # as the program does when it starts
    default_threads = training_threads()
    bench = WindowBench(args.threads)
    threads = bench.threads
    print(f"lenet-shapes, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; torch {torch.__version__}; "
          f"the window trains with {threads} thread(s), the GUI thread with 1")
    headless: dict[int, list[float]] = {n: [] for n in sorted({threads, default_threads})}
    window = []
    for _ in range(args.rounds):
        for n in headless:
            headless[n].append(headless_in_own_process(args.seconds, n))
        window.append(bench.run(args.seconds))
    bench.close()

    gaps = np.concatenate([w["gaps"] for w in window])
    worst, p99, p50 = float(gaps.max()), float(np.percentile(gaps, 99)), float(np.percentile(gaps, 50))
    print(f"event loop: {len(gaps)} ticks of a 10 ms timer; gap worst {worst:.1f} ms, p99 {p99:.1f} ms, "
          f"median {p50:.1f} ms   (targets: worst < 50, p99 < 20)")
    print(f"views: {np.mean([w['maps'] for w in window]) / args.seconds:.1f} feature-map mosaics/s; the GUI thread "
          f"used {100 * np.mean([w['gui_cpu'] for w in window]):.0f}% of a core")
    speeds = [w["steps_per_s"] for w in window]
    window_speed = float(np.median(speeds))
    print(f"window: {window_speed:.1f} steps/s (rounds: {', '.join(f'{s:.0f}' for s in speeds)})")
    ratios = {}
    for n, runs in headless.items():
        ratios[n] = window_speed / float(np.median(runs))
        print(f"headless, {n} torch thread(s): {np.median(runs):.1f} steps/s (rounds: "
              f"{', '.join(f'{s:.0f}' for s in runs)}); window/headless = {ratios[n]:.2f}   (target >= 0.8)")
    ok = worst < 50 and p99 < 20 and min(ratios.values()) >= 0.8
    print("PASS" if ok else "FAIL (targets: worst < 50 ms, p99 < 20 ms, every window/headless ratio >= 0.8)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
