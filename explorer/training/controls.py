"""The controls of a run, callable from any thread while another iterates it.

:class:`RunControls` holds the condition variable and the requests (pause, single steps, stop,
pending live settings, a fresh probe); the trainer's loop asks :meth:`RunControls._wait_for_go`
what to do next. A paused run blocks on the condition variable; it neither spins nor yields until
told.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from typing import Any

from .settings import LIVE_KEYS, SETTING_KEYS, SettingsError, check_value, unknown_key_message

STEP, SINGLE, STOP, PROBE = "step", "single", "stop", "probe"


class RunControls(ABC):
    """Pause, resume, single steps, stop, live settings and the probe sample, thread-safe."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._paused = False
        self._stop_requested = False
        self._single_steps = 0
        self._waiting = False
        self._finished = False
        self._probe_requested = False
        self._pending: dict[str, Any] = {}
        self._probe_index = 0
        self._paused_for = 0.0

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def paused_seconds(self) -> float:
        """Seconds this run has spent paused so far (grows when a pause ends)."""
        return self._paused_for

    @property
    def probe_index(self) -> int:
        return self._probe_index

    def pause(self) -> None:
        """Hold the run before its next step, until :meth:`resume`, :meth:`step_once` or :meth:`stop`."""
        with self._cond:
            self._paused = True
            self._cond.notify_all()

    def resume(self) -> None:
        with self._cond:
            self._paused = False
            self._single_steps = 0
            self._waiting = False
            self._cond.notify_all()

    def step_once(self) -> None:
        """While paused: do exactly one optimisation step (and fresh probes), then stay paused."""
        with self._cond:
            if self._paused:
                self._single_steps += 1
                self._waiting = False
                self._cond.notify_all()

    def stop(self) -> None:
        """End the run after the step in progress; it yields ``DoneSnapshot(reason="stopped")``."""
        with self._cond:
            self._stop_requested = True
            self._waiting = False
            self._cond.notify_all()

    def update_settings(self, **changes: Any) -> None:
        """Change ``lr``, ``momentum``, ``weight_decay`` or ``batch_size`` from the next step on."""
        checked = {}
        for key, value in changes.items():
            if key not in LIVE_KEYS:
                if key not in SETTING_KEYS:
                    raise SettingsError(unknown_key_message(key, list(LIVE_KEYS)), key)
                raise SettingsError(f"training setting '{key}' cannot change while training; only "
                                    f"{', '.join(LIVE_KEYS)} can", key)
            checked[key] = check_value(key, value)
        with self._cond:
            self._pending.update(checked)

    def set_probe_index(self, index: int) -> None:
        """Which validation sample the feature maps show; a paused run yields fresh maps at once."""
        n = self._probe_count()
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < n:
            raise ValueError(f"the probe index must be a whole number from 0 to {n - 1}, not {index!r}")
        with self._cond:
            self._probe_index = index
            self._probe_requested = True
            self._cond.notify_all()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until the run waits while paused, or has ended; False if ``timeout`` passed first."""
        with self._cond:
            return self._cond.wait_for(lambda: self._waiting or self._finished, timeout)

    # For the loop ---------------------------------------------------------------------------------

    @abstractmethod
    def _probe_count(self) -> int:
        """How many validation samples a probe index may choose from."""

    def _take_pending(self) -> dict[str, Any]:
        with self._cond:
            changes, self._pending = self._pending, {}
        return changes

    def _take_probe_request(self) -> bool:
        requested, self._probe_requested = self._probe_requested, False
        return requested

    def _wait_for_go(self) -> str:
        """Block while paused: STEP, SINGLE, STOP, or PROBE when fresh maps were asked for meanwhile."""
        with self._cond:
            while True:
                if self._stop_requested:
                    return STOP
                if not self._paused:
                    return STEP
                if self._single_steps:
                    self._single_steps -= 1
                    return SINGLE
                if self._probe_requested:
                    self._probe_requested = False
                    return PROBE
                self._waiting = True
                self._cond.notify_all()
                since = time.perf_counter()
                self._cond.wait()
                self._waiting = False
                self._paused_for += time.perf_counter() - since

    def _mark_finished(self) -> None:
        with self._cond:
            self._finished = True
            self._waiting = False
            self._cond.notify_all()
