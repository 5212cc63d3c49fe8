"""Staged drawing: a batch of snapshots is taken in at once (cheap), then drawn view by view in turns
of the event loop, each turn drawing stages back to back for at most ``TURN_BUDGET`` seconds.

Drawing everything at once blocked the event loop for the sum of all the repaints when the views
were costly; in stages, the window can react between any two turns. But each turn wakes the GUI
thread, and each wake-up takes a core from a training thread mid-operation, whose partner then
waits for it: on 2 cores, a thread taking 10 % of a core in 1 ms bursts every 10 ms cost training
13 %, in 9 ms bursts every 100 ms 6 %. So the stages that fit in the budget are drawn in one turn.
The price is the event loop's delay: a 10 ms timer's 99th percentile gap went from about 13 ms to
17-18 ms in bench_responsiveness (target under 20).
Every stage is due again when a batch lands, the ones already drawn for an earlier batch too (a
batch landing while stages are queued has steps the drawn curves lack); stages run in a fixed
order, so the progress stage, which reports the batches as drawn, always runs last.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, Signal

from explorer.training.snapshots import StepSnapshot

from .progress_view import ProgressView
from .views import TrainingViews
from .worker import SnapshotBatch

SHARED_PICTURES = ("feature_maps", "activation", "boundary")  # SnapshotBatch fields drawn by the shared views
TURN_BUDGET = 0.008  # seconds of drawing per turn of the event loop, past which the next stage waits a turn


def queue_stages(queue: list, due, order, timer: QTimer) -> None:
    """Add the ``due`` stages not queued yet to ``queue``, keep it in ``order`` (a drawing that reports the
    batches as drawn stays last), and start ``timer``, which calls :func:`run_stages` at the next turn of
    the event loop. The panel's drawing and the comparison window's share it."""
    for stage in due:
        if stage not in queue:
            queue.append(stage)
    queue.sort(key=list(order).index)
    if not timer.isActive():
        timer.start()


def run_stages(queue: list, draw, timer: QTimer, budget: float = TURN_BUDGET) -> None:
    """One turn's drawing: ``draw`` the stages at the head of ``queue`` until it is empty or ``budget``
    seconds have gone (at least one stage is drawn); ``timer`` brings the rest at the next turn."""
    deadline = time.perf_counter() + budget
    while queue:
        draw(queue.pop(0))
        if time.perf_counter() >= deadline:
            break
    if queue:
        timer.start()


class StagedDrawing(QObject):
    """Draws :class:`SnapshotBatch` es into ``views`` and ``progress`` in stages; ``batch_drawn`` after each."""

    batch_drawn = Signal(object)  # SnapshotBatch, once every view drew it

    def __init__(self, views: TrainingViews, progress: ProgressView, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.views = views
        self.progress = progress
        self.latest_step: StepSnapshot | None = None
        self.latest_metrics: dict[str, float] | None = None  # the last validation's further measures
        self.stages: list = []          # drawing still to do, one call per turn of the event loop, in order
        self._taken: list[SnapshotBatch] = []
        self._pictures: dict = {}
        self._force_progress = False
        # While the history slider shows the past, the pictures and gradients wait (the newest of each
        # kept in ``latest_pictures``) and the loss curves and figures go on; ``thaw`` shows them again.
        self.frozen = False
        self.latest_pictures: dict = {}
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(0)  # at the next turn, without sleeping first: one wake-up per delivery
        self.timer.timeout.connect(self.run_turn)

    def take(self, batch: SnapshotBatch, offset: int, *, force_progress: bool = False) -> None:
        """Add ``batch`` to the views' data now (x shifted by ``offset``) and queue its drawing.

        ``force_progress``: the figures must show this batch's last step (paused, or the run ends).
        """
        views = self.views
        # Forced even by a batch without steps: the run's end can come after its last step's batch,
        # and the figures must then show that step, not one the 4 Hz throttle left behind.
        self._force_progress = self._force_progress or force_progress
        if batch.steps:
            views.loss_view.add_steps(batch.steps, offset)
            views.gradient_view.add_steps(batch.steps, offset)
            self.latest_step = batch.steps[-1]
        if batch.validations:
            views.loss_view.add_validations(batch.validations, offset)
            self.latest_metrics = batch.validations[-1].val_metrics
        for name in SHARED_PICTURES:
            picture = getattr(batch, name)
            if picture is not None:
                self._pictures[name] = picture
        self._pictures.update(batch.pictures)
        self.latest_pictures.update(self._pictures)
        self._taken.append(batch)
        order = self._order()
        queue_stages(self.stages, order, order, self.timer)

    def _order(self) -> list:
        if self.frozen:
            return [self.views.loss_view.redraw, self._draw_progress]
        return [self.views.loss_view.redraw, self.views.gradient_view.redraw, self._draw_pictures,
                self._draw_progress]

    def thaw(self) -> None:
        """Back to the live pictures after the history showed the past: the newest of each, now."""
        self.frozen = False
        self._pictures = {}
        self.views.gradient_view.redraw()
        self.views.draw_pictures(dict(self.latest_pictures))

    def run_turn(self) -> None:
        """The drawing of one turn of the event loop (see :func:`run_stages`)."""
        run_stages(self.stages, lambda stage: stage(), self.timer)

    def next_stage(self) -> None:
        """Draw only the next stage (a test lands a batch between two)."""
        run_stages(self.stages, lambda stage: stage(), self.timer, budget=0.0)

    def flush(self) -> None:
        """Run the stages still waiting, now (a run ended)."""
        self.timer.stop()
        while self.stages:
            self.stages.pop(0)()

    def cancel(self) -> None:
        """Forget what waits (another document): nothing of it is drawn."""
        self.timer.stop()
        self.stages, self._taken, self._pictures = [], [], {}
        self.latest_pictures = {}
        self._force_progress = False

    def reset_progress(self, offset: int) -> None:
        self.latest_step = None
        self.progress.reset(offset)

    @property
    def busy(self) -> bool:
        """True while a batch taken in is still being drawn."""
        return bool(self.stages)

    def _draw_pictures(self) -> None:
        if self.frozen:  # queued before the slider moved back: the past stays on screen
            return
        pictures, self._pictures = self._pictures, {}
        self.views.draw_pictures(pictures)

    def _draw_progress(self) -> None:
        """The last stage: the figures, then ``batch_drawn`` for every batch drawn."""
        if self.latest_step is not None:
            self.progress.show_step(self.latest_step, force=self._force_progress)
        self._force_progress = False
        taken, self._taken = self._taken, []
        for batch in taken:
            self.batch_drawn.emit(batch)
