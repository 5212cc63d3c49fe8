"""The training worker: a :class:`Trainer`'s generator running in a QThread, its snapshots condensed.

Only plain snapshots cross from the training thread to the GUI, and not often (STYLE 7, 8):

* the worker puts every snapshot into a :class:`SnapshotMailbox`; step scalars and validations
  accumulate, images (feature maps, activation statistics, decision boundary, and the task's own
  pictures: reconstructions, GAN samples, graph predictions) are latest-wins;
* the worker emits ``snapshots_ready`` only when the mailbox goes from empty to non-empty, so at
  most one notification is ever waiting in the GUI's event queue, however fast the steps come;
* :class:`TrainingRun`, on the GUI thread, empties the mailbox at most every ``interval_ms``
  (50 ms, 20 times a second) and emits ``batch_ready`` with everything at once;
* the interval adapts to what drawing costs: when the GUI thread has spent more than
  ``cpu_budget`` of its time since the last batch (the plots' repaints included), the next
  batch waits longer, up to ``max_interval_ms``; when it is idle, the interval shrinks back.
  Training and drawing share the cores, so the plots never take much from the training.

Commands (pause, resume, one step, stop, live settings, probe sample) go straight to the
trainer's thread-safe methods; the worker never touches a widget. Everything the generator
raises comes home as an :class:`ErrorSnapshot` with its traceback (STYLE 11).
"""

from __future__ import annotations

import threading
import time
import traceback
import weakref
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer, Signal, Slot

from explorer.training.snapshots import (ActivationSnapshot, BoundarySnapshot, DoneSnapshot, ErrorSnapshot,
                                         FeatureMapSnapshot, FunctionSnapshot, GanSnapshot, GraphSnapshot,
                                         ReconstructionSnapshot, SequenceSnapshot, StepSnapshot, TaskPicture,
                                         ValidationSnapshot)

from explorer.training.threads import ThreadGovernor

from .cores import lower_this_thread_priority

EndSnapshot = DoneSnapshot | ErrorSnapshot

# The task pictures by the name a batch files them under; the latest of each wins.
TASK_PICTURES: dict[type, str] = {ReconstructionSnapshot: "reconstruction", GanSnapshot: "gan",
                                  GraphSnapshot: "graph", SequenceSnapshot: "sequence", FunctionSnapshot: "function"}


@dataclass
class SnapshotBatch:
    """Everything that arrived since the GUI last looked: all scalars, the latest of each picture."""

    steps: list[StepSnapshot] = field(default_factory=list)
    validations: list[ValidationSnapshot] = field(default_factory=list)
    activation: ActivationSnapshot | None = None
    feature_maps: FeatureMapSnapshot | None = None
    boundary: BoundarySnapshot | None = None
    # "reconstruction" | "gan" | "graph" | "sequence" | "function"
    pictures: dict[str, TaskPicture] = field(default_factory=dict)
    end: EndSnapshot | None = None

    def __bool__(self) -> bool:
        return bool(self.steps or self.validations or self.activation or self.feature_maps or self.boundary
                    or self.pictures or self.end)


