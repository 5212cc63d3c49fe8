"""Every preset through ``nn-explorer export --to model.py``: the script's networks take a checkpoint from
``nn-explorer train --save`` and give the explorer's outputs and losses, and its loop trains the document's task
on one process and under ``torchrun --nproc_per_node=2`` (every preset)."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from explorer.data import load_dataset
from explorer.graph import fileformat
from explorer.training.checkpoint import load_checkpoint, load_state_dicts
from explorer.training.objectives import make_objective
from explorer.training.settings import TrainingSettings

from .helpers import PRESETS, ROOT, load_script, script_classes

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

TOLERANCE = 1e-5
NAMES = [p.stem for p in PRESETS]
TORCHRUN_PATH = Path(sys.executable).parent / "torchrun"


@functools.cache
def explorer_objective(name: str):
    """The explorer's objective for a preset (its networks, data and losses), as ``nn-explorer train`` builds it."""
    doc = fileformat.load(ROOT / "presets" / f"{name}.json")
    settings = TrainingSettings.from_dict(doc.training)
    dataset = load_dataset(settings.dataset, settings.dataset_options, seed=settings.seed,
                           val_fraction=settings.val_fraction)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(settings.seed)
        return make_objective(doc, settings, dataset, torch.device("cpu"))


def network_inputs(objective, script, output: str, n: int = 64):
    """Real inputs for the network ending at ``output``: (the explorer's, the script's), each ``(x, adjacency)``."""
    data = np.load(Path(script.__file__).with_suffix(".npz"))
    if objective.name == "node_classification":
        x = torch.from_numpy(data["features"])
        theirs = script.normalised_adjacency(torch.from_numpy(data["edges"]), len(x))
        return (x, objective.adjacency), (x, theirs)
    if objective.name == "adversarial" and output == script.G_OUTPUT:
        x = objective.fixed_noise[:n]
    else:
        x = torch.from_numpy(data["x_val"][:n])
    return (x, None), (x, None)


def largest_difference(objective, script, states: dict[str, dict]) -> float:
    """Load ``states`` ({output: state dict}) into the explorer's networks and the script's, and compare outputs."""
    load_state_dicts(objective.networks, states)
    worst = 0.0
    for output, cls in script_classes(script).items():
        ours = next(m for m in objective.networks.values() if m.output_id == output)
        theirs = cls()
        theirs.load_state_dict(states[output])
        ours.eval(), theirs.eval()
        (x, adjacency), (x2, adjacency2) = network_inputs(objective, script, output)
        with torch.no_grad():
            mine = ours(x, adjacency=adjacency) if adjacency is not None else ours(x)
            other = theirs(x2, adjacency2) if adjacency2 is not None else theirs(x2)
        ours.train()
        worst = max(worst, (mine - other).abs().max().item())
    return worst


@pytest.mark.parametrize("name", NAMES)
def test_the_script_loads_a_checkpoint_and_gives_the_explorers_output(exported, checkpoints, name, tally):
    script = load_script(exported[name])
    objective = explorer_objective(name)
    assert script.TASK == objective.name  # the loop is the document's task
    checkpoint = load_checkpoint(checkpoints[name])
    classes = script_classes(script)
    assert set(classes) == set(checkpoint.state_dicts) == {m.output_id for m in objective.networks.values()}
    for output, cls in classes.items():  # the script's own loading, from the checkpoint file
        model = cls()
        script.load_weights(model, checkpoints[name], output)
        for key, value in checkpoint.state_dicts[output].items():
            assert torch.equal(model.state_dict()[key], value), key
    difference = largest_difference(objective, script, checkpoint.state_dicts)
    tally.figure(f"export {name}: max abs difference, checkpoint weights", f"{difference:.3g}")
    assert difference < TOLERANCE


