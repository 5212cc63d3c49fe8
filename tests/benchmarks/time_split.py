"""Where a training thread's time goes, from the moments it handed over its snapshots.

The window's trainer yields a ``StepSnapshot`` after every step and a probe's or validation's
snapshot right after the work that made it, so the time between two handovers is what the thread
did in between. :class:`SnapshotClock` notes those moments on the training thread (one clock read
and one append per snapshot); :func:`time_split` divides the span between the first and the last:

* ``steps``: every step at the typical length (the median of the steps with nothing else between);
* ``excess``: how much longer than that the steps took: the thread was held up meanwhile, by the
  GUI thread's drawing (it holds the GIL and a core) or by another program;
* one share per kind of other snapshot (``FeatureMapSnapshot``, ``ValidationSnapshot``, ...): the
  time from the handover before it, in which that probe or validation ran;
* ``rest``: whatever the thread did between a probe's handover and the next step beyond one step.

bench_responsiveness.py prints it beside the window/headless ratio: on 2 cores the excess follows
the GUI thread's busy time about one for one, which is the cost a faster drawing saves.
"""

from __future__ import annotations

import time
from collections import defaultdict

import numpy as np


class SnapshotClock:
    """While installed, notes ``(perf_counter, kind)`` for every snapshot a training worker hands over."""

    def __init__(self) -> None:
        self.marks: list[tuple[float, str]] = []
        self.recording = False
        self._original = None

    def install(self) -> SnapshotClock:
        from explorer.qt.training.worker import TrainingWorker

        original = self._original = TrainingWorker._put
        clock = self

        def put(worker, snap) -> None:
            if clock.recording:
                clock.marks.append((time.perf_counter(), type(snap).__name__))
            original(worker, snap)

        TrainingWorker._put = put
        return self

    def remove(self) -> None:
        from explorer.qt.training.worker import TrainingWorker

        if self._original is not None:
            TrainingWorker._put = self._original
            self._original = None


def time_split(marks: list[tuple[float, str]]) -> dict[str, float]:
    """Shares (fractions of the span from the first mark to the last) of steps at their typical length,
    the steps' excess over it, each other kind of snapshot, and the rest; see the module's docstring."""
    if len(marks) < 3:
        return {}
    span = marks[-1][0] - marks[0][0]
    plain = [t1 - t0 for (t0, k0), (t1, k1) in zip(marks, marks[1:]) if k0 == k1 == "StepSnapshot"]
    typical = float(np.median(plain)) if plain else 0.0
    steps = sum(1 for _, kind in marks[1:] if kind == "StepSnapshot")
    shares: dict[str, float] = defaultdict(float)
    shares["steps"] = steps * typical
    shares["excess"] = sum(plain) - len(plain) * typical
    after_other = 0.0  # intervals from another snapshot to the next step: a step and whatever followed it
    for (t0, k0), (t1, k1) in zip(marks, marks[1:]):
        if k1 != "StepSnapshot":
            shares[k1] += t1 - t0
        elif k0 != "StepSnapshot":
            after_other += t1 - t0
    shares["rest"] = after_other - (steps - len(plain)) * typical
    return {name: value / span for name, value in shares.items()}


def describe(shares: dict[str, float]) -> str:
    """One line: the shares in percent, the steps first, the others largest first."""
    if not shares:
        return "no snapshots recorded"
    names = {"steps": "steps at their typical length", "excess": "the steps' excess over it",
             "rest": "rest"}
    order = ["steps", "excess", *sorted((k for k in shares if k not in names), key=lambda k: -shares[k]), "rest"]
    return ", ".join(f"{names.get(k, k.removesuffix('Snapshot'))} {100 * shares[k]:.1f}%" for k in order)
