"""The trainer: a generator that trains a document's networks step by step and yields plain snapshots.

Everything that can be wrong with the network, the dataset or the settings is found when the
:class:`Trainer` is made (``BuildError``, ``DatasetError``, ``SettingsError``), before any training.
Once :meth:`Trainer.run` is iterating, nothing escapes it: an exception becomes an
:class:`ErrorSnapshot`, a non-finite loss ends the run as "diverged".

What one step does is the objective's (``explorer.training.objectives``: supervised,
reconstruction, adversarial, node classification); this loop, the controls (``controls.py``),
the probes and the snapshots are the same for all and never ask which objective runs.
"""

from __future__ import annotations

import dataclasses
import math
import time
import traceback
from collections.abc import Iterator

import numpy as np
import torch

from explorer.data import load_dataset

from .augment import Augmenter, is_active
from .batches import BatchSampler, batches_per_epoch
from .checkpoint import load_state_dicts
from .checks import check_device
from .faults import check_finite_data
from .checks import diverged_message as _diverged_message
from .controls import PROBE, SINGLE, STOP, RunControls
from .objectives import make_objective
from .probes import (BACKGROUND_RATES, BoundaryGrid, ProbeRates, Schedule, activation_stats, feature_maps,
                     probing, soonest)
from .sequence_probe import make_sequence_probe
from .settings import SettingsError, TrainingSettings
from .transfer import transfer_weights
from .snapshots import (ActivationSnapshot, BoundarySnapshot, DoneSnapshot, ErrorSnapshot, FeatureMapSnapshot,
                        RunEnd, Snapshot, StepSnapshot, ValidationSnapshot)

FINISHED, STOPPED, DIVERGED = RunEnd.FINISHED, RunEnd.STOPPED, RunEnd.DIVERGED