class SnapshotMailbox:
    """Where the training thread leaves snapshots and the GUI thread collects them, under one lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._batch = SnapshotBatch()
        self._announced = False

    def put(self, snap: Any) -> bool:
        """Add ``snap``; True when the GUI has not been told yet that something is waiting."""
        with self._lock:
            batch = self._batch
            if isinstance(snap, StepSnapshot):
                batch.steps.append(snap)
            elif isinstance(snap, ValidationSnapshot):
                batch.validations.append(snap)
            elif isinstance(snap, FeatureMapSnapshot):
                batch.feature_maps = snap
            elif isinstance(snap, ActivationSnapshot):
                batch.activation = snap
            elif isinstance(snap, BoundarySnapshot):
                batch.boundary = snap
            elif type(snap) in TASK_PICTURES:
                batch.pictures[TASK_PICTURES[type(snap)]] = snap
            elif isinstance(snap, (DoneSnapshot, ErrorSnapshot)):
                if batch.end is None:  # the first end is the true one
                    batch.end = snap
            else:
                return False
            announce, self._announced = not self._announced, True
            return announce

    def take(self, *, again: bool = False) -> SnapshotBatch:
        """Everything waiting, emptying the mailbox.

        ``again``: the GUI comes back by itself after an interval when it found something, so the
        snapshots put meanwhile need not announce themselves (one wake-up of the GUI thread per
        delivery, not two); found empty, the next snapshot announces itself again.
        """
        with self._lock:
            batch, self._batch = self._batch, SnapshotBatch()
            self._announced = again and bool(batch)
            return batch


class TrainingWorker(QObject):
    """Iterates ``trainer.run()`` in its thread; lives in that thread while it runs.

    ``torch_threads``: the intra-op thread count for this thread's torch work (None leaves it).
    """

    snapshots_ready = Signal()  # the mailbox went from empty to non-empty
    finished = Signal()         # the generator ended; the mailbox holds the end snapshot

    def __init__(self, trainer: Any, mailbox: SnapshotMailbox, torch_threads: int | None = None) -> None:
        super().__init__()
        self._trainer = trainer
        self._mailbox = mailbox
        self._torch_threads = torch_threads

    @Slot()
    def run(self) -> None:
        step = 0
        ended = False
        generator = None
        previous_threads = None
        governor = None
        try:
            lower_this_thread_priority()  # before torch starts its helper threads: they inherit it
            if self._torch_threads:
                import torch
                previous_threads = torch.get_num_threads()
                torch.set_num_threads(self._torch_threads)  # also the default of new threads: put back at the end
                governor = ThreadGovernor(self._torch_threads)
            generator = self._trainer.run()
            for snap in generator:
                if governor is not None and (threads := governor.poll(self._trainer.paused_seconds)) is not None:
                    torch.set_num_threads(threads)  # other programs took or gave back cores
                step = getattr(snap, "step", step)
                self._put(snap)
                if isinstance(snap, (DoneSnapshot, ErrorSnapshot)):
                    ended = True
                    break
        except BaseException as error:  # noqa: BLE001  everything comes home (STYLE 11)
            self._put(ErrorSnapshot(step=step, message=f"{type(error).__name__}: {error}",
                                    traceback=traceback.format_exc()))
            ended = True
        finally:
            if generator is not None:
                try:
                    generator.close()
                except BaseException as error:  # noqa: BLE001
                    if not ended:
                        self._put(ErrorSnapshot(step=step, message=f"{type(error).__name__}: {error}",
                                                traceback=traceback.format_exc()))
                        ended = True
            if not ended:
                self._put(DoneSnapshot(step=step, reason="stopped"))
            if previous_threads is not None:
                import torch
                torch.set_num_threads(previous_threads)
            # Hand this object back to the GUI thread, so it can be deleted there once the thread is done.
            app = QCoreApplication.instance()
            if app is not None:
                self.moveToThread(app.thread())
            self.finished.emit()
            QThread.currentThread().quit()

    def _put(self, snap: Any) -> None:
        if self._mailbox.put(snap):
            self.snapshots_ready.emit()


class TrainingRun(QObject):
    """One run of a trainer in a background thread, seen from the GUI thread.

    ``start()`` starts the thread; ``batch_ready(SnapshotBatch)`` arrives at most every
    ``interval_ms``; ``finished(end_snapshot)`` arrives once, after the last batch, when the
    thread has ended. ``shutdown()`` stops the trainer and waits for the thread.
    """

    batch_ready = Signal(object)  # SnapshotBatch
    finished = Signal(object)     # DoneSnapshot | ErrorSnapshot

    _threads: "weakref.WeakSet[QThread]" = weakref.WeakSet()

    @classmethod
    def running_threads(cls) -> list[QThread]:
        """Training threads of any run that have not ended (tests assert there are none left)."""
        running = []
        for thread in list(cls._threads):
            try:
                if thread.isRunning():
                    running.append(thread)
            except RuntimeError:  # its C++ side is already deleted, so it has ended
                pass
        return running

    def __init__(self, trainer: Any, parent: QObject | None = None, *, interval_ms: int = 50,
                 torch_threads: int | None = None, max_interval_ms: int = 250, cpu_budget: float = 0.1,
                 mailbox: Any = None) -> None:
        super().__init__(parent)
        self.min_interval_ms = interval_ms
        self.max_interval_ms = max(interval_ms, max_interval_ms)
        self.cpu_budget = cpu_budget
        self._cpu_mark = (time.thread_time(), time.monotonic())
        self.trainer = trainer
        self.interval_ms = interval_ms
        self.end: EndSnapshot | None = None
        # ``mailbox``: another way of condensing what the trainer yields (a comparison's two runs); it needs
        # ``put(snap) -> announce`` and ``take() -> batch`` with ``batch.end`` and truth when not empty.
        self._mailbox = mailbox if mailbox is not None else SnapshotMailbox()
        self._thread: QThread | None = QThread()
        self._thread.setObjectName("trainingThread")
        TrainingRun._threads.add(self._thread)
        self._worker: TrainingWorker | None = TrainingWorker(trainer, self._mailbox, torch_threads)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.snapshots_ready.connect(self._on_snapshots_ready)
        self._worker.finished.connect(self._on_worker_finished)
        self._drain_timer = QTimer(self)
        self._drain_timer.setSingleShot(True)
        self._drain_timer.timeout.connect(self._drain)
        self._last_drain = 0.0
        self._end_seen: EndSnapshot | None = None
        self._started = False

    # Commands: straight to the trainer's thread-safe methods ----------------------------------------

    def start(self, paused: bool = False) -> None:
        if self._started:
            raise RuntimeError("a TrainingRun starts once")
        self._started = True
        if paused:
            self.trainer.pause()
        self._thread.start()

    def pause(self) -> None:
        self.trainer.pause()

    def resume(self) -> None:
        self.trainer.resume()

    def toggle_pause(self) -> None:
        """Resume a paused run, pause a running one."""
        if self.paused:
            self.resume()
        else:
            self.pause()

    def step_once(self) -> None:
        self.trainer.step_once()

    def stop(self) -> None:
        self.trainer.stop()

    def update_settings(self, **changes: Any) -> None:
        self.trainer.update_settings(**changes)

    def set_probe_index(self, index: int) -> None:
        self.trainer.set_probe_index(index)

    @property
    def paused(self) -> bool:
        return bool(getattr(self.trainer, "paused", False))

    def is_running(self) -> bool:
        """True from ``start()`` until the thread has ended."""
        return self._thread is not None and self._started and self.end is None

    def shutdown(self, timeout: float = 1.0) -> bool:
        """Stop the trainer and wait up to ``timeout`` seconds for the thread; True if it ended.

        Delivers the last batch and ``finished`` before returning when the thread ended.
        """
        if self._thread is None:
            return True
        if not self._started:
            self._finish(DoneSnapshot(step=0, reason="stopped"))
            return True
        self.trainer.stop()
        if not self._thread.wait(int(timeout * 1000)):
            return False
        self._on_worker_finished()
        return True

    # Delivery on the GUI thread ------------------------------------------------------------------

    @Slot()
    def _on_snapshots_ready(self) -> None:
        if self._drain_timer.isActive() or self.end is not None:
            return
        wait_ms = self.interval_ms - (time.monotonic() - self._last_drain) * 1000.0
        if wait_ms <= 0:
            self._drain()
        else:
            self._drain_timer.start(int(wait_ms) + 1)

    def _adapt_interval(self) -> None:
        """Space batches so the GUI thread stays near ``cpu_budget`` of a core (measured, not guessed)."""
        cpu, wall = time.thread_time(), time.monotonic()
        used = (cpu - self._cpu_mark[0]) / max(wall - self._cpu_mark[1], 1e-3)
        self._cpu_mark = (cpu, wall)
        if used > self.cpu_budget:
            self.interval_ms = min(self.max_interval_ms, int(self.interval_ms * 1.25) + 1)
        elif used < self.cpu_budget / 2:
            self.interval_ms = max(self.min_interval_ms, int(self.interval_ms / 1.25))

    @Slot()
    def _drain(self) -> None:
        self._adapt_interval()
        self._last_drain = time.monotonic()
        batch = self._mailbox.take(again=True)
        if batch.end is not None:
            self._end_seen = batch.end
        if batch:
            if batch.end is None:  # more is coming: collect it after the interval, unannounced
                self._drain_timer.start(self.interval_ms)
            self.batch_ready.emit(batch)

    @Slot()
    def _on_worker_finished(self) -> None:
        if self._thread is None:  # already finished (shutdown() and the queued signal both land here)
            return
        self._thread.wait()  # the worker has returned; the thread ends within moments
        self._drain()
        self._drain_timer.stop()
        self._finish(self._end_seen or DoneSnapshot(step=0, reason="stopped"))

    def _finish(self, end: EndSnapshot) -> None:
        self._drain_timer.stop()
        self.end = end
        worker, thread = self._worker, self._thread
        self._worker = self._thread = None
        if worker is not None:
            worker.snapshots_ready.disconnect(self._on_snapshots_ready)
            worker.finished.disconnect(self._on_worker_finished)
            worker.deleteLater()
        if thread is not None:
            thread.deleteLater()
        self.finished.emit(end)
