"""Pause, resume, single steps, stop and the probe sample, driven from another thread.

The trainer runs in a consumer thread that puts every snapshot into a queue; the test thread
waits on that queue and on ``wait_idle`` (the run blocked while paused), never on sleeps.
"""

import queue
import threading

import pytest

from explorer.training.settings import TrainingSettings
from explorer.training.snapshots import DoneSnapshot, FeatureMapSnapshot, StepSnapshot
from explorer.training.trainer import Trainer

TIMEOUT = 60


class Consumer:
    """Iterates ``trainer.run()`` in a thread; snapshots arrive in ``self.queue``."""

    def __init__(self, trainer: Trainer):
        self.trainer = trainer
        self.queue: queue.Queue = queue.Queue()
        self.thread = threading.Thread(target=self._consume, daemon=True)
        self.thread.start()

    def _consume(self):
        for snap in self.trainer.run():
            self.queue.put(snap)

    def next_of(self, kind):
        """The next snapshot of ``kind``, skipping the others."""
        while True:
            snap = self.queue.get(timeout=TIMEOUT)
            if isinstance(snap, kind):
                return snap

    def drain(self):
        out = []
        while not self.queue.empty():
            out.append(self.queue.get_nowait())
        return out

    def join(self):
        self.thread.join(TIMEOUT)
        assert not self.thread.is_alive()


@pytest.fixture
def trainer(cnn_doc, bands):
    return Trainer(cnn_doc, TrainingSettings(batch_size=16, lr=0.01), dataset=bands, steps=1_000_000)


def test_paused_before_start_then_single_steps(trainer):
    trainer.pause()
    consumer = Consumer(trainer)
    assert trainer.wait_idle(TIMEOUT) and trainer.paused and trainer.step == 0
    for expected in (1, 2, 3):
        trainer.step_once()
        assert consumer.next_of(StepSnapshot).step == expected
        assert trainer.wait_idle(TIMEOUT)
        assert trainer.step == expected  # exactly one step, then it waits again
        late = consumer.drain()
        assert not any(isinstance(s, StepSnapshot) for s in late)
        assert any(isinstance(s, FeatureMapSnapshot) and s.step == expected for s in late)  # fresh probes
    trainer.stop()
    done = consumer.next_of(DoneSnapshot)
    assert done.reason == "stopped" and done.step == 3
    consumer.join()


def test_pause_resume_and_stop_while_running(trainer):
    consumer = Consumer(trainer)
    consumer.next_of(StepSnapshot)
    trainer.pause()
    assert trainer.wait_idle(TIMEOUT)
    held = trainer.step
    consumer.drain()
    trainer.step_once()
    assert consumer.next_of(StepSnapshot).step == held + 1
    assert trainer.wait_idle(TIMEOUT) and trainer.step == held + 1
    trainer.resume()
    assert not trainer.paused
    first = consumer.next_of(StepSnapshot).step
    assert consumer.next_of(StepSnapshot).step == first + 1  # running freely again
    stopped_at = trainer.step
    trainer.stop()
    done = consumer.next_of(DoneSnapshot)
    assert done.reason == "stopped" and done.step <= stopped_at + 1  # within one step
    consumer.join()


def test_paused_seconds_grow_only_with_a_pause(trainer):
    consumer = Consumer(trainer)
    consumer.next_of(StepSnapshot)
    assert trainer.paused_seconds == 0.0  # running: no pause yet
    trainer.pause()
    assert trainer.wait_idle(TIMEOUT)
    consumer.drain()  # the steps before the pause
    trainer.resume()
    consumer.next_of(StepSnapshot)
    after = trainer.paused_seconds
    assert after > 0.0
    consumer.next_of(StepSnapshot)
    assert trainer.paused_seconds == after  # training on adds nothing
    trainer.stop()
    consumer.join()


def test_stop_while_paused(trainer):
    trainer.pause()
    consumer = Consumer(trainer)
    assert trainer.wait_idle(TIMEOUT)
    trainer.stop()
    done = consumer.next_of(DoneSnapshot)
    assert (done.reason, done.step) == ("stopped", 0)
    consumer.join()
    assert trainer.wait_idle(0)  # finished counts as idle


def test_probe_index_while_paused_yields_fresh_maps(trainer, bands):
    trainer.pause()
    consumer = Consumer(trainer)
    assert trainer.wait_idle(TIMEOUT)
    consumer.drain()
    trainer.set_probe_index(7)
    maps = consumer.next_of(FeatureMapSnapshot)
    assert maps.probe_index == 7 and maps.step == 0
    assert maps.probe_label == bands.class_names[bands.y_val[7]]
    assert trainer.wait_idle(TIMEOUT) and trainer.step == 0
    trainer.stop()
    consumer.next_of(DoneSnapshot)
    consumer.join()


def test_live_settings_from_another_thread(trainer):
    trainer.pause()
    consumer = Consumer(trainer)
    assert trainer.wait_idle(TIMEOUT)
    trainer.update_settings(lr=0.5, batch_size=4)
    trainer.step_once()
    step = consumer.next_of(StepSnapshot)
    assert (step.lr, step.batch_size) == (0.5, 4)
    trainer.stop()
    consumer.next_of(DoneSnapshot)
    consumer.join()
