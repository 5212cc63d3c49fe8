"""What the window's drawing costs a trainer that runs in another process.

The window trains in its own process, so its GUI thread and its training thread share the GIL and
the cores. Would a trainer in a process of its own keep more of its speed? This measures the part
that would stay: the window draws a recorded ``lenet-shapes`` run (its snapshots replayed on the
training thread at the pace they came, probes at the window's rates), while a headless trainer
(probes off, as ``nn-explorer train`` runs) trains in another process. The window replays in every
other slice and waits in the others; the headless trainer's speed beside the drawing window is
divided by its speed beside the waiting one.

    python tests/benchmarks/bench_drawing_cost.py [--slices 40] [--slice-seconds 0.5]

Measured on 2 cores (five runs): the GUI thread at 7-9 % of a core, 13-14 deliveries a second,
cost the other process's trainer 6-12 % (ratios 0.94, 0.90, 0.89, 0.89, 0.88). The trainer's own
probes take another 3-4 % of its time (bench_responsiveness.py's time split), so a trainer process
would land at about 0.85-0.91 of headless, where the window's own training reaches 0.82-0.86: on
2 cores, what the drawing costs is mostly the core it takes, not the GIL it shares.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench_responsiveness import PRESETS, HeadlessTurns, WindowBench, wait  # noqa: E402  (imports torch first)

PRESET = "lenet-shapes"


def record(seconds: float) -> list[tuple[float, object]]:
    """The snapshots of ``seconds`` of headless training with the window's probe rates, each with its time."""
    from explorer.graph.fileformat import load
    from explorer.training.probes import LIVE_RATES
    from explorer.training.trainer import Trainer

    trainer = Trainer(load(PRESETS / f"{PRESET}.json"), steps=10**7, probe_rates=LIVE_RATES)
    started, snapshots = time.perf_counter(), []
    for snap in trainer.run():
        now = time.perf_counter() - started
        snapshots.append((now, snap))
        if now > seconds:
            trainer.stop()
            break
    return snapshots


class Replay:
    """Stands in for ``Trainer.run``: yields the recorded snapshots at their pace while :attr:`on`, and
    returns when :attr:`stopped` (or at the recording's end)."""

    def __init__(self, snapshots: list[tuple[float, object]]) -> None:
        self.snapshots = snapshots
        self.on = False
        self.stopped = False

    def run(self):
        clock, last = 0.0, time.perf_counter()
        for when, snap in self.snapshots:
            while not self.stopped:
                now = time.perf_counter()
                if self.on:
                    clock += now - last
                last = now
                if self.on and clock >= when:
                    break
                time.sleep(0.002)
            if self.stopped:
                return
            yield snap


def measure(slices: int, seconds: float) -> dict:
    """Headless steps/s beside the drawing window and beside the waiting one, in ``slices`` pairs of turns."""
    from explorer.training.trainer import Trainer

    replay = Replay(record(slices * seconds * 1.5 + 5))
    bench = WindowBench()
    panel, original = bench.panel, Trainer.run
    assert bench.window.open_document(PRESETS / f"{PRESET}.json", as_copy=True), bench.window.last_error
    panel.trainer_options = {"steps": 10**7}
    panel.tabs.setCurrentWidget(panel.feature_view)

    deliveries, gui = [0], {"cpu": 0.0, "wall": 0.0}
    panel.batch_applied.connect(lambda _batch: replay.on and deliveries.__setitem__(0, deliveries[0] + 1))
    headless = HeadlessTurns(PRESET)
    Trainer.run = replay.run
    try:
        assert panel.train(), panel.message.text.text()
        previous = headless.turn(seconds, wait)  # warm-up
        turns: dict[bool, list[tuple[int, float]]] = {True: [], False: []}
        for i in range(slices):
            for drawing in ((True, False) if i % 2 == 0 else (False, True)):
                replay.on = drawing
                wait(0.05)  # the window catches up with (or finishes) its drawing
                cpu, wall = time.thread_time(), time.monotonic()
                mark = headless.turn(seconds, wait)
                if drawing:
                    gui["cpu"] += time.thread_time() - cpu
                    gui["wall"] += time.monotonic() - wall
                turns[drawing].append((mark[0] - previous[0], mark[1] - previous[1]))
                previous = mark
        replay.on = False
    finally:
        replay.stopped = True
        Trainer.run = original
        headless.close()
        panel.shutdown()
        bench.close()

    def rate(pairs):
        return sum(steps for steps, _ in pairs) / sum(elapsed for _, elapsed in pairs)

    pairs = [(a[0] / a[1]) / (b[0] / b[1]) for a, b in zip(turns[True], turns[False])]
    return {"drawing": rate(turns[True]), "waiting": rate(turns[False]), "pairs": pairs,
            "deliveries": deliveries[0] / gui["wall"], "gui": gui["cpu"] / gui["wall"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slices", type=int, default=40, help="pairs of turns, drawing and waiting")
    parser.add_argument("--slice-seconds", type=float, default=0.5, help="length of each turn")
    args = parser.parse_args()
    result = measure(args.slices, args.slice_seconds)
    print(f"{os.cpu_count()} cores; the window drawing a recorded {PRESET} run: {result['deliveries']:.1f} deliveries/s, "
          f"its GUI thread {100 * result['gui']:.1f}% of a core")
    print(f"headless {PRESET} (probes off, another process): {result['drawing']:.1f} steps/s beside the drawing "
          f"window, {result['waiting']:.1f} beside the waiting one; ratio {result['drawing'] / result['waiting']:.3f} "
          f"(median of the pairs {statistics.median(result['pairs']):.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
