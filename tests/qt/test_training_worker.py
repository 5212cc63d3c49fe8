"""The training worker on its own: condensed delivery, commands, errors, and clean thread ends.

A small scripted trainer stands in for the real one here, so each behaviour of the worker is
tested in isolation and fast; the panel tests drive the real trainer.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest
from explorer.qt.training.worker import SnapshotBatch, SnapshotMailbox, TrainingRun
from explorer.training.snapshots import (DoneSnapshot, ErrorSnapshot, FeatureMapSnapshot, GanSnapshot,
                                         GraphSnapshot, ReconstructionSnapshot, StepSnapshot, ValidationSnapshot)


class ScriptedTrainer:
    """The Trainer's threading contract, with a generator that yields a step snapshot per step."""

    def __init__(self, steps: int = 50, *, fail_at: int | None = None, escape_at: int | None = None,
                 step_time: float = 0.0) -> None:
        self.total_steps = steps
        self.step = 0
        self.lr = 0.1
        self.fail_at = fail_at
        self.escape_at = escape_at
        self.step_time = step_time
        self._cond = threading.Condition()
        self._paused = False
        self._single = 0
        self._stop = False
        self.probe_index = 0

    @property
    def paused(self) -> bool:
        return self._paused

    def pause(self) -> None:
        with self._cond:
            self._paused = True

    def resume(self) -> None:
        with self._cond:
            self._paused = False
            self._cond.notify_all()

    def step_once(self) -> None:
        with self._cond:
            self._single += 1
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()

    def update_settings(self, **changes) -> None:
        with self._cond:
            self.lr = changes.get("lr", self.lr)

    def set_probe_index(self, index: int) -> None:
        self.probe_index = index

    def run(self):
        while self.step < self.total_steps:
            with self._cond:
                while self._paused and not self._single and not self._stop:
                    self._cond.wait()
                if self._stop:
                    yield DoneSnapshot(self.step, "stopped")
                    return
                if self._single:
                    self._single -= 1
            if self.step_time:
                threading.Event().wait(self.step_time)
            self.step += 1
            if self.escape_at == self.step:
                raise RuntimeError("escaped the generator")
            if self.fail_at == self.step:
                yield ErrorSnapshot(self.step, "ValueError: boom", "Traceback (most recent call last):\n...")
                return
            yield StepSnapshot(step=self.step, epoch=1, loss=1.0 / self.step, lr=self.lr, batch_size=8,
                               grad_norms={"fc1": 0.1}, total_steps=self.total_steps)
            if self.step % 10 == 0:
                yield FeatureMapSnapshot(self.step, self.probe_index, np.zeros((1, 4, 4), np.float32), "a",
                                         {"conv1": np.full((2, 3, 3), self.step, np.float32)})
                yield ValidationSnapshot(self.step, 1, 0.5)
        yield DoneSnapshot(self.step, "finished")


@pytest.fixture(autouse=True)
def no_thread_left_running():
    yield
    assert not TrainingRun.running_threads(), "a training thread outlived its test"


def collect(run: TrainingRun) -> list[SnapshotBatch]:
    batches: list[SnapshotBatch] = []
    run.batch_ready.connect(batches.append)
    return batches


def test_mailbox_announces_once_until_taken():
    box = SnapshotMailbox()
    assert box.put(StepSnapshot(1, 1, 1.0, 0.1, 8, {})) is True
    assert box.put(StepSnapshot(2, 1, 1.0, 0.1, 8, {})) is False
    maps = [FeatureMapSnapshot(s, 0, np.zeros((1, 2, 2), np.float32), "", {}) for s in (3, 4)]
    for m in maps:
        box.put(m)
    batch = box.take()
    assert [s.step for s in batch.steps] == [1, 2]
    assert batch.feature_maps is maps[-1]  # pictures: the latest wins
    assert not box.take()
    assert box.put(DoneSnapshot(5, "finished")) is True


def test_mailbox_keeps_the_latest_of_each_task_picture_and_every_named_loss():
    box = SnapshotMailbox()
    images = np.zeros((2, 1, 4, 4), np.float32)
    recons = [ReconstructionSnapshot(s, images, images) for s in (1, 2, 3)]
    gans = [GanSnapshot(s, np.zeros((5, 2), np.float32)) for s in (1, 2)]
    graph = GraphSnapshot(4, np.zeros(3, np.int64), np.zeros(3, np.int64), np.ones(3, bool),
                          np.zeros((0, 2), np.int64), np.zeros((3, 2), np.float32))
    assert box.put(recons[0]) is True  # a picture alone announces a batch
    for snap in [*recons[1:], *gans, graph]:
        assert box.put(snap) is False
    box.put(StepSnapshot(5, 1, 0.7, 0.1, 8, {}, losses={"generator": 0.7, "discriminator": 1.3}))
    batch = box.take()
    assert batch.pictures == {"reconstruction": recons[-1], "gan": gans[-1], "graph": graph}
    assert batch.steps[0].losses == {"generator": 0.7, "discriminator": 1.3}
    assert not box.take().pictures  # taken: the next batch starts empty
    assert SnapshotBatch(pictures={"gan": gans[0]})  # a batch of only a picture is not empty


def test_a_run_delivers_every_step_in_few_batches_and_ends(qtbot):
    run = TrainingRun(ScriptedTrainer(steps=2000))
    batches = collect(run)
    with qtbot.waitSignal(run.finished, timeout=10_000) as finished:
        run.start()
    steps = [s.step for b in batches for s in b.steps]
    assert steps == list(range(1, 2001))
    assert len(batches) < 200  # condensed, not one signal per step
    assert finished.args[0].reason == "finished"
    assert batches[-1].end is finished.args[0]
    assert not run.is_running()


def test_pause_step_resume_and_live_settings(qtbot):
    trainer = ScriptedTrainer(steps=10_000, step_time=0.001)
    run = TrainingRun(trainer)
    batches = collect(run)
    run.start(paused=True)
    run.step_once()
    qtbot.waitUntil(lambda: any(b.steps for b in batches), timeout=5000)
    assert [s.step for b in batches for s in b.steps] == [1]
    run.update_settings(lr=0.5)
    run.resume()
    qtbot.waitUntil(lambda: batches[-1].steps and batches[-1].steps[-1].lr == 0.5, timeout=5000)
    run.pause()
    qtbot.waitUntil(lambda: trainer.step == batches[-1].steps[-1].step if batches[-1].steps else False,
                    timeout=5000)
    with qtbot.waitSignal(run.finished, timeout=5000) as finished:
        run.stop()
    assert finished.args[0].reason == "stopped"


def test_an_exception_escaping_the_generator_comes_home(qtbot):
    run = TrainingRun(ScriptedTrainer(steps=100, escape_at=7))
    with qtbot.waitSignal(run.finished, timeout=5000) as finished:
        run.start()
    end = finished.args[0]
    assert isinstance(end, ErrorSnapshot)
    assert "escaped the generator" in end.message and "RuntimeError" in end.traceback
    assert end.step == 6


@pytest.mark.parametrize("paused", [False, True])
def test_shutdown_ends_the_thread_at_once(qtbot, paused):
    trainer = ScriptedTrainer(steps=10**9, step_time=0.001)
    run = TrainingRun(trainer)
    ends = []
    run.finished.connect(ends.append)
    run.start(paused=paused)
    qtbot.waitUntil(lambda: trainer.step > 0 or paused, timeout=5000)
    thread = run._thread
    assert run.shutdown(timeout=1.0)
    assert thread.isFinished()
    assert [e.reason for e in ends] == ["stopped"]
    assert not run.is_running()
    assert not TrainingRun.running_threads()
