"""How smooth the window stays while it trains, how alive its pictures are, and what they cost.

Trains ``lenet-shapes`` in the real main window (offscreen unless a display is asked for) with every
view live: loss and accuracy, the gradient heatmap and bars, the feature-map mosaic, the activation
table and the canvas tinted by gradient size; then ``mlp-moons`` with the decision boundary shown.
It reports:

* the event loop: a 10 ms QTimer's ticks; each gap beyond 10 ms is time the window could not react;
* the pictures, counted from what the views drew (their ``frame_drawn`` signals): feature-map
  frames per second and the longest gap between two, decision-boundary frames per second;
* training speed: the window's steps/s against the headless trainer's with probes off (another
  process, as ``nn-explorer train`` runs, torch's default thread count). Both stay alive and take
  turns in short slices (``--slices`` of ``--slice-seconds``), one paused while the other trains,
  so a change in the machine's load hits both alike: on this machine's host, the speed of the
  same headless run drifts by a third within minutes, which whole rounds of several seconds
  each turned into window/headless ratios anywhere from 0.76 to 0.98. Slices of half a second
  follow the drift more closely than slices of 2 s: with the window drawing nothing and no probes,
  two runs of 48 short slices gave 0.97 and 0.99, where two of 14 long ones gave 0.88 and 1.04.
  The ratio is of the total steps over the total training time of each, the first slice of each
  (warm-up) left out; the median of the slices' own ratios is printed beside it as a check on noise;
* where the window's training thread spends its time (time_split.py): steps at their typical length,
  the steps' excess over it (held up by the GUI thread's drawing: on 2 cores about one for one with
  the GUI thread's busy time, whatever the GIL switch interval), each probe, validation. The headless
  trainer's typical step is as long as the window's; its excess is about 1.5 %.

The window's process is set up as ``nn-explorer`` sets itself up (torch first, the GUI thread's
torch serial, the panel attached: see explorer/qt/app.py).

    python tests/benchmarks/bench_responsiveness.py [--seconds 6] [--rounds 3] [--slices 48] [--hog] [--tasks]

``--tasks`` also trains the other tasks' presets (GAN, autoencoder, graph, sequences, function fitting) with their
views live, and two comparisons (A and B side by side in the comparison window);
for the sequence presets the "task picture" is the Through time view (the Attention view draws the same probe).

``--hog`` runs a one-core CPU hog (another process spinning) beside everything, as a busy machine.
Targets (issue 9): worst gap < 50 ms, p99 < 20 ms, maps >= 10/s (>= 5/s with the hog) with no gap
of 0.5 s or more, boundary >= 4/s, window steps/s >= 0.9 of headless with probes off.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402

from explorer.qt.preload import import_torch_first  # noqa: E402
from time_split import SnapshotClock, describe, time_split  # noqa: E402

import_torch_first()  # before any QApplication: pytorch #11326
import torch  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PRESETS = ROOT / "presets"
WARM_UP_STEPS = 20
WARM_UP_SECONDS = 1.0  # the gap between picture frames counts from this long after Train
TASK_PRESETS = ("gan-ring", "gan-digits", "autoencoder-digits", "conv-autoencoder-shapes", "gcn-karate",
                "lstm-adding", "transformer-reverse", "relu-pieces")
COMPARE_PRESETS = ("compare-sigmoid-relu", "compare-dropout")  # each trains A and B in the comparison window


def headless_steps_per_second(preset: str, seconds: float) -> float:
    """Steps/s of the trainer on its own, probes off, over ``seconds`` after a short warm-up."""
    from explorer.graph.fileformat import load
    from explorer.training.trainer import Trainer

    trainer = Trainer(load(PRESETS / f"{preset}.json"), steps=10**7, probes=False)
    first = None
    for snap in trainer.run():
        if type(snap).__name__ != "StepSnapshot":
            continue
        if snap.step == WARM_UP_STEPS:
            first = (snap.elapsed, snap.step)
        elif first is not None and snap.elapsed - first[0] >= seconds:
            trainer.stop()
            return (snap.step - first[1]) / (snap.elapsed - first[0])
    raise RuntimeError("the headless run ended early")


def headless_server(preset: str) -> None:
    """The headless trainer, probes off, trained in turns: ``go`` on stdin trains, ``halt`` pauses and answers
    with the last step and its training time (paused time excluded), ``end`` stops."""
    import threading

    from explorer.graph.fileformat import load
    from explorer.training.trainer import Trainer

    trainer = Trainer(load(PRESETS / f"{preset}.json"), steps=10**7, probes=False)
    trainer.pause()
    last = [0, 0.0]

    def commands() -> None:
        for line in sys.stdin:
            command = line.strip()
            if command == "go":
                trainer.resume()
            elif command == "halt":
                trainer.pause()
                trainer.wait_idle(30)  # idle: the step loop below has recorded the last step
                print(f"{last[0]} {last[1]!r}", flush=True)
            else:
                break
        trainer.stop()

    threading.Thread(target=commands, daemon=True).start()
    print("ready", flush=True)
    for snap in trainer.run():
        if type(snap).__name__ == "StepSnapshot":
            last[:] = [snap.step, snap.elapsed]


class HeadlessTurns:
    """A :func:`headless_server` in its own process, trained ``seconds`` at a time by :meth:`turn`."""

    def __init__(self, preset: str) -> None:
        self.process = subprocess.Popen([sys.executable, __file__, "--headless-server", preset],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        if self.process.stdout.readline().strip() != "ready":
            raise RuntimeError("the headless trainer did not start")

    def turn(self, seconds: float, wait) -> tuple[int, float]:
        """Train for ``seconds`` (``wait(seconds)`` keeps the window's event loop going meanwhile); the step
        reached and its training time."""
        self.process.stdin.write("go\n")
        self.process.stdin.flush()
        wait(seconds)
        self.process.stdin.write("halt\n")
        self.process.stdin.flush()
        step, elapsed = self.process.stdout.readline().split()
        return int(step), float(elapsed)

    def close(self) -> None:
        self.process.stdin.write("end\n")
        self.process.stdin.close()
        self.process.wait(30)


def slice_ratios(window: list[tuple[int, float]], headless: list[tuple[int, float]]) -> tuple[float, float, list]:
    """Steps/s of each over its slices after the first (steps and training time summed), and each slice's ratio."""
    def rate(marks, i):
        return (marks[i][0] - marks[i - 1][0]) / (marks[i][1] - marks[i - 1][1])

    def total(marks):
        return (marks[-1][0] - marks[0][0]) / (marks[-1][1] - marks[0][1])

    return total(window), total(headless), [rate(window, i) / rate(headless, i) for i in range(1, len(window))]


def wait(seconds: float) -> None:
    """Let ``seconds`` pass in the event loop: the window stays alive (and draws) meanwhile."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def _spin() -> None:
    while True:
        pass


class WindowBench:
    """The real window with the training panel, set up as the program does; :meth:`run` trains once."""

    def __init__(self) -> None:
        from PySide6.QtCore import QSettings
        from PySide6.QtWidgets import QApplication

        from explorer.qt.training.cores import keep_gui_thread_serial

        keep_gui_thread_serial()  # as run_app does before the QApplication
        self.app = QApplication.instance() or QApplication(sys.argv[:1])
        from explorer.qt import MainWindow
        from explorer.qt.training import attach

        self._tmp = tempfile.TemporaryDirectory()
        settings = QSettings(os.path.join(self._tmp.name, "settings.ini"), QSettings.Format.IniFormat)
        self.window = MainWindow(settings)
        self.panel = attach(self.window)
        self.window.resize(1600, 1000)
        self.window.show()
        self.panel.gradient_view.tint_check.setChecked(True)
        for _ in range(20):
            self.app.processEvents()
        from explorer.qt.collector import freeze_startup_objects

        freeze_startup_objects()  # as run_app does once the window is up
        self.clock = SnapshotClock().install()

    def run(self, preset: str, seconds: float) -> dict:
        """Train ``preset`` for ``seconds`` past the warm-up; the event loop's gaps, speed, frame times."""
        from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer

        app, panel = self.app, self.panel
        assert self.window.open_document(PRESETS / f"{preset}.json", as_copy=True), self.window.last_error
        panel.trainer_options = {"steps": 10**7}
        view = panel.feature_view if panel.feature_view._candidates else panel.boundary_view
        panel.tabs.setCurrentWidget(view)
        for _ in range(10):
            app.processEvents()
        loop = QEventLoop()
        clock = QElapsedTimer()
        clock.start()
        ticks: list[int] = []
        steps: list[tuple[float, int]] = []
        frames: dict[str, list[float]] = {"maps": [], "boundary": [], "activations": [], "task": []}
        state = {"on": False, "done": False, "until": 0.0, "cpu": None, "started": time.monotonic()}

        def on_tick() -> None:
            if state["on"]:
                ticks.append(clock.nsecsElapsed())

        def frame(name: str):
            def record(_step: int) -> None:
                if state["on"]:
                    frames[name].append(time.monotonic())
            return record

        def on_batch(batch) -> None:
            if state["done"] or not batch.steps:
                return
            last = batch.steps[-1]
            warm = last.step >= WARM_UP_STEPS and time.monotonic() - state["started"] >= WARM_UP_SECONDS
            if not state["on"] and warm:
                state.update(on=True, until=time.monotonic() + seconds, cpu=(time.thread_time(), time.monotonic()),
                             measured=time.monotonic())
                self.clock.marks.clear()
                self.clock.recording = True
            if state["on"]:
                steps.append((last.elapsed, last.step))
                if time.monotonic() >= state["until"]:
                    cpu, wall = state["cpu"]
                    state.update(on=False, done=True, cpu=(time.thread_time() - cpu) / (time.monotonic() - wall),
                                 measured=time.monotonic() - state["measured"])
                    self.clock.recording = False
                    loop.quit()

        recorders = [(panel.feature_view, frame("maps")), (panel.boundary_view, frame("boundary")),
                     (panel.activation_view, frame("activations"))]
        recorders += [(view, frame("task")) for view in (panel.reconstruction_view, panel.gan_view, panel.graph_view,
                                                          panel.views.through_time_view, panel.views.function_view)]
        for widget, record in recorders:
            widget.frame_drawn.connect(record)
        timer = QTimer()
        timer.setInterval(10)
        timer.timeout.connect(on_tick)
        timer.start()
        panel.batch_applied.connect(on_batch)
        state["started"] = time.monotonic()
        assert panel.train(), panel.message.text.text()
        QTimer.singleShot(int((seconds + 60) * 1000), loop.quit)  # a safety net
        loop.exec()
        timer.stop()
        panel.batch_applied.disconnect(on_batch)
        for widget, record in recorders:
            widget.frame_drawn.disconnect(record)
        panel.shutdown()
        panel.reset_weights()
        app.processEvents()
        (t0, s0), (t1, s1) = steps[0], steps[-1]
        gaps = np.diff(np.array(ticks, dtype=np.float64)) / 1e6  # milliseconds between ticks
        span = state["measured"]
        rates = {name: len(times) / span for name, times in frames.items()}
        longest = {name: float(np.max(np.diff([state["until"] - seconds, *times, state["until"]])))
                   for name, times in frames.items()}
        return {"gaps": gaps, "steps_per_s": (s1 - s0) / (t1 - t0), "gui_cpu": state["cpu"], "rates": rates,
                "longest": longest, "split": time_split(self.clock.marks)}

    def speed_in_turns(self, preset: str, slices: int, seconds: float) -> tuple[float, float, list[float]]:
        """Steps/s of the window's training (every view live) and of the headless trainer's (probes off, its own
        process), taking turns for ``slices`` slices of ``seconds`` each while the other waits paused, after a
        warm-up slice each; and each slice's ratio (see :func:`slice_ratios`)."""
        app, panel = self.app, self.panel
        assert self.window.open_document(PRESETS / f"{preset}.json", as_copy=True), self.window.last_error
        panel.trainer_options = {"steps": 10**7}
        panel.tabs.setCurrentWidget(panel.feature_view if panel.feature_view._candidates else panel.boundary_view)

        headless = HeadlessTurns(preset)
        assert panel.train(), panel.message.text.text()
        run = panel.run
        run.pause()

        def window_turn() -> tuple[int, float]:
            run.resume()
            wait(seconds)
            run.pause()
            assert run.trainer.wait_idle(30), "the window's training did not pause"
            deadline = time.monotonic() + 10  # the last step reaches the views with the next delivery
            while time.monotonic() < deadline and (panel.staged.latest_step is None
                                                    or panel.staged.latest_step.step < run.trainer.step):
                wait(0.02)
            return panel.staged.latest_step.step, panel.staged.latest_step.elapsed

        marks: dict[str, list[tuple[int, float]]] = {"window": [], "headless": []}
        turns = {"window": window_turn, "headless": lambda: headless.turn(seconds, wait)}
        try:
            for i in range(slices + 1):
                for name in (("window", "headless") if i % 2 == 0 else ("headless", "window")):
                    marks[name].append(turns[name]())
        finally:
            headless.close()
            panel.shutdown()
            panel.reset_weights()
            app.processEvents()
        return slice_ratios(marks["window"], marks["headless"])

    def compare(self, preset: str, seconds: float) -> dict:
        """Train ``preset``'s pair (A and its saved variant B) in the comparison window for ``seconds`` past the
        warm-up: the event loop's gaps, steps per second of the pair, and how often each side's picture was drawn."""
        from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer

        from explorer.graph import fileformat
        from explorer.graph.variant import variant_of

        app = self.app
        assert self.window.open_document(PRESETS / f"{preset}.json", as_copy=True), self.window.last_error
        variant = variant_of(self.window.document)
        for doc in (self.window.document, variant):  # long enough for the measurement
            doc.training = {**doc.training, "epochs": 10**5}
        variant = fileformat.from_dict(fileformat.to_dict(variant), source=preset)
        loop, clock, ticks = QEventLoop(), QElapsedTimer(), []
        frames: dict[str, list[float]] = {"A": [], "B": []}
        state = {"on": False, "started": time.monotonic(), "steps": []}
        clock.start()
        compare = self.window.compare_launcher.compare(variant, start=False)
        assert compare is not None, self.window.compare_launcher.last_error
        compare.resize(1500, 860)
        pictures = compare.boundary_views or compare.feature_views
        for name, view in pictures.items():
            view.frame_drawn.connect(lambda _step, name=name: state["on"] and frames[name].append(time.monotonic()))

        def on_batch(batch) -> None:
            run = batch.runs.get("A")
            if state.get("done") or run is None or not run.steps:
                return
            now = time.monotonic()
            if not state["on"] and now - state["started"] >= WARM_UP_SECONDS and run.steps[-1].step >= WARM_UP_STEPS:
                state.update(on=True, until=now + seconds, measured=now)
            if state["on"]:
                state["steps"].append((run.steps[-1].elapsed, run.steps[-1].step))
                if now >= state["until"]:
                    state.update(on=False, done=True, measured=now - state["measured"])
                    loop.quit()

        timer = QTimer()
        timer.setInterval(10)
        timer.timeout.connect(lambda: state["on"] and ticks.append(clock.nsecsElapsed()))
        timer.start()
        compare.batch_applied.connect(on_batch)
        state["started"] = time.monotonic()
        compare.start()
        QTimer.singleShot(int((seconds + 60) * 1000), loop.quit)  # a safety net
        loop.exec()
        timer.stop()
        assert compare.shutdown(), "the comparison did not stop"
        compare.close()
        app.processEvents()
        (t0, s0), (t1, s1) = state["steps"][0], state["steps"][-1]
        return {"gaps": np.diff(np.array(ticks, dtype=np.float64)) / 1e6, "steps_per_s": (s1 - s0) / (t1 - t0),
                "rates": {name: len(times) / state["measured"] for name, times in frames.items()}}

    def close(self) -> None:
        self.clock.remove()
        self.window.close()
        self.app.processEvents()
        self._tmp.cleanup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="length of each measurement")
    parser.add_argument("--rounds", type=int, default=3, help="window runs measuring the pictures and the event loop")
    parser.add_argument("--slices", type=int, default=48, help="turns of the window and the headless trainer")
    parser.add_argument("--slice-seconds", type=float, default=0.5, help="length of each turn")
    parser.add_argument("--hog", action="store_true", help="keep one core busy with another process meanwhile")
    parser.add_argument("--headless", metavar="PRESET", help="only print the headless steps/s of PRESET")
    parser.add_argument("--headless-server", metavar="PRESET", help=argparse.SUPPRESS)  # HeadlessTurns' process
    parser.add_argument("--tasks", action="store_true",
                        help="also train the presets of the other tasks (GAN, autoencoder, graph) and print their "
                             "event-loop delays and task-picture rates")
    args = parser.parse_args()
    if args.headless:
        print(headless_steps_per_second(args.headless, args.seconds))
        return 0
    if args.headless_server:
        headless_server(args.headless_server)
        return 0

    hog = None
    if args.hog:
        hog = multiprocessing.get_context("spawn").Process(target=_spin, daemon=True)
        hog.start()
    try:
        return measure(args)
    finally:
        if hog is not None:
            hog.terminate()
            hog.join()


