"""History of a long run: does the time slider's history of pictures stay under its memory cap?

Trains ``lenet-shapes`` headless with the window's probe rates (feature maps about 13 times a second,
activation statistics and the boundary 5) and hands the history what the window's worker would:
the newest picture of each kind and the last step's gradient norms, once per delivery (80 ms).
Every minute it prints the frames kept, the bytes they hold, the peak and the stride; at the end
the peak against the cap.

    python tests/benchmarks/bench_history.py [--minutes 10] [--cap-mb 64] [--simulate]

``--simulate`` does not train: it replays one real delivery's pictures (fresh copies each time) at
the delivery rate for the whole duration, in seconds rather than minutes.

Target (issue 13): the peak stays under the cap for a 10-minute run, and the kept frames still span
the run from its first minute to its last.
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from explorer.graph import fileformat  # noqa: E402
from explorer.training.history import PICTURES, RunHistory, megabytes  # noqa: E402
from explorer.training.probes import LIVE_RATES  # noqa: E402
from explorer.training.snapshots import (ActivationSnapshot, BoundarySnapshot, DoneSnapshot,  # noqa: E402
                                         ErrorSnapshot, FeatureMapSnapshot, StepSnapshot)
from explorer.training.trainer import Trainer  # noqa: E402

DELIVERY = 0.08  # seconds between the worker's deliveries (TrainingPanel.INTERVAL)
KINDS = {FeatureMapSnapshot: "feature_maps", BoundarySnapshot: "boundary", ActivationSnapshot: "activation"}


def rss_mb() -> float:
    """This process's resident memory in MB (Linux), to set the history's own count against."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            return next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS:"))
    except (OSError, StopIteration):
        return float("nan")


def report(history: RunHistory, minute: float, steps: int) -> None:
    frames = history.frames
    span = f"steps {frames[0].step}–{frames[-1].step}" if frames else "no frames"
    print(f"minute {minute:5.1f}: step {steps:7d}  frames {len(frames):5d} ({span})  "
          f"holds {megabytes(history.nbytes):>9}  peak {megabytes(history.peak_bytes):>9}  "
          f"stride {history.stride}  process RSS {rss_mb():.0f} MB", flush=True)


def real_run(history: RunHistory, seconds: float) -> int:
    doc = fileformat.load(ROOT / "presets" / "lenet-shapes.json")
    trainer = Trainer(doc, steps=10 ** 9, probe_rates=LIVE_RATES)
    started = last_delivery = last_report = time.monotonic()
    pictures, last_step, step = {}, None, 0
    for snap in trainer.run():
        if isinstance(snap, StepSnapshot):
            last_step, step = snap, snap.step
        elif type(snap) in KINDS:
            pictures[KINDS[type(snap)]] = snap
        elif isinstance(snap, (DoneSnapshot, ErrorSnapshot)):
            break
        now = time.monotonic()
        if now - last_delivery >= DELIVERY:
            last_delivery = now
            said = history.offer(step, pictures, last_step.grad_norms if last_step else None)
            if said:
                print(f"  {said}", flush=True)
            pictures = {}
        if now - last_report >= 60:
            last_report = now
            report(history, (now - started) / 60, step)
        if now - started >= seconds:
            break
    return step


def simulated_run(history: RunHistory, seconds: float) -> int:
    doc = fileformat.load(ROOT / "presets" / "lenet-shapes.json")
    trainer = Trainer(doc, steps=20, probe_rates=LIVE_RATES)
    sample, grads = {}, None
    for snap in trainer.run():  # one real run's pictures and gradients, to copy
        if type(snap) in KINDS:
            sample[KINDS[type(snap)]] = snap
        elif isinstance(snap, StepSnapshot):
            grads = snap.grad_norms
    deliveries = int(seconds / DELIVERY)
    rates = {"feature_maps": LIVE_RATES.feature_map_interval, "activation": LIVE_RATES.activation_interval,
             "boundary": LIVE_RATES.boundary_interval}
    steps_per_delivery = 8  # lenet-shapes trains about 100 steps a second in the window
    for k in range(deliveries):
        t = k * DELIVERY
        pictures = {name: copy.deepcopy(p) for name, p in sample.items()
                    if name in PICTURES and int(t / rates[name]) != int((t - DELIVERY) / rates[name])}
        said = history.offer(k * steps_per_delivery, pictures, grads)
        if said and history.thinned <= 3:
            print(f"  {said}", flush=True)
        if k and k % int(60 / DELIVERY) == 0:
            report(history, t / 60, k * steps_per_delivery)
    return deliveries * steps_per_delivery


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--cap-mb", type=float, default=None, help="the history's cap (default: the window's)")
    parser.add_argument("--simulate", action="store_true", help="replay real pictures at the delivery rate, fast")
    args = parser.parse_args(argv)
    history = RunHistory(int(args.cap_mb * 2 ** 20)) if args.cap_mb else RunHistory()
    started = time.monotonic()
    steps = (simulated_run if args.simulate else real_run)(history, args.minutes * 60)
    report(history, args.minutes, steps)
    frames = history.frames
    within = history.peak_bytes <= history.cap_bytes
    print(f"{'simulated' if args.simulate else 'real'} {args.minutes:g}-minute run ({steps} steps, "
          f"{time.monotonic() - started:.0f} s): peak history {history.peak_bytes / 2 ** 20:.2f} MB of a "
          f"{history.cap_bytes / 2 ** 20:.2f} MB cap ({100 * history.peak_bytes / history.cap_bytes:.1f} %), "
          f"{len(frames)} frames from step {frames[0].step if frames else '-'} to "
          f"{frames[-1].step if frames else '-'}, 1 in {history.stride} deliveries kept: "
          f"{'UNDER' if within else 'OVER'} the cap")
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
