"""Adversarial training (a GAN): a generator makes samples from noise, a discriminator tells them from real ones.

Two networks in one document, found by role: the settings' ``networks`` ({"generator": output id,
"discriminator": output id}) or, where it names none, by shape: the network whose output has the
data's sample shape is the generator, the one whose output is ``[1]`` (a logit) the discriminator.
The generator's noise has the shape of its Input.

One step is ``d_steps`` discriminator steps (a real batch against a generated one) and then one
generator step, each with its own optimiser: the document's optimiser, learning rate, momentum and
weight decay for both, Adam and AdamW with betas (0.5, 0.999) as in DCGAN. The losses are the
standard non-saturating ones with binary cross-entropy on logits: the discriminator's is
``BCE(D(x), 1) + BCE(D(G(z)), 0)``, the generator's ``BCE(D(G(z)), 1)``. ``loss`` is the
generator's; ``losses`` holds both. Noise and the extra real batches of ``d_steps > 1`` come from
the objective's own seeded generator, so probes and the caller's RNG never change a run.
"""

from __future__ import annotations

import numpy as np
import torch
from torch.nn import functional as F

from explorer.data import DatasetError, check_sample_shape
from explorer.graph.build import network_nodes
from explorer.graph.errors import BuildError, GraphError
from explorer.graph.spec import fmt

from ..checks import check_no_graph_layers
from ..gather import HostGather
from ..probes import BoundaryGrid, probing
from ..settings import SettingsError
from ..snapshots import GanSnapshot
from .base import Batch, Evaluation, Objective, ProbeTarget, StepResult

GAN_BETAS = (0.5, 0.999)
PLANE_SAMPLES = 256   # generated points drawn for 2-D data
IMAGE_SAMPLES = 16    # generated images drawn otherwise
REAL_POINTS = 1000    # real points drawn for 2-D data
VALIDATION_SAMPLES = 1000


def find_roles(doc, sample_shape, chosen: dict[str, str] | None = None) -> dict[str, str]:
    """Which network of ``doc`` is the generator and which the discriminator: {role: output node id}.

    ``chosen`` (the settings' ``networks``) names roles outright; the others are found by shape for
    data of ``sample_shape``. Raises ``BuildError`` (or ``SettingsError`` for a bad ``chosen``)
    saying why when it cannot tell. The window can call this to mark the roles on the canvas.
    """
    chosen = dict(chosen or {})
    outputs = doc.outputs()
    for role, node_id in chosen.items():
        if not doc.has_node(node_id):
            raise SettingsError(f"training setting 'networks' makes '{node_id}' the {role}, but the document "
                                f"has no node '{node_id}'", "networks")
        if node_id not in outputs:
            raise SettingsError(f"training setting 'networks' makes '{node_id}' the {role}, but '{node_id}' "
                                f"is not a network's output (outputs: {', '.join(outputs)})", "networks")
    if len(outputs) < 2:
        named = f" ('{outputs[0]}')" if outputs else ""
        raise BuildError([GraphError(
            f"a GAN (task adversarial) needs two networks in the document, a generator from a noise Input "
            f"and a discriminator from a data-shaped Input, but it holds {len(outputs)}{named}",
            outputs[0] if outputs else None)])
    roles = dict(chosen)
    sample = tuple(int(s) for s in sample_shape)
    report = doc.infer()

    def shape(node_id):
        info = report.nodes.get(node_id)
        return None if info is None or info.output is None else tuple(info.output.shape)

    def free():
        return [o for o in outputs if o not in roles.values()]

    if "generator" not in roles:
        fits = [o for o in free() if shape(o) == sample]
        logits = [o for o in free() if shape(o) == (1,)]
        others = 0 if "discriminator" in roles else 1  # free outputs besides the generator
        if len(fits) == 1:
            roles["generator"] = fits[0]
        elif not fits and len(free()) == 1 + others and len(logits) == others:
            # the other network is the discriminator, so this is the generator (its shape is refused by the GAN)
            roles["generator"] = next(o for o in free() if o not in logits)
        else:
            raise BuildError([GraphError(
                f"cannot tell which network is the generator: it should be the one whose output has the data's "
                f"shape {fmt(sample)}, and {len(fits)} of the outputs ({', '.join(outputs)}) do; name it in the "
                "training settings' 'networks'", outputs[0])])
    if "discriminator" not in roles:
        fits = [o for o in free() if shape(o) == (1,)]
        if len(fits) == 1:
            roles["discriminator"] = fits[0]
        elif len(free()) == 1:
            roles["discriminator"] = free()[0]  # the GAN refuses its shape, naming it
        else:
            raise BuildError([GraphError(
                "cannot tell which network is the discriminator: it should be the one whose output is [1] "
                f"(a logit), and {len(fits)} of the other outputs do; name it in the training settings' "
                "'networks'", outputs[0])])
    if network_nodes(doc, roles["generator"]) & network_nodes(doc, roles["discriminator"]):
        raise BuildError([GraphError(
            f"the generator '{roles['generator']}' and the discriminator '{roles['discriminator']}' share layers; "
            "a GAN needs two separate networks", roles["discriminator"])])
    return roles