def measure(args: argparse.Namespace) -> int:
    bench = WindowBench()
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; torch {torch.__version__}; the window "
          f"trains with {bench.panel.torch_threads} thread(s), the GUI thread with 1"
          f"{'; a one-core hog runs beside it' if args.hog else ''}")
    window, moons = [], []
    for _ in range(args.rounds):
        window.append(bench.run("lenet-shapes", args.seconds))
    moons.append(bench.run("mlp-moons", args.seconds))
    window_speed, headless_speed, slices = bench.speed_in_turns("lenet-shapes", args.slices, args.slice_seconds)
    tasks = {name: bench.run(name, args.seconds) for name in (TASK_PRESETS if args.tasks else ())}
    pairs = {name: bench.compare(name, args.seconds) for name in (COMPARE_PRESETS if args.tasks else ())}
    threads = bench.panel.torch_threads
    bench.close()

    gaps = np.concatenate([w["gaps"] for w in window + moons])
    worst, p99, p50 = float(gaps.max()), float(np.percentile(gaps, 99)), float(np.percentile(gaps, 50))
    maps = float(np.median([w["rates"]["maps"] for w in window]))
    map_gap = max(w["longest"]["maps"] for w in window)
    boundary = float(np.median([m["rates"]["boundary"] for m in moons]))
    stats = float(np.median([w["rates"]["activations"] for w in window]))
    ratio = window_speed / headless_speed
    print(f"event loop: {len(gaps)} ticks of a 10 ms timer; gap worst {worst:.1f} ms, p99 {p99:.1f} ms, "
          f"median {p50:.1f} ms   (targets: worst < 50, p99 < 20)")
    print(f"pictures drawn: feature maps {maps:.1f}/s, longest gap {map_gap:.2f} s (lenet-shapes; targets >= "
          f"{5 if args.hog else 10}/s, < 0.5 s); activation statistics {stats:.1f}/s; decision boundary "
          f"{boundary:.1f}/s (mlp-moons; target >= 4/s)")
    print(f"the GUI thread used {100 * np.mean([w['gui_cpu'] for w in window]):.0f}% of a core")
    kinds = {k for w in window for k in w["split"]}
    split = {k: float(np.mean([w["split"].get(k, 0.0) for w in window])) for k in kinds}
    print(f"the window's training thread (lenet-shapes, see time_split.py): {describe(split)}")
    print(f"lenet-shapes, taking turns in {args.slices} slices of {args.slice_seconds:g} s: window {window_speed:.1f} "
          f"steps/s; headless, probes off, {threads} threads: {headless_speed:.1f}; window/headless = {ratio:.2f}   "
          f"(target >= 0.9); the slices' own ratios: median {np.median(slices):.2f}, middle half "
          f"{np.percentile(slices, 25):.2f}-{np.percentile(slices, 75):.2f}")
    ok = (worst < 50 and p99 < 20 and maps >= (5 if args.hog else 10) and map_gap < 0.5 and boundary >= 4
          and (args.hog or ratio >= 0.9))
    for name, run in tasks.items():
        gaps_t = run["gaps"]
        fine = gaps_t.max() < 50 and np.percentile(gaps_t, 99) < 20
        ok = ok and fine
        print(f"{name}: gap worst {gaps_t.max():.1f} ms, p99 {np.percentile(gaps_t, 99):.1f} ms; task picture "
              f"{run['rates']['task']:.1f}/s; {run['steps_per_s']:.0f} steps/s{'' if fine else '   (over target)'}")
    for name, run in pairs.items():
        gaps_t = run["gaps"]
        fine = gaps_t.max() < 50 and np.percentile(gaps_t, 99) < 20
        ok = ok and fine
        print(f"{name} (comparison window): gap worst {gaps_t.max():.1f} ms, p99 {np.percentile(gaps_t, 99):.1f} ms; "
              f"pictures A {run['rates']['A']:.1f}/s, B {run['rates']['B']:.1f}/s; {run['steps_per_s']:.0f} steps/s "
              f"of each run{'' if fine else '   (over target)'}")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
