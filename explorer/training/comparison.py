"""Two runs side by side: a network A and its variant B, trained in one run with alternating steps.

:class:`ComparisonTrainer` owns two ordinary :class:`~explorer.training.trainer.Trainer` s and drives
their generators in turn, one optimisation step each, so a lecturer sees both curves grow together.
What makes the comparison fair is set up here, once:

* the same data: B trains on A's loaded dataset when their dataset settings agree;
* the same batches: both trainers draw their batch order from the same seed (their own samplers);
* the same start: B starts from A's initial weights in every layer whose id and weight shapes match
  (a Sigmoid swapped for a ReLU, or a Dropout added, leaves every Linear layer shared).

Every snapshot comes out tagged with its run (:class:`RunSnapshot`, ``run`` "A" or "B"); the pair's
end is one untagged :class:`DoneSnapshot` (or :class:`ErrorSnapshot`) after both runs ended. Pause,
one step and stop act on both: the runs are driven from here, never paused themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import torch

from explorer.data import DatasetError
from explorer.graph.document import Document
from explorer.graph.errors import GraphError
from explorer.graph.variant import VariantError, variant_of

from .checkpoint import CheckpointError
from .controls import PROBE, SINGLE, STOP, RunControls
from .difference import describe_difference
from .probes import BACKGROUND_RATES, ProbeRates
from .settings import SettingsError, TrainingSettings
from .snapshots import DoneSnapshot, ErrorSnapshot, RunEnd, Snapshot, StepSnapshot

RUNS = ("A", "B")
_DATA_KEYS = ("dataset", "dataset_options", "seed", "val_fraction")


@dataclass
class RunSnapshot:
    """A snapshot of one of the two runs: ``run`` is "A" (the network) or "B" (its variant)."""

    run: str
    snapshot: Snapshot

    @property
    def step(self) -> int:
        return self.snapshot.step


class ComparisonTrainer(RunControls):
    """Trains ``document`` (A) and ``variant`` (B, default: the variant ``document`` carries) side by side.

    Anything wrong with B (it does not read, build, or fit the data) raises :class:`VariantError` naming
    B and the reason, before anything trains; A's own problems raise as :class:`Trainer` raises them.
    ``shared_layers`` lists the node ids whose initial weights B took from A. Other keywords go to both
    trainers (``steps``, ``probes``, ``device``, ``probe_rates``).
    """

    def __init__(self, document: Document, variant: Document | None = None, *, steps: int | None = None,
                 probes: bool = True, device: str | None = None, probe_rates: ProbeRates = BACKGROUND_RATES):
        super().__init__()
        from .trainer import Trainer  # the trainer imports data and objectives; keep this module light to import

        if variant is None:
            variant = variant_of(document)
        self.documents = {"A": document, "B": variant}
        self.caption = describe_difference(document, variant)
        options = dict(steps=steps, probes=probes, device=device, probe_rates=probe_rates)
        first = Trainer(document, **options)
        try:
            settings_b = TrainingSettings.from_dict(variant.training)
            same_data = all(getattr(settings_b, k) == getattr(first.settings, k) for k in _DATA_KEYS)
            second = Trainer(variant, settings_b, dataset=first.dataset if same_data else None, **options)
        except (GraphError, SettingsError, DatasetError, CheckpointError) as error:
            raise VariantError(f"the variant (B) cannot be trained: {error.message}",
                               getattr(error, "node_id", None)) from None
        self.trainers = {"A": first, "B": second}
        self.shared_layers = share_initial_weights(first, second)
        self.total_steps = max(first.total_steps, second.total_steps)
        self._ended: dict[str, Snapshot] = {}

    # What the window reads ---------------------------------------------------------------------

    @property
    def step(self) -> int:
        """Steps done by the run that is furthest along."""
        return max(t.step for t in self.trainers.values())

    @property
    def settings(self) -> TrainingSettings:
        """Run A's settings (those a live change is checked against)."""
        return self.trainers["A"].settings

    @property
    def dataset(self):
        return self.trainers["A"].dataset

    def _probe_count(self) -> int:
        return min(t._probe_count() for t in self.trainers.values())

    def set_probe_index(self, index: int) -> None:
        """Which validation sample both runs' feature maps show."""
        super().set_probe_index(index)
        for trainer in self.trainers.values():
            trainer.set_probe_index(index)

    # The run ------------------------------------------------------------------------------------

    def run(self) -> Iterator[RunSnapshot | DoneSnapshot | ErrorSnapshot]:
        """Both runs' snapshots in turn (tagged), then the pair's :class:`DoneSnapshot` or :class:`ErrorSnapshot`."""
        generators = {name: trainer.run() for name, trainer in self.trainers.items()}
        try:
            yield from self._run(generators)
        finally:
            for generator in generators.values():
                generator.close()
            self._mark_finished()

    def _run(self, generators) -> Iterator[RunSnapshot | DoneSnapshot | ErrorSnapshot]:
        live = dict(generators)
        stopped = False
        while live:
            action = "step"
            if self._paused or self._stop_requested:
                while (action := self._wait_for_go()) == PROBE:
                    yield from self._fresh_maps(live)
            if action == STOP:
                stopped = True
                for name in live:
                    self.trainers[name].stop()  # each ends after its step in progress, and says so
                for name in list(live):
                    yield from self._advance(name, live, until_step=False)
                break
            if self._pending:
                changes = self._take_pending()
                for trainer in self.trainers.values():
                    trainer.update_settings(**changes)
            for name in [n for n in RUNS if n in live]:
                yield from self._advance(name, live, until_step=True)
                if isinstance(self._ended.get(name), ErrorSnapshot):
                    yield from self._end_with_error(name, live)
                    return
            if action == SINGLE:  # a single step shows both runs' pictures of it at once
                yield from self._fresh_pictures(live)
        yield self._pair_end(stopped)

    def _advance(self, name: str, live: dict, until_step: bool) -> Iterator[RunSnapshot]:
        """Run ``name``'s generator up to and including its next step (or to its end), tagging what it yields."""
        for snap in live[name]:
            yield RunSnapshot(name, snap)
            if isinstance(snap, (DoneSnapshot, ErrorSnapshot)):
                self._ended[name] = snap
                del live[name]
                return
            if until_step and isinstance(snap, StepSnapshot):
                return
        self._ended.setdefault(name, DoneSnapshot(self.trainers[name].step, RunEnd.STOPPED))
        live.pop(name, None)

    def _fresh_maps(self, live: dict) -> Iterator[RunSnapshot]:
        for name in RUNS:
            if name in live and (maps := self.trainers[name].probe_feature_maps()) is not None:
                yield RunSnapshot(name, maps)

    def _fresh_pictures(self, live: dict) -> Iterator[RunSnapshot]:
        """Every probe of both runs now (statistics, maps, boundary, the task's picture), as a single step wants.

        A run's own forced probes would come only when its generator is next driven, after the pause."""
        for name in RUNS:
            trainer = self.trainers[name]
            if name in live and trainer.probes:
                for snap in trainer._probe(trainer._new_schedules(), force=True):  # fresh schedules: the run's stay
                    yield RunSnapshot(name, snap)

    def _end_with_error(self, name: str, live: dict) -> Iterator[RunSnapshot | ErrorSnapshot]:
        for other in list(live):
            self.trainers[other].stop()
            yield from self._advance(other, live, until_step=False)
        error = self._ended[name]
        yield ErrorSnapshot(error.step, f"run {name}: {error.message}", error.traceback)

    def _pair_end(self, stopped: bool) -> DoneSnapshot:
        ends = {name: self._ended.get(name) for name in RUNS}
        notes = [f"{name} {end.message}" for name, end in ends.items()
                 if isinstance(end, DoneSnapshot) and end.reason == RunEnd.DIVERGED]
        reason = RunEnd.STOPPED if stopped else RunEnd.FINISHED
        if stopped:
            notes.insert(0, f"stopped after {self.step} steps")
        return DoneSnapshot(self.step, reason, "; ".join(notes))


def share_initial_weights(a, b) -> list[str]:
    """Copy ``a``'s weights into ``b``'s networks wherever a layer's id and every tensor's shape match.

    Networks are paired by role ("model", or a GAN's "generator" and "discriminator"); returns the
    node ids whose weights ``b`` took, in ``b``'s order.
    """
    shared: list[str] = []
    with torch.no_grad():
        for role, target in b.networks.items():
            source = a.networks.get(role)
            if source is None:
                continue
            theirs = dict(source.layers.items())
            for node_id, layer in target.layers.items():
                if node_id not in theirs:
                    continue
                mine, other = layer.state_dict(), theirs[node_id].state_dict()
                if not mine or mine.keys() != other.keys() or any(mine[k].shape != other[k].shape for k in mine):
                    continue
                layer.load_state_dict(other)
                shared.append(node_id)
    return shared