class Trainer(RunControls):
    """Trains the networks of ``document`` on its dataset; iterate :meth:`run` for the snapshots.

    ``settings`` default to the document's ``training`` section; ``steps`` (if given) replaces
    ``epochs`` as the length of the run; ``dataset`` (a loaded :class:`~explorer.data.Dataset`)
    skips loading the one the settings name. ``probes=False`` leaves out the low-rate probes
    (activation statistics, feature maps, decision boundary, the objective's picture); steps and
    validation always come. ``output`` chooses the network of a document holding several (the
    supervised, reconstruction and graph objectives train one; a GAN finds its two by role).
    ``initial_state`` ({output node id: state dict}, as :meth:`state_dicts` gives) starts the
    networks from those weights instead of fresh ones. ``transfer_from`` (the same form, from another
    network: a checkpoint, an earlier run) loads only the layers whose node ids and shapes match, the
    others keeping their fresh weights; ``transfer_report`` then says which (``transfer.py``), and a
    source that fits no layer is refused with a ``CheckpointError``. ``probe_rates`` may be replaced
    until the run starts.

    ``module`` is the trained network (a GAN's generator), ``networks`` every network by role
    ({"model": m} or {"generator": g, "discriminator": d}) and ``objective`` what one step does.

    Rates: a :class:`StepSnapshot` every step; a :class:`ValidationSnapshot` at each epoch end and
    at the end; activation statistics, feature maps, the decision boundary and the objective's
    picture, and for a network reading sequences the :class:`SequenceSnapshot` (gradient through time,
    attention maps), as ``probe_rates`` say (:class:`~explorer.training.probes.ProbeRates`). All probes
    come once before the first step, after every single step, and at the end.

    The probes run on the training thread, between steps, on the networks themselves: nothing is
    copied and no lock is needed, and what they cost is training time. That sets the trade-off,
    measured on 2 cores: a window wants pictures that move (``LIVE_RATES``: feature maps about 13
    times a second, statistics, boundary and the objective's picture 5, about 2 % of a small CNN's
    training time), a headless run wants speed (``BACKGROUND_RATES``, the default: each probe at
    most 0.1 % of the time). A probe's cost is judged by the median of its recent runs, its first
    (warm-up) run excluded, and the wait is capped, so a probe that once took 100 ms while its
    thread was pre-empted does not stop the pictures; a network whose probes are really slow is
    drawn less often, never less than every ``max_wait`` seconds.
    """

    def __init__(self, document, settings: TrainingSettings | None = None, *, device: str | None = None,
                 output: str | None = None, dataset=None, steps: int | None = None, probes: bool = True,
                 initial_state: dict[str, dict] | None = None, probe_rates: ProbeRates = BACKGROUND_RATES,
                 transfer_from: dict[str, dict] | None = None, transfer_source: str = "the checkpoint"):
        super().__init__()
        if settings is None:
            settings = TrainingSettings.from_dict(document.training)
        if steps is not None and (isinstance(steps, bool) or not isinstance(steps, int) or steps < 1):
            raise SettingsError(f"'steps' must be a whole number of at least 1, not {steps!r}", "steps")
        self.device = check_device(device or settings.device)  # None: the settings' device choice
        self._settings = settings
        self._steps_limit = steps
        self.probes = probes
        self.probe_rates = probe_rates

        if dataset is None:
            dataset = load_dataset(settings.dataset, settings.dataset_options, seed=settings.seed,
                                   val_fraction=settings.val_fraction)
        check_finite_data(dataset)  # NaN in the data is the data's fault, not a too-large learning rate
        self.dataset = dataset
        self.task = dataset.task  # the dataset's: "classification" or "regression"; the objective's is objective.name
        # Initial weights come from the settings' seed without disturbing the caller's RNG; the
        # stream then continues into dropout, so a run is the same every time.
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(settings.seed)
            self.objective = make_objective(document, settings, dataset, self.device, output=output)
            self._rng_state = torch.get_rng_state()
        if initial_state:
            load_state_dicts(self.objective.networks, initial_state)
        self.transfer_report = None
        if transfer_from:
            self.transfer_report = transfer_weights(self.objective.networks, transfer_from, transfer_source)
        self.networks = self.objective.networks
        self.module = self.objective.module
        self.optimizers = self.objective.optimizers
        self.optimizer = next(iter(self.optimizers.values()))
        self._validator = getattr(self.objective, "validator", None)
        self._stochastic = self.objective.stochastic
        self._targets = self.objective.probe_targets()
        self._map_nodes = [n for t in self._targets for n in t.map_nodes]
        boundary = self.objective.boundary_module()
        self._boundary_module = boundary
        self._grid = BoundaryGrid(np.concatenate([dataset.x_train, dataset.x_val]), device=self.device) \
            if boundary is not None else None
        # gradient through time and attention maps, for a network that reads sequences
        self.sequence_probe = make_sequence_probe(self.objective)
        self._step = 0
        self._first_loss: float | None = None  # names the likely cause if the run diverges
        self._started = False
        self._sampler = BatchSampler(self.objective.train_count, settings.seed, self.device)
        # training batches only: validation and the probes read the objective's own tensors
        self.augmenter = Augmenter(settings.augment, dataset.sample_shape, dataset.name, settings.seed) \
            if is_active(settings.augment) else None
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

    def state_dicts(self) -> dict[str, dict[str, torch.Tensor]]:
        """Every network's weights by its output node id, on the CPU, as a checkpoint stores them."""
        return {m.output_id: {k: v.detach().cpu().clone() for k, v in m.state_dict().items()}
                for m in self.networks.values()}

    @property
    def map_nodes(self) -> list[str]:
        """The nodes whose feature maps the probes draw (those with an image-shaped output)."""
        return list(self._map_nodes)

    def probe_feature_maps(self) -> FeatureMapSnapshot | None:
        """The feature maps of the probe sample now: before the run, those of the initial weights; between
        steps (while the caller holds the run's generator), a recorder's frame. None without map nodes."""
        return self._feature_maps() if self._map_nodes else None

    def _probe_count(self) -> int:
        return self.objective.probe_count

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
            self.objective.train()
            self._mark_finished()

    def _run(self) -> Iterator[Snapshot]:
        sampler, objective = self._sampler, self.objective
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
            action = "step"
            if self._paused or self._stop_requested:
                while (action := self._wait_for_go()) == PROBE:
                    if self.probes and self._map_nodes:
                        yield self._feature_maps()
            if action == STOP:
                reason = STOPPED
                break
            if self._pending:
                self._apply_pending()
            settings = self._settings
            idx, epoch, ends_epoch = sampler.next(settings.batch_size)
            result = self._train_step(self._batch(idx))
            self._step += 1
            loss_value = result.loss
            if self._first_loss is None:  # before any update: what the initial weights give
                self._first_loss = loss_value if result.losses is None else sum(result.losses.values())
            yield StepSnapshot(
                step=self._step, epoch=epoch, loss=loss_value, lr=settings.lr, batch_size=result.size,
                grad_norms=result.grad_norms,
                acc=None if result.correct is None else result.correct / (result.size * result.positions),
                momentum=settings.momentum if settings.uses_momentum else None,
                weight_decay=settings.weight_decay, elapsed=self._elapsed(), total_steps=self.total_steps,
                losses=result.losses)
            if not math.isfinite(loss_value) or (result.losses is not None
                                                 and not math.isfinite(sum(result.losses.values()))):
                bad = loss_value if not math.isfinite(loss_value) else sum(result.losses.values())
                yield DoneSnapshot(self._step, DIVERGED, _diverged_message(
                    self._step, bad, settings.lr, first_loss=self._first_loss, init=settings.init,
                    init_std=settings.init_std))
                return
            if ends_epoch:
                yield self._validate(epoch)
                validated_at = self._step
            if self._run_is_over(epoch, ends_epoch):
                break
            if self.probes:
                if action == SINGLE or self._take_probe_request():
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

    def _batch(self, idx):
        """The objective's batch record, its inputs augmented when the settings ask (a target that is
        the input itself, an autoencoder's, follows it)."""
        batch = self.objective.batch(idx)
        if self.augmenter is not None:
            x = self.augmenter(batch.x)
            batch = dataclasses.replace(batch, x=x, y=x if batch.y is batch.x else batch.y)
        return batch

    def _train_step(self, batch):
        """The objective's step; a network with dropout draws from the run's own RNG stream."""
        if self._stochastic:
            torch.set_rng_state(self._rng_state)
            result = self.objective.train_step(batch)
            self._rng_state = torch.get_rng_state()
            return result
        return self.objective.train_step(batch)

    def _run_is_over(self, epoch: int, ends_epoch: bool) -> bool:
        if self._steps_limit is not None:
            return self._step >= self._steps_limit
        return ends_epoch and epoch >= self._settings.epochs

    def _planned_steps(self) -> int:
        if self._steps_limit is not None:
            return self._steps_limit
        bs, n, sampler = self._settings.batch_size, self.objective.train_count, self._sampler
        per_epoch = batches_per_epoch(n, bs)
        if sampler.epoch == 0:
            return self._settings.epochs * per_epoch
        return self._step + sampler.remaining_in_epoch(bs) + (self._settings.epochs - sampler.epoch) * per_epoch

    def _apply_pending(self) -> None:
        changes = self._take_pending()
        self._settings = dataclasses.replace(self._settings, **changes)
        self.objective.apply_settings(self._settings)
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
        if self.objective.has_picture:
            schedules["task"] = schedule(rates.task_interval)
        if self.sequence_probe is not None:
            schedules["sequence"] = schedule(rates.task_interval)
        return schedules

    def _probe(self, schedules: dict[str, Schedule], force: bool = False) -> Iterator[Snapshot]:
        """The probes that are due (all of them if ``force``), each rescheduled after it ran."""
        makers = {"activations": self._activations, "maps": self._feature_maps, "boundary": self._boundary,
                  "task": self._task_picture, "sequence": self._sequence_picture}
        for name, schedule in schedules.items():
            started = time.perf_counter()
            if force or started >= schedule.next:
                snapshot = makers[name]()
                schedule.ran(started, time.perf_counter())
                yield snapshot

    def _validate(self, epoch: int) -> ValidationSnapshot:
        result = self.objective.evaluate()
        return ValidationSnapshot(self._step, epoch, result.val_loss, result.val_acc, result.val_losses,
                                  result.metrics)

    def _activations(self) -> ActivationSnapshot:
        stats, weights = {}, {}
        for target in self._targets:
            x = target.inputs if target.adjacency is not None else target.inputs[:self.probe_rates.activation_samples]
            with probing(target.module):
                stats.update(activation_stats(target.module, target.node_kinds, x, target.adjacency))
        for groups in self.objective.groups.values():
            weights.update(groups.weight_norms())
        return ActivationSnapshot(self._step, stats, weights)

    def _feature_maps(self) -> FeatureMapSnapshot:
        index = self._probe_index
        maps = {}
        for target in self._targets:
            if target.map_nodes:
                i = index % len(target.inputs)
                with probing(target.module):
                    maps.update(feature_maps(target.module, target.map_nodes, target.inputs[i:i + 1]))
        image = self.dataset.x_val[index].astype(np.float32, copy=True)
        return FeatureMapSnapshot(self._step, index, image, self._label(index), maps)

    def _boundary(self) -> BoundarySnapshot:
        with probing(self._boundary_module):
            values = self._grid.values(self._boundary_module, self.dataset.num_classes)
        return BoundarySnapshot(self._step, self._grid.extent, values)

    def _task_picture(self):
        return self.objective.picture(self._step)

    def _sequence_picture(self):
        return self.sequence_probe(self._step, self._probe_index)

    def _label(self, index: int) -> str:
        target = self.dataset.y_val[index]
        if self.dataset.task == "classification":
            names = self.dataset.class_names
            return names[int(target)] if names and int(target) < len(names) else str(int(target))
        return ", ".join(f"{v:.4g}" for v in np.ravel(target))