class Adversarial(Objective):
    name = "adversarial"
    roles = ("generator", "discriminator")
    has_picture = True

    def __init__(self, document, settings, dataset, device, output: str | None = None):
        super().__init__(document, settings, dataset, device)
        roles = find_roles(document, dataset.sample_shape, settings.networks)
        generator = self._build("generator", roles["generator"])
        discriminator = self._build("discriminator", roles["discriminator"])
        self.networks = {"generator": generator, "discriminator": discriminator}
        for module in (generator, discriminator):
            check_no_graph_layers(document, module, dataset, self.name)
        self._check_shapes(generator, discriminator)
        self.noise_shape = tuple(self._input_node(generator).params["shape"])
        self.x_train = self._x(dataset.x_train)
        self.x_val = self._x(dataset.x_val[:VALIDATION_SAMPLES])
        adam = settings.optimizer in ("adam", "adamw")
        self._make_optimizers(betas=GAN_BETAS if adam else None)
        self._g, self._d = generator, discriminator
        self._g_params, self._d_params = self.groups["generator"], self.groups["discriminator"]
        self._noise = torch.Generator(device=device).manual_seed(settings.seed)
        fixed = torch.Generator(device=device).manual_seed(settings.seed + 1)
        self._picture_count = PLANE_SAMPLES if dataset.is_2d else IMAGE_SAMPLES
        self.fixed_noise = self._draw_noise(max(self._picture_count, len(self.x_val)), fixed)
        self._gather = HostGather(2 + len(self._g_params) + len(self._d_params), device)
        if dataset.is_2d:
            self._grid = BoundaryGrid(np.concatenate([dataset.x_train, dataset.x_val]), device=device)
            real = np.concatenate([dataset.x_val, dataset.x_train])[:REAL_POINTS]
            self._real_points = real.astype(np.float32, copy=True)
        else:
            self._grid = None

    # Roles ------------------------------------------------------------------------------------------

    def _check_shapes(self, generator, discriminator) -> None:
        dataset, sample = self.dataset, tuple(self.dataset.sample_shape)
        g_out, d_out = generator.output_id, discriminator.output_id
        if self._output_shape(g_out) != sample:
            raise BuildError([GraphError(
                f"the generator's output '{g_out}' gives {fmt(self._output_shape(g_out))}, but dataset "
                f"'{dataset.name}' has samples of shape {fmt(sample)}; the generator must make samples like the "
                "data's", g_out)])
        if self._output_shape(d_out) != (1,):
            raise BuildError([GraphError(
                f"the discriminator's output '{d_out}' gives {fmt(self._output_shape(d_out))}; it must give [1], "
                "one logit saying how real a sample looks", d_out)])
        node = self._input_node(discriminator)
        try:
            check_sample_shape(dataset, node.params["shape"], node.params["dtype"])
        except DatasetError as error:
            raise BuildError([GraphError(f"the discriminator's Input '{node.id}': {error.message}", node.id)]) \
                from None
        g_in = self._input_node(generator)
        if g_in.params["dtype"] != "float" or -1 in g_in.params["shape"]:
            raise BuildError([GraphError(f"the generator's Input '{g_in.id}' takes the noise: it needs a float "
                                         "shape with every size given", g_in.id)])

    # Steps --------------------------------------------------------------------------------------------

    def _draw_noise(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        return torch.randn((n, *self.noise_shape), generator=generator or self._noise, device=self.device)

    def batch(self, indices: torch.Tensor) -> Batch:
        return Batch(self.x_train[indices])

    def train_step(self, batch: Batch) -> StepResult:
        g, d, g_opt, d_opt = self._g, self._d, self.optimizers["generator"], self.optimizers["discriminator"]
        n = len(batch.x)
        ones = torch.ones((n, 1), device=self.device)
        zeros = torch.zeros((n, 1), device=self.device)
        for k in range(self.settings.d_steps):
            real = batch.x if k == 0 else self.x_train[
                torch.randint(len(self.x_train), (n,), generator=self._noise, device=self.device)]
            with torch.no_grad():
                fake = g(self._draw_noise(n))
            d_opt.zero_grad(set_to_none=True)
            d_loss = F.binary_cross_entropy_with_logits(d(real), ones) + \
                F.binary_cross_entropy_with_logits(d(fake), zeros)
            d_loss.backward()
            d_opt.step()
        d_params = self._d_params
        parts = [d_loss.detach()]
        if d_params.params:
            parts.extend(torch._foreach_norm(d_params.grads()))
        # the generator's step: gradients flow through D to G, but D's weights are left alone
        for p in d_params.params:
            p.requires_grad_(False)
        try:
            g_opt.zero_grad(set_to_none=True)
            g_loss = F.binary_cross_entropy_with_logits(d(g(self._draw_noise(n))), ones)
            g_loss.backward()
            g_opt.step()
        finally:
            for p in d_params.params:
                p.requires_grad_(True)
        g_params = self._g_params
        parts.insert(0, g_loss.detach())
        if g_params.params:
            parts.extend(torch._foreach_norm(g_params.grads()))
        values = self._gather(parts)
        g_value, d_value = values[0], values[1]
        d_count = len(d_params)
        norms = d_params.by_node(values[2:2 + d_count])
        norms.update(g_params.by_node(values[2 + d_count:]))
        return StepResult(g_value, norms, n, losses={"generator": g_value, "discriminator": d_value})

    def evaluate(self) -> Evaluation:
        """Both losses on the validation samples against as many generated from fixed noise."""
        real = self.x_val
        n = len(real)
        with probing(self._g), probing(self._d):
            fake_logits = self._d(self._g(self.fixed_noise[:n]))
            real_logits = self._d(real)
            ones, zeros = torch.ones_like(real_logits), torch.zeros_like(fake_logits)
            g_loss, d_loss = torch.stack([
                F.binary_cross_entropy_with_logits(fake_logits, ones),
                F.binary_cross_entropy_with_logits(real_logits, ones)
                + F.binary_cross_entropy_with_logits(fake_logits, zeros)]).tolist()
        return Evaluation(g_loss, None, {"generator": g_loss, "discriminator": d_loss})

    # Pictures and probes -------------------------------------------------------------------------------

    def probe_targets(self) -> list[ProbeTarget]:
        g, d = self._g, self._d
        return [ProbeTarget(g, self.fixed_noise, self._node_kinds(g), self._map_nodes(g)),
                ProbeTarget(d, self.x_val, self._node_kinds(d), self._map_nodes(d))]

    def sample(self, n: int, seed: int = 0) -> np.ndarray:
        """``n`` samples from the generator as it is now, from noise drawn with ``seed`` (for tests and tools)."""
        noise = self._draw_noise(n, torch.Generator(device=self.device).manual_seed(seed))
        with probing(self._g):
            return self._g(noise).float().cpu().numpy()

    def picture(self, step: int) -> GanSnapshot:
        with probing(self._g), probing(self._d):
            samples = self._g(self.fixed_noise[:self._picture_count]).float().cpu().numpy()
            if self._grid is None:
                return GanSnapshot(step, samples)
            size = self._grid.size
            field = torch.sigmoid(self._d(self._grid.points)).reshape(size, size).float().cpu().numpy()
        return GanSnapshot(step, samples, self._real_points.copy(), field, self._grid.extent)