def test_the_graph_scripts_adjacency_is_the_explorers(exported):
    script = load_script(exported["gcn-karate"])
    objective = explorer_objective("gcn-karate")
    data = np.load(exported["gcn-karate"].with_suffix(".npz"))
    theirs = script.normalised_adjacency(torch.from_numpy(data["edges"]), len(data["features"]))
    assert torch.equal(theirs.to_dense(), objective.adjacency.to_dense())
    assert np.array_equal(data["train_mask"], objective.dataset.graph.train_mask)
    assert np.array_equal(data["labels"], objective.dataset.graph.labels)


@pytest.mark.parametrize("name", NAMES)
def test_the_scripts_validation_losses_are_the_explorers(exported, checkpoints, name):
    """The same weights give the same validation losses: the script's loss is the objective's."""
    script = load_script(exported[name])
    objective = explorer_objective(name)
    states = load_checkpoint(checkpoints[name]).state_dicts
    load_state_dicts(objective.networks, states)
    models = {}
    for output, cls in script_classes(script).items():
        models[output] = cls()
        models[output].load_state_dict(states[output])
    data = np.load(exported[name].with_suffix(".npz"))
    expected = objective.evaluate()
    if objective.name == "adversarial":
        x_val = torch.from_numpy(data["x_val"][:script.VALIDATION_SAMPLES])
        got = script.evaluate(models[script.G_OUTPUT], models[script.D_OUTPUT], x_val,
                              objective.fixed_noise[:len(x_val)])
        wanted = (expected.val_losses["generator"], expected.val_losses["discriminator"])
    elif objective.name == "node_classification":
        x = torch.from_numpy(data["features"])
        adjacency = script.normalised_adjacency(torch.from_numpy(data["edges"]), len(x))
        validate = torch.nonzero(torch.from_numpy(data["val_mask"])).flatten()
        got = script.evaluate(models[script.OUTPUT], x, adjacency, torch.from_numpy(data["labels"]), validate)
        wanted = (expected.val_loss, expected.val_acc)
    else:
        got = script.evaluate(models[script.OUTPUT], torch.from_numpy(data["x_val"]), torch.from_numpy(data["y_val"]))
        wanted = (expected.val_loss, expected.val_acc)
    assert got[0] == pytest.approx(wanted[0], rel=1e-5, abs=1e-6)
    assert got[1] == pytest.approx(wanted[1], rel=1e-5, abs=1e-6) if wanted[1] is not None else got[1] is None


def initial_states(script) -> dict[str, dict]:
    """The weights the script starts from (its seed, its initialisation, its order of building)."""
    torch.manual_seed(script.SETTINGS["seed"])
    states = {}
    for output, cls in script_classes(script).items():
        model = cls()
        script.initialise(model, script.SETTINGS["init"], script.SETTINGS["init_std"])
        states[output] = model.state_dict()
    return states


def saved_states(script, path: Path) -> dict[str, dict]:
    """A script's ``--save`` file as {output: state dict}: one network's state dict, or a GAN's two by output."""
    saved = torch.load(path, weights_only=True)
    classes = script_classes(script)
    return saved if set(saved) == set(classes) else {next(iter(classes)): saved}


def run_in_process(script, folder: Path, steps: int, monkeypatch, capsys) -> tuple[str, dict[str, dict]]:
    """``python script.py --steps N --save w.pt``, in this process (no torch start-up per preset)."""
    monkeypatch.chdir(folder)
    monkeypatch.setattr(sys, "argv", [script.__file__, "--steps", str(steps), "--save", "w.pt"])
    script.main()
    return capsys.readouterr().out, saved_states(script, folder / "w.pt")


@pytest.mark.parametrize("name", NAMES)
def test_every_presets_script_trains_on_one_process(exported, name, tmp_path, monkeypatch, capsys):
    script = load_script(exported[name])
    out, states = run_in_process(script, tmp_path, 3, monkeypatch, capsys)
    assert "on 1 process(es)" in out and "step 3/3" in out and "weights written to w.pt" in out
    learned_and_loads(name, script, states)


