"""The trainer: a generator that trains a document's network step by step and yields plain snapshots.

Everything that can be wrong with the network, the dataset or the settings is found when the
:class:`Trainer` is made (``BuildError``, ``DatasetError``, ``SettingsError``), before any training.
Once :meth:`Trainer.run` is iterating, nothing escapes it: an exception becomes an
:class:`ErrorSnapshot`, a non-finite loss ends the run as "diverged".

The controls (:meth:`pause`, :meth:`resume`, :meth:`step_once`, :meth:`stop`, :meth:`update_settings`,
:meth:`set_probe_index`) may be called from any thread while another iterates :meth:`run`. A paused
run blocks on a condition variable inside ``next()``; it neither spins nor yields until told.
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time
import traceback
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
from torch import nn

from explorer.data import DatasetError, check_sample_shape, load_dataset
from explorer.graph.build import build_module
from explorer.graph.errors import BuildError, GraphError
from explorer.graph.spec import fmt

from .batches import BatchSampler, batches_per_epoch
from .faults import check_finite_data
from .initialisation import initialise
from .objective import CLASSIFICATION, Validator, loss_function
from .optimizers import apply_live_settings, make_optimizer
from .probes import (BACKGROUND_RATES, BoundaryGrid, ParameterGroups, ProbeRates, Schedule, activation_stats,
                     feature_maps, probing, soonest)
from .settings import (LIVE_KEYS, SETTING_KEYS, SettingsError, TrainingSettings, check_value,
                       unknown_key_message)
from .snapshots import (ActivationSnapshot, BoundarySnapshot, DoneSnapshot, ErrorSnapshot, FeatureMapSnapshot,
                        Snapshot, StepSnapshot, ValidationSnapshot)

FINISHED, STOPPED, DIVERGED = "finished", "stopped", "diverged"
_FOREACH_COPY = getattr(torch, "_foreach_copy_", None)


class Trainer:
    """Trains the network of ``document`` on its dataset; iterate :meth:`run` for the snapshots.

    ``settings`` default to the document's ``training`` section; ``steps`` (if given) replaces
    ``epochs`` as the length of the run; ``dataset`` (a loaded :class:`~explorer.data.Dataset`)
    skips loading the one the settings name. ``probes=False`` leaves out the low-rate probes
    (activation statistics, feature maps, decision boundary); steps and validation always come.
    ``probe_rates`` may be replaced until the run starts.

    Rates: a :class:`StepSnapshot` every step; a :class:`ValidationSnapshot` at each epoch end and
    at the end; activation statistics, feature maps and the decision boundary as ``probe_rates``
    say (:class:`~explorer.training.probes.ProbeRates`). All probes come once before the first
    step, after every single step, and at the end.

    The probes run on the training thread, between steps, on the module itself: nothing is copied
    and no lock is needed, and what they cost is training time. That sets the trade-off, measured
    on 2 cores: a window wants pictures that move (``LIVE_RATES``: feature maps about 13 times a
    second, statistics and boundary 5, about 2 % of a small CNN's training time), a headless run
    wants speed (``BACKGROUND_RATES``, the default: each probe at most 0.25 % of the time). A probe's
    cost is judged by the median of its recent runs, its first (warm-up) run excluded, and the wait
    is capped, so a probe that once took 100 ms while its thread was pre-empted does not stop the
    pictures; a network whose probes are really slow is drawn less often, never less than every
    ``max_wait`` seconds.
    """

    def __init__(self, document, settings: TrainingSettings | None = None, *, device: str = "cpu",
                 output: str | None = None, dataset=None, steps: int | None = None, probes: bool = True,
                 probe_rates: ProbeRates = BACKGROUND_RATES):
        if settings is None:
            settings = TrainingSettings.from_dict(document.training)
        if steps is not None and (isinstance(steps, bool) or not isinstance(steps, int) or steps < 1):
            raise SettingsError(f"'steps' must be a whole number of at least 1, not {steps!r}", "steps")
        self.device = _check_device(device)
        self._settings = settings
        self._steps_limit = steps
        self.probes = probes
        self.probe_rates = probe_rates

        # Initial weights come from the settings' seed without disturbing the caller's RNG; the
        # stream then continues into dropout, so a run is the same every time.
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(settings.seed)
            module = build_module(document, output=output)
            initialise(module, settings.init, settings.init_std)
            self._rng_state = torch.get_rng_state()
        if len(module.input_ids) != 1:
            names = ", ".join(f"'{i}'" for i in module.input_ids)
            raise BuildError([GraphError(f"the network has {len(module.input_ids)} Inputs ({names}); training "
                                         "feeds one dataset, so it needs exactly one Input")])
        self.module = module.to(self.device)
        self.module.train()
        report = document.infer()
        input_node = document.node(module.input_ids[0])

        if dataset is None:
            dataset = load_dataset(settings.dataset, settings.dataset_options, seed=settings.seed,
                                   val_fraction=settings.val_fraction)
        check_sample_shape(dataset, input_node.params["shape"], input_node.params["dtype"])
        check_finite_data(dataset)  # NaN in the data is the data's fault, not a too-large learning rate
        _check_output(dataset, module.output_id, tuple(report.nodes[module.output_id].output.shape))
        self.dataset = dataset
        self.task = dataset.task
        self._classification = dataset.task == CLASSIFICATION
        self._loss_fn = loss_function(dataset.task)
        self._x_train, self._y_train = _tensors(dataset.x_train, dataset.y_train, self._classification, self.device)
        self._x_val, self._y_val = _tensors(dataset.x_val, dataset.y_val, self._classification, self.device)

        self._validator = Validator(module, self._x_val, self._y_val, dataset.task)
        self._groups = ParameterGroups(module)
        self.optimizer = make_optimizer(settings, module.parameters())
        self._stochastic = _is_stochastic(module)
        self._on_cpu = self.device.type == "cpu"
        # where each step's loss, gradient norms (and on a GPU right answers) gather for the host
        counted_on_device = self._classification and not self._on_cpu
        self._host_buffer = torch.zeros(1 + len(self._groups) + counted_on_device, device=self.device)
        self._host_views = list(self._host_buffer.unbind())
        self._node_kinds = {n: document.node(n).kind for n in module.order}
        self._map_nodes = [n for n in module.order if len(report.nodes[n].output.shape) == 3]
        self._grid = BoundaryGrid(np.concatenate([dataset.x_train, dataset.x_val]), device=self.device) \
            if dataset.is_2d else None
        self._probe_index = 0

        self._cond = threading.Condition()
        self._paused = False
        self._stop_requested = False
        self._single_steps = 0
        self._waiting = False
        self._finished = False
        self._probe_requested = False
        self._pending: dict[str, Any] = {}
        self._step = 0
        self._started = False
        self._sampler = BatchSampler(len(self._x_train), settings.seed, self.device)
        self.total_steps = self._planned_steps()

    # Properties ---------------------------------------------------------------------------------

    @property
    def settings(self) -> TrainingSettings:
        """The settings in force (live changes show here once applied at the next step)."""
        return self._settings

    @property
    def step(self) -> int:
        """Optimisation steps done so far."""
        return self._step

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def probe_index(self) -> int:
        return self._probe_index

    # Controls, callable from any thread ---------------------------------------------------------

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
        n = len(self._x_val)
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

    # The run ------------------------------------------------------------------------------------

    def run(self) -> Iterator[Snapshot]:
        """Train, yielding snapshots; ends with a :class:`DoneSnapshot` or an :class:`ErrorSnapshot`."""
        if self._started:
            raise RuntimeError("a Trainer runs once; make a new one to train again")
        self._started = True
        try:
            yield from self._run()
        except Exception as error:  # noqa: BLE001  (errors come home as snapshots)
            yield ErrorSnapshot(self._step, f"training failed at step {self._step + 1}: "
                                f"{type(error).__name__}: {error}", traceback.format_exc())
        finally:
            self.module.train()
            with self._cond:
                self._finished = True
                self._waiting = False
                self._cond.notify_all()

    def _run(self) -> Iterator[Snapshot]:
        groups, sampler = self._groups, self._sampler
        x_train, y_train = self._x_train, self._y_train
        if self.device.type == "cuda":
            torch.cuda.manual_seed(self._settings.seed)
        self._started_at = time.perf_counter()
        self._paused_for = 0.0
        schedules = self._new_schedules()
        if self.probes:
            yield from self._probe(schedules, force=True)
        due = soonest(schedules)
        validated_at = -1
        reason = FINISHED
        while True:
            if self._paused or self._stop_requested:
                action = yield from self._wait_for_go()
            else:
                action = "step"
            if action == STOPPED:
                reason = STOPPED
                break
            if self._pending:
                self._apply_pending()
            settings = self._settings
            idx, epoch, ends_epoch = sampler.next(settings.batch_size)
            loss_value, correct, norms = self._train_step(x_train[idx], y_train[idx])
            self._step += 1
            yield StepSnapshot(
                step=self._step, epoch=epoch, loss=loss_value, lr=settings.lr, batch_size=len(idx),
                grad_norms=groups.by_node(norms), acc=None if correct is None else correct / len(idx),
                momentum=settings.momentum if settings.uses_momentum else None,
                weight_decay=settings.weight_decay, elapsed=self._elapsed(), total_steps=self.total_steps)
            if not math.isfinite(loss_value):
                yield DoneSnapshot(self._step, DIVERGED, _diverged_message(self._step, loss_value, settings.lr))
                return
            if ends_epoch:
                yield self._validate(epoch)
                validated_at = self._step
            if self._run_is_over(epoch, ends_epoch):
                break
            if self.probes:
                if action == "single" or self._probe_requested:
                    self._probe_requested = False
                    yield from self._probe(schedules, force=True)
                    due = soonest(schedules)
                elif time.perf_counter() >= due:
                    yield from self._probe(schedules)
                    due = soonest(schedules)
        if reason == FINISHED:
            if validated_at != self._step:
                yield self._validate(sampler.epoch)
            if self.probes:
                yield from self._probe(schedules, force=True)
        yield DoneSnapshot(self._step, reason,
                           "" if reason == FINISHED else f"stopped after {self._step} steps")

    def _train_step(self, xb: torch.Tensor, yb: torch.Tensor) -> tuple[float, int | None, list[float]]:
        """One optimisation step: ``(loss, right answers or None, per-tensor gradient norms)``.

        The loss and the norms (and on a GPU the right answers) are copied by one batched
        ``_foreach_copy_`` into views of one preallocated buffer, which comes to the host in one
        copy: the same as a stack, without allocating. On the CPU the right answers are counted in
        numpy, where ``.numpy()`` shares memory and a call costs a microsecond, not a dispatch's ten.
        """
        if self._stochastic:
            torch.set_rng_state(self._rng_state)
        self.optimizer.zero_grad(set_to_none=True)
        out = self.module(xb)
        loss = self._loss_fn(out, yb)
        loss.backward()
        self.optimizer.step()
        if self._stochastic:
            self._rng_state = torch.get_rng_state()
        parts = [loss.detach()]
        if self._groups.params:
            parts.extend(torch._foreach_norm(self._groups.grads()))
        correct = None
        if self._classification:
            if self._on_cpu:
                correct = int(np.count_nonzero(out.detach().numpy().argmax(1) == yb.numpy()))
            else:
                parts.append((out.detach().argmax(1) == yb).sum(dtype=self._host_buffer.dtype))
        if _FOREACH_COPY is not None:
            _FOREACH_COPY(self._host_views, parts)
            values = self._host_buffer.tolist()
        else:  # older torch: the same single copy, through a stack
            values = torch.stack(parts).tolist()
        if correct is None and self._classification:
            correct = int(values.pop())
        return values[0], correct, values[1:]

    def _wait_for_go(self) -> Iterator[Snapshot]:
        """Block while paused; returns "step", "single" or "stopped" (yields maps asked for meanwhile)."""
        while True:
            with self._cond:
                while True:
                    if self._stop_requested:
                        return STOPPED
                    if not self._paused:
                        return "step"
                    if self._single_steps:
                        self._single_steps -= 1
                        return "single"
                    if self._probe_requested:
                        self._probe_requested = False
                        break
                    self._waiting = True
                    self._cond.notify_all()
                    since = time.perf_counter()
                    self._cond.wait()
                    self._waiting = False
                    self._paused_for += time.perf_counter() - since
            if self.probes and self._map_nodes:
                yield self._feature_maps()

    def _run_is_over(self, epoch: int, ends_epoch: bool) -> bool:
        if self._steps_limit is not None:
            return self._step >= self._steps_limit
        return ends_epoch and epoch >= self._settings.epochs

    def _planned_steps(self) -> int:
        if self._steps_limit is not None:
            return self._steps_limit
        bs, n, sampler = self._settings.batch_size, len(self._x_train), self._sampler
        per_epoch = batches_per_epoch(n, bs)
        if sampler.epoch == 0:
            return self._settings.epochs * per_epoch
        return self._step + sampler.remaining_in_epoch(bs) + (self._settings.epochs - sampler.epoch) * per_epoch

    def _apply_pending(self) -> None:
        with self._cond:
            changes, self._pending = self._pending, {}
        self._settings = dataclasses.replace(self._settings, **changes)
        apply_live_settings(self.optimizer, self._settings)
        if "batch_size" in changes:
            self.total_steps = self._planned_steps()

    def _elapsed(self) -> float:
        return time.perf_counter() - self._started_at - self._paused_for

    # Probes -------------------------------------------------------------------------------------

    def _new_schedules(self) -> dict[str, Schedule]:
        rates = self.probe_rates
        def schedule(interval: float) -> Schedule:
            return Schedule(interval, rates.budget, rates.max_wait)
        schedules = {"activations": schedule(rates.activation_interval)}
        if self._map_nodes:
            schedules["maps"] = schedule(rates.feature_map_interval)
        if self._grid is not None:
            schedules["boundary"] = schedule(rates.boundary_interval)
        return schedules

    def _probe(self, schedules: dict[str, Schedule], force: bool = False) -> Iterator[Snapshot]:
        """The probes that are due (all of them if ``force``), each rescheduled after it ran."""
        makers = {"activations": self._activations, "maps": self._feature_maps, "boundary": self._boundary}
        for name, schedule in schedules.items():
            started = time.perf_counter()
            if force or started >= schedule.next:
                snapshot = makers[name]()
                schedule.ran(started, time.perf_counter())
                yield snapshot

    def _validate(self, epoch: int) -> ValidationSnapshot:
        val_loss, val_acc = self._validator()
        return ValidationSnapshot(self._step, epoch, val_loss, val_acc)

    def _activations(self) -> ActivationSnapshot:
        with probing(self.module):
            stats = activation_stats(self.module, self._node_kinds, self._x_val[:self.probe_rates.activation_samples])
        return ActivationSnapshot(self._step, stats, self._groups.weight_norms())

    def _feature_maps(self) -> FeatureMapSnapshot:
        index = self._probe_index
        sample = self._x_val[index:index + 1]
        with probing(self.module):
            maps = feature_maps(self.module, self._map_nodes, sample)
        image = self.dataset.x_val[index].astype(np.float32, copy=True)
        return FeatureMapSnapshot(self._step, index, image, self._label(index), maps)

    def _boundary(self) -> BoundarySnapshot:
        with probing(self.module):
            values = self._grid.values(self.module, self.dataset.num_classes)
        return BoundarySnapshot(self._step, self._grid.extent, values)

    def _label(self, index: int) -> str:
        target = self.dataset.y_val[index]
        if self._classification:
            names = self.dataset.class_names
            return names[int(target)] if names and int(target) < len(names) else str(int(target))
        return ", ".join(f"{v:.4g}" for v in np.ravel(target))


# Checks made once, at construction ------------------------------------------------------------

def _check_device(device: str | torch.device) -> torch.device:
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError):
        raise SettingsError(f"unknown device {device!r}; use cpu or cuda", "device") from None
    if device.type not in ("cpu", "cuda"):
        raise SettingsError(f"unknown device {str(device)!r}; use cpu or cuda", "device")
    if device.type == "cuda" and not torch.cuda.is_available():
        raise SettingsError("device 'cuda' was asked for but no CUDA GPU is available; use --device cpu",
                            "device")
    return device


def _check_output(dataset, output_id: str, shape: tuple[int, ...]) -> None:
    """Refuse a network whose output cannot be compared with the dataset's targets."""
    if dataset.task == CLASSIFICATION:
        k = dataset.num_classes
        if shape != (k,):
            raise DatasetError(f"dataset '{dataset.name}' has {k} classes, so the network's output needs shape "
                               f"[{k}] (one score per class), but '{output_id}' gives {fmt(shape)}; set its "
                               f"size to {k}")
        return
    target = tuple(int(s) for s in dataset.y_train.shape[1:])
    if shape != target:
        raise DatasetError(f"dataset '{dataset.name}' has targets of shape {fmt(target)} but the network's output "
                           f"'{output_id}' gives {fmt(shape)}; make them match")


def _tensors(x: np.ndarray, y: np.ndarray, classification: bool, device: torch.device):
    xt = torch.from_numpy(np.ascontiguousarray(x))
    yt = torch.from_numpy(np.ascontiguousarray(y, dtype=np.int64 if classification else np.float32))
    return xt.to(device), yt.to(device)


_DROPOUT_TYPES = (nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d, nn.AlphaDropout, nn.FeatureAlphaDropout)


def _is_stochastic(module: nn.Module) -> bool:
    """Whether a training step draws random numbers (dropout anywhere), so the trainer keeps its own RNG."""
    for m in module.modules():
        if isinstance(m, _DROPOUT_TYPES) and m.p > 0:
            return True
        if isinstance(m, (nn.MultiheadAttention, nn.RNNBase)) and m.dropout > 0:
            return True
    return False


def _diverged_message(step: int, loss: float, lr: float) -> str:
    what = "NaN" if math.isnan(loss) else "infinite"
    return (f"training diverged at step {step}: the loss became {what}. The learning rate ({lr:g}) is probably "
            f"too high; try a smaller one, such as {lr / 10:g}")