def test_the_graph_script_trains_exactly_as_the_explorer(exported, checkpoints, tmp_path, monkeypatch, capsys):
    """Full-graph steps have no sampling: the script's steps give the weights ``nn-explorer train`` gives."""
    from .conftest import CHECKPOINT_STEPS

    script = load_script(exported["gcn-karate"])
    _, states = run_in_process(script, tmp_path, CHECKPOINT_STEPS, monkeypatch, capsys)
    explorer = load_checkpoint(checkpoints["gcn-karate"]).state_dicts
    for key, value in explorer[script.OUTPUT].items():
        assert (states[script.OUTPUT][key] - value).abs().max().item() < TOLERANCE, key


def _run(cmd, cwd, timeout=240):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # the script needs no explorer
    env["OMP_NUM_THREADS"] = "1"
    return subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


def learned_and_loads(name: str, script, states: dict[str, dict]) -> None:
    """Every network of ``states`` moved from the script's initial weights, and they load into the explorer."""
    before = initial_states(script)
    for output, state in states.items():  # every network learned (a GAN's two, each under its own DDP)
        assert any(not torch.equal(state[k], before[output][k]) for k in state), output
    assert largest_difference(explorer_objective(name), script, states) < TOLERANCE


@pytest.fixture(scope="module")
def under_torchrun(exported, tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """Every preset's script trained 4 steps under one ``torchrun --nproc_per_node=2``: (folder, output by name)."""
    folder = tmp_path_factory.mktemp("torchrun")
    result = _run([TORCHRUN_PATH, "--standalone", "--nproc_per_node=2", Path(__file__).with_name("torchrun_driver.py"),
                   "4", folder, *exported.values()], cwd=folder, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    parts = result.stdout.split("=== ")[1:]
    outputs = {part.split("\n", 1)[0]: part for part in parts}
    return folder, {name: outputs.get(path.stem, "") for name, path in exported.items()}


@pytest.mark.skipif(not TORCHRUN_PATH.exists(), reason="torchrun is not installed beside this Python")
@pytest.mark.parametrize("name", NAMES)
def test_every_presets_script_trains_under_torchrun_on_two_processes(exported, under_torchrun, name):
    folder, outputs = under_torchrun
    out = outputs[name]
    assert "on 2 process(es)" in out and "step 4/4" in out, out[-2000:]
    assert out.count("weights written") == 1  # rank 0 only
    script = load_script(exported[name])
    learned_and_loads(name, script, saved_states(script, folder / f"{exported[name].stem}.pt"))


@pytest.mark.skipif(not TORCHRUN_PATH.exists(), reason="torchrun is not installed beside this Python")
@pytest.mark.parametrize("name", ["gan-ring", "gcn-karate"])
def test_the_script_trains_under_torchrun_on_two_processes(exported, name, tmp_path, monkeypatch, capsys):
    """The script run as a user runs it: it joins the processes itself and leaves them at the end."""
    result = _run([TORCHRUN_PATH, "--standalone", "--nproc_per_node=2", exported[name], "--steps", "4",
                   "--save", tmp_path / "w.pt"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "on 2 process(es)" in result.stdout and "step 4/4" in result.stdout
    assert result.stdout.count("weights written") == 1  # rank 0 only
    script = load_script(exported[name])
    states = saved_states(script, tmp_path / "w.pt")
    learned_and_loads(name, script, states)
    if name == "gcn-karate":  # DDP splits the labelled nodes and averages: the same steps as on one process
        alone = tmp_path / "alone"
        alone.mkdir()
        _, single = run_in_process(script, alone, 4, monkeypatch, capsys)
        for key, value in single[script.OUTPUT].items():
            assert (states[script.OUTPUT][key] - value).abs().max().item() < TOLERANCE, key


def test_the_script_runs_as_a_program_on_one_process(exported, tmp_path):
    result = _run([sys.executable, exported["gan-ring"], "--steps", "3", "--save", tmp_path / "w.pt"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "step 3/3" in result.stdout and "weights written" in result.stdout
    assert set(torch.load(tmp_path / "w.pt", weights_only=True)) == {"g_out", "d_out"}
